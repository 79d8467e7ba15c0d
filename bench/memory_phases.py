"""Where a run's memory goes, stage by stage (issue 22 item 2): ``rtm-batch run`` in its own process with each
stage wrapped, printing for each the RSS before and after it and the peak *during* it.

Why: ``bench_memory`` says how high a run's RSS goes and roughly when; this says which stage puts it there,
so the biggest one is attacked first. The peak of a stage is the kernel's high-water mark (``VmHWM``), reset
(``/proc/self/clear_refs``) as the stage starts; a stage inside another folds its peak into the outer one.
After each stage the allocators say what they hold: Python's small-object arenas (``pymalloc``: in use /
held) and glibc's heap (``malloc``: in use / held). What RSS has beyond them is polars' own allocator
(jemalloc), the code and the libraries.

Run: ``.venv/bin/python -m bench.memory_phases --users 20000`` (Linux only). Given two sizes (``--users 20000
100000``) it also sets their stages side by side (``side_by_side``): each stage's peak at both sizes, their ratio
and what each user adds to it, so the stage that breaks ``bench-memory``'s target is named, not guessed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import importlib
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: (module, function) wrapped as a stage, in the order they run; the name printed is the function's.
STAGES = (
    ("batch.pipeline", "load_inputs"),
    ("batch.pipeline", "validate"),
    ("batch.pipeline", "write_validation_reports"),
    ("batch.run.runner", "build_plan"),
    ("batch.run.runner", "_execute"),
    ("batch.run.runner", "row_results"),
    ("batch.run.runner", "build_summary"),
    ("batch.run.runner", "run_facts"),
    ("batch.report.writer", "align_results"),
    ("batch.report.writer", "write_results_csv"),
    ("batch.report.writer", "write_results_xlsx"),
    ("batch.report.writer", "write_retry"),
    ("batch.run.runner", "write_report_page"),
)


def _status(field_name: str) -> int:
    """A ``/proc/self/status`` figure in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def glibc_heap() -> tuple[int, int]:
    """(in use, held) MiB of glibc's malloc: what Python's larger objects and C extensions took from it."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return (0, 0)
    return ((info.uordblks + info.hblkhd) >> 20, (info.arena + info.hblkhd) >> 20)


def pymalloc() -> tuple[int, int]:
    """(in use, held) MiB of Python's small-object allocator, read off ``sys._debugmallocstats`` (C stderr)."""
    with tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode(errors="replace")

    def figure(label: str) -> int:
        found = re.search(re.escape(label) + r"\s*=\s*([\d,]+)", text)
        return int(found.group(1).replace(",", "")) if found else 0

    held = figure("# arenas allocated current") * 1024 * 1024  # 1 MiB arenas on 64-bit Python >= 3.10
    return (figure("# bytes in allocated blocks") >> 20, held >> 20)


@dataclass
class _Open:
    name: str
    before: int
    started: float
    peak: int = 0


@dataclass
class Recorder:
    """The stages as they end: (name, RSS before, RSS after, peak during, seconds, allocators after)."""

    rows: list[tuple[str, int, int, int, float, str]] = field(default_factory=list)
    open: list[_Open] = field(default_factory=list)
    snapshot: tracemalloc.Snapshot | None = None
    before_jobs: tracemalloc.Snapshot | None = None  # what was allocated as the jobs started (while tracing)

    def _fold(self) -> None:
        hwm = _status("VmHWM")
        for frame in self.open:
            frame.peak = max(frame.peak, hwm)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._fold()
        _reset_peak()
        frame = _Open(name, _status("VmRSS"), time.perf_counter())
        self.open.append(frame)
        try:
            yield
        finally:
            self._fold()
            self.open.pop()
            py, heap = pymalloc(), glibc_heap()
            depth = "  " * len(self.open)
            allocators = f"pymalloc {py[0]}/{py[1]}, malloc {heap[0]}/{heap[1]}"
            took = time.perf_counter() - frame.started
            if tracemalloc.is_tracing():
                self._grown(name)
            self.rows.append((depth + name, frame.before, _status("VmRSS"), frame.peak, took, allocators))

    def _grown(self, name: str, top: int = 12) -> None:
        """What the stage left allocated (``PHASES_TRACEMALLOC=N``): what grew most, by line or by N frames."""
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if self.snapshot is not None:
            lines = [f"after {name}: {_traced_mib(snapshot):.1f} MiB traced"]
            for key in ("filename", "lineno") if tracemalloc.get_traceback_limit() == 1 else ("traceback",):
                for stat in snapshot.compare_to(self.snapshot, key)[:top]:
                    grown = f"{stat.size_diff / 2**20:+8.2f} MiB {stat.count_diff:+8} blocks"
                    lines.append(f"    {grown}  " + "\n        ".join(stat.traceback.format()))
            sys.stderr.write("\n".join(lines) + "\n")
        self.snapshot = snapshot
        if name == "build_plan":
            self.before_jobs = snapshot

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return fn(*args, **kwargs)

        return measured

    def table(self) -> str:
        out = io.StringIO()
        heading = f"{'stage':<30} {'before':>7} {'after':>7} {'peak':>7} {'s':>7}"
        out.write(heading + "  allocators after (in use/held MiB)\n")
        for name, before, after, peak, took, allocators in self.rows:
            out.write(f"{name:<30} {before:>7} {after:>7} {peak:>7} {took:>7.1f}  {allocators}\n")
        return out.getvalue()


