"""``batch.run.heap.give_back``: the heap's free pages go back to the system between a run's stages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from batch.run.heap import _malloc_trim, give_back

MIB = 2**20


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux") or _malloc_trim() is None, reason="needs glibc on Linux")
def test_memory_freed_below_live_blocks_leaves_the_process() -> None:
    """What a stage frees below blocks that stay (the plan's column lists under its jobs) stays resident until
    given back: 80 MiB of 2 KB blocks (glibc's heap, not Python's small-object arenas), one in 16 kept."""
    blocks = [bytes(2000) for _ in range(40_000)]  # zero-filled as made: resident
    kept = blocks[::16]
    del blocks
    before = _rss()
    give_back()
    after = _rss()
    assert len(kept) == 2500
    assert before - after > 40 * MIB, f"RSS {before / MIB:.0f} -> {after / MIB:.0f} MiB"
