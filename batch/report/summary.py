"""``summary.json``'s content (contract §3) and the summary printed at the end of a run."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from batch.jobs import STATUSES, RowResult
from batch.problems import RuleCount
from batch.reasons import Reason
from batch.report.retry import DONE
from batch.report.writer import ReportPaths
from schemas import SHEETS

#: Reasons of rows that need nothing corrected, only the same command again (a stop, a server that failed).
RUN_AGAIN = frozenset(
    {Reason.NOT_REACHED, Reason.SERVER_ERROR, Reason.SERVER_UNREACHABLE, Reason.SERVER_NO_ANSWER, Reason.THROTTLED}
)


def build_summary(
    results: Sequence[RowResult],
    *,
    api: Mapping[str, float | int],
    wall_seconds: float,
    started: datetime,
    command: str,
    validation: Sequence[RuleCount] = (),
    inputs: Sequence[str] = (),
    base_url: str | None = None,
) -> dict[str, Any]:
    """``summary.json``'s content: counts per sheet × status, totals, API figures, timing, exit code.

    ``api`` holds the client's figures (requests, retries, throttled, ambiguous); ``achieved_rate`` is
    requests per wall second unless given. ``finished`` is ``started + wall_seconds`` so the two figures
    never disagree. Exit code per contract §4: 0 when every row is created, exists or planned.
    ``validation`` is the validator's per-rule counts: ``validation`` in the summary gives their true totals.
    ``inputs`` (as given) and ``base_url`` say what was run against what (results.xlsx's summary sheet shows them).
    """
    per_sheet: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        per_sheet[result.sheet][result.status] += 1
    order = [name for name in SHEETS if name in per_sheet] + sorted(set(per_sheet) - set(SHEETS))
    sheets = {name: _status_counts(per_sheet[name]) for name in order}
    totals = _status_counts(sum(per_sheet.values(), Counter()))
    retry_rows = sum(1 for r in results if r.status not in DONE)
    reasons = Counter(r.reason for r in results if r.reason and r.status not in DONE)
    requests = int(api.get("requests", 0))
    achieved = api.get("achieved_rate")
    if achieved is None:
        achieved = requests / wall_seconds if wall_seconds > 0 else 0.0
    return {
        "command": command,
        "inputs": list(dict.fromkeys(inputs)),
        "base_url": base_url,
        "started": started.isoformat(timespec="seconds"),
        "finished": (started + timedelta(seconds=wall_seconds)).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "exit_code": 1 if retry_rows else 0,
        "rows": len(results),
        "retry_rows": retry_rows,
        "not_reached": sum(n for reason, n in reasons.items() if reason in RUN_AGAIN),
        "reasons": dict(reasons.most_common()),
        "sheets": sheets,
        "totals": totals,
        "validation": validation_figures(validation),
        "api": {
            "requests": requests,
            "retries": int(api.get("retries", 0)),
            "throttled": int(api.get("throttled", 0)),
            "ambiguous": int(api.get("ambiguous", 0)),
            "achieved_rate": round(float(achieved), 2),
            "settled_rate": float(api.get("settled_rate", 0.0)),
            "highest_rate_without_429": float(api.get("highest_rate_without_429", 0.0)),
        },
    }


def validation_figures(counts: Sequence[RuleCount]) -> dict[str, int]:
    """Errors and warnings as found (not as listed: validation.csv lists at most a cap per rule), and how many
    of them validation.csv does not list one by one."""
    return {
        "errors": sum(c.found for c in counts if c.severity == "error"),
        "warnings": sum(c.found for c in counts if c.severity != "error"),
        "not_listed": sum(c.not_listed for c in counts),
    }


def status_table(summary: Mapping[str, Any], title: str = "Results") -> Table:
    """Rows per sheet × status (the statuses that occur), and the total: one run's or shards' merged."""
    totals = summary.get("totals", {})
    shown = [s for s in STATUSES if totals.get(s)] or [STATUSES[0]]
    table = Table(title=title, show_edge=False, title_justify="left")
    table.add_column("sheet")
    for name in ("rows", *shown):
        table.add_column(name, justify="right")
    for sheet, counts in summary.get("sheets", {}).items():
        table.add_row(sheet, str(counts.get("rows", 0)), *(str(counts.get(s, 0)) for s in shown))
    table.add_row("total", str(totals.get("rows", 0)), *(str(totals.get(s, 0)) for s in shown), style="bold")
    return table


def print_summary(console: Console, summary: Mapping[str, Any], paths: ReportPaths, title: str = "Results") -> None:
    """A compact table of rows per sheet × status, the API figures and where the reports are."""
    console.print(status_table(summary, title))
    api = summary.get("api", {})
    console.print(
        f"API: {api.get('requests', 0)} requests, {api.get('retries', 0)} retries, "
        f"{api.get('throttled', 0)} throttled (429), {api.get('ambiguous', 0)} ambiguous; "
        f"{api.get('achieved_rate', 0)} requests/s over {summary.get('wall_seconds', 0)} s"
        + (f"; rate settled at {api['settled_rate']}/s" if api.get("settled_rate") else "")
    )
    checked = summary.get("validation")
    if checked and (checked.get("errors") or checked.get("warnings")):
        unlisted = checked.get("not_listed", 0)
        console.print(
            f"Validation: {checked.get('errors', 0)} errors, {checked.get('warnings', 0)} warnings"
            + (f" ({unlisted} of them counted but not listed in validation.csv)" if unlisted else "")
        )
    page = paths.out_dir / "report.html"
    html = f", {page}" if page.is_file() else ""  # the one to open first, where the run wrote it
    console.print(f"Reports: {paths.results_csv}, {paths.results_xlsx}, {paths.summary_json}{html}")
    if paths.retry_dir is not None:
        console.print(retry_line(summary, paths.retry_dir))


def retry_line(summary: Mapping[str, Any], retry_dir: Path) -> str:
    """What the rows left over need: rows a stopped run never reached need nothing corrected, only the same
    command again (issue 18); the others need a look in ``retry/``."""
    left, unreached = int(summary.get("retry_rows", 0)), int(summary.get("not_reached", 0))
    parts = [f"{unreached} rows not reached: run the same command"] if unreached else []
    if left - unreached > 0:
        parts.append(f"{left - unreached} rows to correct and run again in {retry_dir}")
    return "Retry: " + "; ".join(parts or [f"{left} rows in {retry_dir}"])


def _status_counts(counts: Counter[str]) -> dict[str, int]:
    """Every status (zeros too, so readers need no defaults), any unexpected status after, and rows."""
    out: dict[str, int] = {str(status): counts.get(status, 0) for status in STATUSES}
    out |= {status: n for status, n in sorted(counts.items()) if status not in out}
    out["rows"] = sum(counts.values())
    return out
