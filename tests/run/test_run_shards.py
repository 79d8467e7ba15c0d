"""``--shard I/N`` end to end: N processes of the CLI against one emulator on loopback, then ``rtm-batch report
OUT…`` over their folders, compared with one run of the same input against a fresh emulator (issue 22).

The input is the samples plus rows naming customers that are not in the batch (a location and two users),
which must follow their customer's shard, fail there once (``customer.not_found``), and be counted once.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from batch.cli import main as cli_main
from batch.emulator import EmulatorConfig, running_emulator
from batch.load.inputs import load_inputs
from batch.report.merge import failure_counts, failure_table
from batch.validate.shard import shard_of
from tests.builders import input_sheets, write_csv_folder
from tests.run.test_run_e2e import TOKEN, assert_no_duplicates, operator, run

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
SHARDS = 3
#: What a merged report must share with a single run's summary (timing and API figures differ by nature).
SAME = ("sheets", "totals", "rows", "retry_rows", "exit_code", "validation")


def rtm(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=180)
    return process.returncode, out, err


def batch_with_strays(folder: Path) -> Path:
    """The samples as one CSV folder plus rows naming customers the batch does not hold: XX-NOPE and
    XX-ELSEWHERE hash to different shards. One input, because rows of two inputs that share a row number
    are mixed up in the results today (see the note in the issue 22 report)."""
    loaded = load_inputs([SAMPLES])
    records = {
        name: [{k: v for k, v in row.items() if not k.startswith("_")} for row in sheet.frame.iter_rows(named=True)]
        for name, sheet in loaded.sheets.items()
    }
    user = {"first_name": "Ulla", "last_name": "Ulkona", "package": "webex_meetings"}
    records["locations"].append(
        {
            "customer_external_id": "XX-NOPE",
            "location_name": "Varasto",
            "address_line1": "Satamakatu 1",
            "city": "Kotka",
            "postal_code": "48100",
            "country": "FI",
            "timezone": "Europe/Helsinki",
            "preferred_language": "fi_fi",
            "announcement_language": "fi_fi",
        }
    )
    records["users"] += [
        {"customer_external_id": "XX-NOPE", "email": "ulla@nope.example", **user},
        {"customer_external_id": "xx-elsewhere", "email": "ulla@elsewhere.example", **user},
    ]
    write_csv_folder(folder, input_sheets(**records))
    return folder


def results(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def users_customers(inputs: list[str]) -> dict[str, str]:
    """Each user's customer by email (a users row's key is its email)."""
    users = load_inputs(inputs).sheets["users"].frame
    return {email.casefold(): customer for email, customer in users.select("email", "customer_external_id").rows()}


def customer_of(row: dict[str, str], users: dict[str, str]) -> str:
    if row["sheet"] == "users":
        return users[row["key"].casefold()]
    return row["key"] if row["sheet"] == "customers" else row["key"].split("/")[0]


def test_shards_do_every_row_once_and_merge_into_a_single_runs_report(tmp_path: Path) -> None:
    inputs = [str(batch_with_strays(tmp_path / "batch"))]
    assert {shard_of("XX-NOPE", SHARDS), shard_of("XX-ELSEWHERE", SHARDS)} != {shard_of("FI-100101", SHARDS)}
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    outs = [tmp_path / "night" / f"shard-{i}" for i in range(SHARDS)]
    with running_emulator(config) as base_url:
        common = ("--base-url", base_url, "--max-rate", "2000", "--log-format", "plain")
        running = [
            rtm("run", *inputs, "--out", str(o), "--shard", f"{i}/{SHARDS}", *common) for i, o in enumerate(outs)
        ]
        done = [finish(p) for p in running]
        # shard 1 holds no customer of the samples and no stray row: only the templates, all fine
        assert [code for code, _, _ in done] == [1, 0, 1], [err[-1500:] for _, _, err in done]
        state = operator(base_url, "state")
        sent = operator(base_url, "requests")
    assert_no_duplicates(state)
    created = Counter(e["path"] for e in sent if e["method"] == "POST" and e["path"].endswith("/wholesale/customers"))
    assert sum(created.values()) == 6 and len(state["customers"]) == 6 and len(state["subscribers"]) == 61

    # every row in exactly one shard (templates, which every shard needs, in all), no customer in two shards
    parts = [results(out) for out in outs]
    users = users_customers(inputs)
    owners: dict[str, set[int]] = {}
    rows: Counter[tuple[str, str, str]] = Counter()
    for i, part in enumerate(parts):
        for row in part:
            if row["sheet"] == "templates":
                continue
            rows[(row["sheet"], row["row"], row["key"].casefold())] += 1
            customer = customer_of(row, users)
            owners.setdefault(customer.casefold(), set()).add(i)
            assert shard_of(customer, SHARDS) == i
    assert all(n == 1 for n in rows.values()) and len(rows) == 6 + 10 + 61 + 3
    assert all(len(shards) == 1 for shards in owners.values()), owners
    assert all(sum(r["sheet"] == "templates" for r in part) == 2 for part in parts)

    merged_dir = tmp_path / "night" / "merged"
    code, out, err = finish(rtm("report", *map(str, outs), "--json"))
    assert code == 1, err
    merged = json.loads(out)
    assert json.loads((merged_dir / "summary.json").read_text()) == merged
    assert [p["shard"] for p in merged["shards"]] == [f"{i}/{SHARDS}" for i in range(SHARDS)]

    single = tmp_path / "single"
    with running_emulator(config) as base_url:
        alone = run(list(map(Path, inputs)), single, base_url).summary  # in-process: one interpreter less to start
    assert {k: merged[k] for k in SAME} == {k: alone[k] for k in SAME}
    assert merged["failures"] == failure_table(failure_counts(single))
    assert {(f["sheet"], f["reason"], f["rows"]) for f in merged["failures"]} == {
        ("locations", "customer.not_found", 1),
        ("users", "customer.not_found", 2),
    }
    printed = finish(rtm("report", *map(str, outs)))
    assert printed[0] == 1 and "customer.not_found" in printed[1] and "shard 2/3" in printed[1]


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The CLI in this process (no interpreter to start): exit code and stderr."""
    with pytest.raises(SystemExit) as ended:
        cli_main(list(args))
    return int(ended.value.code or 0), capsys.readouterr().err


def test_a_shard_missing_from_the_merge_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in (0, 2):
        summary: dict[str, Any] = {"exit_code": 0, "shard": {"index": i, "count": 3}, "sheets": {}}
        (tmp_path / f"s{i}").mkdir()
        (tmp_path / f"s{i}" / "summary.json").write_text(json.dumps(summary))
    code, err = main(capsys, "report", str(tmp_path / "s0"), str(tmp_path / "s2"))
    assert code == 2 and err.strip().splitlines() == [
        "error: shard 1/3 missing: give every shard's --out folder (a merged report of part is not one)"
    ]


@pytest.mark.parametrize("value", ["3/3", "1", "a/b", "-1/2", "0/0", "1/2/3"])
def test_a_bad_shard_is_one_usage_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, err = main(capsys, "run", str(SAMPLES), "--out", str(tmp_path / "o"), "--shard", value)
    assert code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "--shard must be I/N" in err, err
    assert not (tmp_path / "o").exists()
