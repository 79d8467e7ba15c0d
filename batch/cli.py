"""The ``rtm-batch`` command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from batch import __version__
from batch import cli_change as changing
from batch import notify_options as telling
from batch import sync_options as syncing
from batch.console import make_console, print_lines, quiet_stop
from batch.errors import RtmBatchError, RunStopped
from batch.report.outdir import check_out_dir
from batch.runconfig import use_config

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: option metavars (DIR, N), not Python type names in boxes
    help="Onboard Webex Wholesale customers, locations and users from one workbook.",
)
app.command()(changing.activate)  # issue 20 (batch/cli_change.py)
app.command()(__import__("batch.cli_undo", fromlist=["undo"]).undo)  # issue 20 (batch/cli_undo.py)

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
    from batch.console import print_validation
    from batch.pipeline import validate_inputs

    console = make_console()
    outcome = validate_inputs(inputs, check_out_dir(out))
    print_validation(console, outcome)
    console.print(f"Reports: {', '.join(str(p) for p in outcome.reports)}")
    print_lines(outcome.notes)
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


def _config(ctx: typer.Context, value: Path | None) -> Path | None:
    return use_config(ctx, value)


CONFIG = typer.Option(
    None,
    "--config",
    is_eager=True,
    callback=_config,
    help="TOML file with any of these options by long name (max_rate = 50); the command line wins.",
)
__import__("batch.export_command", fromlist=["register"]).register(app, BASE_URL, TOKEN_FILE, LOG_FORMAT, CONFIG)


@app.command()
def plan(
    inputs: list[Path] = INPUTS,
    out: Path = OUT,
    base_url: str | None = typer.Option(
        None, "--base-url", envvar="WEBEX_BASE_URL", help="Look up what already exists (read-only) on this server."
    ),
    token_file: Path | None = TOKEN_FILE,
    max_rate: float = typer.Option(10.0, "--max-rate", help="Requests/s for the time estimate and the lookups."),
    update: bool = syncing.UPDATE,
    prune: bool = syncing.PRUNE,
    max_deletes: int = syncing.MAX_DELETES,
    refresh_token_file: Path | None = syncing.REFRESH_TOKEN_FILE,
    shard: str | None = syncing.SHARD,
    save: Path | None = changing.SAVE,
    config: Path | None = CONFIG,
) -> None:
    """Validate and build the job graph; print what a run would do. Sends nothing unless --base-url is given."""
    from batch.console import actions_summary, plan_summary
    from batch.provision.preview.rows import plan_batch
    from batch.report.summary import print_summary
    from batch.run.runner import resolve_auth

    token, refresh = resolve_auth(token_file, refresh_token_file, base_url) if base_url else ("", None)
    outcome = plan_batch(
        inputs,
        shard=syncing.read_shard(shard),
        out_dir=check_out_dir(out),
        base_url=base_url,
        token=token,
        auth=refresh,
        max_rate=max_rate,
        update=update,
        prune=prune,
        max_deletes=max_deletes,
    )
    console = make_console()
    plan_summary(console, outcome.plan, max_rate)
    actions_summary(console, outcome.actions)
    print_summary(console, outcome.summary, outcome.paths)
    print_lines(outcome.notes)
    changing.saved_plan(save, inputs, base_url, update=update, prune=prune, max_deletes=max_deletes, outcome=outcome)
    raise typer.Exit(outcome.exit_code)


@app.command()
def run(
    inputs: list[Path] = INPUTS,
    out: Path = typer.Option(..., "--out", help="Folder for the reports and (by default) the journal."),
    base_url: str = BASE_URL,
    token_file: Path | None = TOKEN_FILE,
    journal: Path | None = typer.Option(None, "--journal", help="Journal file (default: OUT/journal.sqlite)."),
    concurrency: int = typer.Option(16, "--concurrency", help="API requests in flight at once."),
    max_rate: float | None = typer.Option(
        None, "--max-rate", help="Ceiling in API requests/s, all workers together (default: find the server's limit)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Send nothing when any row is invalid."),
    log_format: str = LOG_FORMAT,
    sub_partner_org_id: str | None = typer.Option(
        None, "--sub-partner-org-id", help="Act for this sub-partner org: onBehalfOfSubPartnerOrgId on wholesale calls."
    ),
    update: bool = syncing.UPDATE,
    prune: bool = syncing.PRUNE,
    max_deletes: int = syncing.MAX_DELETES,
    refresh_token_file: Path | None = syncing.REFRESH_TOKEN_FILE,
    notify_url: list[str] = telling.NOTIFY_URL,
    notify_on: str = telling.NOTIFY_ON,
    notify_secret_file: Path | None = telling.NOTIFY_SECRET_FILE,
    heartbeat_url: str | None = telling.HEARTBEAT_URL,
    history: Path | None = telling.HISTORY,
    history_days: int = telling.HISTORY_DAYS,
    metrics_textfile: Path | None = telling.METRICS_TEXTFILE,
    provisioning_patience: float = syncing.PATIENCE,
    resend_consent: bool = syncing.RESEND_CONSENT,
    shard: str | None = syncing.SHARD,
    window: list[str] = changing.WINDOW,
    waves: str | None = changing.WAVES,
    max_fail_percent: float | None = changing.MAX_FAIL_PERCENT,
    saved: Path | None = changing.PLAN,
    approved_by: str | None = changing.APPROVED_BY,
    activate_numbers: bool = changing.ACTIVATE_NUMBERS,
    config: Path | None = CONFIG,
    timeout: float = typer.Option(30.0, "--timeout", hidden=True, help="Seconds to wait for an answer."),
) -> None:
    """Provision every valid row; re-running is safe (rows already done are reported exists)."""
    from batch.notify.watch import RunWatch, WatchSettings
    from batch.report.summary import print_summary
    from batch.run.runner import RunOptions, resolve_auth, run_batch

    watch = RunWatch(
        WatchSettings(
            inputs=tuple(inputs),
            out_dir=out,
            base_url=base_url,
            notify_urls=tuple(notify_url),
            notify_on=notify_on,
            notify_secret_file=notify_secret_file,
            heartbeat_url=heartbeat_url,
            history=history,
            history_days=history_days,
            metrics_textfile=metrics_textfile,
            config=config,
            log_format=log_format,
        )
    )
    with watch.guard():  # a run that cannot start (exit 2) is recorded and notified too
        token, refresh = resolve_auth(token_file, refresh_token_file, base_url)
        options = RunOptions(
            shard=syncing.read_shard(shard),
            out_dir=check_out_dir(out),
            base_url=base_url,
            token=token,
            auth=refresh,
            watch=watch,
            timeout=timeout,
            journal=journal,
            concurrency=concurrency,
            max_rate=max_rate,
            strict=strict,
            log_format=log_format,
            sub_partner_org_id=sub_partner_org_id,
            update=update,
            prune=prune,
            max_deletes=max_deletes,
            provisioning_patience=provisioning_patience * 60,
            resend_consent=resend_consent,
            change=changing.run_change(window, waves, max_fail_percent, saved, approved_by, activate_numbers),
        )
        console = make_console()
        outcome = run_batch(inputs, options, console)
    if log_format != "json":  # in json mode stdout carries the events (warnings, the stop line) and nothing else
        print_summary(console, outcome.summary, outcome.paths)
        print_lines((outcome.stopped,) if outcome.stopped else ())
    raise typer.Exit(outcome.exit_code)


@app.command()
def report(
    outs: list[Path] = typer.Argument(..., metavar="OUT", help="The --out folder of a past run; several: shards."),
    as_json: bool = typer.Option(False, "--json", help="Print summary.json as it is (merged, for several)."),
    html: bool = typer.Option(False, "--html", help="Write OUT/report.html again (with the job's trend)."),
    history: Path | None = telling.HISTORY,
    merged_out: Path | None = syncing.MERGED_OUT,
) -> None:
    """Print the summary of the run in OUT again, with its exit code; several OUT (shards) are merged into one."""
    import json

    from batch.report.merge import report_merged
    from batch.report.page.html import rewrite_report_page
    from batch.report.past import load_summary
    from batch.report.summary import print_summary

    if len(outs) > 1:
        raise typer.Exit(report_merged(outs, make_console(), as_json=as_json, html=html, out=merged_out))
    summary, paths = load_summary(out := outs[0])
    if html:
        page = rewrite_report_page(out, summary, history)
        make_console(stderr=True).print(f"Written: {page}", markup=False)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        console = make_console()
        print_summary(console, summary, paths)
        if summary.get("interrupted"):
            console.print(f"The run stopped early ({summary.get('stopped', 'interrupted')}); run it again to resume.")
    raise typer.Exit(int(summary["exit_code"]))


@app.command("history")
def history_command(
    last: int = typer.Option(20, "--last", help="How many of the latest runs."),
    as_json: bool = typer.Option(False, "--json", help="The runs as a JSON list."),
    history: Path | None = telling.HISTORY,
) -> None:
    """List the runs recorded on this machine (or in --history FILE), newest first."""
    import json

    from batch.history.show import print_history
    from batch.history.store import History, default_path

    runs = History(history or default_path()).runs(last=max(last, 0))
    if as_json:
        typer.echo(json.dumps([run.as_dict() for run in runs], indent=2, ensure_ascii=False))
    else:
        print_history(make_console(), runs)


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
    print_lines(outcome.warnings)
    raise typer.Exit(outcome.exit_code)


app.command()(changing.template)  # batch/cli_change.py (cli.py stays under 400 lines)


@app.command()
def emulator(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless you mean it)."),
    port: int = typer.Option(8765, "--port", help="TCP port; 0 picks a free one."),
    rate: float = typer.Option(50.0, "--rate", help="Requests per second the server accepts (0 = unlimited)."),
    burst: int = typer.Option(50, "--burst", help="Requests allowed at once above the rate."),
    latency_ms: float = typer.Option(0.0, "--latency-ms", help="Delay added to every response."),
    provisioning_seconds: float = typer.Option(300.0, "--provisioning-seconds", help="Emulator seconds to provision."),
    speed: float = typer.Option(1.0, "--speed", help="Emulator seconds per real second (150: 5 minutes in 2 s)."),
    error_rate: float = typer.Option(0.0, "--error-rate", help="Share of writes answered 503 before the write."),
    lost_response_rate: float = typer.Option(
        0.0, "--lost-response-rate", help="Share of writes committed whose response is lost (502 or dropped)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the injected faults."),
    token: str = typer.Option("emulator-token", "--token", help="The bearer token the emulator accepts."),
    retry_after: int | None = typer.Option(None, "--retry-after", help="Retry-After seconds of every 429."),
    list_lag_seconds: float = typer.Option(0.0, "--list-lag-seconds", help="New objects show up in lists later."),
    drop_next_filters: bool = typer.Option(False, "--drop-next-filters", help="Next links keep only start/max."),
    integrated_pstn: list[str] = typer.Option(
        [], "--integrated-pstn-location", help="Location name that comes up on Cisco Calling Plan (repeatable)."
    ),
    handshake: bool = typer.Option(
        True, "--managed-org-handshake/--no-managed-org-handshake", help="New orgs answer 403 until GET /organizations."
    ),
    token_lifetime: float = typer.Option(
        0.0, "--token-lifetime", help="Seconds an access token from POST /v1/access_token lives (0 = forever)."
    ),
    client_id: str = typer.Option("emulator-client", "--client-id", help="Integration client id for /access_token."),
    client_secret: str = typer.Option("emulator-secret", "--client-secret", help="Its client secret."),
    refresh_token: str = typer.Option("emulator-refresh-token", "--refresh-token", help="Refresh token accepted."),
    rotate_refresh_token: bool = typer.Option(False, "--rotate-refresh-token", help="Each refresh issues a new one."),
    state_file: Path | None = typer.Option(
        None, "--state-file", help="Keep the emulator's objects in this JSON file across restarts."
    ),
    slow_rate: float = typer.Option(0.0, "--slow-rate", help="Share of requests answered only after --slow-seconds."),
    slow_seconds: float = typer.Option(0.0, "--slow-seconds", help="How late those answers come."),
    storm_every: float = typer.Option(0.0, "--storm-every", help="Every this many seconds a 429 storm (0 = never)."),
    storm_seconds: float = typer.Option(0.0, "--storm-seconds", help="How long each 429 storm lasts."),
) -> None:
    """Serve the local Webex Wholesale API emulator until Ctrl-C."""
    from batch.emulator import EmulatorConfig
    from batch.emulator.server import serve

    config = EmulatorConfig(
        token=token, rate=rate, burst=burst, latency_ms=latency_ms,
        provisioning_seconds=provisioning_seconds,
        speed=speed,
        error_rate=error_rate,
        lost_response_rate=lost_response_rate,
        seed=seed,
        retry_after=retry_after,
        list_lag_seconds=list_lag_seconds,
        drop_next_filters=drop_next_filters,
        integrated_pstn_locations=frozenset(integrated_pstn),
        managed_org_handshake=handshake,
        token_lifetime=token_lifetime,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        rotate_refresh_token=rotate_refresh_token,
        state_file=str(state_file) if state_file else None,
        slow_rate=slow_rate,
        slow_seconds=slow_seconds,
        storm_every=storm_every,
        storm_seconds=storm_seconds,
    )
    console = make_console()

    def ready(base_url: str) -> None:
        console.print(f"Webex API emulator at {base_url}", markup=False)
        console.print(f"Token: {token}   (emulator only; stop with Ctrl-C)", markup=False)

    with quiet_stop(console, "Emulator stopped"):  # main's handlers speak of a run; the emulator has none
        serve(config, host, port, ready)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: anticipated failures and usage errors are one line on stderr (contract §4).

    A SIGINT or SIGTERM that comes before the run's own handlers are in place (while the input is read)
    ends with one line and exit 3 too, not a silent kill, typer's "Aborted!" or a traceback."""
    from batch.console import fail_line, plain_metavars, usage_or_crash

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stopped_early)
    try:
        command = plain_metavars(typer.main.get_command(app))
        code = command.main(args=argv, prog_name="rtm-batch", standalone_mode=False)
    except RunStopped as exc:
        make_console(stderr=True).print(str(exc), markup=False)
        code = exc.exit_code
    except RtmBatchError as exc:
        code = fail_line(str(exc), exc.exit_code)
    except BaseException as exc:  # usage errors, a full disk, a bug: still one line, never a traceback
        code = fail_line(*usage_or_crash(exc))
    raise SystemExit(code or 0)


def _stopped_early(signum: int, frame: object) -> None:
    name = signal.Signals(signum).name
    raise RunStopped(f"stopped before the run got going ({name} received); run the same command again")
