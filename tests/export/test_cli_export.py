"""``rtm-batch export`` as a partner's shell sees it: the summary and its notes, JSON events alone on stdout,
one-line errors with exit 2 (a bad path, a dead server, a rejected token), no token echoed."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.run.runner import RunOptions, run_batch
from tests.test_cli_run import one_line_error, rtm

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "cli-secret-token-0815"  # the token tests.test_cli_run.rtm sends


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        options = RunOptions(
            out_dir=tmp_path_factory.mktemp("run"), base_url=base_url, token=TOKEN, max_rate=5000.0, poll_initial=0.01
        )
        assert run_batch([SAMPLES], options, Console(file=io.StringIO())).exit_code == 0
        yield base_url


def test_export_prints_rows_per_sheet_and_where_it_wrote(server: str, tmp_path: Path) -> None:
    out = tmp_path / "adopt.xlsx"
    result = rtm("export", "--out", str(out), "--base-url", server, "--customer", "FI-100101", "--log-format", "plain")
    assert result.returncode == 0, result.stderr
    assert "customers │    1" in result.stdout and "users     │   14" in result.stdout, result.stdout
    assert "warning: export.customer.template_unknown: customer FI-100101" in result.stdout
    assert f"Written: {out}, {tmp_path / 'adopt.summary.json'}" in result.stdout
    assert "export: 1/1 customers read" in result.stderr
    assert TOKEN not in result.stdout + result.stderr + (tmp_path / "adopt.summary.json").read_text()


def test_json_log_format_puts_only_events_on_stdout(server: str, tmp_path: Path) -> None:
    result = rtm(
        "export",
        "--out",
        str(tmp_path / "x"),
        "--base-url",
        server,
        "--customers-from",
        str(SAMPLES),
        "--log-format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events] == ["start"] + ["customer_done"] * 6 + ["finished"]
    assert events[-1]["rows"] == {"templates": 2, "customers": 6, "locations": 10, "users": 61}
    assert len({e["run_id"] for e in events}) == 1


def test_a_rejected_token_is_one_line_and_never_echoed(server: str, tmp_path: Path) -> None:
    wrong = "wrong-token-1234567"
    result = rtm("export", "--out", str(tmp_path / "a.xlsx"), "--base-url", server, token=wrong)
    assert "token was rejected" in one_line_error(result)
    assert wrong not in result.stdout + result.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_a_dead_server_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = rtm("export", "--out", str(tmp_path / "a.xlsx"), "--base-url", f"http://127.0.0.1:{port}/v1", timeout=300)
    assert "127.0.0.1" in one_line_error(result)


@pytest.mark.parametrize(
    ("out", "words"),
    [("missing/dir/a.xlsx", "does not exist"), ("file.txt", "is a file")],
)
def test_bad_out_paths_are_one_line_before_any_request(server: str, tmp_path: Path, out: str, words: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    result = rtm("export", "--out", str(tmp_path / out), "--base-url", server)
    assert words in one_line_error(result)


def test_a_bad_status_and_a_missing_customers_file_are_one_line(server: str, tmp_path: Path) -> None:
    result = rtm("export", "--out", str(tmp_path / "a"), "--base-url", server, "--status", "happy")
    assert "not a customer status" in one_line_error(result)
    result = rtm(
        "export", "--out", str(tmp_path / "b"), "--base-url", server, "--customers-from", str(tmp_path / "no.txt")
    )
    assert "no.txt" in one_line_error(result)
