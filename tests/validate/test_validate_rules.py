"""Each validation rule: one change to a valid batch that breaks it, and changes that must stay valid."""

from __future__ import annotations

from typing import Any

import pytest

from schemas import SHEETS
from tests.validate.test_validate_support import codes, run, valid_rows, with_changes

CUSTOMER = {"customer_external_id": "FI-1", "first_name": "Uusi", "last_name": "Käyttäjä"}
TAMPERE2 = {
    **valid_rows()["locations"][0],
    "location_name": "TAMPERE",
    "numbers": "+358 3 5655 3000",
    "main_number": None,
}

# (changes, expected (sheet, row, column, rule)); rows are Excel rows (first data row = 2).
FAILING: dict[str, tuple[dict[str, Any], tuple[str, int, str, str]]] = {
    "template name missing": (
        {"templates": [{"provisioning_id": "abc"}]},
        ("templates", 3, "template", "templates.template.required"),
    ),
    "template id malformed": (
        {"templates": [{"template": "T2", "provisioning_id": "a b"}]},
        ("templates", 3, "provisioning_id", "templates.provisioning_id.format"),
    ),
    "template duplicate": (
        {"templates": [{"template": "NORDIC", "provisioning_id": "abc"}]},
        ("templates", 3, "template", "templates.template.duplicate"),
    ),
    "company name with %": (
        {"customers": {0: {"company_name": "100% Oy"}}},
        ("customers", 2, "company_name", "customers.company_name.format"),
    ),
    "admin email invalid": (
        {"customers": {1: {"admin_email": "admin(at)oljy.fi"}}},
        ("customers", 3, "admin_email", "customers.admin_email.invalid"),
    ),
    "admin email used twice": (
        {"customers": {1: {"admin_email": "IT@makela.fi"}}},
        ("customers", 3, "admin_email", "customers.admin_email.duplicate"),
    ),
    "template unknown": (
        {"customers": {0: {"template": "Baltic"}}},
        ("customers", 2, "template", "customers.template.unknown"),
    ),
    "neither template nor id": (
        {"customers": {1: {"provisioning_id": None}}},
        ("customers", 3, "template", "customers.template.required"),
    ),
    "both template and id": (
        {"customers": {1: {"template": "Nordic"}}},
        ("customers", 3, "provisioning_id", "customers.provisioning_id.conflict"),
    ),
    "external_id duplicate": (
        {"customers": {1: {"external_id": "FI-1"}}},
        ("customers", 3, "external_id", "customers.external_id.duplicate"),
    ),
    "unknown package": (
        {"customers": {1: {"packages": "webex_meetings; webex_gold"}}},
        ("customers", 3, "packages", "customers.packages.unknown"),
    ),
    "add-on first": (
        {"customers": {1: {"packages": "cisco_calling_plan, webex_meetings"}}},
        ("customers", 3, "packages", "customers.packages.addon_first"),
    ),
    "add-on without base": (
        {"customers": {1: {"packages": "webex_meetings;attendant_console"}}},
        ("customers", 3, "packages", "customers.packages.addon_dependency"),
    ),
    "country not ISO": (
        {"customers": {1: {"country": "Suomi"}}},
        ("customers", 3, "country", "customers.country.format"),
    ),
    "country unknown": (
        {"customers": {1: {"country": "XX"}}},
        ("customers", 3, "country", "customers.country.unknown"),
    ),
    "timezone unknown": (
        {"customers": {0: {"timezone": "Europe/Helsingfors"}}},
        ("customers", 2, "timezone", "customers.timezone.unknown"),
    ),
    "not confirmed": (
        {"customers": {1: {"supported_location_confirmed": "ei"}}},
        ("customers", 3, "supported_location_confirmed", "customers.supported_location_confirmed.not_confirmed"),
    ),
    "calling without HQ name": (
        {"customers": {0: {"hq_location_name": None}}},
        ("customers", 2, "hq_location_name", "customers.hq_location_name.required_for_calling"),
    ),
    "calling without timezone": (
        {"customers": {0: {"timezone": None}}},
        ("customers", 2, "timezone", "customers.timezone.required_for_calling"),
    ),
    "calling without language": (
        {"customers": {0: {"location_language": None}}},
        ("customers", 2, "location_language", "customers.location_language.required_for_calling"),
    ),
    "location language malformed": (
        {"customers": {0: {"location_language": "finnish"}}},
        ("customers", 2, "location_language", "customers.location_language.format"),
    ),
    "HQ name too long": (
        {"customers": {0: {"hq_location_name": "x" * 81}}},
        ("customers", 2, "hq_location_name", "customers.hq_location_name.too_long"),
    ),
    "address line too long": (
        {"customers": {0: {"address_line1": "x" * 51}}},
        ("customers", 2, "address_line1", "customers.address_line1.too_long"),
    ),
    "HQ number invalid": (
        {"customers": {0: {"numbers": "+358 9 4245 1000; 12"}}},
        ("customers", 2, "numbers", "customers.numbers.invalid"),
    ),
    "HQ main number invalid": (
        {"customers": {0: {"main_number": "abc"}}},
        ("customers", 2, "main_number", "customers.main_number.invalid"),
    ),
    "HQ main number not listed": (
        {"customers": {0: {"main_number": "+358 9 4245 1099"}}},
        ("customers", 2, "main_number", "customers.main_number.not_in_numbers"),
    ),
    "HQ number owned by an earlier customer": (
        {"customers": {1: {"numbers": "+358942451005"}}},
        ("customers", 3, "numbers", "customers.numbers.duplicate"),
    ),
    "US without state": (
        {"customers": {1: {"country": "US", "postal_code": "10001"}}},
        ("customers", 3, "state_or_province", "customers.state_or_province.required_for_country"),
    ),
    "no postal code": (
        {"customers": {1: {"postal_code": None}}},
        ("customers", 3, "postal_code", "customers.postal_code.required_for_country"),
    ),
    "location's customer elsewhere": (
        {"locations": {0: {"customer_external_id": "FI-9"}}},
        ("locations", 2, "customer_external_id", "locations.customer_external_id.not_in_batch"),
    ),
    "location name twice": (
        {"locations": [TAMPERE2]},
        ("locations", 3, "location_name", "locations.location_name.duplicate"),
    ),
    "location named like the HQ": (
        {"locations": {0: {"location_name": "PÄÄKONTTORI"}}},
        ("locations", 2, "location_name", "locations.location_name.is_hq"),
    ),
    "location timezone unknown": (
        {"locations": {0: {"timezone": "Mars/Base"}}},
        ("locations", 2, "timezone", "locations.timezone.unknown"),
    ),
    "location country unknown": (
        {"locations": {0: {"country": "QQ"}}},
        ("locations", 2, "country", "locations.country.unknown"),
    ),
    "location language malformed ": (
        {"locations": {0: {"preferred_language": "fi"}}},
        ("locations", 2, "preferred_language", "locations.preferred_language.format"),
    ),
    "location number invalid": (
        {"locations": {0: {"numbers": "+358 3 5655 2000; +358 3 5655 2001; 999999999999999999"}}},
        ("locations", 2, "numbers", "locations.numbers.invalid"),
    ),
    "location main number invalid": (
        {"locations": {0: {"main_number": "main"}}},
        ("locations", 2, "main_number", "locations.main_number.invalid"),
    ),
    "location main number not listed": (
        {"locations": {0: {"main_number": "+358 3 5655 2009"}}},
        ("locations", 2, "main_number", "locations.main_number.not_in_numbers"),
    ),
    "location number owned by the HQ": (
        {"locations": {0: {"numbers": "+358 3 5655 2000; +358 3 5655 2001; +358 9 4245 1002"}}},
        ("locations", 2, "numbers", "locations.numbers.duplicate"),
    ),
    "location in AU without state": (
        {"locations": {0: {"country": "AU", "postal_code": "2000", "numbers": None, "main_number": None}}},
        ("locations", 2, "state_or_province", "locations.state_or_province.required_for_country"),
    ),
    "location without postal code": (
        {"locations": {0: {"postal_code": None}}},
        ("locations", 2, "postal_code", "locations.postal_code.required_for_country"),
    ),
    "user email invalid": (
        {"users": {1: {"email": "eero@"}}},
        ("users", 3, "email", "users.email.invalid"),
    ),
    "user email twice": (
        {"users": [{**CUSTOMER, "email": "EERO@MAKELA.FI", "package": "webex_meetings"}]},
        ("users", 6, "email", "users.email.duplicate"),
    ),
    "user is another customer's admin": (
        {"users": {1: {"email": "admin@oljy.fi"}}},
        ("users", 3, "email", "users.email.admin_of_other_customer"),
    ),
    "user package unknown": (
        {"users": {1: {"package": "webex_gold"}}},
        ("users", 3, "package", "users.package.unknown"),
    ),
    "user package not the customer's": (
        {"users": {3: {"package": "webex_suite"}}},
        ("users", 5, "package", "users.package.not_in_customer"),
    ),
    "admin email user below package level": (
        {"users": {0: {"package": "webex_meetings", "roles": None}}},
        ("users", 2, "package", "users.package.admin_level"),
    ),
    "full administrator below package level": (
        {"users": {1: {"roles": "full administrator"}}},
        ("users", 3, "package", "users.package.admin_level"),
    ),
    "calling user without number or extension": (
        {"users": {2: {"phone_number": None, "extension": None}}},
        ("users", 4, "phone_number", "users.phone_number.required_for_calling"),
    ),
    "user number invalid": (
        {"users": {2: {"phone_number": "phone"}}},
        ("users", 4, "phone_number", "users.phone_number.invalid"),
    ),
    "user number twice": (
        {"users": {2: {"phone_number": "+358 9 4245 1001"}}},
        ("users", 4, "phone_number", "users.phone_number.duplicate"),
    ),
    "user extension twice": (
        {"users": {2: {"extension": "1001"}}},
        ("users", 4, "extension", "users.extension.duplicate"),
    ),
    "user extension malformed": (
        {"users": {2: {"extension": "1"}}},
        ("users", 4, "extension", "users.extension.format"),
    ),
    "calling user location unknown": (
        {"users": {2: {"location_name": "Oulu"}}},
        ("users", 4, "location_name", "users.location_name.not_in_batch"),
    ),
    "user role unknown": (
        {"users": {1: {"roles": "Boss"}}},
        ("users", 3, "roles", "users.roles.unknown"),
    ),
    "user name with <": (
        {"users": {1: {"first_name": "<Eero>"}}},
        ("users", 3, "first_name", "users.first_name.format"),
    ),
    "user's customer elsewhere": (
        {"users": {1: {"customer_external_id": "FI-9"}}},
        ("users", 3, "customer_external_id", "users.customer_external_id.not_in_batch"),
    ),
    "invalid template row → its customer": (
        {"templates": {0: {"provisioning_id": "bad id"}}},
        ("customers", 2, "template", "dependency.invalid_parent"),
    ),
    "invalid customer → its location": (
        {"customers": {0: {"company_name": "100% Oy"}}},
        ("locations", 2, "customer_external_id", "dependency.invalid_parent"),
    ),
    "invalid customer → its users": (
        {"customers": {0: {"company_name": "100% Oy"}}},
        ("users", 4, "customer_external_id", "dependency.invalid_parent"),
    ),
    "invalid location → its users": (
        {"locations": {0: {"timezone": "Mars/Base"}}},
        ("users", 4, "location_name", "dependency.invalid_parent"),
    ),
}

