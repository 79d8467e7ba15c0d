"""Which reversals may run at once (pure: no I/O).

Why tiers and lanes: newest first is what undo promises between *dependent* objects, and only there. A user
holds a number, a package and a place in a location, so every user's reversal ends before any location's
(Webex's safe-delete check counts the users still there); a customer's package cannot go while a subscriber
holds it, nor its mapping while anything is left under it, so customers come last. Within a tier the objects
are independent, so their reversals run at once under the run's rate limiter and concurrency; the steps of
one object (a person's roles and number: both a whole-person PUT) stay in a lane, newest first, one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from batch.undo.steps import Action, Step

#: 0: users, 1: locations (the headquarters too) and their numbers, 2: customers. A step that sends nothing
#: (named, or done by an earlier undo) goes first: its row is what a customer's "left" check reads.
TIERS: Mapping[Action, int] = {
    Action.LEAVE: 0,
    Action.ALREADY: 0,
    Action.REMOVE_ROLES: 0,
    Action.RESTORE_SUBSCRIBER: 0,
    Action.RESTORE_CALLING: 0,
    Action.DELETE_SUBSCRIBER: 0,
    Action.DEACTIVATE_NUMBERS: 1,
    Action.REMOVE_NUMBERS: 1,
    Action.RESTORE_LOCATION: 1,
    Action.DELETE_LOCATION: 1,
    Action.RESTORE_CUSTOMER: 2,
    Action.UNMAP_CUSTOMER: 2,
}


def lanes(steps: Sequence[Step], indexes: Sequence[int]) -> list[list[list[int]]]:
    """``indexes`` (positions in ``steps``, newest first) as tiers of lanes: a tier's lanes may run at once,
    each lane's steps in order; tiers one after another."""
    tiers: list[dict[str, list[int]]] = [{} for _ in range(max(TIERS.values()) + 1)]
    for index in indexes:
        step = steps[index]
        tiers[TIERS[step.action]].setdefault(_object(step), []).append(index)
    return [list(tier.values()) for tier in tiers if tier]


def _object(step: Step) -> str:
    """What a step writes to: the person, the location, else the row's key (customers)."""
    ids = step.entry.ids
    return ids.get("person_id") or ids.get("location_id") or f"{step.sheet}:{step.key}"
