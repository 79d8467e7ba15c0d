"""Nightly sync cost: a provisioned batch, then a copy with 5 % of its users changed, run with ``--update``.

Why: a sync must cost its look-ups plus one write per change and nothing more: the update run's API calls
≤ 1.05 × (the unchanged run's look-ups + one write per change), and its wall ≤ 1.10 × the lower bound at the
emulator's limit (calls ÷ limit, or the critical path). Three runs against one emulator in its own process:
provision the batch; run it again unchanged (every call a look-up: the baseline, and it must write
nothing); run the changed copy with ``--update`` (each changed user moves from webex_calling to
webex_meetings: one subscriber PUT each).

The unchanged run is also held to the listing bound (issue 22): what a sync must read when nothing changed is
the customers (pages of 100), each customer's subscribers (pages of 100), per customer org one listing each
of its locations, its calling locations and its numbers (every bench customer has calling), one listing of
an org's holders of a role per org and role named by rows naming one role (a row naming several reads its
person); its look-ups ≤ 1.25 × that bound.

Run: ``.venv/bin/python -m bench.bench_sync [--customers 300 --locations 900 --users 20000 --changed 0.05
--rate 200 --latency-ms 20 --provisioning-seconds 300 --speed 150]``.
"""

from __future__ import annotations

import argparse
import io
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import polars as pl
from rich.console import Console

from batch.run.runner import RunOptions, RunOutcome, run_batch
from batch.validate.phones import split_list
from bench.generate import make_batch, write_csv_folder
from bench.servers import TOKEN, ServedEmulator


def changed_copy(batch: dict[str, pl.DataFrame], share: float) -> tuple[dict[str, pl.DataFrame], int]:
    """``share`` of the users moved from webex_calling to webex_meetings (non-administrators of customers that
    have webex_meetings); their calling columns are cleared, as a partner's export would."""
    users, customers = batch["users"], batch["customers"]
    with_meetings = customers.filter(pl.col("packages").str.contains("webex_meetings"))["external_id"]
    eligible = (
        (pl.col("package") == "webex_calling")
        & pl.col("customer_external_id").is_in(with_meetings.implode())
        & pl.col("roles").is_null()
    )
    wanted = round(users.height * share)
    index = users.with_row_index("i").filter(eligible)["i"].head(wanted)
    if index.len() < wanted:
        raise SystemExit(f"only {index.len()} users can change; ask for a smaller --changed")
    picked = pl.int_range(pl.len()).is_in(index.implode())
    moved = users.with_columns(
        package=pl.when(picked).then(pl.lit("webex_meetings")).otherwise(pl.col("package")),
        **{c: pl.when(picked).then(None).otherwise(pl.col(c)) for c in ("phone_number", "extension", "location_name")},
    )
    return {**batch, "users": moved}, index.len()


#: Items per page of the wholesale listings (customers, subscribers) the tool asks for.
PAGE = 100
#: Listings per customer org: its locations, its calling locations, its numbers.
ORG_LISTINGS = 3


def listing_bound(batch: dict[str, pl.DataFrame]) -> tuple[int, str]:
    """(the listing bound of an unchanged night, how it is counted)."""
    customers, users = batch["customers"], batch["users"]
    customer_pages = max(1, math.ceil(customers.height / PAGE))
    per_customer = users.group_by("customer_external_id").len()["len"]
    subscriber_pages = customers.height - per_customer.len() + sum(max(1, math.ceil(n / PAGE)) for n in per_customer)
    listings = ORG_LISTINGS * customers.height
    named = users.filter(pl.col("roles").is_not_null()).with_columns(
        split_list(users.filter(pl.col("roles").is_not_null())["roles"]).list.unique().alias("named")
    )
    one_role = named.filter(pl.col("named").list.len() == 1)
    role_listings = one_role.select("customer_external_id", pl.col("named").list.first()).unique().height
    person_reads = named.height - one_role.height
    bound = customer_pages + subscriber_pages + listings + role_listings + person_reads
    how = (
        f"{customer_pages} customers' pages + {subscriber_pages} subscribers' pages + {ORG_LISTINGS} listings × "
        f"{customers.height} orgs + {role_listings} listings of an org's holders of a role (rows naming one role)"
        f" + {person_reads} person reads (rows naming several)"
    )
    return bound, how


