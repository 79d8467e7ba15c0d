"""The options of ``run`` (and ``report``, ``history``) about telling the world how a run ended, declared
once for the CLI: notifications, heartbeat, history, metrics (``batch.notify``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer

NOTIFY_URL = typer.Option(
    [],
    "--notify-url",
    help="Tell this receiver how the run ended (repeatable): a Webex incoming webhook, webex://ROOM_ID (with "
    "WEBEX_BOT_TOKEN), Slack, a Teams workflow, or any https URL (gets summary.json). https, or http to this machine.",
)
NOTIFY_ON = typer.Option(
    "change",
    "--notify-on",
    metavar="WHEN",
    help="always, failure, or change: when the exit code differs from the previous run's, and on every failure.",
)
NOTIFY_SECRET_FILE = typer.Option(
    None,
    "--notify-secret-file",
    metavar="FILE",
    help="File with the key that signs summary.json (X-Rtm-Signature: sha256=HMAC).",
)
HEARTBEAT_URL = typer.Option(
    None,
    "--heartbeat-url",
    metavar="URL",
    help="Healthchecks-style ping URL: URL/start when the run starts, URL/<exit code> at its end.",
)
HISTORY = typer.Option(
    None,
    "--history",
    envvar="RTM_BATCH_HISTORY",
    help="The runs' history file (default: ~/.local/state/rtm-batch/history.sqlite).",
)
HISTORY_DAYS = typer.Option(90, "--history-days", metavar="DAYS", help="Days the history keeps a run.")
METRICS_TEXTFILE = typer.Option(
    None,
    "--metrics-textfile",
    metavar="PATH",
    help="Write the run's Prometheus metrics here (node_exporter's textfile collector).",
)

TOLD = ("notify_on", "notify_secret_file", "heartbeat_url", "history", "history_days", "metrics_textfile")


def told(params: Mapping[str, Any]) -> dict[str, Any]:
    """These options among a command's parameters (``typer.Context.params``), named as ``WatchSettings`` has them."""
    return {"notify_urls": tuple(params["notify_url"]), **{name: params[name] for name in TOLD}}
