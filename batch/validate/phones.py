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
path (``batch.validate.phone_fastpath``) built from the library's own metadata and hands only the rest to the
library, once per distinct value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException, ValidationResult

from batch.validate.phone_fastpath import fast_accept
from schemas.examples import range_example

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


def _precheck(raw: str, region: str | None = None) -> tuple[str | None, str | None]:
    """Our own rules before the library: returns (digits with optional leading +, error)."""
    bad = re.search(_BAD_CHAR, raw)
    example = example_for(region)
    if bad:
        char = bad.group(1)
        if char.isascii() and char.isalpha():
            return None, f"'{raw}' is not a phone number: it contains letters; write only the number, e.g. {example}"
        return (
            None,
            f"'{raw}' is not a phone number: it contains '{char}'; use digits, spaces and + - ( ) only, e.g. {example}",
        )
    cleaned = re.sub(_FORMAT_CLASS, "", raw)
    if not re.search("[0-9]", cleaned):
        return None, f"'{raw}' is not a phone number: write it in international form, e.g. {example}"
    if "+" in cleaned[1:]:
        return None, f"'{raw}' has a + inside the number: put + only before the country code, e.g. {example}"
    return cleaned, None


def phone_reference(raw: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(e164, error) for one value, library only: the definition ``normalize_phones`` must reproduce."""
    if raw is None or re.search(_SPACES_ONLY, raw):
        return None, None
    region = region_of(country)
    cleaned, error = _precheck(raw, region)
    if cleaned is None:
        return None, error
    return judge(raw, cleaned, region)


def judge(raw: str, cleaned: str, region: str | None) -> tuple[str | None, str | None]:
    """Ask the library about a pre-checked value (``cleaned`` = digits, maybe a leading +)."""
    text = cleaned
    if region is None:
        if text.startswith("00"):
            text = "+" + text[2:]
        elif not text.startswith(("+", "0")):
            text = "+" + text
    e164, failure = _try_parse(text, region)
    if e164 is not None and region is not None and _code_twice(text, e164, region):
        meant, _ = _try_parse("+" + text, region)
        if meant is not None:
            return None, _code_twice_message(raw, meant)
    if e164 is None and region is not None and not text.startswith(("+", "0")):
        e164, _ = _try_parse("+" + text, region)
    if e164 is not None:
        return e164, None
    return None, _failure_message(raw, text, failure, region)


def _code_twice(text: str, e164: str, region: str) -> bool:
    """Digits that start with the country's code but were read as a national number, so the code is in the
    number twice (``495114209701`` in DE → +49 4951 14209701): what an Excel number cell does to +49 511
    4209701. The digits are also a valid number with that code in front, so which was meant is a guess."""
    code = str(phonenumbers.country_code_for_region(region))
    return not text.startswith(("+", "0")) and text.startswith(code) and e164 == f"+{code}{text}"


def _code_twice_message(raw: str, meant: str) -> str:
    """Propose the number with its country code once, never the doubled reading."""
    shown = phonenumbers.format_number(phonenumbers.parse(meant), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    how = "Excel stored this as a number, so its + was lost" if raw.isdigit() else "it starts with the country code"
    return (
        f"'{raw}': {how}; did you mean {shown}? Write it with the + (in Excel, as Text), or with its leading 0 if it "
        "is a national number"
    )


def _try_parse(text: str, region: str | None) -> tuple[str | None, object]:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return None, exc
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    return None, number


@cache
def example_for(region: str | None) -> str:
    """How a number of ``region`` looks in international form (a mobile number), so a message shows the
    row's own country rather than a Finnish example; without a region, the form in words."""
    if region is None:
        return "+ and the country code first, like +46 70 123 45 67 or +49 30 123456"
    if region == "FI":
        return EXAMPLE
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    number = number or phonenumbers.example_number(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL) if number else EXAMPLE


def _failure_message(raw: str, text: str, failure: object, region: str | None = None) -> str:
    """Say what is wrong with the number and how to write it instead, with an example of the row's country."""
    example = example_for(region)
    if isinstance(failure, NumberParseException):
        if failure.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            if text.startswith("+"):
                return (
                    f"'{raw}' does not start with a known country code: write it in international form, e.g. {example}"
                )
            return (
                f"'{raw}' has no country code and the row has no valid country: write it in international "
                f"form, e.g. {example}"
            )
        if failure.error_type == NumberParseException.TOO_LONG:
            return f"'{raw}' has too many digits for a phone number: write it in international form, e.g. {example}"
        return f"'{raw}' is not a phone number: write it in international form, e.g. {example}"
    assert isinstance(failure, phonenumbers.PhoneNumber)
    code = failure.country_code
    assert code is not None  # parse sets it on every number it returns
    if text.startswith("+") and not text[1:].startswith(str(code)):
        return _failure_message(raw, text, NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, ""), region)
    found = phonenumbers.region_code_for_country_code(code)
    where = f"+{code} ({found})" if found not in ("001", "ZZ") else f"+{code}"
    example = example_for(found if found not in ("001", "ZZ") else region)
    reason = phonenumbers.is_possible_number_with_reason(failure)
    if reason == ValidationResult.TOO_SHORT:
        return f"'{raw}' is too short for a number in {where}: check the digits, e.g. {example}"
    if reason == ValidationResult.TOO_LONG:
        return f"'{raw}' is too long for a number in {where}: check the digits, e.g. {example}"
    return (
        f"'{raw}' is not a valid number in {where}: check the digits and the country, or write it in "
        f"international form, e.g. {example}"
    )


