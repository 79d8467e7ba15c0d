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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console

from batch.api.tokens import RefreshSettings, read_secret, refresh_settings
from batch.change.guard import change_summary, check_change, shape_plan, shape_results, without_jobs
from batch.change.saved import plan_options
from batch.errors import RtmBatchError, UsageError
from batch.jobs import SKIPPED, Outcome, RowResult
from batch.pipeline import select_shard, validate_inputs
from batch.plan.graph import Plan, build_plan
from batch.provision.prune import named_emails, removal_results
from batch.report.facts import run_facts
from batch.report.fold.results import row_results
from batch.report.page.html import write_report_page
from batch.report.summary import build_summary
from batch.report.writer import ReportPaths, write_reports
from batch.run.heap import give_back
from batch.run.journal.store import Journal
from batch.run.journal.trust import SyncSetup, restore, trusted, unfinished_work
from batch.run.options import DEFAULT_BASE_URL, JOURNAL_NAME, RunOptions, check_options
from batch.run.progress import Progress, make_progress
from batch.run.session import Executed, execute
from batch.run.stop import mark_stopped, not_reached, stop_line, stop_while_reporting

__all__ = ["DEFAULT_BASE_URL", "JOURNAL_NAME", "RunOptions", "RunOutcome", "check_options", "run_batch"]

#: Young-generation GC threshold while jobs run (Python's default is 700): every request allocates a few
#: hundred short-lived objects, and collecting ten times less often halved the GC's share of the run's CPU
#: (0.95 -> 0.88 ms per call on a 10,000-call batch).
RUN_GC_THRESHOLD = 10_000


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


def run_batch(inputs: Sequence[Path], options: RunOptions, console: Console, *, command: str = "run") -> RunOutcome:
    """The whole ``run`` command; exit code in the outcome (contract §4).

    The journal's lock is taken first: a second run on the same ``--out`` exits 2 before it writes anything.
    """
    check_options(options)
    sync = plan_options(options.base_url, update=options.update, prune=options.prune, max_deletes=options.max_deletes)
    check_change(options.change, inputs, sync)  # issue 20: run --plan refused (exit 2) on changed inputs or options
    started, clock = datetime.now(UTC), time.perf_counter()
    run_id = options.watch.run_id if options.watch else uuid.uuid4().hex[:12]
    progress = make_progress(console, log_format=options.log_format, run_id=run_id)
    try:
        with Journal.open(options.journal_path, buffered=True) as journal:
            journal.bind(options.base_url.rstrip("/"))
            holds = options.journal_path == options.out_dir / JOURNAL_NAME  # else another run may hold OUT's
            validation = validate_inputs(inputs, options.out_dir, holds_lock=holds)
            for line in validation.notes:
                progress.note(line)
            # the whole batch's: a user a row names in another shard is never pruned from this one's customers.
            # Only --prune reads them: a set of every email (~125 bytes a user) is not kept through other runs.
            named = named_emails(validation.validated.sheets["users"]) if options.prune else frozenset()
            validation = select_shard(validation, options.shard)
            plan = shape_plan(  # issue 20: activations, --plan
                build_plan(validation.validated, merged=validation.loaded.merged), options.change
            )
            give_back()  # what planning made and let go (``batch.run.heap``)
            api: dict[str, Any] = {"requests": 0, "retries": 0, "throttled": 0, "ambiguous": 0}
            stopped: str | None = None
            if options.strict and validation.exit_code:
                invalid = sum(validation.invalid_counts.values())
                note = (
                    f"not sent: --strict and {invalid} row(s) are invalid; fix them (see validation.csv) and run again"
                )
                outcomes: Mapping[str, Outcome] = {}
            else:
                executed = _execute(plan, options, progress, journal, run_id, named)
                outcomes, plan, api, stopped = executed.outcomes, executed.plan, dict(executed.api), executed.stopped
                del executed
                note = "not finished" if stopped is None else not_reached(stopped)
            with stop_while_reporting(options.out_dir, stopped):
                removals = removal_results(plan, outcomes, not_run=SKIPPED, message=note)
                results = row_results(  # the results take the plan's place as they are made (``consume``)
                    validation.validated,
                    plan,
                    outcomes,
                    not_run=SKIPPED,
                    not_run_message=note,
                    consume=True,
                    without_jobs=without_jobs(options.change),
                    give_back=give_back,
                )
                results = shape_results(results + removals, options.change)
                # The reports read the results only: the jobs and their outcomes (~1.3 KB a user) go before them,
                # not under them (bench.memory_phases, 100,000 users: Python objects in use 243 -> 130 MiB here).
                del plan, outcomes
                give_back()
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
                summary.update(change_summary(options.change))  # issue 20: the plan applied, who approved it
                summary["run_id"] = run_id
                summary |= run_facts(inputs, options.base_url, options.out_dir, results, validation.validated, api)
                if options.shard is not None:
                    summary["shard"] = {"index": options.shard.index, "count": options.shard.count}
                # The reports read the rows as loaded: the validated frames' own columns (normalized emails and
                # numbers, resolved locations; ~6 MiB at 100,000 users) go before them, not under them.
                loaded, notes = validation.loaded, validation.notes
                del validation
                paths = write_reports(options.out_dir, loaded, results, summary)
                write_report_page(options.out_dir, summary, options.watch.past_runs() if options.watch else ())
            if stopped is None:
                journal.finish_run()  # after the reports: a stop while writing them leaves a run to resume
    except RtmBatchError as exc:
        progress.close(exit_code=exc.exit_code, error=str(exc))
        raise
    except BaseException:
        progress.close()
        raise
    warnings = options.watch.finished(summary, paths) if options.watch else ()
    line = stop_line(results, note, stopped)
    progress.close(exit_code=summary["exit_code"], reports=report_paths(paths), **({"stop_line": line} if line else {}))
    warnings = (*notes, *warnings)
    return RunOutcome(tuple(results), summary, paths, api, line, warnings)


