"""``rtm-batch undo`` (issue 20): parse options, call ``batch.undo.command``, print. No logic lives here."""

from __future__ import annotations

from pathlib import Path

import typer

from batch.console import make_console


def undo(
    out: Path = typer.Argument(..., metavar="OUT", help="The --out folder of the run to reverse (its journal)."),
    customer: list[str] = typer.Option([], "--customer", help="Only this customer's work (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and show what would be reversed; send no write."),
    max_deletes: int = typer.Option(
        10, "--max-deletes", help="If more objects would be deleted, delete none (restores still happen)."
    ),
    within: str = typer.Option("7d", "--within", help="Refuse a run that ended longer ago (e.g. 7d, 12h, 2w)."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Webex API base URL (default: the one the run used; another is refused)."
    ),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="File holding the access token (else WEBEX_ACCESS_TOKEN)."
    ),
    max_rate: float | None = typer.Option(None, "--max-rate", help="Ceiling in API requests/s."),
) -> None:
    """Reverse what the run in OUT did, newest first; what changed since is left and named."""
    from batch.run.runner import resolve_token
    from batch.undo.command import UndoOptions, undo_run

    options = UndoOptions(
        out_dir=out,
        token=resolve_token(token_file),
        base_url=base_url,
        customers=frozenset(customer),
        dry_run=dry_run,
        max_deletes=max_deletes,
        within=within,
        max_rate=max_rate,
    )
    outcome = undo_run(options)
    console = make_console()
    from batch.report.summary import status_table

    console.print(status_table(outcome.summary, "Undo"))
    left = [r for r in outcome.results if r.status not in ("undone", "planned")]
    for r in left:
        make_console(stderr=True).print(f"{r.sheet} {r.key}: {r.status} ({r.reason}): {r.message}", markup=False)
    console.print(f"Reports: {outcome.paths.results_csv}, {outcome.paths.summary_json}", markup=False)
    raise typer.Exit(outcome.exit_code)
