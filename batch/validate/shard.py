"""``--shard I/N``: which rows of a batch one of N processes takes (contract §2, issue 22).

A shard is the customers whose ``external_id`` hashes to it, with everything under them: their locations
and users, and also rows naming a customer that is not in the batch (it may exist on the server), which
follow that customer's shard. So a customer's whole tree, its extension and number checks and its prune
are in one process, and no two shards ever write to the same customer org.

The hash is stable across machines, Python versions and runs (Python's ``hash()`` of a str is salted per
process, so it would move customers between shards from night to night)::

    shard_of(external_id, N) = int.from_bytes(blake2b(external_id.strip().casefold().encode(), digest_size=8)
                                             .digest(), "big") % N

Case-folded because the contract matches external ids case-insensitively: ``fi-1`` and ``FI-1`` (a
duplicate the validator names) land in the same shard. A blank id hashes as the empty text.

The ``templates`` sheet is not sharded: every shard needs it (customers name its rows), so every shard's
reports carry it, and ``batch.report.merge`` counts it once. Validation runs on the whole batch in every
shard (an email must be unique across the batch, not across one shard), so problems are kept whole too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

import polars as pl

from batch.errors import UsageError
from batch.load.inputs import LoadedBatch
from batch.validate.validator import ValidatedBatch

#: The column naming a row's customer, per sheet that is sharded.
CUSTOMER_COLUMN = {"customers": "external_id", "locations": "customer_external_id", "users": "customer_external_id"}
_SPEC = re.compile(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*")
USAGE = "--shard must be I/N with 0 <= I < N, e.g. --shard 0/4 (shards are numbered from 0)"


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based, as Kubernetes' ``JOB_COMPLETION_INDEX`` counts)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/8"`` → ``Shard(2, 8)``; anything else is one usage line (exit 2)."""
    match = _SPEC.fullmatch(text)
    if match is None:
        raise UsageError(f"{USAGE}; got {text[:40]!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or index >= count:
        raise UsageError(f"{USAGE}; got {index}/{count}")
    return Shard(index, count)


def shard_of(external_id: str | None, count: int) -> int:
    """The shard (0 … count-1) of the customer with this external id (see the module docstring)."""
    key = (external_id or "").strip().casefold().encode("utf-8")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") % count


def in_shard(frame: pl.DataFrame, sheet: str, shard: Shard) -> pl.Series:
    """A boolean mask of ``frame``'s rows that belong to ``shard``. Hashed once per distinct id (10,000
    customers, not a million users), then matched with ``is_in``."""
    column = CUSTOMER_COLUMN[sheet]
    ids = frame.get_column(column).fill_null("")
    distinct = ids.unique()
    mine = [value for value in distinct.to_list() if shard_of(value, shard.count) == shard.index]
    return ids.is_in(pl.Series(mine, dtype=pl.String).implode()).alias("_in_shard")


def shard_frames(frames: dict[str, pl.DataFrame], shard: Shard) -> dict[str, pl.DataFrame]:
    """Each sharded sheet's rows of this shard; other sheets (templates) whole."""
    return {
        name: frame.filter(in_shard(frame, name, shard)) if name in CUSTOMER_COLUMN and frame.height else frame
        for name, frame in frames.items()
    }


def shard_validated(validated: ValidatedBatch, shard: Shard) -> ValidatedBatch:
    """The shard's rows; problems and rule counts stay the whole batch's (see the module docstring)."""
    return ValidatedBatch(shard_frames(validated.sheets, shard), validated.problems, validated.counts)


def shard_loaded(loaded: LoadedBatch, shard: Shard) -> LoadedBatch:
    """The loaded rows of this shard, so results.xlsx and retry/ hold the shard's rows only."""
    frames = shard_frames({name: sheet.frame for name, sheet in loaded.sheets.items()}, shard)
    sheets = {name: replace(sheet, frame=frames[name]) for name, sheet in loaded.sheets.items()}
    return replace(loaded, sheets=sheets)
