"""``plan`` / ``run`` with ``--update --prune --max-deletes`` as a partner's shell sees them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.run.test_run_sync import CUSTOMERS, CUSTOMERS_2, TAMPERE, TAMPERE_2, USERS_1, USERS_2, workbook
from tests.test_cli_run import TOKEN, one_line_error, rtm


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


def test_plan_then_run_the_sync_from_the_command_line(server: str, tmp_path: Path) -> None:
    first = workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1)
    second = workbook(tmp_path / "v2.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2)
    assert rtm("run", str(first), "--out", str(tmp_path / "a"), "--base-url", server).returncode == 0

    plan = rtm("plan", str(second), "--out", str(tmp_path / "p"), "--base-url", server, "--update", "--prune")
    assert plan.returncode == 1, plan.stderr  # the refused administrator row, as the run will report it
    assert "Actions" in plan.stdout and "remove" in plan.stdout and "Traceback" not in plan.stderr
    limited = rtm(
        "run", str(second), "--out", str(tmp_path / "l"), "--base-url", server, "--prune", "--max-deletes", "1"
    )
    assert limited.returncode == 1 and "skipped" in limited.stdout
    synced = rtm("run", str(second), "--out", str(tmp_path / "b"), "--base-url", server, "--update", "--prune")
    assert synced.returncode == 1 and "updated" in synced.stdout and "removed" in synced.stdout, synced.stdout


@pytest.mark.parametrize("command", ["run", "plan"])
def test_a_negative_max_deletes_is_a_usage_error(command: str, server: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1)
    result = rtm(command, str(book), "--out", str(tmp_path / "o"), "--base-url", server, "--max-deletes", "-1")
    assert "--max-deletes must be 0 or more" in one_line_error(result)
