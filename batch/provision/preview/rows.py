"""``rtm-batch plan`` as a library call: validate, build the job graph, say what a run would do.

With a server it also looks up, read-only, what already exists and how it differs from its row, through
the same listings and the same comparison ``run`` uses, so the partner sees before a run what each row
will do: ``create``, ``update`` (with its changes; ``exists`` with the changes named, without
``--update``), ``remove`` (``--prune``) or ``unchanged``, with the counts per sheet.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.api.tokens import RefreshSettings, rejected
from batch.errors import ApiError, AuthError, UsageError
from batch.jobs import EXISTS, FAILED, PLANNED, SKIPPED, Job, Kind, RowResult
from batch.pipeline import select_shard, validate_inputs
from batch.plan.graph import Plan, build_plan
from batch.provision.context import ActionContext
from batch.provision.fields.compare import (
    Change,
    added_numbers,
    customer_changes,
    customer_refusal,
    location_changes,
    same_number,
    strs,
    subscriber_changes,
    subscriber_refusal,
)
from batch.provision.lookups import (
    calling_settings,
    full_admins,
    known_customers,
    known_subscribers,
    listed_holder,
    listed_numbers,
    named,
    org_locations,
    role_ids,
)
from batch.provision.preview.access import access_token
from batch.provision.preview.checks import server_checks
from batch.provision.prune import named_emails, plan_removals
from batch.report.fold.results import row_results
from batch.report.summary import build_summary
from batch.report.writer import ReportPaths, write_reports
from batch.validate.shard import Shard

CREATE, UPDATE, REMOVE, UNCHANGED = "create", "update", "remove", "unchanged"
ACTIONS = (CREATE, UPDATE, REMOVE, UNCHANGED)


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The graph, each row's expected result, the action counts per sheet, and the reports written."""

    plan: Plan
    results: tuple[RowResult, ...]
    summary: Mapping[str, Any]
    paths: ReportPaths
    actions: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # sheet -> action -> rows
    notes: tuple[str, ...] = ()  # where an earlier run's reports in --out went
    #: issue 20 (plan --save): (source, sheet, row) -> the server object its look-up read (None: not there)
    objects: Mapping[tuple[str, str, int], Mapping[str, Any] | None] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return int(self.summary["exit_code"])


@dataclass(frozen=True, slots=True)
class _Found:
    """What the look-ups said about one row: its ids, the differences from it (``--update`` applies them), and
    what its object lacks (numbers, roles, a first main number: created with or without ``--update``)."""

    ids: dict[str, str]
    changes: list[Change] = field(default_factory=list)
    refusal: str | None = None
    additions: list[Change] = field(default_factory=list)
    raw: Mapping[str, Any] | None = None  # the object as the look-up read it (issue 20: its fingerprint)


def plan_batch(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    base_url: str | None = None,
    token: str = "",
    auth: RefreshSettings | None = None,
    max_rate: float = 10.0,
    update: bool = False,
    prune: bool = False,
    max_deletes: int = 10,
    shard: Shard | None = None,
) -> PlanOutcome:
    """Validate and plan; with ``base_url``, mark each row as ``run`` with the same options would treat it."""
    if max_deletes < 0:
        raise UsageError(f"--max-deletes must be 0 or more (got {max_deletes})")
    started, clock = datetime.now(UTC), time.perf_counter()
    validation = validate_inputs(inputs, out_dir)
    named_users = named_emails(validation.validated.sheets["users"])  # the whole batch's, as run does
    validation = select_shard(validation, shard)
    plan = build_plan(validation.validated, merged=validation.loaded.merged)
    results = row_results(validation.validated, plan, {}, not_run=PLANNED)
    api: dict[str, Any] = {"requests": 0, "retries": 0, "throttled": 0, "ambiguous": 0}
    actions: dict[str, Counter[str]] = {}
    objects: dict[tuple[str, str, int], Mapping[str, Any] | None] = {}
    if base_url is not None:
        check_base_url(base_url)
        token = access_token(auth) if auth is not None else token
        config = ClientConfig(base_url=check_base_url(base_url), token=token, max_rate=max_rate)
        try:
            results, api, objects = anyio.run(
                _preview, config, plan, results, (prune, max_deletes, named_users), update, actions
            )
        except AuthError as exc:
            raise rejected(exc) from None
    summary = build_summary(
        results,
        api=api,
        wall_seconds=time.perf_counter() - clock,
        started=started,
        command="plan",
        validation=validation.validated.counts,
        inputs=list(validation.loaded.inputs.values()),
        base_url=base_url,
    )
    summary["actions"] = {sheet: dict(counts) for sheet, counts in actions.items()}
    if shard is not None:
        summary["shard"] = {"index": shard.index, "count": shard.count}
    paths = write_reports(out_dir, validation.loaded, results, summary)
    return PlanOutcome(plan, tuple(results), summary, paths, summary["actions"], validation.notes, objects)


