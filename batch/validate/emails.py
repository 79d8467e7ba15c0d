"""Email addresses checked with email-validator (no DNS), fast for a million rows.

email-validator is the judge. Calling it costs ~32 µs a value, so plain ASCII addresses that it surely
accepts unchanged (dot-atom local part, host-name labels, a letter TLD, no special-use domain) are cleared
by one polars regex; everything else — Unicode, quotes, odd dots, long labels, typos — goes to the
library, once per distinct value. ``normalized`` is the library's normalized form, lower-cased, because
the contract matches emails case-insensitively.
"""

from __future__ import annotations

import email_validator
import polars as pl
from email_validator import EmailNotValidError, validate_email

#: Characters trimmed around an address (the loader trims too; explicit so both paths agree exactly).
SPACES = " \t\r\n\u00a0"
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ATOM = "[A-Za-z0-9_+'-]+"
_PLAIN = f"^{_ATOM}(?:\\.{_ATOM})*@(?:{_LABEL}\\.)+[A-Za-z]{{2,63}}$"
_SPECIAL = "|".join(email_validator.SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_DOMAIN = f"(?i)[@.](?:{_SPECIAL})$"
_MAX_FAST_LENGTH = 200


def email_reference(value: str | None) -> tuple[str | None, str | None]:
    """(normalized, error) for one value, library only: the definition ``check_emails`` reproduces."""
    if value is None:
        return None, None
    text = value.strip(SPACES)
    if not text:
        return None, None
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, f"'{text}' is not a valid email address: {exc} Write it like firstname.lastname@example.com."
    return checked.normalized.lower(), None


def check_emails(values: pl.Series) -> pl.DataFrame:
    """Columns ``normalized`` (lower-cased, null if invalid) and ``error`` (fix-it message), same order.

    Null or blank values give null in both columns.
    """
    text = pl.col("text")
    frame = pl.DataFrame({"text": values.cast(pl.String).str.strip_chars(SPACES)}).with_row_index("idx")
    frame = frame.with_columns(
        plain=text.str.contains(_PLAIN)
        & (text.str.len_bytes() <= _MAX_FAST_LENGTH)
        & ~text.str.contains("@.*--")
        & ~text.str.contains(_SPECIAL_DOMAIN),
        blank=text.is_null() | (text == ""),
    )
    pending = frame.filter(~pl.col("plain") & ~pl.col("blank"))
    if pending.height == 0:  # the usual case: no join of a million addresses with an empty verdict table
        return frame.select(
            pl.when(pl.col("plain")).then(text.str.to_lowercase()).alias("normalized"),
            pl.lit(None, pl.String).alias("error"),
        )
    distinct = pending.select("text").unique()
    verdicts = [email_reference(t) for t in distinct["text"]]
    judged = distinct.with_columns(
        pl.Series("lib_normalized", [v[0] for v in verdicts], dtype=pl.String),
        pl.Series("lib_error", [v[1] for v in verdicts], dtype=pl.String),
    )
    out = frame.join(judged, on="text", how="left", maintain_order="left")
    return out.select(
        pl.when(pl.col("plain")).then(text.str.to_lowercase()).otherwise(pl.col("lib_normalized")).alias("normalized"),
        pl.when(pl.col("plain")).then(None).otherwise(pl.col("lib_error")).alias("error"),
    )
