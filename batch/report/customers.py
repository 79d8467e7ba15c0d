"""Rows per customer and status, for report.html's bars and the notification's "one line per customer".

A partner thinks in customers, not sheets: "Mäkelän Konepaja: 12 users created, 1 failed". Each input row
belongs to one customer (a customers row to itself, a locations or users row to its
``customer_external_id``); a subscriber ``--prune`` removed has no row, so its Webex customer id is mapped
back through the customers rows. With thousands of customers the list is capped, troubled ones first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from batch.jobs import FAILED, INVALID, SKIPPED, SUCCESS, RowResult
from batch.load.inputs import SOURCE
from batch.validate.validator import ValidatedBatch

#: Customers listed in summary.json; the rest are counted in ``customers_not_listed``.
MAX_CUSTOMERS = 500
TROUBLE = frozenset({FAILED, SKIPPED, INVALID})
#: What a row's customer column is called on each sheet.
CUSTOMER_COLUMN = {"customers": "external_id", "locations": "customer_external_id", "users": "customer_external_id"}


@dataclass(frozen=True, slots=True)
class CustomerCounts:
    """Rows per customer and status (input order), the customers' company names, how many were left out."""

    counts: dict[str, dict[str, int]]
    names: dict[str, str]
    not_listed: int = 0


def customer_counts(
    results: Sequence[RowResult], validated: ValidatedBatch, *, limit: int = MAX_CUSTOMERS
) -> CustomerCounts:
    """Every customer's rows by status, at most ``limit`` customers: troubled, then changed, then the rest.

    A result finds its row's customer by a number (its input and sheet, then its row number), ``_AT_ONCE`` results
    at a time, in polars: a Python map from every (sheet, row, key) to its customer was ~230 bytes a row, left
    resident under the reports (+8 MiB at 100,000 users, ``bench.memory_phases``); joining on the text columns
    instead took +20 MiB for a moment, and a join on the number +8 (a table of every row's number for each part of
    the results): the numbers are sorted once and each result's found by a binary search."""
    owners, groups = _owners(validated)
    spelled = _spellings(owners)
    owners = owners.sort("at")
    numbers, customers = owners.get_column("at"), owners.get_column("customer").cast(pl.String)
    by_webex_id = {r.ids.get("customer_id"): r.key for r in results if r.sheet == "customers" and r.ids}
    counts: dict[str, dict[str, int]] = {}
    for start in range(0, len(results), _AT_ONCE):
        part = results[start : start + _AT_ONCE]
        rows = pl.DataFrame(
            {
                "at": [_at(groups, r) for r in part],
                "status": [r.status or "no result" for r in part],
                # a subscriber --prune removed has no row: its customer is found by its Webex customer id
                "removed": [by_webex_id.get((r.ids or {}).get("customer_id")) if r.row is None else None for r in part],
            },
            schema={"at": pl.Int64, "status": pl.String, "removed": pl.String},
        )
        found = rows.with_columns(customer=_owner_of(rows.get_column("at"), numbers, customers))
        named = found.select(pl.coalesce("customer", "removed").alias("customer"), "status")
        for customer, status, n in (
            named.drop_nulls().group_by("customer", "status", maintain_order=True).len().iter_rows()
        ):
            bucket = counts.setdefault(spelled.get(customer, customer), {})
            bucket[status] = bucket.get(status, 0) + n
    left_out = max(0, len(counts) - limit)
    if left_out:
        keep = set(sorted(counts, key=lambda name: _rank(counts[name]))[:limit])
        counts = {name: c for name, c in counts.items() if name in keep}
    names = _company_names(validated)
    return CustomerCounts(counts, {k: names[k] for k in counts if names.get(k)}, left_out)


#: Results matched to their rows at once (a polars frame of them: ~1 MiB).
_AT_ONCE = 10_000


def _owner_of(at: pl.Series, numbers: pl.Series, customers: pl.Series) -> pl.Series:
    """The customer of each row number in ``at`` (null: none, or a number ``numbers``, sorted, does not hold)."""
    if not numbers.len():
        return pl.Series("customer", [None] * at.len(), dtype=pl.String)
    place = numbers.search_sorted(at.fill_null(-1), side="left").clip(upper_bound=numbers.len() - 1)
    hit = (numbers.gather(place) == at).fill_null(False)
    return pl.select(pl.when(hit).then(customers.gather(place))).to_series().alias("customer")


#: A row's number ``at``: its (sheet, input)'s number times this, plus its row number.
_GROUP = 2**32


def _company_names(validated: ValidatedBatch) -> dict[str, str]:
    frame = validated.sheets.get("customers")
    if frame is None or "company_name" not in frame.columns:
        return {}
    return {str(k): str(v) for k, v in frame.select("external_id", "company_name").iter_rows() if k and v}


def _rank(counts: Mapping[str, int]) -> int:
    """0 for a customer with rows to fix, 1 for one whose rows changed something, 2 for the unchanged."""
    if any(counts.get(s) for s in TROUBLE):
        return 0
    return 1 if any(n for s, n in counts.items() if s in SUCCESS and s != "exists") else 2


def _owners(validated: ValidatedBatch) -> tuple[pl.DataFrame, dict[tuple[str, str], int]]:
    """Every customers, locations and users row's number (``at``) and the ``customer`` external_id it names, as its
    cell spells it (a categorical: ~12 bytes a row); and the number of each (sheet, input) its rows came from."""
    groups: dict[tuple[str, str], int] = {}
    parts: list[pl.DataFrame] = []
    for sheet, column in CUSTOMER_COLUMN.items():
        frame = validated.sheets.get(sheet)
        if frame is None or column not in frame.columns:
            continue
        sources = frame[SOURCE].unique(maintain_order=True).to_list() if SOURCE in frame.columns else [None]
        for source in sources:
            rows = frame if SOURCE not in frame.columns else frame.filter(_of_source(source))
            group = groups.setdefault((sheet, source or ""), len(groups))
            at = (pl.col("_row") + group * _GROUP).alias("at")
            parts.append(rows.select(at, pl.col(column).cast(pl.Categorical).alias("customer")))
    owners = pl.concat(parts) if parts else pl.DataFrame(schema={"at": pl.Int64, "customer": pl.Categorical})
    return owners.filter(pl.col("customer").is_not_null() & (pl.col("customer") != "")), groups


def _of_source(source: str | None) -> pl.Expr:
    return pl.col(SOURCE).is_null() if source is None else pl.col(SOURCE) == source


def _at(groups: Mapping[tuple[str, str], int], result: RowResult) -> int | None:
    """The number ``_owners`` gives the result's row (None: a row the batch does not hold, or none)."""
    group = groups.get((result.sheet, result.source))
    return None if group is None or result.row is None else result.row + group * _GROUP


def _spellings(owners: pl.DataFrame) -> dict[str, str]:
    """Each way a customer's external id is spelled → as its customers row spells it: external ids match
    case-insensitively (contract §1), and the first spelling met, sheet by sheet, names the customer."""
    spelling: dict[str, str] = {}
    return {raw: spelling.setdefault(raw.casefold(), raw) for raw in owners["customer"].unique(maintain_order=True)}
