"""The exceptions rtm-batch raises on purpose; the CLI turns each into one line and an exit code.

    RtmBatchError                 any failure we anticipated (exit 2 unless said otherwise)
     ├── InputError               unreadable file, missing sheet or required column, bad encoding
     ├── UsageError               bad option values or combinations
     ├── JournalLockedError       another run holds the journal
     ├── RunStopped               the run stopped early and can resume (exit 3): a signal, a failing server
     └── ApiError                 the Webex API refused a request or retries ran out
          ├── AuthError           the token was rejected (401)
          ├── NotFoundError       404: the looked-up object is not there (a normal answer for lookups)
          ├── ConflictError       409: the object (or its natural key) already exists
          └── AmbiguousWriteError a write got no clear answer (timeout, dropped connection, 5xx):
                                  it may or may not have happened, so look up before trying again

Problems in the *data* (a bad cell) are not exceptions: they are ``Problem`` records.
"""

from __future__ import annotations


class RtmBatchError(Exception):
    """Base of every anticipated failure; ``str()`` is the one line a person reads."""

    exit_code = 2


class InputError(RtmBatchError):
    """The input cannot be read as a partner workbook at all."""


class UsageError(RtmBatchError):
    """The command line asks for something impossible."""


class JournalLockedError(RtmBatchError):
    """Another run is using the same journal file."""


class RunStopped(RtmBatchError):
    """The run was stopped (a signal, a failing server, a refresh that failed mid-run); it can resume."""

    exit_code = 3


class ApiError(RtmBatchError):
    """A request failed for good; carries what the report needs to explain it."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        tracking_id: str | None = None,
        attempts: int = 1,
        details: tuple[dict[str, object], ...] = (),
        said: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.tracking_id = tracking_id
        self.attempts = attempts
        #: Per-item errors of a bulk answer (the numbers API's 400 array: number, errorCode, errorMessage).
        self.details = details
        #: The server's own words (its error description), without our "POST /path: HTTP 409" around them.
        self.said = said


class AuthError(ApiError):
    """The server rejected the token: nothing can run."""


class NotFoundError(ApiError):
    """404: the object is not there."""


class ConflictError(ApiError):
    """409: the object, or another with the same natural key, already exists."""


class AmbiguousWriteError(ApiError):
    """A write ended without a clear answer; it may have been applied. Reconcile by lookup, never retry blindly."""
