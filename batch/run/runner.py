"""``rtm-batch run`` as a library call: validate, plan, execute against the API with a journal, report.

Valid rows are provisioned even when other rows are invalid, unless ``strict``; nothing is created twice
because every action looks up its natural key, and the journal lets a re-run skip finished work without
spending the rate budget on it.
"""

from __future__ import annotations

import gc
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console

from batch.api.adaptive import make_limiter
from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.api.tokens import RefreshSettings, read_secret, refresh_settings
from batch.errors import AuthError, RtmBatchError, UsageError
from batch.jobs import CREATED, EXISTS, FAILED, REMOVED, SKIPPED, UPDATED, ActionContext, Job, Outcome, RowResult
from batch.pipeline import validate_inputs
from batch.plan.graph import Plan, build_plan
from batch.report.results import row_results
from batch.report.summary import build_summary
from batch.report.writer import ReportPaths, write_reports
from batch.run.actions import ACTIONS
from batch.run.actions.prune import removal_results
from batch.run.executor import CURRENT_JOB, Executor, restore
from batch.run.health import ServerHealth
from batch.run.journal import FLUSH_SECONDS, Journal
from batch.run.notify import check_notify_url, notify
from batch.run.progress import LOG_FORMATS, Progress, make_progress
from batch.run.scopes import check_scopes
from batch.run.stop import (
    RunStopped,
    StopControl,
    StoppingLimiter,
    abandon_after_grace,
    mark_stopped,
    not_reached,
    stop_line,
    stop_while_reporting,
    watch_signals,
)
from batch.run.sync import SyncSetup, journal_copy, named_emails, trusted, unfinished_work
from batch.run.wording import journal_note