def report_paths(paths: ReportPaths) -> dict[str, str | None]:
    """Where the reports are, for the last log event."""
    retry = str(paths.retry_dir) if paths.retry_dir is not None else None
    return {
        "results_csv": str(paths.results_csv),
        "results_xlsx": str(paths.results_xlsx),
        "summary_json": str(paths.summary_json),
        "report_html": str(paths.out_dir / "report.html"),
        "retry": retry,
    }


def _execute(
    plan: Plan,
    options: RunOptions,
    progress: Progress,
    journal: Journal,
    run_id: str,
    named: frozenset[str] = frozenset(),
) -> Executed:
    """What the journal lets this run trust, then the run itself in the event loop (``session.execute``)."""
    interrupted = journal.interrupted_keys()
    crashed = journal.begin_run()
    done = trusted(plan, journal.done(), journal.fingerprints())
    restored = restore(plan, done, interrupted=interrupted)
    unfinished = unfinished_work(plan, journal.failed_keys(), restored, crashed or bool(interrupted))
    sync = SyncSetup(options.prune, options.max_deletes, named, done, interrupted, unfinished)
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()  # the validated rows and the plan live for the whole run: keep the GC off them
    gc.set_threshold(RUN_GC_THRESHOLD, *thresholds[1:])
    try:
        executed = anyio.run(
            execute, options, run_id, journal, progress, sync, plan, restored, backend_options=loop_options()
        )
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    journal.flush()  # the run is marked finished once its reports are written (a stopped one never is)
    progress.flush()  # the last jobs' lines, before the reports take their time
    return executed


def loop_options() -> dict[str, Any]:
    """uvloop where it is installed (Linux, macOS): measured 4-12 % less CPU per call than the asyncio loop;
    ``RTM_BATCH_UVLOOP=0`` turns it off (to compare, or if it misbehaves on some platform)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": os.environ.get("RTM_BATCH_UVLOOP", "1") != "0"}
