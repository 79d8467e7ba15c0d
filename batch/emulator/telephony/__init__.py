"""Webex Calling configuration (webex-api.md §4.1-§4.3, §11): calling locations and their settings, their
numbers (add, list, activate, remove, validate), PSTN connections and premises trunks, announcement
languages, the batch jobs a routing-prefix change starts, and taking a location out of calling (the safe-delete
check and the disable-calling job) before it is deleted."""

from __future__ import annotations

from starlette.routing import BaseRoute

from batch.emulator.http import EmulatorContext
from batch.emulator.telephony import (
    announcements,
    calling,
    calling_update,
    disable_location,
    jobs,
    number_actions,
    numbers,
    pstn,
    trunks,
    validate_numbers,
)


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """Every route of this API family."""
    return [
        *calling.routes(ctx),
        *calling_update.routes(ctx),
        *numbers.routes(ctx),
        *number_actions.routes(ctx),
        *validate_numbers.routes(ctx),
        *pstn.routes(ctx),
        *trunks.routes(ctx),
        *jobs.routes(ctx),
        *disable_location.routes(ctx),
        *announcements.routes(ctx),
    ]