DEFAULT_BASE_URL = "https://webexapis.com/v1"
JOURNAL_NAME = "journal.sqlite"
#: Young-generation GC threshold while jobs run (Python's default is 700): every request allocates a few
#: hundred short-lived objects, and collecting ten times less often halved the GC's share of the run's CPU
#: (0.95 -> 0.88 ms per call on a 10,000-call batch).
RUN_GC_THRESHOLD = 10_000


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Everything ``run`` needs besides the inputs (a value object, not a dozen loose parameters)."""

    out_dir: Path
    base_url: str = DEFAULT_BASE_URL
    token: str = field(default="", repr=False)
    journal: Path | None = None
    concurrency: int = 16
    max_rate: float | None = None  # None: find the server's limit, starting at 10/s
    strict: bool = False
    log_format: str = "auto"
    poll_initial: float = 1.0
    sub_partner_org_id: str | None = None
    update: bool = False  # --update: apply the differences between rows and the server
    prune: bool = False  # --prune: remove subscribers of the batch's customers that no users row names
    max_deletes: int = 10  # --max-deletes: more removals than this and none is made
    #: ``batch.api.tokens.RefreshSettings`` when the access token comes from a refresh token.
    auth: Any = field(default=None, repr=False)
    notify_url: str | None = None
    timeout: float = 30.0  # seconds to wait for an answer (the soak test makes it short)

    @property
    def journal_path(self) -> Path:
        return self.journal or self.out_dir / JOURNAL_NAME

    def client_config(self, run_id: str | None = None) -> ClientConfig:
        """The client's settings; ``run_id`` (the run's, as summary.json and the log name it) goes into every
        request's TrackingID."""
        return ClientConfig(
            base_url=check_base_url(self.base_url),
            token=self.token,
            max_rate=self.max_rate,
            concurrency=self.concurrency,
            sub_partner_org_id=self.sub_partner_org_id or None,
            timeout=self.timeout,
            **({"run_id": run_id} if run_id else {}),
        )


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What a run did and wrote."""

    results: tuple[RowResult, ...]
    summary: Mapping[str, Any]
    paths: ReportPaths
    api: Mapping[str, Any] = field(default_factory=dict)  # the client's raw figures (incl. seconds, cpu_seconds)
    #: "stopped after N of M rows; run the same command to resume" when the run stopped early, else "".
    stopped: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return int(self.summary["exit_code"])


def resolve_token(token_file: Path | None, environ: Mapping[str, str] = os.environ) -> str:
    """Contract §2: ``--token-file`` or ``WEBEX_ACCESS_TOKEN``; the value is never echoed."""
    if token_file is not None:
        return read_secret(token_file, "--token-file", "put the access token on its first line")
    token = environ.get("WEBEX_ACCESS_TOKEN", "").strip()
    if not token:
        raise UsageError("no access token: set WEBEX_ACCESS_TOKEN or pass --token-file FILE")
    return token


def resolve_auth(
    token_file: Path | None, refresh_token_file: Path | None, base_url: str, environ: Mapping[str, str] = os.environ
) -> tuple[str, RefreshSettings | None]:
    """Contract §2 "Unattended runs": ``--token-file``, ``WEBEX_ACCESS_TOKEN``, or an integration's refresh
    token (then the access token is fetched at start: the first element is empty)."""
    if token_file is not None or environ.get("WEBEX_ACCESS_TOKEN", "").strip():
        return resolve_token(token_file, environ), None
    settings = refresh_settings(base_url, refresh_token_file, environ)
    if settings is None:
        raise UsageError(
            "no access token: set WEBEX_ACCESS_TOKEN, pass --token-file FILE, or give a refresh token "
            "(WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET and WEBEX_REFRESH_TOKEN or --refresh-token-file)"
        )
    return "", settings


def check_options(options: RunOptions) -> None:
    if options.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1 (got {options.concurrency})")
    if options.max_rate is not None and options.max_rate <= 0:
        raise UsageError(f"--max-rate must be above 0 requests/s (got {options.max_rate})")
    if options.log_format not in LOG_FORMATS:
        raise UsageError(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not {options.log_format!r}")
    if options.max_deletes < 0:
        raise UsageError(f"--max-deletes must be 0 or more (got {options.max_deletes})")
    check_base_url(options.base_url)
    if options.notify_url is not None:
        check_notify_url(options.notify_url)


def run_batch(inputs: Sequence[Path], options: RunOptions, console: Console, *, command: str = "run") -> RunOutcome:
    """The whole ``run`` command; exit code in the outcome (contract §4).

    The journal's lock is taken first: a second run on the same ``--out`` exits 2 before it writes anything.
    """
    check_options(options)
    started, clock = datetime.now(UTC), time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    progress = make_progress(console, log_format=options.log_format, run_id=run_id)
    try:
        with Journal.open(options.journal_path, buffered=True) as journal:
            journal.bind(options.base_url.rstrip("/"))
            validation = validate_inputs(inputs, options.out_dir)
            plan = build_plan(validation.validated)
            api: dict[str, Any] = {"requests": 0, "retries": 0, "throttled": 0, "ambiguous": 0}
            stopped: str | None = None
            if options.strict and validation.exit_code:
                invalid = sum(validation.invalid_counts.values())
                note = (
                    f"not sent: --strict and {invalid} row(s) are invalid; fix them (see validation.csv) and run again"
                )
                outcomes: Mapping[str, Outcome] = {}
            else:
                named = named_emails(validation.validated.sheets["users"])
                outcomes, api, stopped = _execute(plan, options, progress, journal, run_id, named)
                note = "not finished" if stopped is None else not_reached(stopped)
            with stop_while_reporting(options.out_dir, stopped):
                results = row_results(validation.validated, plan, outcomes, not_run=SKIPPED, not_run_message=note)
                results += removal_results(plan, outcomes, not_run=SKIPPED, message=note)
                wall = time.perf_counter() - clock
                summary = build_summary(
                    results,
                    api=api,
                    wall_seconds=wall,
                    started=started,
                    command=command,
                    validation=validation.validated.counts,
                )
                mark_stopped(summary, stopped)
                summary["run_id"] = run_id
                paths = write_reports(options.out_dir, validation.loaded, results, summary)
            if stopped is None:
                journal.finish_run()  # after the reports: a stop while writing them leaves a run to resume
    except RtmBatchError as exc:
        progress.close(exit_code=exc.exit_code, error=str(exc))
        raise
    except BaseException:
        progress.close()
        raise
    warning = notify(options.notify_url, summary) if options.notify_url else None
    line = stop_line(results, note, stopped)
    progress.close(exit_code=summary["exit_code"], reports=report_paths(paths))
    return RunOutcome(tuple(results), summary, paths, api, line, (warning,) if warning else ())


def report_paths(paths: ReportPaths) -> dict[str, str | None]:
    """Where the reports are, for the last log event."""
    retry = str(paths.retry_dir) if paths.retry_dir is not None else None
    return {
        "results_csv": str(paths.results_csv),
        "results_xlsx": str(paths.results_xlsx),
        "summary_json": str(paths.summary_json),
        "retry": retry,
    }


class _JournalLog:
    """Records finished jobs; skipped ones are not outcomes of their own and are recomputed on resume."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def job_done(self, job: Job, outcome: Outcome) -> None:
        recorded = outcome.status in (CREATED, EXISTS, FAILED, UPDATED, REMOVED)
        if recorded and (kept := journal_copy(job, outcome)) is not None:
            self.journal.record(job.key, job.kind, kept)
            if outcome.status in (UPDATED, REMOVED):  # few, and a lost one could not be found again by look-up
                self.journal.flush()


def _execute(
    plan: Plan,
    options: RunOptions,
    progress: Progress,
    journal: Journal,
    run_id: str,
    named: frozenset[str] = frozenset(),
) -> tuple[dict[str, Outcome], dict[str, Any], str | None]:
    interrupted = journal.interrupted_keys()
    crashed = journal.begin_run()
    done = trusted(plan, journal.done())
    restored = restore(plan, done, interrupted=interrupted)
    unfinished = unfinished_work(plan, journal.failed_keys(), restored, crashed or bool(interrupted))
    sync = SyncSetup(options.prune, options.max_deletes, named, done, interrupted, unfinished)
    progress.start(plan.kind_counts())
    progress.note(journal_note(options.journal_path, restored, len(plan.jobs)))
    if hasattr(progress, "expect_rows"):
        progress.expect_rows(Counter((j.sheet, j.row) for k, j in plan.jobs.items() if j.row and k not in restored))
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()  # the validated rows and the plan live for the whole run: keep the GC off them
    gc.set_threshold(RUN_GC_THRESHOLD, *thresholds[1:])
    try:
        logs = (_JournalLog(journal), progress)
        outcomes, api, stopped = anyio.run(
            _run_async, plan, options, restored, logs, journal.flush, sync, run_id, backend_options=loop_options()
        )
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    journal.flush()  # the run is marked finished once its reports are written (a stopped one never is)
    return outcomes, api, stopped