_LOOP: list[Any] = []
#: While tracing: the highest pymalloc in use sampled during the jobs, its snapshot and when (seconds in).
_HIGHEST: list[Any] = [0]


def _sample_run(every: float, stop: threading.Event, lines: list[str]) -> None:
    """While jobs run: RSS, pymalloc in use / held, and the event loop's live tasks (jobs started, not done); while
    tracing, a snapshot at the highest traced use (``_write_highest``)."""
    started = time.perf_counter()
    while not stop.wait(every):
        tasks = -1
        if _LOOP:
            for _ in range(5):
                try:
                    tasks = len(asyncio.all_tasks(_LOOP[0]))
                    break
                except RuntimeError:  # the loop changed its task set meanwhile
                    continue
        py = pymalloc()
        t = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[0] >> 20 if tracemalloc.is_tracing() else 0  # pymalloc reads 0 then
        if traced > _HIGHEST[0]:
            _HIGHEST[0] = traced
            _HIGHEST[1:] = [tracemalloc.take_snapshot(), t]
        lines.append(f"  t={t:6.1f}s rss {_status('VmRSS'):>5} MiB  pymalloc {py[0]:>4}/{py[1]:>4}  tasks {tasks:>6}")


def _watch_execute(recorder_lines: list[str], every: float) -> None:
    """Capture the run's loop and sample while ``session.execute`` runs."""
    from batch.run import runner, session

    inner = session.execute

    async def execute(*args: Any, **kwargs: Any) -> Any:
        _LOOP.append(asyncio.get_running_loop())
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_run, args=(every, stop, recorder_lines), daemon=True)
        sampler.start()
        try:
            return await inner(*args, **kwargs)
        finally:
            stop.set()
            sampler.join()

    runner.execute = execute  # type: ignore[assignment]


def child(argv: list[str]) -> int:
    """The run itself, in this process, with every stage of ``STAGES`` wrapped."""
    recorder = Recorder()
    if os.environ.get("PHASES_TRACEMALLOC"):
        tracemalloc.start(int(os.environ["PHASES_TRACEMALLOC"]))
    samples: list[str] = []
    every = float(os.environ.get("PHASES_SAMPLE_SECONDS", "0"))
    if every > 0:
        _watch_execute(samples, every)
    for module_name, name in STAGES:
        module = importlib.import_module(module_name)
        setattr(module, name, recorder.wrap(name, getattr(module, name)))
    from batch.cli import app

    sys.argv = ["rtm-batch", *argv]
    code = 0
    with recorder.stage("run (whole command)"):
        try:
            app()
        except SystemExit as exc:
            code = int(exc.code or 0)
    sys.stderr.write("".join(line + "\n" for line in samples))
    _write_highest(recorder.before_jobs)
    sys.stderr.write(recorder.table())
    sys.stderr.write(f"exit {code}; ru_maxrss {_ru_maxrss()} MiB\n")
    if os.environ.get("RTM_PHASES_PEAKS"):  # for the parent's side by side: each stage's peak, in order
        peaks = [(name.strip(), peak) for name, _, _, peak, _, _ in recorder.rows]
        Path(os.environ["RTM_PHASES_PEAKS"]).write_text(json.dumps(peaks))
    return code


