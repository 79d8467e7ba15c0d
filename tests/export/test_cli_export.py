"""``rtm-batch export`` as a partner's shell sees it: the summary and its notes, JSON events alone on stdout,
one-line errors with exit 2 (a bad path, a dead server, a rejected token), no token echoed."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import openpyxl
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


def test_a_plain_export_validates_with_0_errors_and_plans_every_row_unchanged(server: str, tmp_path: Path) -> None:
    """Issue 19's "Done when", as a partner types it: ``export`` (no --customers-from) of what the server
    holds after ``samples/``, then ``validate`` and ``plan --base-url --update --prune`` on that file."""
    out = tmp_path / "all.xlsx"
    assert rtm("export", "--out", str(out), "--base-url", server).returncode == 0
    validated = rtm("validate", str(out), "--out", str(tmp_path / "v"), token=None)
    assert validated.returncode == 0, validated.stdout
    assert "0 errors, 0 warnings" in validated.stdout
    plan = rtm("plan", str(out), "--out", str(tmp_path / "p"), "--base-url", server, "--update", "--prune")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    with (tmp_path / "p" / "results.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["sheet"] != "templates"]
    assert len(rows) == 6 + 10 + 61
    assert {(r["status"], r["changes"], r["message"]) for r in rows} == {
        ("exists", "", "unchanged: already on the server")
    }


def test_an_exported_row_needs_no_template_but_a_new_one_still_does(server: str, tmp_path: Path) -> None:
    """The ``_ids`` sheet is what lets an exported customer row go without a template; a customer the partner
    adds to the export is checked as ever, and so is the same file without its ``_ids`` (copied rows)."""
    folder = tmp_path / "x"
    assert rtm("export", "--out", str(folder), "--base-url", server, "--customer", "FI-100105").returncode == 0
    customers = (folder / "customers.csv").read_text(encoding="utf-8-sig").splitlines()
    added = customers[1].replace("FI-100105", "FI-999999").replace("@", "+new@", 1)
    (folder / "customers.csv").write_text("\n".join([*customers, added]) + "\n", encoding="utf-8")
    validated = rtm("validate", str(folder), "--out", str(tmp_path / "v"), token=None)
    with (tmp_path / "v" / "validation.csv").open(encoding="utf-8-sig") as handle:
        problems = [(p["row"], p["rule"]) for p in csv.DictReader(handle) if p["column"] == "template"]
    assert problems == [("3", "customers.template.required")], validated.stdout
    (folder / "_ids.csv").unlink()
    validate_again = rtm("validate", str(folder), "--out", str(tmp_path / "v2"), token=None)
    with (tmp_path / "v2" / "validation.csv").open(encoding="utf-8-sig") as handle:
        rules = [(p["row"], p["rule"]) for p in csv.DictReader(handle) if p["column"] == "template"]
    assert rules == [("2", "customers.template.required"), ("3", "customers.template.required")], validate_again.stdout


def test_an_exported_customer_that_is_gone_fails_with_the_reason(server: str, tmp_path: Path) -> None:
    """The ``_ids`` sheet says the customer was there; if it is not any more (another server, a deleted
    mapping), nothing can create it without a template: plan and run fail its row naming why."""
    out = tmp_path / "one.xlsx"
    assert rtm("export", "--out", str(out), "--base-url", server, "--customer", "FI-100105").returncode == 0
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as empty:
        for command in ("plan", "run"):
            result = rtm(command, str(out), "--out", str(tmp_path / command), "--base-url", empty)
            assert result.returncode == 1, result.stdout + result.stderr
            with (tmp_path / command / "results.csv").open(encoding="utf-8-sig") as handle:
                customer = next(r for r in csv.DictReader(handle) if r["sheet"] == "customers")
            assert (customer["status"], customer["reason"]) == ("failed", "customer.template_required"), customer
            assert "no template or provisioning_id" in customer["message"]
    # retry/ keeps the export's _ids lines of its customers rows, so they validate as the export did
    retry = tmp_path / "run" / "retry"
    assert "_ids" in openpyxl.load_workbook(retry / "retry.xlsx").sheetnames
    again = rtm("validate", str(retry), "--out", str(tmp_path / "v"), token=None)
    with (tmp_path / "v" / "validation.csv").open(encoding="utf-8-sig") as handle:
        assert [p for p in csv.DictReader(handle) if p["severity"] == "error"] == [], again.stdout