def loop_options() -> dict[str, Any]:
    """uvloop where it is installed (Linux, macOS): measured 4-12 % less CPU per call than the asyncio loop;
    ``RTM_BATCH_UVLOOP=0`` turns it off (to compare, or if it misbehaves on some platform)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": os.environ.get("RTM_BATCH_UVLOOP", "1") != "0"}


async def _run_async(
    plan: Plan,
    options: RunOptions,
    restored: Mapping[str, Outcome],
    logs: tuple[Any, ...],
    flush: Callable[[], None],
    sync: SyncSetup | None = None,
    run_id: str | None = None,
) -> tuple[dict[str, Outcome], dict[str, Any], str | None]:
    started, cpu = time.perf_counter(), time.process_time()
    config = options.client_config(run_id)
    stop = StopControl()
    limiter = StoppingLimiter(make_limiter(config.max_rate), stop)

    progress = logs[-1]

    def stop_now(reason: str) -> None:
        first = not stop.stopped
        stop.request(reason)
        limiter.stop()
        if first:
            progress.event("stopped", reason=stop.reason)

    health = ServerHealth(config.base_url, stop_now)

    def observe(status: int | None, detail: str) -> None:
        health(status, detail)
        if status == 429 or status is None or status >= 500:
            job = CURRENT_JOB.get()
            where = {"job": job.key, "sheet": job.sheet, "row": job.row} if job is not None else {}
            progress.event("throttled" if status == 429 else "retry", **where, status=status, detail=detail)

    auth = options.auth.source(on_failure=stop_now) if options.auth is not None else None
    if auth is not None:
        auth.on_refreshed = lambda: progress.event("refreshed", refreshes=auth.refreshes)
    async with WebexClient(config, limiter=limiter, observer=observe, auth=auth) as client:  # type: ignore[arg-type]
        failed: RtmBatchError | None = None
        outcomes: dict[str, Outcome] = dict(restored)
        async with anyio.create_task_group() as tg:  # the journal's group commit runs beside the jobs
            tg.start_soon(_flush_every, FLUSH_SECONDS, flush)
            tg.start_soon(watch_signals, stop_now)
            try:
                await client.sign_in()
                if len(restored) < len(plan.jobs):
                    await _check_token(client, plan)
                unfinished = sync.unfinished if sync else frozenset()
                ctx = ActionContext(
                    client, poll_initial=options.poll_initial, update=options.update, unfinished=unfinished
                )
                restored = dict(restored)
                if sync is not None:
                    await sync.extend(plan, ctx, restored, logs)
                executor = Executor(plan, ACTIONS, ctx, logs=logs, restored=restored)
                with anyio.CancelScope() as jobs:
                    tg.start_soon(abandon_after_grace, stop, jobs)
                    await executor.run()
                outcomes = executor.outcomes
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
            "requests": stats.requests,
            "retries": stats.retries,
            "throttled": stats.throttled,
            "ambiguous": stats.ambiguous,
            "achieved_rate": round(stats.requests / elapsed, 2) if elapsed > 0 else 0.0,
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),
            **rate_figures(limiter),
        }
    return outcomes, api, stop.reason


def rate_figures(limiter: Any) -> dict[str, float]:
    """summary.json's rate figures: where the rate settled, and the highest that drew no 429 (for a fixed
    ``--max-rate``, the highest the run achieved without one: see ``RateLimiter.highest_ok_rate``)."""
    rate = round(float(limiter.rate), 2)
    return {"settled_rate": rate, "highest_rate_without_429": round(float(limiter.highest_ok_rate()), 2)}


async def _flush_every(seconds: float, flush: Callable[[], None]) -> None:
    """The journal commits what finished in the last ``seconds`` (group commit; see ``Journal.open``)."""
    while True:
        await anyio.sleep(seconds)
        flush()


async def _check_token(client: WebexClient, plan: Plan) -> None:
    """Cheap reads before any job (one per API family, ``check_scopes``): a rejected token or a missing
    scope stops the run here (exit 2), not as 20,000 failures."""
    try:
        await check_scopes(client, plan)
    except AuthError as exc:
        raise AuthError(
            "the access token was rejected (HTTP 401): set WEBEX_ACCESS_TOKEN or --token-file to a valid token "
            "of a partner administrator (tokens from developer.webex.com expire after 12 hours)",
            status=exc.status,
            tracking_id=exc.tracking_id,
        ) from None
