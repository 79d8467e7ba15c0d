"""``RunOptions``: everything a run needs besides its inputs, as one value object, and the checks a person's
options must pass before anything starts (exit 2 with one line each)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from batch.api.client import ClientConfig, check_base_url
from batch.api.tokens import RefreshSettings
from batch.change.options import ChangeControl
from batch.errors import UsageError
from batch.provision.context import PROVISIONING_PATIENCE
from batch.run.hooks import RunWatcher
from batch.run.progress import LOG_FORMATS
from batch.validate.shard import Shard

DEFAULT_BASE_URL = "https://webexapis.com/v1"
JOURNAL_NAME = "journal.sqlite"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Everything ``run`` needs besides the inputs (a value object, not a dozen loose parameters)."""

    out_dir: Path
    base_url: str = DEFAULT_BASE_URL
    token: str = field(default="", repr=False)
    journal: Path | None = None
    concurrency: int = 16
    max_rate: float | None = None  # None: find the server's limit, starting at 10/s
    strict: bool = False
    log_format: str = "auto"
    poll_initial: float = 1.0
    provisioning_patience: float = PROVISIONING_PATIENCE  # seconds; then the customer's rows are pending
    resend_consent: bool = False  # --resend-consent: the consent email again to pending free accounts
    sub_partner_org_id: str | None = None
    update: bool = False  # --update: apply the differences between rows and the server
    prune: bool = False  # --prune: remove subscribers of the batch's customers that no users row names
    max_deletes: int = 10  # --max-deletes: more removals than this and none is made
    #: ``batch.api.tokens.RefreshSettings`` when the access token comes from a refresh token.
    auth: RefreshSettings | None = field(default=None, repr=False)
    #: History, notifications, heartbeat and metrics (``batch.notify.watch.RunWatch``); its run id is the run's.
    watch: RunWatcher | None = field(default=None, repr=False)
    timeout: float = 30.0  # seconds to wait for an answer (the soak test makes it short)
    shard: Shard | None = None  # --shard I/N: only the customers hashing to shard I, with all under them
    #: --window, --activate-numbers, rtm-batch activate, and the clock they read (issue 20).
    change: ChangeControl = field(default_factory=ChangeControl)

    @property
    def journal_path(self) -> Path:
        return self.journal or self.out_dir / JOURNAL_NAME

    def client_config(self, run_id: str | None = None) -> ClientConfig:
        """The client's settings; ``run_id`` (the run's, as summary.json and the log name it) goes into every
        request's TrackingID."""
        config = ClientConfig(
            base_url=check_base_url(self.base_url),
            token=self.token,
            max_rate=self.max_rate,
            concurrency=self.concurrency,
            sub_partner_org_id=self.sub_partner_org_id or None,
            timeout=self.timeout,
        )
        return dataclasses.replace(config, run_id=run_id) if run_id else config


def check_options(options: RunOptions) -> None:
    if options.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1 (got {options.concurrency})")
    if options.max_rate is not None and options.max_rate <= 0:
        raise UsageError(f"--max-rate must be above 0 requests/s (got {options.max_rate})")
    if options.log_format not in LOG_FORMATS:
        raise UsageError(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not {options.log_format!r}")
    if options.provisioning_patience < 0:
        raise UsageError("--provisioning-patience must be 0 minutes or more")
    if options.max_deletes < 0:
        raise UsageError(f"--max-deletes must be 0 or more (got {options.max_deletes})")
    check_base_url(options.base_url)
