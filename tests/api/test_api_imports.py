"""``batch/api`` speaks HTTP only through httpx and waits only through anyio (issue 16): no second request
path that would miss the proxy settings, and the client runs on any anyio backend."""

from __future__ import annotations

import ast
from pathlib import Path

BATCH = Path(__file__).resolve().parents[2] / "batch"
#: A hand-written transport or event-loop code of its own would need one of these.
FORBIDDEN = {"asyncio", "h11", "httpcore", "socket", "ssl", "urllib.request", "http.client"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_client_imports_no_transport_or_event_loop_of_its_own() -> None:
    found = {
        path.name: sorted(name for name in imports(path) if name in FORBIDDEN or name.split(".")[0] in FORBIDDEN)
        for path in sorted((BATCH / "api").glob("*.py"))
    }
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert "client.py" in found and "tokens.py" in found  # the walk saw the package


def test_nothing_in_batch_speaks_h11() -> None:
    assert [p.relative_to(BATCH) for p in BATCH.rglob("*.py") if "h11" in p.read_text(encoding="utf-8").lower()] == []
