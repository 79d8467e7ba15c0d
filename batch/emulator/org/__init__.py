"""Org-level APIs that are not locations or telephony: organizations (the managed-org handshake), people and
roles, and the ``orgId`` scope every org-level route checks (``scope``)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from batch.emulator.http import EmulatorContext
from batch.emulator.org import organizations, people, roles


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """Every route of this API family."""
    return [*organizations.routes(ctx), *people.routes(ctx), *roles.routes(ctx)]
