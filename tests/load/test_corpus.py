"""Every input of the hostile corpus through the real ``rtm-batch`` process: the exit code and line the contract
asks for, never a traceback, never more than 1.5 GiB or a hang.

Memory is the process's peak resident size, reported by a small parent that runs it (``RUSAGE_CHILDREN`` of
a process with one child is that child's peak). An address-space limit of twice that stops a runaway
allocation (a 512 GiB grid) at once; it cannot be the measure itself, because polars and calamine reserve
far more address space than they ever touch."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.load.corpus import CASES, MEMORY_LIMIT, Case

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("rtm-batch")
#: Longest a person's error line may be (contract §4: ~300 characters).
MAX_LINE = 320


#: Runs its arguments and reports the child's peak resident size (KiB) as the last stderr line.
PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(f'PEAK_KIB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); sys.exit(code)"
)


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * MEMORY_LIMIT, 2 * MEMORY_LIMIT))


def _command() -> list[str]:
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "batch"]


def _process(case: Case, folder: Path) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True)
    try:
        args = case.build(folder)
    except Exception as exc:  # a builder bug shows as that case's failure, not the whole corpus's
        return subprocess.CompletedProcess([], -998, "", f"builder failed: {exc!r}")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "CI": "1",
        "PYTHONIOENCODING": "utf-8",
        "POLARS_MAX_THREADS": "2",
        "WEBEX_ACCESS_TOKEN": "corpus-token",
    }
    try:
        return subprocess.run(
            [sys.executable, "-c", PEAK, *_command(), *args],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=30,
            preexec_fn=_limit_address_space,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -999, "", "hang: no answer in 30 s")


Result = tuple[subprocess.CompletedProcess[str], int]  # the process (its own stderr) and its peak RSS in KiB


def _run(case: Case, folder: Path) -> Result:
    done = _process(case, folder)
    lines = done.stderr.splitlines()
    peak = 0
    if lines and lines[-1].startswith("PEAK_KIB "):
        peak = int(lines.pop().split()[1])
        done = subprocess.CompletedProcess(done.args, done.returncode, done.stdout, "\n".join(lines))
    return done, peak


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """All cases at once, a few processes at a time, so the corpus stays within the make-test budget."""
    base = tmp_path_factory.mktemp("corpus")
    runnable = [c for c in CASES if c.as_root_ok or os.geteuid() != 0]
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(lambda item: _run(item[1], base / f"case{item[0]}"), enumerate(runnable))
        return {case.name: result for case, result in zip(runnable, done, strict=True)}


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


#: The first case waits for the module's fixture: every case's CLI process, three at a time (~100 s on a busy
#: 2-core machine, past pytest's default 120 s budget when others share it).
@pytest.mark.timeout(480)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, results: dict[str, Result]) -> None:
    if case.name not in results:
        pytest.skip("root reads files whatever their permissions")
    result, peak_kib = results[case.name]
    assert peak_kib * 1024 <= MEMORY_LIMIT, f"peak {peak_kib // 1024} MiB"
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "calamine" not in output.lower(), output[-3000:]  # issue 18: the reader's internals are no message
    assert result.returncode == case.exit_code, output[-3000:]
    if case.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr[-3000:]
        assert len(lines[0]) <= MAX_LINE, lines[0][:400]
        assert lines[0].startswith("error: ")
        assert re.search(case.line, lines[0]), lines[0]
    else:
        assert re.search(case.line, output), output[-3000:]
        assert all(len(line) <= 2000 for line in output.splitlines()), "a line echoes a whole cell"
