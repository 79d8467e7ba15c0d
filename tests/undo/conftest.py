"""One live emulator for the undo tests (the nightly-sync scenario's server settings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batch.emulator import running_emulator
from tests.run.test_run_sync import SERVER


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(SERVER) as base_url:
        yield base_url


def deletes_sent(requests: list[dict[str, Any]]) -> list[str]:
    """The DELETE requests among the emulator's recorded requests, as ``METHOD path``."""
    return [f"{e['method']} {e['path']}" for e in requests if e["method"] == "DELETE"]
