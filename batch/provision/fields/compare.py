"""A row against its object on the server: the differences, after normalizing both sides (pure: no I/O).

An unchanged row must never be reported changed, so both sides go through the same normalization before
they are compared: whitespace collapsed and case folded in text, phone numbers as bare E.164, language
codes as ``fi_fi``, time zones case-insensitive, packages as a set (their order is not a change — only the
first one, the customer's package level, is special). A blank cell never clears anything: only what the
row fills in is compared.

Everything here reads the objects the run's look-ups already fetched (the customer listing, the org's
location listing, the customer's subscriber listing), so comparing costs no request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batch.provision.fields.bodies import language, location_address, text, wholesale_address

NONE = "(none)"
_SPACE = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"[^\d]")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``field: old → new`` (``field: + new`` when something is added)."""

    field: str
    old: str | None
    new: str

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.field}: + {self.new}"
        return f"{self.field}: {self.old or NONE} → {self.new}"


def norm_text(value: Any) -> str:
    """Trimmed, inner whitespace collapsed, case folded: ``' Hämeentie  15 '`` == ``'hämeentie 15'``."""
    return _SPACE.sub(" ", str(value or "")).strip().casefold()


def norm_phone(value: Any) -> str:
    """``+358 9 4245-1000`` and ``00358942451000`` → ``+358942451000``: separators and prefixes are not a change."""
    raw = str(value or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    digits = _NOT_DIGIT.sub("", raw)
    return f"+{digits}" if digits else ""


def norm_language(value: Any) -> str:
    """``fi-FI`` / ``FI_fi`` → ``fi_fi``; ``en`` stays ``en``."""
    return norm_text(value).replace("-", "_")


def strs(changes: Iterable[Change]) -> tuple[str, ...]:
    return tuple(str(c) for c in changes)


# ---- customers -----------------------------------------------------------------------------------

#: wholesale ``address`` field → the row column a partner knows it by.
WHOLESALE_COLUMNS = {
    "addressLine1": "address_line1",
    "addressLine2": "address_line2",
    "city": "city",
    "stateOrProvince": "state_or_province",
    "zipOrPostalCode": "postal_code",
    "country": "country",
}
#: locations API ``address`` field → row column.
LOCATION_COLUMNS = {
    "address1": "address_line1",
    "address2": "address_line2",
    "city": "city",
    "state": "state_or_province",
    "postalCode": "postal_code",
    "country": "country",
}


def address_changes(wanted: Mapping[str, Any], have: Mapping[str, Any], columns: Mapping[str, str]) -> list[Change]:
    """Only the fields the row fills in (``wanted`` is already compact): a blank cell clears nothing."""
    return [
        Change(columns[name], text(have.get(name)) or "", str(value))
        for name, value in wanted.items()
        if name in columns and norm_text(value) != norm_text(have.get(name))
    ]


def merged_address(wanted: Mapping[str, Any], have: Mapping[str, Any]) -> dict[str, Any]:
    """The server's address with the row's filled fields over it (what a whole-object PUT sends back)."""
    return {**{k: v for k, v in have.items() if v not in (None, "")}, **wanted}


def package_list(item: Mapping[str, Any]) -> list[str]:
    return [str(p) for p in item.get("packages") or ([item["package"]] if item.get("package") else [])]


def customer_changes(fields: Mapping[str, Any], item: Mapping[str, Any]) -> list[Change]:
    """Packages (as a set) and the billing/HQ address of a customers row against the wholesale customer."""
    changes: list[Change] = []
    wanted, have = list(fields.get("packages_list") or ()), package_list(item)
    if wanted and set(wanted) != set(have):
        changes.append(Change("packages", ";".join(have), ";".join(wanted)))
    changes += address_changes(wholesale_address(fields), item.get("address") or {}, WHOLESALE_COLUMNS)
    return changes


def customer_refusal(fields: Mapping[str, Any], item: Mapping[str, Any]) -> str | None:
    """Why the row's packages cannot be applied: the package level (the first package) never changes."""
    wanted, have = list(fields.get("packages_list") or ()), package_list(item)
    if not wanted or not have or set(wanted) == set(have) or wanted[0] == have[0]:
        return None
    return (
        f"the customer's package level is {have[0]} (its first package) and cannot be changed: "
        f"put {have[0]} first in packages (add or remove only the other packages)"
    )


#: Package changes Webex licensing refuses (webex-api.md §11.20, SPEC-ADM ``ErrorDetail``): (from, to) → code.
FORBIDDEN_PACKAGE_CHANGES = {
    ("webex_calling", "webex_calling_standard"): "400112 Professional to Standard",
    ("cx_essentials", "webex_calling_standard"): "400410 Customer Experience Essentials to Standard",
}


def subscriber_refusal(fields: Mapping[str, Any], item: Mapping[str, Any]) -> str | None:
    """Why a user's package change cannot be applied: a change Webex licensing forbids, said before sending."""
    wanted = text(fields.get("package_resolved"))
    for have in package_list(item):
        if wanted and (rule := FORBIDDEN_PACKAGE_CHANGES.get((have, wanted))):
            return (
                f"Webex does not change a user's package from {have} to {wanted} (licensing, error {rule}): "
                f"keep {have} on the users row, or remove the user and provision them again"
            )
    return None


def customer_packages(fields: Mapping[str, Any]) -> list[str]:
    """The complete package list a customer PUT sends (webex-api.md §2.5: a package left out is removed)."""
    return list(dict.fromkeys(str(p) for p in fields.get("packages_list") or ()))


# ---- locations -----------------------------------------------------------------------------------


def location_address_wanted(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The row's location address; the state the body fills from the city is not the row's, so not compared."""
    wanted = location_address(fields)
    if not text(fields.get("state_or_province")):
        wanted.pop("state", None)
    return wanted


def location_changes(fields: Mapping[str, Any], item: Mapping[str, Any]) -> list[Change]:
    """Address, time zone and both languages of a locations row against ``GET /locations`` item."""
    changes = address_changes(location_address_wanted(fields), item.get("address") or {}, LOCATION_COLUMNS)
    zone = text(fields.get("timezone_resolved")) or text(fields.get("timezone"))
    if zone and norm_text(zone) != norm_text(item.get("timeZone")):
        changes.append(Change("timezone", text(item.get("timeZone")) or "", zone))
    for column, name in (
        ("preferred_language", "preferredLanguage"),
        ("announcement_language", "announcementLanguage"),
    ):
        value = language(fields.get(column))
        if value and norm_language(value) != norm_language(item.get(name)):
            changes.append(Change(column, text(item.get(name)) or "", value))
    return changes


def location_put_body(fields: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /locations/{id}`` (``PutCommonLocationObject``): the whole object, the row's values over the
    server's, so nothing the row leaves blank is cleared even if the PUT replaces everything."""
    body: dict[str, Any] = {"name": item.get("name") or text(fields.get("location_name"))}
    zone = text(fields.get("timezone_resolved")) or text(fields.get("timezone")) or text(item.get("timeZone"))
    if zone:
        body["timeZone"] = zone
    preferred = language(fields.get("preferred_language")) or text(item.get("preferredLanguage"))
    if preferred:
        body["preferredLanguage"] = preferred
    address = merged_address(location_address_wanted(fields), item.get("address") or {})
    if not address.get("state") and address.get("city"):
        address["state"] = address["city"]  # required by the PUT; the create sends the city too (bodies.py)
    body["address"] = address
    return body


# ---- numbers, main number ------------------------------------------------------------------------


def added_numbers(wanted: Sequence[str], present: Iterable[str]) -> list[str]:
    have = {norm_phone(n) for n in present}
    return [n for n in dict.fromkeys(wanted) if norm_phone(n) not in have]


def same_number(a: Any, b: Any) -> bool:
    return bool(a) and bool(b) and norm_phone(a) == norm_phone(b)


# ---- subscribers ---------------------------------------------------------------------------------


def subscriber_changes(fields: Mapping[str, Any], item: Mapping[str, Any]) -> list[Change]:
    """The package of a users row against the subscriber (number, extension and location can only be
    given with a move from meetings to calling, webex-api.md §3.4, so they are not compared otherwise)."""
    wanted, have = text(fields.get("package_resolved")), package_list(item)
    if wanted and have and wanted not in have:
        return [Change("package", ", ".join(have), wanted)]
    return []