def _mark(
    result: RowResult, found: Mapping[tuple[str, str, int], _Found], update: bool, actions: dict[str, Counter[str]]
) -> RowResult:
    """The row as ``run`` with the same options would leave it; ``actions`` counts what each sheet would do."""
    if result.status != PLANNED or result.row is None:
        return result
    counts = actions.setdefault(result.sheet, Counter())
    seen = found.get((result.source, result.sheet, result.row))
    if seen is None:
        counts[CREATE] += 1
        return _again(result, PLANNED, CREATE)
    if seen.additions:  # what the object lacks is created either way; its differences are judged as ever
        adding = f"{CREATE}: {'; '.join(strs(seen.additions))}"
        if not seen.changes:  # a row is counted once: by its differences when it has any
            counts[CREATE] += 1
            return _again(result, PLANNED, adding, seen.ids)
        judged = _judged(result, seen, update, counts)
        status = PLANNED if judged.status == EXISTS else judged.status
        return replace(judged, status=status, message=f"{adding}; {judged.message}")
    return _judged(result, seen, update, counts)


def _again(result: RowResult, *args: Any, **kwargs: Any) -> RowResult:
    """A new result for the same input row (sheet, row, key and source kept)."""
    return replace(RowResult(result.sheet, result.row, result.key, *args, **kwargs), source=result.source)


def _judged(result: RowResult, seen: _Found, update: bool, counts: Counter[str]) -> RowResult:
    """A row whose object is on the server, by its differences: unchanged, differs, update or refused."""
    assert result.row is not None
    if not seen.changes:
        counts[UNCHANGED] += 1
        return _again(result, EXISTS, "unchanged: already on the server", seen.ids)
    listed = changes = "; ".join(strs(seen.changes))
    if not update:
        counts["differs"] += 1
        note = f"--update would refuse it: {seen.refusal}" if seen.refusal else "run with --update to apply"
        return _again(result, EXISTS, f"differs: {listed} ({note})", seen.ids, changes=changes)
    if seen.refusal:
        counts["update refused"] += 1
        message = f"update refused: {seen.refusal}"  # ``run --update`` fails the row so (contract: "fails that row")
        return _again(result, FAILED, message, seen.ids, changes=changes)
    counts[UPDATE] += 1
    return _again(result, PLANNED, f"{UPDATE}: {listed}", seen.ids, changes=changes)


async def _preview(
    config: ClientConfig,
    plan: Plan,
    results: Sequence[RowResult],
    pruning: tuple[bool, int, frozenset[str]],
    update: bool,
    actions: dict[str, Counter[str]],
) -> tuple[list[RowResult], dict[str, Any], dict[tuple[str, str, int], Mapping[str, Any] | None]]:
    """The look-ups, each row marked as ``run`` would leave it, then the checks of what would fail: one
    client and one memo, so no listing is read twice. Also the objects the look-ups read, by row (issue 20:
    ``plan --save`` fingerprints them; None where the row's object is not there yet)."""
    async with WebexClient(config) as client:
        ctx = ActionContext(client)
        found, removals = await _look_up(ctx, plan, results, pruning)
        marked = [_mark(r, found, update, actions) for r in results] + removals
        for r in removals:
            actions.setdefault("users", Counter())[REMOVE if r.status == PLANNED else "remove refused"] += 1
        checked = await server_checks(ctx, plan, marked)
        objects: dict[tuple[str, str, int], Mapping[str, Any] | None] = {
            (r.source, r.sheet, r.row): None for r in results if r.status == PLANNED and r.row is not None
        }
        objects |= {key: seen.raw for key, seen in found.items()}
        return checked, {key: n for key, n in client.stats.counts().items() if key != "ambiguous"}, objects


