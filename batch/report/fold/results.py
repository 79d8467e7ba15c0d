"""Job outcomes → one result per input row (results.csv's rows), in input order.

A row is ``invalid`` when it has its own validation errors and ``skipped`` when its only errors say that a
row it depends on is invalid; otherwise it is folded from its jobs: ``failed`` if any failed, ``skipped``
if any was not attempted, ``created`` if anything was created, else ``exists``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import polars as pl

from batch.jobs import (
    CREATED,
    EXISTS,
    FAILED,
    INVALID,
    PENDING,
    PLANNED,
    SKIPPED,
    STEP_NAMES,
    UPDATED,
    Job,
    Kind,
    Outcome,
    RowResult,
)
from batch.plan.graph import Plan, RowId
from batch.problems import Problem
from batch.reasons import Reason
from batch.report.aligned import key_expr
from batch.report.fold.ids import RowIds
from batch.validate.validator import ValidatedBatch

SHEET_ORDER = ("templates", "customers", "locations", "users")
DEPENDENCY_RULE = "dependency.invalid_parent"
#: Validation messages shown in a row's result message; the rest are in validation.csv.
SHOWN_ERRORS = 3
#: An invalid row with no listed error: its problems are among those validation.csv only counts (past the cap
#: per rule), so "see validation.csv" would send the partner looking for a line that is not there.
UNLISTED = (
    "invalid: its problem is one of those validation.csv counts but does not list (one line per rule says how "
    "many); fix the listed rows (usually one mistake repeated) and validate again"
)


def row_results(
    validated: ValidatedBatch,
    plan: Plan,
    outcomes: Mapping[str, Outcome],
    *,
    not_run: str = PLANNED,
    not_run_message: str = "",
    consume: bool = False,
    without_jobs: str = "",
    give_back: Callable[[], None] | None = None,
) -> list[RowResult]:
    """Every input row's result. Valid rows whose jobs never ran get ``not_run`` (``planned`` for a plan,
    ``skipped`` under ``--strict``). ``without_jobs``: a row the plan gives no job, bar an invalid one, is
    ``exists`` with this message (``rtm-batch activate``: a row without numbers has nothing to activate).

    ``consume``: the plan and the outcomes are not read again (a run's reports read the results only), so each
    row's entry and the jobs only it names leave the plan, and their outcomes leave ``outcomes``, as the row is
    folded, and its result takes their place in memory instead of adding to it: Python keeps the memory its
    objects had at their most (100,000 users: the results were +60 MiB of objects on top of the plan's 70). Each
    time as many rows have gone as are left, the tables are made again for what remains (a dict never shrinks as
    keys leave it) and ``give_back`` hands the memory freed to the system (``batch.run.heap``)."""
    errors = _errors_by_row(validated.problems)
    results: list[RowResult] = []
    sources: dict[str, str] = {}  # one ``str`` per input, not one per row (polars makes each afresh)
    ahead = outcomes.read_ahead if isinstance(outcomes, ReadsAhead) else None
    shared = _shared(plan) if consume else frozenset()
    kept = outcomes if isinstance(outcomes, MutableMapping) else None
    letting_go = _LettingGo(plan, kept, shared, give_back, len(plan.rows)) if consume else None
    for sheet in SHEET_ORDER:
        frame = validated.sheets[sheet]
        for part in frame.select(key_expr(sheet), "_row", "_valid", _source_expr(frame)).iter_slices(ROWS_AT_ONCE):
            rows = part.rows()
            row_jobs = [plan.rows.get((source, sheet, number), ()) for _, number, _, source in rows]
            if ahead is not None:
                ahead(k for keys in row_jobs for k in keys)
            for (key, number, valid, source), keys in zip(rows, row_jobs, strict=True):
                source = sources.setdefault(source, source)
                if not valid:
                    result = _invalid(sheet, number, key, errors.get((source, sheet, number), []))
                elif sheet == "templates":
                    result = RowResult(sheet, number, key, EXISTS, "template used as given")
                else:
                    jobs = [plan.jobs[k] for k in keys]
                    result = fold(sheet, number, key, jobs, outcomes, not_run, not_run_message)
                    if letting_go is not None:
                        letting_go.row((source, sheet, number), jobs)
                if without_jobs and not keys and result.status != INVALID:
                    result = RowResult(sheet, number, key, EXISTS, without_jobs)
                results.append(replace(result, source=source))
    return results


def _shared(plan: Plan) -> frozenset[str]:
    """Jobs a row names that another row owns (a repeated email, say): they stay until the last row is folded."""
    shared = set()
    for row, keys in plan.rows.items():
        for key in keys:
            owner = plan.jobs[key].row_id
            if owner is not None and owner != row:
                shared.add(key)
    return frozenset(shared)


@runtime_checkable
class Shrinks(Protocol):
    """A mapping that can make its table as small as what it holds (``JobMap``, ``RowJobs``)."""

    def shrink(self) -> None: ...


@dataclass(slots=True)
class _LettingGo:
    """``row_results(consume=True)``: each folded row's entry and the jobs it owns alone out of the plan (look-ups
    shared by many rows stay), and their outcomes with them; the tables shrunk as they empty.

    Why the outcomes too: the run's outcomes name every job it ended (``Outcomes`` keeps a settled one's key, its
    outcome in the journal), so each job's key stayed in memory under the results until the fold was over: at
    100,000 users ~17 MiB of Python objects, on top of the results, that the reports then wrote beside."""

    plan: Plan
    outcomes: MutableMapping[str, Outcome] | None
    shared: frozenset[str]
    give_back: Callable[[], None] | None
    left: int  # rows the plan still holds
    gone: int = 0  # rows let go since the tables last shrank

    def row(self, row: RowId, jobs: Sequence[Job]) -> None:
        plan = self.plan
        plan.rows.pop(row, None)
        for job in jobs:
            if job.row_id == row and job.key not in self.shared:
                if self.outcomes is not None and job.key in self.outcomes:  # first: it may find it by the plan
                    del self.outcomes[job.key]  # not ``pop``: it would read a journaled outcome back first
                plan.jobs.pop(job.key, None)
        self.gone += 1
        self.left -= 1
        if self.gone >= max(_SHRINK_AFTER, self.left):
            self.gone = 0
            for table in (plan.jobs, plan.rows, self.outcomes):
                if isinstance(table, Shrinks):
                    table.shrink()
            if self.give_back is not None:
                self.give_back()


#: Rows let go before the tables shrink at the earliest (then: once as many have gone as are left).
_SHRINK_AFTER = 10_000


@runtime_checkable
class ReadsAhead(Protocol):
    """Outcomes kept out of memory (``batch.run.journal.kept``): told the keys of the next rows, it reads them
    in one go."""

    def read_ahead(self, keys: Iterable[str]) -> None: ...


#: Rows whose outcomes are read ahead at once.
ROWS_AT_ONCE = 1000


def _source_expr(frame: pl.DataFrame) -> pl.Expr:
    """The row's input (``Problem.source``), "" for a frame built without one (tests)."""
    return pl.col("_source").fill_null("") if "_source" in frame.columns else pl.lit("").alias("_source")


