"""The ``rtm-batch`` command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

from pathlib import Path

import typer

from batch import __version__
from batch.console import make_console
from batch.errors import RtmBatchError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Onboard Webex Wholesale customers, locations and users from one workbook.",
)

INPUTS = typer.Argument(..., help="Workbooks (.xlsx) or folders of CSV files; rows of several inputs are merged.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rtm-batch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Onboard Webex Wholesale customers, locations and users from one workbook."""


@app.command()
def validate(
    inputs: list[Path] = INPUTS,
    out: Path = typer.Option(Path("out"), "--out", help="Folder for validation.csv and validation.xlsx."),
) -> None:
    """Load and validate offline; write the validation report. Exit 0 valid, 1 invalid rows, 2 unreadable."""
    from batch.console import validation_summary
    from batch.pipeline import validate_inputs

    console = make_console()
    outcome = validate_inputs(inputs, out)
    validation_summary(console, outcome.row_counts, outcome.invalid_counts, outcome.problems)
    console.print(f"Reports: {', '.join(str(p) for p in outcome.reports)}")
    raise typer.Exit(outcome.exit_code)


@app.command()
def template(
    out: Path = typer.Option(Path("onboarding-template.xlsx"), "--out", help="Where to write the workbook."),
) -> None:
    """Write an empty input workbook: headers with notes, drop-downs, a README sheet."""
    from batch.template import write_template

    path = write_template(out)
    make_console().print(f"Template written to {path}")


def main() -> None:
    """Console-script entry point: anticipated failures are one line on stderr and exit code 2."""
    try:
        app()
    except RtmBatchError as exc:
        make_console(stderr=True).print(f"error: {exc}", markup=False)
        raise SystemExit(exc.exit_code) from None
