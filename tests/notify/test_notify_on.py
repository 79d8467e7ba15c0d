"""``--notify-on change`` (the default) over real nights: the first night is news, a second identical night
is quiet, a night that fails is loud, and the night it recovers is news again. ``policy`` on its own for
``always`` and ``failure``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.notify.policy import should_notify
from tests.notify.books import one_customer
from tests.notify.receivers import receiver
from tests.notify.test_notify_run import rtm

TOKEN = "notify-on-token-77"


def test_quiet_on_a_second_identical_night_and_loud_when_it_fails(tmp_path: Path) -> None:
    book = one_customer(tmp_path / "tonight.xlsx")
    history = tmp_path / "history.sqlite"
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url, receiver() as hooks:

        def night(n: int, token: str) -> int:
            args = ["run", str(book), "--out", str(tmp_path / f"night-{n}"), "--base-url", base_url]
            args += ["--notify-url", f"{hooks.url}/night-{n}", "--history", str(history)]
            return rtm(args, {"WEBEX_ACCESS_TOKEN": token}).returncode

        codes = [night(1, TOKEN), night(2, TOKEN), night(3, "expired-token"), night(4, TOKEN)]
    told = {r.path: json.loads(r.body)["exit_code"] for r in hooks.requests}
    assert codes == [0, 0, 2, 0]
    assert told == {"/night-1": 0, "/night-3": 2, "/night-4": 0}  # night 2 ended as night 1: quiet


@pytest.mark.parametrize(
    ("on", "exit_code", "previous", "told"),
    [
        ("always", 0, 0, True),
        ("failure", 0, None, False),
        ("failure", 1, 1, True),
        ("failure", 3, 0, True),
        ("change", 0, None, True),
        ("change", 0, 0, False),
        ("change", 0, 1, True),
        ("change", 1, 1, True),
    ],
)
def test_policy(on: str, exit_code: int, previous: int | None, told: bool) -> None:
    assert should_notify(on, exit_code, previous) is told
