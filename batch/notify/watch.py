"""``RunWatch``: everything that tells the world about one run, from its first moment to its last.

The CLI makes one per ``run`` and wraps the command in ``guard()``: the heartbeat's ``start`` goes out at
once, and a run that cannot start (exit 2: a refused refresh token, a missing scope, an unreadable
workbook) or stops with an exception is still recorded, measured, notified and pinged, with its one-line
error. A run that gets as far as its reports calls ``finished`` (``batch.run.hooks.RunWatcher``). Either
way, in this order: the job's previous run is read, this one recorded in the history, the metrics file
written, the notifications sent when ``--notify-on`` says so, the heartbeat's exit code pinged. Each step
that fails is a warning (with the receiver's answer), never a failed run: the provisioning happened.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx

from batch.errors import RtmBatchError, UsageError
from batch.history.records import RunRecord, record_from_summary
from batch.history.store import KEEP_DAYS, History, default_path
from batch.notify.attach import attachment_for
from batch.notify.heartbeat import Heartbeat, check_heartbeat_url
from batch.notify.inputs import input_hash, job_label
from batch.notify.message import RunNews, title
from batch.notify.policy import DEFAULT, check_notify_on, should_notify
from batch.notify.say import Say
from batch.notify.send import Sender
from batch.notify.settings import WatchSettings, read_notify_secret
from batch.notify.targets import Kind, Target, parse_target
from batch.report.metrics import write_metrics
from batch.report.page.details import read_details
from batch.report.writer import ReportPaths

#: Earlier runs handed to report.html's trend.
TREND_RUNS = 13

__all__ = ["DEFAULT", "KEEP_DAYS", "RunWatch", "WatchSettings"]


class RunWatch:
    """One run's history record, metrics, notifications and heartbeat (``batch.run.hooks.RunWatcher``)."""

    def __init__(
        self,
        settings: WatchSettings,
        *,
        environ: Mapping[str, str] = os.environ,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Check every setting now (a usage error before the run, not a silent night); read no input yet."""
        self.settings = settings
        self.targets: tuple[Target, ...] = tuple(parse_target(url) for url in settings.notify_urls)
        self.notify_on = check_notify_on(settings.notify_on)
        self.heartbeat: Heartbeat | None = None
        if settings.heartbeat_url:
            self.heartbeat = check_heartbeat_url(settings.heartbeat_url)
        bot_token = environ.get("WEBEX_BOT_TOKEN", "").strip()
        if any(t.kind == Kind.WEBEX_ROOM for t in self.targets) and not bot_token:
            raise UsageError("--notify-url webex://ROOM_ID needs the bot's token in WEBEX_BOT_TOKEN")
        self.sender = Sender(
            secret=read_notify_secret(settings.notify_secret_file),
            bot_token=bot_token,
            base_url=settings.base_url,
            sleep=sleep,
            transport=transport,
        )
        self.history = History(settings.history or default_path(environ), keep_days=settings.history_days, clock=clock)
        self.label = job_label(settings.config, settings.inputs)
        self._run_id = uuid.uuid4().hex[:12]
        self.say = Say(settings.log_format, self._run_id)
        self._clock = clock
        self._started = clock()
        self._told = False

    @property
    def run_id(self) -> str:
        return self._run_id

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around the whole command: ``start`` pinged first; a run that ends in an exception is told (exit 2
        or 3 with its one line) and the exception goes on. In JSON mode the line is an ``error`` event and
        the command ends with its exit code (``SystemExit``) instead of printing it again as text."""
        self._ping("start")
        try:
            yield
        except RtmBatchError as exc:
            line = " ".join(str(exc).split())
            self.failed(exc.exit_code, line)
            if self.say.json:
                self.say.error(line, exc.exit_code)
                raise SystemExit(exc.exit_code) from None
            raise
        except Exception as exc:  # a bug or a full disk: the NOC hears of it before anyone reads the log
            self.failed(2, f"internal error ({type(exc).__name__}: {str(exc)[:150]})")
            raise

    def past_runs(self) -> Sequence[RunRecord]:
        """This job's latest runs, newest first (report.html's trend); none when the history is unreadable."""
        try:
            return [r for r in self.history.runs(label=self.label, last=TREND_RUNS + 1) if r.run_id != self.run_id]
        except UsageError:
            return ()

    def finished(self, summary: Mapping[str, Any], paths: ReportPaths) -> tuple[str, ...]:
        """The run's reports are written: tell everyone. Returns the warnings (already shown)."""
        news = RunNews(
            command=str(summary.get("command") or self.settings.command),
            run_id=self.run_id,
            exit_code=int(summary["exit_code"]),
            host=str(summary.get("host") or _host()),
            out_dir=str(summary.get("out_dir") or paths.out_dir),
            summary=summary,
            details=read_details(paths.out_dir, summary),
        )
        record = record_from_summary(
            summary, label=self.label, input_hash=self._input_hash(), config=self._config(), host=news.host
        )
        return self._tell(record, news, summary.get("sheets") or {}, summary, paths)

    def failed(self, exit_code: int, error: str) -> tuple[str, ...]:
        """The run ended without reports (it could not start, or stopped by an exception)."""
        if self._told:
            return ()
        out_dir = str(self.settings.out_dir.absolute()) if self.settings.out_dir else ""
        now = self._clock()
        record = RunRecord(
            run_id=self.run_id,
            label=self.label,
            command=self.settings.command,
            started=self._started,
            finished=now,
            exit_code=exit_code,
            wall_seconds=round((now - self._started).total_seconds(), 3),
            input_hash=self._input_hash(),
            config=self._config(),
            out_dir=out_dir,
            host=_host(),
            error=error,
        )
        news = RunNews(self.settings.command, self.run_id, exit_code, _host(), out_dir, error=error)
        document = {
            "command": self.settings.command,
            "run_id": self.run_id,
            "exit_code": exit_code,
            "error": error,
            "started": self._started.isoformat(timespec="seconds"),
            "finished": now.isoformat(timespec="seconds"),
            "inputs": [str(p.absolute()) for p in self.settings.inputs],
            "base_url": self.settings.base_url,
            "out_dir": out_dir,
            "host": _host(),
        }
        return self._tell(record, news, {}, document, None)

    def _tell(
        self,
        record: RunRecord,
        news: RunNews,
        sheets: Mapping[str, Mapping[str, int]],
        document: Mapping[str, Any],
        paths: ReportPaths | None,
    ) -> tuple[str, ...]:
        self._told = True
        warnings: list[str] = []

        def warn(line: str, **fields: Any) -> None:
            warnings.append(line)
            self.say.warning(line, **fields)

        previous = self._step(warn, lambda: self._previous_exit_code())
        self._step(warn, lambda: self.history.record(record))
        if (metrics := self.settings.metrics_textfile) is not None:
            last_success = record.finished if record.succeeded else self._step(warn, self._last_success)
            self._step(warn, lambda: write_metrics(metrics, record, sheets, last_success))
        if self.targets and should_notify(self.notify_on, record.exit_code, previous):
            self._notify(news, document, paths, warn)
        if self.heartbeat is not None:
            body = "\n".join(filter(None, [title(news), news.error]))
            self._ping(str(record.exit_code), body, warn)
        return tuple(warnings)

    def _notify(
        self, news: RunNews, document: Mapping[str, Any], paths: ReportPaths | None, warn: Callable[..., None]
    ) -> None:
        rooms = any(t.kind == Kind.WEBEX_ROOM for t in self.targets)
        attachment = attachment_for(paths) if paths is not None and rooms else None
        with self.sender.client() as http:
            for target in self.targets:
                to_room = attachment is not None and target.kind == Kind.WEBEX_ROOM
                told = replace(news, attached=attachment.name) if to_room and attachment else news
                delivery = self.sender.deliver(http, target, told, document, attachment if to_room else None)
                if not delivery.ok:
                    warn(delivery.warning(), receiver=target.shown, status=delivery.status, answer=delivery.answer)

    def _ping(self, suffix: str, body: str = "", warn: Callable[..., None] | None = None) -> None:
        if self.heartbeat is None:
            return
        with self.sender.client() as http:
            problem = self.heartbeat.ping(http, suffix, body, sleep=self.sender.sleep)
        if problem:
            (warn or self.say.warning)(problem, receiver=f"heartbeat at {self.heartbeat.host}")

    def _step(self, warn: Callable[..., None], step: Callable[[], Any]) -> Any:
        """Run one step; its usage error becomes a warning (the run is not failed by its telling)."""
        try:
            return step()
        except UsageError as exc:
            warn(f"warning: {exc}; the run itself is unaffected")
            return None

    def _previous_exit_code(self) -> int | None:
        earlier = [r for r in self.history.runs(label=self.label, last=2) if r.run_id != self.run_id]
        return earlier[0].exit_code if earlier else None

    def _last_success(self) -> datetime | None:
        good = self.history.runs(label=self.label, last=1, exit_code=0)
        return good[0].finished if good else None

    def _input_hash(self) -> str:
        return input_hash(self.settings.inputs)

    def _config(self) -> str:
        return str(self.settings.config.absolute()) if self.settings.config else ""


def _host() -> str:
    return socket.gethostname()
