"""One line naming when and where a benchmark ran, printed first by every ``make bench-*`` target (issue 22
item 4): figures from a shared 2-core VM mean little without the date, the machine and how busy it was."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def describe() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or '?'}: {os.cpu_count()} × {cpu_model()}, "
        f"{memory_gib():.1f} GiB, {platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"load average {load}"
    )


if __name__ == "__main__":
    print(describe(), file=sys.stdout, flush=True)
