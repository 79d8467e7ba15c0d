"""The stages wired together for each command, so the CLI only parses options and prints.

Each function here is what one command does, callable from Python and testable without the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from batch.load.inputs import LoadedBatch, load_inputs
from batch.problems import Problem
from batch.report.outfolder.previous import keep_previous, refuse_if_running
from batch.report.validation import write_validation_reports
from batch.validate.compact import compacted
from batch.validate.shard import Shard, shard_loaded, shard_validated
from batch.validate.validator import ValidatedBatch, validate


@dataclass(frozen=True, slots=True)
class ValidationOutcome:
    """What ``rtm-batch validate`` found and wrote."""

    loaded: LoadedBatch
    validated: ValidatedBatch
    reports: tuple[Path, ...]
    #: Lines for the person: where an earlier run's reports in ``out_dir`` went (``report.outfolder.previous``).
    notes: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.validated.problems

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.validated.sheets.items()}

    @property
    def invalid_counts(self) -> dict[str, int]:
        return {name: int((~frame["_valid"]).sum()) for name, frame in self.validated.sheets.items()}

    @property
    def exit_code(self) -> int:
        """Contract §4: 1 when any row is invalid; warnings alone do not fail."""
        return 1 if any(p.is_error for p in self.problems) else 0


def validate_inputs(paths: Sequence[Path], out_dir: Path, *, holds_lock: bool = False) -> ValidationOutcome:
    """Load, validate and write ``validation.csv`` / ``validation.xlsx`` into ``out_dir``.

    The inputs are read before anything in ``out_dir`` moves (an input may be its ``retry/``); then an earlier
    run's reports there are moved aside (``report.outfolder.previous``), never replaced. A folder a running run holds
    is refused first, unless the caller is that run (``holds_lock``)."""
    if not holds_lock:
        refuse_if_running(out_dir)
    loaded = load_inputs(paths)
    validated = validate(loaded)
    moved = keep_previous(out_dir)
    reports = write_validation_reports(validated.problems, loaded, out_dir)
    return ValidationOutcome(*compacted(loaded, validated), tuple(reports), (moved,) if moved else ())


def select_shard(outcome: ValidationOutcome, shard: Shard | None) -> ValidationOutcome:
    """The rows of one ``--shard I/N`` (``batch.validate.shard``); the outcome as it is without one.

    Validation ran on the whole batch first (uniqueness across it, the reports of every row), so a shard's
    problems and ``validation.csv`` are the whole batch's, and ``exit_code`` (``--strict``) judges it all."""
    if shard is None:
        return outcome
    loaded, validated = shard_loaded(outcome.loaded, shard), shard_validated(outcome.validated, shard)
    return replace(outcome, loaded=loaded, validated=validated)
