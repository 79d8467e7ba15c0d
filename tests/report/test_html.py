"""report.html from what a run wrote: the failures by reason with their tracking ids, pending rows with their
age, changes, charts; a hostile cell stays text; nothing is loaded or run; ``report OUT --html`` writes the
same page again with the job's trend from the history."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from batch.cli import main
from batch.history.records import RunRecord
from batch.history.store import History
from batch.report.page.details import read_details
from batch.report.page.html import render_page, write_report_page
from batch.report.page.svg import Bar, status_bars

STARTED = datetime(2026, 12, 3, 0, 30, tzinfo=UTC)
SUMMARY = {
    "command": "run",
    "run_id": "run-0042",
    "started": STARTED.isoformat(),
    "finished": (STARTED + timedelta(minutes=4)).isoformat(),
    "wall_seconds": 240.0,
    "exit_code": 1,
    "rows": 6,
    "sheets": {"customers": {"created": 1, "failed": 1, "rows": 2}, "users": {"exists": 2, "updated": 1, "pending": 1}},
    "totals": {"created": 1, "failed": 1, "exists": 2, "updated": 1, "pending": 1, "rows": 6},
    "api": {"requests": 120, "retries": 2, "throttled": 3, "achieved_rate": 0.5, "settled_rate": 9.5},
    "inputs": ["/srv/in/tonight.xlsx"],
    "base_url": "https://webexapis.com/v1",
    "out_dir": "/srv/out/2026-12-03",
    "host": "nightly-01",
    "customers": {"FI-1": {"created": 3}, "<img src=x onerror=alert(1)>": {"failed": 1, "pending": 1}},
    "customer_names": {"FI-1": "Mäkelän Konepaja Oy"},
    "timeline": {"interval_seconds": 1.0, "points": [[1, 5.0, 0, 10.0], [2, 12.0, 3, 10.0], [3, 9.0, 0, 7.5]]},
}
HEADER = ["sheet", "row", "key", "status", "message", "reason", "http_status", "changes", "tracking_id"]
HEADER += ["pending_since"]
ROWS = [
    ["customers", "2", "FI-1", "created", "customer created", "", "", "", "", ""],
    [
        "customers",
        "3",
        "<script>alert(1)</script>",
        "failed",
        "provisioning: error",
        "customer.provisioning_error",
        "400",
        "",
        "ROUTER_abc",
        "",
    ],
    ["users", "2", "a@b.fi", "exists", "subscriber exists", "", "", "", "", ""],
    ["users", "3", "c@b.fi", "updated", "subscriber", "", "", "package: webex_meetings → webex_calling", "", ""],
    [
        "users",
        "4",
        "d@b.fi",
        "pending",
        "waiting for the user's consent",
        "subscriber.pending_user_migration",
        "202",
        "",
        "",
        (STARTED + timedelta(minutes=4) - timedelta(hours=3, minutes=10)).isoformat(),
    ],
    ["users", "5", "e@b.fi", "exists", "subscriber exists", "", "", "", "", ""],
]


def write_out(folder: Path, header: list[str] = HEADER, rows: list[list[str]] = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(SUMMARY))
    with (folder / "results.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([r[: len(header)] for r in rows])
    return folder


def test_the_page_shows_failures_pending_changes_and_charts(tmp_path: Path) -> None:
    page = write_report_page(write_out(tmp_path), SUMMARY).read_text()
    assert "1 of 6 rows need a look (see retry/)" in page and "run-0042" in page and "/srv/in/tonight.xlsx" in page
    assert "customer.provisioning_error" in page and "ROUTER_abc" in page and '<td class="n">400</td>' in page
    assert "3 h 10 min" in page and "waiting for the user&#39;s consent" in page
    assert "package: webex_meetings → webex_calling" in page and "Mäkelän Konepaja Oy" in page
    assert page.count("<svg") == 3  # sheets, customers, rate (no trend: the job's first run)


def test_nothing_on_the_page_runs_or_loads(tmp_path: Path) -> None:
    page = write_report_page(write_out(tmp_path), SUMMARY).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page
    tags = Tags()
    tags.feed(page)
    assert not tags.found & {"script", "img", "link", "iframe", "object", "embed", "a", "form"}
    assert not {a for a in tags.attributes if a in ("src", "href", "srcset", "action") or a.startswith("on")}
    assert "@import" not in page and "url(" not in page


class Tags(HTMLParser):
    """Every tag and attribute name on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.add(tag)
        self.attributes |= {name for name, _ in attrs}


def test_old_results_without_reason_codes_fall_back_to_the_status(tmp_path: Path) -> None:
    details = read_details(write_out(tmp_path, HEADER[:5]), SUMMARY)
    assert [(r.reason, r.status, r.rows) for r in details.reasons] == [("failed", "failed", 1)]
    assert details.failures.rows[0].key == "<script>alert(1)</script>" and details.pending.rows[0].age == ""


def test_long_lists_are_capped_and_counted(tmp_path: Path) -> None:
    many = [["users", str(i), f"u{i}@b.fi", "failed", "no", "x.y", "", "", "", ""] for i in range(2, 260)]
    details = read_details(write_out(tmp_path, rows=many), SUMMARY, limit=200)
    assert (len(details.failures.rows), details.failures.more) == (200, 58)
    assert "… and 58 more failed rows in results.csv" in render_page(SUMMARY, details)


def test_report_html_writes_the_page_again_with_the_trend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = write_out(tmp_path / "out")
    history = History(tmp_path / "h.sqlite")
    for day, code in ((3, 0), (2, 1), (1, 0)):
        started = datetime.now(UTC) - timedelta(days=day)
        history.record(RunRecord(f"old{day}", "job", "run", started, started, code, 5, {"exists": 5 - code}))
    now = datetime.now(UTC)
    history.record(RunRecord("run-0042", "job", "run", now, now, 1, 6, {"created": 1, "failed": 1}))
    with pytest.raises(SystemExit) as done:
        main(["report", str(out), "--html", "--history", str(tmp_path / "h.sqlite")])
    assert done.value.code == 1  # the run's own exit code, as `report` always gives
    page = (out / "report.html").read_text()
    assert 'aria-label="The last runs of this job"' in page and page.count("exit 0") >= 2
    assert "Written:" in capsys.readouterr().err


def test_bars_escape_their_labels_and_scale() -> None:
    svg = str(status_bars([Bar("<b>&", {"created": 2, "failed": 1})], title="t"))
    assert "&lt;b&gt;&amp;" in svg and 'viewBox="0 0 720 34"' in svg and "<b>" not in svg
