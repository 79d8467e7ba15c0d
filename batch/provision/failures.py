"""The one path from an API or transport failure to a job's outcome, with its stable ``reason`` code.

An ``AuthError`` is never a row's failure: it stops the run (exit 2 before it starts, a stop mid-run); every
other ``ApiError`` becomes ``failed`` with what failed, the server's words, how to fix it, the HTTP status,
Webex's error code, the tracking id and a ``reason`` from ``batch.reasons``.
"""

from __future__ import annotations

from batch.errors import AmbiguousWriteError, ApiError
from batch.jobs import FAILED, Outcome
from batch.reasons import Reason


def reason_of(err: ApiError) -> Reason:
    """The reason an API failure carries when the action knows no more specific one."""
    status = err.status
    if isinstance(err, AmbiguousWriteError):
        return Reason.SERVER_NO_ANSWER
    if status is None:
        return Reason.SERVER_UNREACHABLE
    if status in (429, 423):
        return Reason.THROTTLED
    if status >= 500:
        return Reason.SERVER_ERROR
    return {404: Reason.API_NOT_FOUND, 409: Reason.API_CONFLICT, 403: Reason.API_FORBIDDEN}.get(
        status, Reason.API_REFUSED
    )


def failed(what: str, err: ApiError, hint: str = "", reason: Reason | None = None) -> Outcome:
    """An API failure as a job result: what failed, the server's words, how to fix it; code and tracking id kept."""
    message = f"{what}: {err}"
    if hint:
        message += f"; {hint}"
    return Outcome(
        FAILED,
        message=message,
        error_code=err.error_code,
        tracking_id=err.tracking_id,
        reason=reason or reason_of(err),
        http_status=err.status,
    )
