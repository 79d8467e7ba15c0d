"""The change-control part of the command line (issue 20): the options of ``run`` and ``plan`` for windows,
waves, saved plans and activation, and the ``activate`` command; also ``template``, moved here so that
``batch.cli`` stays under 400 lines. Thin like ``batch.cli``: parse, call the library, print.

Why a module of its own: ``batch.cli`` is at the size limit and several people add commands to it; the
commands here are registered there in one line each.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from batch.console import make_console
from batch.report.outdir import check_out_dir

if TYPE_CHECKING:
    from batch.change.options import ChangeControl
    from batch.provision.preview.rows import PlanOutcome
    from batch.run.runner import RunOutcome

WINDOW = typer.Option(
    [],
    "--window",
    metavar="SPEC",
    help='Work only inside this change window, e.g. "22:00-05:00 Europe/Helsinki" or "Sat 20:00-Sun 06:00 '
    'Europe/Helsinki" (repeatable); when it closes the run stops (exit 3) and the same command resumes.',
)

WAVES = typer.Option(None, "--waves", metavar="LIST", help="Customers in waves, one after another, e.g. 1,10%,rest.")
SAVE = typer.Option(
    None, "--save", metavar="FILE", help="Write this plan (needs --base-url) for run --plan: the approval."
)
PLAN = typer.Option(
    None,
    "--plan",
    metavar="FILE",
    help="Do exactly what this saved plan says (plan --save); refused when the inputs or options changed.",
)
APPROVED_BY = typer.Option(None, "--approved-by", metavar="NAME", help="Who approved --plan (into summary.json).")


MAX_FAIL_PERCENT = typer.Option(
    None,
    "--max-fail-percent",
    metavar="P",
    help="With --waves: a wave failing more than P % of its rows stops the rest.",
)
ACTIVATE_NUMBERS = typer.Option(
    False, "--activate-numbers", help="Then make the batch's inactive numbers active (where the PSTN takes it)."
)


def run_change(
    window: list[str],
    waves: str | None,
    max_fail_percent: float | None,
    plan: Path | None,
    approved_by: str | None,
    activate_numbers: bool,
) -> ChangeControl:
    """``run``'s change control; a bad --window, --waves or --plan is one line, exit 2, before anything else."""
    from batch.change.options import change_control

    return change_control(
        window,
        activate_numbers=activate_numbers,
        waves=waves,
        max_fail_percent=max_fail_percent,
        plan=plan,
        approved_by=approved_by,
    )


def saved_plan(
    save: Path | None,
    inputs: list[Path],
    base_url: str | None,
    *,
    update: bool,
    prune: bool,
    max_deletes: int,
    outcome: PlanOutcome,
) -> None:
    """Write ``plan --save``'s file (nothing without ``--save``) and say where."""
    from batch.change.saved import plan_options, save_plan

    if save is None:
        return
    options = plan_options(base_url, update=update, prune=prune, max_deletes=max_deletes)
    path = save_plan(save, inputs, options, outcome.results, outcome.objects)
    make_console().print(f"Plan saved to {path}: apply it with rtm-batch run … --plan {path}", markup=False)


def _config(ctx: typer.Context, value: Path | None) -> Path | None:
    from batch.runconfig import use_config

    return use_config(ctx, value)


def finish_run(outcome: RunOutcome, log_format: str) -> None:
    """Print a run's summary (not in json mode: stdout carries the events), its warnings and stop line."""
    from batch.report.summary import print_summary

    if log_format != "json":
        print_summary(make_console(), outcome.summary, outcome.paths)
    for warning in outcome.warnings:
        make_console(stderr=True).print(warning, markup=False)
    if outcome.stopped:
        make_console(stderr=True).print(outcome.stopped, markup=False)
    raise typer.Exit(outcome.exit_code)


def activate(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT", help="Workbooks (.xlsx) or folders of CSV files."),
    out: Path = typer.Option(..., "--out", help="Folder for the reports and (by default) the journal."),
    customer: list[str] = typer.Option(
        [], "--customer", help="Only this customer's numbers (repeatable; default: every customer)."
    ),
    base_url: str = typer.Option(
        "https://webexapis.com/v1", "--base-url", envvar="WEBEX_BASE_URL", help="Webex API base URL."
    ),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="File holding the access token (else WEBEX_ACCESS_TOKEN)."
    ),
    journal: Path | None = typer.Option(None, "--journal", help="Journal file (default: OUT/journal.sqlite)."),
    max_rate: float | None = typer.Option(None, "--max-rate", help="Ceiling in API requests/s."),
    window: list[str] = WINDOW,
    log_format: str = typer.Option("auto", "--log-format", help="Progress: auto, plain or json lines."),
    config: Path | None = typer.Option(
        None, "--config", is_eager=True, callback=_config, help="TOML file with any of these options by long name."
    ),
) -> None:
    """Make the batch's inactive numbers active, where the location's PSTN takes it; creates nothing."""
    from batch.change.options import change_control
    from batch.run.runner import RunOptions, resolve_token, run_batch

    change = change_control(window, activate_only=True, customers=customer)
    options = RunOptions(
        out_dir=check_out_dir(out),
        base_url=base_url,
        token=resolve_token(token_file),
        journal=journal,
        max_rate=max_rate,
        log_format=log_format,
        change=change,
    )
    finish_run(run_batch(inputs, options, make_console(), command="activate"), log_format)


def template(
    out: Path = typer.Option(
        Path("onboarding-template.xlsx"),
        "--out",
        metavar="FILE",
        help="Where to write the workbook: an .xlsx file, or a folder (FOLDER/onboarding.xlsx).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write an empty input workbook: headers with notes, drop-downs, a README sheet."""
    from batch.template import write_template

    path = write_template(out, force=force)
    make_console().print(f"Template written to {path}")
