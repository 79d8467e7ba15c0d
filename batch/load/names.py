"""How partners spell sheets and columns: one canonical form, and the few aliases that map onto it.

``' Company Name '``, ``company name`` and ``company_name`` are the same column (contract §1); a ``User``
sheet is the users sheet. The alias table is deliberately short: a header that is not here is reported as
unknown (``batch.load.inputs``), so nothing is guessed silently.
"""

from __future__ import annotations

import re

from schemas import SHEETS


def canonical_name(name: str) -> str:
    """``' Company Name '``, ``company name`` and ``company_name`` are the same column (contract §1)."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().strip("\ufeff").strip().lower()).strip("_")


#: Sheets of the template workbook that are not input (its help text and drop-down lists).
IGNORED_SHEETS = frozenset({"readme", "lists", "example"})

#: The sheet (and CSV file) ``rtm-batch export`` writes Webex ids and states into beside the input sheets.
EXPORT_IDS_SHEET = "_ids"


def is_ignored_sheet(name: str) -> bool:
    """A sheet or CSV file stem that is not input and needs no warning: the template's help sheets, the
    export's ``_ids``."""
    return canonical_name(name) in IGNORED_SHEETS or is_export_ids(name)


def is_export_ids(name: str) -> bool:
    """The export's ``_ids`` sheet or CSV file stem: not input, but it tells which customers were on the
    server (``batch.load.exported``)."""
    return str(name).strip().casefold() == EXPORT_IDS_SHEET


#: Singular sheet names partners write ("User") — canonical form → sheet.
SHEET_ALIASES = {"template": "templates", "customer": "customers", "location": "locations", "user": "users"}

#: Header spellings partners commonly use, canonical form → column. Applied only when the target is a
#: column of that sheet and the header is not itself a column name; deliberately short: a header that
#: is not here is reported as unknown, so nothing is guessed silently.
HEADER_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "admin_e_mail": "admin_email",
    "administrator_email": "admin_email",
    "phone": "phone_number",
    "telephone": "phone_number",
    "phone_no": "phone_number",
    "ext": "extension",
    "firstname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "address_line_1": "address_line1",
    "address1": "address_line1",
    "address_line_2": "address_line2",
    "address2": "address_line2",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "postcode": "postal_code",
    "state": "state_or_province",
    "province": "state_or_province",
    "time_zone": "timezone",
    "role": "roles",
}


def sheet_for(name: str) -> str | None:
    """The input sheet a workbook sheet or CSV file stem names, if any."""
    canon = canonical_name(name)
    canon = SHEET_ALIASES.get(canon, canon)
    return canon if canon in SHEETS else None
