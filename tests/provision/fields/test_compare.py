"""The comparison of a row with its server object (pure): an unchanged row is never reported changed."""

from __future__ import annotations

from typing import Any

import pytest

from batch.provision.fields.compare import (
    Change,
    added_numbers,
    customer_changes,
    customer_refusal,
    location_changes,
    location_put_body,
    norm_language,
    norm_phone,
    same_number,
    subscriber_changes,
)
from tests.provision.conftest import customer_fields, location_fields

CUSTOMER_ON_SERVER = {
    "id": "C1",
    "packages": ["webex_calling", "webex_meetings"],
    "address": {
        "addressLine1": "Mannerheimintie 12 B",
        "addressLine2": "5. kerros",
        "city": "Helsinki",
        "zipOrPostalCode": "00100",
        "country": "FI",
    },
}
LOCATION_ON_SERVER = {
    "id": "L1",
    "name": "Tampereen tehdas",
    "timeZone": "Europe/Helsinki",
    "preferredLanguage": "fi_fi",
    "announcementLanguage": "fi_fi",
    "address": {
        "address1": "Hatanpään valtatie 24",
        "city": "Tampere",
        "state": "Tampere",
        "postalCode": "33100",
        "country": "FI",
    },
}


def test_an_unchanged_customer_is_unchanged_whatever_the_spelling() -> None:
    fields = customer_fields(
        packages_list=["webex_meetings", "webex_calling"],  # order is not a change
        address_line1="  mannerheimintie   12 b ",  # case and whitespace are not a change
        country="fi",
        country_code="fi",
    )
    assert customer_changes(fields, CUSTOMER_ON_SERVER) == []
    assert customer_refusal(fields, CUSTOMER_ON_SERVER) is None  # same set: the level is not being changed


def test_customer_changes_name_each_difference_and_a_blank_cell_clears_nothing() -> None:
    fields = customer_fields(packages_list=["webex_calling", "webex_meetings", "webex_suite"], address_line2=None)
    fields["city"] = "Espoo"
    changes = customer_changes(fields, CUSTOMER_ON_SERVER)
    assert [str(c) for c in changes] == [
        "packages: webex_calling;webex_meetings → webex_calling;webex_meetings;webex_suite",
        "city: Helsinki → Espoo",
    ]
    assert customer_refusal(fields, CUSTOMER_ON_SERVER) is None


def test_the_package_level_cannot_change() -> None:
    fields = customer_fields(packages_list=["webex_meetings"])
    assert "package level is webex_calling" in (customer_refusal(fields, CUSTOMER_ON_SERVER) or "")


def test_an_unchanged_location_is_unchanged_and_a_moved_one_names_its_fields() -> None:
    same = location_fields(
        timezone_resolved="europe/helsinki", preferred_language="FI-fi", announcement_language="FI_FI"
    )
    assert location_changes(same, LOCATION_ON_SERVER) == []  # the state the body fills from the city: not the row's
    moved = location_fields(address_line1="Hatanpään valtatie 30", timezone_resolved="Europe/Stockholm")
    assert [str(c) for c in location_changes(moved, LOCATION_ON_SERVER)] == [
        "address_line1: Hatanpään valtatie 24 → Hatanpään valtatie 30",
        "timezone: Europe/Helsinki → Europe/Stockholm",
    ]
    body = location_put_body(moved, LOCATION_ON_SERVER)
    assert body["address"]["state"] == "Tampere" and body["name"] == "Tampereen tehdas"  # nothing cleared


@pytest.mark.parametrize(
    ("a", "b"),
    [("+358 9 4245 1000", "+358942451000"), ("00358942451000", "+358942451000"), ("+1-240-555-1212", "+12405551212")],
)
def test_numbers_compare_as_e164(a: str, b: str) -> None:
    assert norm_phone(a) == norm_phone(b) and same_number(a, b)
    assert added_numbers([b, "+358942451001"], [a]) == ["+358942451001"]


def test_languages_and_packages_of_subscribers() -> None:
    assert norm_language("fi-FI") == norm_language("FI_fi") == "fi_fi"
    sub: dict[str, Any] = {"packages": ["webex_calling"], "package": "webex_calling"}
    assert subscriber_changes({"package_resolved": "webex_calling"}, sub) == []
    assert subscriber_changes({"package_resolved": "webex_meetings"}, sub) == [
        Change("package", "webex_calling", "webex_meetings")
    ]
    assert str(Change("roles", None, "Compliance Officer")) == "roles: + Compliance Officer"
