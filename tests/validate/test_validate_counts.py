"""Past ``MAX_LISTED_PER_RULE`` problems of one rule the listing is capped, but every count stays true.

A partner with 10,300 bad phone numbers must read 10,300 in the printed summary, in the library's counts and in
``summary.json``; validation.csv lists the first 10,000 and one line that says how many more there are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from batch.load.inputs import load_inputs
from batch.validate.rules import MAX_LISTED_PER_RULE
from batch.validate.validator import validate
from bench.generate import make_batch, write_csv_folder
from tests.test_cli_validate import rtm_batch  # the CLI in a subprocess, as a partner runs it

USERS = MAX_LISTED_PER_RULE + 300
RULE = "users.phone_number.invalid"


@pytest.fixture(scope="module")
def bad_numbers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid batch whose every user has the same too-short number (one mistake repeated)."""
    batch = make_batch(customers=USERS // 5, locations=0, users=USERS)
    batch["users"] = batch["users"].with_columns(pl.lit("+358 12").alias("phone_number"))
    folder = tmp_path_factory.mktemp("bad-numbers") / "input"
    write_csv_folder(batch, folder)
    return folder


def test_library_counts_every_problem_and_lists_the_cap(bad_numbers: Path) -> None:
    result = validate(load_inputs([bad_numbers]))
    assert (result.error_count, result.warning_count, result.not_listed) == (USERS, 0, USERS - MAX_LISTED_PER_RULE)
    [count] = [c for c in result.counts if c.rule == RULE]
    assert (count.sheet, count.severity, count.found, count.listed) == ("users", "error", USERS, MAX_LISTED_PER_RULE)
    listed = [p for p in result.problems if p.rule == RULE]
    assert len([p for p in listed if p.row is not None]) == MAX_LISTED_PER_RULE
    [more] = [p for p in listed if p.row is None]
    assert f"{USERS - MAX_LISTED_PER_RULE} more rows" in more.message
    assert f"{USERS} rows in all; only the first {MAX_LISTED_PER_RULE} are" in more.message


def test_printed_summary_counts_every_problem(bad_numbers: Path, tmp_path: Path) -> None:
    result = rtm_batch("validate", bad_numbers, "--out", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    users = next(line for line in result.stdout.splitlines() if line.strip().startswith("users"))
    cells = [cell for cell in users.replace("│", " ").split()]
    assert cells == ["users", str(USERS), str(USERS), str(USERS), "0"]  # rows, invalid, errors, warnings
    assert f"{USERS} errors, 0 warnings" in result.stdout
    assert f"{USERS - MAX_LISTED_PER_RULE} of them are counted but not listed" in result.stdout
    with (tmp_path / "validation.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["rule"] == RULE]
    assert len(rows) == MAX_LISTED_PER_RULE + 1


def test_summary_json_counts_every_problem(bad_numbers: Path, tmp_path: Path) -> None:
    result = rtm_batch("plan", bad_numbers, "--out", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["validation"] == {"errors": USERS, "warnings": 0, "not_listed": USERS - MAX_LISTED_PER_RULE}
    assert summary["sheets"]["users"]["invalid"] == USERS
    assert f"Validation: {USERS} errors, 0 warnings" in result.stdout
    with (tmp_path / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        last = [r for r in csv.DictReader(handle) if r["sheet"] == "users"][-1]
    assert last["status"] == "invalid"
    assert "does not list" in last["message"] and "see validation.csv" not in last["message"]
