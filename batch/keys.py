"""Job keys, built and read in this one module: ``<step>:<natural key>``.

A key names the object a job works on, never the row's content or position, so the journal recognises the
same work across runs, however the workbook was reordered: ``customer:FI-1``, ``location:FI-1/tampere``,
``numbers:FI-1/tampere``, ``subscriber:aino@x.fi``, ``remove:old@x.fi``. The headquarters' location
steps are keyed by the customer (``hq:FI-1``) and its numbers under the HQ's own location key.
"""

from __future__ import annotations

CUSTOMER, HQ, LOCATION, CALLING, NUMBERS, MAIN = "customer", "hq", "location", "calling", "numbers", "main"
SUBSCRIBER, ROLES, REMOVE = "subscriber", "roles", "remove"


def location_key(external_id: str, name: str) -> str:
    """A location's natural key: its customer and its name, case-folded (Webex keeps names unique that way)."""
    return f"{external_id}/{name.casefold()}"


def key(step: str, natural: str) -> str:
    """The job key of ``step`` on the object ``natural`` (an external id, a location key, an email)."""
    return f"{step}:{natural}"


def customer(external_id: str) -> str:
    return key(CUSTOMER, external_id)


def hq(external_id: str) -> str:
    return key(HQ, external_id)


def location(lkey: str) -> str:
    return key(LOCATION, lkey)


def calling(lkey: str) -> str:
    return key(CALLING, lkey)


def numbers(lkey: str) -> str:
    return key(NUMBERS, lkey)


def main_number(lkey: str) -> str:
    return key(MAIN, lkey)


def subscriber(email: str) -> str:
    return key(SUBSCRIBER, email)


def roles(email: str) -> str:
    return key(ROLES, email)


def removal(email: str) -> str:
    """A ``--prune`` removal: the subscriber's email, case-folded (no input row holds it)."""
    return key(REMOVE, email.casefold())


def step_of(job_key: str) -> str:
    """``numbers:FI-1/hq`` → ``numbers``."""
    return job_key.split(":", 1)[0]


def natural_of(job_key: str) -> str:
    """``customer:FI-1`` → ``FI-1``: the object's own key."""
    return job_key.split(":", 1)[-1]


def is_step(job_key: str, step: str) -> bool:
    return step_of(job_key) == step
