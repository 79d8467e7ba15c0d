"""``bench-memory`` reads its two peaks as *F + c × users* (``bench.bench_memory.Fit``)."""

from __future__ import annotations

import pytest

from bench.bench_memory import MIB, Fit


def test_two_peaks_give_what_every_run_holds_and_what_a_user_adds() -> None:
    fit = Fit.of((20_000, 216.0), (100_000, 331.0))
    assert fit.per_user == pytest.approx(115 * MIB / 80_000)
    assert fit.fixed_mib + 20_000 * fit.per_user / MIB == pytest.approx(216)
    bound = fit.per_user_for(1.3)
    at_bound = (fit.fixed_mib * MIB + 100_000 * bound) / (fit.fixed_mib * MIB + 20_000 * bound)
    assert at_bound == pytest.approx(1.3) and bound < fit.per_user  # today's c misses the target
    assert (
        Fit.of((20_000, 200.0), (100_000, 240.0)).per_user_for(1.3) > Fit.of((20_000, 200.0), (100_000, 240.0)).per_user
    )
