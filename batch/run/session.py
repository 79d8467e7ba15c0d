"""One run against the API, inside the event loop: the ``Run`` value its parts share, and ``execute``.

Why one value: the client, the journal, the progress display, the stop control and what the journal lets
the run trust travel together to every part that needs them, typed, instead of seven loose parameters and
``hasattr`` probes. Removals (``--prune``) need the client to be found, so they are planned here, first,
and the plan that runs (and that the progress display counts) already holds them.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio

from batch.api.adaptive import make_limiter
from batch.api.client import WebexClient
from batch.api.ratelimit import RateLimiter
from batch.api.tokens import rejected
from batch.change.guard import change_actions, watch_window, window_closed
from batch.change.waves import run_in_waves
from batch.errors import AuthError, RtmBatchError, RunStopped
from batch.export.backup import backup_before_prune
from batch.jobs import CREATED, EXISTS, FAILED, REMOVED, UPDATED, Job, Outcome
from batch.plan.graph import Plan
from batch.plan.jobmap import JobMap
from batch.provision.actions import ACTIONS
from batch.provision.context import CURRENT_JOB, ActionContext
from batch.provision.prune import plan_removals
from batch.run.executor import Executor, job_slots
from batch.run.health import ServerHealth
from batch.run.journal.kept import Outcomes
from batch.run.journal.store import FLUSH_SECONDS, Journal
from batch.run.journal.trust import SyncSetup, fingerprint, journal_copy, restore
from batch.run.options import RunOptions
from batch.run.progress import Progress, plural
from batch.run.scopes import check_scopes
from batch.run.stop import StopControl, abandon_after_grace, watch_signals
from batch.run.timeline import RateTimeline, Sample
from batch.run.wording import journal_note


@dataclass(frozen=True, slots=True)
class Run:
    """A run's collaborators, handed to its parts as one value."""

    options: RunOptions
    run_id: str
    journal: Journal
    progress: Progress
    sync: SyncSetup
    stop: StopControl
    client: WebexClient


@dataclass(frozen=True, slots=True)
class Executed:
    """What ``execute`` hands back: every job's outcome, the plan that ran, the client's figures, and why the
    run stopped early (None: it did not)."""

    outcomes: Mapping[str, Outcome]
    plan: Plan
    api: Mapping[str, Any]
    stopped: str | None


class JournalLog:
    """Records finished jobs with the fingerprint of their fields; skipped ones are not outcomes of their own
    and are recomputed on resume. ``outcomes`` is told which it recorded (they may be read back from here)."""

    def __init__(self, journal: Journal, outcomes: Outcomes) -> None:
        self.journal = journal
        self.outcomes = outcomes

    def job_done(self, job: Job, outcome: Outcome) -> None:
        recorded = outcome.status in (CREATED, EXISTS, FAILED, UPDATED, REMOVED)
        if recorded and (kept := journal_copy(job, outcome)) is not None:
            self.journal.record(job.key, job.kind, kept, fingerprint(job))
            self.outcomes.journaled(job.key, kept)
            if outcome.status in (UPDATED, REMOVED):  # few, and a lost one could not be found again by look-up
                self.journal.flush()


async def execute(
    options: RunOptions,
    run_id: str,
    journal: Journal,
    progress: Progress,
    sync: SyncSetup,
    plan: Plan,
    restored: Mapping[str, Outcome],
) -> Executed:
    """Open the client, check the token, plan the removals, run every job; the journal commits beside them."""
    started, cpu = time.perf_counter(), time.process_time()
    config = options.client_config(run_id)
    stop = StopControl()
    limiter = make_limiter(config.max_rate)

    def stop_now(reason: str) -> None:
        first = not stop.stopped
        stop.request(reason)
        limiter.close(lambda: RunStopped(stop.reason or "stopped"))  # queued and later requests get no slot
        if first:
            progress.event("stopped", reason=stop.reason)

    health = ServerHealth(config.base_url, stop_now)
    if (closed := window_closed(options.change)) is not None:  # issue 20: nothing starts outside --window
        stop_now(closed)

    def observe(status: int | None, detail: str) -> None:
        health(status, detail)
        if status == 429 or status is None or status >= 500:
            job = CURRENT_JOB.get()
            where = {"job": job.key, "sheet": job.sheet, "row": job.row} if job is not None else {}
            progress.event("throttled" if status == 429 else "retry", **where, status=status, detail=detail)

    auth = options.auth.source(on_failure=stop_now) if options.auth is not None else None
    if auth is not None:
        auth.on_refreshed = lambda: progress.event("refreshed", refreshes=auth.refreshes)
    async with WebexClient(config, limiter=limiter, observer=observe, auth=auth) as client:
        run = Run(options, run_id, journal, progress, sync, stop, client)
        failed: RtmBatchError | None = None
        outcomes: Mapping[str, Outcome] = dict(restored)
        timeline, stats = RateTimeline(), client.stats  # report.html's rate chart
        async with anyio.create_task_group() as tg:  # the journal's group commit runs beside the jobs
            tg.start_soon(_flush_every, FLUSH_SECONDS, journal, progress)
            tg.start_soon(watch_signals, stop_now)
            tg.start_soon(timeline.sample_every, lambda: Sample(stats.requests, stats.throttled, limiter.rate))
            tg.start_soon(watch_window, options.change, stop_now)  # issue 20: a closing window stops it
            try:
                await client.sign_in()
                if len(restored) < len(plan.jobs) or sync.prune:
                    await _check_token(client, plan)
                # an outcome no other job reads is kept in the journal only (a compact job's as a bit by its code)
                kept = Outcomes(store=journal, coded=plan.jobs if isinstance(plan.jobs, JobMap) else None)
                ctx = ActionContext(
                    client,
                    kept,
                    poll_initial=options.poll_initial,
                    provisioning_patience=options.provisioning_patience,
                    update=options.update,
                    unfinished=sync.unfinished,
                    resend_consent=options.resend_consent,
                )
                plan, restored = await with_removals(run, plan, ctx, restored)
                start_progress(run, plan, restored)
                actions = change_actions(ACTIONS, options.change)  # issue 20: activation, cutover_at

                def executor_for(part: Plan, done: Mapping[str, Outcome]) -> Executor:
                    logs = (JournalLog(journal, kept), progress)
                    return Executor(
                        part,
                        actions,
                        ctx,
                        logs=logs,
                        restored=done,
                        slots=job_slots(options.concurrency),
                        unsent=lambda: limiter.unsent,
                        settled=kept.settle,
                        released=ctx.release,
                    )

                change = options.change
                with anyio.CancelScope() as jobs:
                    tg.start_soon(abandon_after_grace, stop, jobs)
                    # issue 20: --waves (one executor per wave; without it the whole plan at once)
                    await run_in_waves(
                        plan, restored, change.waves, change.max_fail_percent, executor_for, lambda: stop.stopped
                    )
                outcomes = ctx.outcomes
            except RunStopped:
                pass  # the reason is in ``stop``
            except RtmBatchError as exc:  # re-raised below as itself, not wrapped in an ExceptionGroup
                failed = exc
            finally:
                tg.cancel_scope.cancel()
        if failed is not None and not stop.stopped:
            raise failed
        elapsed = time.perf_counter() - started
        stats = client.stats
        api = {
            **stats.counts(),
            "achieved_rate": round(stats.requests / elapsed, 2) if elapsed > 0 else 0.0,
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),
            **rate_figures(limiter),
            "timeline": timeline.as_dict(),
        }
    return Executed(outcomes, plan, api, stop.reason)


