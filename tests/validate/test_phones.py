"""Phone normalization: the accepted spellings, the fix-it errors, lists and ranges, and the fast path
agreeing exactly with the phonenumbers-only definition."""

from __future__ import annotations

import random

import phonenumbers
import polars as pl
import pytest

from batch.validate import phones
from batch.validate.phones import expand_numbers, normalize_phones, phone_reference, split_list


def normalize(value: str | None, country: str | None = "FI") -> tuple[str | None, str | None]:
    result = normalize_phones(pl.Series([value], dtype=pl.String), pl.Series([country], dtype=pl.String))
    return result.row(0)


@pytest.mark.parametrize(
    ("value", "country", "e164"),
    [
        ("+358 40 123 4567", "FI", "+358401234567"),
        ("+358-40-1234567", "FI", "+358401234567"),
        ("040 1234567", "FI", "+358401234567"),
        ("00358401234567", "FI", "+358401234567"),
        ("(09) 4245 1001", "FI", "+358942451001"),
        ("+358 9 4245 1001", "FI", "+358942451001"),
        ("358401234567", "FI", "+358401234567"),  # Excel number cell, own country code
        ("46701234567", "FI", "+46701234567"),  # Excel number cell, another country
        ("+1 (415) 555-0100", "US", "+14155550100"),
        ("011 358 40 123 4567", "US", "+358401234567"),  # the US international prefix
        ("070-123 45 67", "SE", "+46701234567"),
        ("030 123456", "DE", "+4930123456"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+358\u00a040\u00a0123\u00a04567", "FI", "+358401234567"),  # no-break spaces pasted from a web page
        ("040 1234567", " fi ", "+358401234567"),  # country cell spelled loosely
        ("+358 40 123 4567", None, "+358401234567"),
        ("00358401234567", None, "+358401234567"),
        ("358401234567", None, "+358401234567"),
    ],
)
def test_accepts_what_partners_type(value: str, country: str | None, e164: str) -> None:
    assert normalize(value, country) == (e164, None)


@pytest.mark.parametrize(
    ("value", "country", "fragment"),
    [
        ("040 123 ABC", "FI", "contains letters"),
        ("040#1234567", "FI", "contains '#'"),
        ("040 +1234567", "FI", "+ inside the number"),
        ("--", "FI", "is not a phone number"),
        ("12", "FI", "too short"),
        ("+358 40", "FI", "too short"),
        ("040 1234 5678 9012", "FI", "too long"),
        ("+358 00 123 4567", "FI", "not a valid number in +358 (FI)"),
        ("040 1234567", None, "no country code and the row has no valid country"),
        ("040 1234567", "Finland", "no country code and the row has no valid country"),
        ("+999 123 4567", "FI", "known country code"),
    ],
)
def test_rejects_with_a_fix_it_message(value: str, country: str | None, fragment: str) -> None:
    e164, error = normalize(value, country)
    assert e164 is None
    assert error is not None and fragment in error and f"'{value}'" in error
    assert "e.g. +358 40 123 4567" in error or "international form" in error


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_blank_is_null_not_an_error(value: str | None) -> None:
    assert normalize(value) == (None, None)


def test_same_length_and_order_and_all_null_countries() -> None:
    values = pl.Series(["+46 70 123 45 67", None, "12", "+358 40 123 4567"])
    result = normalize_phones(values, pl.Series([None] * 4, dtype=pl.Null))
    assert result.columns == ["e164", "error"]
    assert result["e164"].to_list() == ["+46701234567", None, None, "+358401234567"]
    assert result["error"].is_not_null().to_list() == [False, False, True, False]


def test_countries_must_match_values_in_length() -> None:
    with pytest.raises(ValueError, match="countries"):
        normalize_phones(pl.Series(["040 1234567"]), pl.Series(["FI", "SE"]))


def test_split_list_separators_trimming_and_ranges() -> None:
    cells = pl.Series(
        [
            "+358 9 4245 1000, +358 9 4245 1001;040 1234567\n 050 7654321 ;; ,",
            None,
            "+358 9 4245 1000..+358 9 4245 1099",
            "",
        ]
    )
    assert split_list(cells).to_list() == [
        ["+358 9 4245 1000", "+358 9 4245 1001", "040 1234567", "050 7654321"],
        [],
        ["+358 9 4245 1000..+358 9 4245 1099"],
        [],
    ]


def expand(*cells: str | None, country: str = "FI") -> pl.DataFrame:
    return expand_numbers(pl.Series(cells, dtype=pl.String), pl.Series([country] * len(cells)))


def test_expand_lists_and_a_range_in_order() -> None:
    result = expand("040 1234567; +358 9 4245 1000..+358 9 4245 1002", None, "050 7654321")
    assert result["index"].to_list() == [0, 0, 0, 0, 2]
    assert result["e164"].to_list() == [
        "+358401234567",
        "+358942451000",
        "+358942451001",
        "+358942451002",
        "+358507654321",
    ]
    assert result["item"][1] == "+358 9 4245 1000..+358 9 4245 1002"
    assert result["error"].null_count() == 5


def test_expand_range_written_nationally_and_single_item_errors() -> None:
    result = expand("09 4245 1000..09 4245 1001, 12")
    assert result["e164"].to_list() == ["+358942451000", "+358942451001", None]
    assert "'12'" in result["error"][2]


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("+358 9 4245 100..+358 9 4245 1000", "same number of digits"),
        ("+358 9 4245 1010..+358 9 4245 1000", "backwards"),
        ("+358 9 4245 1000..+358 9 4245 3000", "2001 numbers; a range may hold at most 1000"),
        ("+358 9 4245 1000..12", "last number of the range is wrong"),
        ("abc..+358 9 4245 1000", "first number of the range is wrong"),
        ("+358 9 4245 1000..", "not a number range"),
        ("1..2..3", "not a number range"),
    ],
)
def test_bad_range_is_one_error_row(cell: str, fragment: str) -> None:
    result = expand(cell)
    assert result.height == 1
    assert result.row(0)[:3] == (0, cell, None)
    assert fragment in result["error"][0]


