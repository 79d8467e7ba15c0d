"""Building blocks shared by the sheet models: one ``Field`` call carries the rule *and* its documentation.

``metadata`` keys read by the loader, the validator, the template and the README column reference:
``required`` (the header must be present and every cell filled), ``meaning``, ``example``, ``dropdown``
(``packages``, ``subscriber_packages``, ``countries``, ``timezones``, ``booleans``, ``roles``,
``number_states``) and ``hint`` (how a well-formed value looks, used in messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandera.polars as pa

LANGUAGE_PATTERN = r"^[A-Za-z]{2}([_-][A-Za-z]{2})?$"
LOCATION_LANGUAGE_PATTERN = r"^[A-Za-z]{2}_[A-Za-z]{2}$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
EXTENSION_PATTERN = r"^[0-9]{2,10}$"
NO_PERCENT_PATTERN = r"^[^%]*$"
NAME_PATTERN = r'^[^%#<>\\/"]*$'
NUMBERS_STATE_PATTERN = r"^(?i:active|inactive)$"


def numbers_state_column() -> Any:
    """``state`` of the numbers a row adds (contract "numbers_state"); the same on customers and locations."""
    return column(
        "State of the numbers this row adds: active (the default) or inactive (numbers still being ported)",
        "active",
        dropdown="number_states",
        str_matches=NUMBERS_STATE_PATTERN,
        hint="active or inactive",
    )


def pstn_connection_column(where: str) -> Any:
    """The PSTN connection set before numbers are added (contract "Numbers and PSTN")."""
    return column(
        f"PSTN connection of {where}, set before its numbers are added: the name or id of one of the "
        "location's PSTN connection options (Control Hub: Calling → Locations → PSTN); blank leaves it as it is",
        "",
        str_length={"max_value": 256},
        hint="at most 256 characters",
    )


def column(
    meaning: str,
    example: str,
    *,
    required: bool = False,
    dropdown: str | None = None,
    hint: str | None = None,
    **checks: Any,
) -> Any:
    """A text column: nullable unless required; ``checks`` are pandera's built-in Field checks."""
    metadata = {"required": required, "meaning": meaning, "example": example, "dropdown": dropdown, "hint": hint}
    return pa.Field(nullable=not required, description=meaning, metadata=metadata, **checks)


def address_line(meaning: str, example: str, *, required: bool = False) -> Any:
    return column(meaning, example, required=required, str_length={"max_value": 50}, hint="at most 50 characters")


def country_column() -> Any:
    """The address country, the same on every sheet that has an address."""
    return column(
        "ISO 3166 two-letter country code",
        "FI",
        required=True,
        dropdown="countries",
        str_matches=COUNTRY_PATTERN,
        hint="a two-letter ISO 3166 code",
    )


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    """What a person needs to fill one column; derived from the model so docs never drift from rules."""

    name: str
    required: bool
    meaning: str
    example: str
    dropdown: str | None
    hint: str | None


def column_docs(model: type[pa.DataFrameModel]) -> tuple[ColumnDoc, ...]:
    """The model's columns in declaration order, with their documentation."""
    docs = []
    for name, col in model.to_schema().columns.items():
        meta = col.metadata or {}
        docs.append(
            ColumnDoc(
                name=name,
                required=bool(meta.get("required")),
                meaning=meta.get("meaning", ""),
                example=meta.get("example", ""),
                dropdown=meta.get("dropdown"),
                hint=meta.get("hint"),
            )
        )
    return tuple(docs)
