"""The failing-server watch on an injected clock: most of the last 60 s failing (and 20 at least) stops once."""

from __future__ import annotations

from batch.run.health import ServerHealth


def watch() -> tuple[ServerHealth, list[str], list[float]]:
    now = [0.0]
    reasons: list[str] = []
    return ServerHealth("https://webexapis.com/v1", reasons.append, clock=lambda: now[0]), reasons, now


def test_most_requests_failing_stops_the_run_once_naming_the_server_and_the_last_error() -> None:
    health, reasons, now = watch()
    for i in range(10):
        health(200, "GET /x: HTTP 200")
        health(None if i % 2 else 503, f"POST /y: failure {i}")
        now[0] += 1.0
    assert reasons == []  # 20 requests, half failing: not most
    health(503, "POST /y: HTTP 503")
    assert len(reasons) == 1 and "https://webexapis.com/v1 keeps failing" in reasons[0]
    assert "11 of the last 21" in reasons[0] and "last error: POST /y: HTTP 503" in reasons[0]
    for _ in range(30):
        health(None, "GET /z: ConnectError")
    assert len(reasons) == 1


def test_failures_older_than_the_window_and_429s_do_not_count() -> None:
    health, reasons, now = watch()
    for _ in range(30):
        health(503, "old")
    assert len(reasons) == 1
    health2, reasons2, now2 = watch()
    for _ in range(15):
        health2(503, "old")
    now2[0] = 61.0
    for _ in range(10):
        health2(503, "new")
        health2(429, "throttled")
    assert reasons2 == []  # 10 of 20 in the window failed; the 15 old ones aged out; a 429 is no failure
