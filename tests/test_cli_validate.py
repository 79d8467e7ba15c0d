"""``rtm-batch validate`` end to end, as a partner runs it: real files, a subprocess, exit codes, reports."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from batch.load.inputs import load_inputs
from batch.validate.validator import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "onboarding.xlsx"
SAMPLE_CSV = ROOT / "samples" / "csv"
INVALID = ROOT / "samples" / "invalid" / "invalid.xlsx"


def rtm_batch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "batch", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "CI": "1", "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )


def read_report(out: Path) -> list[dict[str, str]]:
    with (out / "validation.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_samples_are_valid_exit_0(tmp_path: Path) -> None:
    result = rtm_batch("validate", SAMPLE, "--out", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
    assert [r for r in read_report(tmp_path) if r["severity"] == "error"] == []
    assert (tmp_path / "validation.xlsx").stat().st_size > 0


def test_invalid_samples_exit_1_and_report_equals_library(tmp_path: Path) -> None:
    result = rtm_batch("validate", INVALID, "--out", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    reported = [(r["sheet"], int(r["row"]), r["column"], r["rule"], r["severity"]) for r in read_report(tmp_path)]
    library = [(p.sheet, p.row, p.column, p.rule, p.severity) for p in validate(load_inputs([INVALID])).problems]
    assert reported == library
    assert any(severity == "error" for *_, severity in reported)


def _workbook_to_csv_folder(workbook: Path, folder: Path) -> Path:
    """The same rows as a partner's CSV export: UTF-8 with BOM, ``;`` separated."""
    folder.mkdir()
    book = openpyxl.load_workbook(workbook, read_only=True)
    for name in ("templates", "customers", "locations", "users"):
        if name not in book.sheetnames:
            continue
        with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            for row in book[name].iter_rows(values_only=True):
                writer.writerow(["" if v is None else _excel_text(str(v)) for v in row])
    return folder


def _excel_text(text: str) -> str:
    """What Excel shows (and saves to CSV) for a cell openpyxl returns with OOXML escapes (``_x001B_``)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


@pytest.mark.parametrize("workbook", [SAMPLE, INVALID], ids=["samples", "invalid"])
def test_xlsx_and_csv_give_identical_results(tmp_path: Path, workbook: Path) -> None:
    folder = _workbook_to_csv_folder(workbook, tmp_path / "csv")
    from_xlsx = validate(load_inputs([workbook]))
    from_csv = validate(load_inputs([folder]))
    assert [p.as_row() for p in from_csv.problems] == [p.as_row() for p in from_xlsx.problems]  # source differs
    for name, frame in from_xlsx.sheets.items():
        assert from_csv.sheets[name].drop("_source").equals(frame.drop("_source")), name


def test_checked_in_csv_samples_match_the_workbook() -> None:
    from_xlsx = validate(load_inputs([SAMPLE]))
    from_csv = validate(load_inputs([SAMPLE_CSV]))
    assert [p.as_row() for p in from_csv.problems] == [p.as_row() for p in from_xlsx.problems]
    for name, frame in from_xlsx.sheets.items():
        assert from_csv.sheets[name].drop("_source").equals(frame.drop("_source")), name


@pytest.mark.parametrize(
    ("make_input", "expected"),
    [
        (lambda d: d / "missing.xlsx", "missing.xlsx"),
        (lambda d: _write(d / "notes.xlsx", b"just some text, not a workbook"), "notes.xlsx"),
        (lambda d: _write(d / "old.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512), "old.xlsx"),
        (lambda d: _cp1252_folder(d / "csv"), "UTF-8"),
    ],
    ids=["missing", "not-a-workbook", "encrypted", "cp1252-csv"],
)
def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path, make_input, expected: str) -> None:
    target = make_input(tmp_path)
    result = rtm_batch("validate", target, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _cp1252_folder(folder: Path) -> Path:
    """A folder as plain Excel "CSV" saves it on a Finnish Windows: cp1252, not UTF-8."""
    _write(folder / "customers.csv", b"external_id;company_name\n")
    _write(folder / "locations.csv", b"customer_external_id;location_name\n")
    _write(folder / "users.csv", "customer_external_id;email;first_name\nFI-1;aino@x.fi;Mäkelä\n".encode("cp1252"))
    return folder
