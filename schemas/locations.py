"""The ``locations`` sheet: a customer's further locations (Set up customer → "Add and verify locations")."""

from __future__ import annotations

import pandera.polars as pa

from schemas._fields import (
    LOCATION_LANGUAGE_PATTERN,
    address_line,
    column,
    country_column,
    numbers_state_column,
    pstn_connection_column,
)


class LocationsSchema(pa.DataFrameModel):
    """Column rules for locations; their customer and uniqueness are checked in ``batch.validate``."""

    customer_external_id: str = column(
        "external_id of the customer: a row of the customers sheet, or a customer that already exists",
        "FI-000123",
        required=True,
    )
    location_name: str = column(
        "Name of the location, unique within the customer and not the headquarters' name",
        "Tampereen toimipiste",
        required=True,
        str_length={"max_value": 80},
        hint="at most 80 characters",
    )
    address_line1: str = address_line("Street address", "Hatanpään valtatie 24", required=True)
    address_line2: str = address_line("Second address line", "")
    city: str = column("City", "Tampere", required=True, str_length={"max_value": 100})
    state_or_province: str = column("State or province, where the country needs one", "Pirkanmaa")
    postal_code: str = column("Postal code (leading zeros are kept)", "33100", str_length={"max_value": 20})
    country: str = country_column()
    timezone: str = column("IANA time zone", "Europe/Helsinki", required=True, dropdown="timezones")
    preferred_language: str = column(
        "Language of emails for this location",
        "fi_fi",
        required=True,
        str_matches=LOCATION_LANGUAGE_PATTERN,
        hint="a language_country code like en_us",
    )
    announcement_language: str = column(
        "Language of voice announcements for this location",
        "fi_fi",
        required=True,
        str_matches=LOCATION_LANGUAGE_PATTERN,
        hint="a language_country code like en_us",
    )
    numbers: str = column(
        "Phone numbers added to this location, separated by ; or one per line; ranges as FIRST..LAST",
        "+358 3 5655 2000; +358 3 5655 2001",
    )
    main_number: str = column("The location's main number: one of its numbers", "+358 3 5655 2000")
    numbers_state: str = numbers_state_column()
    pstn_connection: str = pstn_connection_column("the location")

    class Config:
        strict = False
