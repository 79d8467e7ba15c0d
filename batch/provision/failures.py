"""The one path from an API or transport failure to a job's outcome, with its stable ``reason`` code.

An ``AuthError`` is never a row's failure: it stops the run (exit 2 before it starts, a stop mid-run); every
other ``ApiError`` becomes ``failed`` with what failed, the server's words, how to fix it, the HTTP status,
Webex's error code, the tracking id and a ``reason`` from ``batch.reasons``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from batch.errors import AmbiguousWriteError, ApiError, AuthError
from batch.jobs import FAILED, Outcome
from batch.reasons import Reason

#: How to fix a failure: fixed text, or worded from the error (a 409 says something else than a 400).
Hint = str | Callable[[ApiError], str]


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


async def attempt(work: Callable[[], Awaitable[Outcome]], what: str, hint: Hint = "") -> Outcome:
    """``work()``'s outcome, or ``failed(what, err, hint)`` when the API refuses it: every action's failures
    take this one path. An ``AuthError`` stops the run instead (it is never one row's fault)."""
    try:
        return await work()
    except AuthError:
        raise
    except ApiError as err:
        return failed(what, err, hint(err) if callable(hint) else hint)
