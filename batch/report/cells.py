"""Cell values made safe for spreadsheets people open (formula injection, OWASP "CSV injection").

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return, which some programs
strip before evaluating) is prefixed with an apostrophe, so Excel and LibreOffice show it as text.
Well-formed phone numbers (``+358 40 123 4567``, ``+358401234567``) and lists and ranges of them
(``+358 9 4245 1000..+358 9 4245 1019``, ``+358 3 5655 2000; +358 3 5655 2001``) are left alone: they are the
data partners expect to see (``retry/`` gives them back as typed, issue 18), and a leading ``+`` followed only by
digits, spaces, dashes and list separators names no function and cannot run.
"""

from __future__ import annotations

import re

import polars as pl

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"\+[0-9][0-9 \-]{5,24}"
#: One phone number, or a list or range of them (``;``, ``,``, a line break, ``..`` between numbers).
PHONE_LIKE = rf"^{_NUMBER}(?:[ ]*(?:\.\.|[;,\n])[ ]*(?:{_NUMBER}|[0-9][0-9 \-]{{1,24}}))*$"
_PHONE_RE = re.compile(PHONE_LIKE)


def neutralize(value: object) -> object:
    """One cell: the value, or the value behind an apostrophe when a spreadsheet could run it."""
    if not isinstance(value, str) or not value.startswith(_DANGEROUS_START):
        return value
    if _PHONE_RE.match(value):
        return value
    return "'" + value


def neutralize_expr(column: str) -> pl.Expr:
    """The same rule as a polars expression, for whole report columns at once."""
    col = pl.col(column).cast(pl.String)  # a categorical column too (``batch.validate.compact``)
    risky = col.str.contains(r"^[=+\-@\t\r]") & ~col.str.contains(PHONE_LIKE)
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


def neutralize_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a report frame, neutralized."""
    return frame.with_columns(neutralize_expr(name) for name, dtype in frame.schema.items() if is_text(dtype))


def is_text(dtype: pl.DataType) -> bool:
    """A column of text: ``String``, or a ``Categorical`` of the repeating columns (``batch.validate.compact``)."""
    return dtype == pl.String or isinstance(dtype, pl.Categorical)
