"""A run stopped early (SIGINT, SIGTERM, a server that died) ends cleanly: exit 3, reports, one line, resumable.

Real processes: the run is a subprocess that gets real signals; the emulator is a loopback server.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.report.outfolder.atomic import temporary_name
from batch.run.journal.store import Journal
from batch.run.stop import reporting_stopped

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "stop-token"
SERVER = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0.3)


def cli(out: Path, base_url: str, *extra: str) -> list[str]:
    """``rtm-batch run`` paced at 40 requests/s so a signal lands mid-run (~250 requests in all)."""
    args = ["run", str(SAMPLES), "--out", str(out), "--base-url", base_url, "--max-rate", "40", *extra]
    return [sys.executable, "-c", "from batch.cli import main; main()", *args]


def env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}, "WEBEX_ACCESS_TOKEN": TOKEN}


def start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def operator(base_url: str, what: str) -> Any:
    return httpx.get(base_url.removesuffix("/v1") + f"/_emulator/{what}", timeout=10).json()


def wait_for_requests(base_url: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while operator(base_url, "stats")["total"] < count:
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.05)


def write_count(base_url: str) -> int:
    """Writes the emulator answered (every route that is not a GET)."""
    routes = operator(base_url, "stats")["routes"]
    return sum(n for route, counts in routes.items() if not route.startswith("GET ") for n in counts.values())


def events(stdout: str) -> list[dict[str, Any]]:
    """The run's JSON log (--log-format json: on stdout, nothing else there)."""
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_cleanly_with_reports_and_exit_3_and_the_same_command_resumes(
    tmp_path: Path, signum: signal.Signals
) -> None:
    out = tmp_path / "out"
    with running_emulator(SERVER) as base_url:
        victim = start(cli(out, base_url, "--log-format", "json"))
        wait_for_requests(base_url, 60)
        signalled = time.monotonic()
        victim.send_signal(signum)
        stdout, stderr = victim.communicate(timeout=30)
        took = time.monotonic() - signalled

        assert victim.returncode == 3, stderr[-2000:]
        assert took < 8.0  # in-flight requests get 5 s, then they are abandoned
        assert stderr == ""  # --log-format json is JSON all the way: the stop line is the last event's
        last = events(stdout)[-1]["stop_line"]
        assert last.startswith("stopped after") and f"{signum.name} received" in last
        assert "run the same command to resume" in last
        summary = json.loads((out / "summary.json").read_text())
        assert summary["interrupted"] is True and summary["exit_code"] == 3
        assert (out / "results.csv").is_file() and (out / "results.xlsx").is_file() and (out / "retry").is_dir()
        results = (out / "results.csv").read_text(encoding="utf-8-sig")
        assert "not reached: the run stopped" in results
        log = events(stdout)
        assert log[-1]["event"] == "finished" and log[-1]["exit_code"] == 3 and log[-1]["reports"]["summary_json"]
        assert any(e["event"] == "stopped" and signum.name in e["reason"] for e in log)
        done = ("created", "exists", "failed")
        finished = {e["job"] for e in log if e["event"] == "job_done" and e["status"] in done}
        assert finished, "the signal came before any job finished; the test proves nothing"
        with Journal.open(out / "journal.sqlite") as journal:
            journalled = set(journal.done())
        assert finished <= journalled  # every job reported finished is in the journal

        resumed = subprocess.run(cli(out, base_url), env=env(), capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        state = operator(base_url, "state")
    assert max(Counter(c["external_id"] for c in state["customers"]).values()) == 1
    assert max(Counter(s["email"] for s in state["subscribers"]).values()) == 1
    assert json.loads((out / "summary.json").read_text())["interrupted"] is False


def test_a_server_that_dies_mid_run_stops_it_with_exit_3_naming_the_server(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with running_emulator(SERVER) as base_url:
        victim = start(cli(out, base_url))
        wait_for_requests(base_url, 40)
    # the emulator is gone: every request from now on gets no answer
    stdout, stderr = victim.communicate(timeout=90)
    assert victim.returncode == 3, stderr[-2000:]
    last = [line for line in stderr.splitlines() if line.startswith("stopped after")]
    assert len(last) == 1 and f"the server {base_url} keeps failing" in last[0], stderr[-2000:]
    assert "Traceback" not in stderr
    retry = [line for line in stdout.splitlines() if line.startswith("Retry:")]  # nothing needs correcting
    assert len(retry) == 1 and "rows not reached: run the same command" in retry[0], stdout[-2000:]
    assert "to correct" not in retry[0], retry[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is True and "keeps failing" in summary["stopped"]


def test_a_second_run_on_the_same_out_exits_2_and_leaves_out_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with running_emulator(SERVER) as base_url, Journal.open(out / "journal.sqlite"):
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
        result = subprocess.run(cli(out, base_url), env=env(), capture_output=True, text=True, timeout=60)
        after = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert result.returncode == 2 and "another run" in result.stderr
    assert after == before  # no validation report, nothing


def test_a_signal_while_the_reports_are_written_says_so_and_the_same_command_writes_them(tmp_path: Path) -> None:
    """Before, no handler was left once the event loop ended (asyncio and uvloop put SIGTERM back to its
    default): the run died of the signal half-way through its reports, with no line, exit -15.

    Deterministic without a hook: ``results.csv``'s temporary name is a FIFO with a 4 KiB buffer that the test
    reads only after the signal, so the run is caught writing its first report (data in the pipe: the jobs have
    ended). Every report is written whole or not at all: no ``results.csv`` is left, only the stop line.
    """
    out = tmp_path / "out"
    out.mkdir()
    fifo = temporary_name(out / "results.csv")
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)  # smaller than results.csv: the writer waits for the test
    with running_emulator(SERVER) as base_url:
        command = [*cli(out, base_url)[:-1], "500"]  # --max-rate 500: no need to pace this run
        try:
            victim = start(command)
            assert select.select([reader], [], [], 90)[0], "the run never wrote results.csv"
            victim.send_signal(signal.SIGTERM)
            # Read on till the run ends: the csv writer returns, then the stop is obeyed. Polars opens the file
            # twice (the BOM, then the rows), so an end of file is not the end of the writing.
            deadline = time.monotonic() + 60
            while victim.poll() is None and time.monotonic() < deadline:
                if not select.select([reader], [], [], 0.1)[0] or not os.read(reader, 65536):
                    time.sleep(0.01)
        finally:
            os.close(reader)
        _, stderr = victim.communicate(timeout=30)
        assert victim.returncode == 3, stderr[-2000:]
        assert [line for line in stderr.splitlines() if line.startswith("stopped")] == [
            "stopped while writing the reports (SIGTERM received), after every job of the run had ended: the "
            f"reports in {out} are incomplete; run the same command to resume and write them"
        ]
        assert "Traceback" not in stderr and not (out / "summary.json").exists()
        assert not (out / "results.csv").exists()  # never half a report under the report's name

        fifo.unlink(missing_ok=True)
        writes = write_count(base_url)
        resumed = subprocess.run(command, env=env(), capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        again = write_count(base_url)
    assert again == writes  # every job came from the journal: no write is sent twice
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is False
    # The interrupted run's work is reported as this batch's (created), not as an earlier run's (exists).
    sheets = {name: summary["sheets"][name] for name in ("customers", "locations", "users")}
    assert all(counts["created"] == counts["rows"] for counts in sheets.values()), sheets


def test_a_stop_while_writing_the_reports_of_a_stopped_run_names_both() -> None:
    line = reporting_stopped("SIGINT", Path("out"), "SIGTERM received")
    assert line.startswith("stopped while writing the reports (SIGINT received), after the run had stopped (SIGTERM")
