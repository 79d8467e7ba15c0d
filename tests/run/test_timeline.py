"""The rate over time stays small however long the night: at most MAX_POINTS points, neighbours merged, no
request or 429 lost in the merging."""

from __future__ import annotations

import anyio

from batch.run.timeline import RateTimeline, Sample


def test_a_long_run_keeps_few_points_and_every_request() -> None:
    timeline = RateTimeline(interval=0.5, max_points=8)
    seconds = 0.0
    for i in range(1, 101):  # 100 samples of 10 requests each, a 429 every tenth, taken every interval
        seconds += timeline.interval
        timeline.add(Sample(10 * i, i // 10, 20.0 + i), timeline.interval)
    points = timeline.points
    assert len(points) < 8 and timeline.interval > 0.5
    assert sum(p.requests for p in points) == 1000 and sum(p.throttled for p in points) == 10
    assert points[0].start == 0 and points[-1].end == seconds
    assert all(a.end == b.start for a, b in zip(points, points[1:], strict=False))
    last = timeline.as_dict()["points"][-1]
    assert last[0] == round(seconds, 2) and last[3] == 120.0


def test_sampling_runs_beside_the_jobs_and_keeps_the_last_partial_interval() -> None:
    timeline = RateTimeline(interval=0.01)
    sent = iter(range(5, 10_000, 5))

    async def main() -> None:
        with anyio.move_on_after(0.1):
            await timeline.sample_every(lambda: Sample(next(sent), 0, 10.0))

    anyio.run(main)
    assert len(timeline.points) >= 3 and all(p.requests == 5 for p in timeline.points)
