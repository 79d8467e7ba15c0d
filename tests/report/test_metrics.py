"""--metrics-textfile: Prometheus text a textfile collector parses, one family per figure, the last success
kept through a failing night; a folder that cannot take it is one usage line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from batch.errors import UsageError
from batch.history.records import RunRecord
from batch.report.metrics import write_metrics

FINISHED = datetime(2026, 12, 3, 0, 34, tzinfo=UTC)
RUN = RunRecord(
    "r1", "job", "run", FINISHED - timedelta(minutes=4), FINISHED, 1, 6, {"failed": 1}, 120, 3, 9.5, 0.5, 240.0
)


def samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    families = text_string_to_metric_families(path.read_text())
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}


def test_the_run_as_prometheus_text(tmp_path: Path) -> None:
    sheets = {"users": {"created": 4, "failed": 1, "rows": 5}}
    last_good = FINISHED - timedelta(days=1)
    path = write_metrics(tmp_path / "textfile" / "rtm_batch.prom", RUN, sheets, last_good)
    got = samples(path)
    assert got[("rtm_batch_rows", (("sheet", "users"), ("status", "failed")))] == 1
    assert got[("rtm_batch_rows", (("sheet", "users"), ("status", "created")))] == 4
    assert ("rtm_batch_rows", (("sheet", "users"), ("status", "rows"))) not in got
    assert got[("rtm_batch_exit_code", ())] == 1 and got[("rtm_batch_duration_seconds", ())] == 240.0
    assert got[("rtm_batch_rate_settled_requests_per_second", ())] == 9.5
    assert got[("rtm_batch_throttled_responses", ())] == 3
    assert got[("rtm_batch_last_run_timestamp_seconds", ())] == FINISHED.timestamp()
    assert got[("rtm_batch_last_success_timestamp_seconds", ())] == last_good.timestamp()
    assert [p.name for p in path.parent.iterdir()] == ["rtm_batch.prom"]  # written by rename: no leftovers


def test_no_success_yet_is_no_success_metric_and_a_bad_folder_is_one_line(tmp_path: Path) -> None:
    path = write_metrics(tmp_path / "m.prom", RUN, {}, None)
    assert not any(name == "rtm_batch_last_success_timestamp_seconds" for name, _ in samples(path))
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="cannot write --metrics-textfile"):
        write_metrics(tmp_path / "file" / "m.prom", RUN, {}, None)