def main() -> None:
    parser = argparse.ArgumentParser(description="Nightly sync benchmark against the emulator")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--locations", type=int, default=900)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--changed", type=float, default=0.05, help="share of users changed")
    ServedEmulator.add_options(parser)
    parser.add_argument("--client-rate", type=float, default=None, help="--max-rate (default: 98 %% of the limit)")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    client_rate = args.client_rate or round(args.rate * 0.98, 2)

    with tempfile.TemporaryDirectory() as tmp:
        batch = make_batch(args.customers, args.locations, args.users)
        source, changed = Path(tmp) / "batch", Path(tmp) / "changed"
        write_csv_folder(batch, source)
        copy, changes = changed_copy(batch, args.changed)
        write_csv_folder(copy, changed)
        with ServedEmulator.from_args(args).serve() as (base_url, _pid):

            def run(folder: Path, out: str, **extra: bool) -> tuple[RunOutcome, Counts, float]:
                options = RunOptions(
                    out_dir=Path(tmp) / out,
                    base_url=base_url,
                    token=TOKEN,
                    max_rate=client_rate,
                    concurrency=args.concurrency,
                    log_format="plain",
                    **extra,
                )
                before = counts(base_url)
                started = time.perf_counter()
                outcome = run_batch([folder], options, Console(file=io.StringIO()))
                return outcome, counts(base_url) - before, time.perf_counter() - started

            provisioned, _, provision_wall = run(source, "provision")
            unchanged, unchanged_counts, _ = run(source, "unchanged", update=True)
            updated, update_counts, total = run(changed, "update", update=True)
    report(
        args,
        listing_bound(batch),
        client_rate,
        changes,
        provisioned,
        provision_wall,
        unchanged,
        unchanged_counts,
        updated,
        update_counts,
        total,
    )


@dataclass(frozen=True)
class Counts:
    """What the emulator counted: writes (every request but a GET), and ``GET /people`` listings (per org, the
    holders of a role: the roles rows' check, which the package changes' Full Administrator check shares)."""

    writes: int
    admin_listings: int

    def __sub__(self, other: Counts) -> Counts:
        return Counts(self.writes - other.writes, self.admin_listings - other.admin_listings)


def counts(base_url: str) -> Counts:
    routes = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=30).json()["routes"]
    writes = sum(n for route, counted in routes.items() if not route.startswith("GET ") for n in counted.values())
    return Counts(writes, sum(routes.get("GET /v1/people", {}).values()))


def report(
    args: argparse.Namespace,
    listings: tuple[int, str],
    client_rate: float,
    changes: int,
    provisioned: RunOutcome,
    provision_wall: float,
    unchanged: RunOutcome,
    unchanged_counts: Counts,
    updated: RunOutcome,
    update_counts: Counts,
    total: float,
) -> None:
    lookups = int(unchanged.api["requests"])
    calls = int(updated.api["requests"])
    expected = lookups + changes
    run_wall = float(updated.api["seconds"])
    bound = expected / args.rate  # the ideal sync's calls at the server's limit (no customer provisions here)
    print(f"batch: {args.customers} customers, {args.locations} locations, {args.users} users; {changes} changed")
    print(
        f"server: {args.rate:g} req/s (burst {args.burst}), {args.latency_ms:g} ms latency; "
        f"client --max-rate {client_rate:g}, --concurrency {args.concurrency}"
    )
    print(
        f"provision: {provisioned.api['requests']} calls in {provision_wall:.1f} s; "
        f"rows {provisioned.summary['totals']}"
    )
    print(f"unchanged run: {lookups} calls (all look-ups), {unchanged_counts.writes} writes (must be 0)")
    print(f"listing bound: {listings[0]} = {listings[1]}")
    print(f"unchanged run ÷ listing bound = {lookups / listings[0]:.3f} (target ≤ 1.25)")
    print(f"update run: rows {updated.summary['totals']}")
    print(f"update run: {calls} calls, {update_counts.writes} writes; look-ups + one write per change = {expected}")
    print(f"calls ÷ (look-ups + changes) = {calls / expected:.3f} (target ≤ 1.05)")
    admins = update_counts.admin_listings - unchanged_counts.admin_listings
    print(
        f"role-holder listings: unchanged run {unchanged_counts.admin_listings}, update run "
        f"{update_counts.admin_listings} ({admins:+d}: the package changes' Full Administrator check shares them)"
    )
    print(
        f"429 answers: unchanged run {unchanged.api['throttled']}, update run {updated.api['throttled']} "
        "(each pauses every worker for Retry-After and slows the rate)"
    )
    print(f"lower bound: {bound:.1f} s ((look-ups + changes) ÷ limit)")
    print(f"wall (update phase): {run_wall:.1f} s = {run_wall / bound:.3f} × lower bound (target ≤ 1.10)")
    print(f"wall (whole command incl. load, validate, reports): {total:.1f} s = {total / bound:.3f} × lower bound")
    print(
        f"client CPU: {updated.api['cpu_seconds']:.1f} s over {calls} calls = "
        f"{1000 * updated.api['cpu_seconds'] / max(calls, 1):.3f} ms/call"
    )


if __name__ == "__main__":
    main()
