"""A validated batch made compact for the rest of a run (``batch.validate.compact``): the same values, fewer bytes."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from batch.load.inputs import load_inputs
from batch.validate.compact import compacted
from batch.validate.validator import validate
from tests.builders import input_sheets, write_csv_folder


def _users(tmp_path: Path, *emails: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    users = [{"customer_external_id": "FI-1", "email": email} for email in emails]
    loaded = load_inputs([write_csv_folder(tmp_path / "in", input_sheets(users=users))])
    before = validate(loaded).sheets["users"]
    return before, compacted(loaded, validate(loaded))[1].sheets["users"]


def test_emails_given_in_lower_case_are_their_normalized_column(tmp_path: Path) -> None:
    before, after = _users(tmp_path, "a@example.fi", "b.c@example.fi")
    assert after["email_normalized"].to_list() == ["a@example.fi", "b.c@example.fi"]
    assert after["email_normalized"].equals(before["email_normalized"])
    assert after.columns == before.columns and after.schema["email_normalized"] == pl.String


def test_one_email_in_another_case_keeps_every_row_normalized(tmp_path: Path) -> None:
    """Never the input's spelling where normalizing changed a value: the plan's keys and uniqueness read it."""
    before, after = _users(tmp_path, "a@example.fi", "Matti.Meikalainen@Example.FI")
    assert after["email_normalized"].to_list() == ["a@example.fi", "matti.meikalainen@example.fi"]
    assert after["email"].to_list() == ["a@example.fi", "Matti.Meikalainen@Example.FI"]
    assert after["email_normalized"].equals(before["email_normalized"])
