"""Records of the emulated Webex world (mutable, slotted) and the id/timestamp helpers they use.

``state.EmulatorState`` holds them and keeps the indexes; routes read and change them through it.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Kinds of Webex id this emulator hands out (``ciscospark://us/<KIND>/<uuid>``).
KINDS = ("CUSTOMER", "ORGANIZATION", "LOCATION", "PEOPLE", "ROLE", "SUBSCRIBER", "LICENSE", "TRUNK", "JOB")

#: ``GET /v1/roles`` of every org (names as Control Hub shows them).
ROLE_NAMES: tuple[str, ...] = (
    "Full Administrator",
    "User and Device Administrator",
    "Device Administrator",
    "Read-only Administrator",
    "Support Administrator",
    "Compliance Officer",
    "Provisioning Administrator",
)

FULL_ADMIN = "Full Administrator"

#: errorCode and text Webex answers when an email already belongs to a user (customer admin or subscriber).
EMAIL_TAKEN = 10022
EMAIL_TAKEN_MESSAGE = "The email is already associated with an existing user."


def encode_id(kind: str, value: uuid.UUID) -> str:
    """Webex ids are unpadded base64 of a ``ciscospark://`` URI (webex-api.md §5.4)."""
    raw = f"ciscospark://us/{kind}/{value}".encode()
    return base64.b64encode(raw).decode().rstrip("=")


def decode_id(webex_id: str) -> tuple[str, str] | None:
    """(KIND, uuid) of an id, or None when the text is not a Webex id."""
    try:
        text = base64.b64decode(webex_id + "=" * (-len(webex_id) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    parts = text.split("/")
    if len(parts) != 5 or parts[0] != "ciscospark:":
        return None
    return parts[3], parts[4]


def implicit_license_id(org_id: str) -> str:
    """The licence Webex gives every user of an org by itself (messaging): one per org, derived from the org's
    id so it needs no storage and draws nothing from the seeded id generator (webex-api.md §11.17)."""
    return encode_id("LICENSE", uuid.uuid5(uuid.NAMESPACE_URL, f"rtm-batch-emulator/implicit/{org_id}"))


def now_iso() -> str:
    """Wall-clock timestamp for ``created``/``lastStatusChange`` (ISO 8601, ms, Z)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Customer:
    id: str
    external_id: str
    org_id: str | None
    status: str
    packages: list[str]
    customer_info: dict[str, Any]
    address: dict[str, Any]
    provisioning_id: str
    provisioning_parameters: dict[str, Any]
    errors: list[dict[str, Any]]
    ready_at: float | None
    outcome: str | None
    created: str
    last_status_change: str
    #: package → licence id, made when the package is provisioned.
    licenses: dict[str, str] = field(default_factory=dict)
    #: package → warnings shown in ``resourceDetails`` (e.g. errorCode 2560).
    package_warnings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Packages whose provisioning failed (``status: error`` in ``resourceDetails``) while the customer is there.
    failed_packages: list[str] = field(default_factory=list)
    #: Clock seconds provisioning takes once a compliance review (``pending_rpl_review``) ends.
    provisioning_after_review: float = 0.0
    #: The sub-partner it was made on behalf of (``onBehalfOfSubPartnerOrgId``); None: the partner's own (§11.10).
    sub_partner: str | None = None


@dataclass(slots=True)
class Org:
    id: str
    name: str
    customer_id: str | None
    created: str = field(default_factory=now_iso)


@dataclass(slots=True)
class Location:
    id: str
    org_id: str
    name: str
    time_zone: str
    preferred_language: str
    announcement_language: str
    address: dict[str, Any]
    calling_enabled: bool = False
    main_number: str | None = None
    pstn_id: str | None = None  # the PSTN connection option set on the location (None: no connection)
    pstn_route: tuple[str, str] | None = None  # (premiseRouteType, premiseRouteId) of a premises-based one
    #: Calling settings a ``PUT /telephony/config/locations/{id}`` sets (None: the org's name is shown).
    routing_prefix: str = ""
    outside_dial_digit: str = ""
    enforce_outside_dial_digit: bool = False
    external_caller_id_name: str | None = None
    calling_line_name: str | None = None


@dataclass(slots=True)
class Number:
    phone_number: str
    org_id: str
    location_id: str
    state: str = "ACTIVE"
    owner_id: str | None = None
    main: bool = False


@dataclass(slots=True)
class Person:
    id: str
    org_id: str
    emails: list[str]
    first_name: str
    last_name: str
    display_name: str
    roles: list[str]
    location_id: str | None
    phone_numbers: list[dict[str, str]]
    extension: str | None
    licenses: list[str]
    created: str
    status: str = "active"


@dataclass(slots=True)
class Subscriber:
    id: str
    customer_id: str
    org_id: str
    person_id: str | None
    email: str
    package: str
    status: str
    location_id: str | None
    primary_phone_number: str | None
    extension: str | None
    first_name: str
    last_name: str
    created: str
    last_status_change: str
    #: Consent emails sent again with ``POST /subscribers/{id}/emails/consentMove`` (webex-api.md §11.4).
    consent_emails: int = 0


@dataclass(slots=True)
class Trunk:
    """A premises trunk (``/telephony/config/premisePstn/trunks``): what a premises-based location routes to."""

    id: str
    org_id: str
    name: str
    location_id: str
    trunk_type: str = "REGISTERING"


@dataclass(slots=True)
class Role:
    id: str
    name: str
