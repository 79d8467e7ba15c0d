"""What the CLI prints for people: short summaries and problem tables (rich), plain off a terminal."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from batch.jobs import KIND_ORDER
from batch.problems import Problem, RuleCount
from batch.validate.cascades import DEPENDENT, cascades, row_of

if TYPE_CHECKING:
    from batch.pipeline import ValidationOutcome
    from batch.plan.graph import Plan

#: How many problems the summary shows; the rest are in validation.csv.
SHOWN_PROBLEMS = 10


def make_console(stderr: bool = False) -> Console:
    """A console that never emits colour codes or live widgets into a pipe, a CI log or ``TERM=dumb``."""
    stream = sys.stderr if stderr else sys.stdout
    plain = not stream.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb"
    return Console(
        file=stream, no_color=bool(plain), highlight=False, soft_wrap=bool(plain), width=None if not plain else 160
    )


def print_validation(console: Console, outcome: ValidationOutcome) -> None:
    """``rtm-batch validate``'s summary of ``outcome`` (``validation_summary``)."""
    figures = (outcome.row_counts, outcome.invalid_counts, outcome.problems, outcome.validated.counts)
    validation_summary(console, *figures, merged=outcome.loaded.merged)


def validation_summary(
    console: Console,
    row_counts: dict[str, int],
    invalid_counts: dict[str, int],
    problems: Sequence[Problem],
    counts: Sequence[RuleCount],
    *,
    merged: bool = False,
) -> None:
    """Counts per sheet, then the first few problems as a table. The counts are the rules' true counts, not the
    listed ``problems`` (capped per rule), so 200,000 bad numbers say 200,000. ``merged``: several inputs, so
    each problem's sheet names its input too."""
    severities: Counter[str] = Counter()
    per_sheet: Counter[tuple[str, str]] = Counter()
    for count in counts:
        severities[count.severity] += count.found
        per_sheet[(count.sheet, count.severity)] += count.found
    table = Table(title="Validation", show_edge=False, title_justify="left")
    for name in ("sheet", "rows", "invalid", "errors", "warnings"):
        table.add_column(name, justify="left" if name == "sheet" else "right")
    for sheet, rows in row_counts.items():
        table.add_row(
            sheet,
            str(rows),
            str(invalid_counts.get(sheet, 0)),
            str(per_sheet[(sheet, "error")]),
            str(per_sheet[(sheet, "warning")]),
        )
    console.print(table)
    console.print(f"{severities['error']} errors, {severities['warning']} warnings")
    capped = [c for c in counts if c.not_listed]
    if capped:
        console.print(
            f"{sum(c.not_listed for c in capped)} of them are counted but not listed: validation.csv lists the first "
            f"{max(c.listed for c in capped)} of each rule and one line per rule with how many more "
            f"({', '.join(f'{c.rule}: {c.not_listed} more' for c in capped[:5])}{', …' if len(capped) > 5 else ''})"
        )
    if problems:
        _problem_table(console, problems, merged)


def _problem_table(console: Console, problems: Sequence[Problem], merged: bool = False) -> None:
    """Root causes first: problems of the input itself, file-wide ones on top, errors before warnings. The
    rows that are invalid only because a row they name is (``dependency.invalid_parent``) are counted under
    that row, so one bad customer does not fill the screen with its users."""
    roots = [p for p in problems if p.rule != DEPENDENT]
    counted = cascades(problems, {row_of(p, merged) for p in roots if p.is_error}, merged)
    shown = sorted(roots, key=lambda p: (p.row is not None, not p.is_error))[:SHOWN_PROBLEMS]
    last_of_row = {row_of(p, merged): i for i, p in enumerate(shown)}
    table = Table(show_edge=False)
    for name in ("sheet", "row", "column", "value", "severity", "message"):
        table.add_column(name, overflow="fold")
    for i, p in enumerate(shown):
        value = visible(p.value if len(p.value) <= 30 else p.value[:27] + "...")
        column, message = visible(one_line(p.column, 40)), visible(one_line(p.message))
        sheet = f"{p.sheet} ({visible(_short_source(p.source))})" if merged and p.source else p.sheet
        table.add_row(sheet, "" if p.row is None else str(p.row), column, value, p.severity, message)
        count = counted.get(row_of(p, merged), 0)
        if count and last_of_row[row_of(p, merged)] == i:
            named = f"rows that name this {_KIND.get(p.sheet, 'row')}"
            table.add_row("", "", "", "", "", f"… and {count} dependent problems on {named}")
    console.print(table)
    if len(problems) > len(shown):
        console.print(f"... and {len(problems) - len(shown)} more lines in validation.csv")


def _short_source(source: str) -> str:
    """``book.xlsx`` or ``extra/users.csv``: enough to tell merged inputs apart on a terminal."""
    path = Path(source.split("#", 1)[0])
    return path.name if "#" in source else f"{path.parent.name}/{path.name}"


_KIND = {"templates": "template (or its customers)", "customers": "customer", "locations": "location"}


def plan_summary(console: Console, plan: Plan, rate: float) -> None:
    """Jobs per kind, the longest dependency chain and what a run would cost at ``rate`` requests/s."""
    table = Table(title="Plan", show_edge=False, title_justify="left")
    table.add_column("job")
    table.add_column("count", justify="right")
    for kind, count in sorted(plan.kind_counts().items(), key=lambda item: KIND_ORDER[item[0]]):
        table.add_row(kind.value, str(count))
    console.print(table)
    console.print(
        f"{len(plan.jobs)} jobs, depth {plan.depth()}, about {plan.estimated_calls()} API calls, "
        f"about {plan.estimated_seconds(rate):.0f} s at {rate:g} requests/s"
    )


