"""Examples in messages from the row's own country: a German row reads ``(e.g. Europe/Berlin)``, not the
Finnish example of the column documentation (issue 18).

Rules write ``example(kind)`` where a message shows an example; here, once for all problems, each mark
becomes `` (e.g. …)`` with ``schemas.examples``' example for the row's country, or nothing. A row's country
is its own ``country`` when that is a known code, else its customer's (a location), its location's or
customer's (a user); a row with none takes the country most rows of the batch have. Only problems with a
mark are touched, so a batch without problems pays one scan of an empty column.
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import EXAMPLE_MARK, POS
from batch.validate.rules.prepare import Prepared
from schemas import SHEETS
from schemas.examples import DOCS_COUNTRY, column_example, country_named
from schemas.vocab import countries

_MARKED = f"{EXAMPLE_MARK}(\\w+){EXAMPLE_MARK}"


def localize_examples(found: pl.DataFrame, prepared: Prepared) -> pl.DataFrame:
    """``found`` (problem frame) with every example mark in its messages filled in."""
    marked = pl.col("message").str.contains(EXAMPLE_MARK, literal=True).fill_null(False)
    at = found.select(pl.arg_where(marked)).to_series()
    if at.len() == 0:
        return found
    todo = (
        found[at]
        .select(pl.col("sheet").cast(pl.String), "pos", "message")
        .with_row_index("__i")
        .join(_row_countries(prepared), on=["sheet", "pos"], how="left", maintain_order="left")
        .with_columns(pl.col("__country").fill_null(_batch_country(prepared)))
    )
    while todo.select(pl.col("message").str.contains(EXAMPLE_MARK, literal=True).any()).item():
        todo = todo.with_columns(pl.col("message").str.extract(_MARKED, 1).alias("__kind"))
        keys = todo.select("sheet", "__country", "__kind").unique().drop_nulls()
        chunks = keys.with_columns(
            pl.Series("__chunk", [_chunk(*key) for key in keys.iter_rows()], dtype=pl.String)
        )
        todo = (
            todo.join(chunks, on=["sheet", "__country", "__kind"], how="left", maintain_order="left")
            .with_columns(pl.col("message").str.replace(_MARKED, pl.col("__chunk").fill_null("")))
            .drop("__kind", "__chunk")
        )
    messages = found["message"].scatter(at, todo.sort("__i")["message"])
    return found.with_columns(messages)


def _chunk(sheet: str, country: str, kind: str) -> str:
    """`` (e.g. …)`` for one mark, or "" when the country has no example of that kind."""
    if kind == "country_named":
        shown: str | None = country_named(country)
    else:
        documented = {doc.name: doc.example for doc in SHEETS[sheet].columns}.get(kind, "")
        shown = column_example(kind, country, documented) if sheet in SHEETS else None
    return f" (e.g. {shown})".replace("$", "$$") if shown else ""


def _known(code: pl.Expr) -> pl.Expr:
    return pl.when(code.is_in(list(countries()))).then(code)


def _row_countries(p: Prepared) -> pl.DataFrame:
    """sheet, pos and the country whose examples the row's messages show (null: the batch's)."""
    rows = (
        ("customers", p.customers, ("country_code",)),
        ("locations", p.locations, ("country_code", "__c_country")),
        ("users", p.users, ("__country", "__c_country")),
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


def _batch_country(p: Prepared) -> str:
    """The country most customer and location rows have (the partner's own, usually); else the docs'."""
    codes = pl.concat([p.customers.select("country_code"), p.locations.select("country_code")])
    known = codes.select(_known(pl.col("country_code")).drop_nulls().mode().sort().first()).item()
    return known or DOCS_COUNTRY
