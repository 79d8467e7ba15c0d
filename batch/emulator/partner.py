"""The partner the emulator's token belongs to: its own org and its administrator (``GET /people/me``).

Why separate from the customers' world: the partner org is not a customer (no locations, numbers or
subscribers), so it stays out of the state's tables, its snapshot and the saved state; its ids are derived
from fixed names, so they are the same in every run and draw nothing from the seeded id generator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from batch.emulator.records import FULL_ADMIN, Org, Person, encode_id

NAME = "Emulated Partner"
ADMIN_EMAIL = "partner.admin@partner.example.com"


def _id(kind: str, name: str) -> str:
    return encode_id(kind, uuid.uuid5(uuid.NAMESPACE_URL, f"rtm-batch-emulator/partner/{name}"))


@dataclass(frozen=True, slots=True)
class Partner:
    org: Org
    admin: Person


def make_partner(full_admin_role: str) -> Partner:
    """The partner org and its full administrator (``full_admin_role``: the id of the role named FULL_ADMIN)."""
    org = Org(_id("ORGANIZATION", "org"), NAME, None, "2020-01-01T00:00:00.000Z")
    admin = Person(
        id=_id("PEOPLE", "admin"),
        org_id=org.id,
        emails=[ADMIN_EMAIL],
        first_name="Partner",
        last_name="Admin",
        display_name=f"Partner Admin ({FULL_ADMIN})",
        roles=[full_admin_role],
        location_id=None,
        phone_numbers=[],
        extension=None,
        licenses=[],
        created="2020-01-01T00:00:00.000Z",
    )
    return Partner(org, admin)
