"""``--config FILE`` as a cron job uses it: option values from TOML, paths relative to the file, the command
line wins, an unknown key is exit 2 naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from batch.emulator import EmulatorConfig, running_emulator

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "config-token"


def rtm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_options_come_from_the_file_paths_relative_to_it_and_the_command_line_wins(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        config = folder / "rtm.toml"
        config.write_text(f'base_url = "{base_url}"\nout = "reports"\nmax-rate = 1000\nlog_format = "plain"\n')
        result = rtm("run", str(SAMPLES), "--config", str(config), "--max-rate", "500", cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((folder / "reports" / "summary.json").read_text())
    assert summary["api"]["settled_rate"] == 500.0  # the command line's --max-rate, not the file's
    assert not list(elsewhere.iterdir())


def test_an_unknown_key_is_exit_2_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "rtm.toml"
    config.write_text('max_rate = 10\nmax_rat = 20\n')
    result = rtm("run", str(SAMPLES), "--out", str(tmp_path / "out"), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unknown key 'max_rat'" in errors[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_repeatable_option_takes_one_value_or_a_list_and_paths_stay_relative_to_the_file(tmp_path: Path) -> None:
    """``notify_url = "…"`` (as configs were written before it was repeatable) or a list; ``history`` beside
    the config when the file says ``history = "history.sqlite"``."""
    import click
    import typer

    from batch.cli import app

    run = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    one, several = tmp_path / "one.toml", tmp_path / "several.toml"
    one.write_text('notify_url = "https://hooks.example.com/x"\nhistory = "history.sqlite"\n')
    several.write_text('notify_url = ["https://hooks.example.com/x", "webex://ROOM"]\n')
    parsed = []
    for config in (one, several):
        ctx = run.make_context("run", ["in.xlsx", "--out", "o", "--config", str(config)], parent=click.Context(run))
        parsed.append((ctx.params["notify_url"], ctx.params["history"]))
    assert parsed == [
        (["https://hooks.example.com/x"], tmp_path / "history.sqlite"),
        (["https://hooks.example.com/x", "webex://ROOM"], None),
    ]
