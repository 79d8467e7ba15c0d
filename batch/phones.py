"""Phone numbers as partners type them → E.164, one polars column at a time.

The phonenumbers library is the judge: a number is accepted when ``phonenumbers.parse`` with the row's
country reads it and ``is_valid_number`` says it matches the country's numbering plan. We use validity, not
mere possibility (``is_possible_number`` only counts digits), because a DID with a typo in its area code is
exactly what a partner wants to hear about before provisioning; real DIDs, including the Finnish test
ranges such as +358 9 4245 1001, are valid numbers.

What we accept on top of the library: formatting characters (spaces, no-break spaces, - . ( ) /), a
number typed without ``+`` that is not valid as a national number (an Excel cell such as 46701234567: read
as international), and, when the row has no usable country, ``00`` as the international prefix.
Calling the library costs ~23 µs a value, so ``normalize_phones`` clears most values with a vectorized fast
path (``batch.phones`` ``_fast_accept``) built from the library's own metadata and hands only the rest to the
library, once per distinct value.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException, PhoneMetadata, ValidationResult
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

EXAMPLE = "+358 40 123 4567"
#: Whitespace a cell may hold around or inside a number (a cell of only these is empty).
SPACES = " \t\u00a0\u2009\u202f"
#: Characters people use to format numbers; removed before parsing.
FORMATTING = SPACES + ".()/\u2010\u2011\u2013-"
_FORMAT_CLASS = f"[{FORMATTING}]"
_BAD_CHAR = f"([^0-9+{FORMATTING}])"
_SPACES_ONLY = f"^[{SPACES}]*$"
_LIST_ITEM = r"[^;,\r\n]+"
MAX_RANGE = 1000


def split_list(values: pl.Series) -> pl.Series:
    """Split each cell's list (``;``, ``,`` or newlines) into trimmed, non-empty items.

    A null cell becomes an empty list, so callers can explode without special cases. Ranges written
    ``FIRST..LAST`` contain no separator and stay one item.
    """
    items = values.cast(pl.String).str.extract_all(_LIST_ITEM)
    items = items.list.eval(pl.element().str.strip_chars(SPACES + "\r\n"))
    items = items.list.eval(pl.element().filter(pl.element().str.len_chars() > 0))
    return items.fill_null(pl.lit([], dtype=pl.List(pl.String))).alias(values.name)


# --- the library path: one value at a time ------------------------------------------------------------------


def region_of(country: str | None) -> str | None:
    """The phonenumbers region for an ISO alpha-2 country cell, or None when blank or unknown."""
    if country is None:
        return None
    code = country.strip().upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def _precheck(raw: str) -> tuple[str | None, str | None]:
    """Our own rules before the library: returns (digits with optional leading +, error)."""
    bad = re.search(_BAD_CHAR, raw)
    if bad:
        char = bad.group(1)
        if char.isascii() and char.isalpha():
            return None, f"'{raw}' is not a phone number: it contains letters; write only the number, e.g. {EXAMPLE}"
        return (
            None,
            f"'{raw}' is not a phone number: it contains '{char}'; use digits, spaces and + - ( ) only, e.g. {EXAMPLE}",
        )
    cleaned = re.sub(_FORMAT_CLASS, "", raw)
    if not re.search("[0-9]", cleaned):
        return None, f"'{raw}' is not a phone number: write it in international form, e.g. {EXAMPLE}"
    if "+" in cleaned[1:]:
        return None, f"'{raw}' has a + inside the number: put + only before the country code, e.g. {EXAMPLE}"
    return cleaned, None


def phone_reference(raw: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(e164, error) for one value, library only: the definition ``normalize_phones`` must reproduce."""
    if raw is None or re.search(_SPACES_ONLY, raw):
        return None, None
    cleaned, error = _precheck(raw)
    if cleaned is None:
        return None, error
    return judge(raw, cleaned, region_of(country))


