"""``--metrics-textfile PATH``: the run in Prometheus text format, for node_exporter's textfile collector.

The collector reads every ``*.prom`` file of its folder on each scrape, so the file is written whole or not
at all (``prometheus_client.write_to_textfile``: a temporary file, then rename) into a fresh
``CollectorRegistry`` (never the global one, which would carry the process's own metrics). Gauges, not
counters: each file describes the last run. ``rtm_batch_last_success_timestamp_seconds`` comes from the
history, so a failing night still says when the job last succeeded, the figure alerts are written on
(``time() - rtm_batch_last_success_timestamp_seconds > 2 * 86400``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from batch.errors import UsageError
from batch.history.records import RunRecord


def write_metrics(
    path: Path,
    run: RunRecord,
    sheets: Mapping[str, Mapping[str, int]],
    last_success: datetime | None,
) -> Path:
    """Write ``run``'s metrics to ``path``; a folder that cannot take it is one usage line."""
    registry = CollectorRegistry()
    rows = Gauge("rtm_batch_rows", "Rows of the last run by sheet and status.", ["sheet", "status"], registry=registry)
    for sheet, counts in sheets.items():
        for status, n in counts.items():
            if status != "rows":
                rows.labels(sheet=sheet, status=status).set(int(n))
    figures = {
        "rtm_batch_exit_code": (
            "Exit code of the last run (0 ok, 1 rows to fix, 2 could not start, 3 stopped).",
            run.exit_code,
        ),
        "rtm_batch_duration_seconds": ("Wall time of the last run.", run.wall_seconds),
        "rtm_batch_rate_settled_requests_per_second": ("API rate the last run settled at.", run.settled_rate),
        "rtm_batch_api_requests": ("API requests the last run sent.", run.requests),
        "rtm_batch_throttled_responses": ("429 answers the last run got.", run.throttled),
        "rtm_batch_last_run_timestamp_seconds": ("When the last run ended (Unix time).", run.finished.timestamp()),
    }
    if last_success is not None:
        figures["rtm_batch_last_success_timestamp_seconds"] = (
            "When a run of this job last ended with exit 0 (Unix time).",
            last_success.timestamp(),
        )
    for name, (text, value) in figures.items():
        Gauge(name, text, registry=registry).set(float(value))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), registry)
    except OSError as exc:
        raise UsageError(f"cannot write --metrics-textfile {path}: {exc.strerror or exc}") from None
    return path
