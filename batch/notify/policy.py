"""``--notify-on``: which runs are worth a message.

``change`` (the default) follows the way Entra and Control Hub alert: a message when the night ends
differently from the job's previous night (it broke, or it recovered), and on every failure; a second
good night in a row is quiet. The outcome compared is the exit code: a good night that created three
users is as good as one that found everything in place. ``failure`` tells only non-zero exits;
``always`` tells every run.
"""

from __future__ import annotations

from batch.errors import UsageError

NOTIFY_ON = ("always", "failure", "change")
DEFAULT = "change"


def check_notify_on(value: str) -> str:
    if value not in NOTIFY_ON:
        raise UsageError(f"--notify-on must be one of {', '.join(NOTIFY_ON)}, not {value!r}")
    return value


def should_notify(on: str, exit_code: int, previous_exit_code: int | None) -> bool:
    """Whether this run's end is news; ``previous_exit_code`` is None for the job's first recorded run."""
    if on == "always" or exit_code != 0:
        return True
    if on == "failure":
        return False
    return previous_exit_code is None or previous_exit_code != exit_code
