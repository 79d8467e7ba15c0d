"""``rtm-batch export`` as a library call: list, read, write, count (``export_batch``), and the same for
a run that is about to prune (``export_customers``, inside that run's event loop and client).

Only GETs are sent, through ``WebexClient`` and the run's memoized look-ups, so an export paces itself as
``run`` does (``--max-rate``, else the server's limit is found) and is restartable without harm: nothing
appears at ``--out`` until everything is read, and then each file whole. A workbook is written while the
customers are read (``batch.export.stream``), under a temporary name; CSV files after.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.api.tokens import RefreshSettings, rejected
from batch.errors import AuthError, UsageError
from batch.export.events import Events
from batch.export.read import Item, ServerCustomer, read_customers
from batch.export.rows import ExportRows, Note, Row, add_customer, templates_named
from batch.export.stream import WorkbookStream
from batch.export.templates import Selection, select
from batch.export.write import check_target, is_workbook, write_export
from batch.provision.context import ActionContext
from batch.provision.lookups import CUSTOMERS, PAGE_SIZE

#: Customer statuses ``--status`` takes (webex-wholesale.json ``Customer.status``).
STATUSES = frozenset(
    {"provisioned", "provisioned_with_errors", "provisioning", "updating", "deleting", "error", "pending_rpl_review"}
)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What ``rtm-batch export`` was asked for; the token is kept out of ``repr``."""

    out: Path
    base_url: str
    token: str = field(repr=False)
    customers: tuple[str, ...] = ()
    customers_from: Path | None = None
    statuses: tuple[str, ...] = ()
    sub_partner_org_id: str | None = None
    max_rate: float | None = None
    concurrency: int = 16
    force: bool = False
    auth: RefreshSettings | None = None  # an integration's refresh token (then ``token`` is empty)


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """The files written, the rows per sheet, the notes, and ``summary.json``'s content."""

    paths: tuple[Path, ...]
    counts: Mapping[str, int]
    notes: tuple[Note, ...]
    summary: Mapping[str, Any]

    @property
    def exit_code(self) -> int:
        return 0


def export_batch(options: ExportOptions, events: Events | None = None) -> ExportOutcome:
    """Everything the options ask for, read from the server and written to ``options.out``."""
    bad = sorted(set(options.statuses) - STATUSES)
    if bad:
        raise UsageError(f"--status {', '.join(bad)}: not a customer status ({', '.join(sorted(STATUSES))})")
    check_target(options.out, force=options.force)
    selection = select(options.customers, options.customers_from)
    config = ClientConfig(
        base_url=check_base_url(options.base_url),
        token=options.token,
        max_rate=options.max_rate,
        concurrency=options.concurrency,
        sub_partner_org_id=options.sub_partner_org_id,
    )
    events = events or Events()
    try:
        return anyio.run(_export, config, options, selection, events)
    except AuthError as exc:
        if exc.status != 401:
            raise
        raise rejected(exc) from None


async def _export(config: ClientConfig, options: ExportOptions, selection: Selection, events: Events) -> ExportOutcome:
    started, clock = datetime.now(UTC), time.perf_counter()
    source = options.auth.source(on_failure=_refused) if options.auth is not None else None
    stream: list[WorkbookStream] = []  # the workbook being written, once the customers to read are known

    def opened(templates: list[Row]) -> Callable[[ExportRows], None] | None:
        if not is_workbook(options.out):
            return None
        stream.append(WorkbookStream(options.out, templates))
        return stream[0].add

    try:
        async with WebexClient(config, auth=source) as client:
            await client.sign_in()
            ctx = ActionContext(client)
            rows, listed = await export_customers(
                ctx,
                selection,
                statuses=options.statuses,
                concurrency=options.concurrency,
                events=events,
                sink=opened,
            )
            read_seconds = time.perf_counter() - clock
            api = {**client.stats.counts(), "settled_rate": round(float(client.limiter.rate), 2)}
        paths = [stream[0].finish(rows)] if stream else write_export(rows, options.out)
    except BaseException:
        if stream:
            stream[0].discard()
        raise
    wall = time.perf_counter() - clock
    summary = _summary(rows, listed, api, started, wall, options.out) | {"read_seconds": round(read_seconds, 3)}
    summary_path = _summary_path(options.out)
    _write_json(summary_path, summary)
    outcome = ExportOutcome((*paths, summary_path), rows.counts(), tuple(rows.notes), summary)
    events.finished(outcome.counts, len(outcome.notes), [str(p) for p in outcome.paths])
    return outcome


