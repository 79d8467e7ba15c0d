"""A row's ids as its result keeps them (``batch.report.fold.ids.RowIds``): a read-only mapping like the dict it was,
smaller, its names shared between rows."""

from __future__ import annotations

import base64
import sys
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch.report.fold import ids
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


def test_values_that_are_not_webex_ids_are_one_text_and_a_value_holding_the_separator_stays_whole() -> None:
    """Ids that do not pack (here: not base64 of a URI ending in a UUID) as one ``str``, not one each."""
    subscriber, person = "Y2lzY29zcGFyazovL3VzL1NVQlNDUklCRVIv" * 2, "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8" * 2
    row = RowIds({"subscriber_id": subscriber, "person_id": person})
    assert isinstance(row._values, str) and dict(row) == {"subscriber_id": subscriber, "person_id": person}
    assert sys.getsizeof(row._values) < sys.getsizeof(subscriber) + sys.getsizeof(person)
    odd = RowIds({"customer_id": "a\x1fb", "org_id": ""})
    assert odd["customer_id"] == "a\x1fb" and odd["org_id"] == "" and list(odd.values()) == ["a\x1fb", ""]


def webex_id(kind: str, value: uuid.UUID, region: str = "us") -> str:
    """An id as Webex makes one: the unpadded base64 of ``ciscospark://<region>/<KIND>/<uuid>``."""
    uri = f"ciscospark://{region}/{kind}/{value}"
    return base64.b64encode(uri.encode()).decode().rstrip("=")


def test_a_users_webex_ids_are_packed_to_their_uuids_and_read_back_as_given() -> None:
    """A subscriber's and a person's ids (~84 characters each) packed: 16 bytes and an index each."""
    subscriber, person = webex_id("SUBSCRIBER", uuid.uuid4()), webex_id("PEOPLE", uuid.uuid4())
    row = RowIds({"subscriber_id": subscriber, "person_id": person})
    assert isinstance(row._values, bytes) and sys.getsizeof(row._values) < 80
    assert row["person_id"] == person and dict(row) == {"subscriber_id": subscriber, "person_id": person}
    assert sys.getsizeof(row._values) * 3 < sys.getsizeof(subscriber + "\x1f" + person)


@given(
    st.sampled_from(["PEOPLE", "SUBSCRIBER", "LOCATION", "ORGANIZATION", "CUSTOMER", "x"]),
    st.uuids(),
    st.sampled_from(["us", "eu", ""]),
    st.sampled_from(["", "=", "==", "-", "\n"]),
    st.booleans(),
)
def test_an_id_reads_back_exactly_as_given_packed_or_not(
    kind: str, value: uuid.UUID, region: str, tail: str, upper: bool
) -> None:
    """Only an id that unpacks to the very same text is packed: padding, an upper-case UUID or anything after it
    keeps the id as text, never changed."""
    shown = str(value).upper() if upper else str(value)
    uri = f"ciscospark://{region}/{kind}/{shown}"
    text = base64.b64encode(uri.encode()).decode().rstrip("=") + tail
    other = webex_id("PEOPLE", value)
    row = RowIds({"location_id": text, "person_id": other})
    assert row["location_id"] == text and row["person_id"] == other and list(row.values()) == [text, other]
    assert isinstance(row._values, bytes) is (not tail and shown == str(value))


def test_ids_past_the_heads_one_byte_can_name_stay_text_and_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A packed id names its URI's head in one byte: the 257th kind of head on is kept as text, never mixed up."""
    monkeypatch.setattr(ids, "_HEADS", [])
    monkeypatch.setattr(ids, "_HEAD_AT", {})
    given = [webex_id(f"KIND{n}", uuid.uuid4()) for n in range(300)]
    rows = [RowIds({"location_id": value}) for value in given]
    assert [row["location_id"] for row in rows] == given
    assert [isinstance(row._values, bytes) for row in rows] == [True] * 256 + [False] * 44
    assert RowIds({"location_id": given[0]})._values == rows[0]._values  # a head seen before still packs
