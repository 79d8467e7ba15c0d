"""``run --prune`` exports the customers it is about to prune from to ``OUT/backup-before-prune.xlsx`` before
its first DELETE (the backup still holds the user the run then removes); nothing when nothing is removed."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import polars as pl
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import REMOVED
from batch.load.inputs import load_inputs
from batch.run.runner import RunOptions, RunOutcome, run_batch
from tests.builders import input_sheets, write_csv_folder
from tests.validate.test_validate_support import valid_rows

TOKEN = "prune-token-77"


def run(folder: Path, out: Path, base_url: str, **options: object) -> RunOutcome:
    opts = RunOptions(out_dir=out, base_url=base_url, token=TOKEN, max_rate=5000.0, poll_initial=0.01, **options)  # type: ignore[arg-type]
    return run_batch([folder], opts, Console(file=io.StringIO()))


def test_the_backup_is_written_before_the_removal_and_only_when_something_is_removed(tmp_path: Path) -> None:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        day_one = write_csv_folder(tmp_path / "day1", input_sheets(**valid_rows()))
        assert run(day_one, tmp_path / "o1", base_url).exit_code == 0
        same = run(day_one, tmp_path / "o2", base_url, prune=True)
        assert same.exit_code == 0 and not (tmp_path / "o2" / "backup-before-prune.xlsx").exists()

        fewer = copy.deepcopy(valid_rows())
        fewer["users"] = [u for u in fewer["users"] if u["email"] != "liisa@makela.fi"]
        day_two = write_csv_folder(tmp_path / "day2", input_sheets(**fewer))
        pruned = run(day_two, tmp_path / "o3", base_url, prune=True)
    assert [r.key for r in pruned.results if r.status == REMOVED] == ["liisa@makela.fi"]
    backup = tmp_path / "o3" / "backup-before-prune.xlsx"
    users = pl.read_excel(backup, sheet_name="users", read_options={"dtypes": "string"})
    assert "liisa@makela.fi" in users["email"].to_list()  # read before the DELETE went out
    assert set(users["customer_external_id"]) == {"FI-1"}  # only the customer pruned from
    assert load_inputs([backup]).problems == ()  # the input form: ready to run again to restore