def test_range_of_exactly_1000_numbers_is_fine() -> None:
    result = expand("+358 9 4245 1000..+358 9 4245 1999")
    assert result.height == 1000 and result["error"].null_count() == 1000
    assert result["e164"][-1] == "+358942451999"


def test_is_valid_not_merely_possible() -> None:
    """A Finnish number with a non-existent area code has the right length but is refused."""
    number = phonenumbers.parse("+358 00 123 4567")
    assert phonenumbers.is_possible_number(number)
    assert normalize("+358 00 123 4567")[0] is None


# --- the fast path must agree with the library-only definition -----------------------------------------------

REGIONS = ["FI", "SE", "DE", "US", "GB", "CA", "AX", "NO", "FR", "IT", "AR", "BR", "JP", "RU", "KZ", "AU", "GG", "CH"]
KINDS = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.UAN,
]


def tricky_values(count: int, seed: int) -> list[tuple[str | None, str | None]]:
    """Real example numbers of many regions, mutated and written in every way partners (mis)type them."""
    rng = random.Random(seed)
    examples = [(r, n) for r in REGIONS for k in KINDS if (n := phonenumbers.example_number_for_type(r, k))]
    examples.append((None, phonenumbers.example_number_for_non_geo_entity(800)))
    out: list[tuple[str | None, str | None]] = []
    for _ in range(count):
        region, number = rng.choice(examples)
        cc, nsn = str(number.country_code), phonenumbers.national_significant_number(number)
        if rng.random() < 0.4:  # a typo: a digit changed, dropped or added
            at = rng.randrange(len(nsn))
            nsn = rng.choice(
                [
                    nsn[:at] + str(rng.randrange(10)) + nsn[at + 1 :],
                    nsn[:at] + nsn[at + 1 :],
                    nsn[:at] + str(rng.randrange(10)) + nsn[at:],
                ]
            )
        value = rng.choice(
            [
                f"+{cc}{nsn}",
                f"+{cc} {nsn[:2]} {nsn[2:]}",
                f"+{cc} (0){nsn}",
                f"+{cc}0{nsn}",
                f"{cc}{nsn}",
                f"{rng.choice(['00', '011', '0011', '810', '99'])}{cc}{nsn}",
                f"0{nsn}",
                nsn,
                f"1{nsn}",
                f"8{nsn}",
                f"({nsn[:2]}) {nsn[2:]}",
                f"{nsn[:3]}-{nsn[3:]}",
                str(rng.randrange(10 ** rng.randrange(1, 16))),
                rng.choice(["12", "+", "abc", "+358 40+1", "  ", "0", "00", "+0", "٤٠", "\u00a0040 1234567", cc, None]),
            ]
        )
        country = rng.choice([region, region, rng.choice(REGIONS), None, "xx", " fi ", "001"])
        out.append((value, country))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_path_matches_library_only_path(seed: int) -> None:
    pairs = tricky_values(2500, seed)
    values = pl.Series([v for v, _ in pairs], dtype=pl.String)
    countries = pl.Series([c for _, c in pairs], dtype=pl.String)
    fast = normalize_phones(values, countries).rows()
    slow = [phone_reference(v, c) for v, c in pairs]
    mismatches = [(pair, f, s) for pair, f, s in zip(pairs, fast, slow, strict=True) if f != s]
    assert mismatches == []
    assert sum(e is not None for e, _ in slow) > 500  # the generator must produce plenty of valid numbers


