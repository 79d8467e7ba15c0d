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


def test_the_stages_of_two_runs_side_by_side_name_those_over_the_target() -> None:
    """``bench.memory_phases --users 20000 100000``: each stage's peaks, their ratio, what a user adds to it, and
    how far the larger run's stage is over 1.3 × the smaller run's peak (201 here: 261.3 MiB)."""
    from bench.memory_phases import side_by_side

    small = (20_000, [("load_inputs", 120), ("_execute", 194), ("write_results_xlsx", 201)])
    large = (100_000, [("load_inputs", 152), ("_execute", 267), ("write_results_xlsx", 260)])
    lines = side_by_side(small, large).splitlines()
    assert lines[0].split() == ["stage", "20,000", "100,000", "ratio", "bytes/user"]
    assert lines[1].split() == ["load_inputs", "120", "152", "1.27", "419"]
    assert lines[2].split() == ["_execute", "194", "267", "1.38", "957", "6", "MiB", "over", "1.3", "×", "201"]
    assert lines[3].split() == ["write_results_xlsx", "201", "260", "1.29", "773"]  # 1.29 × its own, under 261.3
    with pytest.raises(ValueError, match="stages differ"):
        side_by_side(small, (100_000, [("validate", 1), ("_execute", 2), ("x", 3)]))
