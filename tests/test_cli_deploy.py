"""``deploy/``: the Kubernetes and systemd examples shard the way ``--shard`` reads, and every option they
pass is one ``rtm-batch`` has (a renamed option would otherwise break a partner's night silently)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from batch.cli import app

yaml = pytest.importorskip("yaml")
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def options_of(command: str) -> set[str]:
    group = typer.main.get_command(app)
    return {opt for p in group.commands[command].params for opt in p.opts}  # type: ignore[attr-defined]


def used_options(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", text))


def documents() -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((DEPLOY / "kubernetes" / "rtm-batch-shards.yaml").read_text()))


def test_the_indexed_job_runs_one_shard_per_index_with_the_token_from_a_secret() -> None:
    nightly = next(d for d in documents() if d["metadata"]["name"] == "rtm-batch-nightly")
    job = nightly["spec"]["jobTemplate"]["spec"]
    container = job["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == job["parallelism"] == int(env["SHARDS"]["value"])
    assert env["WEBEX_ACCESS_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == "rtm-batch-token"
    script = container["args"][0]
    assert '--shard "${JOB_COMPLETION_INDEX}/${SHARDS}"' in script and "shard-${JOB_COMPLETION_INDEX}" in script
    assert used_options(script) <= options_of("run")
    report = next(d for d in documents() if d["metadata"]["name"] == "rtm-batch-nightly-report")
    merge = report["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
    assert "rtm-batch report" in merge and used_options(merge) <= options_of("report")


def test_the_systemd_template_unit_runs_shard_i() -> None:
    unit = (DEPLOY / "systemd" / "rtm-batch-shard@.service").read_text()
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert '--shard "%i/$RTM_SHARDS"' in start and "shard-%i" in start
    assert used_options(start) <= options_of("run")