def test_fast_path_clears_typical_numbers_without_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [
        "+358 40 123 4567",
        "040 1234567",
        "00358401234567",
        "358401234567",
        "(09) 4245 1001",
        "+1 (415) 555-0100",
        "070-123 45 67",
        "+49 30 123456",
        "020 7946 0018",
        "+358 18 123456",
        "12",
    ]
    countries = ["FI", "FI", "FI", "FI", "FI", "US", "SE", None, "GB", None, "FI"]
    expected = [phone_reference(v, c) for v, c in zip(values, countries, strict=True)]
    asked: list[str] = []
    library = phones.judge

    def judge(raw: str, cleaned: str, region: str | None) -> tuple[str | None, str | None]:
        asked.append(raw)
        return library(raw, cleaned, region)

    monkeypatch.setattr(phones, "judge", judge)
    result = normalize_phones(pl.Series(values), pl.Series(countries, dtype=pl.String))
    assert result.rows() == expected
    assert asked == ["12"]  # only the invalid value needed the library


def test_a_failing_number_is_explained_with_an_example_of_the_rows_country() -> None:
    from batch.validate.phones import phone_reference

    _, swedish = phone_reference("070 12", "SE")
    assert swedish is not None and "+46 " in swedish and "+358" not in swedish
    _, german = phone_reference("030 12", "DE")
    assert german is not None and "+49 " in german
    _, nowhere = phone_reference("0701234567", None)
    assert nowhere is not None and "+358" not in nowhere and "country code" in nowhere


def test_numbers_judged_in_slices_keep_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """``normalize_phones`` works through ``CHUNK_ROWS`` values at a time: each value keeps its own verdict,
    in input order, whatever slice it falls in (also values repeated across slices, judged once per slice)."""
    pairs = tricky_values(700, 3)
    values = pl.Series([v for v, _ in pairs] * 2, dtype=pl.String)
    countries = pl.Series([c for _, c in pairs] * 2, dtype=pl.String)
    whole = normalize_phones(values, countries)
    monkeypatch.setattr(phones, "CHUNK_ROWS", 97)
    sliced = normalize_phones(values, countries)
    assert sliced.rows() == whole.rows()
    assert sliced.rows()[:700] == [phone_reference(v, c) for v, c in pairs]
