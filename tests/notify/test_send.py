"""``--notify-url`` to a plain https receiver: the run's summary.json POSTed when it ends (exit 1 too), no
token sent; three tries with backoff; a failed notification is a warning, not a failed run. (Moved from
tests/run/test_notify.py with ``batch.run.notify``; the assertions are the same.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import UsageError
from batch.notify.message import RunNews
from batch.notify.send import Sender
from batch.notify.targets import parse_target

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "samples" / "invalid" / "invalid.xlsx"
TOKEN = "notify-secret-token"


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict, str]]]]:
    """A loopback HTTP endpoint that keeps each POST's JSON body and Authorization header."""
    received: list[tuple[dict, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), self.headers.get("Authorization", "")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_the_summary_is_posted_when_a_run_ends_with_exit_1_and_no_token_goes_along(
    tmp_path: Path, receiver: tuple[str, list[tuple[dict, str]]]
) -> None:
    url, received = receiver
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        args = ["run", str(INVALID), "--out", str(tmp_path), "--base-url", base_url, "--notify-url", url]
        command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    assert len(received) == 1
    body, authorization = received[0]
    assert body == json.loads((tmp_path / "summary.json").read_text()) and body["exit_code"] == 1
    assert authorization == "" and TOKEN not in json.dumps(body)
    assert "warning" not in result.stderr


NEWS = RunNews("run", "r1", 0, "host", "/out")


def notify(url: str, summary: dict, *, sleep, transport: httpx.BaseTransport) -> str | None:  # noqa: ANN001
    """The old ``batch.run.notify.notify`` in terms of the new sender: None when delivered, else the warning."""
    sender = Sender(sleep=sleep, transport=transport)
    with sender.client() as http:
        delivery = sender.deliver(http, parse_target(url), NEWS, summary)
    return None if delivery.ok else delivery.warning()


def check_notify_url(url: str) -> str:
    return parse_target(url).url


def test_three_tries_with_backoff_then_a_warning_line() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503)

    warning = notify(
        "https://hooks.example.com/x", {"exit_code": 0}, sleep=waits.append, transport=httpx.MockTransport(refuse)
    )
    assert len(calls) == 3 and waits == [1.0, 2.0]
    assert (
        warning is not None and warning.startswith("warning:") and "hooks.example.com" in warning and "503" in warning
    )


def test_a_later_try_that_succeeds_is_no_warning() -> None:
    answers = iter([httpx.Response(500), httpx.Response(200)])
    transport = httpx.MockTransport(lambda request: next(answers))
    assert notify("https://hooks.example.com/x", {}, sleep=lambda s: None, transport=transport) is None


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "ftp://127.0.0.1/x", "not a url"])
def test_plain_http_is_only_for_loopback(url: str) -> None:
    with pytest.raises(UsageError, match="--notify-url"):
        check_notify_url(url)
    assert check_notify_url("http://127.0.0.1:9/x") == "http://127.0.0.1:9/x"