WARNINGS = {"not_in_batch", "not_in_location"}


@pytest.mark.parametrize("changes, expected", FAILING.values(), ids=FAILING.keys())
def test_rule_fails(changes: dict[str, Any], expected: tuple[str, int, str, str]) -> None:
    result = run(with_changes(**changes))
    assert expected in codes(result.problems)
    problem = next(p for p in result.problems if (p.sheet, p.row, p.column, p.rule) == expected)
    assert problem.severity == ("warning" if expected[3].rsplit(".", 1)[-1] in WARNINGS else "error")
    assert len(problem.message) > 20
    row_valid = result.sheets[expected[0]].filter(result.sheets[expected[0]]["_row"] == expected[1])["_valid"]
    assert row_valid.to_list() == [problem.severity == "warning"]


def test_user_number_outside_its_location_is_a_warning() -> None:
    result = run(with_changes(users={2: {"phone_number": "+358 3 5655 2009"}}))
    assert codes(result.problems) == {("users", 4, "phone_number", "users.phone_number.not_in_location")}
    assert result.error_count == 0 and result.warning_count == 1
    assert result.sheets["users"]["_valid"].all()


def test_meetings_user_is_not_held_back_by_an_invalid_location_row() -> None:
    """No calling, no location: the planner sends none, so only the calling user of that row waits for it."""
    result = run(with_changes(locations={0: {"timezone": "Mars/Base"}}))
    held = {(p.row, p.rule) for p in result.problems if p.sheet == "users"}
    assert held == {(4, "dependency.invalid_parent")}  # Liisa (calling); not Eero (meetings, row 3, "tampere")
    assert result.sheets["users"]["_valid"].to_list() == [True, True, False, True]


