"""``batch.report.merge``: shards' summaries add up to the one a single run writes; what every shard holds whole
(templates, validation) is counted once; the exit code is the single run's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from batch.errors import UsageError
from batch.report.merge import check_shards, merge_summaries


def part(index: int, *, failed: int, created: int, requests: int, start: str, end: str, **extra: Any) -> dict[str, Any]:
    zero = {"created": 0, "exists": 0, "failed": 0, "skipped": 0}
    return {
        "command": "run",
        "started": f"2026-12-04T01:{start}+00:00",
        "finished": f"2026-12-04T01:{end}+00:00",
        "wall_seconds": 10.0,
        "exit_code": 1 if failed else 0,
        "rows": 2 + created + failed,
        "retry_rows": failed + 1,  # one invalid template, in every shard
        "sheets": {
            "templates": zero | {"exists": 1, "invalid": 1, "rows": 2},
            "users": zero | {"created": created, "failed": failed, "rows": created + failed},
        },
        "validation": {"errors": 1, "warnings": 4, "not_listed": 0},
        "api": {"requests": requests, "retries": 1, "throttled": 2, "ambiguous": 0, "settled_rate": 10.0},
        "shard": {"index": index, "count": 2},
        **extra,
    }


def test_counts_add_up_and_what_every_shard_holds_is_counted_once() -> None:
    merged = merge_summaries(
        [
            part(0, failed=2, created=5, requests=100, start="00:00", end="00:30"),
            part(1, failed=0, created=3, requests=50, start="00:05", end="01:00"),
        ]
    )
    assert merged["sheets"]["templates"]["rows"] == 2 and merged["sheets"]["users"] == {
        "created": 8,
        "exists": 0,
        "failed": 2,
        "skipped": 0,
        "rows": 10,
    }
    assert merged["rows"] == merged["totals"]["rows"] == 12
    assert merged["retry_rows"] == 3  # 2 failed users + the invalid template once
    assert merged["validation"] == {"errors": 1, "warnings": 4, "not_listed": 0}
    assert merged["exit_code"] == 1
    assert merged["wall_seconds"] == 60.0 and merged["api"]["requests"] == 150 and merged["api"]["achieved_rate"] == 2.5
    assert merged["api"]["throttled"] == 4 and merged["api"]["settled_rate"] == 20.0


def test_one_stopped_shard_makes_the_merge_exit_3() -> None:
    merged = merge_summaries(
        [
            part(0, failed=0, created=5, requests=1, start="00:00", end="00:30"),
            part(1, failed=0, created=3, requests=1, start="00:00", end="00:30", interrupted=True, stopped="SIGTERM"),
        ]
    )
    assert merged["exit_code"] == 3 and merged["interrupted"] and merged["stopped"] == "SIGTERM"


@pytest.mark.parametrize(
    ("shards", "line"),
    [
        ([(0, 2), (0, 2)], "shard 0/2 is given twice"),
        ([(0, 2), (1, 3)], "shards of different splits (2 and 3)"),
        ([(0, 3), (2, 3)], "shard 1/3 missing"),
        ([(0, 2), None], "is not a shard's run but others are"),
    ],
)
def test_shards_must_be_one_whole_split(shards: list[tuple[int, int] | None], line: str) -> None:
    summaries = [{"shard": {"index": s[0], "count": s[1]}} if s else {} for s in shards]
    with pytest.raises(UsageError, match=line.replace("(", r"\(").replace(")", r"\)")):
        check_shards(summaries, [Path(f"out/{i}") for i in range(len(shards))])
