"""What summary.json says about a run beyond its counts: where it came from and went, its customers, its rate
over time. report.html, the notifications and the history read these, also long after the run (``rtm-batch
report OUT --html``), so they are written down with the run rather than remembered by a process."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from batch.jobs import RowResult
from batch.report.customers import customer_counts
from batch.validate.validator import ValidatedBatch


def run_facts(
    inputs: Sequence[Path],
    base_url: str,
    out_dir: Path,
    results: Sequence[RowResult],
    validated: ValidatedBatch,
    api: Mapping[str, Any],
) -> dict[str, Any]:
    """The keys ``run`` adds to summary.json: ``inputs``, ``base_url``, ``out_dir``, ``host``, ``customers``
    (rows per customer and status), ``customer_names``, ``customers_not_listed`` (past the cap) and
    ``timeline`` (the rate sampled over the run, when it sent anything)."""
    customers = customer_counts(results, validated)
    facts: dict[str, Any] = {
        "inputs": [str(path.absolute()) for path in inputs],
        "base_url": base_url,
        "out_dir": str(out_dir.absolute()),
        "host": socket.gethostname(),
        "customers": customers.counts,
        "customer_names": customers.names,
        "customers_not_listed": customers.not_listed,
    }
    timeline = api.get("timeline")
    if isinstance(timeline, Mapping) and timeline.get("points"):
        facts["timeline"] = dict(timeline)
    return facts
