"""The job graph's vocabulary, shared by the planner, the actions, the runner, the journal and the reports.

A *job* is one unit of API work for one input row (a row usually has several: a location row is created,
calling is enabled on it, numbers are added, its main number is set). A job ends with an ``Outcome``; a
row's ``RowResult`` is folded from the outcomes of its jobs. Keys are deterministic so that the journal
can recognise a job across runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import anyio

CREATED, EXISTS, FAILED, SKIPPED, INVALID, PLANNED = "created", "exists", "failed", "skipped", "invalid", "planned"
UPDATED, REMOVED = "updated", "removed"  # --update applied a difference; --prune removed a subscriber
STATUSES = (CREATED, EXISTS, FAILED, SKIPPED, INVALID, PLANNED, UPDATED, REMOVED)
SUCCESS = frozenset({CREATED, EXISTS, UPDATED, REMOVED})


class Kind(StrEnum):
    """Job kinds, in the order a customer's setup happens (also the runner's priority order)."""

    CUSTOMER = "customer"  # find or provision a wholesale customer, wait until provisioned
    CUSTOMER_REF = "customer_ref"  # a customer a row names but the batch does not hold: look it up only
    HQ = "hq_location"  # find the headquarters location that provisioning created
    LOCATION = "location"  # find or create a further location
    LOCATION_REF = "location_ref"  # a location of a customer not in the batch: look it up only
    CALLING = "calling"  # enable calling on a location
    NUMBERS = "numbers"  # add numbers to a location (HQ or further)
    MAIN_NUMBER = "main_number"  # set a location's main number
    SUBSCRIBER = "subscriber"  # provision a wholesale subscriber (package, location, number, extension)
    ROLES = "roles"  # give a user's person its admin roles
    REMOVE = "remove"  # --prune: remove a subscriber no users row names


KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}

#: What a step is called in a row's message ("not attempted: enabling calling for locations row 7 …").
STEP_NAMES: Mapping[Kind, str] = {
    Kind.CUSTOMER: "provisioning the customer",
    Kind.CUSTOMER_REF: "finding the customer",
    Kind.HQ: "finding the headquarters location",
    Kind.LOCATION: "creating the location",
    Kind.LOCATION_REF: "finding the location",
    Kind.CALLING: "enabling calling",
    Kind.NUMBERS: "adding numbers",
    Kind.MAIN_NUMBER: "setting the main number",
    Kind.SUBSCRIBER: "provisioning the subscriber",
    Kind.ROLES: "assigning roles",
    Kind.REMOVE: "removing the subscriber",
}


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of API work.

    ``refs`` names the parent jobs whose ids this job reads (role → job key, e.g. ``{"customer":
    "customer:acme"}``); ``parents`` is every job that must succeed first (refs plus ordering-only edges,
    e.g. a user waits for the numbers of its location). ``fields`` is what the action needs from the row
    (the validated row's columns by name).
    """

    key: str
    kind: Kind
    sheet: str
    row: int | None
    parents: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a job ended. ``ids`` are the Webex ids it created or found (customer_id, org_id, location_id,
    subscriber_id, person_id), which children read. ``attempts`` counts the HTTP requests it made."""

    status: str
    ids: Mapping[str, str] = field(default_factory=dict)
    message: str = ""
    error_code: int | None = None
    tracking_id: str | None = None
    attempts: int = 0
    changes: tuple[str, ...] = ()  # differences from the row found on the server ("package: a → b")

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS


@dataclass(frozen=True, slots=True)
class RowResult:
    """One line of results.csv: an input row and how it ended."""

    sheet: str
    row: int | None  # None: a subscriber --prune removes (no input row)
    key: str
    status: str
    message: str = ""
    ids: Mapping[str, str] = field(default_factory=dict)
    error_code: int | None = None
    tracking_id: str | None = None
    attempts: int = 0
    changes: str = ""  # the differences from the server, "; "-separated (results.csv's changes column)


class Context(Protocol):
    """What an action can use: the API client, its parents' ids and a shared memo for lookups."""

    client: Any  # batch.api.client.WebexClient
    poll_initial: float  # first wait while a customer provisions
    update: bool  # --update: apply the differences found (else only report them)
    unfinished: frozenset[str]  # jobs whose additions are unfinished work (failed before, or a crashed run's)

    @property
    def outcomes(self) -> Mapping[str, Outcome]:
        """Finished jobs by key (a parent created in this run needs no look-up). Read-only for an action, so
        the runner's ``dict`` matches (a plain ``Mapping`` attribute would be writable, hence invariant)."""
        ...

    def ids(self, job_key: str) -> Mapping[str, str]: ...

    async def memo(self, key: Any, load: Callable[[], Awaitable[Any]]) -> Any: ...

    def forget(self, key: Any) -> None: ...


Action = Callable[[Job, Context], Awaitable[Outcome]]


class ActionContext:
    """The runner's ``Context``: parents' outcomes by job key and a memo that loads each lookup once.

    The memo matters for the rate budget: a listing (an org's locations, a customer's subscribers) is
    fetched by the first job that needs it and shared with every later job; concurrent first callers
    wait for the one load instead of each spending a request.
    """

    def __init__(
        self,
        client: Any,
        outcomes: dict[str, Outcome] | None = None,
        *,
        poll_initial: float = 1.0,
        update: bool = False,
        unfinished: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.outcomes: dict[str, Outcome] = outcomes if outcomes is not None else {}
        self.poll_initial = poll_initial
        self.update = update
        self.unfinished = unfinished
        self._memo: dict[Any, Any] = {}
        self._loading: dict[Any, Any] = {}

    def ids(self, job_key: str) -> Mapping[str, str]:
        return self.outcomes[job_key].ids

    async def memo(self, key: Any, load: Callable[[], Awaitable[Any]]) -> Any:
        if key in self._memo:
            return self._memo[key]
        event = self._loading.get(key)
        if event is not None:
            await event.wait()
            if key in self._memo:
                return self._memo[key]
            return await self.memo(key, load)
        event = self._loading[key] = anyio.Event()
        try:
            self._memo[key] = value = await load()
            return value
        finally:
            del self._loading[key]
            event.set()

    def forget(self, key: Any) -> None:
        """Drop a memoized lookup, e.g. after an ambiguous write made it stale."""
        self._memo.pop(key, None)