def actions_summary(console: Console, actions: Mapping[str, Mapping[str, int]]) -> None:
    """``plan --base-url``: what a run would do per sheet (create, update, remove, unchanged, …)."""
    if not actions:
        return
    order = ("create", "update", "differs", "update refused", "unchanged", "remove", "remove refused")
    names = {name for counts in actions.values() for name in counts}
    shown = [n for n in order if n in names] + sorted(names - set(order))
    table = Table(title="Actions", show_edge=False, title_justify="left")
    table.add_column("sheet")
    for name in shown:
        table.add_column(name, justify="right")
    for sheet, counts in actions.items():
        table.add_row(sheet, *(str(counts.get(name, 0)) for name in shown))
    console.print(table)


#: Longest error line a person gets (contract §4: about 300 characters, never a whole cell or header).
MAX_ERROR_LINE = 300


def one_line(message: str, limit: int = MAX_ERROR_LINE) -> str:
    """``message`` on one line of at most ``limit`` characters (the cut marked with …)."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Control characters shown as ``\\x1b`` codes: a cell must not drive the terminal (colours, cursor, bidi)."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m[0]):04x}" if ord(m[0]) > 0xFF else f"\\x{ord(m[0]):02x}", text)


def fail_line(message: str, code: int) -> int:
    """Print ``error: message`` as one line on stderr; the exit code to end with."""
    make_console(stderr=True).print(visible(one_line(f"error: {message}")), markup=False, soft_wrap=True)
    return code


def usage_or_crash(exc: BaseException) -> tuple[str, int]:
    """The line and exit code for what escaped a command: click's usage errors, a full disk, Ctrl-C, a bug.

    ``RTM_BATCH_DEBUG=1`` re-raises an unexpected exception so a developer gets its traceback.
    """
    from typer.exceptions import Abort, TyperException

    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, TyperException):  # typer's own copy of click's exceptions
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            make_console().print(ctx.get_help(), markup=False, highlight=False)
            raise SystemExit(0)
        text = exc.format_message().rstrip(".")
        if exc.exit_code == 2 and ctx is not None:
            return f"{text[:1].lower()}{text[1:]} (see {ctx.command_path} --help)", 2
        return text, exc.exit_code
    if isinstance(exc, Abort | KeyboardInterrupt):
        return "interrupted", 130
    if isinstance(exc, MemoryError):
        return "out of memory: the input is too large for this machine; split it into smaller batches", 2
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}", 2
    if os.environ.get("RTM_BATCH_DEBUG"):
        raise exc
    first = (str(exc).strip().splitlines() or [""])[0][:150]
    return f"internal error ({type(exc).__name__}: {first}); please report it with the command you ran", 2


#: What ``--help`` shows after an option, instead of typer's Python type names (``<path>``, ``<int>``).
METAVARS = {
    "out": "DIR",
    "base_url": "URL",
    "token_file": "FILE",
    "journal": "FILE",
    "concurrency": "N",
    "max_rate": "R",
    "log_format": "auto|plain|json",
    "host": "H",
    "port": "P",
    "max_deletes": "N",
    "sub_partner_org_id": "ID",
    "refresh_token_file": "FILE",
    "notify_url": "URL",
    "config": "FILE",
    "integrated_pstn": "NAME",
    "rate": "R",
    "burst": "N",
    "latency_ms": "MS",
    "provisioning_seconds": "SECONDS",
    "error_rate": "SHARE",
    "lost_response_rate": "SHARE",
    "seed": "N",
    "token": "TOKEN",
    "retry_after": "SECONDS",
    "list_lag_seconds": "SECONDS",
    "token_lifetime": "SECONDS",
    "client_id": "ID",
    "client_secret": "SECRET",
    "refresh_token": "TOKEN",
    "state_file": "FILE",
    "slow_rate": "SHARE",
    "slow_seconds": "SECONDS",
    "storm_every": "SECONDS",
    "storm_seconds": "SECONDS",
    "timeout": "SECONDS",
}


CommandT = TypeVar("CommandT")


def plain_metavars(command: CommandT) -> CommandT:
    """Give every option of ``command`` (typer's group or command, changed in place) a metavar a person reads:
    ``--out DIR``."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            plain_metavars(sub)
    if isinstance(command, TyperGroup | TyperCommand):
        for param in command.params:
            if isinstance(param, TyperArgument):  # its name says it all; typer would add <list[Path]>
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]  # typer has no switch for it
            elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
                param.metavar = METAVARS.get(param.name or "", (param.name or "value").upper())
    return command


def print_lines(lines: Sequence[str]) -> None:
    """Lines for the person beside the output (where an earlier run's reports went): stderr, as warnings go."""
    for line in lines:
        make_console(stderr=True).print(line, markup=False)


@contextlib.contextmanager
def quiet_stop(console: Console, said: str) -> Iterator[None]:
    """Ctrl-C or SIGTERM ends the block with ``said`` and exit 0 (``rtm-batch emulator``: uvicorn shuts down
    first, then raises the signal again), instead of the CLI's "stopped before the run got going"."""

    def stop(signum: int, frame: object) -> None:
        raise typer.Exit(0)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        yield
    except typer.Exit:
        console.print(said, markup=False)
        raise
