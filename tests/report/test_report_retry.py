"""retry/: the rows that did not succeed, in the partner's layout, loadable and validating as before."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from batch.jobs import CREATED, EXISTS, FAILED, INVALID, PLANNED, SKIPPED, RowResult
from batch.load.inputs import ROW, SOURCE, LoadedBatch, load_inputs
from batch.report.aligned import row_keys
from batch.report.summary import build_summary
from batch.report.writer import write_reports
from batch.validate.validator import validate
from tests.builders import input_sheets, sheet_rows, write_csv_folder

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def samples() -> LoadedBatch:
    return load_inputs([SAMPLES / "onboarding.xlsx"])


def results_where(loaded: LoadedBatch, status: Callable[[str, dict], str]) -> list[RowResult]:
    """One result per row; ``status(sheet, row)`` sees the row's cells by column name."""
    out = []
    for name, sheet in loaded.sheets.items():
        for record, key in zip(sheet.frame.iter_rows(named=True), row_keys(sheet), strict=True):
            out.append(RowResult(name, record[ROW], key, status(name, record)))
    return out


def write(tmp_path: Path, loaded: LoadedBatch, results: list[RowResult]) -> Path | None:
    summary = build_summary(results, api={}, wall_seconds=1.0, started=STARTED, command="run")
    return write_reports(tmp_path / "out", loaded, results, summary).retry_dir


def rows_of(loaded: LoadedBatch, sheet: str) -> pl.DataFrame:
    return loaded.sheets[sheet].frame.drop(ROW, SOURCE)


def test_retried_rows_bring_the_rows_they_need_to_validate(samples: LoadedBatch, tmp_path: Path) -> None:
    """FI-100101's users failed or were skipped; its customer and locations were created. The retry holds
    those users plus their customer (country of national numbers), its template, and the locations they
    name; nothing of the other customers."""
    customers = samples.sheets["customers"].frame
    template = customers.filter(pl.col("external_id") == "FI-100101")["template"].item()
    results = results_where(
        samples,
        lambda sheet, row: (
            (FAILED if row["email"].startswith("a") else SKIPPED)
            if sheet == "users" and row["customer_external_id"] == "FI-100101"
            else CREATED
        ),
    )
    retry = write(tmp_path, samples, results)
    assert sorted(p.name for p in retry.iterdir()) == ["retry.xlsx"]  # a workbook in, a workbook out
    again = load_inputs([retry / "retry.xlsx"])
    users = rows_of(samples, "users").filter(pl.col("customer_external_id") == "FI-100101")
    assert_frame_equal(rows_of(again, "users"), users)
    assert again.sheets["users"].headers == samples.sheets["users"].headers
    assert again.sheets["customers"].frame["external_id"].to_list() == ["FI-100101"]
    assert again.sheets["templates"].frame["template"].to_list() == [template]
    hq = customers["hq_location_name"][0].casefold()
    named = sorted({name.casefold() for name in users["location_name"].drop_nulls()} - {hq})
    assert named, "the sample's FI-100101 users use further locations"
    assert sorted(name.casefold() for name in again.sheets["locations"].frame["location_name"]) == named
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["retry_rows"] == users.height  # context rows are not counted as rows to retry


def _safe_batch(samples: LoadedBatch, folder: Path) -> LoadedBatch:
    """FI-100101 and FI-100102 from the samples with single numbers (cells the formula guard leaves alone)."""
    keep = pl.col("external_id").is_in(["FI-100101", "FI-100102"])
    customers = samples.sheets["customers"].frame.filter(keep).with_columns(numbers=pl.col("main_number"))
    ours = pl.col("customer_external_id").is_in(customers["external_id"].implode())
    locations = samples.sheets["locations"].frame.filter(ours)
    locations = locations.with_columns(numbers=pl.col("main_number").fill_null("+358 2 4693 4000"))
    locations = locations.with_columns(main_number=pl.col("numbers"))
    frames = {
        "templates": samples.sheets["templates"].frame,
        "customers": customers,
        "locations": locations,
        "users": samples.sheets["users"].frame.filter(ours),
    }
    sheets = {name: sheet_rows(name, frame.drop(ROW, SOURCE).to_dicts()) for name, frame in frames.items()}
    return load_inputs([write_csv_folder(folder, sheets, separator=";", bom=True)])