def judge(raw: str, cleaned: str, region: str | None) -> tuple[str | None, str | None]:
    """Ask the library about a pre-checked value (``cleaned`` = digits, maybe a leading +)."""
    text = cleaned
    if region is None:
        if text.startswith("00"):
            text = "+" + text[2:]
        elif not text.startswith(("+", "0")):
            text = "+" + text
    e164, failure = _try_parse(text, region)
    if e164 is None and region is not None and not text.startswith(("+", "0")):
        e164, _ = _try_parse("+" + text, region)
    if e164 is not None:
        return e164, None
    return None, _failure_message(raw, text, failure)


def _try_parse(text: str, region: str | None) -> tuple[str | None, object]:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return None, exc
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    return None, number


def _failure_message(raw: str, text: str, failure: object) -> str:
    """Say what is wrong with the number and how to write it instead."""
    if isinstance(failure, NumberParseException):
        if failure.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            if text.startswith("+"):
                return (
                    f"'{raw}' does not start with a known country code: write it in international form, e.g. {EXAMPLE}"
                )
            return (
                f"'{raw}' has no country code and the row has no valid country: write it in international "
                f"form, e.g. {EXAMPLE}"
            )
        if failure.error_type == NumberParseException.TOO_LONG:
            return f"'{raw}' has too many digits for a phone number: write it in international form, e.g. {EXAMPLE}"
        return f"'{raw}' is not a phone number: write it in international form, e.g. {EXAMPLE}"
    assert isinstance(failure, phonenumbers.PhoneNumber)
    code = failure.country_code
    if text.startswith("+") and not text[1:].startswith(str(code)):
        return _failure_message(raw, text, NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, ""))
    region = phonenumbers.region_code_for_country_code(code)
    where = f"+{code} ({region})" if region not in ("001", "ZZ") else f"+{code}"
    reason = phonenumbers.is_possible_number_with_reason(failure)
    if reason == ValidationResult.TOO_SHORT:
        return f"'{raw}' is too short for a number in {where}: check the digits, e.g. {EXAMPLE}"
    if reason == ValidationResult.TOO_LONG:
        return f"'{raw}' is too long for a number in {where}: check the digits, e.g. {EXAMPLE}"
    return (
        f"'{raw}' is not a valid number in {where}: check the digits and the country, or write it in "
        f"international form, e.g. {EXAMPLE}"
    )


# --- the vectorized path --------------------------------------------------------------------------------------