def side_by_side(small: tuple[int, list[tuple[str, int]]], large: tuple[int, list[tuple[str, int]]]) -> str:
    """Each stage of both runs (users, [(stage, peak MiB)]): its peaks, the larger ÷ the smaller, what a user adds
    to that stage's peak in bytes, and by how many MiB the larger run's stage is over ``bench-memory``'s target (1.3 ×
    the smaller run's own peak, its highest stage): the stages that must fall, and by how much."""
    from bench.bench_memory import RATIO_TARGET  # here, not at the top: it imports polars before ``batch`` sets it up

    (n_small, small_rows), (n_large, large_rows) = small, large
    bound = RATIO_TARGET * max((peak for _, peak in small_rows), default=0)
    out = io.StringIO()
    out.write(f"{'stage':<30} {n_small:>9,} {n_large:>9,} {'ratio':>6} {'bytes/user':>11}\n")
    for (name, low), (other, high) in zip(small_rows, large_rows, strict=True):
        if name != other:
            raise ValueError(f"the two runs' stages differ: {name} / {other}")
        ratio = high / low if low else 0.0
        per_user = (high - low) * 2**20 / (n_large - n_small)
        over = f"  {high - bound:.0f} MiB over {RATIO_TARGET} × {bound / RATIO_TARGET:.0f}" if high > bound else ""
        out.write(f"{name:<30} {low:>9} {high:>9} {ratio:>6.2f} {per_user:>11,.0f}{over}\n")
    return out.getvalue()


def _write_highest(before_jobs: tracemalloc.Snapshot | None, top: int = 15) -> None:
    """While tracing with samples (``PHASES_TRACEMALLOC=1 PHASES_SAMPLE_SECONDS=10``): what was allocated at the
    jobs' highest sampled use of Python objects beyond what was as they started, by line."""
    if len(_HIGHEST) != 3 or before_jobs is None:
        return
    key = "lineno" if tracemalloc.get_traceback_limit() == 1 else "traceback"
    lines = [f"at the jobs' highest ({_HIGHEST[2]:.0f} s in), against before them:"]
    for stat in _HIGHEST[1].compare_to(before_jobs, key)[:top]:
        where = "\n        ".join(stat.traceback.format())
        lines.append(f"    {stat.size_diff / 2**20:+8.2f} MiB {stat.count_diff:+8} blocks  {where}")
    sys.stderr.write("\n".join(lines) + "\n")


def _traced_mib(snapshot: tracemalloc.Snapshot) -> float:
    return sum(stat.size for stat in snapshot.statistics("filename")) / 2**20


def _ru_maxrss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[20_000], help="one size, or two to compare")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--keep", type=Path, help="write the batch and the reports here (default: a temp folder)")
    args = parser.parse_args(argv)
    import subprocess

    from bench.generate import make_batch, write_csv_folder
    from bench.servers import TOKEN, server_process

    runs: list[tuple[int, list[tuple[str, int]]]] = []
    code = 0
    with tempfile.TemporaryDirectory(prefix="rtm-phases-") as tmp:
        work = args.keep or Path(tmp)
        for users in args.users:
            customers = max(1, users * 300 // 20_000)
            folder = work / f"batch-{users}"
            write_csv_folder(make_batch(customers, customers * 3, users), folder)
            peaks = Path(tmp) / f"peaks-{users}.json"
            with server_process(token=TOKEN, rate=0, burst=1000, latency_ms=0, provisioning_seconds=0) as (url, _):
                env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
                env |= {"WEBEX_ACCESS_TOKEN": TOKEN, "RTM_PHASES_PEAKS": str(peaks)}
                command = [sys.executable, "-m", "bench.memory_phases", "--child", str(folder)]
                command += ["--out", str(work / f"out-{users}"), "--base-url", url, "--max-rate", "5000"]
                command += ["--concurrency", str(args.concurrency), "--log-format", "json"]
                code = code or subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode
            runs.append((users, [(name, peak) for name, peak in json.loads(peaks.read_text())]))
    if len(runs) == 2:
        sys.stderr.write(side_by_side(*sorted(runs)))
    return code


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(["run", *sys.argv[2:]]))
    sys.exit(main())
