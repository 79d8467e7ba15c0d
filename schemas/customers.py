"""The ``customers`` sheet: one row per customer organization (Partner Hub "Create customer")."""

from __future__ import annotations

import pandera.polars as pa

from schemas._fields import (
    LANGUAGE_PATTERN,
    LOCATION_LANGUAGE_PATTERN,
    NO_PERCENT_PATTERN,
    address_line,
    column,
    country_column,
    numbers_state_column,
    pstn_connection_column,
)


class CustomersSchema(pa.DataFrameModel):
    """Column rules for customers; cross-column and cross-sheet rules live in ``batch.validate``."""

    external_id: str = column(
        "Your own unique key for the customer; re-running the batch uses it to find the customer again",
        "FI-000123",
        required=True,
        str_length={"max_value": 256},
    )
    company_name: str = column(
        "The customer's company name as it appears in Partner Hub",
        "Mäkelän Konepaja Oy",
        required=True,
        str_matches=NO_PERCENT_PATTERN,
        hint="text without the % character",
    )
    admin_email: str = column(
        "Email of the customer's first (full) administrator", "it.tuki@makelankonepaja.fi", required=True
    )
    template: str = column("Name of a row in the templates sheet (or fill provisioning_id instead)", "Nordic Calling")
    provisioning_id: str = column(
        "Provisioning ID of the onboarding template, if you don't use the templates sheet",
        "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2",
        str_matches=r"^[A-Za-z0-9+/=_-]+$",
        hint="letters, digits and + / = _ - only, as Partner Hub shows it",
    )
    packages: str = column(
        "Customer packages separated by ; — the FIRST one is the customer's package level",
        "webex_calling;webex_meetings",
        required=True,
        dropdown="packages",
    )
    language: str = column(
        "Language of the customer's emails", "fi", str_matches=LANGUAGE_PATTERN, hint="a language code like en or en_US"
    )
    address_line1: str = address_line("Street address of the headquarters", "Hämeentie 15", required=True)
    address_line2: str = address_line("Second address line", "3. krs")
    city: str = column("City of the headquarters", "Helsinki", required=True, str_length={"max_value": 100})
    state_or_province: str = column("State or province, where the country needs one", "Uusimaa")
    postal_code: str = column("Postal code (leading zeros are kept)", "00510", str_length={"max_value": 20})
    country: str = country_column()
    supported_location_confirmed: str = column(
        "You verified the headquarters is in a Webex-supported location (Partner Hub step 8): yes, in any "
        "language of the yes/no table below (ja, kyllä, oui, sí, x …)",
        "yes",
        required=True,
        dropdown="booleans",
    )
    hq_location_name: str = column(
        "Name of the headquarters calling location (needed for calling packages)",
        "Pääkonttori",
        str_length={"max_value": 80},
        hint="at most 80 characters",
    )
    timezone: str = column(
        "IANA time zone of the headquarters (needed for calling packages)", "Europe/Helsinki", dropdown="timezones"
    )
    location_language: str = column(
        "Language of announcements and emails at the headquarters (needed for calling packages)",
        "fi_fi",
        str_matches=LOCATION_LANGUAGE_PATTERN,
        hint="a language_country code like en_us",
    )
    emergency_location_identifier: str = column("SIP header sent with emergency calls from the HQ", "")
    numbers: str = column(
        "Phone numbers for the headquarters, separated by ; or one per line; ranges as FIRST..LAST",
        "+358 9 4245 1000..+358 9 4245 1019",
    )
    main_number: str = column("The headquarters' main number: one of its numbers", "+358 9 4245 1000")
    numbers_state: str = numbers_state_column()
    pstn_connection: str = pstn_connection_column("the headquarters")
    cutover_at: str = column(
        "Cut-over time: nothing is done for this customer, nor for anything it holds, before it (the rows are "
        "pending until then; a run after it goes on); a date and time with its time zone",
        "2026-12-12 22:00 Europe/Helsinki",
        str_matches=r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\s*(Z|[+-]\d{2}:?\d{2})|\s+[A-Za-z][A-Za-z0-9_+/-]*)$",
        hint="YYYY-MM-DD HH:MM and an IANA zone or an offset, e.g. 2026-12-12 22:00 Europe/Helsinki",
    )

    class Config:
        strict = False
