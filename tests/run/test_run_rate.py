"""summary.json's rate figures for a run with ``--max-rate``, over real HTTP against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from batch.emulator import EmulatorConfig, running_emulator

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "rate-token"


def test_a_fixed_max_rate_without_429_reports_the_rate_it_held(tmp_path: Path) -> None:
    """It said ``highest_rate_without_429: 0`` whenever ``--max-rate`` was given: a partner choosing the next
    run's rate read that even a slow pace had drawn 429s."""
    out = tmp_path / "out"
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        args = ["run", str(SAMPLES), "--out", str(out), "--base-url", base_url, "--max-rate", "80"]
        env = {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}
        command = [sys.executable, "-c", "from batch.cli import main; main()", *args, "--log-format", "plain"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    api = json.loads((out / "summary.json").read_text())["api"]
    assert api["settled_rate"] == 80.0 and api["throttled"] == 0, api
    # What the run achieved in its busiest second without a 429: the ceiling, give or take a loaded machine.
    assert 0.8 * 80 <= api["highest_rate_without_429"] <= 80.0, api
