"""``rtm-batch run`` and ``demo`` as a partner's shell sees them: exit codes, one-line errors, no token echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.run.journal.store import Journal

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "cli-secret-token-0815"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


def rtm(*args: str, token: str | None = TOKEN, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WEBEX_ACCESS_TOKEN", "WEBEX_BASE_URL")}
    if token is not None:
        env["WEBEX_ACCESS_TOKEN"] = token
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_rejected_token_stops_the_run_with_exit_2_and_never_echoes_it(server: str, tmp_path: Path) -> None:
    wrong = "wrong-token-1234567"
    result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", server, token=wrong)
    assert "token was rejected" in one_line_error(result)
    assert wrong not in result.stdout + result.stderr


def test_no_token_is_a_usage_error(server: str, tmp_path: Path) -> None:
    result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", server, token=None)
    assert "WEBEX_ACCESS_TOKEN" in one_line_error(result)


def test_plain_http_is_refused_except_to_loopback(tmp_path: Path) -> None:
    result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", "http://webexapis.example.com/v1")
    assert "http" in one_line_error(result)


def test_a_journal_held_by_another_run_is_exit_2(server: str, tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.sqlite"):
        result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", server)
    assert "another run" in one_line_error(result)


def test_run_exits_0_and_prints_where_the_reports_are(server: str, tmp_path: Path) -> None:
    result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", server, "--max-rate", "1000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "results.csv" in result.stdout and TOKEN not in result.stdout + result.stderr
    assert " finished 130/130 jobs" in result.stderr  # off a terminal: one plain line per job, then a total


def test_demo_provisions_the_samples_in_under_a_minute(tmp_path: Path) -> None:
    result = rtm("demo", "--out", str(tmp_path / "demo"), token=None, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "demo" / "results.xlsx").is_file() and (tmp_path / "demo" / "summary.json").is_file()


def test_a_missing_scope_is_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    """Issue 9 item 10 from the shell: the first read of a family the token may not use stops the run."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, denied_scopes=frozenset({"roles"}))
    with running_emulator(config) as base_url:
        result = rtm("run", str(SAMPLES), "--out", str(tmp_path), "--base-url", base_url, "--sub-partner-org-id", "X1")
    line = one_line_error(result)
    assert "spark-admin:roles_read" in line and len(line) < 300