REQUIRED = [(sheet, col) for sheet, spec in SHEETS.items() for col in spec.required_columns]


@pytest.mark.parametrize("sheet, column", REQUIRED, ids=[f"{s}.{c}" for s, c in REQUIRED])
def test_required_cell_missing(sheet: str, column: str) -> None:
    result = run(with_changes(**{sheet: {0: {column: None}}}))
    problem = next(p for p in result.problems if p.rule == f"{sheet}.{column}.required")
    assert (problem.sheet, problem.row, problem.column, problem.severity) == (sheet, 2, column, "error")
    assert column in problem.message


PASSING: dict[str, dict[str, Any]] = {
    "booleans in every spelling": {
        "customers": {0: {"supported_location_confirmed": "X"}, 1: {"supported_location_confirmed": "k"}}
    },
    "yes as 1 and y": {
        "customers": {0: {"supported_location_confirmed": "1"}, 1: {"supported_location_confirmed": "Y"}}
    },
    "package names as people type them": {
        "customers": {0: {"packages": "Webex Calling\nwebex-meetings, cisco_calling_plan"}}
    },
    "timezone in any case": {"customers": {0: {"timezone": "EUROPE/HELSINKI"}}},
    "number written nationally": {"users": {0: {"phone_number": "09 4245 1001"}}},
    "number range as main number source": {"customers": {0: {"main_number": "+358942451009"}}},
    "admin user at the package level with roles": {
        "users": {0: {"roles": "Full Administrator; Read-only Administrator"}}
    },
    "user location blank means HQ": {"users": {2: {"location_name": None, "phone_number": "+358 9 4245 1002"}}},
    "user location = HQ name in another case": {"users": {0: {"location_name": "PÄÄKONTTORI"}}},
    "customer elsewhere: its locations unchecked": {
        "users": [
            {
                **CUSTOMER,
                "customer_external_id": "FI-9",
                "email": "x@y.fi",
                "package": "webex_calling",
                "location_name": "Somewhere",
                "phone_number": "+358 40 123 4567",
            }
        ],
    },
    "state given for US": {"customers": {1: {"country": "US", "postal_code": "10001", "state_or_province": "NY"}}},
    "country without postal codes": {"customers": {1: {"country": "AE", "postal_code": None}}},
    "extension reused in another customer": {"users": {3: {"extension": "1001"}}},
    "meetings customer needs no HQ location": {"customers": {1: {"timezone": None, "hq_location_name": None}}},
    "calling user with extension only": {"users": {2: {"phone_number": None}}},
    # no calling, no location: the planner sends none, so an unknown one is neither checked nor wrong
    "meetings user location unknown": {"users": {1: {"location_name": "Oulu"}}},
    "meetings user location unknown, customer elsewhere": {
        "users": [
            {
                **CUSTOMER,
                "customer_external_id": "FI-9",
                "email": "k@y.fi",
                "package": "webex_meetings",
                "location_name": "Oulu",
            }
        ],
    },
    "meetings admin of a meetings customer names a location": {"users": {3: {"location_name": "Turku"}}},
}


@pytest.mark.parametrize("changes", PASSING.values(), ids=PASSING.keys())
def test_rule_passes(changes: dict[str, Any]) -> None:
    rows = with_changes(**changes)
    problems = [p for p in run(rows).problems if p.rule != "users.customer_external_id.not_in_batch"]
    assert problems == []
