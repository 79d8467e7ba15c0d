"""The ``rtm-batch`` command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

from pathlib import Path

import typer

from batch import __version__
from batch.console import make_console
from batch.errors import RtmBatchError
from batch.report.outdir import check_out_dir

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: option metavars (DIR, N), not Python type names in boxes
    help="Onboard Webex Wholesale customers, locations and users from one workbook.",
)

INPUTS = typer.Argument(
    ..., metavar="INPUT", help="Workbooks (.xlsx) or folders of CSV files; rows of several inputs are merged."
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


@app.command()
def validate(
    inputs: list[Path] = INPUTS,
    out: Path = typer.Option(Path("out"), "--out", help="Folder for validation.csv and validation.xlsx."),
) -> None:
    """Load and validate offline; write the validation report. Exit 0 valid, 1 invalid rows, 2 unreadable."""
    from batch.console import validation_summary
    from batch.pipeline import validate_inputs

    console = make_console()
    outcome = validate_inputs(inputs, check_out_dir(out))
    validation_summary(console, outcome.row_counts, outcome.invalid_counts, outcome.problems)
    console.print(f"Reports: {', '.join(str(p) for p in outcome.reports)}")
    raise typer.Exit(outcome.exit_code)


OUT = typer.Option(Path("out"), "--out", help="Folder for the reports (validation, results, retry/, summary.json).")
BASE_URL = typer.Option(
    "https://webexapis.com/v1",
    "--base-url",
    envvar="WEBEX_BASE_URL",
    help="Webex API base URL; http only to loopback.",
)
TOKEN_FILE = typer.Option(
    None, "--token-file", help="File holding the access token (else the WEBEX_ACCESS_TOKEN environment variable)."
)
LOG_FORMAT = typer.Option("auto", "--log-format", help="Progress: auto (bars on a terminal), plain or json lines.")


@app.command()
def plan(
    inputs: list[Path] = INPUTS,
    out: Path = OUT,
    base_url: str | None = typer.Option(
        None, "--base-url", envvar="WEBEX_BASE_URL", help="Look up what already exists (read-only) on this server."
    ),
    token_file: Path | None = TOKEN_FILE,
    max_rate: float = typer.Option(10.0, "--max-rate", help="Requests/s for the time estimate and the lookups."),
) -> None:
    """Validate and build the job graph; print what a run would do. Sends nothing unless --base-url is given."""
    from batch.console import plan_summary
    from batch.report.summary import print_summary
    from batch.run.preview import plan_batch
    from batch.run.runner import resolve_token

    token = resolve_token(token_file) if base_url else ""
    outcome = plan_batch(inputs, check_out_dir(out), base_url=base_url, token=token, max_rate=max_rate)
    console = make_console()
    plan_summary(console, outcome.plan, max_rate)
    print_summary(console, outcome.summary, outcome.paths)
    raise typer.Exit(outcome.exit_code)


@app.command()
def run(
    inputs: list[Path] = INPUTS,
    out: Path = typer.Option(..., "--out", help="Folder for the reports and (by default) the journal."),
    base_url: str = BASE_URL,
    token_file: Path | None = TOKEN_FILE,
    journal: Path | None = typer.Option(None, "--journal", help="Journal file (default: OUT/journal.sqlite)."),
    concurrency: int = typer.Option(16, "--concurrency", help="API requests in flight at once."),
    max_rate: float = typer.Option(10.0, "--max-rate", help="API requests per second, all workers together."),
    strict: bool = typer.Option(False, "--strict", help="Send nothing when any row is invalid."),
    log_format: str = LOG_FORMAT,
) -> None:
    """Provision every valid row; re-running is safe (rows already done are reported exists)."""
    from batch.report.summary import print_summary
    from batch.run.runner import RunOptions, resolve_token, run_batch

    options = RunOptions(
        out_dir=check_out_dir(out),
        base_url=base_url,
        token=resolve_token(token_file),
        journal=journal,
        concurrency=concurrency,
        max_rate=max_rate,
        strict=strict,
        log_format=log_format,
    )
    console = make_console()
    outcome = run_batch(inputs, options, console)
    print_summary(console, outcome.summary, outcome.paths)
    raise typer.Exit(outcome.exit_code)


@app.command()
def demo(
    out: Path = typer.Option(Path("out/demo"), "--out", help="Folder for the reports."),
    log_format: str = LOG_FORMAT,
) -> None:
    """Start the emulator in-process, run samples/ against it, write the reports."""
    from batch.demo import run_demo
    from batch.report.summary import print_summary

    console = make_console()
    outcome = run_demo(check_out_dir(out), console, log_format=log_format)
    print_summary(console, outcome.summary, outcome.paths)
    raise typer.Exit(outcome.exit_code)


@app.command()
def template(
    out: Path = typer.Option(Path("onboarding-template.xlsx"), "--out", help="Where to write the workbook."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write an empty input workbook: headers with notes, drop-downs, a README sheet."""
    from batch.template import write_template

    path = write_template(out, force=force)
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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: anticipated failures and usage errors are one line on stderr (contract §4)."""
    from batch.console import fail_line, plain_metavars, usage_or_crash

    try:
        command = plain_metavars(typer.main.get_command(app))
        code = command.main(args=argv, prog_name="rtm-batch", standalone_mode=False)
    except RtmBatchError as exc:
        code = fail_line(str(exc), exc.exit_code)
    except BaseException as exc:  # usage errors, a full disk, a bug: still one line, never a traceback
        code = fail_line(*usage_or_crash(exc))
    raise SystemExit(code or 0)