def normalize_phones(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """E.164 for each value (same length and order): columns ``e164`` and ``error`` (a fix-it message).

    ``countries`` holds each row's ISO alpha-2 country; blank or unknown → only international forms work.
    Null or blank values give null in both columns (whether the cell is required is the schema's business).
    """
    if countries.len() != values.len():
        raise ValueError(f"countries has {countries.len()} values for {values.len()} phone numbers")
    raw, cleaned = pl.col("raw"), pl.col("cleaned")
    frame = (
        pl.DataFrame({"raw": values.cast(pl.String), "region": _regions(countries)})
        .with_row_index("idx")
        .with_columns(cleaned=raw.str.replace_all(_FORMAT_CLASS, ""))
        .with_columns(
            empty=raw.is_null() | raw.str.contains(_SPACES_ONLY),
            # exactly the values _precheck lets through: digits, at most a leading +
            plain=cleaned.str.contains(r"^\+?[0-9]+$"),
        )
    )
    todo = frame.filter(pl.col("plain"))
    fast = _fast_accept(todo)
    pending = todo.join(fast, on="idx", how="anti")
    flagged = frame.filter(~pl.col("empty") & ~pl.col("plain"))
    found = pl.concat([fast.with_columns(error=pl.lit(None, pl.String)), _library(pending), _refused(flagged)])
    e164 = pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias("e164")
    error = pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias("error")
    return pl.DataFrame([e164.scatter(found["idx"], found["e164"]), error.scatter(found["idx"], found["error"])])


def _regions(countries: pl.Series) -> pl.Series:
    """The phonenumbers region of each country cell (null when blank or unknown), like ``region_of``."""
    code = countries.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.select(pl.when(code.is_in(sorted(phonenumbers.SUPPORTED_REGIONS))).then(code)).to_series()


def _refused(flagged: pl.DataFrame) -> pl.DataFrame:
    """The pre-check message of each value that is not digits with an optional leading +."""
    distinct = flagged.select("raw").unique()
    messages = pl.Series("error", [_precheck(raw)[1] for raw in distinct["raw"]], dtype=pl.String)
    judged = distinct.with_columns(messages)
    return (
        flagged.select("idx", "raw")
        .join(judged, on="raw")
        .select("idx", pl.lit(None, pl.String).alias("e164"), "error")
    )


def _library(pending: pl.DataFrame) -> pl.DataFrame:
    """Judge each distinct (raw, region) once with the library; columns idx, e164, error."""
    distinct = pending.select("raw", "cleaned", "region").unique(["raw", "region"])
    verdicts = [judge(raw, cleaned, region) for raw, cleaned, region in distinct.iter_rows()]
    judged = distinct.select(
        "raw",
        "region",
        pl.Series("e164", [v[0] for v in verdicts], dtype=pl.String),
        pl.Series("error", [v[1] for v in verdicts], dtype=pl.String),
    )
    keys = pending.select("idx", "raw", "region")
    return keys.join(judged, on=["raw", "region"], nulls_equal=True).select("idx", "e164", "error")


def _fast_accept(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows the fast path clears without the library: columns idx, e164.

    Only a value whose outcome is certain is cleared: it must take a route through ``phonenumbers.parse``
    modelled here (after + or the international prefix; own country code typed without +; national with
    or without the trunk prefix) with no prefix handling we do not model, and pass ``is_valid_number``
    as re-stated in polars from the library's metadata (region choice by leading digits, general
    description, number types, possible lengths). Everything else is left for the library.
    """
    cleaned = pl.col("cleaned")
    no_region = pl.col("region").is_null()
    intl = (
        pl.when(cleaned.str.starts_with("+"))
        .then(cleaned.str.slice(1))
        .when(no_region & cleaned.str.starts_with("00"))
        .then(cleaned.str.slice(2))
        .when(no_region & ~cleaned.str.starts_with("0"))
        .then(cleaned)
    )
    frame = frame.select("idx", "region", "cleaned", intl.alias("intl"))
    national = frame.filter(pl.col("intl").is_null() & pl.col("region").is_not_null())
    accepted, international = [], [frame.select("idx", "intl").drop_nulls("intl")]
    for (region,), part in national.partition_by("region", as_dict=True).items():
        plan = _plan(str(region))
        if plan is not None:
            e164, intl_part = _national_route(plan, part)
            accepted.append(e164)
            international.append(intl_part)
    accepted.append(_international_route(pl.concat(international)))
    return pl.concat(accepted)


def _international_route(frame: pl.DataFrame) -> pl.DataFrame:
    """Clear ``intl`` digits (what follows + or the international prefix): columns idx, e164."""
    intl = pl.col("intl")
    cc = pl.lit(None, pl.String)
    for size in (3, 2, 1):  # the shortest known prefix wins, as in parse (calling codes are prefix-free)
        prefix = intl.str.slice(0, size)
        cc = pl.when(prefix.is_in(_CALLING_CODES) & (intl.str.len_chars() >= size)).then(prefix).otherwise(cc)
    done = [pl.DataFrame(schema={"idx": pl.UInt32, "e164": pl.String})]
    for (code,), part in frame.with_columns(cc=cc).drop_nulls("cc").partition_by("cc", as_dict=True).items():
        main = _plan(_MAIN_REGION[str(code)])
        nsn = pl.col("nsn")
        valid = _valid(str(code), nsn)
        if main is not None and valid is not None:
            part = part.with_columns(nsn=intl.str.slice(len(str(code))))
            done.append(part.filter(~_has_prefix(main.npp, nsn) & valid).select("idx", e164=pl.lit("+") + intl))
    return pl.concat(done)


def _national_route(plan: _Plan, part: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Digits without + in rows of the plan's region → (cleared rows: idx, e164; rows that start with the
    international prefix: idx, intl). Follows parse's order: international prefix, own country code typed
    without +, trunk prefix; ``_valid`` judges the national significant number."""
    digits, cc = pl.col("cleaned"), plan.cc
    part = part.with_columns(idd=_has_prefix(plan.idd, digits), with_cc=digits.str.starts_with(cc))
    after = pl.col("after")
    via_idd = (
        part.filter("idd")
        .with_columns(after=_without_prefix(plan.idd, digits))
        .filter(after.str.len_chars() > 0, ~after.str.starts_with("0"))  # else: parse's odd cases, the library's
        .select("idx", intl=after)
    )
    national = part.filter(~pl.col("idd") & ~pl.col("with_cc")).with_columns(nsn=_without_prefix(plan.npp, digits))
    national = national.filter(_valid(cc, pl.col("nsn"))).select("idx", e164=pl.lit(f"+{cc}") + pl.col("nsn"))
    return pl.concat([national, _own_code_route(plan, part.filter(~pl.col("idd") & pl.col("with_cc")))]), via_idd


def _own_code_route(plan: _Plan, part: pl.DataFrame) -> pl.DataFrame:
    """Digits that start with the region's own calling code but have no + (an Excel number cell).

    parse keeps the code as a country code when the whole is no national number (or too long); otherwise
    it reads the digits as national, and ``judge`` retries with + when that is invalid.
    """
    digits, after_cc = pl.col("cleaned"), pl.col("after_cc")
    main = _plan(_MAIN_REGION[plan.cc])
    if main is None:
        return pl.DataFrame(schema={"idx": pl.UInt32, "e164": pl.String})
    length = digits.str.len_chars()
    too_long = (length > max(plan.lengths or (99,))) & ~length.is_in(plan.local_lengths)
    part = part.with_columns(after_cc=digits.str.slice(len(plan.cc))).filter(
        ~_has_prefix(plan.npp, after_cc) & ~_has_prefix(main.npp, after_cc)
    )
    part = part.with_columns(
        as_code=~_matches(plan.general, digits) | too_long,
        rest_valid=_valid(plan.cc, after_cc),
        whole_valid=~_has_prefix(plan.npp, digits) & _valid(plan.cc, digits),
    )
    as_code, rest_valid, whole_valid = pl.col("as_code"), pl.col("rest_valid"), pl.col("whole_valid")
    e164 = (
        pl.when(as_code & rest_valid)
        .then(pl.lit("+") + digits)
        .when(~as_code & whole_valid)
        .then(pl.lit(f"+{plan.cc}") + digits)
        .when(~as_code & ~_has_prefix(plan.npp, digits) & rest_valid)
        .then(pl.lit("+") + digits)
    )
    return part.select("idx", e164.alias("e164")).drop_nulls("e164")


def _matches(pattern: str, text: pl.Expr) -> pl.Expr:
    return text.str.contains(f"^(?:{pattern})$")


def _has_prefix(pattern: str | None, text: pl.Expr) -> pl.Expr:
    """Whether ``re.match(pattern, text)`` succeeds (patterns that match the empty string have no plan)."""
    if not pattern:
        return pl.lit(False)
    return text.str.starts_with(pattern) if pattern.isdigit() else text.str.contains(f"^(?:{pattern})")


def _without_prefix(pattern: str | None, text: pl.Expr) -> pl.Expr:
    """``text`` after what ``re.match(pattern, text)`` matched (leftmost-first, as Python's re)."""
    if not pattern:
        return text
    return text.str.strip_prefix(pattern) if pattern.isdigit() else text.str.replace(f"^(?:{pattern})", "")


def _valid(cc: str, nsn: pl.Expr) -> pl.Expr | None:
    """``is_valid_number`` for a national significant number under calling code ``cc``, as a polars
    expression: the first region of the code that claims the number (by leading digits, or by being
    valid there) decides. None when a pattern does not compile in polars."""
    regions = _REGIONS_OF_CODE[cc]
    checks = [_check(region) for region in regions]
    if any(check is None for check in checks):
        return None
    keyed = nsn.str.len_chars().cast(pl.String) + ":" + nsn  # lets one regex test length and pattern together
    if len(regions) == 1:
        return keyed.str.contains(checks[0][1]) & keyed.str.contains(checks[0][2])  # type: ignore[index]
    chain: Any = pl
    for leading, general, types in checks:  # type: ignore[misc]
        valid = keyed.str.contains(general) & keyed.str.contains(types)
        chain = chain.when(nsn.str.contains(f"^(?:{leading})") if leading else valid).then(valid)
    return chain.otherwise(False)


@functools.cache
def _check(region: str) -> tuple[str | None, str, str] | None:
    """(leading digits, general regex, any-type regex) of a region, both regexes over "length:nsn":
    together they are ``_number_type_helper(...) != UNKNOWN``."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or not meta.general_desc.national_number_pattern:
        return None

    def keyed(desc: Any) -> str:
        lengths = "|".join(str(n) for n in desc.possible_length) or "[0-9]+"
        return f"(?:{lengths}):(?:{desc.national_number_pattern})"

    types = [getattr(meta, name) for name in _TYPES]
    any_type = "|".join(keyed(d) for d in types if d is not None and d.national_number_pattern) or "$^"
    check = (meta.leading_digits, f"^{keyed(meta.general_desc)}$", f"^(?:{any_type})$")
    return check if all(_compiles(p) for p in check if p) else None


@dataclass(frozen=True)
class _Plan:
    """How ``parse`` treats digits typed in one region: prefixes and the general description."""

    cc: str
    idd: str | None
    npp: str | None
    general: str
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]


_TYPES = [
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
]
_CALLING_CODES = sorted(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
_REGIONS_OF_CODE = {str(code): regions for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()}
_MAIN_REGION = {code: regions[0] for code, regions in _REGIONS_OF_CODE.items()}


@functools.cache
def _plan(region: str) -> _Plan | None:
    """The parse plan of a region, or None when the library must judge its numbers: a national prefix
    transform rule, a prefix pattern that matches nothing (empty), or a pattern polars cannot compile."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix_transform_rule or not meta.general_desc.national_number_pattern:
        return None
    general = meta.general_desc
    plan = _Plan(
        cc=str(meta.country_code),
        idd=meta.international_prefix,
        npp=meta.national_prefix_for_parsing,
        general=general.national_number_pattern,
        lengths=tuple(general.possible_length),
        local_lengths=tuple(general.possible_length_local_only),
    )
    if any(p is not None and re.match(p, "") for p in (plan.idd, plan.npp)):
        return None
    return plan if all(_compiles(p) for p in (plan.general, plan.idd, plan.npp) if p) else None


def _compiles(pattern: str) -> bool:
    try:
        pl.Series(["0"]).str.contains(f"^(?:{pattern})$")
    except pl.exceptions.PolarsError:
        return False
    return True


# --- lists and ranges -----------------------------------------------------------------------------------------


def expand_numbers(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """One row per number in each cell's list, ranges ``FIRST..LAST`` expanded.

    Columns: ``index`` (UInt32, position of the input row), ``item`` (the list item as typed; for a range,
    the range), ``e164``, ``error``. A bad range is one error row saying how to fix it; a null or empty cell
    gives no rows.
    """
    cells = pl.DataFrame({"item": split_list(values), "country": countries.cast(pl.String)})
    items = cells.with_row_index("index").explode("item").drop_nulls("item").with_row_index("pos")
    is_range = pl.col("item").str.contains("..", literal=True)
    singles = items.filter(~is_range)
    single_rows = pl.concat([singles, normalize_phones(singles["item"], singles["country"])], how="horizontal")
    parts = [single_rows.select("pos", "index", "item", pl.lit(0, pl.Int64).alias("n"), "e164", "error")]
    ranges = items.filter(is_range)
    if ranges.height:
        parts.append(_expand_ranges(ranges))
    result = pl.concat(parts).sort("pos", "n")
    return result.select("index", "item", "e164", "error")


def _expand_ranges(ranges: pl.DataFrame) -> pl.DataFrame:
    """Check each ``FIRST..LAST`` item and list its numbers; columns pos, index, item, n, e164, error."""
    ends = ranges.with_columns(parts=pl.col("item").str.split(".."))
    ends = ends.with_columns(
        first=pl.col("parts").list.get(0, null_on_oob=True).str.strip_chars(),
        last=pl.col("parts").list.get(1, null_on_oob=True).str.strip_chars(),
        two=pl.col("parts").list.len() == 2,
    )
    height = ends.height
    both = normalize_phones(pl.concat([ends["first"], ends["last"]]), pl.concat([ends["country"], ends["country"]]))
    ends = ends.with_columns(
        first_e164=both["e164"][:height],
        first_error=both["error"][:height],
        last_e164=both["e164"][height:],
        last_error=both["error"][height:],
    ).with_columns(
        low=pl.col("first_e164").str.slice(1).cast(pl.Int64, strict=False),
        high=pl.col("last_e164").str.slice(1).cast(pl.Int64, strict=False),
    )
    item = pl.col("item")
    example = "+358 9 4245 1000..+358 9 4245 1099"
    error = (
        pl.when(~pl.col("two") | (pl.col("first") == "") | (pl.col("last") == ""))
        .then(pl.format(f"'{{}}' is not a number range: write FIRST..LAST, e.g. {example}", item))
        .when(pl.col("first_error").is_not_null())
        .then(pl.format("'{}': the first number of the range is wrong: {}", item, pl.col("first_error")))
        .when(pl.col("last_error").is_not_null())
        .then(pl.format("'{}': the last number of the range is wrong: {}", item, pl.col("last_error")))
        .when(pl.col("first_e164").str.len_chars() != pl.col("last_e164").str.len_chars())
        .then(
            pl.format(
                f"'{{}}': both ends of a range need the same number of digits ({{}} vs {{}}), e.g. {example}",
                item,
                pl.col("first_e164"),
                pl.col("last_e164"),
            )
        )
        .when(pl.col("high") < pl.col("low"))
        .then(
            pl.format(
                "'{}': the range runs backwards; write the smaller number first: {}..{}",
                item,
                pl.col("last_e164"),
                pl.col("first_e164"),
            )
        )
        .when(pl.col("high") - pl.col("low") >= MAX_RANGE)
        .then(
            pl.format(
                f"'{{}}' holds {{}} numbers; a range may hold at most {MAX_RANGE}: split it into smaller ranges",
                item,
                pl.col("high") - pl.col("low") + 1,
            )
        )
    )
    checked = ends.with_columns(error=error)
    bad = checked.filter(pl.col("error").is_not_null()).select(
        "pos", "index", "item", pl.lit(0, pl.Int64).alias("n"), pl.lit(None, pl.String).alias("e164"), "error"
    )
    good = (
        checked.filter(pl.col("error").is_null())
        .with_columns(number=pl.int_ranges("low", pl.col("high") + 1))
        .explode("number")
        .with_columns(n=pl.col("number") - pl.col("low"), raw=pl.format("+{}", pl.col("number")))
    )
    numbers = normalize_phones(good["raw"], good["country"])
    good = pl.concat([good.select("pos", "index", "item", "n"), numbers], how="horizontal")
    return pl.concat([bad, good])
