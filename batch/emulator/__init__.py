"""Local stand-in for the Webex Wholesale and org-level APIs (issue 3).

``create_app(config)`` builds the starlette app; ``running_emulator(config)`` serves it on a free
loopback port for tests and benchmarks; ``serve(...)`` backs the ``rtm-batch emulator`` command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batch.emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from batch.emulator.app import create_app
    from batch.emulator.server import running_emulator, serve

__all__ = ["EmulatorConfig", "create_app", "running_emulator", "serve"]


def __getattr__(name: str) -> Any:
    """Import the server parts lazily so ``EmulatorConfig`` stays cheap to import."""
    if name == "create_app":
        from batch.emulator.app import create_app

        return create_app
    if name in ("running_emulator", "serve"):
        from batch.emulator import server

        return getattr(server, name)
    raise AttributeError(name)
