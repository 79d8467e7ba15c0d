"""Every rule code the validator can report, with its severity: the list users search and samples cover.

Column-rule codes (``<sheet>.<column>.required|format|too_long``) follow from the pandera models; the rest
are written by the rule modules. ``samples/invalid`` plants one instance of each, and a test holds the two
lists together.
"""

from __future__ import annotations

from batch.validate.rules.columns import CHECK_RULES
from schemas import SHEETS

#: Codes written by the rule modules (not derived from the models) → severity.
RULE_SEVERITY: dict[str, str] = {
    # cells that are not text (cells.py)
    "cell.control_character": "error",
    "cell.date_not_number": "error",
    # vocabularies and normalizers (columns.py)
    "customers.packages.unknown": "error",
    "users.package.unknown": "error",
    "customers.country.unknown": "error",
    "locations.country.unknown": "error",
    "customers.timezone.unknown": "error",
    "locations.timezone.unknown": "error",
    "users.roles.unknown": "error",
    "customers.admin_email.invalid": "error",
    "users.email.invalid": "error",
    "users.phone_number.invalid": "error",
    "customers.numbers.invalid": "error",
    "customers.main_number.invalid": "error",
    "locations.numbers.invalid": "error",
    "locations.main_number.invalid": "error",
    # references.py
    "customers.template.unknown": "error",
    "customers.template.required": "error",
    "customers.provisioning_id.conflict": "error",
    "locations.customer_external_id.not_in_batch": "warning",
    "users.customer_external_id.not_in_batch": "warning",
    "users.location_name.not_in_batch": "warning",
    "users.phone_number.country_on_server": "warning",
    # uniqueness.py
    "templates.template.duplicate": "error",
    "customers.external_id.duplicate": "error",
    "customers.admin_email.duplicate": "error",
    "locations.location_name.duplicate": "error",
    "locations.location_name.is_hq": "error",
    "users.email.duplicate": "error",
    "users.email.admin_of_other_customer": "error",
    "users.phone_number.duplicate": "error",
    "users.extension.duplicate": "error",
    "customers.numbers.duplicate": "error",
    "locations.numbers.duplicate": "error",
    # business.py
    "customers.supported_location_confirmed.not_confirmed": "error",
    "customers.hq_location_name.required_for_calling": "error",
    "customers.timezone.required_for_calling": "error",
    "customers.location_language.required_for_calling": "error",
    "customers.packages.addon_first": "error",
    "customers.packages.addon_dependency": "error",
    "customers.main_number.not_in_numbers": "error",
    "locations.main_number.not_in_numbers": "error",
    "customers.state_or_province.required_for_country": "error",
    "customers.postal_code.required_for_country": "error",
    "locations.state_or_province.required_for_country": "error",
    "locations.postal_code.required_for_country": "error",
    "users.phone_number.required_for_calling": "error",
    "users.package.not_in_customer": "error",
    "users.package.admin_level": "error",
    "users.phone_number.not_in_location": "warning",
    # postal.py
    "customers.postal_code.leading_zero_lost": "error",
    "locations.postal_code.leading_zero_lost": "error",
    # dependents.py
    "dependency.invalid_parent": "error",
}


def column_rule_codes() -> dict[str, str]:
    """``required`` for each required column, ``format``/``too_long`` for each column check in the models."""
    codes = {}
    for sheet, spec in SHEETS.items():
        schema = spec.model.to_schema()
        for doc in spec.columns:
            if doc.required:
                codes[f"{sheet}.{doc.name}.required"] = "error"
            for check in schema.columns[doc.name].checks:
                codes[f"{sheet}.{doc.name}.{CHECK_RULES.get(check.name, 'invalid')}"] = "error"
    return codes


def all_rule_codes() -> dict[str, str]:
    return {**column_rule_codes(), **RULE_SEVERITY}
