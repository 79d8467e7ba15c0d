"""The ``users`` sheet: one row per user (Set up customer → "Add users", "Assign phone numbers")."""

from __future__ import annotations

import pandera.polars as pa

from schemas._fields import EXTENSION_PATTERN, NAME_PATTERN, column


class UsersSchema(pa.DataFrameModel):
    """Column rules for users; package, location and number rules are checked in ``batch.validate``."""

    customer_external_id: str = column(
        "external_id of the user's customer: a row of the customers sheet, or a customer that already exists",
        "FI-000123",
        required=True,
    )
    email: str = column(
        "The user's email address; unique in the whole batch", "aino.makela@makelankonepaja.fi", required=True
    )
    first_name: str = column(
        "First name", "Aino", required=True, str_matches=NAME_PATTERN, hint='text without any of % # < > \\ / "'
    )
    last_name: str = column(
        "Last name", "Mäkelä", required=True, str_matches=NAME_PATTERN, hint='text without any of % # < > \\ / "'
    )
    package: str = column(
        "The user's one package; must be one of the customer's packages",
        "webex_calling",
        required=True,
        dropdown="subscriber_packages",
    )
    location_name: str = column(
        "The user's calling location: the headquarters or one of the customer's locations (blank = HQ)",
        "Tampereen toimipiste",
    )
    phone_number: str = column("The user's phone number; should be one of the location's numbers", "+358 9 4245 1001")
    extension: str = column(
        "Extension, 2–10 digits, unique within the customer",
        "1001",
        str_matches=EXTENSION_PATTERN,
        hint="2 to 10 digits",
    )
    roles: str = column("Admin roles separated by ; (e.g. Full Administrator)", "Full Administrator", dropdown="roles")

    class Config:
        strict = False
