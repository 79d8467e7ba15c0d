"""The job graph's vocabulary, shared by the planner, the actions, the runner, the journal and the reports.

A *job* is one unit of API work for one input row (a row usually has several: a location row is created,
calling is enabled on it, numbers are added, its main number is set). A job ends with an ``Outcome``; a
row's ``RowResult`` is folded from the outcomes of its jobs. Keys are deterministic so that the journal
can recognise a job across runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a job or a row ended (contract §3); a ``StrEnum``, so it is its own text in every report."""

    CREATED = "created"
    EXISTS = "exists"
    FAILED = "failed"
    SKIPPED = "skipped"
    INVALID = "invalid"
    PLANNED = "planned"
    UPDATED = "updated"  # --update applied a difference
    REMOVED = "removed"  # --prune removed a subscriber
    PENDING = "pending"  # Webex accepted it and waits on something outside the tool (contract §3, *Pending*)
    UNDONE = "undone"  # reversed by ``rtm-batch undo`` (issue 20)


CREATED, EXISTS, FAILED, SKIPPED = Status.CREATED, Status.EXISTS, Status.FAILED, Status.SKIPPED
INVALID, PLANNED, UPDATED, REMOVED = Status.INVALID, Status.PLANNED, Status.UPDATED, Status.REMOVED
PENDING, UNDONE = Status.PENDING, Status.UNDONE
STATUSES = tuple(Status)
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
    ACTIVATE = "activate"  # --activate-numbers / rtm-batch activate: a location's inactive numbers made active


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
    Kind.ACTIVATE: "activating numbers",
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
    source: str = ""  # the input of its row (``Problem.source``): merged inputs repeat row numbers

    @property
    def row_id(self) -> tuple[str, str, int] | None:
        """The input row the job is for, as ``Plan.rows`` names it (source, sheet, row); None for a look-up."""
        return None if self.row is None else (self.source, self.sheet, self.row)


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
    reason: str = ""  # a ``batch.reasons.Reason`` code when the job did not succeed
    http_status: int | None = None  # the HTTP status of the answer that failed it
    #: What ``rtm-batch undo`` needs (issue 20), kept by the journal: the object's fields as the job found them
    #: (``before``: an update's, to restore) and as it left them (``after``: changed since, if they differ now).
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None

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
    reason: str = ""  # a ``batch.reasons.Reason`` code; empty on success
    http_status: int | None = None
    source: str = ""  # the input the row came from (``Problem.source``); "" when unknown (a removal)
