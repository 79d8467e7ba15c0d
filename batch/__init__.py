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
#: RSS after the reports 317 -> 288 MiB). Set here, before anything imports polars; a decay a person set in
#: the environment wins. polars' own defaults found there are not a person's choice: a Python process that
#: imported polars leaves them in ``os.environ`` for every child it starts (the benchmarks, a script calling
#: ``rtm-batch``), and kept as they were, a million users validated with a 1,071 MiB peak instead of 920.
_POLARS_DEFAULT = "dirty_decay_ms:500,muzzy_decay_ms:1000"
_inherited = os.environ.get("_RJEM_MALLOC_CONF", "").replace(_POLARS_DEFAULT, "").strip(",")
if "decay_ms" not in _inherited:
    os.environ["_RJEM_MALLOC_CONF"] = ",".join(filter(None, (_inherited, "dirty_decay_ms:0,muzzy_decay_ms:0")))
