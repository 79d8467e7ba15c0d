"""Warnings and errors as a person or a log collector reads them: plain lines on stderr, or with
``--log-format json`` JSON events on stdout beside the run's own (``run_id``, ``time``, ``event``), so a
cron line's ``>> run.jsonl 2>&1`` holds JSON and nothing else."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO


class Say:
    """Where the watch's own lines go; streams default to the process's at the time of writing."""

    def __init__(
        self,
        log_format: str,
        run_id: str,
        *,
        out: Callable[[], TextIO] = lambda: sys.stdout,
        err: Callable[[], TextIO] = lambda: sys.stderr,
    ) -> None:
        self.json = log_format == "json"
        self.run_id = run_id
        self._out = out
        self._err = err

    def warning(self, line: str, **fields: Any) -> None:
        """A warning line (``warning: …``); in JSON mode an event carrying ``fields`` too."""
        self._emit("warning", line, fields)

    def error(self, line: str, exit_code: int) -> None:
        """The one line of a run that ended with an error (``error: …`` in plain mode)."""
        self._emit("error", line, {"exit_code": exit_code})

    def _emit(self, event: str, line: str, fields: dict[str, Any]) -> None:
        if self.json:
            time = datetime.now(UTC).isoformat(timespec="milliseconds")
            record = {"run_id": self.run_id, "time": time, "event": event, "message": _bare(line, event), **fields}
            stream = self._out()
            stream.write(json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":")) + "\n")
        else:
            stream = self._err()
            stream.write((line if line.startswith(f"{event}:") else f"{event}: {line}") + "\n")
        stream.flush()


def _bare(line: str, event: str) -> str:
    """The message without its ``warning:`` prefix (the event names it)."""
    return line.removeprefix(f"{event}:").strip()
