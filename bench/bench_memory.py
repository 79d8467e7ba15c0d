"""Peak RSS of ``rtm-batch run`` at two batch sizes, side by side (issue 22 item 2).

Why: a run's memory should grow with the work in flight (concurrency), not with the batch; the target is
the larger batch's peak ≤ 1.3 × the smaller's. Both batches keep the ratio of ``bench-run`` (1 customer and
3 locations per ~67 users) and are run by the CLI in its own process (``python -m batch run``) against the
emulator in another, so the figure is the client's alone: the child's own peak (``VmHWM``), and its RSS sampled
every 0.2 s to say *when* the peak comes (while loading and validating the whole batch, or while running).

The emulator has no limit, latency or provisioning time here: only the client's memory is measured, and
the run is over as soon as the machine allows.

Run: ``.venv/bin/python -m bench.bench_memory [--users 20000 100000] [--concurrency 32]``; which stage puts the
memory there (load, validate, plan, the jobs, each report): ``.venv/bin/python -m bench.memory_phases --users N``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.generate import make_batch, write_csv_folder
from bench.servers import TOKEN, server_process

RATIO_TARGET = 1.3
MIB = 2**20
ROOT = Path(__file__).resolve().parents[1]  # the child imports ``bench`` from here
#: The CLI as ``python -m batch`` runs it, writing its own peak in MiB (``peak_rss_mib``: ``VmHWM``) to the file
#: named by ``RTM_BENCH_PEAK`` as it exits. Why not the child's ``ru_maxrss``: Python starts a child by vfork +
#: exec, and Linux keeps the parent's peak in the child's (this parent has just generated the batch).
CHILD = """
import atexit, os, pathlib, runpy, sys
from bench.bench_validate import peak_rss_mib
atexit.register(lambda: pathlib.Path(os.environ["RTM_BENCH_PEAK"]).write_text(str(peak_rss_mib())))
sys.argv[0] = "rtm-batch"
runpy.run_module("batch", run_name="__main__", alter_sys=True)
"""


def rss_mib(pid: int) -> int:
    """Resident set of a live process in MiB (Linux /proc); 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def run_once(users: int, base_url: str, workdir: Path, concurrency: int) -> dict[str, float]:
    customers = max(1, users * 300 // 20_000)
    folder = workdir / f"batch-{users}"
    write_csv_folder(make_batch(customers, customers * 3, users), folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    peak_file = workdir / f"peak-{users}"
    env["RTM_BENCH_PEAK"] = str(peak_file)
    command = [sys.executable, "-c", CHILD, "run", str(folder), "--out", str(workdir / f"out-{users}")]
    command += ["--base-url", base_url, "--max-rate", "5000", "--concurrency", str(concurrency)]
    command += ["--log-format", "json"]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while child.poll() is None:
            samples.append((time.perf_counter() - started, rss_mib(child.pid)))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    child.wait()
    sampler.join()
    wall = time.perf_counter() - started
    first_half = max((rss for t, rss in samples if t < wall * 0.1), default=0)
    late = [rss for t, rss in samples if t >= wall * 0.5]
    return {
        "users": users,
        "customers": customers,
        "exit": child.returncode,
        "wall_s": wall,
        "peak_mib": int(peak_file.read_text()),
        "first_10pct_peak_mib": first_half,
        "second_half_peak_mib": max(late, default=0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs=2, default=[20_000, 100_000])
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        for users in args.users:
            with server_process(token=TOKEN, rate=0, burst=1000, latency_ms=0, provisioning_seconds=0) as (url, _):
                rows.append(run_once(users, url, Path(tmp), args.concurrency))
            row = rows[-1]
            print(
                f"{row['users']:>7,} users, {row['customers']:>5,} customers: exit {row['exit']}, "
                f"{row['wall_s']:.1f} s, peak RSS {row['peak_mib']:.0f} MiB (first 10 % of the run "
                f"{row['first_10pct_peak_mib']} MiB, second half {row['second_half_peak_mib']} MiB)",
                flush=True,
            )
    small, large = rows
    ratio = large["peak_mib"] / small["peak_mib"]
    verdict = "met" if ratio <= RATIO_TARGET else "MISSED"
    print(f"peak RSS {large['users']:,} / {small['users']:,} users: {ratio:.2f} × (target ≤ {RATIO_TARGET}): {verdict}")
    fit = Fit.of((int(small["users"]), small["peak_mib"]), (int(large["users"]), large["peak_mib"]))
    print(
        f"as peak ≈ F + c × users: F = {fit.fixed_mib:.0f} MiB, c = {fit.per_user:.0f} bytes a user; "
        f"≤ {RATIO_TARGET} × needs c ≤ {fit.per_user_for(RATIO_TARGET):.0f} bytes a user at this F"
    )
    return 0 if ratio <= RATIO_TARGET else 1


@dataclass(frozen=True)
class Fit:
    """Two runs' peaks read as *peak = F + c × users*: what every run holds (F, MiB) and what each user adds (c,
    bytes). Why: the ratio alone hides that cutting what every run holds makes it worse; the target is a bound on c."""

    fixed_mib: float
    per_user: float
    small_users: int
    large_users: int

    @classmethod
    def of(cls, small: tuple[int, float], large: tuple[int, float]) -> Fit:
        (n_small, small_mib), (n_large, large_mib) = small, large
        per_user = (large_mib - small_mib) * MIB / (n_large - n_small)
        return cls(small_mib - n_small * per_user / MIB, per_user, n_small, n_large)

    def per_user_for(self, ratio: float) -> float:
        """The largest c at which the larger run's peak is ``ratio`` × the smaller's, F unchanged."""
        return (ratio - 1) * self.fixed_mib * MIB / (self.large_users - ratio * self.small_users)


if __name__ == "__main__":
    sys.exit(main())
