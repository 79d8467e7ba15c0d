"""Two small customers for the change-control tests: every number added ``inactive`` (being ported), so
activation has work; one further location, a few users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.builders import input_sheets, write_workbook
from tests.run.test_run_e2e import operator

NUMBERS_1 = ["+358942451000", "+358942451001", "+358942451002"]
NUMBERS_TAMPERE = ["+358356552000", "+358356552001"]
NUMBERS_2 = ["+358855552100", "+358855552101"]


def customer(ext: str, name: str, numbers: str, **extra: str) -> dict[str, str]:
    return {
        "external_id": ext,
        "company_name": name,
        "admin_email": f"admin@{ext.lower()}.fi",
        "provisioning_id": "cHJvdmlzaW9uaW5n",
        "packages": "webex_calling",
        "address_line1": "Hämeentie 15",
        "city": "Helsinki",
        "postal_code": "00510",
        "country": "FI",
        "supported_location_confirmed": "yes",
        "hq_location_name": "Pääkonttori",
        "timezone": "Europe/Helsinki",
        "location_language": "fi_fi",
        "numbers": numbers,
        "numbers_state": "inactive",
        **extra,
    }


TAMPERE = {
    "customer_external_id": "FI-ACT-1",
    "location_name": "Tampere",
    "address_line1": "Hatanpään valtatie 24",
    "city": "Tampere",
    "postal_code": "33100",
    "country": "FI",
    "timezone": "Europe/Helsinki",
    "preferred_language": "fi_fi",
    "announcement_language": "fi_fi",
    "numbers": "+358 3 5655 2000; +358 3 5655 2001",
    "numbers_state": "inactive",
}


def user(ext: str, email: str, extension: str) -> dict[str, str]:
    base = {"customer_external_id": ext, "email": email, "first_name": "Etu", "last_name": "Suku"}
    return base | {"package": "webex_calling", "extension": extension}


def write_batch(
    path: Path,
    *,
    cutover_1: str = "",
    users: int = 2,
    tampere: dict[str, str] | None = None,
    extra_users: tuple[dict[str, str], ...] = (),
) -> Path:
    """FI-ACT-1 (HQ numbers, Tampere) and FI-ACT-2 (HQ numbers); ``users`` calling users per customer."""
    extra = {"cutover_at": cutover_1} if cutover_1 else {}
    customers = [
        customer("FI-ACT-1", "Aktiivi Oy", "+358 9 4245 1000..+358 9 4245 1002", **extra),
        customer("FI-ACT-2", "Toinen Oy", "+358 8 5555 2100; +358 8 5555 2101"),
    ]
    people = [
        user(c["external_id"], f"u{i}@{c['external_id'].lower()}.fi", f"{100 + i}")
        for c in customers
        for i in range(users)
    ]
    people += list(extra_users)
    write_workbook(path, input_sheets(customers=customers, locations=[TAMPERE | (tampere or {})], users=people))
    return path


def number_states(base_url: str) -> dict[str, str]:
    return {n["phone_number"]: n["state"] for n in operator(base_url, "state")["numbers"]}


def writes(base_url: str) -> list[tuple[str, str, Any]]:
    """Every write the emulator received: (method, path, body)."""
    return [
        (e["method"], e["path"], json.loads(e["body"]) if e["body"] else None)
        for e in operator(base_url, "requests")
        if e["method"] != "GET"
    ]
