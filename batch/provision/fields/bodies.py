"""Request bodies of the org-level actions, built from validated rows, and how an API failure becomes a result.

Kept apart from the actions so each body can be read against the official spec in one place: the field
names differ between the wholesale API (``addressLine1``/``stateOrProvince``/``zipOrPostalCode``,
``timezone``) and the locations API (``address1``/``state``/``postalCode``, ``timeZone``). A blank cell is
left out of a body, never sent as ``""`` or ``null`` (the specs type every field as a string).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

#: ``numberType`` values of ``POST .../numbers`` that rtm-batch uses (mobile numbers are not a partner-sheet thing).
DID, TOLL_FREE = "DID", "TOLLFREE"


def text(value: Any) -> str | None:
    """A cell as trimmed text, None when blank."""
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def compact(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Drop blank fields, so an optional empty cell is absent from the body rather than ``""``."""
    return {k: v for k, v in mapping.items() if v is not None and v != "" and v != {}}


def country(fields: Mapping[str, Any]) -> str | None:
    """ISO-3166 alpha-2, upper case (the validator stores it as ``country_code``)."""
    value = text(fields.get("country_code")) or text(fields.get("country"))
    return value.upper() if value else None


def language(value: Any) -> str | None:
    """Location languages as Webex spells them (``fi_fi``, ``en_us``); validation accepted any case."""
    out = text(value)
    return out.lower() if out else None


# ---- wholesale customer ----------------------------------------------------------------------------


def wholesale_address(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The wholesale ``address`` object: billing address, and the HQ calling location's address too."""
    return compact(
        {
            "addressLine1": text(fields.get("address_line1")),
            "addressLine2": text(fields.get("address_line2")),
            "city": text(fields.get("city")),
            "stateOrProvince": text(fields.get("state_or_province")),
            "zipOrPostalCode": text(fields.get("postal_code")),
            "country": country(fields),
        }
    )


def customer_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /wholesale/customers`` (webex-api.md §2.2): one customer row of the validated batch."""
    body: dict[str, Any] = {
        "provisioningId": text(fields.get("provisioning_id_resolved")),
        "packages": list(fields.get("packages_list") or ()),
        "externalId": text(fields.get("external_id")),
        "address": wholesale_address(fields),
        "customerInfo": compact(
            {
                "name": text(fields.get("company_name")),
                "primaryEmail": text(fields.get("admin_email")),
                "language": text(fields.get("language")),
            }
        ),
    }
    if fields.get("calling"):
        location = compact(
            {
                "name": text(fields.get("hq_location_name")),
                "address": wholesale_address(fields),
                "timezone": text(fields.get("timezone_resolved")) or text(fields.get("timezone")),
                "language": language(fields.get("location_language")),
                "emergencyLocationIdentifier": text(fields.get("emergency_location_identifier")),
            }
        )
        body["provisioningParameters"] = {"calling": {"location": location}}
    return compact(body)


# ---- locations -------------------------------------------------------------------------------------


def location_address(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The locations API ``address``; ``state`` and ``postalCode`` are required there.

    Finnish (and many other European) addresses have no state or province, but Webex requires
    ``address.state`` for a location: when the row leaves it blank we send the city, which is what
    Control Hub users type in that case.
    """
    city = text(fields.get("city"))
    return compact(
        {
            "address1": text(fields.get("address_line1")),
            "address2": text(fields.get("address_line2")),
            "city": city,
            "state": text(fields.get("state_or_province")) or city,
            "postalCode": text(fields.get("postal_code")),
            "country": country(fields),
        }
    )


def location_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /locations?orgId=`` (webex-locations.json): a locations row."""
    return compact(
        {
            "name": text(fields.get("location_name")),
            "timeZone": text(fields.get("timezone_resolved")) or text(fields.get("timezone")),
            "preferredLanguage": language(fields.get("preferred_language")),
            "announcementLanguage": language(fields.get("announcement_language")),
            "address": location_address(fields),
        }
    )


def calling_body(location_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /telephony/config/locations?orgId=`` (webex-lcs.json): the location again, with its id."""
    return {"id": location_id, **location_body(fields)}


def numbers_bodies(numbers: list[str], state: str | None = None) -> list[dict[str, Any]]:
    """``POST .../locations/{id}/numbers`` bodies: one per number type (toll-free numbers must say so).

    ``state`` is the row's ``numbers_state`` (``active``, the default, or ``inactive`` for numbers still
    being ported), sent upper case as the API spells it."""
    by_type: dict[str, list[str]] = {}
    for number in numbers:
        by_type.setdefault(number_type(number), []).append(number)
    upper = (state or "active").upper()
    return [{"phoneNumbers": found, "numberType": kind, "state": upper} for kind, found in sorted(by_type.items())]


def number_type(e164: str) -> str:
    """``TOLLFREE`` for a toll-free number (libphonenumber's metadata), else ``DID``."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return DID
    return TOLL_FREE if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE else DID


#: Fields the locations API requires → the row column that fills them (a blank one fails the row unsent).
LOCATION_REQUIRED: tuple[tuple[str, str], ...] = (("timeZone", "timezone"), ("preferredLanguage", "preferred_language"))
LOCATION_REQUIRED += (("announcementLanguage", "announcement_language"),)
ADDRESS_REQUIRED = (
    ("address1", "address_line1"),
    ("city", "city"),
    ("postalCode", "postal_code"),
    ("country", "country"),
)


def missing_location_fields(body: Mapping[str, Any]) -> list[str]:
    """Row columns the locations API needs that the row leaves blank (checked before spending a request)."""
    address = body.get("address") or {}
    return [column for name, column in LOCATION_REQUIRED if name not in body] + [
        column for name, column in ADDRESS_REQUIRED if name not in address
    ]
