"""The shared look-ups: every listing more than one action reads, memoized once per run under one key each.

Why one module: a listing lives where every action can reach it without importing another action (the
import tower this replaced was nine deep because each listing sat in whichever action used it first), and
one memo key per listing means two actions can never list the same thing twice under two keys.

Fresh look-ups (never memoized) sit beside their listing: after an ambiguous write or a 409 the memo
cannot know the answer, so the object is asked for again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from batch.errors import ApiError, AuthError, NotFoundError
from batch.provision.context import Context
from batch.provision.priority import shared_lookup

CUSTOMERS = "/wholesale/customers"
SUBSCRIBERS = "/wholesale/subscribers"
LOCATIONS = "/locations"
CALLING = "/telephony/config/locations"
NUMBERS = "/telephony/config/numbers"
PAGE_SIZE = 100
#: The name of the Full Administrator role in ``GET /roles``.
FULL_ADMIN = "full administrator"

Item = dict[str, Any]
Known = dict[str, Item]


# ---- customers ---------------------------------------------------------------------------------------


async def known_customers(ctx: Context) -> Known:
    """Every wholesale customer by external id (case-insensitive), listed once per run."""

    async def load() -> Known:
        items = await ctx.client.get_all(CUSTOMERS, {"max": PAGE_SIZE})
        return {str(c.get("externalId", "")).casefold(): c for c in items if c.get("externalId")}

    return await ctx.memo(("wholesale_customers",), load, shared=True)


async def customer_by_external_id(ctx: Context, ext: str) -> Item | None:
    """A fresh look-up by externalId (after an ambiguous write or a 409: the listing cannot know)."""
    body = await ctx.client.get(CUSTOMERS, {"externalId": ext})
    return next((c for c in body.get("items") or [] if str(c.get("externalId", "")).casefold() == ext.casefold()), None)


# ---- locations and their numbers ---------------------------------------------------------------------


async def org_locations(ctx: Context, org_id: str) -> list[Item]:
    """Every location of an org, listed once per run; creators append to the shared list."""

    async def load() -> list[Item]:
        return await ctx.client.get_all(LOCATIONS, {"orgId": org_id})

    return await ctx.memo(("locations", org_id), load)


async def relisted_org_locations(ctx: Context, org_id: str) -> list[Item]:
    """The org's locations listed again (the run's listing missed one that must be there: lists lag)."""
    ctx.forget(("locations", org_id))
    return await org_locations(ctx, org_id)


def named(locations: list[Item], name: str) -> Item | None:
    """The location called ``name`` (any case): Webex keeps location names unique per org that way."""
    wanted = name.casefold()
    return next((loc for loc in locations if str(loc.get("name", "")).casefold() == wanted), None)


async def location_by_name(ctx: Context, org_id: str, name: str) -> Item | None:
    """A fresh look-up by name (the API's ``name`` filter matches substrings, so compare exactly here)."""
    return named(await ctx.client.get_all(LOCATIONS, {"orgId": org_id, "name": name}), name)


async def calling_locations(ctx: Context, org_id: str) -> Known:
    """location id → its ``ListLocationObject`` (``id``, ``name``, ``callingLineId`` with the main number), every
    calling location of the org in one paged listing per run: a nightly run where everything exists asks
    nothing more per location (it was one GET per location)."""

    async def load() -> Known:
        items = await ctx.client.get_all(CALLING, {"orgId": org_id, "max": PAGE_SIZE}, items_key="locations")
        return {str(item["id"]): item for item in items if item.get("id")}

    return await ctx.memo(("calling_locations", org_id), load)


async def calling_settings(ctx: Context, org_id: str, location_id: str) -> Item | None:
    """The location's calling settings as far as the jobs read them (is it a calling location, its
    ``callingLineId``); None: not a calling location.

    From the org's calling listing, unless this run changed them (``forget_calling_settings``) or the listing
    does not show the location: then one GET of the location, memoized for the calling job and the main-number
    job after it. A location missing from the listing is read before anything is created, because lists lag
    behind creates (webex-api.md §10.8): a location an earlier run enabled may not be listed yet."""
    changed = await _changed(ctx, "calling_changed", org_id)
    if location_id not in changed:
        listed = (await calling_locations(ctx, org_id)).get(location_id)
        if listed is not None and location_id not in changed:  # again: a write while the listing loaded
            return listed

    async def load() -> Item | None:
        return await read_calling(ctx, org_id, location_id)

    return await ctx.memo(("calling", location_id), load)


async def read_calling(ctx: Context, org_id: str, location_id: str) -> Item | None:
    """A fresh read of the location's calling settings; None when it is not a calling location, which Webex
    says with a 404 or a 400 (webex-api.md §11.13: both mean "no calling")."""
    try:
        return await ctx.client.get(f"{CALLING}/{location_id}", {"orgId": org_id})
    except ApiError as err:
        if no_calling(err):
            return None
        raise


def no_calling(err: ApiError) -> bool:
    """Whether an answer about a location's calling settings means the location has no calling."""
    return isinstance(err, NotFoundError) or (err.status == 400 and not isinstance(err, AuthError))


async def forget_calling_settings(ctx: Context, org_id: str, location_id: str) -> None:
    """Before a write that changes them (calling enabled, the main number): from now on this run reads the
    location's settings from the server, never from the org's listing (which may have been loaded, or be
    loading, before the write)."""
    (await _changed(ctx, "calling_changed", org_id)).add(location_id)
    ctx.forget(("calling", location_id))


async def _changed(ctx: Context, what: str, org_id: str) -> set[str]:
    """The org's location ids whose ``what`` this run has written: its org-wide listing no longer answers
    for them. A set in the memo (loaded empty), so marking one is seen by every job of the run."""

    async def empty() -> set[str]:
        return set()

    return await ctx.memo((what, org_id), empty)


async def location_numbers(ctx: Context, org_id: str, location_id: str) -> set[str]:
    """The location's numbers as the server lists them now (after a write, a fresh listing: no memo)."""
    items = await ctx.client.get_all(NUMBERS, {"orgId": org_id, "locationId": location_id}, items_key="phoneNumbers")
    return {str(item.get("phoneNumber")) for item in items}


async def listed_numbers(ctx: Context, org_id: str, location_id: str) -> set[str]:
    """The location's numbers on the server, from the run's listings (``number_entries``)."""
    return set(await number_entries(ctx, org_id, location_id))


async def org_numbers(ctx: Context, org_id: str) -> dict[str, Known]:
    """location id → number → the numbers listing's entry: every number of the org in one paged listing per
    run (each entry carries its ``location``, ``state``, ``owner`` and the owner's ``extension``)."""

    async def load() -> dict[str, Known]:
        items = await ctx.client.get_all(NUMBERS, {"orgId": org_id}, items_key="phoneNumbers")
        by_location: dict[str, Known] = {}
        for item in items:
            location_id = (item.get("location") or {}).get("id")
            if item.get("phoneNumber") and location_id:
                by_location.setdefault(str(location_id), {})[str(item["phoneNumber"])] = item
        return by_location

    return await ctx.memo(("org_numbers", org_id), load)


async def number_entries(ctx: Context, org_id: str, location_id: str) -> Known:
    """number → the numbers listing's entry (its ``owner`` and the owner's ``extension``) of one location: it
    tells which user holds which number without a GET per user.

    From the org's numbers listing, unless this run added numbers to the location (``forget_numbers``): then
    the location's own listing, read once after the last write and shared."""
    changed = await _changed(ctx, "numbers_changed", org_id)
    if location_id not in changed:
        listed = await org_numbers(ctx, org_id)
        if location_id not in changed:  # again: a write while the listing loaded
            return listed.get(location_id, {})

    async def load() -> Known:
        params = {"orgId": org_id, "locationId": location_id}
        items = await ctx.client.get_all(NUMBERS, params, items_key="phoneNumbers")
        return {str(item.get("phoneNumber")): item for item in items if item.get("phoneNumber")}

    return await ctx.memo(("location_numbers", location_id), load)


async def forget_numbers(ctx: Context, org_id: str, location_id: str) -> None:
    """After numbers were added to a location: its next listing must ask the server (the org's listing may
    have been loaded, or be loading, before the write)."""
    (await _changed(ctx, "numbers_changed", org_id)).add(location_id)
    ctx.forget(("location_numbers", location_id))


async def numbers_of_person(ctx: Context, org_id: str, person_id: str) -> list[Item]:
    """The org's numbers a person holds (a fresh look-up: only when a row's number is not theirs)."""
    params = {"orgId": org_id, "ownerId": person_id}
    return await ctx.client.get_all(NUMBERS, params, items_key="phoneNumbers")


# ---- subscribers, people and roles -------------------------------------------------------------------


async def known_subscribers(ctx: Context, customer_id: str) -> Known:
    """email (lower case) → subscriber of one customer, listed once per run and shared through the memo;
    the whole listing costs one request per 100 subscribers."""

    async def load() -> Known:
        with shared_lookup():  # every user job of the customer waits on it
            items = await ctx.client.get_all(SUBSCRIBERS, params={"customerId": customer_id, "max": PAGE_SIZE})
        return {str(item.get("email", "")).lower(): item for item in items}

    return await ctx.memo(("subscribers", customer_id), load)


async def subscriber_by_email(ctx: Context, email: str) -> Item | None:
    """A fresh lookup (never the memo): after a lost response or a 409 the memo cannot know."""
    items = (await ctx.client.get(SUBSCRIBERS, params={"email": email})).get("items") or []
    return next((i for i in items if str(i.get("email", "")).lower() == email), None)


async def role_ids(ctx: Context) -> Known:
    """Role name (case-folded) → role. Webex role ids are global, so one listing serves every org."""

    async def load() -> Known:
        items = await ctx.client.get_all("/roles")
        return {str(role["name"]).casefold(): role for role in items if role.get("name") and role.get("id")}

    return await ctx.memo(("roles",), load, shared=True)


async def role_holders(ctx: Context, org_id: str, role_id: str) -> frozenset[str]:
    """Person ids holding one role in the org: one listing per (org, role) (``GET /people?roles=``), shared by
    every row of the org that names only that role and by the package changes' Full Administrator check, where
    a ``GET /people/{id}`` per row would cost one call each."""

    async def load() -> frozenset[str]:
        with shared_lookup():  # every row of the org checking this role waits on it
            items = await ctx.client.get_all("/people", {"orgId": org_id, "roles": role_id})
        # List items carry no roles (only GET /people/{id} does, webex-api.md §11.1): the filter is the answer;
        # an item that does show roles without the role is left out, and one without an id is no person.
        return frozenset(
            str(p["id"]) for p in items if p.get("id") and ("roles" not in p or role_id in (p["roles"] or []))
        )

    return await ctx.memo(("role_holders", org_id, role_id), load)


async def listed_holder(ctx: Context, org_id: str, person_id: str, role_ids: Iterable[str]) -> bool:
    """Whether the org's listing of the one role a row names already shows the person (``role_holders``): one
    listing per org and role instead of one person read per row. False for a row naming several roles (their
    listings would cost more than the person's GET) and for a holder the listing does not show yet (lists lag):
    the caller then reads the person."""
    distinct = set(role_ids)
    return len(distinct) == 1 and person_id in await role_holders(ctx, org_id, next(iter(distinct)))


async def full_admins(ctx: Context, org_id: str) -> frozenset[str]:
    """Person ids of the org's full administrators, read only for orgs where a package is about to change (or
    whose rows name that role), instead of one GET per changed user."""
    admin = (await role_ids(ctx)).get(FULL_ADMIN)
    return frozenset() if admin is None else await role_holders(ctx, org_id, str(admin["id"]))


async def person_id_by_email(ctx: Context, email: str, org_id: str) -> str | None:
    """The person of a subscriber whose id the subscriber job did not learn (it was pending migration)."""
    items = (await ctx.client.get("/people", params={"email": email, "orgId": org_id})).get("items") or []
    return next((str(p["id"]) for p in items if p.get("id")), None)
