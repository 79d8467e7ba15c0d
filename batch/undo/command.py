"""``rtm-batch undo`` as a library call: the guards, the reversals newest first, the reports.

Why the journal's own lock and rows: undo holds the run's journal lock (no run or second undo into ``OUT``
meanwhile) and marks each reversed row ``undone`` the moment its write is answered, committed at once. A kill
mid-undo loses at most the mark of the write in flight, and the re-run's read finds that object already as
it was before (see ``batch.undo.reverse``): nothing is sent twice. An ``undone`` row is not done work, so a
later ``run`` of the same input creates it again.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.api.tokens import rejected
from batch.errors import AuthError, UsageError
from batch.jobs import PLANNED, SKIPPED, UNDONE, Outcome, RowResult
from batch.reasons import Reason
from batch.report.lines.writer import write_line_reports
from batch.report.summary import build_summary
from batch.run.hooks import RunWatcher
from batch.run.journal.store import Journal
from batch.run.options import JOURNAL_NAME
from batch.undo.guard import read_deletes, reversal
from batch.undo.order import lanes
from batch.undo.reverse import Gone, UndoContext, guarded
from batch.undo.steps import Action, Step, plan_steps
from batch.undo.writer import FOLDER, UndoOutcome

WITHIN = re.compile(r"(\d+)\s*([wdhm])")
UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True, slots=True)
class UndoOptions:
    """``rtm-batch undo``'s options as one value (the token is kept out of ``repr``)."""

    out_dir: Path
    token: str = field(default="", repr=False)
    base_url: str | None = None  # None: the server the journal's run worked against
    customers: frozenset[str] = frozenset()  # external ids; empty: every customer of the run
    dry_run: bool = False
    max_deletes: int = 10
    within: str = "7d"
    max_rate: float | None = None
    concurrency: int = 8  # reversals of independent objects in flight at once (``batch.undo.order``)
    journal: Path | None = None
    #: History, notifications, heartbeat, metrics: the run's hooks (``batch.notify.watch.RunWatch``).
    watch: RunWatcher | None = field(default=None, repr=False)


def parse_within(text: str) -> timedelta:
    """``7d``, ``12h``, ``2w``, ``90m``: how old a run undo still takes."""
    match = WITHIN.fullmatch(text.strip().lower())
    if match is None:
        raise UsageError(f"--within {text!r}: give a number and a unit, e.g. 7d, 12h, 2w or 90m")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def undo_run(options: UndoOptions, *, now: datetime | None = None) -> UndoOutcome:
    """Reverse the run in ``options.out_dir``; refuses (exit 2, one line) what it must not touch."""
    started, clock = now or datetime.now(UTC), time.monotonic()
    within = parse_within(options.within)
    path = options.journal or options.out_dir / JOURNAL_NAME
    if not path.is_file():
        raise UsageError(f"{options.out_dir}: no journal ({path.name}) there: undo reverses a run whose --out it is")
    with Journal.open(path) as journal:
        last, target = journal.last_run(), journal.target()
        if last is None or target is None:
            raise UsageError(f"{path}: the journal records no run against a server: nothing to undo")
        age = started - datetime.fromisoformat(last)
        if age > within:
            raise UsageError(
                f"the run in {options.out_dir} ended {last} ({age.days} days ago), longer ago than --within "
                f"{options.within}: nothing was sent; give a longer --within if it must be undone"
            )
        base_url = check_base_url(options.base_url or target)
        if base_url.rstrip("/") != target.rstrip("/"):
            raise UsageError(f"the run in {options.out_dir} worked against {target}, not {base_url}: nothing was sent")
        entries = journal.entries()
        config = ClientConfig(
            base_url=base_url, token=options.token, max_rate=options.max_rate, concurrency=options.concurrency
        )
        try:
            steps, results, api = anyio.run(_undo, config, journal, plan_steps(entries), _maps(entries), options)
        except AuthError as exc:
            raise rejected(exc) from None
    wall = time.monotonic() - clock
    summary = build_summary(
        results,
        api=api,
        wall_seconds=wall,
        started=started,
        command="undo",
        inputs=[str(path.absolute())],
        base_url=base_url,
    )
    summary |= _facts(options, steps, results)
    watch = options.watch
    paths = write_line_reports(options.out_dir / FOLDER, results, summary, watch.past_runs() if watch else ())
    warnings = watch.finished(summary, paths) if watch else ()
    return UndoOutcome(tuple(results), summary, paths, warnings)


def _facts(options: UndoOptions, steps: Sequence[Step], results: Sequence[RowResult]) -> dict[str, Any]:
    """What summary.json says beside the counts, as a run's: the id the history and notifications use, where,
    and the lines per customer (report.html's bars; a user whose customer could not be read has none)."""
    customers: dict[str, Counter[str]] = {}
    for step, result in zip(steps, results, strict=True):
        if step.customer:
            customers.setdefault(step.customer, Counter())[result.status] += 1
    return {
        "run_id": options.watch.run_id if options.watch else uuid.uuid4().hex[:12],
        "undo_of": str(options.out_dir.absolute()),
        "out_dir": str((options.out_dir / FOLDER).absolute()),
        "host": socket.gethostname(),
        "customers": {name: dict(counts) for name, counts in customers.items()},
    }