def test_retry_validates_to_the_same_rows(samples: LoadedBatch, tmp_path: Path) -> None:
    loaded = _safe_batch(samples, tmp_path / "in")
    before = validate(loaded)
    assert before.error_count == 0
    failed_location = loaded.sheets["locations"].frame["location_name"][0]

    def status(sheet: str, row: dict) -> str:
        if sheet == "locations" and row["location_name"] == failed_location:
            return FAILED
        if sheet == "users" and row["location_name"] == failed_location:
            return SKIPPED
        if sheet == "users" and row["customer_external_id"] == "FI-100102" and row["extension"]:
            return FAILED
        return CREATED

    results = results_where(loaded, status)
    retried = {(r.sheet, r.key) for r in results if r.status in (FAILED, SKIPPED)}
    assert {sheet for sheet, _ in retried} == {"locations", "users"}
    again = load_inputs([write(tmp_path, loaded, results)])
    after = validate(again)
    assert after.error_count == 0
    for name in ("locations", "users"):
        old = before.sheets[name].with_columns(key=pl.Series(row_keys(loaded.sheets[name]))).drop(ROW, SOURCE)
        new = after.sheets[name].with_columns(key=pl.Series(row_keys(again.sheets[name]))).drop(ROW, SOURCE)
        keys = pl.Series([key for sheet, key in retried if sheet == name]).implode()
        # every retried row comes back with the same cells, the same normalized values, valid as before
        assert_frame_equal(new.filter(pl.col("key").is_in(keys)), old.filter(pl.col("key").is_in(keys)))


def test_retry_of_the_samples_round_trips_exactly_and_validates(samples: LoadedBatch, tmp_path: Path) -> None:
    results = results_where(samples, lambda sheet, row: FAILED)
    again = load_inputs([write(tmp_path, samples, results)])
    for sheet in samples.sheets:
        assert_frame_equal(rows_of(again, sheet), rows_of(samples, sheet))
    assert validate(again).error_count == 0


