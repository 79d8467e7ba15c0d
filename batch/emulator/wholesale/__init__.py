"""The Wholesale APIs (webex-api.md §2, §3): ``/v1/wholesale/customers`` and ``/v1/wholesale/subscribers``,
with their prechecks and the field and package rules they share."""

from __future__ import annotations

from starlette.routing import BaseRoute

from batch.emulator.http import EmulatorContext
from batch.emulator.wholesale import customers, subscribers


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """Every route of this API family."""
    return [*customers.routes(ctx), *subscribers.routes(ctx)]
