"""Soak (``make soak``, about 3 minutes, loopback only): a run that is killed over and over against a server
that fails in every way we know, and still ends with every row provisioned once.

The emulator runs as its own process with 5 % 503s, 5 % lost responses, 3 % answers slower than the
client's timeout, a 429 storm every 15 s and its state in a ``--state-file``; it is restarted (SIGKILL or
SIGTERM) every few client kills. The client is SIGKILLed or SIGTERMed at 20+ random moments, each time
followed by the same command (a resume). At the end: every valid row is created/exists, no object exists
twice, and the journal and the reports agree with the emulator's state.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch.run.journal.store import Journal
from bench.generate import make_batch, write_csv_folder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TOKEN = "soak-token"
KILLS = 20
CUSTOMERS, LOCATIONS, USERS = 12, 24, 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    """``rtm-batch emulator`` as a process on a fixed port, restartable with its state kept."""

    def __init__(self, port: int, state_file: Path, seed: int) -> None:
        self.port, self.state_file, self.seed = port, state_file, seed
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.process: subprocess.Popen[bytes] | None = None
        self.totals: Counter[str] = Counter()
        self.restarts = 0

    def start(self) -> None:
        args = ["emulator", "--port", str(self.port), "--token", TOKEN, "--rate", "120", "--burst", "20"]
        args += ["--provisioning-seconds", "1", "--error-rate", "0.05", "--lost-response-rate", "0.05"]
        args += ["--slow-rate", "0.03", "--slow-seconds", "2.5", "--storm-every", "15", "--storm-seconds", "1.5"]
        args += ["--seed", str(self.seed + self.restarts), "--state-file", str(self.state_file)]
        command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/_emulator/stats", timeout=1)
                return
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.05)

    def stop(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.count()
        self.process.send_signal(signum)
        self.process.wait(timeout=30)

    def restart(self, signum: signal.Signals) -> None:
        self.stop(signum)
        self.restarts += 1
        self.start()

    def count(self) -> None:
        """Add this process's answers by status to the totals (its stats die with it)."""
        try:
            stats = httpx.get(f"http://127.0.0.1:{self.port}/_emulator/stats", timeout=5).json()
        except httpx.HTTPError:
            return
        for per_status in stats["routes"].values():
            self.totals.update({status: n for status, n in per_status.items()})

    def state(self) -> dict[str, Any]:
        return httpx.get(f"http://127.0.0.1:{self.port}/_emulator/state", timeout=30).json()


def run_command(folder: Path, out: Path, base_url: str) -> list[str]:
    args = ["run", str(folder), "--out", str(out), "--base-url", base_url, "--timeout", "2", "--log-format", "json"]
    return [sys.executable, "-c", "from batch.cli import main; main()", *args]


def env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}, "WEBEX_ACCESS_TOKEN": TOKEN}


def test_soak_kills_restarts_and_faults_end_with_every_row_provisioned_once(tmp_path: Path) -> None:
    rng = random.Random(11)
    folder, out = tmp_path / "batch", tmp_path / "out"
    write_csv_folder(make_batch(CUSTOMERS, LOCATIONS, USERS), folder)
    emulator = Emulator(free_port(), tmp_path / "emulator-state.json", seed=5)
    emulator.start()
    kills: Counter[str] = Counter()
    started = time.monotonic()
    try:
        for n in range(KILLS):
            client = subprocess.Popen(
                run_command(folder, out, emulator.base_url),
                env=env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            time.sleep(rng.uniform(1.5, 5.0))  # a random moment of the run (startup takes about a second)
            signum = rng.choice([signal.SIGKILL, signal.SIGTERM])
            client.send_signal(signum)
            _, stderr = client.communicate(timeout=60)
            kills[signum.name] += 1
            if signum == signal.SIGTERM and client.returncode not in (0, 1, 3):
                pytest.fail(f"SIGTERM gave exit {client.returncode}: {stderr.decode()[-2000:]}")
            if client.returncode in (0, 1):
                break  # the work ran out before the kills did: the batch is too small for this machine
            if n % 5 == 4:
                emulator.restart(rng.choice([signal.SIGKILL, signal.SIGTERM]))
        final = None
        for _ in range(4):  # faults can exhaust a row's retries; the same command picks it up again
            final = subprocess.run(
                run_command(folder, out, emulator.base_url), env=env(), capture_output=True, timeout=600
            )
            if final.returncode == 0:
                break
        assert final is not None and final.returncode == 0, final.stderr.decode()[-3000:] if final else ""
        state = emulator.state()
    finally:
        emulator.stop(signal.SIGTERM)
    assert sum(kills.values()) >= KILLS, f"only {sum(kills.values())} kills before the work ran out"

    customers = Counter(c["external_id"] for c in state["customers"])
    subscribers = Counter(s["email"].casefold() for s in state["subscribers"])
    org_of = {c["external_id"]: c["org_id"] for c in state["customers"]}
    locations = Counter((x["org_id"], x["name"].casefold()) for x in state["locations"])
    people = Counter(p["emails"][0].casefold() for p in state["people"])
    duplicates = sum(n - 1 for table in (customers, subscribers, locations, people) for n in table.values())
    assert duplicates == 0
    assert len(customers) == CUSTOMERS and all(c["status"] == "provisioned" for c in state["customers"])
    assert len(subscribers) == USERS
    assert len(locations) == CUSTOMERS + LOCATIONS  # every headquarters and every further location
    results = [line.split(",") for line in (out / "results.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert Counter(r[3] for r in results) <= Counter({"created": len(results), "exists": len(results)})
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exit_code"] == 0 and summary["interrupted"] is False
    with Journal.open(out / "journal.sqlite") as journal:
        done = journal.done()
    known_subscribers = {s["id"] for s in state["subscribers"]}
    journal_subscribers = {o.ids["subscriber_id"] for o in done.values() if "subscriber_id" in o.ids}
    assert journal_subscribers <= known_subscribers and len(journal_subscribers) == USERS
    assert {o.ids["org_id"] for o in done.values() if "org_id" in o.ids} <= set(org_of.values())

    faults = dict(sorted(emulator.totals.items()))
    print(
        f"\nsoak: {len(results)} rows, {USERS} users; kills {dict(kills)}; emulator restarts {emulator.restarts}; "
        f"answers by status {faults}; duplicates {duplicates}; {time.monotonic() - started:.0f} s"
    )
