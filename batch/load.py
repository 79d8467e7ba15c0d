"""Read one workbook (.xlsx) or a folder of CSV files into one text-only polars frame per sheet.

Every cell is text (leading zeros, ``+`` and long digit strings survive), trimmed, blank → null, and each
row keeps the number a person sees in Excel (``_row``: header = 1, first data row = 2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from batch.problems import Problem

#: Columns the loader adds to every sheet frame.
ROW = "_row"
SOURCE = "_source"


@dataclass(frozen=True, slots=True)
class SheetData:
    """One input sheet: the ``SHEETS`` columns (all ``pl.String``) plus ``_row`` (Int64) and ``_source``.

    ``headers`` maps each canonical column name to the header as the partner spelled it.
    """

    name: str
    frame: pl.DataFrame
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadedBatch:
    """All four sheets (absent optional ones are empty frames) and the loader's warnings."""

    sheets: dict[str, SheetData]
    problems: tuple[Problem, ...] = ()


def canonical_name(name: str) -> str:
    """``' Company Name '``, ``company name`` and ``company_name`` are the same column (contract §1)."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lower()).strip("_")


def load_inputs(paths: Sequence[Path]) -> LoadedBatch:  # pragma: no cover - replaced by the loader
    raise NotImplementedError
