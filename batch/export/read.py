"""What the server holds for each customer, read with the run's own look-ups (``batch.provision.lookups``).

Per provisioned customer: its organization (the company name), its locations (the first is the
headquarters, as Webex lists the one wholesale provisioning made first), every number of the org with its
location, state and main-number flag (one listing: ``GET /telephony/config/numbers?orgId=``), each
location's PSTN connection, its subscribers, its people with their calling data (names, number, extension,
location), and the roles of the people that hold any (list items carry no roles, webex-api.md §11.1: one
``GET /people?roles=`` listing, then ``GET /people/{id}`` only for those). Only GETs are sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from batch.errors import ApiError, AuthError
from batch.provision.calling.pstn import connection
from batch.provision.context import ActionContext
from batch.provision.lookups import (
    FULL_ADMIN,
    NUMBERS,
    known_subscribers,
    org_locations,
    role_ids,
)

Item = dict[str, Any]
_T = TypeVar("_T")
#: People per page with calling data (the API allows up to 100 with ``callingData``).
PEOPLE_PAGE = 100


@dataclass(frozen=True, slots=True)
class ServerCustomer:
    """One wholesale customer and what hangs on it, as listed; ``problem`` says what could not be read."""

    customer: Item
    org_name: str | None = None
    locations: tuple[Item, ...] = ()
    numbers: tuple[Item, ...] = ()
    pstn: Mapping[str, Item | None] = field(default_factory=dict)
    subscribers: tuple[Item, ...] = ()
    people: Mapping[str, Item] = field(default_factory=dict)
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # person id -> role names
    full_admins: tuple[Item, ...] = ()  # people holding Full Administrator, earliest created first
    problem: str | None = None

    @property
    def external_id(self) -> str:
        return str(self.customer.get("externalId") or "")


async def read_customers(
    ctx: ActionContext,
    customers: list[Item],
    *,
    concurrency: int = 16,
    done: Callable[[int, ServerCustomer], None] | None = None,
) -> list[ServerCustomer]:
    """Each customer read whole, ``concurrency`` customers at a time; the result in the listing's order.
    ``done(index, customer)`` as each is read (in the order they finish; ``index`` is its listing place)."""
    found: list[ServerCustomer | None] = [None] * len(customers)
    limiter = anyio.CapacityLimiter(max(1, concurrency))

    async def one(index: int, customer: Item) -> None:
        async with limiter:
            found[index] = read = await read_customer(ctx, customer)
        if done is not None:
            done(index, read)

    async with anyio.create_task_group() as group:
        for index, customer in enumerate(customers):
            group.start_soon(one, index, customer)
    return [c for c in found if c is not None]


async def read_customer(ctx: ActionContext, customer: Item) -> ServerCustomer:
    """Everything under one customer; an API failure below the customer becomes its ``problem``."""
    org_id = str(customer.get("orgId") or "")
    if not org_id:
        status = customer.get("status") or "unknown"
        return ServerCustomer(customer, problem=f"status {status}: Webex shows no organization to read yet")
    try:
        return await _read_org(ctx, customer, org_id)
    except AuthError:
        raise
    except ApiError as err:
        return ServerCustomer(customer, problem=f"could not be read: {err}")


async def _read_org(ctx: ActionContext, customer: Item, org_id: str) -> ServerCustomer:
    """The org first (it makes the org manageable, §10.1), then its listings side by side: the pace is the
    client's, so running them at once costs no request, and it shortens each customer's chain of waits,
    which is what an export's start and tail are made of (the last customers read one call after another
    while the rest of the budget idles)."""
    client = ctx.client
    org = await client.manage_org(org_id)  # the company name; also puts the org in the managed list (§10.1)
    people = {"orgId": org_id, "callingData": "true", "max": PEOPLE_PAGE}
    listed: list[Any] = await _all(
        _locations_and_pstn(ctx, org_id),
        client.get_all(NUMBERS, {"orgId": org_id}, items_key="phoneNumbers"),
        known_subscribers(ctx, str(customer["id"])),
        client.get_all("/people", people),
        _roles(ctx, org_id),
    )
    (locations, pstn), numbers, subscribers, persons, (roles, admins) = listed
    return ServerCustomer(
        customer,
        org_name=str(org.get("displayName") or "") or None,
        locations=tuple(locations),
        numbers=tuple(numbers),
        pstn=pstn,
        subscribers=tuple(subscribers.values()),
        people={str(p["id"]): p for p in persons if p.get("id")},
        roles=roles,
        full_admins=tuple(admins),
    )


async def _locations_and_pstn(ctx: ActionContext, org_id: str) -> tuple[list[Item], dict[str, Item | None]]:
    """The org's locations, then each one's PSTN connection (all at once)."""
    locations = await org_locations(ctx, org_id)
    ids = [str(loc["id"]) for loc in locations if loc.get("id")]
    return locations, dict(zip(ids, await _all(*(_connection(ctx, org_id, i) for i in ids)), strict=True))


async def _all(*reads: Awaitable[_T]) -> list[_T]:
    """Every read at once, the results in the order given. The first failure is raised as itself (the rest
    cancelled), not wrapped in an exception group, so ``read_customer`` still catches an ``ApiError``."""
    results: list[_T | None] = [None] * len(reads)
    failed: list[Exception] = []

    async with anyio.create_task_group() as group:

        async def one(index: int, read: Awaitable[_T]) -> None:
            try:
                results[index] = await read
            except Exception as exc:  # noqa: BLE001 (raised again below, once the group has ended)
                failed.append(exc)
                group.cancel_scope.cancel()

        for index, read in enumerate(reads):
            group.start_soon(one, index, read)
    if failed:
        raise failed[0]
    return results  # type: ignore[return-value]  # every slot is filled when nothing failed


async def _connection(ctx: ActionContext, org_id: str, location_id: str) -> Item | None:
    """The location's PSTN connection; None when it has none (or is no calling location: 400/404)."""
    try:
        return await connection(ctx, org_id, location_id)
    except AuthError:
        raise
    except ApiError as err:
        if err.status in (400, 404):
            return None
        raise


async def _roles(ctx: ActionContext, org_id: str) -> tuple[dict[str, tuple[str, ...]], list[Item]]:
    """Person id → role names for the people holding any role, and the full administrators (earliest first)."""
    known = await role_ids(ctx)
    if not known:
        return {}, []
    names = {str(role["id"]): str(role["name"]) for role in known.values()}
    holders = await ctx.client.get_all("/people", {"orgId": org_id, "roles": ",".join(names)})
    ids = [str(h["id"]) for h in holders if h.get("id")]  # a pseudo-item is no person (§11.9)
    people = await _all(*(ctx.client.get(f"/people/{i}") for i in ids))
    roles: dict[str, tuple[str, ...]] = {}
    admins: list[Item] = []
    full = known.get(FULL_ADMIN)
    for person in people:
        held = [str(r) for r in person.get("roles") or []]
        roles[str(person["id"])] = tuple(names[r] for r in held if r in names)
        if full is not None and str(full["id"]) in held:
            admins.append(person)
    admins.sort(key=lambda p: str(p.get("created") or ""))
    return roles, admins
