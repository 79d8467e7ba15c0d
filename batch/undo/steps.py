"""What undo would do with each journal row, from the row alone (pure: no I/O).

Why a row becomes what it does: only what the run *made or changed* is reversed. A look-up (``exists``,
a reference, the headquarters Webex made) changed nothing; calling enabled and a main number set on a
location the run created go with that location; a ``--prune`` removal, a customer's package or address
and calling or a main number set on a location that was already there have no way back undo can take
safely, so they are named (``undo.not_reversible``) instead of being guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from batch import keys
from batch.jobs import CREATED, REMOVED, UNDONE, UPDATED, Kind
from batch.run.journal.store import Entry


class Action(StrEnum):
    """What undo does with one journal row."""

    REMOVE_ROLES = "remove roles"  # PUT /people/{id} with the roles it had before
    RESTORE_SUBSCRIBER = "restore subscriber"  # PUT /wholesale/subscribers/{id} with the package before
    DELETE_SUBSCRIBER = "delete subscriber"  # DELETE /wholesale/subscribers/{id}
    REMOVE_NUMBERS = "remove numbers"  # DELETE /telephony/config/locations/{id}/numbers, 5 at a time
    RESTORE_LOCATION = "restore location"  # PUT /locations/{id} with the fields before
    RESTORE_CUSTOMER = "restore customer"  # PUT /wholesale/customers/{id} with the packages and address before
    DELETE_LOCATION = "delete location"  # safe-delete check, disable-calling job, DELETE /locations/{id}
    UNMAP_CUSTOMER = "unmap customer"  # DELETE /wholesale/customers/{id}: Webex keeps the organization
    LEAVE = "leave"  # not reversible: named with the reason
    ALREADY = "already undone"  # an earlier undo did it (a resume)


#: Actions that delete an object: what ``--max-deletes`` counts (numbers one by one).
DELETES = frozenset({Action.DELETE_SUBSCRIBER, Action.REMOVE_NUMBERS, Action.DELETE_LOCATION, Action.UNMAP_CUSTOMER})

SHEETS: Mapping[str, str] = {
    Kind.CUSTOMER: "customers",
    Kind.HQ: "customers",
    Kind.LOCATION: "locations",
    Kind.CALLING: "locations",
    Kind.NUMBERS: "locations",
    Kind.MAIN_NUMBER: "locations",
    Kind.ACTIVATE: "locations",
    Kind.SUBSCRIBER: "users",
    Kind.ROLES: "users",
    Kind.REMOVE: "users",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One journal row and what undo does with it; ``customer`` is the external id ("" for a user until its
    subscriber is read: the journal keys users by email alone)."""

    entry: Entry
    action: Action
    sheet: str
    key: str
    customer: str
    note: str = ""  # LEAVE: why

    @property
    def before(self) -> Mapping[str, Any]:
        return dict((self.entry.images or {}).get("before") or {})

    @property
    def after(self) -> Mapping[str, Any]:
        return dict((self.entry.images or {}).get("after") or {})


NO_IMAGE = (
    "the run kept no before-image of this change (a number or extension change, or a journal from before undo "
    "existed): left as it is"
)
NOT_REVERSED = {
    Kind.REMOVE: "removed by --prune: undo does not bring subscribers back (OUT/backup-before-prune.xlsx holds them, "
    "ready to run)",
    Kind.CALLING: "calling was enabled on a location that was there before the run: undo leaves it enabled",
    Kind.MAIN_NUMBER: "the main number of a location that was there before the run is left as it is",
    Kind.ACTIVATE: "activated numbers stay active (deactivating ported numbers could cut calls)",
}


def was(entry: Entry) -> str:
    """How the run left the row: its status, or for a row undo marked ``undone``, the status it had."""
    return str((entry.images or {}).get("was") or entry.status) if entry.status == UNDONE else entry.status


def plan_steps(entries: Sequence[Entry]) -> list[Step]:
    """The journal's rows (newest first) that undo reverses or names, in the order it takes them."""
    created_locations = {keys.natural_of(e.key) for e in entries if e.kind == Kind.LOCATION and was(e) == CREATED}
    created_customers = {keys.natural_of(e.key) for e in entries if e.kind == Kind.CUSTOMER and was(e) == CREATED}
    steps = []
    for entry in entries:
        step = _step(entry, created_locations, created_customers)
        if step is not None:
            steps.append(step)
    return steps


def _step(entry: Entry, created_locations: set[str], created_customers: set[str]) -> Step | None:
    kind, natural = entry.kind, keys.natural_of(entry.key)
    sheet = SHEETS.get(kind)
    if sheet is None or entry.status not in (CREATED, UPDATED, REMOVED, UNDONE):
        return None  # a look-up, or work that did not succeed: nothing was changed
    customer = "" if sheet == "users" else natural.split("/", 1)[0]
    key = natural if kind != Kind.HQ else f"{natural} (headquarters)"

    def made(action: Action, note: str = "") -> Step:
        return Step(entry, action, sheet, key, customer, note)

    action = _action(kind, was(entry), natural in created_locations)
    if kind in (Kind.CALLING, Kind.MAIN_NUMBER) and customer in created_customers:
        return None  # the headquarters of a customer the run created: Webex keeps it with the organization
    if entry.status == UNDONE:
        return made(Action.ALREADY) if action is not None else None
    if action is None:
        return None
    if action == Action.LEAVE:
        return made(action, NOT_REVERSED[Kind(kind)])
    if entry.images is None:
        return made(Action.LEAVE, NO_IMAGE)
    return made(action)


def _action(kind: str, status: str, in_created_location: bool) -> Action | None:
    """Which reversal a row of ``kind`` that ended ``status`` needs (None: it needs none)."""
    if kind == Kind.REMOVE:
        return Action.LEAVE
    if kind in (Kind.CALLING, Kind.MAIN_NUMBER, Kind.NUMBERS) and in_created_location:
        return None  # the location's deletion takes its calling, numbers and main number with it
    if kind in (Kind.CALLING, Kind.MAIN_NUMBER):
        return Action.LEAVE
    table: Mapping[tuple[str, str], Action] = {
        (Kind.ROLES, CREATED): Action.REMOVE_ROLES,
        (Kind.SUBSCRIBER, CREATED): Action.DELETE_SUBSCRIBER,
        (Kind.SUBSCRIBER, UPDATED): Action.RESTORE_SUBSCRIBER,
        (Kind.NUMBERS, CREATED): Action.REMOVE_NUMBERS,
        (Kind.LOCATION, CREATED): Action.DELETE_LOCATION,
        (Kind.LOCATION, UPDATED): Action.RESTORE_LOCATION,
        (Kind.HQ, UPDATED): Action.RESTORE_LOCATION,
        (Kind.CUSTOMER, CREATED): Action.UNMAP_CUSTOMER,
        (Kind.CUSTOMER, UPDATED): Action.RESTORE_CUSTOMER,
        (Kind.ACTIVATE, CREATED): Action.LEAVE,
    }
    return table.get((kind, status))
