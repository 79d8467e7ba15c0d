"""The checked fields of a location body, shared by ``/v1/locations`` and the calling-location routes.

Choices where the specs are silent: a location name is unique per org, case-insensitively (a second one is
a 409); ``/v1/locations`` accepts names up to 256 characters, enabling calling limits them to 80 (spec text).
"""

from __future__ import annotations

from typing import Any

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, ApiProblem, EmulatorContext
from batch.emulator.org.scope import compact, text
from batch.emulator.state import Location, Org
from batch.emulator.vocab import time_zones

NAME_MAX = 256
CALLING_NAME_MAX = 80
ADDRESS_REQUIRED = ("address1", "city", "state", "postalCode", "country")


def location_json(location: Location) -> dict[str, Any]:
    """The Location object of ``GET /locations`` (webex-api.md §4.1)."""
    return compact(
        {
            "id": location.id,
            "name": location.name,
            "orgId": location.org_id,
            "timeZone": location.time_zone,
            "preferredLanguage": location.preferred_language,
            "announcementLanguage": location.announcement_language,
            "address": compact(dict(location.address)),
        }
    )


def language(body: dict[str, Any], name: str) -> str:
    value = text(body, name) or ""
    code = value.lower()
    if len(code) != 5 or code[2] != "_" or not (code[:2] + code[3:]).isalpha():
        raise ApiProblem(400, f"{name} must be a language code like en_us, got {value!r}", CODE_INVALID)
    return code


def address_fields(body: dict[str, Any]) -> dict[str, Any]:
    address = body.get("address")
    if not isinstance(address, dict):
        raise ApiProblem(400, "address is required", CODE_INVALID)
    fields = {name: text(address, name, where="address.") for name in ADDRESS_REQUIRED}
    fields["address2"] = text(address, "address2", required=False, where="address.")
    country = fields["country"] or ""
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise ApiProblem(400, f"address.country must be an ISO-3166 2-letter code, got {country!r}", CODE_INVALID)
    fields["country"] = country.upper()
    return {k: fields[k] for k in ("address1", "address2", "city", "state", "postalCode", "country")}


def location_fields(body: dict[str, Any], *, name_max: int) -> dict[str, Any]:
    """The checked fields shared by ``POST /locations`` and ``POST /telephony/config/locations``."""
    name = (text(body, "name", max_len=name_max) or "").strip()
    zone = text(body, "timeZone") or ""
    if zone not in time_zones():
        raise ApiProblem(400, f"timeZone {zone!r} is not a valid IANA time zone (e.g. Europe/Helsinki)", CODE_INVALID)
    for optional in ("latitude", "longitude", "notes"):
        text(body, optional, required=False)
    return {
        "name": name,
        "time_zone": zone,
        "preferred_language": language(body, "preferredLanguage"),
        "announcement_language": language(body, "announcementLanguage"),
        "address": address_fields(body),
    }


def check_name_free(ctx: EmulatorContext, org: Org, name: str, itself: str | None = None) -> None:
    clash = ctx.state.location_by_name(org.id, name)
    if clash is not None and clash.id != itself:
        raise ApiProblem(409, f"Location name {name!r} already exists in this organization", CODE_CONFLICT)
