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
from collections.abc import Callable
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


def _regions(countries: pl.Series, height: int) -> pl.Series:
    if countries.dtype == pl.Null or countries.len() != height:
        if countries.len() != height:
            raise ValueError(f"countries has {countries.len()} values for {height} phone numbers")
        return pl.Series("region", [None] * height, dtype=pl.String)
    code = countries.cast(pl.String).str.strip_chars().str.to_uppercase()
    known = sorted(phonenumbers.SUPPORTED_REGIONS)
    return pl.select(pl.when(code.is_in(known)).then(code).alias("region")).to_series()


def _prepare(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """Our pre-checks, vectorized exactly like ``_precheck``: cleaned text, or the error it earned."""
    raw = pl.col("raw")
    bad = raw.str.extract(_BAD_CHAR, 1)
    cleaned = raw.str.replace_all(_FORMAT_CLASS, "")
    frame = pl.DataFrame({"raw": values.cast(pl.String), "region": _regions(countries, values.len())})
    return (
        frame.with_row_index("idx")
        .with_columns(
            empty=raw.is_null() | raw.str.contains(_SPACES_ONLY),
            bad=bad,
            cleaned=cleaned,
        )
        .with_columns(
            error=pl.when(pl.col("empty"))
            .then(None)
            .when(pl.col("bad").str.contains("^[A-Za-z]$"))
            .then(
                pl.format(
                    f"'{{}}' is not a phone number: it contains letters; write only the number, e.g. {EXAMPLE}", raw
                )
            )
            .when(pl.col("bad").is_not_null())
            .then(
                pl.format(
                    f"'{{}}' is not a phone number: it contains '{{}}'; use digits, spaces and + - ( ) only, "
                    f"e.g. {EXAMPLE}",
                    raw,
                    pl.col("bad"),
                )
            )
            .when(~pl.col("cleaned").str.contains("[0-9]"))
            .then(pl.format(f"'{{}}' is not a phone number: write it in international form, e.g. {EXAMPLE}", raw))
            .when(pl.col("cleaned").str.slice(1).str.contains("+", literal=True))
            .then(
                pl.format(f"'{{}}' has a + inside the number: put + only before the country code, e.g. {EXAMPLE}", raw)
            ),
        )
        .with_columns(todo=~pl.col("empty") & pl.col("error").is_null())
    )


def _library(pending: pl.DataFrame) -> pl.DataFrame:
    """Judge each distinct (raw, region) once with the library; columns idx, e164, error."""
    distinct = pending.select("raw", "cleaned", "region").unique(["raw", "region"])
    verdicts = [judge(raw, cleaned, region) for raw, cleaned, region in distinct.iter_rows()]
    judged = distinct.with_columns(
        pl.Series("lib_e164", [v[0] for v in verdicts], dtype=pl.String),
        pl.Series("lib_error", [v[1] for v in verdicts], dtype=pl.String),
    ).drop("cleaned")
    return pending.select("idx", "raw", "region").join(judged, on=["raw", "region"], how="left", nulls_equal=True)


def normalize_phones(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """E.164 for each value (same length and order): columns ``e164`` and ``error`` (a fix-it message).

    ``countries`` holds each row's ISO alpha-2 country; blank or unknown → only international forms work.
    Null or blank values give null in both columns (whether the cell is required is the schema's business).
    """
    frame = _prepare(values, countries)
    fast = _fast_accept(frame.filter(pl.col("todo")))
    pending = frame.filter(pl.col("todo")).join(fast, on="idx", how="anti")
    judged = _library(pending).select("idx", "lib_e164", "lib_error")
    out = frame.select("idx", "error").join(fast, on="idx", how="left", maintain_order="left")
    out = out.join(judged, on="idx", how="left", maintain_order="left")
    return out.select(
        pl.coalesce("e164", "lib_e164").alias("e164"),
        pl.coalesce("error", "lib_error").alias("error"),
    )


def _fast_accept(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows the fast path clears without the library: columns idx, e164.

    Only a value whose outcome is certain is cleared: it must take a route through ``phonenumbers.parse``
    modelled here (after + or the international prefix; own country code typed without +; national with
    or without the trunk prefix) with no prefix stripping we do not model, and pass ``is_valid_number``
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
    accepted, via_idd = [], [frame.select("idx", "intl").drop_nulls("intl")]
    for (region,), part in national.partition_by("region", as_dict=True).items():
        done = _national_route(str(region), part)
        if done is not None:
            accepted.append(done.select("idx", "e164").drop_nulls("e164"))
            via_idd.append(done.select("idx", "intl").drop_nulls("intl"))
    accepted.append(_international_route(pl.concat(via_idd)))
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
        if main is None or valid is None:
            continue
        part = part.with_columns(nsn=intl.str.slice(len(str(code))))
        done.append(part.filter(_unprefixed(main, nsn) & valid).select("idx", e164=pl.lit("+") + intl))
    return pl.concat(done)


def _national_route(region: str, part: pl.DataFrame) -> pl.DataFrame | None:
    """Digits without + in rows of ``region`` → columns idx, e164 (when cleared), intl (the digits after
    the international prefix, for ``_international_route``). Follows parse's order: international
    prefix, own country code typed without +, trunk prefix. None when the library must judge them all."""
    plan = _plan(region)
    main = _plan(_MAIN_REGION[plan.cc]) if plan else None
    if plan is None or main is None or _valid(plan.cc, pl.col("x")) is None:
        return None
    digits, after, cc_len = pl.col("cleaned"), pl.col("after"), len(plan.cc)
    hit = digits.str.contains(f"^(?:{plan.idd})") if plan.idd else pl.lit(False)
    part = part.with_columns(
        hit=hit, after=pl.when(hit).then(digits.str.replace(f"^(?:{plan.idd})", "") if plan.idd else None),
        with_cc=digits.str.starts_with(plan.cc), after_cc=digits.str.slice(cc_len),
        trunk=digits.str.slice(_prefix_len(plan, digits)),
    ).with_columns(
        to_intl=pl.col("hit") & (after != digits) & (after != "") & ~after.str.starts_with("0"),
        domestic=~pl.col("hit") | ((after != digits) & after.str.starts_with("0")),
        candidate=pl.when(pl.col("with_cc")).then(pl.col("after_cc")).otherwise(pl.col("trunk")),
    )
    length = digits.str.len_chars()
    too_long = (length > max(plan.lengths or (99,))) & ~length.is_in(plan.local_lengths)
    after_cc = pl.col("after_cc")
    # Own country code without +: parse keeps it as the country code when the whole is no national
    # number (or too long); else it reads the digits as national, and we retry with + when that is invalid.
    as_code = ~_matches(plan.general, digits) | too_long
    part = part.with_columns(
        ok_candidate=pl.col("domestic") & _valid(plan.cc, pl.col("candidate")),
        code_clean=_unprefixed(plan, after_cc) & _unprefixed(main, after_cc),
        as_code=pl.when(pl.col("with_cc")).then(as_code),
        whole_valid=pl.when(pl.col("with_cc") & ~as_code & _unprefixed(plan, digits)).then(_valid(plan.cc, digits)),
    )
    ok, with_cc, code_clean = pl.col("ok_candidate"), pl.col("with_cc"), pl.col("code_clean")
    whole_valid = pl.col("whole_valid")
    e164 = (
        pl.when(~with_cc & ok).then(pl.lit(f"+{plan.cc}") + pl.col("candidate"))
        .when(with_cc & pl.col("domestic") & code_clean & pl.col("as_code") & ok).then(pl.lit("+") + digits)
        .when(with_cc & pl.col("domestic") & code_clean & whole_valid).then(pl.lit(f"+{plan.cc}") + digits)
        .when(with_cc & pl.col("domestic") & code_clean & (whole_valid == False) & ok)  # noqa: E712
        .then(pl.lit("+") + digits)
    )
    return part.select("idx", e164.alias("e164"), pl.when(pl.col("to_intl")).then(after).alias("intl"))


def _matches(pattern: str, text: pl.Expr) -> pl.Expr:
    return text.str.contains(f"^(?:{pattern})$")


def _prefix_len(plan: _Plan, digits: pl.Expr) -> pl.Expr:
    """Length of the national (trunk) prefix that parse would look at; 0 when none."""
    if not plan.npp:
        return pl.lit(0, pl.UInt32)
    return digits.str.extract(f"^({plan.npp})", 1).str.len_chars().fill_null(0)


def _unprefixed(plan: _Plan, nsn: pl.Expr) -> pl.Expr:
    """True when parse would strip nothing from ``nsn`` (else it is the library's case)."""
    return _prefix_len(plan, nsn) == 0


def _valid(cc: str, nsn: pl.Expr) -> pl.Expr | None:
    """``is_valid_number`` for a national significant number under calling code ``cc``, as a polars
    expression: the first region of the code that claims the number (by leading digits, or by being
    valid there) decides. None when a pattern does not compile in polars."""
    regions = _REGIONS_OF_CODE[cc]
    if any(_check(region) is None for region in regions):
        return None
    if len(regions) == 1:
        return _check(regions[0])[1](nsn)  # type: ignore[index]
    chain: Any = pl
    for region in regions:
        leading, check = _check(region)  # type: ignore[misc]
        chain = chain.when(nsn.str.contains(f"^(?:{leading})") if leading else check(nsn)).then(check(nsn))
    return chain.otherwise(False)


@functools.cache
def _check(region: str) -> tuple[str | None, Callable[[pl.Expr], pl.Expr]] | None:
    """(leading digits, number-type check) of a region: ``_number_type_helper(...) != UNKNOWN``."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or not meta.general_desc.national_number_pattern:
        return None
    descs = [meta.general_desc] + [getattr(meta, name) for name in _TYPES]
    tests = [
        (tuple(n for n in d.possible_length), d.national_number_pattern)
        for d in descs
        if d is not None and d.national_number_pattern
    ]
    if not all(_compiles(pattern) for _, pattern in tests) or not _compiles(meta.leading_digits or ""):
        return None
    general, types = tests[0], tests[1:]

    def matching(desc: tuple[tuple[int, ...], str], nsn: pl.Expr) -> pl.Expr:
        lengths, pattern = desc
        return nsn.str.len_chars().is_in(lengths) & _matches(pattern, nsn) if lengths else _matches(pattern, nsn)

    def check(nsn: pl.Expr) -> pl.Expr:
        any_type = pl.lit(False)
        for desc in types:
            any_type = any_type | matching(desc, nsn)
        return matching(general, nsn) & any_type

    return meta.leading_digits, check


@dataclass(frozen=True)
class _Plan:
    """How ``parse`` treats digits typed in one region: prefixes and the general description."""

    cc: str
    idd: str | None
    npp: str | None
    general: str
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]


_TYPES = (
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
)
_CALLING_CODES = sorted(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
_REGIONS_OF_CODE = {str(code): regions for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()}
_MAIN_REGION = {code: regions[0] for code, regions in _REGIONS_OF_CODE.items()}


@functools.cache
def _plan(region: str) -> _Plan | None:
    """The parse plan of a region, or None when the library must judge its numbers (a national prefix
    transform rule, or a pattern polars' regex engine cannot compile)."""
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
