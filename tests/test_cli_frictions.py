"""The run and report frictions of issue 18 item 3, as a partner's shell sees them (over real HTTP)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def _rtm_env(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=base | env, capture_output=True, text=True, timeout=120)


def test_plan_takes_runs_config_file_and_its_refresh_token(server: str, tmp_path: Path) -> None:
    """The README's nightly.toml, as ``run`` reads it: ``plan --config`` used to refuse ``notify_url``, and knew
    no refresh token."""
    (tmp_path / "refresh-token").write_text("emulator-refresh-token\n", encoding="utf-8")
    config = tmp_path / "nightly.toml"
    config.write_text(
        f'base_url = "{server}"\nout = "plan-out"\nrefresh_token_file = "refresh-token"\n'
        'notify_url = "http://127.0.0.1:9/hook"\nlog_format = "json"\nconcurrency = 16\n',
        encoding="utf-8",
    )
    secrets = {"WEBEX_CLIENT_ID": "emulator-client", "WEBEX_CLIENT_SECRET": "emulator-secret"}
    result = _rtm_env("plan", str(SAMPLES), "--config", str(config), **secrets)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plan-out" / "results.csv").is_file()
    assert "emulator-refresh-token" not in result.stdout + result.stderr


def test_plan_with_a_wrong_token_gets_runs_helpful_line(server: str, tmp_path: Path) -> None:
    result = rtm("plan", str(SAMPLES), "--out", str(tmp_path), "--base-url", server, token="wrong-token-1234")
    line = one_line_error(result)
    assert "the access token was rejected (HTTP 401): set WEBEX_ACCESS_TOKEN or --token-file" in line, line


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_the_emulator_says_so_and_nothing_of_a_run(signum: signal.Signals) -> None:
    command = [sys.executable, "-c", "from batch.cli import main; main()", "emulator", "--port", "0"]
    emulator = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        assert "Webex API emulator at" in emulator.stdout.readline()
        emulator.send_signal(signum)
        stdout, stderr = emulator.communicate(timeout=30)
    finally:
        if emulator.poll() is None:
            emulator.kill()
    assert emulator.returncode == 0, stderr
    # before: "stopped before the run got going (SIGINT received); run the same command again", exit 3
    assert "run the same command" not in stdout + stderr and "Traceback" not in stderr, stdout + stderr
    assert "Emulator stopped" in stdout
