"""A location's numbers as a person writes them: consecutive runs as ``FIRST..LAST`` (pure).

The input form reads ``FIRST..LAST`` as every number from FIRST to LAST (same length, at most 1,000
numbers, contract §1), so a run of three or more consecutive numbers becomes one range; shorter runs and
lone numbers are listed. Numbers are E.164 (``+358942451000``), so the digits after ``+`` are the value.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The longest range the input form accepts (contract §1).
MAX_RANGE = 1000
#: Runs shorter than this are written number by number (``+1; +2`` reads better than ``+1..+2``).
MIN_RANGE = 3
SEPARATOR = "; "


def compact_numbers(numbers: Iterable[str]) -> list[str]:
    """Sorted, duplicates dropped, consecutive runs of ``MIN_RANGE`` or more as ``FIRST..LAST``."""
    unique = sorted(set(numbers), key=lambda n: (len(n), n))
    out: list[str] = []
    run: list[str] = []
    for number in unique:
        if run and _follows(run[-1], number) and len(run) < MAX_RANGE:
            run.append(number)
            continue
        out += _written(run)
        run = [number]
    out += _written(run)
    return out


def numbers_cell(numbers: Iterable[str]) -> str:
    """The ``numbers`` cell: the compacted list joined with ``; ``."""
    return SEPARATOR.join(compact_numbers(numbers))


def _follows(previous: str, number: str) -> bool:
    a, b = previous.lstrip("+"), number.lstrip("+")
    return (
        len(a) == len(b)
        and a.isdigit()
        and b.isdigit()
        and previous.startswith("+") == number.startswith("+")
        and int(b) == int(a) + 1
    )


def _written(run: list[str]) -> list[str]:
    if len(run) >= MIN_RANGE:
        return [f"{run[0]}..{run[-1]}"]
    return list(run)
