"""Undo's reversals at once where order allows (``batch.undo.order``), over real HTTP with some latency: the
nightly-sync scenario of ``tests/run/test_run_sync.py`` undone.

What the test guards: every user's write reaches the server before any location's, and every location's
before any customer's (the safe-delete check and a customer's packages depend on it), while within a tier
the objects' reversals overlap (another user's write arrives between one person's read and its PUT, which
one-by-one undo would never send), and the end state is the one sequential undo reaches
(``…_at_once_and_dependent_tiers_in_order``); which steps share a lane and which tier each is in, pure
(``test_lanes_…``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from batch.emulator import running_emulator
from batch.run.journal.store import Entry
from batch.undo.command import UndoOptions, undo_run
from batch.undo.order import lanes
from batch.undo.steps import Action, Step
from tests.run.test_run_sync import (
    CUSTOMERS,
    CUSTOMERS_2,
    SERVER,
    TAMPERE,
    TAMPERE_2,
    TOKEN,
    USERS_1,
    USERS_2,
    end_state,
    operator,
    run,
    workbook,
)
from tests.undo.test_undo import UNDONE_SYNC, as_v1, statuses

TIERS = (
    ("/wholesale/subscribers/", "/people/"),
    ("/locations/", "/telephony/config/locations/"),
    ("/wholesale/customers/",),
)


@pytest.fixture(scope="module")
def slow() -> Iterator[str]:
    with running_emulator(replace(SERVER, latency_ms=40)) as base_url:
        yield base_url


def tier(path: str) -> int:
    path = path.removeprefix("/v1")
    return next(i for i, prefixes in enumerate(TIERS) if path.startswith(prefixes))


def test_undo_runs_independent_objects_at_once_and_dependent_tiers_in_order(slow: str, tmp_path: Path) -> None:
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), tmp_path / "v1", slow).exit_code == 0
    v1 = end_state(operator(slow, "state"))
    out = tmp_path / "v2"
    assert run(workbook(tmp_path / "v2.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2), out, slow, update=True, prune=True)
    start = len(operator(slow, "requests"))
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    assert statuses(outcome.results) == UNDONE_SYNC
    as_v1(end_state(operator(slow, "state")), v1)
    sent = operator(slow, "requests")[start:]
    writes = [(e["method"], e["path"]) for e in sent if e["method"] != "GET"]
    tiers = [tier(path) for _, path in writes]
    assert tiers == sorted(tiers), writes  # users, then locations, then customers
    assert set(tiers) == {0, 1, 2}
    person = next(e["path"] for e in sent if e["method"] == "PUT" and "/people/" in e["path"])
    calls = [(e["method"], e["path"]) for e in sent]
    read, put = calls.index(("GET", person)), calls.index(("PUT", person))
    between = [c for c in calls[read + 1 : put] if c[0] != "GET"]
    assert between, f"nothing overlapped u3@'s roles reversal: {calls}"


def test_lanes_keep_one_objects_steps_in_order_and_the_tiers_by_what_they_write() -> None:
    """Pure: a person's number and roles (both whole-person PUTs) share a lane, newest first; a headquarters'
    restore (a customers row) is a location's work; a customer's restore comes last."""

    def step(action: Action, sheet: str, key: str, **ids: str) -> Step:
        return Step(Entry(key, "k", "updated", ids, "", 0.0, {}), action, sheet, key, "FI-1")

    steps = [
        step(Action.RESTORE_CUSTOMER, "customers", "FI-1"),
        step(Action.RESTORE_CALLING, "users", "a@x.fi", person_id="P1"),
        step(Action.RESTORE_LOCATION, "customers", "FI-1 (headquarters)", location_id="L0"),
        step(Action.DELETE_SUBSCRIBER, "users", "b@x.fi", person_id="P2"),
        step(Action.REMOVE_ROLES, "users", "a@x.fi", person_id="P1"),
        step(Action.REMOVE_NUMBERS, "locations", "FI-1/oulu", location_id="L1"),
    ]
    assert lanes(steps, range(len(steps))) == [[[1, 4], [3]], [[2], [5]], [[0]]]
    assert lanes(steps, [0, 4]) == [[[4]], [[0]]]  # settled steps are left out