# --- the vectorized path --------------------------------------------------------------------------------------


def normalize_phones(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """E.164 for each value (same length and order): columns ``e164`` and ``error`` (a fix-it message).

    ``countries`` holds each row's ISO alpha-2 country; blank or unknown → only international forms work.
    Null or blank values give null in both columns (whether the cell is required is the schema's business).
    """
    if countries.len() != values.len():
        raise ValueError(f"countries has {countries.len()} values for {values.len()} phone numbers")
    return _in_slices(_normalize, values, countries)


def _in_slices(judge: Callable[[pl.Series, pl.Series], pl.DataFrame], values: pl.Series, by: pl.Series) -> pl.DataFrame:
    if values.len() <= CHUNK_ROWS:
        return judge(values, by)
    slices = range(0, values.len(), CHUNK_ROWS)
    parts = [judge(values.slice(at, CHUNK_ROWS), by.slice(at, CHUNK_ROWS)) for at in slices]
    return pl.concat(parts, how="vertical").rechunk()


#: Values judged at once. The fast path's intermediate frames (cleaned text, regions, partitions, joins) for a
#: million users' numbers took ~400 MiB at once; in slices of this many they stay under 100 MiB. A value that
#: repeats across slices is asked of the library once per slice (same verdict, a little more time).
CHUNK_ROWS = 200_000


def _normalize(values: pl.Series, countries: pl.Series) -> pl.DataFrame:
    """``normalize_phones`` for one slice."""
    raw, cleaned = pl.col("raw"), pl.col("cleaned")
    frame = (
        pl.DataFrame({"raw": values.cast(pl.String), "region": _regions(countries)})
        .with_row_index("idx")
        # each formatting character removed (as _precheck's re.sub): literal replacement is 1.5× the regex's speed
        .with_columns(cleaned=raw.str.replace_many(list(FORMATTING), [""] * len(FORMATTING)))
        .with_columns(
            empty=raw.is_null() | raw.str.contains(_SPACES_ONLY),
            # exactly the values _precheck lets through: digits, at most a leading +
            plain=cleaned.str.contains(r"^\+?[0-9]+$"),
        )
    )
    flagged = frame.filter(~pl.col("empty") & ~pl.col("plain"))
    return _judged(frame.filter(pl.col("plain")), _refused(flagged), values.len())


def _normalize_digits(numbers: pl.Series, regions: pl.Series) -> pl.DataFrame:
    """``normalize_phones`` for one slice of numbers this module wrote (``+`` and digits: a range's numbers) with
    their regions already read: nothing to clean, nothing to refuse (1.1 million range numbers: 0.16 s less)."""
    frame = pl.DataFrame({"raw": numbers, "region": regions}).with_row_index("idx").with_columns(cleaned=pl.col("raw"))
    return _judged(frame, pl.DataFrame(schema={"idx": pl.UInt32, "e164": pl.String, "error": pl.String}), numbers.len())


def _judged(todo: pl.DataFrame, refused: pl.DataFrame, height: int) -> pl.DataFrame:
    """``todo``'s plain values (idx, raw, region, cleaned) judged, by the fast path or else the library, and
    ``refused``'s verdicts, as columns ``e164`` and ``error`` of ``height`` rows."""
    fast = fast_accept(todo)
    pending = todo.join(fast, on="idx", how="anti")
    found = pl.concat([fast.with_columns(error=pl.lit(None, pl.String)), _library(pending), refused])
    e164 = pl.repeat(None, height, dtype=pl.String, eager=True).alias("e164")
    error = pl.repeat(None, height, dtype=pl.String, eager=True).alias("error")
    return pl.DataFrame([e164.scatter(found["idx"], found["e164"]), error.scatter(found["idx"], found["error"])])


def _regions(countries: pl.Series) -> pl.Series:
    """The phonenumbers region of each country cell (null when blank or unknown), like ``region_of``; read once per
    distinct cell (a batch has a few countries): trimming and upper-casing a million cells took 60% longer."""
    cells = countries.cast(pl.String)
    code = (distinct := cells.unique().drop_nulls()).str.strip_chars().str.to_uppercase()
    regions = pl.select(pl.when(code.is_in(sorted(phonenumbers.SUPPORTED_REGIONS))).then(code)).to_series()
    return cells.replace_strict(distinct, regions, default=None, return_dtype=pl.String)


def _refused(flagged: pl.DataFrame) -> pl.DataFrame:
    """The pre-check message of each value that is not digits with an optional leading +."""
    distinct = flagged.select("raw", "region").unique()
    messages = [_precheck(raw, region)[1] for raw, region in distinct.iter_rows()]
    judged = distinct.with_columns(pl.Series("error", messages, dtype=pl.String))
    return (
        flagged.select("idx", "raw", "region")
        .join(judged, on=["raw", "region"], nulls_equal=True)
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


#: A range in the Finnish test numbers the column documentation uses.
RANGE_EXAMPLE = "+358 9 4245 1000..+358 9 4245 1099"


def _range_examples(regions: pl.Series) -> pl.Series:
    """A range of each row's region (the documentation's own for Finland and rows without a country)."""
    examples = {region: range_example(region) for region in regions.unique().drop_nulls() if region != "FI"}
    shown = regions.replace_strict(examples, default=RANGE_EXAMPLE, return_dtype=pl.String)
    return shown.fill_null(RANGE_EXAMPLE).alias("__range_example")


def _expand_ranges(ranges: pl.DataFrame) -> pl.DataFrame:
    """Check each ``FIRST..LAST`` item and list its numbers; columns pos, index, item, n, e164, error."""
    ends = ranges.with_columns(parts=pl.col("item").str.split(".."))
    regions = _regions(ends["country"])
    ends = ends.with_columns(
        regions.alias("region"),
        _range_examples(regions),
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
    item, example = pl.col("item"), pl.col("__range_example")
    error = (
        pl.when(~pl.col("two") | (pl.col("first") == "") | (pl.col("last") == ""))
        .then(pl.format("'{}' is not a number range: write FIRST..LAST, e.g. {}", item, example))
        .when(pl.col("first_error").is_not_null())
        .then(pl.format("'{}': the first number of the range is wrong: {}", item, pl.col("first_error")))
        .when(pl.col("last_error").is_not_null())
        .then(pl.format("'{}': the last number of the range is wrong: {}", item, pl.col("last_error")))
        .when(pl.col("first_e164").str.len_chars() != pl.col("last_e164").str.len_chars())
        .then(
            pl.format(
                "'{}': both ends of a range need the same number of digits ({} vs {}), e.g. {}",
                item,
                pl.col("first_e164"),
                pl.col("last_e164"),
                example,
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
    bad = (
        checked.lazy()
        .filter(pl.col("error").is_not_null())
        .select("pos", "index", "item", pl.lit(0, pl.Int64).alias("n"), pl.lit(None, pl.String).alias("e164"), "error")
        .collect()
    )
    good = (
        checked.lazy()  # only what the numbers need is exploded: every column of the ends was 350 MiB at 1M numbers
        .filter(pl.col("error").is_null())
        .select("pos", "index", "item", "region", "low", number=pl.int_ranges("low", pl.col("high") + 1))
        .explode("number")
        .select("pos", "index", "item", "region", n=pl.col("number") - pl.col("low"), raw=pl.format("+{}", "number"))
        .collect()
    )
    numbers = _in_slices(_normalize_digits, good["raw"], good["region"])
    good = pl.concat([good.select("pos", "index", "item", "n"), numbers], how="horizontal")
    return pl.concat([bad, good])
