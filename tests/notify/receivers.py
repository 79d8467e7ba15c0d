"""A loopback HTTP receiver for notification tests: keeps every request (method, path, query, headers, body)
and answers what the test tells it to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Request] = field(default_factory=list)
    status: int = 204
    answer: bytes = b""

    def at(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


@contextmanager
def receiver(status: int = 204, answer: bytes = b"") -> Iterator[Receiver]:
    """``http://127.0.0.1:PORT`` answering ``status`` with ``answer`` to every request."""
    box = Receiver("", status=status, answer=answer)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            box.requests.append(Request(self.command, parts.path, parse_qs(parts.query), headers, body))
            self.send_response(box.status)
            self.send_header("Content-Length", str(len(box.answer)))
            self.end_headers()
            self.wfile.write(box.answer)

        do_POST = do_GET = do_HEAD = _handle  # noqa: N815 (http.server's naming)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
