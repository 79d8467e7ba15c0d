"""The ``rtm-batch`` command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import typer

from batch import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Onboard Webex Wholesale customers, locations and users from one workbook.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rtm-batch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Onboard Webex Wholesale customers, locations and users from one workbook."""


def main() -> None:
    """Console-script entry point."""
    app()
