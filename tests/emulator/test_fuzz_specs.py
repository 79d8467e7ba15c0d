"""Property-based fuzzing of a live emulator against the official OpenAPI specs, with schemathesis (issue 17 item 7).

Why: hand-written tests check the answers their authors thought of; schemathesis draws request bodies and
parameters from the spec's own schemas and checks every answer against the same spec (status listed,
content type, response schema), so the emulator cannot drift from what the specs define. Path and ``orgId``
parameters are fixed to real ids of a seeded world, so the handlers run instead of answering 404.

Two checks of our own ride along: every fuzzed operation must be one the emulator serves (a routing 404/405
means a route the field's SDK calls is missing), and a calling-location PUT that answered 204 must read back
what it set. Bounded: a few operations, a fixed number of derandomized examples each (seconds, not minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body, location_body, subscriber_body
from tests.emulator.conftest import AUTH
from tests.openapi_check import load_spec

EXAMPLES = 12
#: (spec, method, path) of the operations fuzzed: the ones the partner flow and the field's SDK use.
OPERATIONS = (
    ("webex-lcs", "GET", "/telephony/config/locations/{locationId}"),
    ("webex-lcs", "PUT", "/telephony/config/locations/{locationId}"),
    ("webex-lcs", "POST", "/telephony/config/locations/{locationId}/actions/modifyAnnouncementLanguage/invoke"),
    ("webex-locations", "GET", "/locations/{locationId}"),
    ("webex-locations", "PUT", "/locations/{locationId}"),
    ("webex-numbers", "POST", "/telephony/config/actions/validateNumbers/invoke"),
    ("webex-numbers", "PUT", "/telephony/config/locations/{locationId}/numbers"),
    ("webex-numbers", "DELETE", "/telephony/config/locations/{locationId}/numbers"),
    ("webex-numbers", "GET", "/telephony/config/numbers"),
    ("webex-people", "GET", "/people/me"),
    ("webex-people", "GET", "/people/{personId}"),
    ("webex-wholesale", "GET", "/wholesale/customers/{customerId}"),
)
#: Calling-location fields a PUT sets and the GET after it must show (webex-api.md §11, closing paragraph).
KEPT = ("routingPrefix", "outsideDialDigit", "externalCallerIdName", "announcementLanguage")
ROUTING_MISS = "The requested resource could not be found."


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, str]]:
    """A live emulator holding a managed customer, a premises-based calling location on a trunk with numbers,
    and a calling user: the ids the fuzzed operations are pointed at."""
    load_spec("webex-lcs")  # skips with a clear reason when ../shared is absent
    config = EmulatorConfig(provisioning_seconds=0, rate=0)
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        yield {"base_url": base_url, **_seed(api)}


def _seed(api: httpx.Client) -> dict[str, str]:
    customer = api.get(api.post("/wholesale/customers", json=customer_body("FI-FUZZ")).headers["Location"]).json()
    org = customer["orgId"]
    api.get(f"/organizations/{org}").raise_for_status()
    scope = {"orgId": org}
    location = api.post("/locations", params=scope, json=location_body("Fuzz")).json()["id"]
    api.post("/telephony/config/locations", params=scope, json={"id": location, **location_body("Fuzz")})
    trunk = api.post(
        "/telephony/config/premisePstn/trunks",
        params=scope,
        json={"name": "Fuzz LGW", "locationId": location, "password": "Secret-1234", "trunkType": "REGISTERING"},
    ).json()["id"]
    api.put(
        f"/telephony/config/locations/{location}", params=scope, json={"connection": {"type": "TRUNK", "id": trunk}}
    ).raise_for_status()
    numbers = ["+358401239901", "+358401239902"]
    api.post(f"/telephony/config/locations/{location}/numbers", params=scope, json={"phoneNumbers": numbers})
    main = {"callingLineId": {"phoneNumber": numbers[1]}}  # a set-up location has one (the spec requires it)
    api.put(f"/telephony/config/locations/{location}", params=scope, json=main).raise_for_status()
    params = {"firstName": "F", "lastName": "Z", "extension": "3901", "locationId": location}
    params["primaryPhoneNumber"] = numbers[0]
    subscriber = api.post("/wholesale/subscribers", json=subscriber_body(customer["id"], provisioningParameters=params))
    return {
        "orgId": org,
        "locationId": location,
        "personId": subscriber.json()["personId"],
        "customerId": customer["id"],
    }


def implements_operation(ctx: Any, response: Any, case: Any) -> bool:
    """The emulator serves the operation: no routing 404 (the emulator's own words for an unknown path) or 405."""
    missing = response.status_code == 405 or (
        response.status_code == 404 and response.json().get("message") == ROUTING_MISS
    )
    assert not missing, f"{case.method} {case.path} is not served by the emulator ({response.status_code})"
    return True


def keeps_calling_settings(base_url: str, org: str) -> Callable[[Any, Any, Any], bool]:
    """After a calling-location PUT answered 204, a GET shows every field of ``KEPT`` the body set."""

    def check(ctx: Any, response: Any, case: Any) -> bool:
        if case.method != "PUT" or response.status_code != 204 or not isinstance(case.body, dict):
            return True
        url = f"{base_url}{case.formatted_path}"
        got = httpx.get(url, params={"orgId": org}, headers=AUTH, timeout=10).json()
        lost = {k: (v, got.get(k)) for k, v in case.body.items() if k in KEPT and got.get(k) != v}
        assert not lost, f"PUT answered 204 but the GET shows other values (sent, read back): {lost}"
        return True

    return check


@pytest.mark.parametrize(("stem", "method", "path"), OPERATIONS, ids=[f"{m} {p}" for _, m, p in OPERATIONS])
def test_the_emulator_answers_as_the_spec_defines(world: dict[str, str], stem: str, method: str, path: str) -> None:
    spec = load_spec(stem)
    schema = schemathesis.openapi.from_dict(spec).include(method=method, path=path)
    (result,) = list(schema.get_all_operations())
    operation = result.ok()
    fixed = {name: world[name] for name in ("locationId", "personId", "customerId") if f"{{{name}}}" in path}
    has_org = any(p.name == "orgId" for p in operation.query)
    strategy = operation.as_strategy(
        path_parameters=fixed or None, query={"orgId": world["orgId"]} if has_org else None
    )
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        implements_operation,
    ]
    if stem == "webex-lcs":
        checks.append(keeps_calling_settings(world["base_url"], world["orgId"]))

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def fuzz(case: Any, data: Any) -> None:
        response = case.call(base_url=world["base_url"], headers=AUTH)
        case.validate_response(response, checks=checks)

    fuzz()
