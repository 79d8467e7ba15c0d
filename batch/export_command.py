"""The ``rtm-batch export`` command (kept beside ``cli.py`` so that module stays under 400 lines): parse,
call ``batch.export.exporter.export_batch``, print. The options shared with ``run`` (base URL, token file,
log format, ``--config``) are ``cli.py``'s own, handed in by ``register``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from batch.console import make_console


def register(
    app: typer.Typer, base_url_option: Any, token_file_option: Any, log_format_option: Any, config_option: Any
) -> None:
    """Add ``export`` to ``app`` with the shared options as its defaults."""

    @app.command()
    def export(
        out: Path = typer.Option(
            ..., "--out", metavar="PATH", help="A workbook (FILE.xlsx), or a folder (DIR) for CSV files."
        ),
        customer: list[str] = typer.Option(
            [], "--customer", metavar="ID", help="Only this customer: its external_id (repeatable)."
        ),
        customers_from: Path | None = typer.Option(
            None, "--customers-from", metavar="FILE", help="The customers (and templates) of this input, or of a list."
        ),
        status: list[str] = typer.Option(
            [], "--status", metavar="S", help="Only customers in this status (repeatable)."
        ),
        base_url: str = base_url_option,
        token_file: Path | None = token_file_option,
        refresh_token_file: Path | None = typer.Option(None, "--refresh-token-file", help="As for run."),
        sub_partner_org_id: str | None = typer.Option(None, "--sub-partner-org-id", help="As for run."),
        max_rate: float | None = typer.Option(None, "--max-rate", help="Ceiling in requests/s (default: found)."),
        log_format: str = log_format_option,
        force: bool = typer.Option(False, "--force", help="Replace an earlier export at --out."),
        config: Path | None = config_option,
    ) -> None:
        """Read-only: what is on the server, in the input form (plus an _ids sheet the loader ignores)."""
        from batch.export.events import make_events
        from batch.export.exporter import ExportOptions, export_batch
        from batch.export.show import print_export
        from batch.run.runner import resolve_auth

        token, refresh = resolve_auth(token_file, refresh_token_file, base_url)
        options = ExportOptions(
            out, base_url, token, tuple(customer), customers_from, tuple(status), sub_partner_org_id
        )
        console = make_console()
        options = replace(options, max_rate=max_rate, force=force, auth=refresh)
        outcome = export_batch(options, make_events(log_format, console.is_terminal))
        if log_format != "json":  # in json mode stdout carries the events and nothing else
            print_export(console, outcome.counts, outcome.notes, outcome.paths)
        raise typer.Exit(outcome.exit_code)