async def with_removals(
    run: Run, plan: Plan, ctx: ActionContext, restored: Mapping[str, Outcome]
) -> tuple[Plan, dict[str, Outcome]]:
    """``--prune``: the plan with a removal job per subscriber to remove, before any job runs; removals a
    crashed run already made are restored so the resume reports them."""
    if not run.sync.prune:
        return plan, dict(restored)
    before = run.sync.removed_before()
    added = await plan_removals(plan, ctx, run.sync.named, max_deletes=run.sync.max_deletes, removed_before=before)
    refused = any(job.fields.get("refused") for job in added)
    over = " (over --max-deletes: none will be)" if refused else ""
    run.progress.note(f"--prune: {plural(len(added), 'subscriber')} to remove{over}")
    pruned_from = [str(job.fields.get("external_id") or "") for job in added if not job.fields.get("refused")]
    backup = await backup_before_prune(ctx, pruned_from, run.options.out_dir)  # before the first DELETE
    if backup is not None:
        run.progress.note(f"--prune: the customers it removes from are exported first to {backup}")
    plan = plan.with_jobs(added)
    added_keys = {job.key for job in added}
    again = restore(plan, {k: o for k, o in before.items() if k in added_keys}, interrupted=run.sync.interrupted)
    return plan, {**restored, **again}


def start_progress(run: Run, plan: Plan, restored: Mapping[str, Outcome]) -> None:
    """Tell the display the whole plan (removals included) and what the journal already had."""
    run.progress.start(plan.kind_counts())
    run.progress.note(journal_note(run.options.journal_path, restored, len(plan.jobs)))
    run.progress.expect_rows(rows_of_several_jobs(plan, restored), merged=plan.merged)


def rows_of_several_jobs(plan: Plan, restored: Mapping[str, Outcome]) -> dict[tuple[str, str, int], int]:
    """The rows with more than one job to run, by (source, sheet, row), and how many: counted per input and
    sheet by row number, so the rows of one job (most of them) cost no key of their own."""
    per_sheet: defaultdict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for key, job in plan.jobs.items():
        if job.row is not None and key not in restored:
            per_sheet[(job.source, job.sheet)][job.row] += 1
    return {(source, sheet, row): n for (source, sheet), rows in per_sheet.items() for row, n in rows.items() if n > 1}


def rate_figures(limiter: RateLimiter) -> dict[str, float]:
    """summary.json's rate figures: where the rate settled, and the highest that drew no 429 (for a fixed
    ``--max-rate``, the highest the run achieved without one: see ``RateLimiter.highest_ok_rate``)."""
    rate = round(float(limiter.rate), 2)
    return {"settled_rate": rate, "highest_rate_without_429": round(float(limiter.highest_ok_rate()), 2)}


async def _flush_every(seconds: float, journal: Journal, progress: Progress) -> None:
    """The journal commits what finished in the last ``seconds`` (group commit; see ``Journal.open``) in a
    worker thread, so the event loop keeps sending meanwhile (SQLite lets go of the GIL while it works); then
    the log lines of those jobs appear: a line seen means its job is in the journal.

    Shielded from the take to the commit: the run's end (or a stop) cancels this task, and anyio checks for a
    cancellation as a thread call starts; rows taken then were lost, never committed, the run's outcomes read
    back from the journal missing (a ``KeyError`` in the results fold, seen once in ``make test``) and its
    created objects out of reach of ``rtm-batch undo``."""
    while True:
        await anyio.sleep(seconds)
        with anyio.CancelScope(shield=True):
            rows = journal.take_pending()
            if rows:
                await anyio.to_thread.run_sync(journal.write, rows)
        progress.flush()


async def _check_token(client: WebexClient, plan: Plan) -> None:
    """Cheap reads before any job (one per API family, ``check_scopes``): a rejected token or a missing
    scope stops the run here (exit 2), not as 20,000 failures."""
    try:
        await check_scopes(client, plan)
    except AuthError as exc:
        raise rejected(exc) from None
