"""One run as the history keeps it: when, how it ended, what it did, where its reports are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A finished run. ``label`` names the job it belongs to (the config's name, else its inputs), so a
    trend or "the previous run" compares nights of the same job, not the demo with the nightly sync."""

    run_id: str
    label: str
    command: str
    started: datetime
    finished: datetime
    exit_code: int
    rows: int = 0
    totals: Mapping[str, int] = field(default_factory=dict)  # rows per status
    requests: int = 0
    throttled: int = 0  # 429 answers
    settled_rate: float = 0.0
    achieved_rate: float = 0.0
    wall_seconds: float = 0.0
    input_hash: str = ""
    config: str = ""
    out_dir: str = ""
    host: str = ""
    error: str = ""  # why a run ended early or could not start (its one line), else empty

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``rtm-batch history --json``): times as ISO 8601."""
        data = asdict(self)
        data["started"] = self.started.isoformat(timespec="seconds")
        data["finished"] = self.finished.isoformat(timespec="seconds")
        data["totals"] = dict(self.totals)
        return data


def record_from_summary(
    summary: Mapping[str, Any], *, label: str, input_hash: str = "", config: str = "", host: str = ""
) -> RunRecord:
    """The history's view of a run whose reports were written (its ``summary.json``)."""
    api = summary.get("api") or {}
    totals = {k: int(v) for k, v in (summary.get("totals") or {}).items() if k != "rows" and v}
    return RunRecord(
        run_id=str(summary.get("run_id") or ""),
        label=label,
        command=str(summary.get("command") or "run"),
        started=parse_time(summary.get("started")),
        finished=parse_time(summary.get("finished")),
        exit_code=int(summary.get("exit_code", 0)),
        rows=int(summary.get("rows", 0)),
        totals=totals,
        requests=int(api.get("requests", 0)),
        throttled=int(api.get("throttled", 0)),
        settled_rate=float(api.get("settled_rate", 0.0)),
        achieved_rate=float(api.get("achieved_rate", 0.0)),
        wall_seconds=float(summary.get("wall_seconds", 0.0)),
        input_hash=input_hash,
        config=config,
        out_dir=str(summary.get("out_dir") or ""),
        host=host or str(summary.get("host") or ""),
        error=str(summary.get("stopped") or ""),
    )


def parse_time(value: object) -> datetime:
    """An ISO 8601 time from a summary (UTC when it names no zone); now when it is missing or unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
