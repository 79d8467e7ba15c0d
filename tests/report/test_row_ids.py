"""A row's ids as its result keeps them (``batch.report.fold.ids.RowIds``): a read-only mapping like the dict it was,
smaller, its names shared between rows."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch.report.fold.ids import RowIds

NAMES = st.sampled_from(["customer_id", "org_id", "location_id", "subscriber_id", "person_id", "number_id"])


@given(st.dictionaries(NAMES, st.text(max_size=90)))
def test_reads_as_the_dict_it_was_made_of(ids: dict[str, str]) -> None:
    row = RowIds(ids)
    assert row == ids and ids == row and dict(row) == ids and list(row) == list(ids) and len(row) == len(ids)
    assert bool(row) is bool(ids) and row.get("nothing") is None and "nothing" not in row
    for name, value in ids.items():
        assert row[name] == value and row.get(name) == value and name in row
    with pytest.raises(KeyError, match="nothing"):
        row["nothing"]


def test_rows_share_their_names_and_hold_less_than_a_dict() -> None:
    def ids(i: int) -> dict[str, str]:
        return {"customer_id": "c", "org_id": "o", "subscriber_id": f"s{i}", "person_id": f"p{i}"}

    a, b = RowIds(ids(1)), RowIds(ids(2))
    assert a._names is b._names  # one tuple of names for both
    own = sys.getsizeof(a) + sys.getsizeof(a._values)
    assert own < sys.getsizeof(ids(1)) * 0.8


def test_a_users_two_ids_are_one_text_and_a_value_holding_the_separator_stays_whole() -> None:
    """The subscriber's and person's ids (~84 characters each) as one ``str``: ~130 bytes fewer a user."""
    subscriber, person = "Y2lzY29zcGFyazovL3VzL1NVQlNDUklCRVIv" * 2, "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8" * 2
    row = RowIds({"subscriber_id": subscriber, "person_id": person})
    assert isinstance(row._values, str) and dict(row) == {"subscriber_id": subscriber, "person_id": person}
    assert sys.getsizeof(row._values) < sys.getsizeof(subscriber) + sys.getsizeof(person)
    odd = RowIds({"customer_id": "a\x1fb", "org_id": ""})
    assert odd["customer_id"] == "a\x1fb" and odd["org_id"] == "" and list(odd.values()) == ["a\x1fb", ""]
