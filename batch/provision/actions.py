"""One async function per job kind: look the object up by its natural key, create it only when absent.

Each action is ``async def act(job, ctx) -> Outcome``; see ``batch.jobs`` for keys, refs and ids.
"""

from __future__ import annotations

from collections.abc import Mapping

from batch.jobs import Kind
from batch.provision import customers, locations, prune, users
from batch.provision.context import Action

ACTIONS: Mapping[Kind, Action] = {
    Kind.CUSTOMER: customers.customer,
    Kind.CUSTOMER_REF: customers.customer_ref,
    Kind.HQ: locations.hq,
    Kind.LOCATION: locations.location,
    Kind.LOCATION_REF: locations.location_ref,
    Kind.CALLING: locations.calling,
    Kind.NUMBERS: locations.numbers,
    Kind.MAIN_NUMBER: locations.main_number,
    Kind.SUBSCRIBER: users.subscriber,
    Kind.ROLES: users.roles,
    Kind.REMOVE: prune.remove,
}
