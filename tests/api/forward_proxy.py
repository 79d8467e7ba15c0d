"""A small forwarding HTTP proxy for tests: absolute-form requests (``GET http://127.0.0.1:PORT/v1/x HTTP/1.1``)
are sent on to their server and answered back; every request line and its headers are kept.

Plain http only (no ``CONNECT``): the emulator speaks http on loopback, and that is how a client sends an
http request through a proxy. Threads, one per connection, keep-alive on both sides of the client.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

#: Headers of one hop only (RFC 9110 §7.6.1), never forwarded.
HOP_BY_HOP = {"connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}


@dataclass(frozen=True)
class Proxied:
    """One request as the proxy received it."""

    request_line: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  # quiet
        pass

    def _forward(self) -> None:
        self.server.seen.append(Proxied(self.requestline, {k.lower(): v for k, v in self.headers.items()}))
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute-form http:// request expected")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            upstream.request(self.command, path, body=body, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        finally:
            upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Proxied] = []


@contextlib.contextmanager
def forward_proxy() -> Iterator[tuple[str, list[Proxied]]]:
    """(``http://127.0.0.1:PORT``, the requests it forwarded so far) for the ``with`` block."""
    server = _ProxyServer()
    thread = threading.Thread(target=server.serve_forever, name="forward-proxy", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
