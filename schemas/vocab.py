"""Controlled vocabularies the input is checked against and the template offers as drop-downs.

Package names and add-on rules come from the official Wholesale spec (webex-api.md §2.7, §3.1).
"""

from __future__ import annotations

import zoneinfo
from functools import cache

import phonenumbers

#: ``WholesalePackagesCustomer`` in webex-wholesale.json.
CUSTOMER_PACKAGES: tuple[str, ...] = (
    "common_area_calling",
    "webex_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
    "cisco_calling_plan",
    "attendant_console",
    "cx_premium_agent",
    "cx_standard_agent",
    "cx_voice_ports",
    "cx_ai_assistant",
    "webex_ai_agent",
)

#: ``WholesalePackagesSubscriber``: what a user can be given (exactly one).
SUBSCRIBER_PACKAGES: tuple[str, ...] = (
    "webex_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
    "attendant_console",
    "cx_premium_agent",
    "cx_standard_agent",
)

#: Packages that provision Webex Calling and so need a calling location (customer) or a number/extension (user).
CALLING_PACKAGES: frozenset[str] = frozenset(
    {
        "common_area_calling",
        "webex_calling",
        "webex_suite",
        "webex_voice",
        "cx_essentials",
        "webex_calling_standard",
        "attendant_console",
        "cx_premium_agent",
        "cx_standard_agent",
    }
)

#: Add-on → the packages of which at least one must also be present (spec text of POST customer).
ADDON_DEPENDENCIES: dict[str, frozenset[str]] = {
    "cisco_calling_plan": frozenset(
        {
            "common_area_calling",
            "webex_calling",
            "webex_suite",
            "webex_voice",
            "cx_essentials",
            "webex_calling_standard",
        }
    ),
    "attendant_console": frozenset({"webex_calling", "webex_suite", "cx_essentials"}),
}

#: Add-ons cannot be a customer's package level (its first package).
ADDONS: frozenset[str] = frozenset(ADDON_DEPENDENCIES)

#: What a yes/no cell may say, per language partners write in (any case): the words, their short forms, and
#: the names Excel of that language gives TRUE and FALSE (a CSV export of a boolean cell holds ``WAHR``).
YES_NO_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "English": (("yes", "y", "true", "x", "1"), ("no", "n", "false", "0")),
    "Finnish": (("kyllä", "kylla", "k", "tosi"), ("ei", "e", "epätosi")),
    "German": (("ja", "j", "wahr"), ("nein", "falsch")),
    "Swedish": (("ja", "sant"), ("nej", "falskt")),
    "Danish": (("ja", "sand"), ("nej", "falsk")),
    "Norwegian": (("ja", "sann"), ("nei", "nej", "usann")),
    "Dutch": (("ja", "waar"), ("nee", "onwaar")),
    "French": (("oui", "vrai"), ("non", "faux")),
    "Spanish": (("sí", "si", "verdadero"), ("no", "falso")),
}
#: Spellings accepted for a yes/no cell, lower case.
TRUE_WORDS: frozenset[str] = frozenset(word for yes, _ in YES_NO_WORDS.values() for word in yes)
FALSE_WORDS: frozenset[str] = frozenset(word for _, no in YES_NO_WORDS.values() for word in no)

#: Admin roles a user can be given in the ``roles`` column (names as ``GET /v1/roles`` returns them).
ADMIN_ROLES: tuple[str, ...] = (
    "Full Administrator",
    "User and Device Administrator",
    "Device Administrator",
    "Read-only Administrator",
    "Support Administrator",
)

#: The role that makes a user an administrator bound to the customer's package level.
FULL_ADMIN_ROLE = "Full Administrator"


@cache
def countries() -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes; phonenumbers' region list is the set we can also normalize numbers for."""
    return tuple(sorted(r for r in phonenumbers.SUPPORTED_REGIONS if len(r) == 2 and r.isalpha()))


@cache
def timezones() -> tuple[str, ...]:
    """IANA zone names from the tzdata package (same on every machine, unlike the OS database)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")))


#: Countries whose addresses need a state or province (the API: "may be required in specific geographies").
STATE_REQUIRED: frozenset[str] = frozenset({"US", "CA", "AU"})

#: Countries without a postal-code system (UPU list); everywhere else an address needs a postal code.
NO_POSTAL_CODE: frozenset[str] = frozenset(
    {
        "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BQ", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK", "CM",
        "CW", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "JM", "KI", "KM", "KN", "KP", "LY",
        "ML", "MO", "MR", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SX", "SY", "TD", "TF", "TG",
        "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
    }
)  # fmt: skip

#: Countries whose postal codes are all digits, of this many, and can start with 0 (01067 Dresden, 00100
#: Helsinki, 0150 Oslo): a code typed into an Excel number cell loses its leading zeros there.
POSTAL_CODE_DIGITS: dict[str, int] = {
    "AU": 4, "BR": 8, "CN": 6, "DE": 5, "DZ": 5, "ES": 5, "FI": 5, "FR": 5, "IT": 5, "JP": 7, "KR": 5,
    "LT": 5, "MX": 5, "MY": 5, "NO": 4, "NZ": 4, "PL": 5, "SG": 6, "TR": 5, "UA": 5, "US": 5, "ZA": 4,
}  # fmt: skip
