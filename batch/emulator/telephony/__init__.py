"""Webex Calling configuration (webex-api.md §4.1-§4.3): calling locations, their numbers, PSTN connections."""

from __future__ import annotations

from starlette.routing import BaseRoute

from batch.emulator.http import EmulatorContext
from batch.emulator.telephony import calling, numbers, pstn


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """Every route of this API family."""
    return [*calling.routes(ctx), *numbers.routes(ctx), *pstn.routes(ctx)]
