"""``rtm-batch undo`` (issue 20): parse options, call ``batch.undo.command``, print; it tells as ``run`` does."""

from __future__ import annotations

from pathlib import Path

import typer

from batch import notify_options as telling
from batch.console import make_console, print_lines


def undo(
    ctx: typer.Context,
    out: Path = typer.Argument(..., metavar="OUT", help="The --out folder of the run to reverse (its journal)."),
    customer: list[str] = typer.Option([], "--customer", help="Only this customer's work (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and show what would be reversed; send no write."),
    max_deletes: int = typer.Option(10, "--max-deletes", help="Over this many deletes, delete none (restores go on)."),
    within: str = typer.Option("7d", "--within", help="Refuse a run that ended longer ago (e.g. 7d, 12h, 2w)."),
    base_url: str | None = typer.Option(None, "--base-url", help="Webex API base URL (default and only: the run's)."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="The access token's file (or WEBEX_ACCESS_TOKEN)."
    ),
    max_rate: float | None = typer.Option(None, "--max-rate", help="Ceiling in API requests/s."),
    concurrency: int = typer.Option(8, "--concurrency", help="API requests in flight at once (independent objects)."),
    notify_url: list[str] = telling.NOTIFY_URL,
    notify_on: str = telling.NOTIFY_ON,
    notify_secret_file: Path | None = telling.NOTIFY_SECRET_FILE,
    heartbeat_url: str | None = telling.HEARTBEAT_URL,
    history: Path | None = telling.HISTORY,
    history_days: int = telling.HISTORY_DAYS,
    metrics_textfile: Path | None = telling.METRICS_TEXTFILE,
) -> None:
    """Reverse what the run in OUT did, newest first; what changed since is left and named."""
    from batch.notify.settings import DEFAULT_BASE_URL
    from batch.notify.watch import RunWatch, WatchSettings
    from batch.report.summary import print_summary
    from batch.run.runner import resolve_token
    from batch.undo.command import UndoOptions, undo_run

    journal, told = out / "journal.sqlite", telling.told(ctx.params)  # its job in the history: the journal
    watch = RunWatch(WatchSettings("undo", (journal,), out / "undo", base_url or DEFAULT_BASE_URL, **told))
    with watch.guard():  # an undo that cannot start (exit 2) is recorded and notified too
        token, limits = resolve_token(token_file), (max_deletes, within, max_rate, concurrency)
        options = UndoOptions(out, token, base_url, frozenset(customer), dry_run, *limits, watch=watch)
        outcome = undo_run(options)
    print_summary(make_console(), outcome.summary, outcome.paths, title="Undo")
    left = [r for r in outcome.results if r.status not in ("undone", "planned")]
    print_lines([f"{r.sheet} {r.key}: {r.status} ({r.reason}): {r.message}" for r in left])  # warnings: shown
    raise typer.Exit(outcome.exit_code)