def _errors_by_row(problems: Iterable[Problem]) -> dict[RowId, list[Problem]]:
    found: dict[RowId, list[Problem]] = defaultdict(list)
    for p in problems:
        if p.is_error and p.row is not None:
            found[(p.source, p.sheet, p.row)].append(p)
    return found


def _invalid(sheet: str, row: int, key: str, errors: Sequence[Problem]) -> RowResult:
    own = [p for p in errors if p.rule != DEPENDENCY_RULE]
    if errors and not own:
        message = f"not attempted: {errors[0].message}"
        return RowResult(sheet, row, key, SKIPPED, message, reason=Reason.DEPENDENCY_FAILED)
    shown = "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in own[:SHOWN_ERRORS])
    more = f" (+{len(own) - SHOWN_ERRORS} more in validation.csv)" if len(own) > SHOWN_ERRORS else ""
    return RowResult(sheet, row, key, INVALID, shown + more or UNLISTED, reason=Reason.INVALID)


def fold(
    sheet: str,
    row: int,
    key: str,
    jobs: Sequence[Job],
    outcomes: Mapping[str, Outcome],
    not_run: str,
    not_run_message: str,
) -> RowResult:
    """A row's status, message, ids and attempts from its jobs' outcomes."""
    done = [(job, outcomes[job.key]) for job in jobs if job.key in outcomes]
    if not done:
        return RowResult(sheet, row, key, not_run, not_run_message, reason=_not_run_reason(not_run))
    merged: dict[str, str] = {}
    for _, outcome in done:
        for name, value in outcome.ids.items():
            merged.setdefault(name, value)
    ids = RowIds(merged)
    attempts = sum(o.attempts for _, o in done)
    failed = next(((j, o) for j, o in done if o.status == FAILED), None)
    if failed is not None:
        job, outcome = failed
        message = f"{STEP_NAMES[job.kind]}: {outcome.message}"
        changes = "; ".join(outcome.changes)
        return RowResult(
            sheet,
            row,
            key,
            FAILED,
            message,
            ids,
            outcome.error_code,
            outcome.tracking_id,
            attempts,
            changes,
            outcome.reason,
            outcome.http_status,
        )
    skipped = next((o for _, o in done if o.status == SKIPPED), None)
    if skipped is not None or len(done) < len(jobs):
        message = skipped.message if skipped else not_run_message
        reason = skipped.reason if skipped else _not_run_reason(SKIPPED)
        return RowResult(sheet, row, key, SKIPPED, message, ids, attempts=attempts, reason=reason)
    # One column can differ on two objects (a customer's address is also its headquarters'): said once.
    changes = "; ".join(dict.fromkeys(c for _, o in done for c in o.changes))
    pending = next((o for _, o in done if o.status == PENDING), None)
    if pending is not None:
        return RowResult(
            sheet, row, key, PENDING, pending.message, ids, attempts=attempts, changes=changes, reason=pending.reason
        )
    status = CREATED if any(o.status == CREATED for _, o in done) else EXISTS
    if any(o.status == UPDATED for _, o in done):
        status = UPDATED
    return RowResult(sheet, row, key, status, _steps(done), ids, attempts=attempts, changes=changes)


