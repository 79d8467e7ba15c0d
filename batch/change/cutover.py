"""A customer's ``cutover_at`` (contract §2, *Change control*): the customer and all it holds wait until then.

Why a pending outcome and not a skip: nothing is wrong with the row, it is just not its time. The customer's
job ends ``pending`` naming the time without a request, and the executor's pending rule holds every job
under it (``pending`` too, naming the customer's row); no pending outcome is journalled, so the first run
after the cut-over time does the work.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from batch.change.clock import Clock
from batch.jobs import FAILED, PENDING, Job, Outcome
from batch.provision.context import Action, Context
from batch.reasons import Reason

_ZONED = re.compile(r"^(?P<at>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)\s+(?P<zone>\S+)$")


def parse_cutover(value: str) -> datetime:
    """``2026-12-12 22:00 Europe/Helsinki`` or ISO 8601 with an offset (``2026-12-12T22:00+02:00``);
    ``ValueError`` saying what is wrong otherwise (a time without a zone is ambiguous: refused)."""
    text = value.strip()
    match = _ZONED.match(text)
    if match is not None:
        try:
            zone = ZoneInfo(match.group("zone"))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{match.group('zone')!r} is not an IANA time zone") from None
        return datetime.fromisoformat(match.group("at")).replace(tzinfo=zone)
    at = datetime.fromisoformat(text.replace(" Z", "Z"))
    if at.tzinfo is None:
        raise ValueError("it has no time zone: add one (2026-12-12 22:00 Europe/Helsinki, or +02:00)")
    return at


def hold_until_cutover(action: Action, clock: Clock) -> Action:
    """``action`` (the customer's), preceded by the cut-over check of its row."""

    async def held(job: Job, ctx: Context) -> Outcome:
        value = str(job.fields.get("cutover_at") or "").strip()
        if not value:
            return await action(job, ctx)
        try:
            at = parse_cutover(value)
        except ValueError as exc:
            message = f"cutover_at {value!r} cannot be read: {exc}; nothing was sent for this customer"
            return Outcome(FAILED, message=message, reason=Reason.INVALID)
        if clock() < at:
            return Outcome(PENDING, message=f"held until its cutover_at {value}", reason=Reason.CUTOVER)
        return await action(job, ctx)

    return held
