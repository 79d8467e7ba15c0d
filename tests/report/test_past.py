"""``rtm-batch report OUT``: a past run's summary again, with that run's exit code; ``--json`` as written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from batch.emulator import EmulatorConfig, running_emulator

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "samples" / "invalid" / "invalid.xlsx"
TOKEN = "report-token"


def rtm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_report_prints_the_past_run_again_with_its_exit_code(tmp_path: Path) -> None:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        ran = rtm("run", str(INVALID), "--out", str(tmp_path), "--base-url", base_url)
    assert ran.returncode == 1, ran.stderr[-2000:]
    again = rtm("report", str(tmp_path))
    assert again.returncode == 1 and "Results" in again.stdout and "results.csv" in again.stdout
    as_json = rtm("report", str(tmp_path), "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == json.loads((tmp_path / "summary.json").read_text())


def test_an_interrupted_run_reports_exit_3_and_says_it_can_resume(tmp_path: Path) -> None:
    summary = {"exit_code": 3, "interrupted": True, "stopped": "SIGTERM received", "sheets": {}, "totals": {}}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    result = rtm("report", str(tmp_path))
    assert result.returncode == 3 and "SIGTERM received" in result.stdout and "resume" in result.stdout


def test_a_folder_without_a_summary_is_exit_2_in_one_line(tmp_path: Path) -> None:
    result = rtm("report", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: {tmp_path / 'nowhere'} holds no summary.json: give the --out folder of a run"
    ]