async def export_customers(
    ctx: ActionContext,
    selection: Selection,
    *,
    statuses: tuple[str, ...] = (),
    concurrency: int = 16,
    events: Events | None = None,
    sink: Callable[[list[Row]], Callable[[ExportRows], None] | None] | None = None,
) -> tuple[ExportRows, int]:
    """The selected customers read and turned into rows (and how many the listing held).

    Customers asked for by ``--customer`` that the server does not hold are notes, not errors. ``sink``,
    given the ``templates`` rows once the customers to read are known, may return a callable that is handed
    the rows each time they grow (a customer and all before it in the listing are read): the streamed
    workbook (``batch.export.stream``)."""
    events = events or Events()
    listed = await _listed(ctx, statuses)
    chosen = [c for c in listed if selection.wants(str(c.get("externalId") or ""))]
    missing = _missing(selection, listed)
    stamp = _now()
    rows = ExportRows()
    rows.sheets["templates"] = templates_named(selection.templates, [str(c.get("externalId") or "") for c in chosen])
    grew = sink(rows.sheets["templates"]) if sink is not None else None
    events.start(len(chosen))
    done = Counter[str]()
    waiting: dict[int, ServerCustomer] = {}  # read, but a customer before it in the listing is not yet

    def finished(index: int, customer: ServerCustomer) -> None:
        done["customers"] += 1
        events.customer_done(customer.external_id, done["customers"], len(chosen), customer.problem)
        waiting[index] = customer
        while done["rows"] in waiting:  # the rows keep the listing's order
            add_customer(waiting.pop(done["rows"]), selection.templates, stamp, rows)
            done["rows"] += 1
        if grew is not None:
            grew(rows)

    await read_customers(ctx, chosen, concurrency=concurrency, done=finished)
    for ext in missing:
        message = f"customer {ext} is not on the server (or not with the --status asked for): nothing exported"
        rows.notes.append(Note("customers", ext, "export.customer.not_found", message))
    return rows, len(listed)


async def _listed(ctx: ActionContext, statuses: tuple[str, ...]) -> list[Item]:
    """Every wholesale customer (of the statuses asked for), without the partner's own org (§11.10)."""
    params: dict[str, Any] = {"max": PAGE_SIZE}
    if statuses:
        params["status"] = ",".join(statuses)
    items = await ctx.client.get_all(CUSTOMERS, params)
    own = str((await ctx.client.get("/people/me")).get("orgId") or "")
    return [c for c in items if not own or str(c.get("orgId") or "") != own]


def _missing(selection: Selection, listed: list[Item]) -> list[str]:
    have = {str(c.get("externalId") or "").casefold() for c in listed}
    return [ext for ext in selection.external_ids if ext.casefold() not in have]


def _refused(message: str) -> None:
    """A refresh refused mid-export: nothing is written, the export can simply be run again."""
    raise AuthError(message)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _summary(
    rows: ExportRows, listed: int, api: Mapping[str, Any], started: datetime, wall: float, out: Path
) -> dict[str, Any]:
    return {
        "command": "export",
        "out": str(out),
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        "customers_listed": listed,
        "rows": rows.counts(),
        "notes": len(rows.notes),
        "notes_by_code": dict(Counter(n.code for n in rows.notes)),
        "api": dict(api),
        "exit_code": 0,
    }


def _summary_path(out: Path) -> Path:
    """``DIR/summary.json``; beside a workbook ``FILE.summary.json`` (a run's summary.json there stays)."""
    return out.with_name(f"{out.stem}.summary.json") if is_workbook(out) else out / "summary.json"


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
