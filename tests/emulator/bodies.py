"""Request bodies for the wholesale API, made per test (valid by default, override what a test is about)."""

from __future__ import annotations

import copy
from typing import Any

ADDRESS = {
    "addressLine1": "Hämeentie 15",
    "addressLine2": "3. krs",
    "city": "Helsinki",
    "stateOrProvince": "Uusimaa",
    "zipOrPostalCode": "00510",
    "country": "FI",
}


def customer_body(external_id: str = "FI-000123", **overrides: Any) -> dict[str, Any]:
    """A POST /wholesale/customers body with a calling package and its HQ calling location."""
    body: dict[str, Any] = {
        "provisioningId": "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2",
        "packages": ["webex_calling", "webex_meetings"],
        "externalId": external_id,
        "address": copy.deepcopy(ADDRESS),
        "customerInfo": {
            "name": "Mäkelän Konepaja Oy",
            "primaryEmail": f"admin.{external_id.lower()}@example.fi",
            "language": "fi",
        },
        "provisioningParameters": {
            "calling": {
                "location": {
                    "name": "Pääkonttori",
                    "address": copy.deepcopy(ADDRESS),
                    "timezone": "Europe/Helsinki",
                    "language": "fi_fi",
                }
            }
        },
    }
    body.update(overrides)
    return body


def subscriber_body(customer_id: str, email: str = "matti.meikalainen@example.fi", **overrides: Any) -> dict[str, Any]:
    """A POST /wholesale/subscribers body: one calling package, an extension, HQ by default."""
    body: dict[str, Any] = {
        "customerId": customer_id,
        "email": email,
        "packages": ["webex_calling"],
        "provisioningParameters": {"firstName": "Matti", "lastName": "Meikäläinen", "extension": "1001"},
    }
    body.update(overrides)
    return body


def location_body(name: str = "Espoo Office", **overrides: Any) -> dict[str, Any]:
    """A POST /locations body (also the location part of enabling calling)."""
    body = {
        "name": name,
        "timeZone": "Europe/Helsinki",
        "preferredLanguage": "en_us",
        "announcementLanguage": "fi_fi",
        "address": {
            "address1": "Keilaranta 1",
            "city": "Espoo",
            "state": "Uusimaa",
            "postalCode": "02150",
            "country": "FI",
        },
    }
    body.update(overrides)
    return body
