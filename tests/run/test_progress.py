"""Progress output: plain and JSON lines for logs, bars on a terminal, and the choice between them."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace

import pytest
from rich.console import Console

from batch.errors import UsageError
from batch.jobs import Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.run.progress import SHOWN_FAILURES, BarProgress, JsonLog, PlainLog, make_progress
from batch.run.session import rows_of_several_jobs

T0 = 1_700_000_000.25  # 2023-11-14T22:13:20.250Z

CUSTOMER = Job("customer:acme", Kind.CUSTOMER, "customers", 2)
REF = Job("customer:other", Kind.CUSTOMER_REF, "users", None)
USER = Job("subscriber:ann@acme.com", Kind.SUBSCRIBER, "users", 7, parents=("customer:acme",))


def clock_from(*times: float):
    it = iter(times)
    return lambda: next(it)


def local_hms(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_plain_lines_one_per_event_in_order() -> None:
    out = io.StringIO()
    times = (T0, T0 + 0.5, T0 + 1, T0 + 61, T0 + 62, T0 + 63)
    log = make_progress(Console(file=io.StringIO()), log_format="plain", stream=out, clock=clock_from(*times))
    log.start({Kind.SUBSCRIBER: 1, Kind.CUSTOMER: 1, Kind.CUSTOMER_REF: 1, Kind.ROLES: 0})
    log.job_done(CUSTOMER, Outcome("created", {"org_id": "O1"}, attempts=3))
    log.job_done(REF, Outcome("exists"))
    log.note("pausing 5 s:\nthe server answered 429")
    log.job_done(USER, Outcome("failed", message="number +41445550101 is not in location HQ", error_code=4003))
    log.close()
    log.close()  # idempotent: one closing line
    assert out.getvalue().splitlines() == [
        f"{local_hms(T0)} start 3 jobs: 1 customer, 1 customer_ref, 1 subscriber",
        f"{local_hms(T0)} created customer customers row 2 customer:acme",
        f"{local_hms(T0 + 1)} exists customer_ref users row - customer:other",
        f"{local_hms(T0 + 61)} note pausing 5 s: the server answered 429",
        f"{local_hms(T0 + 62)} failed subscriber users row 7 subscriber:ann@acme.com "
        "number +41445550101 is not in location HQ",
        f"{local_hms(T0 + 63)} finished 3/3 jobs: 1 created, 1 exists, 1 failed",
    ]


class FlushCounter(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes: list[str] = []

    def flush(self) -> None:
        self.flushes.append(self.getvalue())


def test_finished_jobs_lines_wait_for_the_runners_flush_and_any_other_line_writes_them_first() -> None:
    """Issue 22: a write and a flush per job held up the event loop; the runner flushes every 0.2 s (after
    the journal's commit), and a note, an event or the closing line comes after the lines that wait."""
    out = FlushCounter()
    log = PlainLog(out)
    log.job_done(CUSTOMER, Outcome("created"))
    log.job_done(USER, Outcome("skipped", message="customer row 2 failed"))
    assert out.getvalue() == "" and out.flushes == []
    log.flush()
    assert [len(s.splitlines()) for s in out.flushes] == [2]
    log.job_done(CUSTOMER, Outcome("exists"))
    log.note("pausing 5 s")
    lines = out.getvalue().splitlines()
    assert [len(s.splitlines()) for s in out.flushes] == [2, 4]
    assert "exists customer" in lines[2] and lines[3].endswith("note pausing 5 s")
    log.flush()  # nothing waits: no empty write
    assert len(out.flushes) == 2


def test_json_lines_carry_every_field() -> None:
    out = io.StringIO()
    log = make_progress(Console(file=io.StringIO()), log_format="json", stream=out, clock=lambda: T0, run_id="r1")
    log.start({Kind.CUSTOMER: 1, Kind.SUBSCRIBER: 1})
    log.expect_rows({("", "customers", 2): 1, ("", "users", 7): 1})
    log.job_done(CUSTOMER, Outcome("created", {"org_id": "O1"}, attempts=3))
    log.event("throttled", job=USER.key, status=429)
    log.job_done(USER, Outcome("failed", message="Zürich: nope", error_code=4003, tracking_id="ROUTER_1", attempts=2))
    log.note("done soon")
    log.close(exit_code=1, reports={"summary_json": "out/summary.json"})
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {e["time"] for e in events} == {"2023-11-14T22:13:20.250+00:00"}
    assert {e["run_id"] for e in events} == {"r1"}
    assert [e["event"] for e in events] == [
        "start",
        "job_done",
        "row_done",
        "throttled",
        "job_done",
        "row_done",
        "note",
        "finished",
    ]
    assert events[0] | {"time": None} == {
        "run_id": "r1",
        "time": None,
        "event": "start",
        "total": 2,
        "totals": {"customer": 1, "subscriber": 1},
    }
    assert events[4] == {
        "run_id": "r1",
        "time": "2023-11-14T22:13:20.250+00:00",
        "event": "job_done",
        "job": "subscriber:ann@acme.com",
        "status": "failed",
        "kind": "subscriber",
        "sheet": "users",
        "row": 7,
        "message": "Zürich: nope",
        "error_code": 4003,
        "tracking_id": "ROUTER_1",
        "attempts": 2,
    }
    assert events[1]["error_code"] is None and events[1]["attempts"] == 3
    assert events[5] | {"time": None} == {
        "run_id": "r1",
        "time": None,
        "event": "row_done",
        "sheet": "users",
        "row": 7,
        "status": "failed",
    }
    assert events[6]["message"] == "done soon"
    assert events[7]["done"] == 2 and events[7]["statuses"] == {"created": 1, "failed": 1}
    assert events[7]["exit_code"] == 1 and events[7]["reports"] == {"summary_json": "out/summary.json"}


def test_row_done_tells_two_inputs_rows_of_one_number_apart() -> None:
    """Merged inputs both have a ``users,7``: each is done on its own last job and names its input (keyed
    by (sheet, row) the first was never done and the second waited for both)."""
    out = io.StringIO()
    log = JsonLog(out, lambda: T0)
    book, extra = (
        replace(USER, source="book.xlsx#users"),
        replace(USER, key="subscriber:bo@x.fi", source="x/users.csv"),
    )
    log.expect_rows({("book.xlsx#users", "users", 7): 1, ("x/users.csv", "users", 7): 1})
    log.job_done(book, Outcome("created"))
    log.job_done(extra, Outcome("failed"))
    log.flush()
    done = [e for e in map(json.loads, out.getvalue().splitlines()) if e["event"] == "row_done"]
    assert [(e["source"], e["row"], e["status"]) for e in done] == [
        ("book.xlsx#users", 7, "created"),
        ("x/users.csv", 7, "failed"),
    ]


def test_a_row_of_one_job_is_done_by_it_and_a_row_of_several_by_its_last() -> None:
    """Issue 22: the log is told only of rows with several jobs (most rows have one: an entry for every row was
    18 MiB at the start of a 100,000-user run); a row it was not told of is done by its one job."""
    out = io.StringIO()
    log = JsonLog(out, lambda: T0)
    roles = Job("roles:ann@acme.com", Kind.ROLES, "users", 7, parents=(USER.key,))
    alone = Job("subscriber:bo@acme.com", Kind.SUBSCRIBER, "users", 8, parents=("customer:acme",))
    plan = Plan({job.key: job for job in (CUSTOMER, USER, roles, alone)})
    assert rows_of_several_jobs(plan, {}) == {("", "users", 7): 2}
    assert rows_of_several_jobs(plan, {USER.key: Outcome("exists")}) == {}  # restored: one left
    log.expect_rows(rows_of_several_jobs(plan, {}))
    for job, status in ((CUSTOMER, "created"), (USER, "created"), (alone, "exists"), (roles, "failed")):
        log.job_done(job, Outcome(status))
    log.flush()
    done = [e for e in map(json.loads, out.getvalue().splitlines()) if e["event"] == "row_done"]
    assert [(e["sheet"], e["row"], e["status"]) for e in done] == [
        ("customers", 2, "created"),
        ("users", 8, "exists"),
        ("users", 7, "failed"),
    ]


@pytest.mark.parametrize(
    ("console", "env", "expected"),
    [
        (Console(file=io.StringIO()), {}, PlainLog),  # not a terminal
        (Console(file=io.StringIO(), force_terminal=True), {"CI": "true"}, PlainLog),
        (Console(file=io.StringIO(), force_terminal=True), {"TERM": "dumb"}, PlainLog),
        (Console(file=io.StringIO(), force_terminal=True), {}, BarProgress),
    ],
    ids=["pipe", "ci", "dumb", "terminal"],
)
def test_auto_picks_bars_only_on_a_live_terminal(
    terminal_env: None, monkeypatch: pytest.MonkeyPatch, console: Console, env: dict[str, str], expected: type
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    progress = make_progress(console, log_format="auto", stream=io.StringIO())
    assert type(progress) is expected
    progress.close()


def test_plain_and_json_are_honoured_on_a_terminal_and_default_to_stderr(
    terminal_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    assert isinstance(make_progress(console, log_format="json"), JsonLog)
    plain = make_progress(console, log_format="plain")
    plain.note("to stderr")
    assert "note to stderr" in capsys.readouterr().err
    with pytest.raises(UsageError, match="--log-format must be one of auto, plain, json"):
        make_progress(console, log_format="xml")


def test_bars_count_per_kind_and_print_failures_above(terminal_env: None) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    bars = make_progress(console, log_format="auto")
    assert isinstance(bars, BarProgress)
    bars.start({Kind.CUSTOMER: 2, Kind.SUBSCRIBER: 3})
    bars.job_done(CUSTOMER, Outcome("created"))
    bars.job_done(Job("customer:b", Kind.CUSTOMER, "customers", 3), Outcome("failed", message="no :smile: [b]pkg[/b]"))
    bars.job_done(USER, Outcome("skipped", message="customer row 3 failed"))
    bars.job_done(REF, Outcome("exists"))  # a kind start() did not announce
    bars.note("[not markup]")
    bars.close()
    text = screen.getvalue()
    assert "failed customer customers row 3 customer:b: no :smile: [b]pkg[/b]" in text  # verbatim
    assert "[not markup]" in text
    final = text[text.rindex("customer ") :]  # the last frame of the bars
    assert "2/2" in final and "1 failed" in final
    assert "1/3" in final and "1 skipped" in final
    assert "customer_ref" in final


def test_bars_stop_printing_failures_after_a_few(terminal_env: None) -> None:
    screen = io.StringIO()
    bars = BarProgress(Console(file=screen, force_terminal=True, width=200, color_system=None))
    n = SHOWN_FAILURES + 5
    bars.start({Kind.SUBSCRIBER: n})
    for i in range(n):
        bars.job_done(Job(f"subscriber:u{i}@x.com", Kind.SUBSCRIBER, "users", i + 2), Outcome("failed", message="x"))
    bars.close()
    shown = {line for line in screen.getvalue().splitlines() if "failed subscriber users row" in line}
    assert len(shown) == SHOWN_FAILURES
    assert "results.csv lists them all" in screen.getvalue()
    assert f"{n} failed" in screen.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_line_costs_under_30_microseconds(log_format: str, tmp_path) -> None:
    """The runner calls job_done from the event loop for each of ~25,000 jobs in the benchmark."""
    n = 25_000
    jobs = [Job(f"subscriber:user{i}@example.com", Kind.SUBSCRIBER, "users", i + 2) for i in range(n)]
    outcome = Outcome("created", {"subscriber_id": "S", "person_id": "P"}, attempts=2)
    with open(tmp_path / "log", "w", encoding="utf-8") as stream:  # a real file: flush is a system call
        log = make_progress(Console(file=io.StringIO()), log_format=log_format, stream=stream)
        log.start({Kind.SUBSCRIBER: n})
        start = time.perf_counter()
        for job in jobs:
            log.job_done(job, outcome)
        per_job = (time.perf_counter() - start) / n
        log.close()
    print(f"{log_format}: {per_job * 1e6:.1f} µs per job over {n}")
    assert per_job < 30e-6


def test_plain_lines_name_the_rows_input_only_when_inputs_are_merged() -> None:
    book = replace(USER, source="book.xlsx#users")
    for merged, shown in ((False, "users row 7 subscriber:"), (True, "users row 7 (book.xlsx) subscriber:")):
        out = io.StringIO()
        log = PlainLog(out, lambda: T0)
        log.expect_rows({("book.xlsx#users", "users", 7): 1}, merged=merged)
        log.job_done(book, Outcome("created"))
        log.flush()
        assert shown in out.getvalue()
