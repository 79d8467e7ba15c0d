"""``--shard I/N``: the stable hash, the usage line, and that shards partition a batch by customer."""

from __future__ import annotations

import polars as pl
import pytest

from batch.errors import UsageError
from batch.validate.shard import Shard, parse_shard, shard_frames, shard_of


def test_the_hash_is_the_documented_blake2b_and_never_pythons_salted_hash() -> None:
    # fixed values: a change here moves customers between shards from one night to the next
    assert [shard_of(x, 4) for x in ("FI-100101", "FI-100102", "FI-100103", "FI-100104")] == [1, 1, 2, 0]
    assert shard_of("FI-100101", 1) == 0


def test_case_and_surrounding_spaces_do_not_move_a_customer() -> None:
    assert {shard_of(x, 7) for x in ("fi-100101", "FI-100101", " Fi-100101 ")} == {shard_of("FI-100101", 7)}
    assert shard_of(None, 5) == shard_of("", 5)


@pytest.mark.parametrize(("text", "shard"), [("0/1", Shard(0, 1)), (" 3 / 8 ", Shard(3, 8)), ("07/10", Shard(7, 10))])
def test_parse(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard and str(shard) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize("text", ["", "1", "1/1", "2/1", "0/0", "-1/3", "a/3", "1/2/3", "1.0/2"])
def test_bad_values_are_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=r"^--shard must be I/N"):
        parse_shard(text)


def test_shards_partition_every_sheet_by_customer_and_keep_templates_whole() -> None:
    ids = [f"C-{i}" for i in range(200)]
    frames = {
        "templates": pl.DataFrame({"template": ["t"]}),
        "customers": pl.DataFrame({"external_id": ids}),
        "locations": pl.DataFrame({"customer_external_id": [i.lower() for i in ids] + ["X-1", None]}),
        "users": pl.DataFrame({"customer_external_id": ids * 3, "email": [f"u{n}@x.fi" for n in range(600)]}),
    }
    parts = [shard_frames(frames, Shard(i, 5)) for i in range(5)]
    for name, frame in frames.items():
        heights = [part[name].height for part in parts]
        assert heights == [frame.height] * 5 if name == "templates" else sum(heights) == frame.height
    assert all(part["customers"].height for part in parts)  # 200 customers spread over every shard
    for i, part in enumerate(parts):
        mine = {x.casefold() for x in part["customers"]["external_id"]}
        assert {shard_of(x, 5) for x in mine} <= {i}
        users = {x.casefold() for x in part["users"]["customer_external_id"]}
        assert users == mine  # every user with its customer
