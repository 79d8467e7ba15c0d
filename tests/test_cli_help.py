"""Issue 18 item 3: ``--help`` shows a word a person reads after each option (``--max-deletes N``), never a raw
Python name (``MAX_DELETES``) or type (``<path>``)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.core import TyperOption

from batch.cli import app
from batch.console import plain_metavars
from tests.test_cli_validate import rtm_batch

COMMAND = plain_metavars(typer.main.get_command(app))
COMMANDS = getattr(COMMAND, "commands", {})
OPTIONS = [
    (name, param)
    for name, command in COMMANDS.items()
    for param in command.params
    if isinstance(param, TyperOption) and not param.is_flag and not param.hidden
]


@pytest.mark.parametrize(("command", "param"), OPTIONS, ids=[f"{c}.{p.name}" for c, p in OPTIONS])
def test_every_option_has_a_plain_metavar(command: str, param: TyperOption) -> None:
    metavar = param.metavar or ""
    assert re.fullmatch(r"[A-Z]+|I/N|auto\|plain\|json", metavar), metavar  # I/N: --shard, as the contract writes it


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("plan", ["--max-deletes N", "--config FILE"]),
        (
            "run",
            [
                "--max-deletes N",
                "--sub-partner-org-id ID",
                "--refresh-token-file FILE",
                "--notify-url URL",
                "--config FILE",
            ],
        ),
        ("template", ["--out FILE"]),
        ("emulator", ["--integrated-pstn-location NAME"]),
    ],
)
def test_the_options_issue_18_named(command: str, shown: list[str]) -> None:
    result = rtm_batch(command, "--help")
    assert result.returncode == 0, result.stderr
    for text in shown:
        assert text in result.stdout, result.stdout
