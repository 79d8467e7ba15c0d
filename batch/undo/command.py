"""``rtm-batch undo`` as a library call: the guards, the reversals newest first, the reports.

Why the journal's own lock and rows: undo holds the run's journal lock (no run or second undo into ``OUT``
meanwhile) and marks each reversed row ``undone`` the moment its write is answered, committed at once. A kill
mid-undo loses at most the mark of the write in flight, and the re-run's read finds that object already as
it was before (see ``batch.undo.reverse``): nothing is sent twice. An ``undone`` row is not done work, so a
later ``run`` of the same input creates it again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.api.tokens import rejected
from batch.errors import AuthError, UsageError
from batch.jobs import PLANNED, SKIPPED, UNDONE, Outcome, RowResult
from batch.reasons import Reason
from batch.run.journal.store import Journal
from batch.run.options import JOURNAL_NAME
from batch.undo.locations import delete_location
from batch.undo.reverse import REVERSALS, Gone, UndoContext, guarded
from batch.undo.steps import DELETES, Action, Step, plan_steps
from batch.undo.writer import UndoOutcome, write_undo_reports

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
    journal: Path | None = None


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
        config = ClientConfig(base_url=base_url, token=options.token, max_rate=options.max_rate)
        try:
            results, api = anyio.run(_undo, config, journal, plan_steps(entries), _maps(entries), options)
        except AuthError as exc:
            raise rejected(exc) from None
    return write_undo_reports(options.out_dir, results, api, started, time.monotonic() - clock, base_url)


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
) -> tuple[list[RowResult], dict[str, Any]]:
    async with WebexClient(config) as client:
        await client.sign_in()
        ctx = UndoContext(client, maps[0], maps[1], dry_run=options.dry_run)
        steps = [s for s in [await _with_customer(s, ctx, journal) for s in steps] if _chosen(s, options.customers)]
        refusal = _too_many(steps, options.max_deletes)
        results: list[RowResult] = []
        left: set[str] = set()
        for step in steps:
            outcome = await _one(step, ctx, refusal, left)
            if outcome.status == UNDONE and step.action != Action.ALREADY and not options.dry_run:
                journal.mark(step.entry.key, UNDONE, outcome.message)
            if outcome.status not in (UNDONE, PLANNED):
                left.add(step.customer)
            results.append(_result(step, outcome))
        return results, dict(client.stats.counts())


async def _one(step: Step, ctx: UndoContext, refusal: str | None, left: set[str]) -> Outcome:
    if step.action == Action.ALREADY:
        return Outcome(UNDONE, message=f"undone by an earlier undo: {step.entry.message}")
    if step.action == Action.LEAVE:
        return Outcome(SKIPPED, message=step.note, reason=Reason.UNDO_NOT_REVERSIBLE)
    if step.action in DELETES and refusal is not None:
        return Outcome(SKIPPED, message=refusal, reason=Reason.UNDO_MAX_DELETES)
    if step.action == Action.UNMAP_CUSTOMER and step.customer in left:
        message = f"left: undo left something of customer {step.customer} in place (named on its rows)"
        return Outcome(SKIPPED, message=message, reason=Reason.UNDO_HOLDS_LEFT)
    reversal = delete_location if step.action == Action.DELETE_LOCATION else REVERSALS[step.action]
    return await guarded(step, ctx, lambda: reversal(step, ctx))


async def _with_customer(step: Step, ctx: UndoContext, journal: Journal) -> Step:
    """A user's customer, read from its subscriber (the journal keys users by email alone)."""
    if step.customer or step.sheet != "users" or step.action in (Action.LEAVE, Action.ALREADY):
        return step
    sid = step.entry.ids.get("subscriber_id") or _subscriber_of(step.key, journal)
    try:
        item = await ctx.read(f"/wholesale/subscribers/{sid}") if sid else {}
    except Gone:
        return step
    return replace(step, customer=ctx.ext_of.get(str(item.get("customerId") or ""), ""))


def _subscriber_of(email: str, journal: Journal) -> str:
    for entry in journal.entries():
        if entry.key == f"subscriber:{email}":
            return entry.ids.get("subscriber_id", "")
    return ""


def _chosen(step: Step, customers: frozenset[str]) -> bool:
    return not customers or step.customer.casefold() in {c.casefold() for c in customers}


def _too_many(steps: Sequence[Step], max_deletes: int) -> str | None:
    """``--max-deletes`` as prune has it: over the limit, nothing is deleted (the restores still happen)."""
    counts: dict[str, int] = {}
    for step in steps:
        if step.action in DELETES:
            n = len(step.after.get("numbers") or ()) if step.action == Action.REMOVE_NUMBERS else 1
            counts[step.sheet] = counts.get(step.sheet, 0) + n
    total = sum(counts.values())
    if total <= max_deletes:
        return None
    each = ", ".join(f"{sheet}: {n}" for sheet, n in sorted(counts.items()))
    return (
        f"not deleted: undo would delete {total} objects ({each}), more than --max-deletes {max_deletes}; "
        f"run again with --max-deletes {total} if they are all meant to go"
    )


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
