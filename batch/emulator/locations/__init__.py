"""``/v1/locations`` (webex-api.md §4.1) and the checked location fields the calling routes reuse."""

from __future__ import annotations

from starlette.routing import BaseRoute

from batch.emulator.http import EmulatorContext
from batch.emulator.locations import locations


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """Every route of this API family."""
    return [*locations.routes(ctx)]
