"""Every input of the hostile corpus through the real ``rtm-batch`` process: the exit code and line the contract
asks for, never a traceback, never more than 1.5 GiB (an address-space limit on the process) or a hang."""

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


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _command() -> list[str]:
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "batch"]


def _run(case: Case, folder: Path) -> subprocess.CompletedProcess[str]:
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
            [*_command(), *args],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=30,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -999, "", "hang: no answer in 30 s")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """All cases at once, a few processes at a time, so the corpus stays within the make-test budget."""
    base = tmp_path_factory.mktemp("corpus")
    runnable = [c for c in CASES if c.as_root_ok or os.geteuid() != 0]
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(lambda item: _run(item[1], base / f"case{item[0]}"), enumerate(runnable))
        return {case.name: result for case, result in zip(runnable, done, strict=True)}


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, results: dict[str, subprocess.CompletedProcess[str]]) -> None:
    if case.name not in results:
        pytest.skip("root reads files whatever their permissions")
    result = results[case.name]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
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
