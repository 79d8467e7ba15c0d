"""Issue 18 item 3: messages show examples from the row's own country. A German partner's rows never read
``e.g. Europe/Helsinki`` or ``(e.g. FI)``; Finnish rows keep the documentation's examples."""

from __future__ import annotations

import pytest

from schemas.examples import column_example, range_example, timezone_example
from tests.validate.german_batch import german_rows
from tests.validate.test_validate_support import run, with_changes

FINNISH = ("Helsinki", "fi_fi", "+358", "(e.g. FI)", "FI for Finland", "Pääkonttori", "Hämeentie", "(e.g. fi)")

#: One cell of each kind whose message shows an example, on a German customer, location and user.
GERMAN_DEFECTS = german_rows(
    customers={0: {"timezone": None, "location_language": "deutsch", "language": "Deutsch", "address_line1": None}},
    locations={0: {"timezone": "Berlin", "country": None}},
    users={0: {"phone_number": "0511 ABC"}},
)


def test_german_rows_get_german_examples_and_no_finnish_ones() -> None:
    result = run(GERMAN_DEFECTS)
    table = [(p.sheet, p.row, p.column, p.rule) for p in result.problems]
    assert table == [
        ("customers", 2, "address_line1", "customers.address_line1.required"),
        ("customers", 2, "language", "customers.language.format"),
        ("customers", 2, "location_language", "customers.location_language.format"),
        ("customers", 2, "timezone", "customers.timezone.required_for_calling"),
        ("locations", 2, "country", "locations.country.required"),
        ("locations", 2, "customer_external_id", "dependency.invalid_parent"),
        ("locations", 2, "timezone", "locations.timezone.unknown"),
        ("users", 2, "customer_external_id", "dependency.invalid_parent"),
        ("users", 2, "phone_number", "users.phone_number.invalid"),
        ("users", 3, "customer_external_id", "dependency.invalid_parent"),
    ]
    messages = {(p.sheet, p.column): p.message for p in result.problems}
    for message in messages.values():
        assert not any(finnish in message for finnish in FINNISH), message
        assert "\x1e" not in message
    assert messages[("customers", "timezone")].endswith("IANA time zone (e.g. Europe/Berlin)")
    assert messages[("customers", "language")].endswith("(e.g. de)")
    assert messages[("customers", "location_language")].endswith("(e.g. de_de)")
    assert messages[("customers", "address_line1")] == (
        "address_line1 is required: fill in street address of the headquarters"
    )  # a Finnish street is no example for Hannover, and there is no German one at hand
    assert messages[("locations", "country")].endswith("(e.g. DE)")  # the customer's country
    assert messages[("locations", "timezone")].endswith("(e.g. Europe/Berlin)")
    assert "e.g. +49 " in messages[("users", "phone_number")]


def test_a_german_range_is_explained_with_a_german_range() -> None:
    result = run(german_rows(locations={0: {"numbers": "+49 351 4209800..+49 351 42098"}}))
    [problem] = [p for p in result.problems if p.rule == "locations.numbers.invalid"]
    assert "e.g. +49 " in problem.message and "+358" not in problem.message


def test_a_bad_country_code_is_explained_with_the_batch_country() -> None:
    result = run(german_rows(customers={0: {"country": "XX"}}))
    [problem] = [p for p in result.problems if p.rule == "customers.country.unknown"]
    assert problem.message == "Not an ISO 3166 country code: use the two-letter code (e.g. DE for Germany)"


def test_finnish_rows_keep_the_documentation_examples() -> None:
    result = run(with_changes(customers={0: {"timezone": None}}, locations={0: {"timezone": "Berlin"}}))
    messages = {(p.sheet, p.column): p.message for p in result.problems}
    assert messages[("customers", "timezone")].endswith("IANA time zone (e.g. Europe/Helsinki)")
    assert messages[("locations", "timezone")].endswith("(e.g. Europe/Helsinki)")


@pytest.mark.parametrize(
    ("country", "zone", "language"),
    [("DE", "Europe/Berlin", "de_de"), ("SE", "Europe/Stockholm", "sv_se"), ("US", "America/New_York", "en_us")],
)
def test_examples_come_from_the_country(country: str, zone: str, language: str) -> None:
    assert timezone_example(country) == zone
    assert column_example("location_language", country, "fi_fi") == language
    assert column_example("city", country, "Helsinki") is None
    assert column_example("city", "FI", "Helsinki") == "Helsinki"
    assert (range_example(country) or "").count("..") == 1


def test_a_cell_that_looks_like_a_mark_is_left_as_it_is() -> None:
    """A message echoes the cell; a cell holding the mark character must neither hang nor be filled in."""
    result = run(german_rows(users={0: {"phone_number": "0511\x1etimezone\x1e4209701"}}))
    [problem] = [p for p in result.problems if p.rule == "users.phone_number.invalid"]
    assert problem.message.startswith("'0511\x1etimezone\x1e4209701' is not a phone number")
