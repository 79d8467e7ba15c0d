"""``--waves 1,10%,rest`` and ``--max-fail-percent P`` (contract §2, *Change control*).

A wave is a number of customers, each with everything it holds (its locations, numbers, users, roles and
removals): the unit a partner would roll back by hand, so the unit the blast radius is counted in. Waves run
one after another in input order; when a wave's failed rows exceed P % of its rows, the later waves are not
started and their rows are ``skipped`` naming that wave (exit 1). As Ansible's ``serial``, a list that does
not end in ``rest`` repeats its last size until every customer has a wave.

Why here and not in the executor: the executor runs a plan; a wave is a smaller plan (a customer's jobs
only ever wait for that customer's jobs), so waves are executors run one after another over one shared
outcome map, and a resumed run recomputes the same waves from the same input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from batch.errors import UsageError
from batch.jobs import FAILED, SKIPPED, Outcome
from batch.plan.graph import Plan, customer_of
from batch.reasons import Reason

REST = "rest"
_SIZE = re.compile(r"^(?:(?P<count>\d+)|(?P<percent>\d+(?:\.\d+)?)%|(?P<rest>rest))$")
EXAMPLE = "e.g. --waves 1,10%,rest (a count, a percentage of the customers, or rest)"


@dataclass(frozen=True, slots=True)
class WaveSize:
    """One element of ``--waves``: ``count`` customers, ``percent`` of them (rounded up, at least 1), or the rest."""

    count: int | None = None
    percent: float | None = None

    @property
    def rest(self) -> bool:
        return self.count is None and self.percent is None

    def of(self, total: int, left: int) -> int:
        if self.rest:
            return left
        wanted = self.count if self.count is not None else math.ceil(total * (self.percent or 0.0) / 100)
        return max(1, min(wanted, left))


def parse_waves(spec: str) -> tuple[WaveSize, ...]:
    """``1,10%,rest`` → sizes; anything else is one usage line (exit 2)."""
    sizes = []
    parts = [part.strip().casefold() for part in spec.split(",")]
    for i, part in enumerate(parts):
        match = _SIZE.match(part)
        if match is None:
            raise UsageError(f"--waves {spec!r}: {part!r} is not a wave size ({EXAMPLE})")
        if match.group("rest") and i != len(parts) - 1:
            raise UsageError(f"--waves {spec!r}: rest can only be the last wave")
        count, percent = match.group("count"), match.group("percent")
        if (count is not None and int(count) == 0) or (percent is not None and not 0 < float(percent) <= 100):
            raise UsageError(f"--waves {spec!r}: {part!r} is empty; a wave holds at least one customer")
        sizes.append(WaveSize(int(count) if count else None, float(percent) if percent else None))
    return tuple(sizes)


def check_max_fail_percent(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise UsageError(f"--max-fail-percent must be between 0 and 100 (got {value:g})")
    return value


def split_waves(plan: Plan, sizes: Sequence[WaveSize]) -> list[Plan]:
    """The plan as one smaller plan per wave, customers in the plan's (input) order; a job of no customer (a
    removal a crashed run left, restored) goes with the last wave."""
    customers = [c for c in dict.fromkeys(customer_of(job) for job in plan.jobs.values()) if c]
    groups: list[list[str]] = []
    left = list(customers)
    index = 0
    while left:
        size = sizes[min(index, len(sizes) - 1)].of(len(customers), len(left))
        groups.append(left[:size])
        left = left[size:]
        index += 1
    groups = groups or [[]]
    groups[-1].append("")
    waves = []
    for group in groups:
        members = set(group)
        jobs = {key: job for key, job in plan.jobs.items() if customer_of(job) in members}
        rows = {row: ks for row, ks in plan.rows.items() if ks and all(k in jobs for k in ks[-1:])}
        waves.append(Plan(jobs, rows, plan.merged))
    return waves


def failed_share(wave: Plan, outcomes: Mapping[str, Outcome]) -> tuple[int, int]:
    """(failed rows, rows) of a wave that ran."""
    failed = sum(
        any((o := outcomes.get(k)) is not None and o.status == FAILED for k in ks) for ks in wave.rows.values()
    )
    return failed, len(wave.rows)


class Runs(Protocol):
    """An executor: ``run()`` runs its plan and hands back the shared outcome map."""

    async def run(self) -> MutableMapping[str, Outcome]: ...


async def run_in_waves(
    plan: Plan,
    restored: Mapping[str, Outcome],
    sizes: Sequence[WaveSize],
    max_fail_percent: float | None,
    executor_for: Callable[[Plan, Mapping[str, Outcome]], Runs],
    stopped: Callable[[], bool],
) -> None:
    """Run ``plan`` (in waves when ``sizes`` are given). The executors share one outcome map (the action
    context's), which ``run()`` returns: the skipped rows of waves not started are added to it."""
    if not sizes:
        await executor_for(plan, restored).run()
        return
    waves = split_waves(plan, sizes)
    for number, wave in enumerate(waves, start=1):
        if stopped():
            break
        outcomes = await executor_for(wave, {k: o for k, o in restored.items() if k in wave.jobs}).run()
        failed, rows = failed_share(wave, outcomes)
        if max_fail_percent is not None and rows and failed * 100 > max_fail_percent * rows:
            share = f"{failed} of {rows} rows ({failed * 100 / rows:.0f} %)"
            why = (
                f"not attempted: wave {number} of {len(waves)} failed {share}, over --max-fail-percent "
                f"{max_fail_percent:g}; later waves were not started"
            )
            for later in waves[number:]:
                for key in later.jobs:
                    outcomes.setdefault(key, Outcome(SKIPPED, message=why, reason=Reason.WAVE_STOPPED))
            break
