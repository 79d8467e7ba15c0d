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


@app.command()
def emulator(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless you mean it)."),
    port: int = typer.Option(8765, "--port", help="TCP port; 0 picks a free one."),
    rate: float = typer.Option(50.0, "--rate", help="Requests per second the server accepts (0 = unlimited)."),
    burst: int = typer.Option(50, "--burst", help="Requests allowed at once above the rate."),
    latency_ms: float = typer.Option(0.0, "--latency-ms", help="Delay added to every response."),
    provisioning_seconds: float = typer.Option(2.0, "--provisioning-seconds", help="Time a customer provisions."),
    error_rate: float = typer.Option(0.0, "--error-rate", help="Share of writes answered 503 before the write."),
    lost_response_rate: float = typer.Option(
        0.0, "--lost-response-rate", help="Share of writes committed whose response is lost (502 or dropped)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the injected faults."),
    token: str = typer.Option("emulator-token", "--token", help="The bearer token the emulator accepts."),
) -> None:
    """Serve the local Webex Wholesale API emulator until Ctrl-C."""
    from batch.emulator import EmulatorConfig
    from batch.emulator.server import serve

    config = EmulatorConfig(
        token=token,
        rate=rate,
        burst=burst,
        latency_ms=latency_ms,
        provisioning_seconds=provisioning_seconds,
        error_rate=error_rate,
        lost_response_rate=lost_response_rate,
        seed=seed,
    )
    console = make_console()

    def ready(base_url: str) -> None:
        console.print(f"Webex API emulator at {base_url}", markup=False)
        console.print(f"Token: {token}   (emulator only; stop with Ctrl-C)", markup=False)

    serve(config, host, port, ready)


def main() -> None:
    """Console-script entry point: anticipated failures are one line on stderr and exit code 2."""
    try:
        app()
    except RtmBatchError as exc:
        make_console(stderr=True).print(f"error: {exc}", markup=False)
        raise SystemExit(exc.exit_code) from None
