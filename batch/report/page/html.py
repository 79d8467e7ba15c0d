"""``report.html``: one self-contained page about a run, for a person on a laptop, a phone or paper.

Built from what the run wrote (summary.json and results.csv) plus the job's earlier runs from the history,
so the page the run writes and ``rtm-batch report OUT --html`` are the same page. jinja2 with autoescape
renders it (a partner's workbook is untrusted text); the charts are inline SVG from ``svg``.
No script, no stylesheet or font from elsewhere: jump hosts are offline and a mail gateway may strip it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from batch import __version__
from batch.errors import UsageError
from batch.history.records import RunRecord, parse_time, record_from_summary
from batch.history.store import History, default_path
from batch.report.page.details import RunDetails, duration, read_details
from batch.report.page.svg import COLOURS, Bar, colour, rate_chart, status_bars, trend_chart

PAGE = "report.html"
#: Earlier runs shown in the trend (with this one).
TREND_RUNS = 14

_ENV = Environment(
    loader=PackageLoader("batch.report.page", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["duration"] = duration
_ENV.globals["colour"] = colour


def write_report_page(out_dir: Path, summary: Mapping[str, Any], past_runs: Sequence[RunRecord] = ()) -> Path:
    """Render the page for the run in ``out_dir`` and write it whole or not at all (temporary name, rename)."""
    html = render_page(summary, read_details(out_dir, summary), past_runs)
    path = out_dir / PAGE
    temporary = path.with_name(f".{PAGE}.{os.getpid()}.tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(path)
    return path


def rewrite_report_page(out_dir: Path, summary: Mapping[str, Any], history: Path | None = None) -> Path:
    """``rtm-batch report OUT --html``: the page again, with the runs the history holds before this one."""
    try:
        past = History(history or default_path()).earlier_runs(str(summary.get("run_id") or ""), TREND_RUNS - 1)
    except UsageError:
        past = []  # the page without its trend beats no page
    return write_report_page(out_dir, summary, past)


def render_page(summary: Mapping[str, Any], details: RunDetails, past_runs: Sequence[RunRecord] = ()) -> str:
    """The page as text (tests render it without a folder)."""
    return _ENV.get_template("report.html.j2").render(page=page_data(summary, details, past_runs))


def page_data(summary: Mapping[str, Any], details: RunDetails, past_runs: Sequence[RunRecord]) -> dict[str, Any]:
    """Everything the template shows, computed here so the template only lays it out."""
    sheets = summary.get("sheets") or {}
    customers = summary.get("customers") or {}
    api = summary.get("api") or {}
    timeline = (summary.get("timeline") or {}).get("points") or []
    totals = _counts(summary.get("totals") or {})
    return {
        "summary": summary,
        "version": __version__,
        "headline": headline(summary),
        "exit_code": int(summary.get("exit_code", 0)),
        "started": _local(summary.get("started")),
        "finished": _local(summary.get("finished")),
        "api": api,
        "totals": totals,
        "statuses": [s for s in (*COLOURS, *sorted(set(totals) - set(COLOURS))) if totals.get(s)],
        "sheets": {name: _counts(c) for name, c in sheets.items()},
        "sheet_chart": status_bars(
            [Bar(name, _counts(c)) for name, c in sheets.items()], title="Rows per sheet by status"
        ),
        "customers": {name: _counts(c) for name, c in customers.items()},
        "customer_names": summary.get("customer_names") or {},
        "customers_not_listed": int(summary.get("customers_not_listed") or 0),
        "customer_chart": status_bars(
            [Bar(name, _counts(c)) for name, c in customers.items()], title="Rows per customer by status"
        )
        if customers
        else None,
        "details": details,
        "rate_chart": rate_chart(timeline, title="Requests per second over the run, and 429 answers")
        if len(timeline) > 1
        else None,
        "trend": _trend(summary, past_runs),
    }


def headline(summary: Mapping[str, Any]) -> str:
    """One line saying how the run ended, in the words of the exit code (contract §4)."""
    code = int(summary.get("exit_code", 0))
    totals = summary.get("totals") or {}
    if code == 3:
        return f"Stopped early ({summary.get('stopped') or 'interrupted'}): run the same command to resume"
    if code == 0:
        return f"All {int(summary.get('rows', 0)):,} rows done"
    trouble = sum(int(totals.get(s, 0)) for s in ("failed", "skipped", "invalid"))
    if summary.get("command") == "undo":  # no retry/: what undo left is on the server, each line says why
        return f"{trouble:,} of {int(summary.get('rows', 0)):,} lines left and named (results.csv says why each)"
    return f"{trouble:,} of {int(summary.get('rows', 0)):,} rows need a look (see retry/)"


def _counts(counts: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k != "rows" and v}


def _local(value: object) -> str:
    """A summary's ISO time in the reader's terms: ``2026-12-03 02:30:05 UTC+02:00``."""
    if not value:
        return ""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + (moment.tzname() or "")


def _trend(summary: Mapping[str, Any], past_runs: Sequence[RunRecord]) -> dict[str, Any] | None:
    """The job's last runs with this one: the chart oldest first, the table newest first; None when this is
    the job's first run."""
    this_id = summary.get("run_id")
    past = [r for r in past_runs if r.run_id != this_id][: TREND_RUNS - 1]
    if not past:
        return None
    newest_first = [record_from_summary(summary, label=""), *past]
    bars = [(_short(r.started), dict(r.totals), r.exit_code) for r in reversed(newest_first)]
    return {"chart": trend_chart(bars, title="The last runs of this job"), "runs": newest_first}


def _short(moment: datetime) -> str:
    return moment.astimezone().strftime("%m-%d %H:%M")
