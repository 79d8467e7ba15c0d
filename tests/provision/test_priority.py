"""Shared look-ups are served ahead of every job's own requests, and only inside the block."""

from __future__ import annotations

from batch.api.client import PRIORITY
from batch.jobs import KIND_ORDER, Kind
from batch.provision.priority import SHARED, shared_lookup


def test_a_shared_lookup_goes_first_and_the_job_keeps_its_own_priority() -> None:
    token = PRIORITY.set(KIND_ORDER[Kind.SUBSCRIBER])
    try:
        with shared_lookup():
            assert PRIORITY.get() == SHARED < min(KIND_ORDER.values())
        assert PRIORITY.get() == KIND_ORDER[Kind.SUBSCRIBER]
    finally:
        PRIORITY.reset(token)