def test_retry_keeps_the_partners_header_spelling_and_column_order(tmp_path: Path) -> None:
    headers = ["E-mail", "Customer External ID", "Surname", "First Name", "Package", "Phone", "Notes"]
    values = ["a@example.fi", "FI-1", "Mäkelä", "Aino", "webex_calling", "+358 40 123 4567", "x"]
    record = dict(zip(headers, values, strict=True))
    sheets = input_sheets() | {"users": sheet_rows("users", [record, {**record, "E-mail": "b@example.fi"}], headers)}
    loaded = load_inputs([write_csv_folder(tmp_path / "in", sheets, separator=";", bom=True)])
    results = [RowResult("users", 2, "a@example.fi", CREATED), RowResult("users", 3, "b@example.fi", INVALID)]
    retry = write(tmp_path, loaded, results)
    text = (retry / "users.csv").read_text(encoding="utf-8-sig").splitlines()
    # the input's ; and BOM; unknown "Notes" not kept; what to fix in a last column the loader ignores
    assert text[0] == "E-mail;Customer External ID;Surname;First Name;Package;Phone;problem"
    assert text[1:] == ["b@example.fi;FI-1;Mäkelä;Aino;webex_calling;+358 40 123 4567;invalid"]
    assert (retry / "users.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_inputs([retry]).problems == ()  # the problem column is not an unknown column


def test_retry_cells_are_neutralized(tmp_path: Path) -> None:
    injection = '=HYPERLINK("http://evil.example","x")'
    user = {"customer_external_id": "FI-1", "email": "a@example.fi", "first_name": injection}
    loaded = load_inputs([write_csv_folder(tmp_path / "in", input_sheets(users=[user]))])
    retry = write(tmp_path, loaded, [RowResult("users", 2, "a@example.fi", INVALID)])
    record = next(csv.DictReader(io.StringIO((retry / "users.csv").read_text(encoding="utf-8-sig"))))
    assert record["first_name"] == "'" + injection


def test_cells_of_the_columns_kept_as_categoricals_are_neutralized_too(tmp_path: Path) -> None:
    """``batch.validate.compact`` makes a users sheet's repeating columns categoricals for the run: their cells
    are text all the same, neutralized in ``retry/``, ``results.csv`` and ``results.xlsx`` (a check on ``String``
    alone would let a formula in a location name through, and write it into the workbook as a number cell)."""
    from openpyxl import load_workbook

    from batch.validate.compact import compacted

    injection = '=HYPERLINK("http://evil.example","x")'
    user = {"customer_external_id": "FI-1", "email": "a@example.fi", "location_name": injection}
    loaded = load_inputs([write_csv_folder(tmp_path / "in", input_sheets(users=[user]))])
    loaded, _ = compacted(loaded, validate(loaded))
    assert isinstance(loaded.sheets["users"].frame.schema["location_name"], pl.Categorical)
    retry = write(tmp_path, loaded, [RowResult("users", 2, "a@example.fi", INVALID)])
    record = next(csv.DictReader(io.StringIO((retry / "users.csv").read_text(encoding="utf-8-sig"))))
    assert record["location_name"] == "'" + injection
    users = load_workbook(tmp_path / "out" / "results.xlsx", read_only=True)["users"]
    header, row = list(users.iter_rows(max_row=2, values_only=True))
    assert row[header.index("location_name")] == "'" + injection


def test_nothing_to_retry_writes_no_folder_and_clears_an_old_one(samples: LoadedBatch, tmp_path: Path) -> None:
    stale = tmp_path / "out" / "retry"
    stale.mkdir(parents=True)
    for name in ("customers.csv", "templates.csv"):
        (stale / name).write_text("old\n", encoding="utf-8")
    results = results_where(samples, lambda sheet, row: (CREATED, EXISTS, PLANNED)[len(row["_source"]) % 3])
    assert write(tmp_path, samples, results) is None
    assert not stale.exists()


def test_an_old_retry_file_this_run_does_not_need_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / "out" / "retry"
    stale.mkdir(parents=True)
    (stale / "templates.csv").write_text("template,provisioning_id\nold,x\n", encoding="utf-8")
    (stale / "notes.txt").write_text("mine\n", encoding="utf-8")
    user = {"customer_external_id": "FI-1", "email": "a@example.fi"}
    loaded = load_inputs([write_csv_folder(tmp_path / "in", input_sheets(users=[user]))])
    retry = write(tmp_path, loaded, [RowResult("users", 2, "a@example.fi", FAILED)])
    assert sorted(p.name for p in retry.iterdir()) == ["customers.csv", "locations.csv", "notes.txt", "users.csv"]


def test_invalid_rows_of_the_invalid_sample_load_back(tmp_path: Path) -> None:
    loaded = load_inputs([SAMPLES / "invalid" / "invalid.xlsx"])
    validated = validate(loaded)
    results = []
    for name, frame in validated.sheets.items():
        keys = row_keys(loaded.sheets[name])
        for row, valid, key in zip(frame[ROW], frame["_valid"], keys, strict=True):
            results.append(RowResult(name, row, key, CREATED if valid else INVALID))
    again = load_inputs([write(tmp_path, loaded, results)])
    for name, frame in validated.sheets.items():
        invalid = int((~frame["_valid"]).sum())
        assert again.sheets[name].frame.height >= invalid, name
    assert validate(again).error_count > 0
