"""``--config FILE``: a TOML file holding any option of a command by its long name (contract §2).

The file becomes the command's *default map*: the command line's own parser then reads it as it reads any
default, so every option the command knows (today's and those added later) is a valid key with the same
type and checks, the command line and an option's environment variable win over the file, and nothing is
listed twice. A key the command does not know exits 2 naming it; a path in the file is relative to the
file, so the working folder of a cron job does not matter.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from batch.errors import UsageError

#: Options that make no sense in a file (the file itself, the version flag, help).
NOT_IN_FILE = frozenset({"config", "version", "help"})


def use_config(ctx: Any, path: Path | None) -> Path | None:
    """Eager ``--config`` callback: the file's values as the command's defaults."""
    if path is None:
        return None
    options = {
        p.name: p
        for p in ctx.command.params
        if getattr(p, "param_type_name", "") == "option" and p.name not in NOT_IN_FILE
    }
    defaults: dict[str, Any] = dict(ctx.default_map or {})
    shared = _run_options(ctx)
    for key, value in read_config(path).items():
        name = key.replace("-", "_")
        option = options.get(name)
        if option is None and name in shared:
            continue  # plan reads run's file: what only a run does (notify_url, concurrency) is not plan's
        if option is None:
            known = ", ".join(sorted(k.replace("_", "-") for k in options))
            raise UsageError(f"--config {path}: unknown key {key!r}; the keys are the long option names: {known}")
        repeatable = bool(getattr(option, "multiple", False))  # --notify-url: one value or a list of them
        if isinstance(value, dict) or (isinstance(value, list) and not repeatable):
            raise UsageError(f"--config {path}: {key} must be a single value, not a {type(value).__name__}")
        values = value if isinstance(value, list) else [value]
        if _is_path(option):
            values = [v if Path(str(v)).is_absolute() else str(path.parent / str(v)) for v in values]
        defaults[name] = values if repeatable else values[0]
    ctx.default_map = defaults
    return path


def _run_options(ctx: Any) -> frozenset[str]:
    """For ``plan``: the options of ``run``, whose ``--config`` file ``plan`` takes as it is (issue 18)."""
    parent = getattr(ctx, "parent", None)
    if ctx.command.name != "plan" or parent is None:
        return frozenset()
    run = parent.command.get_command(parent, "run")
    return frozenset(p.name for p in getattr(run, "params", ()) if p.name not in NOT_IN_FILE)


def _is_path(option: Any) -> bool:
    """Whether the option takes a path (typer keeps the annotation in its type descriptor)."""
    descriptor = getattr(option, "type_descriptor", None)
    return getattr(descriptor, "annotation", None) is Path


def read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read --config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config {path} is not valid TOML: {exc}") from None
