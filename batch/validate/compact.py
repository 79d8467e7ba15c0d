"""A validated batch's repeating text columns kept as categoricals, for the rest of a run (issue 22 item 2).

Why: polars keeps a text cell as a 16-byte view, plus its text when longer than 12 bytes, even when the cell is
empty. A users sheet repeats its customer's id, its location, its package and its input on every row: at 100,000
users those columns were ~16 MiB of the run's memory, for a few thousand distinct values. As a categorical, a cell
is a 4-byte code into one copy of each value. Validation works on the text first; the plan and the reports only
read these columns' values, and a categorical gives them the same ``str``. The loaded sheet takes the same columns,
so the two frames share them instead of each holding its own.

A normalized column equal to the column it was made from (``email_normalized`` of a batch whose emails are all in
lower case already, as most systems export them) is that column itself: one Series, where polars held each text
twice (~3 MiB at 100,000 users).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from batch.load.inputs import LoadedBatch
from batch.validate.validator import ValidatedBatch

#: Per sheet, its columns whose values repeat across rows (the small sheets are left as they are).
REPEATING = {
    "users": (
        "customer_external_id",
        "package",
        "location_name",
        "roles",
        "_source",
        "location_resolved",
        "package_resolved",
    ),
}
#: Per sheet, (normalized column, the column it was made from): one Series for both when every value is the same.
SAME_AS = {"users": (("email_normalized", "email"),)}


def compacted(loaded: LoadedBatch, validated: ValidatedBatch) -> tuple[LoadedBatch, ValidatedBatch]:
    """``loaded`` and ``validated`` with each ``REPEATING`` column a categorical, one Series shared by both."""
    sheets, frames = dict(loaded.sheets), dict(validated.sheets)
    for name, columns in REPEATING.items():
        frame = frames[name]
        present = [c for c in columns if c in frame.columns and frame.schema[c] == pl.String]
        frame = frames[name] = _one_when_same(frame.with_columns(pl.col(present).cast(pl.Categorical)), name)
        sheet = sheets[name]
        shared = [frame.get_column(c) for c in present if c in sheet.frame.columns]
        sheets[name] = replace(sheet, frame=sheet.frame.with_columns(shared))
    return replace(loaded, sheets=sheets), replace(validated, sheets=frames)


def _one_when_same(frame: pl.DataFrame, sheet: str) -> pl.DataFrame:
    """Each ``SAME_AS`` column that holds the very values of the column it was made from, as that column."""
    for column, given in SAME_AS.get(sheet, ()):
        if column in frame.columns and given in frame.columns:
            values = frame.get_column(given)
            if frame.schema[column] == values.dtype and frame.get_column(column).equals(values, check_names=False):
                frame = frame.with_columns(values.alias(column))
    return frame
