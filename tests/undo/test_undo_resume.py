"""A SIGKILL in the middle of ``rtm-batch undo`` (a real process, real HTTP), then the same command again:
the undo finishes, reaches the state an uninterrupted undo reaches, and no write is sent twice."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from batch.emulator import running_emulator
from tests.run.test_run_sync import (
    CUSTOMERS,
    CUSTOMERS_2,
    SLOW,
    TAMPERE,
    TAMPERE_2,
    TOKEN,
    USERS_1,
    USERS_2,
    end_state,
    operator,
    run,
    workbook,
)
from tests.undo.test_undo import UNDONE_SYNC, as_v1


def undo_cli(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", "from batch.cli import main; main()", "undo", str(out), *extra]


def test_sigkill_mid_undo_then_the_same_command_finishes_without_a_second_write(tmp_path: Path) -> None:
    env = {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}
    with running_emulator(SLOW) as server:
        assert (
            run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), tmp_path / "v1", server).exit_code == 0
        )
        v1 = end_state(operator(server, "state"))
        out = tmp_path / "v2"
        v2 = workbook(tmp_path / "v2.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2)
        assert run(v2, out, server, update=True, prune=True).exit_code == 1
        start = len(operator(server, "requests"))
        victim = subprocess.Popen(
            undo_cli(out, "--max-rate", "4"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len([e for e in operator(server, "requests")[start:] if e["method"] != "GET"]) >= 3:
                break
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL, "the undo ended before the kill: the test proves nothing"
        killed_at = len([e for e in operator(server, "requests")[start:] if e["method"] != "GET"])
        assert 3 <= killed_at < 8, killed_at  # mid-undo: some reversals done, some not
        resumed = subprocess.run(undo_cli(out), env=env, capture_output=True, timeout=120)
        assert resumed.returncode == 1, resumed.stderr.decode()[-2000:]  # the rows undo names (prune, customers)
        assert "Traceback" not in resumed.stderr.decode()
        sent = [e for e in operator(server, "requests")[start:] if e["method"] != "GET"]
        as_v1(end_state(operator(server, "state")), v1)
    writes = Counter((e["method"], e["path"], e["body"]) for e in sent)
    assert not [w for w, n in writes.items() if n > 1], "a write was sent twice across the kill and the resume"
    assert len(writes) == 10  # roles; package; Tampere, HQ and two customers restored; three users, one number deleted
    lines = list(csv.DictReader((out / "undo" / "results.csv").read_text("utf-8-sig").splitlines()))
    statuses: dict[tuple[str, str], str] = {}
    for line in lines:
        key = (line["sheet"], line["key"])
        if line["status"] != "undone" or key not in statuses:
            statuses[key] = line["status"]
    assert statuses == {k: str(v) for k, v in UNDONE_SYNC.items()}
