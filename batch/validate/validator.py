"""Validate a loaded batch offline: every cell, every cross-sheet reference, every business rule.

The rules work on whole columns (polars expressions and joins), so a million users validate in seconds;
``Problem`` records are built only for failing rows. Each output frame is the loader's frame plus
``_valid`` and the normalized columns the planner uses (see ``ValidatedBatch``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from batch.load.inputs import SOURCE, LoadedBatch
from batch.problems import Problem, RuleCount, sort_key
from batch.validate.localize import localize_examples
from batch.validate.rules import MAX_LISTED_PER_RULE, POS, concat_problems
from batch.validate.rules.business import business_problems
from batch.validate.rules.cells import cell_problems
from batch.validate.rules.columns import column_problems
from batch.validate.rules.dependents import dependency_problems
from batch.validate.rules.postal import postal_problems
from batch.validate.rules.prepare import Prepared, prepare
from batch.validate.rules.references import reference_problems
from batch.validate.rules.uniqueness import uniqueness_problems

SHEET_ORDER = ("templates", "customers", "locations", "users")

#: Normalized columns each output frame carries besides the loader's columns and ``_valid``.
OUTPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "templates": (),
    "customers": (
        "packages_list",
        "provisioning_id_resolved",
        "numbers_e164",
        "main_number_e164",
        "supported",
        "country_code",
        "timezone_resolved",
    ),
    "locations": ("numbers_e164", "main_number_e164", "customer_in_batch", "country_code", "timezone_resolved"),
    "users": (
        "email_normalized",
        "phone_e164",
        "location_resolved",
        "roles_list",
        "customer_in_batch",
        "package_resolved",
    ),
}


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    """Each sheet with ``_valid`` and normalized columns, the problems listed (in workbook order), and how many
    problems each rule found: ``counts``, not ``problems``, is what a summary counts, because past
    ``MAX_LISTED_PER_RULE`` problems of one rule the rest are one "N more rows" line in ``problems``."""

    sheets: dict[str, pl.DataFrame]
    problems: tuple[Problem, ...]
    counts: tuple[RuleCount, ...]

    @property
    def error_count(self) -> int:
        return sum(c.found for c in self.counts if c.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(c.found for c in self.counts if c.severity != "error")

    @property
    def not_listed(self) -> int:
        """Problems counted but not listed one by one (``problems`` has a line per rule saying how many)."""
        return sum(c.not_listed for c in self.counts)


def validate(batch: LoadedBatch) -> ValidatedBatch:
    """All rules over all sheets; rows that depend on an invalid row are invalid too (and say so)."""
    # One contiguous chunk per column, for every later pass: the loader's frames are (a no-op), a caller's may not be.
    loaded = {name: batch.sheets[name].frame.rechunk() for name in SHEET_ORDER}
    prepared = prepare(loaded, merged=batch.merged, exported=frozenset(batch.exported))
    found = concat_problems(
        [
            column_problems(loaded, prepared),
            reference_problems(prepared),
            uniqueness_problems(prepared),
            business_problems(prepared),
            postal_problems(prepared),
            cell_problems(prepared),
        ]
    )
    found = _distinct(found)
    found = pl.concat([found, dependency_problems(prepared, found)], how="vertical")
    found = localize_examples(found, prepared)
    sheets = _output_frames(prepared, found)
    counts = found.group_by("sheet", "rule", "severity", maintain_order=True).len()
    listed = _with_sources(_listed(found, counts), prepared)
    problems = tuple(sorted({*batch.problems, *_to_problems(listed)}, key=_full_key))
    return ValidatedBatch(sheets, problems, _rule_counts(counts, batch.problems))


def _rule_counts(counts: pl.DataFrame, loaded: tuple[Problem, ...]) -> tuple[RuleCount, ...]:
    """Every rule's true count (the loader's problems are all listed), in workbook order of sheets."""
    rows = [
        RuleCount(sheet, rule, severity, n, min(n, MAX_LISTED_PER_RULE))
        for sheet, rule, severity, n in counts.iter_rows()
    ]
    by_rule = Counter((p.sheet, p.rule, p.severity) for p in loaded)
    rows += [RuleCount(sheet, rule, severity, n, n) for (sheet, rule, severity), n in by_rule.items()]
    order = {name: i for i, name in enumerate(SHEET_ORDER)}
    return tuple(sorted(rows, key=lambda c: (order.get(c.sheet, len(order)), c.rule)))


def _full_key(problem: Problem) -> tuple[int, str, int, str, str, str, str]:
    """``sort_key`` first; the rest only makes the order deterministic among equal keys."""
    return (*sort_key(problem), problem.value, problem.message)


def _distinct(found: pl.DataFrame) -> pl.DataFrame:
    """Problems reported twice (two rules agreeing) once. A 64-bit hash of the key columns finds whether there is
    any duplicate (8 bytes a problem); only then the whole frame is made unique (``unique()`` over every column
    of five million problems took 1.3 GiB)."""
    key = pl.struct("sheet", "pos", "column", "rule", "severity").hash()
    if not found.select(key.is_duplicated().any()).item():
        return found
    return found.unique(maintain_order=True)


def _listed(found: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """The first ``MAX_LISTED_PER_RULE`` problems of each (sheet, rule), and one line per rule for the rest: a
    million rows of junk would otherwise make five million Problem records (5 GiB, minutes) where the first
    thousands already say what is wrong. Row validity is decided on every problem (``_output_frames``).
    Computed on the two key columns, so the full frame is never copied; ``counts`` is per (sheet, rule, severity),
    and a rule has one severity."""
    keys = found.select("sheet", "rule")
    if counts.height == 0 or not (counts["len"] > MAX_LISTED_PER_RULE).any():
        return found
    shown = keys.select(pl.int_range(pl.len()).over("sheet", "rule") < MAX_LISTED_PER_RULE).to_series()
    first = found.filter(shown)
    more = (
        counts.filter(pl.col("len") > MAX_LISTED_PER_RULE)
        .drop("severity")
        .join(first.group_by("sheet", "rule").agg(pl.col("severity", "column").first()), on=["sheet", "rule"])
        .select(
            "sheet",
            pl.lit(None, pl.Int64).alias("pos"),
            pl.lit(None, pl.Int64).alias("row"),
            "column",
            pl.lit("").alias("value"),
            "severity",
            "rule",
            pl.format(
                "{} more rows have this problem ({}) and are not listed ({} rows in all; only the first {} are): fix "
                "the listed ones (usually one mistake repeated) and validate again",
                pl.col("len") - MAX_LISTED_PER_RULE,
                pl.col("rule"),
                pl.col("len"),
                pl.lit(MAX_LISTED_PER_RULE),
            ).alias("message"),
        )
    )
    return pl.concat([first, more.cast(first.schema)], how="vertical")


def _with_sources(found: pl.DataFrame, prepared: Prepared) -> pl.DataFrame:
    """Each listed problem with its row's input (``source``, the loader's ``_source``): merged inputs repeat
    row numbers, so the reports tell ``users,13`` of the workbook from ``users,13`` of the CSV folder by it."""
    sheets = {
        "templates": prepared.templates,
        "customers": prepared.customers,
        "locations": prepared.locations,
        "users": prepared.users,
    }
    # Only the listed rows' sources: all of them were 1.3 million rows of text copied to be joined to a few.
    wanted = found.select(pl.col("sheet").cast(pl.String), "pos").drop_nulls("pos").unique()
    sources = pl.concat(
        [
            frame.lazy()
            .select(pl.lit(name).alias("sheet"), pl.col(POS).cast(pl.Int64).alias("pos"), pl.col(SOURCE))
            .join(wanted.lazy(), on=["sheet", "pos"], how="semi")
            .collect()
            for name, frame in sheets.items()
            if SOURCE in frame.columns
        ],
        how="vertical",
    ).rename({SOURCE: "source"})
    return found.with_columns(pl.col("sheet").cast(pl.String)).join(
        sources, on=["sheet", "pos"], how="left", maintain_order="left"
    )


def _to_problems(found: pl.DataFrame) -> list[Problem]:
    columns = ("sheet", "row", "column", "value", "severity", "rule", "message", "source")
    rows = found.select(columns).with_columns(pl.col("value", "message", "source").fill_null("")).iter_rows()
    return [Problem(*row) for row in rows]


def _output_frames(prepared: Prepared, found: pl.DataFrame) -> dict[str, pl.DataFrame]:
    errors = found.filter(pl.col("severity") == "error").select("sheet", "pos").unique()
    frames = {
        "templates": prepared.templates,
        "customers": prepared.customers,
        "locations": prepared.locations,
        "users": prepared.users,
    }
    out = {}
    for sheet, frame in frames.items():
        bad = errors.filter(pl.col("sheet") == sheet)["pos"]
        keep = [c for c in frame.columns if not c.startswith("__")]
        loader_cols = [c for c in keep if c not in OUTPUT_COLUMNS[sheet]]
        out[sheet] = frame.select(
            *loader_cols, *OUTPUT_COLUMNS[sheet], (~pl.col(POS).is_in(bad.implode())).alias("_valid")
        )
    return out
