"""``rtm-batch report OUT``: a past run's summary again, from the reports it left (contract §2).

A cron job's output is often lost; the folder is not. The exit code is that run's, so a monitoring script
can ask "did last night's run succeed?" with the same codes as the run itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batch.errors import UsageError
from batch.report.writer import ReportPaths


def load_summary(out_dir: Path) -> tuple[dict[str, Any], ReportPaths]:
    """The run's ``summary.json`` and where its reports are; one clear error when there is none."""
    path = out_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{out_dir} holds no summary.json: give the --out folder of a run") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise UsageError(f"{path} is not a summary written by rtm-batch (not JSON)") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("exit_code"), int):
        raise UsageError(f"{path} is not a summary written by rtm-batch (no exit_code)")
    retry = out_dir / "retry"
    paths = ReportPaths(
        out_dir, out_dir / "results.csv", out_dir / "results.xlsx", path, retry if retry.is_dir() else None
    )
    return summary, paths
