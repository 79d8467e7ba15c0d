"""Business rules from the Partner Hub task flow and the Wholesale API (webex-api.md §2.2, §2.7, §3.1, §3.4).

Decisions where the sources are silent:
- A user's package must be literally one of the customer's packages. Wholesale counts and limits packages by
  name (``provisioningParameters.packages.limits``), so a ``webex_suite`` customer cannot hand out
  ``webex_calling`` even though the suite includes calling.
- Administrators (the customer's ``admin_email`` when it is also a users row, and any Full Administrator)
  must carry the package level, the customer's first package (HELP ny0fr7x: no downgrade is supported).
- State/province is required where the postal system needs one (``STATE_REQUIRED``); a postal code
  everywhere except countries without a postal-code system (``NO_POSTAL_CODE``).
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import concat_problems, emit
from batch.validate.rules.prepare import Prepared, with_customer, yes_no
from schemas.vocab import (
    ADDON_DEPENDENCIES,
    ADDONS,
    CALLING_PACKAGES,
    FALSE_WORDS,
    FULL_ADMIN_ROLE,
    NO_POSTAL_CODE,
    STATE_REQUIRED,
    SUBSCRIBER_PACKAGES,
)

CALLING = sorted(CALLING_PACKAGES)


def business_problems(p: Prepared) -> pl.DataFrame:
    c, loc, u = p.customers, p.locations, p.users
    return concat_problems(
        [
            _not_confirmed(c),
            *_calling_location(c),
            *_package_rules(c),
            *[_main_number(sheet, f) for sheet, f in (("customers", c), ("locations", loc))],
            *_address("customers", c),
            *_address("locations", loc),
            *_user_rules(with_customer(u, c, "__c_packages", "__c_admin")),
        ]
    )


def _not_confirmed(c: pl.DataFrame) -> pl.DataFrame:
    """A no, or a word that is neither yes nor no in any language the column reads (README: yes/no words)."""
    verify = "erify the headquarters is in a Webex-supported location (Partner Hub step 8), then write yes"
    said_no = yes_no(pl.col("supported_location_confirmed")).is_in(list(FALSE_WORDS))
    return emit(
        c,
        ~pl.col("supported"),
        sheet="customers",
        column="supported_location_confirmed",
        rule="customers.supported_location_confirmed.not_confirmed",
        message=pl.when(said_no)
        .then(pl.lit(f"V{verify}; a customer outside supported locations cannot be created"))
        .otherwise(
            pl.format(
                f"'{{}}' is neither yes nor no: v{verify} (or ja, kyllä, oui, sí, x; the README lists every word)",
                pl.col("supported_location_confirmed").str.slice(0, 40),
            )
        ),
    )


def _is_calling(packages: pl.Expr) -> pl.Expr:
    return packages.list.eval(pl.element().is_in(CALLING)).list.any()


def _calling_location(c: pl.DataFrame) -> list[pl.DataFrame]:
    what = {
        "hq_location_name": "the name of the headquarters calling location",
        "timezone": "the headquarters' IANA time zone",
        "location_language": "the headquarters' announcement language",
    }
    return [
        emit(
            c,
            _is_calling(pl.col("packages_list")) & pl.col(column).is_null(),
            sheet="customers",
            column=column,
            rule=f"customers.{column}.required_for_calling",
            message=f"Calling packages need a headquarters location: fill {column} with {meaning}",
            example=column,
        )
        for column, meaning in what.items()
    ]


def _package_rules(c: pl.DataFrame) -> list[pl.DataFrame]:
    first = pl.col("packages_list").list.first()
    frames = [
        emit(
            c,
            first.is_in(sorted(ADDONS)),
            sheet="customers",
            column="packages",
            rule="customers.packages.addon_first",
            message=pl.format(
                "{} is an add-on and cannot be the package level: put the main package (e.g. webex_calling) first",
                first,
            ),
        )
    ]
    for addon, bases in ADDON_DEPENDENCIES.items():
        names = sorted(bases)
        has_base = pl.col("packages_list").list.eval(pl.element().is_in(names)).list.any()
        frames.append(
            emit(
                c,
                pl.col("packages_list").list.contains(addon) & ~has_base,
                sheet="customers",
                column="packages",
                rule="customers.packages.addon_dependency",
                message=f"The add-on {addon} needs one of {', '.join(names)}: add one of them to packages",
            )
        )
    return frames


def _main_number(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    return emit(
        frame,
        pl.col("main_number_e164").is_not_null() & ~pl.col("numbers_e164").list.contains(pl.col("main_number_e164")),
        sheet=sheet,
        column="main_number",
        rule=f"{sheet}.main_number.not_in_numbers",
        message=pl.format(
            "The main number {} is not in this row's numbers: add it to numbers or pick one of them",
            pl.col("main_number_e164"),
        ),
    )


def _address(sheet: str, frame: pl.DataFrame) -> list[pl.DataFrame]:
    return [
        emit(
            frame,
            pl.col("country_code").is_in(sorted(STATE_REQUIRED)) & pl.col("state_or_province").is_null(),
            sheet=sheet,
            column="state_or_province",
            rule=f"{sheet}.state_or_province.required_for_country",
            message=pl.format(
                "Addresses in {} need a state or province: fill state_or_province (e.g. CA, NSW, ON)",
                pl.col("country_code"),
            ),
        ),
        emit(
            frame,
            pl.col("country_code").str.contains(r"^[A-Z]{2}$")
            & ~pl.col("country_code").is_in(sorted(NO_POSTAL_CODE))
            & pl.col("postal_code").is_null(),
            sheet=sheet,
            column="postal_code",
            rule=f"{sheet}.postal_code.required_for_country",
            message=pl.format("Addresses in {} need a postal code: fill postal_code", pl.col("country_code")),
        ),
    ]


def _user_rules(u: pl.DataFrame) -> list[pl.DataFrame]:
    calling = pl.col("package_resolved").is_in(CALLING)
    level = pl.col("__c_packages").list.first()
    is_admin = (pl.col("email_normalized") == pl.col("__c_admin")).fill_null(False) | pl.col(
        "roles_list"
    ).list.contains(FULL_ADMIN_ROLE)
    return [
        emit(
            u,
            calling & pl.col("phone_number").is_null() & pl.col("extension").is_null(),
            sheet="users",
            column="phone_number",
            rule="users.phone_number.required_for_calling",
            message=pl.format("{} is a calling package: fill phone_number, extension, or both", pl.col("package")),
        ),
        emit(
            u,
            pl.col("customer_in_batch")
            & pl.col("package_resolved").is_in(SUBSCRIBER_PACKAGES)
            & ~pl.col("__c_packages").list.contains(pl.col("package_resolved")),
            sheet="users",
            column="package",
            rule="users.package.not_in_customer",
            message=pl.format(
                "Customer {} does not have {}: use one of its packages ({}) or add it to the customer's packages",
                pl.col("customer_external_id"),
                pl.col("package_resolved"),
                pl.col("__c_packages").list.join(", "),
            ),
        ),
        emit(
            u,
            pl.col("customer_in_batch")
            & is_admin
            & pl.col("package_resolved").is_not_null()
            & (pl.col("package_resolved") != level)
            & pl.col("__c_packages").list.contains(pl.col("package_resolved")),
            sheet="users",
            column="package",
            rule="users.package.admin_level",
            message=pl.format(
                "Administrators must have the customer's package level {} (its first package), and it cannot be "
                "changed later: set package to {}",
                level,
                level,
            ),
        ),
        emit(
            u,
            pl.col("phone_e164").is_not_null() & pl.col("__located") & ~pl.col("__number_listed"),
            sheet="users",
            column="phone_number",
            rule="users.phone_number.not_in_location",
            severity="warning",
            message=pl.format(
                "The number {} is not one of the numbers of location {}: add it to that location's numbers "
                "(or check that it already exists there on the server)",
                pl.col("phone_e164"),
                pl.col("location_resolved"),
            ),
        ),
    ]
