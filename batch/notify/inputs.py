"""Which job a run belongs to, and a fingerprint of what it read: the history compares a night with the
same job's previous night (the trend, ``--notify-on change``), and the input hash says whether the
workbook itself changed between two nights that ended differently."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

CHUNK = 1 << 20
#: Inputs larger than this (together with the loader's 512 MiB per part, a file the run refused) go unhashed.
MAX_BYTES = 1 << 30


def job_label(config: Path | None, inputs: Sequence[Path]) -> str:
    """``config /etc/rtm-batch/nightly.toml`` when a config file defines the job, else its inputs."""
    if config is not None:
        return f"config {config.absolute()}"
    return "inputs " + " ".join(str(path.absolute()) for path in inputs)


def input_hash(inputs: Sequence[Path]) -> str:
    """SHA-256 over every input file's name and bytes (a folder's files in name order); empty when an input
    is not a regular file of a readable size (a FIFO would block the hash for ever, a 10 GB file the run
    refused would delay its notification) or cannot be read: the run's own error says why."""
    digest = hashlib.sha256()
    try:
        for path in inputs:
            files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
            if not all(f.is_file() and f.stat().st_size <= MAX_BYTES for f in files):
                return ""
            for file in files:
                digest.update(file.name.encode() + b"\0")
                with file.open("rb") as handle:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
