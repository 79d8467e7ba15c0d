"""The distribution installs as a wheel with both top-level packages, the console script runs, and importing ``batch``
sets polars' allocator up however the process was started."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POLARS_OWN = "dirty_decay_ms:500,muzzy_decay_ms:1000"
OURS = "dirty_decay_ms:0,muzzy_decay_ms:0"


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


def _conf_seen_by_polars(inherited: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if inherited is not None:
        env["_RJEM_MALLOC_CONF"] = inherited
    code = "import batch, os, polars; print(os.environ['_RJEM_MALLOC_CONF'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize(
    "inherited",
    [None, POLARS_OWN, f"{POLARS_OWN},thp:always,metadata_thp:always", "narenas:2"],
    ids=["unset", "left-by-a-parent-that-imported-polars", "polars-thp", "other-option"],
)
def test_decay_is_zero_unless_a_person_chose_one(inherited: str | None) -> None:
    """A parent Python process that imported polars leaves polars' own decay (0.5 / 1 s) in the environment: that is
    not a choice, so the child still gives pages back at once (the last value wins)."""
    assert _conf_seen_by_polars(inherited).endswith(OURS)


def test_a_decay_set_in_the_environment_wins() -> None:
    assert _conf_seen_by_polars("dirty_decay_ms:200").endswith(",dirty_decay_ms:200")
