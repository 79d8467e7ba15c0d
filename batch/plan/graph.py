"""Validated sheets → a job graph (pure: no I/O).

Edges follow real dependencies only: a location waits for its own customer, a user for its own
location's calling and for the numbers it will be given, its roles for its subscriber — never for the
rest of the batch. Rows naming a customer or location that the batch does not hold get a look-up-only
job, shared by every row that names it.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

import polars as pl

from batch import keys
from batch.jobs import Job, Kind
from batch.plan import rowjobs
from batch.plan.jobmap import JobMap, Shared
from batch.plan.rowjobs import RowJobs
from batch.plan.rows import RowAs, RowFields
from batch.plan.sheets import ValidSheet
from batch.validate.rules import source_file
from batch.validate.validator import ValidatedBatch
from schemas.vocab import CALLING_PACKAGES

#: Requests a job of each kind usually costs (lookups shared per org are spread over their jobs).
CALLS_PER_JOB: Mapping[Kind, float] = {
    Kind.CUSTOMER: 5.0,  # look-up by externalId, create, ~2 status polls, GET /organizations/{orgId}
    Kind.CUSTOMER_REF: 0.1,
    Kind.HQ: 1.0,
    Kind.LOCATION: 1.2,
    Kind.LOCATION_REF: 0.5,
    Kind.CALLING: 2.0,
    Kind.NUMBERS: 3.0,  # listing (or none for a new location), the PSTN connection read, the POST
    Kind.MAIN_NUMBER: 2.0,
    Kind.SUBSCRIBER: 1.05,
    Kind.ROLES: 3.1,  # GET person, PUT, GET to verify (callingData=true), the roles listing shared
    Kind.REMOVE: 1.0,  # --prune: the DELETE (the listing is the subscribers' own)
    Kind.ACTIVATE: 3.0,  # the numbers listing, the PSTN connection read, the PUT
}

#: Columns of a customers row that the headquarters location shares (compared with ``--update``).
HQ_COLUMNS = (
    "address_line1",
    "address_line2",
    "city",
    "state_or_province",
    "postal_code",
    "country",
    "country_code",
    "timezone",
    "timezone_resolved",
)

#: What a headquarters, numbers and main number job read of their customers or locations row (``RowAs``).
_HQ_FIELDS = {"hq_location_name": ("hq_location_name", ""), **{c: (c, None) for c in HQ_COLUMNS}}
_NUMBERS_FIELDS = {
    "numbers": ("numbers_e164", ()),
    "numbers_state": ("numbers_state", None),
    "pstn_connection": ("pstn_connection", None),
}
_MAIN_FIELDS = {"main_number": ("main_number_e164", None)}

#: An input row: (source, sheet, Excel row), the source the loader's ``_source`` (``path#sheet`` or a CSV file's path).
RowId = rowjobs.RowId

#: Users rows planned at once: their columns as Python lists, which at 100,000 left gaps among the plan's objects.
USERS_AT_ONCE = 10_000

#: Seconds a provisioning customer usually takes before its org can be set up (emulator default; Webex: minutes).
PROVISIONING_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Plan:
    """The job graph: jobs by key (parents before children) and, per input row (source, sheet, Excel row: merged
    inputs repeat row numbers, so the row's input is part of its name), the keys of the jobs that serve it (the
    first one is the row's own object). Built once by ``build_plan``; what the
    server adds to it (``--prune``'s removals) makes a new plan (``with_jobs``), before any job runs."""

    jobs: MutableMapping[str, Job] = field(default_factory=JobMap)  # a JobMap, or any mapping
    rows: MutableMapping[RowId, tuple[str, ...]] = field(default_factory=RowJobs)  # a RowJobs, or any mapping
    #: Rows came from several inputs: a message naming another row names its input too (``row_named``).
    merged: bool = False

    def with_jobs(self, added: Iterable[Job]) -> Plan:
        """This plan and ``added`` (children of jobs already in it; a key it holds keeps its job)."""
        jobs = self.jobs.copy() if isinstance(self.jobs, JobMap) else JobMap(self.jobs)
        for job in added:
            jobs.setdefault(job.key, job)
        return Plan(jobs, self.rows.copy() if isinstance(self.rows, RowJobs) else RowJobs(self.rows), self.merged)

    def row_named(self, job: Job) -> str:
        """How a message names the row of ``job``: ``customers row 2``, and with merged inputs its input too
        (``customers row 2 of book.xlsx``), because every input has a row 2."""
        where = f"{job.sheet} row {job.row}"
        return f"{where} of {source_file(job.source)}" if self.merged and job.source else where

    def kind_counts(self) -> Counter[Kind]:
        return Counter(map(_kind_of, self.jobs.values()))

    def depth(self) -> int:
        """Jobs on the longest dependency chain. Jobs with the same parents tuple (the users of one location share
        one) are at the same level: it is worked out once per tuple, not once per job."""
        level: dict[str, int] = {}
        by_parents: dict[int, int] = {}  # id of a parents tuple -> its jobs' level (the tuples live in the plan)
        for key, job in self.jobs.items():  # parents come first
            parents = job.parents
            at = by_parents.get(id(parents))
            if at is None:
                at = by_parents[id(parents)] = 1 + max((level[p] for p in parents), default=0)
            level[key] = at
        return max(level.values(), default=0)

    def estimated_calls(self) -> int:
        return round(sum(CALLS_PER_JOB[kind] * n for kind, n in self.kind_counts().items()))

    def estimated_seconds(self, rate: float) -> float:
        """The larger of the rate bound and the critical path (provisioning plus one round trip per level)."""
        bound = self.estimated_calls() / rate if rate > 0 else 0.0
        path = (PROVISIONING_SECONDS if Kind.CUSTOMER in self.kind_counts() else 0.0) + self.depth() * 0.1
        return max(bound, path)


_kind_of = attrgetter("kind")


def customer_of(job: Job) -> str:
    """The customer job a job belongs to (its own key for a customer; "" for none): the unit ``--waves`` counts
    in, and the one whose listings and outcomes the executor lets go of once its last job ends."""
    if job.kind in (Kind.CUSTOMER, Kind.CUSTOMER_REF):
        return job.key
    return job.refs.get("customer") or next((p for p in job.parents if keys.is_step(p, keys.CUSTOMER)), "")


def build_plan(validated: ValidatedBatch, *, merged: bool = False) -> Plan:
    """Every valid row becomes its jobs; invalid rows get none (the runner reports them ``invalid``).
    ``merged``: the rows came from several inputs (``LoadedBatch.merged``)."""
    sheets = validated.sheets
    builder = _Builder()
    with _collector_paused():
        builder.customers(ValidSheet(sheets["customers"], calling=_CUSTOMER_CALLING))
        builder.locations(ValidSheet(sheets["locations"], calling=pl.lit(None)))
        for part in ValidSheet(sheets["users"], calling=_USER_CALLING).parts(USERS_AT_ONCE):
            builder.users(part)
    return Plan(builder.jobs, builder.rows, merged)


#: A customer row offers calling when one of its packages is a calling package (its HQ is then set up).
_CUSTOMER_CALLING = (
    pl.col("packages_list").list.eval(pl.element().is_in(sorted(CALLING_PACKAGES))).list.any().fill_null(False)
)
_USER_CALLING = pl.col("package_resolved").is_in(sorted(CALLING_PACKAGES)).fill_null(False)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the graph is built: it holds no cycle, and a million new jobs
    and rows made the collector walk every object made so far again and again (~30 % of the build's CPU)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Target:
    """What every user of one (customer, location name, calling) shares: its refs (a calling user's location
    job, whose ``location_id`` it gets), its parents (customer, location, calling) and, if its phone is one of
    the numbers the batch adds there, the parents that wait for them too; and the look-ups that lead its row."""

    refs: Mapping[str, str]
    parents: tuple[str, ...]
    lookups: tuple[str, ...]
    numbers: frozenset[str] = frozenset()
    numbered_parents: tuple[str, ...] = ()


class _Builder:
    """Adds jobs in dependency order, remembering what each customer and location offers its children."""

    def __init__(self) -> None:
        self.jobs = JobMap()
        self.rows = RowJobs(key_of=self.jobs.key_of)
        self.hq_name: dict[str, str] = {}  # external_id -> HQ location name (batch customers with calling)
        self.location_numbers: dict[str, frozenset[str]] = {}  # location key -> numbers the batch adds there
        self.source = ""  # the input of the row being added: its jobs carry it (progress, the log)
        self._targets: dict[tuple[str, str | None, bool], _Target] = {}
        self._shared: dict[tuple[int, int, str], int] = {}  # (id of refs, id of parents, input) -> JobMap's index
        self._refs: dict[tuple[str, str], Mapping[str, str]] = {}
        self._maybe_added: pl.Series | None = None  # each users row's phone if the batch adds it somewhere, else None

    def add(
        self,
        key: str,
        kind: Kind,
        sheet: str,
        row: int | None,
        parents: tuple[str, ...] = (),
        refs: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """The job ``key`` (kept if held: its key is returned, one ``str`` for all naming it), with its row's input."""
        if (job := self.jobs.get(key)) is not None:
            return job.key
        source = self.source if row is not None else ""
        self.jobs[key] = Job(key, kind, sheet, row, parents, refs or {}, fields or {}, source)
        return key

    def refs(self, customer: str, location: str = "") -> Mapping[str, str]:
        """The refs naming ``customer`` (and ``location``): one mapping for every job naming them (never changed)."""
        if (found := self._refs.get((customer, location))) is None:
            made = {"customer": customer, "location": location} if location else {"customer": customer}
            found = self._refs[(customer, location)] = made
        return found

    def add_row(self, sheet: str, row: int, jobs: list[str]) -> None:
        """The row's jobs, led by the look-ups it needs of what is not in the batch (a customer or location
        on the server): when the server proves one missing, the row is ``failed`` with that reason, not
        ``skipped`` (contract §1)."""
        self.rows[(self.source, sheet, row)] = (
            *self._lookups(p for key in jobs for p in self.jobs[key].parents),
            *jobs,
        )

    def _lookups(self, parents: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for p in parents if self.jobs[p].row is None))

    def customers(self, sheet: ValidSheet) -> None:
        for row, fields in zip(sheet.rows(), sheet.fields(), strict=True):
            self.customer(row, fields)

    def customer(self, row: Mapping[str, Any], fields: RowFields) -> None:
        self.source = row["_source"] or ""
        ext = row["external_id"]
        ckey = self.add(keys.customer(ext), Kind.CUSTOMER, "customers", row["_row"], fields=fields)
        jobs = [ckey]
        if row["calling"]:
            hq = row["hq_location_name"] or ""
            self.hq_name[ext] = hq
            jobs += self._hq_setup(ext, hq, fields, ckey)
        self.add_row("customers", row["_row"], jobs)

    def _hq_setup(self, ext: str, hq: str, row: RowFields, ckey: str) -> list[str]:
        fields = RowAs(row, _HQ_FIELDS)  # its name, address and zone (compared with --update)
        hkey = self.add(keys.hq(ext), Kind.HQ, "customers", row["_row"], (ckey,), self.refs(ckey), fields)
        return [hkey, *self._numbers(keys.location_key(ext, hq), "customers", row, ckey, hkey, (hkey,))]

    def _numbers(self, lkey: str, sheet: str, row: RowFields, ckey: str, loc: str, after: tuple[str, ...]) -> list[str]:
        """Numbers (after the PSTN connection the row names, if any), then the main number, of one location."""
        refs = self.refs(ckey, loc)
        numbers = row["numbers_e164"] or ()
        jobs: list[str] = []
        if numbers or row.get("pstn_connection"):
            self.location_numbers[lkey] = frozenset(numbers)
            fields = RowAs(row, _NUMBERS_FIELDS)
            jobs.append(self.add(keys.numbers(lkey), Kind.NUMBERS, sheet, row["_row"], after, refs, fields))
        if row["main_number_e164"]:
            main = RowAs(row, _MAIN_FIELDS)
            jobs.append(
                self.add(keys.main_number(lkey), Kind.MAIN_NUMBER, sheet, row["_row"], (*after, *jobs), refs, main)
            )
        return jobs

    def customer_ref(self, ext: str) -> str:
        """The customer job a row names: the batch's own, or a look-up of one already on the server."""
        return self.add(keys.customer(ext), Kind.CUSTOMER_REF, "customers", None, fields={"external_id": ext})

    def locations(self, sheet: ValidSheet) -> None:
        for row, fields in zip(sheet.rows(), sheet.fields(), strict=True):
            self.location(row, fields)

    def location(self, row: Mapping[str, Any], fields: RowFields) -> None:
        self.source = row["_source"] or ""
        ext, name, at = row["customer_external_id"], row["location_name"], row["_row"]
        lkey = keys.location_key(ext, name)
        ckey = self.customer_ref(ext)
        loc = self.add(keys.location(lkey), Kind.LOCATION, "locations", at, (ckey,), self.refs(ckey), fields)
        calling = self.add(keys.calling(lkey), Kind.CALLING, "locations", at, (loc,), self.refs(ckey, loc), fields)
        jobs = [loc, calling, *self._numbers(lkey, "locations", fields, ckey, loc, (calling,))]
        self.add_row("locations", at, jobs)

    def users(self, sheet: ValidSheet) -> None:
        """Column by column: a user's location, parents and look-ups are those of its (customer, location)
        pair, worked out once per pair (``_target``); per row only its keys, its job(s) and its row remain, its
        subscriber job as three numbers (``JobMap.add_row_job``)."""
        self.source = ""
        if self._maybe_added is None:  # once: the customers and locations were planned before any user
            added = list(set(chain.from_iterable(self.location_numbers.values())))
            self._maybe_added = sheet.whole(pl.when(pl.col("phone_e164").is_in(added)).then(pl.col("phone_e164")))
        values = [
            *map(sheet.column, ("_source", "_row", "customer_external_id")),
            sheet.column(_SUBSCRIBER_KEYS),
            sheet.column("location_resolved"),
            sheet.column_of(self._maybe_added),  # a phone the batch adds at some location: None for most users
            sheet.column("calling"),
            sheet.column(_HAS_ROLES),
        ]
        jobs, rows, targets, frame = self.jobs, self.rows, self._targets, sheet.sheet_rows
        for position, source, at, ext, skey, name, phone, calling, has_roles in zip(
            sheet.positions, *values, strict=True
        ):
            source = source or ""
            target = targets.get((ext, name, calling)) or self._target(ext, name, calling)
            parents = target.numbered_parents if phone and phone in target.numbers else target.parents
            email = keys.natural_of(skey) if has_roles else ""
            rkey = keys.roles(email) if has_roles else ""
            if skey in jobs or (has_roles and rkey in jobs):  # a repeated email: as any row
                self.source = source
                self._user_again(RowFields(frame, position), at, keys.natural_of(skey), skey, target, parents)
                continue
            same = (id(target.refs), id(parents), source)
            shared = self._shared.get(same)
            if shared is None:
                shared = self._shared[same] = jobs.shared(
                    Shared(Kind.SUBSCRIBER, "users", parents, target.refs, source, frame)
                )
            code = jobs.add_row_job(skey, shared, at, position)
            if has_roles:
                role_refs = {"customer": target.refs["customer"], "subscriber": skey}
                role_fields = {"email": email, "roles": list(RowFields(frame, position)["roles_list"])}
                jobs[rkey] = Job(rkey, Kind.ROLES, "users", at, (skey,), role_refs, role_fields, source)
                rows[(source, "users", at)] = (*target.lookups, skey, rkey)
            elif target.lookups:
                rows[(source, "users", at)] = (*target.lookups, skey)
            else:  # its key made from its row when read: not kept
                rows.add_compact((source, "users", at), code)

    def _user_again(
        self, fields: Mapping[str, Any], at: int, email: str, skey: str, target: _Target, parents: tuple[str, ...]
    ) -> None:
        """A users row whose subscriber (or roles) job an earlier row made: the general path, like other sheets."""
        self.add(skey, Kind.SUBSCRIBER, "users", at, parents, target.refs, fields)
        jobs = [skey]
        if fields["roles_list"]:
            role_refs = {"customer": target.refs["customer"], "subscriber": skey}
            role_fields = {"email": email, "roles": list(fields["roles_list"])}
            jobs.append(self.add(keys.roles(email), Kind.ROLES, "users", at, (skey,), role_refs, role_fields))
        self.add_row("users", at, jobs)

    def _target(self, ext: str, name: str | None, calling: bool) -> _Target:
        """The parents and refs every user of (``ext``, ``name``) gets: a calling user's location and what it waits
        for (``_user_location``); a user without calling only its customer. Made once per pair: the answer
        depends only on the customers and locations, planned before any user."""
        ckey = self.customer_ref(ext)
        refs = self.refs(ckey)
        parents: tuple[str, ...] = (ckey,)
        numbers: frozenset[str] = frozenset()
        numbered: tuple[str, ...] = ()
        if calling:
            loc, waits, lkey = self._user_location(ext, name, ckey)
            refs = self.refs(ckey, loc)
            parents = (ckey, loc, *waits)
            if lkey is not None and lkey in self.location_numbers:
                numbers, numbered = self.location_numbers[lkey], (*parents, self.jobs[keys.numbers(lkey)].key)
        target = _Target(refs, parents, self._lookups(parents), numbers, numbered)
        self._targets[(ext, name, calling)] = target
        return target

    def _user_location(self, ext: str, name: str | None, ckey: str) -> tuple[str, list[str], str | None]:
        """The job whose ``location_id`` the user gets, the jobs it must wait for (calling), and the location key
        whose numbers it waits for too if its phone is one of them (``None``: a location not in the batch)."""
        lkey = keys.location_key(ext, name) if name else None
        if lkey is not None and (loc := self.jobs.get(keys.location(lkey))) is not None:
            if loc.kind is Kind.LOCATION_REF:  # a second user of a server location
                return loc.key, [], None
            return loc.key, [self.jobs[keys.calling(lkey)].key], lkey
        if ext in self.hq_name and (name is None or name.casefold() == self.hq_name[ext].casefold()):
            return self.jobs[keys.hq(ext)].key, [], keys.location_key(ext, self.hq_name[ext])
        if name is None:  # a customer on the server, its headquarters
            hq = {"hq_location_name": None}
            return self.add(keys.hq(ext), Kind.HQ, "customers", None, (ckey,), self.refs(ckey), hq), [], None
        key = self.add(
            keys.location(lkey or ""),
            Kind.LOCATION_REF,
            "locations",
            None,
            (ckey,),
            self.refs(ckey),
            {"location_name": name},
        )
        return key, [], None


#: Each users row's subscriber job key (``keys.subscriber`` over the column): read from polars as the plan keeps
#: them, not each made from a transient ``str`` of the email, whose leftovers kept the plan's memory spread out.
_SUBSCRIBER_KEYS = pl.lit(keys.subscriber("")) + pl.col("email_normalized")

#: A users row names admin roles for its person.
_HAS_ROLES = pl.col("roles_list").list.len().fill_null(0) > 0
