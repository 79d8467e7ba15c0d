"""The wholesale package-change rules, shared by the customer and subscriber PUTs.

Package changes (webex-api.md §2.5, §3.4), checked before anything is changed:
- a full administrator's package is not changed ("No downgrade of the package is supported for the
  customer administrator"): 400;
- Webex Calling Professional → Standard (400112) and Customer Assist → Standard (400410) are refused;
- ``provisioningParameters`` are only taken on a move from meetings to a calling package;
- a customer PUT may not drop a package that subscribers still hold: 409.
"""

from __future__ import annotations

from batch.emulator.http import CODE_CONFLICT, ApiProblem
from batch.emulator.records import FULL_ADMIN
from batch.emulator.state import Customer, EmulatorState, Person, Subscriber
from schemas.vocab import CALLING_PACKAGES

#: errorCodes of the licence conflicts (SPEC-ADM ``ErrorDetail``).
PROFESSIONAL_TO_STANDARD = 400112
CX_TO_STANDARD = 400410
ADMIN_PACKAGE = 400100


def is_full_admin(state: EmulatorState, person: Person | None) -> bool:
    role = state.role_by_name(FULL_ADMIN)
    return person is not None and role is not None and role.id in person.roles


def check_subscriber_change(
    state: EmulatorState, customer: Customer, sub: Subscriber, package: str, has_params: bool
) -> None:
    """Refuse a package change the API refuses (raises ``ApiProblem``; nothing is changed)."""
    old = sub.package
    if package == old:
        return
    person = state.people.get(sub.person_id) if sub.person_id else None
    if is_full_admin(state, person):
        raise ApiProblem(
            400,
            "No downgrade of the package is supported for the customer administrator (full administrator)",
            ADMIN_PACKAGE,
        )
    if old == "webex_calling" and package == "webex_calling_standard":
        raise ApiProblem(
            400,
            "Changing a user's Webex Calling license from Professional to Standard is not allowed",
            PROFESSIONAL_TO_STANDARD,
        )
    if old == "cx_essentials" and package == "webex_calling_standard":
        raise ApiProblem(
            400, "Changing a user's license from CX Essential to Webex Calling Standard is not allowed", CX_TO_STANDARD
        )
    to_calling = package in CALLING_PACKAGES and old not in CALLING_PACKAGES
    if has_params and not to_calling:
        raise ApiProblem(
            400,
            "provisioningParameters should only be supplied when changing from the webex_meetings package "
            "to a calling-enabled package",
        )


def check_customer_packages(state: EmulatorState, customer: Customer, packages: list[str]) -> None:
    """A package left out of the complete list is removed: not while subscribers of this customer hold it."""
    held = {s.package for s in state.subscribers_of(customer.id)}
    dropped = sorted(p for p in customer.packages if p not in packages and p in held)
    if dropped:
        raise ApiProblem(
            409,
            f"Package {', '.join(dropped)} cannot be removed: subscribers of this customer still have it",
            CODE_CONFLICT,
        )
