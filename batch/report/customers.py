"""Rows per customer and status, for report.html's bars and the notification's "one line per customer".

A partner thinks in customers, not sheets: "Mäkelän Konepaja: 12 users created, 1 failed". Each input row
belongs to one customer (a customers row to itself, a locations or users row to its
``customer_external_id``); a subscriber ``--prune`` removed has no row, so its Webex customer id is mapped
back through the customers rows. With thousands of customers the list is capped, troubled ones first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from batch.jobs import FAILED, INVALID, SKIPPED, SUCCESS, RowResult
from batch.report.aligned import key_expr
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
    """Every customer's rows by status, at most ``limit`` customers: troubled, then changed, then the rest."""
    owner = _owners(validated)
    by_webex_id = {r.ids.get("customer_id"): r.key for r in results if r.sheet == "customers" and r.ids}
    counts: dict[str, Counter[str]] = {}
    for result in results:
        customer = owner.get((result.sheet, result.row, result.key))
        if customer is None and result.row is None:
            customer = by_webex_id.get((result.ids or {}).get("customer_id"))
        if customer:
            counts.setdefault(customer, Counter())[result.status or "no result"] += 1
    ordered = {name: dict(c) for name, c in counts.items()}
    left_out = max(0, len(ordered) - limit)
    if left_out:
        keep = set(sorted(ordered, key=lambda name: _rank(ordered[name]))[:limit])
        ordered = {name: c for name, c in ordered.items() if name in keep}
    names = _company_names(validated)
    return CustomerCounts(ordered, {k: names[k] for k in ordered if names.get(k)}, left_out)


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


def _owners(validated: ValidatedBatch) -> dict[tuple[str, int | None, str], str]:
    """(sheet, row, key) → the row's customer external_id, for every customers, locations and users row.
    External ids match case-insensitively (contract §1): a customer is named as its customers row spells it."""
    owners: dict[tuple[str, int | None, str], str] = {}
    spelling: dict[str, str] = {}
    for sheet, column in CUSTOMER_COLUMN.items():
        frame = validated.sheets.get(sheet)
        if frame is None or column not in frame.columns:
            continue
        for key, row, customer in frame.select(key_expr(sheet), "_row", column).iter_rows():
            if customer:
                name = spelling.setdefault(str(customer).casefold(), str(customer))
                owners[(sheet, row, key)] = name
    return owners
