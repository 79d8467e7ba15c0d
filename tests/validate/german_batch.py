"""A small German batch (issue 18's trial partner): one calling customer in Hannover with a number range, a
branch in Dresden, two users. Valid as it stands; tests change one cell to plant what the trial met."""

from __future__ import annotations

import copy
from typing import Any

Rows = list[dict[str, Any]]

_ROWS: dict[str, Rows] = {
    "templates": [],
    "customers": [
        {
            "external_id": "DE-1",
            "company_name": "Müller Maschinenbau GmbH",
            "admin_email": "it@mueller-maschinenbau.de",
            "provisioning_id": "ZjViMzYxODctYzhkZC00NzI3",
            "packages": "webex_calling;webex_meetings",
            "address_line1": "Vahrenwalder Str. 7",
            "city": "Hannover",
            "postal_code": "30165",
            "country": "DE",
            "supported_location_confirmed": "ja",
            "hq_location_name": "Zentrale",
            "timezone": "Europe/Berlin",
            "location_language": "de_de",
            "numbers": "+49 511 4209700..+49 511 4209799",
            "main_number": "+49 511 4209700",
        }
    ],
    "locations": [
        {
            "customer_external_id": "DE-1",
            "location_name": "Dresden",
            "address_line1": "Prager Str. 2",
            "city": "Dresden",
            "postal_code": "01069",
            "country": "DE",
            "timezone": "Europe/Berlin",
            "preferred_language": "de_de",
            "announcement_language": "de_de",
            "numbers": "+49 351 4209800",
        }
    ],
    "users": [
        {
            "customer_external_id": "DE-1",
            "email": "anna.schmidt@mueller-maschinenbau.de",
            "first_name": "Anna",
            "last_name": "Schmidt",
            "package": "webex_calling",
            "phone_number": "+49 511 4209701",
            "extension": "701",
        },
        {
            "customer_external_id": "DE-1",
            "email": "jonas.weber@mueller-maschinenbau.de",
            "first_name": "Jonas",
            "last_name": "Weber",
            "package": "webex_calling",
            "location_name": "Dresden",
            "phone_number": "+49 351 4209800",
            "extension": "800",
        },
    ],
}


def german_rows(**changes: dict[int, dict[str, Any]]) -> dict[str, Rows]:
    """The German batch with cells changed: ``german_rows(users={0: {"phone_number": "495114209701"}})``."""
    rows = copy.deepcopy(_ROWS)
    for sheet, change in changes.items():
        for index, cells in change.items():
            rows[sheet][index].update(cells)
    return rows