def _maps(entries: Sequence[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """External id -> org id, and wholesale customer id / org id -> external id, from the customer rows."""
    org_of: dict[str, str] = {}
    ext_of: dict[str, str] = {}
    for entry in entries:
        if entry.key.startswith("customer:"):
            ext = entry.key.split(":", 1)[1]
            if org := entry.ids.get("org_id"):
                org_of[ext], ext_of[org] = org, ext
            if cid := entry.ids.get("customer_id"):
                ext_of[cid] = ext
    return org_of, ext_of


async def _undo(
    config: ClientConfig,
    journal: Journal,
    steps: list[Step],
    maps: tuple[dict[str, str], dict[str, str]],
    options: UndoOptions,
) -> tuple[list[Step], list[RowResult], dict[str, Any]]:
    async with WebexClient(config) as client:
        await client.sign_in()
        ctx = UndoContext(client, maps[0], maps[1], dry_run=options.dry_run)
        steps = [s for s in await _with_customers(steps, ctx, journal) if _chosen(s, options.customers)]
        deletes = await read_deletes(steps, ctx)
        refusal = deletes.refusal(options.max_deletes)
        outcomes: dict[int, Outcome] = dict(deletes.settled)  # gone or changed since: its read said so
        outcomes |= {index: refusal for index in deletes.counted if refusal is not None}
        left = {steps[i].customer for i, o in outcomes.items() if o.status not in (UNDONE, PLANNED)}

        async def lane(indexes: list[int]) -> None:
            for index in indexes:
                step = steps[index]
                outcomes[index] = outcome = await _one(step, ctx, left)
                if outcome.status == UNDONE and step.action != Action.ALREADY and not options.dry_run:
                    journal.mark(step.entry.key, UNDONE, outcome.message)  # at once: a kill loses no more
                if outcome.status not in (UNDONE, PLANNED):
                    left.add(step.customer)

        for tier in lanes(steps, [i for i in range(len(steps)) if i not in outcomes]):
            try:
                async with anyio.create_task_group() as group:  # a tier's objects at once, the tiers in order
                    for indexes in tier:
                        group.start_soon(lane, indexes)
            except* AuthError as refused:  # the token: one line (exit 2), as before the lanes
                raise refused.exceptions[0] from None
        for index, outcome in outcomes.items():  # settled before the reversals ran: marked as they would be
            if index in deletes.settled and outcome.status == UNDONE and not options.dry_run:
                journal.mark(steps[index].entry.key, UNDONE, outcome.message)
        results = [_result(step, outcomes[i]) for i, step in enumerate(steps)]
        return steps, results, dict(client.stats.counts())


async def _one(step: Step, ctx: UndoContext, left: set[str]) -> Outcome:
    if step.action == Action.ALREADY:
        return Outcome(UNDONE, message=f"undone by an earlier undo: {step.entry.message}")
    if step.action == Action.LEAVE:
        return Outcome(SKIPPED, message=step.note, reason=Reason.UNDO_NOT_REVERSIBLE)
    if step.action == Action.UNMAP_CUSTOMER and step.customer in left:
        message = f"left: undo left something of customer {step.customer} in place (named on its rows)"
        return Outcome(SKIPPED, message=message, reason=Reason.UNDO_HOLDS_LEFT)
    return await guarded(step, ctx, partial(reversal(step), step, ctx))


async def _with_customers(steps: list[Step], ctx: UndoContext, journal: Journal) -> list[Step]:
    """Each user's customer, read from its subscriber (the journal keys users by email alone), all at once."""
    entries = [e for e in journal.entries() if e.key.startswith("subscriber:")]
    subscriber_of = {e.key.removeprefix("subscriber:"): e.ids.get("subscriber_id", "") for e in entries}
    found = list(steps)

    async def read(index: int, step: Step) -> None:
        sid = step.entry.ids.get("subscriber_id") or subscriber_of.get(step.key, "")
        try:
            item = await ctx.read(f"/wholesale/subscribers/{sid}") if sid else {}
        except Gone:
            return
        found[index] = replace(step, customer=ctx.ext_of.get(str(item.get("customerId") or ""), ""))

    try:
        async with anyio.create_task_group() as group:
            for index, step in enumerate(steps):
                if not step.customer and step.sheet == "users" and step.action not in (Action.LEAVE, Action.ALREADY):
                    group.start_soon(read, index, step)
    except* AuthError as refused:  # the token: one line (exit 2)
        raise refused.exceptions[0] from None
    return found


def _chosen(step: Step, customers: frozenset[str]) -> bool:
    return not customers or step.customer.casefold() in {c.casefold() for c in customers}


def _result(step: Step, outcome: Outcome) -> RowResult:
    message = outcome.message if step.action in (Action.LEAVE, Action.ALREADY) else f"{step.action}: {outcome.message}"
    return RowResult(
        step.sheet,
        None,
        step.key,
        outcome.status,
        message,
        dict(step.entry.ids),
        reason=outcome.reason,
        http_status=outcome.http_status,
    )
