"""Examples in messages from the row's own country: a German row reads ``(e.g. Europe/Berlin)``, not the
Finnish example of the column documentation (issue 18).

A rule names the kind of example its message ends with (``emit(..., example="timezone")``, a column of the
problem frame, never a mark inside the text, which echoes cells); here, once for all problems, each such
message gets `` (e.g. …)`` with ``schemas.examples``' example for the row's country, or nothing. A row's country
is its own ``country`` when that is a known code, else its customer's (a location), its location's or
customer's (a user); a row with none takes the country most rows of the batch have. Only problems with a
kind of example are touched, so a batch without problems pays one scan of an empty column.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from batch.validate.rules import POS
from batch.validate.rules.prepare import USER_COUNTRY, Prepared, with_customer, with_location
from schemas import SHEETS
from schemas.examples import DOCS_COUNTRY, column_example, country_named
from schemas.vocab import countries


def localize_examples(found: pl.DataFrame, prepared: Prepared) -> pl.DataFrame:
    """``found`` (problem frame) with each message that asks for one ending in an example of the row's country,
    and without the ``example`` column."""
    wanted = pl.col("example").is_not_null() & pl.col("message").is_not_null()
    at = found.select(pl.arg_where(wanted)).to_series()
    if at.len() == 0:
        return found.drop("example")
    todo = (
        found[at]
        .select(pl.col("sheet").cast(pl.String), "pos", "message", pl.col("example").cast(pl.String))
        .with_row_index("__i")
        .join(_row_countries(prepared), on=["sheet", "pos"], how="left", maintain_order="left")
        .with_columns(pl.col("__country").fill_null(_batch_country(prepared)))
    )
    keys = todo.select("sheet", "__country", "example").unique()
    chunks = keys.with_columns(pl.Series("__chunk", [_chunk(*key) for key in keys.iter_rows()], dtype=pl.String))
    todo = todo.join(chunks, on=["sheet", "__country", "example"], how="left", maintain_order="left")
    messages = found["message"].scatter(at, todo.sort("__i").select(pl.col("message") + pl.col("__chunk"))["message"])
    return found.with_columns(messages).drop("example")


def _chunk(sheet: str, country: str, kind: str) -> str:
    """`` (e.g. …)`` for one mark, or "" when the country has no example of that kind."""
    if kind == "country_named":
        shown: str | None = country_named(country)
    else:
        shown = column_example(kind, country, _documented(sheet).get(kind, ""))
    return f" (e.g. {shown})" if shown else ""


@cache
def _documented(sheet: str) -> dict[str, str]:
    """The column documentation's example of each column of ``sheet``."""
    return {doc.name: doc.example for doc in SHEETS[sheet].columns} if sheet in SHEETS else {}


def _known(code: pl.Expr) -> pl.Expr:
    return pl.when(code.is_in(list(countries()))).then(code)


def _row_countries(p: Prepared) -> pl.DataFrame:
    """sheet, pos and the country whose examples the row's messages show (null: the batch's)."""
    rows = (
        ("customers", p.customers, ("country_code",)),
        ("locations", p.locations, ("country_code", "__c_country")),
        ("users", _with_country(p), ("__country", "__c_country")),
    )
    return pl.concat(
        [
            frame.select(
                pl.lit(sheet).alias("sheet"),
                pl.col(POS).cast(pl.Int64).alias("pos"),
                pl.coalesce([_known(pl.col(code)) for code in codes]).alias("__country"),
            )
            for sheet, frame, codes in rows
        ]
    )


def _with_country(p: Prepared) -> pl.DataFrame:
    """The users with their numbers' country and their customer's (``USER_COUNTRY``)."""
    users = with_location(with_customer(p.users, p.customers, "__c_country"), p.locations, "__l_country")
    return users.with_columns(USER_COUNTRY)


def _batch_country(p: Prepared) -> str:
    """The country most customer and location rows have (the partner's own, usually); else the docs'."""
    codes = pl.concat([p.customers.select("country_code"), p.locations.select("country_code")])
    known = codes.select(_known(pl.col("country_code")).drop_nulls().mode().sort().first()).item()
    return known or DOCS_COUNTRY
