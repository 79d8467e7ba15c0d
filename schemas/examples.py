"""Examples of a good value in a given country, so a message on a German row says ``Europe/Berlin``, ``de_de``
and ``+49 30 123456``, not the Finnish examples of the column documentation.

The documentation's examples (``ColumnDoc.example``) are Finnish; they stay as they are for Finnish rows. For
another country a column's example comes from data that knows that country: time zones from tzdata's
``zone.tab`` (the zone of phonenumbers' example number where a country has several), numbers from
phonenumbers' example numbers, languages and postal codes from the short tables below. Where no fact about
the country is at hand (a German street for ``address_line1``) there is no example rather than a Finnish one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import phonenumbers

from schemas.vocab import countries, timezones

#: The country the column documentation's examples come from.
DOCS_COUNTRY = "FI"

#: Columns whose documented example is a Finnish name, address or person: shown on Finnish rows only.
LOCAL_COLUMNS = frozenset(
    {
        "company_name",
        "admin_email",
        "email",
        "first_name",
        "last_name",
        "address_line1",
        "address_line2",
        "city",
        "state_or_province",
        "hq_location_name",
        "location_name",
    }
)
LANGUAGE_COLUMNS = frozenset({"location_language", "preferred_language", "announcement_language"})
PHONE_COLUMNS = frozenset({"phone_number", "main_number"})

#: Country → (email language, announcement language) written as the columns want them.
LANGUAGES: dict[str, tuple[str, str]] = {
    "AT": ("de", "de_de"), "AU": ("en", "en_au"), "BE": ("nl", "nl_nl"), "BR": ("pt", "pt_br"),
    "CA": ("en", "en_us"), "CH": ("de", "de_de"), "CN": ("zh", "zh_cn"), "DE": ("de", "de_de"),
    "DK": ("da", "da_dk"), "ES": ("es", "es_es"), "FI": ("fi", "fi_fi"), "FR": ("fr", "fr_fr"),
    "GB": ("en", "en_gb"), "IE": ("en", "en_gb"), "IT": ("it", "it_it"), "JP": ("ja", "ja_jp"),
    "KR": ("ko", "ko_kr"), "LU": ("fr", "fr_fr"), "MX": ("es", "es_es"), "NL": ("nl", "nl_nl"),
    "NO": ("nb", "nb_no"), "NZ": ("en", "en_gb"), "PL": ("pl", "pl_pl"), "PT": ("pt", "pt_pt"),
    "SE": ("sv", "sv_se"), "US": ("en", "en_us"), "ZA": ("en", "en_gb"),
}  # fmt: skip
#: The zone to show where phonenumbers' example number lies elsewhere than most people (Irkutsk for Russia).
ZONES: dict[str, str] = {"CA": "America/Toronto", "KZ": "Asia/Almaty", "RU": "Europe/Moscow"}
#: A real postal code of each country, as its people write it.
POSTAL_CODES: dict[str, str] = {
    "AT": "1010", "BE": "1000", "CH": "8001", "DE": "10115", "DK": "1050", "EE": "10111", "ES": "28001",
    "FR": "75001", "GB": "SW1A 1AA", "IE": "D02 X285", "IT": "00184", "NL": "1012 AB", "NO": "0150",
    "PL": "00-950", "PT": "1100-148", "SE": "111 22", "US": "10001",
}  # fmt: skip


def column_example(column: str, country: str, documented: str) -> str | None:
    """The example of ``column`` for a row in ``country`` (ISO alpha-2); ``documented`` is the docs' one."""
    if not documented or country == DOCS_COUNTRY:
        return documented or None
    if column in LOCAL_COLUMNS:
        return None
    if column == "timezone":
        return timezone_example(country)
    if column == "language":
        return LANGUAGES.get(country, ("en", "en_us"))[0]
    if column in LANGUAGE_COLUMNS:
        return LANGUAGES.get(country, ("en", "en_us"))[1]
    if column == "country":
        return country
    if column in PHONE_COLUMNS:
        return number_example(country)
    if column == "numbers":
        return range_example(country)
    if column == "postal_code":
        return POSTAL_CODES.get(country)
    if column in ("external_id", "customer_external_id"):
        return f"{country}-000123"
    return documented


def country_named(country: str) -> str:
    """``DE for Germany``: how the country-code message shows a code."""
    name = _country_names().get(country)
    return f"{country} for {name}" if name else country


@cache
def timezone_example(country: str) -> str | None:
    """The country's time zone; of several, the one of its example phone number's area (America/New_York)."""
    zones = [zone for zone in _zones().get(country, ()) if zone in set(timezones())]
    if not zones:
        return None
    if ZONES.get(country) in zones:
        return ZONES[country]
    from phonenumbers import timezone as number_zones

    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    for zone in number_zones.time_zones_for_number(example) if example else ():
        if zone in zones:
            return zone
    return zones[0]


@cache
def number_example(country: str | None) -> str | None:
    """A landline number of the country in international form (``+49 30 123456``)."""
    if country not in phonenumbers.SUPPORTED_REGIONS:
        return None
    number = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    number = number or phonenumbers.example_number(country)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL) if number else None


@cache
def range_example(country: str | None) -> str | None:
    """Ten numbers of the country written as a range (``+49 30 123450..+49 30 123459``)."""
    first = number_example(country)
    if first is None:
        return None
    parsed = phonenumbers.parse(first)
    national = phonenumbers.national_significant_number(parsed)
    base = national[:-1] + "0"
    ends = [phonenumbers.parse(f"+{parsed.country_code}{base[:-1]}{digit}") for digit in "09"]
    low, high = (phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL) for n in ends)
    return f"{low}..{high}"


@cache
def _zones() -> dict[str, tuple[str, ...]]:
    """Country → its zones in ``zone.tab`` order."""
    zones: dict[str, list[str]] = {}
    for line in _tab("zone.tab"):
        code, _, zone = line.split("\t")[:3]
        zones.setdefault(code, []).append(zone)
    return {code: tuple(names) for code, names in zones.items()}


@cache
def _country_names() -> dict[str, str]:
    names = dict(line.split("\t")[:2] for line in _tab("iso3166.tab"))
    return {code: name for code, name in names.items() if code in set(countries())}


def _tab(name: str) -> list[str]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]