async def _look_up(
    ctx: ActionContext,
    plan: Plan,
    results: Sequence[RowResult],
    pruning: tuple[bool, int, frozenset[str]],
) -> tuple[dict[tuple[str, str, int], _Found], list[RowResult]]:
    """Read-only look-ups through the same listings ``run`` uses (so both agree on what exists and what
    differs): every wholesale customer once, then the locations, numbers and subscribers of the customers
    the batch names. Only GETs are sent."""
    planned = {(r.source, r.sheet, r.row) for r in results if r.status == PLANNED}
    found: dict[tuple[str, str, int], _Found] = {}
    customers = await known_customers(ctx)
    for job in plan.jobs.values():
        if (job.source, job.sheet, job.row) not in planned or job.kind not in (
            Kind.CUSTOMER,
            Kind.LOCATION,
            Kind.SUBSCRIBER,
        ):
            continue
        ext = str(job.fields.get("external_id") or job.fields.get("customer_external_id") or "")
        customer = customers.get(ext.casefold())
        if customer is None:
            continue
        try:
            seen = await _compare(ctx, job, customer)
        except AuthError:
            raise
        except ApiError:
            seen = None  # the run will say what is wrong with it
        if seen is not None:
            found[(job.source, job.sheet, job.row)] = seen  # type: ignore[index]
    removals: list[RowResult] = []
    prune, max_deletes, named_users = pruning
    if prune:
        for job in await plan_removals(plan, ctx, named_users, max_deletes=max_deletes):
            email = str(job.fields["email"])
            if job.fields.get("refused"):
                removals.append(RowResult("users", None, email, SKIPPED, str(job.fields["refused"])))
            else:
                message = f"{REMOVE}: no users row names {email} (--prune)"
                removals.append(
                    RowResult("users", None, email, PLANNED, message, {"subscriber_id": job.fields["subscriber_id"]})
                )
    return found, removals


async def _compare(ctx: ActionContext, job: Job, customer: Mapping[str, Any]) -> _Found | None:
    """The row's object and its differences, or None when it is not on the server (a create)."""
    fields = job.fields
    if job.kind == Kind.CUSTOMER:
        ids = {"customer_id": customer["id"], "org_id": customer.get("orgId", "")}
        return _Found(ids, customer_changes(fields, customer), customer_refusal(fields, customer), raw=customer)
    if job.kind == Kind.LOCATION:
        if not customer.get("orgId"):
            return None
        loc = named(await org_locations(ctx, customer["orgId"]), str(fields.get("location_name") or ""))
        if loc is None:
            return None
        lacks, main = await _number_changes(ctx, customer["orgId"], loc["id"], fields)
        return _Found({"location_id": loc["id"]}, location_changes(fields, loc) + main, additions=lacks, raw=loc)
    sub = (await known_subscribers(ctx, customer["id"])).get(str(fields.get("email_normalized") or "").lower())
    if sub is None:
        return None
    ids = {"subscriber_id": sub["id"], "person_id": sub.get("personId", "")}
    changes = subscriber_changes(fields, sub)
    forbidden = subscriber_refusal(fields, sub) if changes else None
    wanted = [str(r) for r in fields.get("roles_list") or ()]
    if not sub.get("personId") or not (changes or wanted):
        return _Found(ids, changes, forbidden, raw=sub)
    additions: list[Change] = []
    refusal = forbidden
    if changes and sub["personId"] in await full_admins(ctx, customer.get("orgId", "")):
        refusal = f"{sub.get('email')} is a full administrator, whose package is never changed"
    if wanted:
        roles = await role_ids(ctx)
        missing = await _missing_roles(ctx, customer.get("orgId", ""), sub["personId"], wanted, roles)
        additions += [Change("roles", None, ", ".join(missing))] if missing else []
    return _Found(ids, changes, refusal, additions, raw=sub)


async def _missing_roles(
    ctx: ActionContext, org_id: str, person_id: str, wanted: Sequence[str], roles: Mapping[str, Any]
) -> list[str]:
    """The roles of ``wanted`` the person lacks. A row naming one role asks the org's listing of its holders
    (one call per org and role, as the run does); a person it does not show, or a row naming several, is read."""
    ids = [str(roles[r.casefold()]["id"]) for r in wanted if r.casefold() in roles]
    if await listed_holder(ctx, org_id, person_id, ids):
        return []
    have = set((await ctx.client.get(f"/people/{person_id}")).get("roles") or [])
    return [r for r in wanted if r.casefold() in roles and roles[r.casefold()]["id"] not in have]


async def _number_changes(
    ctx: ActionContext, org_id: str, location_id: str, fields: Mapping[str, Any]
) -> tuple[list[Change], list[Change]]:
    """What the location lacks (numbers, a main number where it has none) and a main number that differs, from
    the org's numbers and calling-locations listings (read once per org, shared with every row)."""
    additions: list[Change] = []
    changes: list[Change] = []
    wanted = [str(n) for n in fields.get("numbers_e164") or ()]
    if wanted:
        missing = added_numbers(wanted, await listed_numbers(ctx, org_id, location_id))
        if missing:
            additions.append(Change("numbers", None, ", ".join(missing)))
    main = fields.get("main_number_e164")
    if main:
        try:
            line = (await calling_settings(ctx, org_id, location_id) or {}).get("callingLineId") or {}
        except ApiError:
            line = {}
        if not line.get("phoneNumber"):
            additions.append(Change("main_number", None, str(main)))
        elif not same_number(line.get("phoneNumber"), main):
            changes.append(Change("main_number", line.get("phoneNumber") or "", str(main)))
    return additions, changes
