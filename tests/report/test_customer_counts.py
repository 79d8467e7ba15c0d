"""Rows per customer and status (summary.json's ``customers``, report.html's bars, the notification)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from batch.jobs import CREATED, EXISTS, FAILED, REMOVED, RowResult
from batch.report.customers import _owner_of, customer_counts
from batch.validate.validator import ValidatedBatch


def _batch() -> ValidatedBatch:
    customers = pl.DataFrame({"external_id": ["FI-1", "FI-2"], "company_name": ["Mäkelä Oy", None], "_row": [2, 3]})
    locations = pl.DataFrame({"customer_external_id": ["fi-1"], "location_name": ["Tampere"], "_row": [2]})
    users = pl.DataFrame(
        {
            "customer_external_id": ["fi-1", "FI-2", "FI-1", None],
            "email": ["a@x.fi", "b@x.fi", "c@x.fi", "d@x.fi"],
            "_row": [2, 3, 4, 5],
        }
    ).with_columns(pl.col("customer_external_id").cast(pl.Categorical))  # as ``batch.validate.compact`` keeps it
    return ValidatedBatch({"customers": customers, "locations": locations, "users": users}, (), ())


def test_rows_are_counted_under_the_customer_as_its_row_spells_it_with_removals_by_webex_id() -> None:
    results = [
        RowResult("customers", 2, "FI-1", CREATED, ids={"customer_id": "C1"}),
        RowResult("customers", 3, "FI-2", EXISTS, ids={"customer_id": "C2"}),
        RowResult("locations", 2, "fi-1/Tampere", FAILED),
        RowResult("users", 2, "a@x.fi", CREATED),
        RowResult("users", 3, "b@x.fi", FAILED),
        RowResult("users", 4, "c@x.fi", CREATED),
        RowResult("users", 5, "d@x.fi", CREATED),  # no customer named: not counted
        RowResult("users", None, "old@x.fi", REMOVED, ids={"customer_id": "C2"}),  # --prune: no row
        RowResult("users", 9, "ghost@x.fi", CREATED),  # a row the batch does not hold
    ]
    found = customer_counts(results, _batch())
    assert found.counts == {"FI-1": {CREATED: 3, FAILED: 1}, "FI-2": {EXISTS: 1, FAILED: 1, REMOVED: 1}}
    assert list(found.counts["FI-1"]) == [CREATED, FAILED]  # statuses in the order first met
    assert found.names == {"FI-1": "Mäkelä Oy"}
    assert found.not_listed == 0


def test_past_the_limit_troubled_customers_are_kept_and_the_rest_counted() -> None:
    results = [
        RowResult("customers", 2, "FI-1", CREATED),
        RowResult("customers", 3, "FI-2", FAILED),
    ]
    found = customer_counts(results, _batch(), limit=1)
    assert found.counts == {"FI-2": {FAILED: 1}}
    assert found.not_listed == 1


def test_merged_inputs_repeat_row_numbers_and_each_row_counts_for_its_own_customer() -> None:
    customers = pl.DataFrame({"external_id": ["FI-1", "FI-2"], "_row": [2, 3], "_source": ["a.csv", "a.csv"]})
    users = pl.DataFrame(
        {"customer_external_id": ["FI-1", "FI-2"], "email": ["a@x.fi", "b@x.fi"], "_row": [2, 2]}
    ).with_columns(pl.Series("_source", ["a/users.csv", "b/users.csv"], dtype=pl.Categorical))
    batch = ValidatedBatch({"customers": customers, "users": users}, (), ())
    results = [
        RowResult("users", 2, "a@x.fi", CREATED, source="a/users.csv"),
        RowResult("users", 2, "b@x.fi", FAILED, source="b/users.csv"),
    ]
    assert customer_counts(results, batch).counts == {"FI-1": {CREATED: 1}, "FI-2": {FAILED: 1}}


@given(
    st.dictionaries(st.integers(0, 60), st.sampled_from(["FI-1", "fi-1", "SE-2"]), max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-2, 70)), max_size=40),
)
def test_a_rows_customer_is_found_by_its_number_as_a_dict_would(
    owners: dict[int, str], wanted: list[int | None]
) -> None:
    """``_owner_of``: a binary search of the sorted row numbers (no join table of every row for each part)."""
    numbers = pl.Series("at", sorted(owners), dtype=pl.Int64)
    customers = pl.Series("customer", [owners[n] for n in sorted(owners)], dtype=pl.String)
    found = _owner_of(pl.Series("at", wanted, dtype=pl.Int64), numbers, customers)
    assert found.to_list() == [owners.get(n) if n is not None else None for n in wanted]
