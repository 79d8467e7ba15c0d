"""What the CLI hands the watch: every option of ``run`` that is about telling, as one value object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from batch.api.tokens import read_secret
from batch.history.store import KEEP_DAYS
from batch.notify.policy import DEFAULT

DEFAULT_BASE_URL = "https://webexapis.com/v1"


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """``--notify-url`` (repeatable), ``--notify-on``, ``--notify-secret-file``, ``--heartbeat-url``,
    ``--history``, ``--history-days``, ``--metrics-textfile``, and what the run is (command, inputs,
    ``--out``, base URL, ``--config``, ``--log-format``) for the record and the messages."""

    command: str = "run"
    inputs: tuple[Path, ...] = ()
    out_dir: Path | None = None
    base_url: str = DEFAULT_BASE_URL
    notify_urls: tuple[str, ...] = ()
    notify_on: str = DEFAULT
    notify_secret_file: Path | None = None
    heartbeat_url: str | None = None
    history: Path | None = None  # None: this machine's history file
    history_days: int = KEEP_DAYS
    metrics_textfile: Path | None = None
    config: Path | None = None
    log_format: str = "auto"


def read_notify_secret(path: Path | None) -> bytes:
    """The HMAC key of ``--notify-secret-file`` (its first line, never echoed); empty without the option."""
    if path is None:
        return b""
    return read_secret(path, "--notify-secret-file", "put the webhook's shared secret on its first line").encode()
