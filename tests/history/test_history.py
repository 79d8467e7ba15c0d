"""The history file: every run recorded, newest first, per job; 90 days kept; a newer schema refused in one
line; ``rtm-batch history [--last N] [--json]`` lists what it holds."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from batch.cli import main
from batch.errors import UsageError
from batch.history.records import RunRecord, record_from_summary
from batch.history.store import History

NOW = datetime.now(UTC).replace(microsecond=0)


def run(run_id: str, days_ago: float, exit_code: int = 0, label: str = "config /etc/nightly.toml") -> RunRecord:
    started = NOW - timedelta(days=days_ago)
    totals = {"created": 3, "failed": exit_code}
    return RunRecord(run_id, label, "run", started, started + timedelta(seconds=40), exit_code, 3 + exit_code, totals)


def test_runs_come_back_newest_first_per_job_and_past_90_days_are_forgotten(tmp_path: Path) -> None:
    history = History(tmp_path / "deep" / "history.sqlite", clock=lambda: NOW)
    for record in (run("old", 91), run("a", 3), run("b", 2, exit_code=1), run("other", 1, label="inputs /x.xlsx")):
        history.record(record)
    assert [r.run_id for r in history.runs()] == ["other", "b", "a"]  # "old" went when a newer run was recorded
    assert [r.run_id for r in history.runs(label="config /etc/nightly.toml", last=1)] == ["b"]
    assert [r.run_id for r in history.runs(exit_code=0)] == ["other", "a"]
    assert [r.run_id for r in history.earlier_runs("b", 5)] == ["a"]
    again = history.find("b")
    assert again == run("b", 2, exit_code=1)  # every field survives the round trip


def test_a_run_recorded_twice_is_one_run(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite", clock=lambda: NOW)
    history.record(run("a", 1, exit_code=1))
    history.record(run("a", 1, exit_code=0))
    assert [(r.run_id, r.exit_code) for r in history.runs()] == [("a", 0)]


def test_a_missing_file_is_an_empty_history_and_a_newer_schema_is_one_clear_line(tmp_path: Path) -> None:
    assert History(tmp_path / "none.sqlite").runs() == []
    path = tmp_path / "newer.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(UsageError, match="newer rtm-batch"):
        History(path).runs()


def test_a_summary_becomes_a_record() -> None:
    summary = {
        "run_id": "r1",
        "command": "run",
        "started": "2026-12-03T02:30:00+00:00",
        "finished": "2026-12-03T02:31:00+00:00",
        "wall_seconds": 60.0,
        "exit_code": 1,
        "rows": 5,
        "totals": {"created": 4, "failed": 1, "exists": 0, "rows": 5},
        "api": {"requests": 40, "throttled": 2, "settled_rate": 20.0, "achieved_rate": 0.67},
        "out_dir": "/srv/out/2026-12-03",
        "host": "nightly-01",
    }
    record = record_from_summary(summary, label="job", input_hash="abc")
    assert (record.exit_code, record.rows, dict(record.totals)) == (1, 5, {"created": 4, "failed": 1})
    assert (record.requests, record.throttled, record.settled_rate, record.host) == (40, 2, 20.0, "nightly-01")
    assert record.finished - record.started == timedelta(minutes=1) and record.input_hash == "abc"


def test_the_history_command_lists_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.sqlite"
    history = History(path)
    history.record(run("r0", 3))
    history.record(run("r1", 2, exit_code=1))
    history.record(replace(run("r2", 1, exit_code=2), rows=0, totals={}, error="the refresh token was refused"))
    with pytest.raises(SystemExit) as done:
        main(["history", "--history", str(path), "--last", "2", "--json"])
    assert done.value.code == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed] == ["r2", "r1"] and listed[0]["error"] == "the refresh token was refused"
    with pytest.raises(SystemExit):
        main(["history", "--history", str(path)])
    table = capsys.readouterr().out
    assert "nightly.toml" in table and "exit 2: the refresh token was refused" in table
