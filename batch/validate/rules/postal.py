"""Postal codes that lost their leading zeros: Excel stores ``01067`` typed into a number cell as ``1067``.

In a country whose codes are all digits of one length and may start with 0 (``POSTAL_CODE_DIGITS``), a
code of fewer digits is not a code there; the message says what it probably was, the digits zero-padded.
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import concat_problems, emit
from batch.validate.rules.prepare import Prepared
from schemas.vocab import POSTAL_CODE_DIGITS


def postal_problems(p: Prepared) -> pl.DataFrame:
    return concat_problems(
        [_zero_lost(sheet, frame) for sheet, frame in (("customers", p.customers), ("locations", p.locations))]
    )


def _zero_lost(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    digits = pl.col("country_code").replace_strict(POSTAL_CODE_DIGITS, default=None, return_dtype=pl.Int64)
    code = pl.col("postal_code")
    short = code.str.contains(r"^[0-9]+$") & (code.str.len_chars() < digits)
    return emit(
        frame.with_columns(digits.alias("__postal_digits")),
        short,
        sheet=sheet,
        column="postal_code",
        rule=f"{sheet}.postal_code.leading_zero_lost",
        message=pl.format(
            "Postal codes in {} have {} digits: Excel stored this one as a number and dropped its leading zero; "
            "it was probably {}: write that (format the column as Text so Excel keeps the zero)",
            pl.col("country_code"),
            pl.col("__postal_digits"),
            code.str.zfill(pl.col("__postal_digits")),
        ),
    )
