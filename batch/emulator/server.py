"""Serve the emulator with uvicorn: in a background thread for tests and benchmarks, or blocking for the CLI."""

from __future__ import annotations

import contextlib
import gc
import socket
import threading
import time
from collections.abc import Callable, Iterator

import uvicorn

from batch.emulator.app import create_app
from batch.emulator.config import EmulatorConfig

START_TIMEOUT = 10.0
#: How often a served emulator moves what it holds out of the cyclic GC's reach (see ``_freeze_gc_every``).
FREEZE_GC_SECONDS = 1.0


def _bind(host: str, port: int) -> socket.socket:
    """Bind before uvicorn starts, so port 0 gives a free port we know without racing for it.

    ``IPPROTO_TCP`` explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and without
    it every response (headers and body are two writes) waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _server(config: EmulatorConfig, tls: tuple[str, str] | None = None) -> uvicorn.Server:
    certfile, keyfile = tls or (None, None)
    uv_config = uvicorn.Config(
        create_app(config),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )
    return uvicorn.Server(uv_config)


@contextlib.contextmanager
def running_emulator(config: EmulatorConfig | None = None, *, tls: tuple[str, str] | None = None) -> Iterator[str]:
    """A live emulator on a free loopback port for the ``with`` block; yields ``http://127.0.0.1:PORT/v1``
    (``https://`` with ``tls=(certfile, keyfile)``, for tests of the client's TLS path)."""
    config = config or EmulatorConfig()
    sock = _bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = _server(config, tls)
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # not the main thread
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        sock.close()


def serve(config: EmulatorConfig, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C; ``on_ready(base_url)`` runs once the socket accepts connections."""
    threading.Thread(target=_freeze_gc_every, args=(FREEZE_GC_SECONDS,), name="gc-freeze", daemon=True).start()
    sock = _bind(host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    base_url = f"http://{shown}:{sock.getsockname()[1]}/v1"
    server = _server(config)
    watcher = threading.Thread(target=_announce, args=(server, base_url, on_ready), daemon=True)
    watcher.start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _announce(server: uvicorn.Server, base_url: str, on_ready: Callable[[str], None]) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.02)
    if server.started:
        on_ready(base_url)


def _freeze_gc_every(seconds: float) -> None:
    """The emulator's records live as long as the server, and a full GC pass over 100,000s of them stalls the
    event loop for tens of milliseconds: requests then reach the token bucket in a bunch and draw 429s the
    client never caused (measured: 4-5 per benchmark run, 0 with the records frozen). ``gc.freeze`` is a
    list splice; frozen objects are still freed by reference counting."""
    while True:
        time.sleep(seconds)
        gc.freeze()