#: How a successful step reads in a row's message: (created, exists).
STEP_RESULTS: dict[Kind, tuple[str, str]] = {
    Kind.CUSTOMER: ("customer created", "customer exists"),
    Kind.CUSTOMER_REF: ("customer found", "customer found"),
    Kind.HQ: ("headquarters found", "headquarters found"),
    Kind.LOCATION: ("location created", "location exists"),
    Kind.LOCATION_REF: ("location found", "location found"),
    Kind.CALLING: ("calling enabled", "calling already enabled"),
    Kind.NUMBERS: ("numbers added", "numbers already there"),
    Kind.MAIN_NUMBER: ("main number set", "main number already set"),
    Kind.SUBSCRIBER: ("subscriber created", "subscriber exists"),
    Kind.ROLES: ("roles assigned", "roles already assigned"),
    Kind.REMOVE: ("subscriber removed", "subscriber removed"),
    Kind.ACTIVATE: ("numbers activated", "no inactive number to activate"),
}
#: How an ``updated`` step reads (its outcome's message names the changes).
UPDATED_STEPS: dict[Kind, str] = {
    Kind.CUSTOMER: "customer",
    Kind.LOCATION: "location",
    Kind.NUMBERS: "numbers",
    Kind.MAIN_NUMBER: "main number",
    Kind.SUBSCRIBER: "subscriber",
    Kind.ROLES: "roles",
}


def _steps(done: Sequence[tuple[Job, Outcome]]) -> str:
    """Each step and how it ended, with the action's own note where it gave one."""
    parts = []
    for job, outcome in done:
        part = STEP_RESULTS[job.kind][outcome.status != CREATED]
        if outcome.status == UPDATED:
            part = UPDATED_STEPS.get(job.kind, str(job.kind))
        if not outcome.message:
            parts.append(part)
        else:  # a note that has its own parentheses is not wrapped in another pair
            parts.append(f"{part}: {outcome.message}" if "(" in outcome.message else f"{part} ({outcome.message})")
    return "; ".join(parts)


def _not_run_reason(status: str) -> str:
    """A row the run never reached is ``skipped`` for ``run.not_reached``; a planned row has no reason."""
    return Reason.NOT_REACHED if status == SKIPPED else ""
