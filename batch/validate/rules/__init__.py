"""Validation rules, one module per idea; each returns problem *frames* so nothing loops over rows in Python.

A problem frame has ``PROBLEM_FRAME_SCHEMA``: the ``Problem`` fields plus ``pos`` (the row's position in its
sheet frame, because ``_row`` repeats when several inputs are merged) and ``example``: the kind of example
(a column name, or ``country_named``) that ``batch.validate.localize`` appends to the message as `` (e.g. …)``,
taken from the row's own country; null for a message that shows none. Only failing rows ever become
``Problem`` objects, in ``batch.validate.validator``.

Internal helper columns carry a ``__`` prefix and are dropped before the frames leave the validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

POS = "__pos"
#: Problems of one rule that get their value and message; the rest only count (``batch.validate.validator``
#: lists one line for them), so a million rows of junk cost positions, not millions of messages.
MAX_LISTED_PER_RULE = 10_000

#: ``sheet``, ``column``, ``severity`` and ``rule`` repeat a handful of values over (possibly) millions of rows:
#: categoricals store 4 bytes a row instead of a string each.
PROBLEM_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.Categorical(),
    "pos": pl.Int64(),
    "row": pl.Int64(),
    "column": pl.Categorical(),
    "value": pl.String(),
    "severity": pl.Categorical(),
    "rule": pl.Categorical(),
    "message": pl.String(),
    "example": pl.Categorical(),
}


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_FRAME_SCHEMA)


def emit(
    frame: pl.DataFrame,
    mask: pl.Expr,
    *,
    sheet: str,
    column: str,
    rule: str,
    message: str | pl.Expr,
    value: pl.Expr | None = None,
    severity: str = "error",
    example: str | None = None,
) -> pl.DataFrame:
    """The rows of ``frame`` where ``mask`` is true as problems; a null mask counts as "no problem". ``example``:
    the kind of example the message ends with, from the row's country (see ``PROBLEM_FRAME_SCHEMA``)."""
    value_expr = pl.col(column) if value is None else value
    message_expr = pl.lit(message) if isinstance(message, str) else message
    listed = pl.int_range(pl.len()) < MAX_LISTED_PER_RULE
    value_expr, message_expr = pl.when(listed).then(value_expr), pl.when(listed).then(message_expr)
    # lazy: the filter copies only the columns the problem rows read, not every column of the sheet
    return (
        frame.lazy()
        .filter(mask)
        .select(
            pl.lit(sheet).alias("sheet"),
            pl.col(POS).cast(pl.Int64).alias("pos"),
            pl.col("_row").cast(pl.Int64).alias("row"),
            pl.lit(column).alias("column"),
            value_expr.cast(pl.String).alias("value"),
            pl.lit(severity).alias("severity"),
            pl.lit(rule).alias("rule"),
            message_expr.cast(pl.String).alias("message"),
            pl.lit(example, pl.String).alias("example"),
        )
        .collect()
    )


def concat_problems(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    frames = [
        (f if "example" in f.columns else f.with_columns(pl.lit(None, pl.String).alias("example")))
        .select(list(PROBLEM_FRAME_SCHEMA))
        .cast(PROBLEM_FRAME_SCHEMA)  # type: ignore[arg-type]
        for f in frames
    ]
    return pl.concat(frames, how="vertical") if frames else empty_problems()


def hash_repeats(frame: pl.DataFrame, key: pl.Expr) -> pl.Series:
    """True on the rows whose 64-bit hash of ``key`` another row shares: the (few) candidates of a duplicate check,
    3× faster to find than by comparing text (a hash collision only adds a candidate). Repeats are found by sorting
    the hashes: ``is_duplicated`` kept a hash table of ~70 MiB for a million rows, at twice the time."""
    hashes = frame.select(key.hash()).to_series()
    ordered = hashes.sort()
    twice = ordered.filter(ordered == ordered.shift(1)).unique()
    return hashes.is_in(twice.implode())


def first_rows(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The first row for each key (nulls excluded): the one that is processed when keys collide."""
    return frame.drop_nulls(keys).unique(subset=keys, keep="first", maintain_order=True)


def later_duplicate(keys: list[str]) -> pl.Expr:
    """True on the second and later rows of a key (rows with a null key part never collide)."""
    not_null = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    return not_null & (pl.int_range(pl.len()).over(keys) > 0)


def first_row_of(keys: list[str]) -> pl.Expr:
    """The Excel row of the first row with the same key (frame must be in input order)."""
    return pl.col("_row").first().over(keys)


#: The loader's column naming each row's input (``batch.load.inputs.SOURCE``).
SOURCE = "_source"


def row_ref(row: str, source: str, *, merged: bool) -> pl.Expr:
    """How a message names another row: its number (``customers row 12``), and with merged inputs also its
    input's file (``customers row 12 of book.xlsx``), because every input has a row 12. ``source`` is the
    column holding that row's ``_source`` (only read when ``merged``); the ``#sheet`` of a workbook source
    is left off, the message names the sheet already."""
    if not merged:
        return pl.col(row)
    return pl.format("{} of {}", pl.col(row), pl.col(source).str.replace(_WORKBOOK_SHEET, ""))


#: A workbook source's ``#sheet`` (``book.xlsx#users``); a CSV file's source has none.
_WORKBOOK_SHEET = r"#[^#/\\]*$"


def source_file(source: str) -> str:
    """The file of a row's ``_source``, as ``row_ref`` names it in messages: ``book.xlsx``, ``extra/users.csv``."""
    return re.sub(_WORKBOOK_SHEET, "", source)
