"""Single-cell rules: the pandera models' column checks, the vocabularies, and the normalizers' verdicts.

pandera reports a failing cell by 0-based position; the message comes from the column's own documentation
(``hint``, ``example``) so it says how a good value looks.
"""

from __future__ import annotations

import re
from typing import Any

import pandera.polars as pa
import polars as pl

from batch.validate.phones import split_list
from batch.validate.rules import MAX_LISTED_PER_RULE, POS, PROBLEM_FRAME_SCHEMA, concat_problems, emit
from batch.validate.rules.prepare import Prepared
from schemas import SHEETS, ColumnDoc
from schemas.vocab import ADMIN_ROLES, CUSTOMER_PACKAGES, SUBSCRIBER_PACKAGES, countries

#: pandera check name → the ``what`` part of the rule code.
CHECK_RULES = {"not_nullable": "required", "str_matches": "format", "str_length": "too_long"}


#: Rows pandera sees at once when a sheet has many empty required cells: its failure cases for a million rows of
#: junk took 1.7 GiB in one go; in slices they stay small, and only the first problems keep their messages.
CHUNK_ROWS = 100_000


def pandera_problems(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Run the sheet's model lazily and turn every failure case into a problem row."""
    required = [c for c in SHEETS[sheet].required_columns if c in frame.columns]
    nulls = sum(frame[c].null_count() for c in required)
    if frame.height <= CHUNK_ROWS or nulls <= MAX_LISTED_PER_RULE:
        return _pandera_slice(sheet, frame, {})
    listed: dict[tuple[str, str], int] = {}
    parts = [_pandera_slice(sheet, frame.slice(at, CHUNK_ROWS), listed) for at in range(0, frame.height, CHUNK_ROWS)]
    return pl.concat(parts, how="vertical")


def _pandera_slice(sheet: str, frame: pl.DataFrame, listed: dict[tuple[str, str], int]) -> pl.DataFrame:
    """One slice's problems; ``listed`` counts the problems per (column, check) that got a message so far."""
    spec = SHEETS[sheet]
    try:
        spec.model.validate(frame.select(*spec.column_names), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases: pl.DataFrame = errors.failure_cases  # the polars backend's; pandera types it Any
    else:
        return pl.DataFrame(schema=PROBLEM_FRAME_SCHEMA)
    messages = _messages(sheet)
    cases = cases.filter(pl.col("index").is_not_null()).with_columns(
        pl.col("check").str.extract(r"^([a-z_]+)").replace_strict(CHECK_RULES, default="invalid").alias("__what")
    )
    examples = {doc.name for doc in SHEETS[sheet].columns if doc.example}
    lookup = pl.DataFrame(
        [
            (col, what, msg, col if col in examples and what != "too_long" else None, listed.get((col, what), 0))
            for (col, what), msg in messages.items()
        ],
        schema={
            "column": pl.String,
            "__what": pl.String,
            "message": pl.String,
            "example": pl.String,
            "__before": pl.Int64,
        },
        orient="row",
    )
    rows = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("index"),
        pl.col(POS).cast(pl.Int64).alias("pos"),
        pl.col("_row").cast(pl.Int64).alias("row"),
    )
    shown = (pl.int_range(pl.len()).over("column", "__what") + pl.col("__before").fill_null(0)) < MAX_LISTED_PER_RULE
    found = (
        cases.with_columns(pl.col("index").cast(pl.Int64))
        .join(rows, on="index", how="left")
        .join(lookup, on=["column", "__what"], how="left")
    )
    for column, what, count in found.group_by("column", "__what").len().iter_rows():
        listed[(column, what)] = listed.get((column, what), 0) + count
    return found.select(
        pl.lit(sheet).alias("sheet"),
        "pos",
        "row",
        "column",
        pl.when(shown).then(pl.col("failure_case").cast(pl.String)).alias("value"),
        pl.lit("error").alias("severity"),
        pl.format("{}.{}.{}", pl.lit(sheet), pl.col("column"), pl.col("__what")).alias("rule"),
        pl.when(shown)
        .then(pl.coalesce("message", pl.format("Check the value of {}", pl.col("column"))))
        .alias("message"),
        "example",
    )


def _messages(sheet: str) -> dict[tuple[str, str], str]:
    """A fix-it message for each (column, check) the model can fail, built from the column docs."""
    schema = SHEETS[sheet].model.to_schema()
    out: dict[tuple[str, str], str] = {}
    for doc in SHEETS[sheet].columns:
        out[(doc.name, "required")] = _required_message(doc)
        for check in schema.columns[doc.name].checks:
            what = CHECK_RULES.get(check.name, "invalid")
            out[(doc.name, what)] = _check_message(doc, what, check.statistics or {})
    return out


def _required_message(doc: ColumnDoc) -> str:
    """Ends where the example of the row's country goes (``example``)."""
    return f"{doc.name} is required: fill in {_lower_first(doc.meaning)}"


def _check_message(doc: ColumnDoc, what: str, stats: dict[str, Any]) -> str:
    if what == "too_long":
        limit = stats.get("max_value")
        return f"{doc.name} is too long: shorten it to at most {limit} characters"
    hint = doc.hint or "the documented format"
    return f"Write {doc.name} as {hint}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not re.match(r"^[A-Z]{2}", text) else text


def vocabulary_problems(p: Prepared) -> pl.DataFrame:
    """Packages, countries, time zones and roles must be names the API knows."""
    c, loc, u = p.customers, p.locations, p.users
    return concat_problems(
        [
            _unknown_packages(c),
            emit(
                u,
                pl.col("package_resolved").is_not_null() & ~pl.col("package_resolved").is_in(SUBSCRIBER_PACKAGES),
                sheet="users",
                column="package",
                rule="users.package.unknown",
                message=f"Unknown user package: use one of {', '.join(SUBSCRIBER_PACKAGES)}",
            ),
            *[_unknown_country(sheet, f) for sheet, f in (("customers", c), ("locations", loc))],
            *[_unknown_timezone(sheet, f) for sheet, f in (("customers", c), ("locations", loc))],
            _unknown_roles(u),
        ]
    )


def _unknown_packages(c: pl.DataFrame) -> pl.DataFrame:
    bad = pl.col("packages_list").list.eval(pl.element().filter(~pl.element().is_in(CUSTOMER_PACKAGES)))
    return emit(
        c.with_columns(bad.alias("__bad")),
        pl.col("__bad").list.len() > 0,
        sheet="customers",
        column="packages",
        rule="customers.packages.unknown",
        message=pl.format(
            "Unknown package {}: use customer package names such as webex_calling, webex_meetings, webex_suite",
            pl.col("__bad").list.join(", "),
        ),
    )


def _unknown_country(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    return emit(
        frame,
        pl.col("country_code").str.contains(r"^[A-Z]{2}$") & ~pl.col("country_code").is_in(countries()),
        sheet=sheet,
        column="country",
        rule=f"{sheet}.country.unknown",
        message="Not an ISO 3166 country code: use the two-letter code",
        example="country_named",
    )


def _unknown_timezone(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    return emit(
        frame,
        pl.col("timezone").is_not_null() & pl.col("timezone_resolved").is_null(),
        sheet=sheet,
        column="timezone",
        rule=f"{sheet}.timezone.unknown",
        message="Not an IANA time zone: use Region/City as in the drop-down",
        example="timezone",
    )


def _unknown_roles(u: pl.DataFrame) -> pl.DataFrame:
    keys = [r.lower() for r in ADMIN_ROLES]
    bad = pl.col("__roles_raw").list.eval(pl.element().filter(~pl.element().str.to_lowercase().is_in(keys)))
    roles = split_list(u["roles"])  # split here, for this rule only: the users do not keep the raw lists
    return emit(
        u.with_columns(roles.alias("__roles_raw")).with_columns(bad.alias("__bad")),
        pl.col("__bad").list.len() > 0,
        sheet="users",
        column="roles",
        rule="users.roles.unknown",
        message=pl.format("Unknown role {}: use {}", pl.col("__bad").list.join(", "), pl.lit("; ".join(ADMIN_ROLES))),
    )


def normalizer_problems(p: Prepared) -> pl.DataFrame:
    """Emails and phone numbers the normalizers could not read; their message says how to write them."""
    frames = [
        emit(
            p.customers,
            pl.col("__admin_email_error").is_not_null(),
            sheet="customers",
            column="admin_email",
            rule="customers.admin_email.invalid",
            message=pl.col("__admin_email_error"),
        ),
        emit(
            p.users,
            pl.col("__email_error").is_not_null(),
            sheet="users",
            column="email",
            rule="users.email.invalid",
            message=pl.col("__email_error"),
        ),
        emit(
            p.users,
            pl.col("__phone_error").is_not_null(),
            sheet="users",
            column="phone_number",
            rule="users.phone_number.invalid",
            message=pl.col("__phone_error"),
        ),
    ]
    for sheet, frame, long in (
        ("customers", p.customers, p.hq_numbers),
        ("locations", p.locations, p.location_numbers),
    ):
        frames.append(
            emit(
                frame,
                pl.col("__main_error").is_not_null(),
                sheet=sheet,
                column="main_number",
                rule=f"{sheet}.main_number.invalid",
                message=pl.col("__main_error"),
            )
        )
        frames.append(
            emit(
                long,
                pl.col("error").is_not_null(),
                sheet=sheet,
                column="numbers",
                rule=f"{sheet}.numbers.invalid",
                message=pl.col("error"),
                value=pl.col("item"),
            )
        )
    return concat_problems(frames)


def column_problems(frames: dict[str, pl.DataFrame], p: Prepared) -> pl.DataFrame:
    """Everything that can be judged one cell at a time."""
    prepared = {"templates": p.templates, "customers": p.customers, "locations": p.locations, "users": p.users}
    checked = [pandera_problems(sheet, prepared[sheet]) for sheet in SHEETS]
    return concat_problems([*checked, vocabulary_problems(p), normalizer_problems(p)])
