"""A run killed mid-way (SIGKILL) and run again with the same journal ends exactly like an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from batch.emulator import EmulatorConfig, running_emulator
from batch.run.journal.store import Journal

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "resume-token"
SERVER = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0.3, record_requests=True)


def cli(out: Path, base_url: str) -> list[str]:
    """``rtm-batch run`` paced at 40 requests/s so the kill lands mid-run (~250 requests in all)."""
    args = ["run", str(SAMPLES), "--out", str(out), "--base-url", base_url, "--max-rate", "40", "--log-format", "json"]
    return [sys.executable, "-c", "from batch.cli import main; main()", *args]


def env() -> dict[str, str]:
    return {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}


def operator(base_url: str, what: str) -> Any:
    return httpx.get(base_url.removesuffix("/v1") + f"/_emulator/{what}", timeout=10).json()


def comparable(state: dict[str, Any]) -> dict[str, Counter[Any]]:
    """The server's objects by natural key (ids differ between servers), counted so duplicates show."""
    ext = {c["org_id"]: c["external_id"] for c in state["customers"]}
    loc = {loc["id"]: (ext[loc["org_id"]], loc["name"]) for loc in state["locations"]}
    roles = {r["id"]: r["name"] for r in state["roles"]}
    return {
        "customers": Counter(ext.values()),
        "locations": Counter((*loc[x["id"]], x["calling_enabled"], x["main_number"]) for x in state["locations"]),
        "numbers": Counter((n["phone_number"], loc[n["location_id"]]) for n in state["numbers"]),
        "subscribers": Counter((s["email"], s["package"], s["primary_phone_number"]) for s in state["subscribers"]),
        "people": Counter(
            (p["emails"][0], ext[p["org_id"]], tuple(sorted(roles[r] for r in p["roles"]))) for p in state["people"]
        ),
    }


def test_sigkill_then_resume_ends_like_an_uninterrupted_run(tmp_path: Path) -> None:
    with running_emulator(SERVER) as base_url:
        done = subprocess.run(cli(tmp_path / "whole", base_url), env=env(), capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        uninterrupted = comparable(operator(base_url, "state"))

    with running_emulator(SERVER) as base_url:
        out = tmp_path / "killed"
        victim = subprocess.Popen(cli(out, base_url), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while operator(base_url, "stats")["total"] < 80 and time.monotonic() < deadline:
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        victim.stderr.close()
        assert victim.returncode == -signal.SIGKILL
        with Journal.open(out / "journal.sqlite") as journal:
            known = set(journal.done())
        assert known, "the kill came before any job finished; the test proves nothing"
        resumed = subprocess.run(cli(out, base_url), env=env(), capture_output=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr.decode()[-2000:]
        final = operator(base_url, "state")
        requests = operator(base_url, "requests")

    assert comparable(final) == uninterrupted
    assert all(n == 1 for counts in comparable(final).values() for n in counts.values())
    events = [json.loads(line) for line in resumed.stdout.decode().splitlines() if line.startswith("{")]
    repeated = {e["job"] for e in events if e.get("event") == "job_done"} & known
    assert not repeated, f"jobs the journal knew were done ran again: {sorted(repeated)[:5]}"
    posts = Counter(e["path"] for e in requests if e["method"] == "POST")
    assert posts["/v1/wholesale/customers"] == 6 and posts["/v1/locations"] == 10
    assert posts["/v1/wholesale/subscribers"] == 61
