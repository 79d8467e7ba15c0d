"""Cells that are not what they look like (contract §1, "cells that are not text").

- A control character (C0/C1 codes, DEL, bidi overrides and marks) makes a cell invalid: it is invisible in
  Excel, breaks names in Partner Hub and can disguise one value as another. Tab and newline are allowed
  only in list columns, where they separate items.
- A date or time in a phone, number, postal code or extension column was never a number: Excel turned
  what was typed (``2026-01-05``, ``1.5``) into a date, and the digits read back from it are not the
  ones the partner meant. The loader gives a date cell as ISO text, which no such column can hold.
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import concat_problems, emit
from batch.validate.rules.prepare import DATE, Prepared
from schemas import SHEETS

_INVISIBLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}"
CONTROL = f"[{_INVISIBLE}]"
CONTROL_OR_SPACING = f"[{_INVISIBLE}\\t\\n\\r]"
#: Columns whose cell is a list (items one per line allowed).
LIST_COLUMNS = frozenset({"numbers", "packages", "roles"})
#: Columns where a date cell is an error.
NUMBER_COLUMNS = ("numbers", "main_number", "phone_number", "postal_code", "extension")


def cell_problems(p: Prepared) -> pl.DataFrame:
    """One pass per column finds the (rare) columns with a hit; only those are filtered into problems."""
    frames = []
    for sheet, frame in (
        ("templates", p.templates),
        ("customers", p.customers),
        ("locations", p.locations),
        ("users", p.users),
    ):
        columns = SHEETS[sheet].column_names
        controls = [CONTROL if column in LIST_COLUMNS else CONTROL_OR_SPACING for column in columns]
        dates = [column for column in NUMBER_COLUMNS if column in frame.columns]
        hits = frame.select(
            *[pl.col(c).str.contains(pattern).any().alias(c) for c, pattern in zip(columns, controls, strict=True)],
            *[pl.col(c).str.contains(DATE).any().alias(f"__date_{c}") for c in dates],
        ).row(0, named=True)
        for column, pattern in zip(columns, controls, strict=True):
            if not hits[column]:
                continue
            frames.append(
                emit(
                    frame,
                    pl.col(column).str.contains(pattern),
                    sheet=sheet,
                    column=column,
                    rule="cell.control_character",
                    message="This cell holds an invisible control character (a tab, line break, escape code or "
                    "text-direction mark): retype the value, or paste it as plain text",
                )
            )
        for column in dates:
            if hits[f"__date_{column}"]:
                frames.append(
                    emit(
                        frame,
                        pl.col(column).str.contains(DATE),
                        sheet=sheet,
                        column=column,
                        rule="cell.date_not_number",
                        message=pl.format(
                            "Excel stored this cell as a date or time ({}), not the number typed: format the "
                            "column as Text and type the number again (a phone number with +)",
                            pl.col(column),
                        ),
                    )
                )
    return concat_problems(frames)
