"""Validated sheets → a job graph (pure: no I/O).

Edges follow real dependencies only: a location waits for its own customer, a user for its own
location's calling and for the numbers it will be given, its roles for its subscriber — never for the
rest of the batch. Rows naming a customer or location that the batch does not hold get a look-up-only
job, shared by every row that names it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

import polars as pl

from batch import keys
from batch.jobs import Job, Kind
from batch.plan.rows import RowFields, row_fields
from batch.validate.validator import ValidatedBatch
from schemas.vocab import CALLING_PACKAGES

_T = TypeVar("_T", tuple[str, ...], dict[str, str])

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

#: An input row: (source, sheet, Excel row) — the loader's ``_source`` (``path#sheet`` or a CSV file's path).
RowId = tuple[str, str, int]

#: Seconds a provisioning customer usually takes before its org can be set up (emulator default; Webex: minutes).
PROVISIONING_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Plan:
    """The job graph: jobs by key (parents before children) and, per input row (source, sheet, Excel row: merged
    inputs repeat row numbers, so the row's input is part of its name), the keys of the jobs that serve it (the
    first one is the row's own object). Built once by ``build_plan``; what the
    server adds to it (``--prune``'s removals) makes a new plan (``with_jobs``), before any job runs."""

    jobs: dict[str, Job] = field(default_factory=dict)
    rows: dict[RowId, tuple[str, ...]] = field(default_factory=dict)

    def with_jobs(self, added: Iterable[Job]) -> Plan:
        """This plan and ``added`` (children of jobs already in it; a key it holds keeps its job)."""
        jobs = dict(self.jobs)
        for job in added:
            jobs.setdefault(job.key, job)
        return Plan(jobs, dict(self.rows))

    def children(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {key: [] for key in self.jobs}
        for job in self.jobs.values():
            for parent in job.parents:
                found[parent].append(job.key)
        return found

    def kind_counts(self) -> Counter[Kind]:
        return Counter(job.kind for job in self.jobs.values())

    def depth(self) -> int:
        """Jobs on the longest dependency chain."""
        level: dict[str, int] = {}
        for key, job in self.jobs.items():  # parents come first
            level[key] = 1 + max((level[p] for p in job.parents), default=0)
        return max(level.values(), default=0)

    def estimated_calls(self) -> int:
        return round(sum(CALLS_PER_JOB[kind] * n for kind, n in self.kind_counts().items()))

    def estimated_seconds(self, rate: float) -> float:
        """The larger of the rate bound and the critical path (provisioning plus one round trip per level)."""
        bound = self.estimated_calls() / rate if rate > 0 else 0.0
        path = (PROVISIONING_SECONDS if Kind.CUSTOMER in self.kind_counts() else 0.0) + self.depth() * 0.1
        return max(bound, path)


def build_plan(validated: ValidatedBatch) -> Plan:
    """Every valid row becomes its jobs; invalid rows get none (the runner reports them ``invalid``)."""
    builder = _Builder()
    for row in _valid_rows(validated.sheets["customers"]):
        builder.customer(row)
    for row in _valid_rows(validated.sheets["locations"]):
        builder.location(row)
    for row in _valid_rows(validated.sheets["users"]):
        builder.user(row)
    return builder.plan


def _valid_rows(frame: pl.DataFrame) -> Iterator[RowFields]:
    """The valid rows as compact mappings (``batch.plan.rows``) with ``calling`` (filled in by the builder)."""
    index, values = row_fields(frame.filter(pl.col("_valid")), extra=("calling",))
    for row in values:
        yield RowFields(index, (*row, None))


class _Builder:
    """Adds jobs in dependency order, remembering what each customer and location offers its children."""

    def __init__(self) -> None:
        self.plan = Plan()
        self.hq_name: dict[str, str] = {}  # external_id -> HQ location name (batch customers with calling)
        self.customer_numbers: dict[str, set[str]] = {}
        self.location_numbers: dict[str, set[str]] = {}  # location key -> numbers the batch adds there
        self.source = ""  # the input of the row being added: its jobs carry it (progress, the log)
        self._shared: dict[object, object] = {}

    def shared(self, value: _T) -> _T:
        """One object for equal parent tuples and refs: the users of one location all hold the same ones
        (a million users, a few thousand distinct), never mutated after the job is made."""
        key = tuple(value.items()) if isinstance(value, dict) else value
        return self._shared.setdefault(key, value)  # type: ignore[return-value]

    def add(self, job: Job) -> str:
        if job.key not in self.plan.jobs:
            self.plan.jobs[job.key] = replace(job, source=self.source) if job.row is not None else job
        return job.key

    def add_row(self, sheet: str, row: int, jobs: list[str]) -> None:
        """The row's jobs, led by the look-ups it needs of what is not in the batch (a customer or location
        on the server): when the server proves one missing, the row is ``failed`` with that reason, not
        ``skipped`` (contract §1)."""
        lookups = [p for key in jobs for p in self.plan.jobs[key].parents if self.plan.jobs[p].row is None]
        self.plan.rows[(self.source, sheet, row)] = (*dict.fromkeys(lookups), *jobs)

    def customer(self, row: RowFields) -> None:
        self.source = row.get("_source") or ""
        ext = row["external_id"]
        calling = any(p in CALLING_PACKAGES for p in row["packages_list"] or ())
        row = row.with_value("calling", calling)
        ckey = self.add(Job(keys.customer(ext), Kind.CUSTOMER, "customers", row["_row"], fields=row))
        jobs = [ckey]
        if calling:
            hq = row["hq_location_name"] or ""
            self.hq_name[ext] = hq
            self.customer_numbers[ext] = set(row["numbers_e164"] or ())
            jobs += self._hq_setup(ext, hq, row, ckey)
        self.add_row("customers", row["_row"], jobs)

    def _hq_setup(self, ext: str, hq: str, row: RowFields, ckey: str) -> list[str]:
        refs = {"customer": ckey}
        fields = {"hq_location_name": hq, **{c: row.get(c) for c in HQ_COLUMNS}}  # its address and zone (--update)
        hkey = self.add(Job(keys.hq(ext), Kind.HQ, "customers", row["_row"], (ckey,), refs, fields))
        return [hkey, *self._numbers(keys.location_key(ext, hq), "customers", row, ckey, hkey, (hkey,))]

    def _numbers(self, lkey: str, sheet: str, row: RowFields, ckey: str, loc: str, after: tuple[str, ...]) -> list[str]:
        """Numbers (after the PSTN connection the row names, if any), then the main number, of one location."""
        refs = {"customer": ckey, "location": loc}
        numbers = list(row["numbers_e164"] or ())
        pstn = {"numbers_state": row.get("numbers_state"), "pstn_connection": row.get("pstn_connection")}
        jobs: list[str] = []
        if numbers or pstn["pstn_connection"]:
            self.location_numbers[lkey] = set(numbers)
            fields = {"numbers": numbers, **pstn}
            jobs.append(self.add(Job(keys.numbers(lkey), Kind.NUMBERS, sheet, row["_row"], after, refs, fields)))
        if row["main_number_e164"]:
            parents = (*after, *jobs)
            main = {"main_number": row["main_number_e164"]}
            main_job = Job(keys.main_number(lkey), Kind.MAIN_NUMBER, sheet, row["_row"], parents, refs, main)
            jobs.append(self.add(main_job))
        return jobs

    def customer_ref(self, ext: str) -> str:
        """The customer job a row names: the batch's own, or a look-up of one already on the server."""
        key = keys.customer(ext)
        if key not in self.plan.jobs:
            self.add(Job(key, Kind.CUSTOMER_REF, "customers", None, fields={"external_id": ext}))
        return key

    def location(self, row: RowFields) -> None:
        self.source = row.get("_source") or ""
        ext, name = row["customer_external_id"], row["location_name"]
        lkey = keys.location_key(ext, name)
        ckey = self.customer_ref(ext)
        refs = {"customer": ckey}
        loc = self.add(Job(keys.location(lkey), Kind.LOCATION, "locations", row["_row"], (ckey,), refs, row))
        calling_refs = {"customer": ckey, "location": loc}
        calling = self.add(Job(keys.calling(lkey), Kind.CALLING, "locations", row["_row"], (loc,), calling_refs, row))
        jobs = [loc, calling, *self._numbers(lkey, "locations", row, ckey, loc, (calling,))]
        self.add_row("locations", row["_row"], jobs)

    def user(self, row: RowFields) -> None:
        self.source = row.get("_source") or ""
        ext, email = row["customer_external_id"], row["email_normalized"]
        ckey = self.customer_ref(ext)
        calling = row["package_resolved"] in CALLING_PACKAGES
        refs: dict[str, str] = {"customer": ckey}
        parents: list[str] = [ckey]
        if calling:
            loc, waits = self._user_location(ext, row, ckey)
            refs["location"] = loc
            parents += [loc, *waits]
        fields = row.with_value("calling", calling)
        shared_parents, shared_refs = self.shared(tuple(parents)), self.shared(refs)
        user = Job(keys.subscriber(email), Kind.SUBSCRIBER, "users", row["_row"], shared_parents, shared_refs, fields)
        skey = self.add(user)
        jobs = [skey]
        if row["roles_list"]:
            role_refs = {"customer": ckey, "subscriber": skey}
            role_fields = {"email": email, "roles": list(row["roles_list"])}
            jobs.append(
                self.add(Job(keys.roles(email), Kind.ROLES, "users", row["_row"], (skey,), role_refs, role_fields))
            )
        self.add_row("users", row["_row"], jobs)

    def _user_location(self, ext: str, row: RowFields, ckey: str) -> tuple[str, list[str]]:
        """The job whose ``location_id`` the user gets, and the jobs it must wait for (calling, its numbers)."""
        name = row["location_resolved"]
        phone = row["phone_e164"]
        lkey = keys.location_key(ext, name) if name else None
        if lkey is not None and keys.location(lkey) in self.plan.jobs:
            if self.plan.jobs[keys.location(lkey)].kind is Kind.LOCATION_REF:  # a second user of a server location
                return keys.location(lkey), []
            waits = [keys.calling(lkey)]
        elif ext in self.hq_name and (name is None or name.casefold() == self.hq_name[ext].casefold()):
            lkey = keys.location_key(ext, self.hq_name[ext])
            return keys.hq(ext), self._number_wait(lkey, phone)
        elif name is None:  # a customer on the server, its headquarters
            key = keys.hq(ext)
            if key not in self.plan.jobs:
                self.add(Job(key, Kind.HQ, "customers", None, (ckey,), {"customer": ckey}, {"hq_location_name": None}))
            return key, []
        else:
            lkey = keys.location_key(ext, name)
            key = keys.location(lkey)
            fields = {"location_name": name}
            self.add(Job(key, Kind.LOCATION_REF, "locations", None, (ckey,), {"customer": ckey}, fields))
            return key, []
        return keys.location(lkey), waits + self._number_wait(lkey, phone)

    def _number_wait(self, lkey: str, phone: str | None) -> list[str]:
        if phone and phone in self.location_numbers.get(lkey, ()):
            return [keys.numbers(lkey)]
        return []
