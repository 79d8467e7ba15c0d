"""The distribution installs as a wheel with both top-level packages, and the console script runs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_console_script_reports_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "batch", "--version"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.startswith("rtm-batch ")


def test_wheel_contains_batch_and_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("rtm_batch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "batch/cli.py" in names
    assert "schemas/__init__.py" in names
    assert "batch/report/page/templates/report.html.j2" in names  # report.html's template ships with the code
    assert any(n.endswith("entry_points.txt") for n in names)
