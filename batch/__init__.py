"""rtm-batch: bulk onboarding of Webex Wholesale customers from a workbook.

The pipeline reads off the modules: ``load`` → ``validate`` → ``plan`` → ``run`` → ``report``;
``cli`` is a thin shell over them and ``emulator`` is the local stand-in for the Webex APIs.
"""

import os

__version__ = "0.1.0"

#: polars' allocator (jemalloc, configured by this variable when polars is imported; polars appends it to its
#: own ``dirty_decay_ms:500,muzzy_decay_ms:1000``, and the last value wins) gives freed pages back to the
#: system at once. Why: a run's report writers follow each other faster than that, so each one's polars
#: memory stayed resident under the next one's (bench.memory_phases at 20,000 users: peak 329 -> 315 MiB,
#: RSS after the reports 317 -> 288 MiB). Set here, before anything imports polars; a value already in the
#: environment wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
