"""The run and report frictions of issue 18 item 3, as a partner's shell sees them (over real HTTP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.test_cli_run import SAMPLES, TOKEN, one_line_error, rtm


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


@pytest.mark.parametrize("command", ["run", "plan"])
def test_https_to_an_http_server_is_one_line_with_the_fix_within_seconds(
    server: str, tmp_path: Path, command: str
) -> None:
    wrong = server.replace("http://", "https://")
    started = time.monotonic()
    result = rtm(command, str(SAMPLES), "--out", str(tmp_path / "out"), "--base-url", wrong)
    took = time.monotonic() - started
    line = one_line_error(result)
    assert "answers plain HTTP, not HTTPS" in line and f"--base-url {server}" in line, line
    assert "SSL" not in result.stderr
    assert took < 8, took  # before: six attempts with backoff, 12-14 s of SSL errors
