"""Normalize the loader's text frames once, so every rule reads the same derived columns.

Adds the output columns the planner uses (``packages_list``, ``numbers_e164``, ``email_normalized`` …) and
internal ``__`` columns the rules join on (lower-cased names, the row's customer/location position). Phone
numbers are read with the country they belong to: the customer's for HQ numbers, the location row's for its
numbers, and for a user the country of their location (HQ or a locations row).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from batch.validate.emails import check_emails
from batch.validate.phones import expand_numbers, normalize_phones, split_list
from batch.validate.rules import POS, SOURCE, first_rows
from schemas.vocab import ADMIN_ROLES, timezones

LIST_STR = pl.List(pl.String)
#: A date or time cell as the loader gives it (ISO text): never a phone number (rules/cells.py reports it).
DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$|^\d{1,2}:\d{2}:\d{2}(?:\.\d+)?$"


@dataclass(frozen=True, slots=True)
class Prepared:
    """The four sheets with derived columns, plus one row per listed number (HQ and locations)."""

    templates: pl.DataFrame
    customers: pl.DataFrame
    locations: pl.DataFrame
    users: pl.DataFrame
    hq_numbers: pl.DataFrame
    location_numbers: pl.DataFrame
    #: Rows came from several inputs: a message naming another row names its input too (``row_ref``).
    merged: bool = False
    #: External ids (case-folded) an export's ``_ids`` shows on the server (``LoadedBatch.exported``).
    exported: frozenset[str] = frozenset()


def prepare(
    frames: dict[str, pl.DataFrame], *, merged: bool = False, exported: frozenset[str] = frozenset()
) -> Prepared:
    """``merged``: the lookups of a row's template, customer and location carry that row's ``_source`` too
    (``__t_src``, ``__c_src``, ``__l_src``), for messages only; a single input spares a million users the
    column."""
    sources = [SOURCE] if merged else []
    templates = _with_pos(frames["templates"]).with_columns(__key=pl.col("template").str.to_lowercase())
    customers, hq_numbers = _customers(_with_pos(frames["customers"]), templates, sources)
    # Compacted as soon as made, so the users' preparation (the peak) runs without their empty columns.
    customers = _compact(customers, "__main_error", "__admin_email_error")
    hq_numbers = _compact(_items_of_errors(hq_numbers), "item", "error")
    located = _canonical_ids(_with_pos(frames["locations"]), customers)
    locations, location_numbers = _locations(located, customers, sources)
    locations = _compact(locations, "__main_error")
    location_numbers = _compact(_items_of_errors(location_numbers), "item", "error")
    users = _users(_canonical_ids(_with_pos(frames["users"]), customers), customers, locations, sources)
    users = _country_on_server(_number_listed(users, hq_numbers, location_numbers))
    users = _compact(users, "__email_error", "__phone_error")
    return Prepared(templates, customers, locations, users, hq_numbers, location_numbers, merged, exported)


def _compact(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Each of ``columns`` that is null on every row as one literal: an error column of a clean batch held 16 bytes a
    row (16 MiB a million users) to say nothing."""
    empty = frame.select(pl.col(c).is_null().all() for c in columns).row(0) if frame.height else ()
    return frame.with_columns(pl.lit(None, frame.schema[c]).alias(c) for c, e in zip(columns, empty, strict=False) if e)


def _items_of_errors(long: pl.DataFrame) -> pl.DataFrame:
    """A listed number's ``item`` (the list item as typed) is read only to show a wrong one: the others drop it."""
    return long.with_columns(pl.when(pl.col("error").is_not_null()).then(pl.col("item")).alias("item"))


def _with_pos(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index(POS).with_columns(pl.col(POS).cast(pl.Int64))


def _canonical_ids(frame: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """``se-300002`` names the customer ``SE-300002`` (ids match case-insensitively, contract §1): a row's
    customer_external_id takes the customers sheet's spelling, so every rule and the plan see one id."""
    spelled_as_is = pl.col("customer_external_id").is_in(customers["external_id"].implode())
    if not frame.select((~spelled_as_is).any()).item():
        return frame  # every id already spelled as on the customers sheet (or absent): the usual case
    spelled = first_rows(customers.select("__ext_key", pl.col("external_id").alias("__ext_spelled")), ["__ext_key"])
    return (
        frame.with_columns(pl.col("customer_external_id").str.to_lowercase().alias("__ext_key"))
        .join(spelled, on="__ext_key", how="left", maintain_order="left")
        .with_columns(pl.coalesce("__ext_spelled", "customer_external_id").alias("customer_external_id"))
        .drop("__ext_key", "__ext_spelled")
    )


def yes_no(expr: pl.Expr) -> pl.Expr:
    """A yes/no cell as ``TRUE_WORDS``/``FALSE_WORDS`` spell it: lower case, accents composed (``Sí``)."""
    return expr.str.normalize("NFC").str.to_lowercase()


def package_name(expr: pl.Expr) -> pl.Expr:
    """``Webex Calling`` and ``webex-calling`` mean ``webex_calling``: partners type names, not enums."""
    return expr.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def _timezone_table() -> pl.DataFrame:
    zones = timezones()
    return pl.DataFrame({"__tz_key": [z.lower() for z in zones], "__tz": list(zones)})


def _resolve_timezone(frame: pl.DataFrame) -> pl.DataFrame:
    """IANA names are case-sensitive for the API; accept any case and store the canonical spelling."""
    keyed = frame.with_columns(__tz_key=pl.col("timezone").str.to_lowercase())
    joined = keyed.join(_timezone_table(), on="__tz_key", how="left", maintain_order="left")
    return joined.rename({"__tz": "timezone_resolved"}).drop("__tz_key")


def _numbers(frame: pl.DataFrame, countries: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Long frame (one row per listed number) and the per-row ``numbers_e164`` / ``main_number_e164``."""
    expanded = expand_numbers(frame["numbers"], countries)
    long = (
        expanded.with_columns(pl.col("index").cast(pl.Int64).alias(POS))
        .drop("index")
        .join(frame.select(POS, "_row"), on=POS, how="left", maintain_order="left")
    )
    per_row = (
        long.filter(pl.col("e164").is_not_null())
        .group_by(POS, maintain_order=True)  # in row order already: 2× faster than hashing the groups
        .agg(pl.col("e164").unique(maintain_order=True).alias("numbers_e164"))
    )
    main = normalize_phones(frame["main_number"], countries)
    derived = (
        frame.select(POS)
        .join(per_row, on=POS, how="left", maintain_order="left")
        .with_columns(
            pl.col("numbers_e164").fill_null(pl.lit([], dtype=LIST_STR)),
            main["e164"].alias("main_number_e164"),
            main["error"].alias("__main_error"),
        )
    )
    return long, derived


def _customers(
    customers: pl.DataFrame, templates: pl.DataFrame, sources: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    from schemas.vocab import TRUE_WORDS

    customers = customers.with_columns(
        split_list(customers["packages"]).list.eval(package_name(pl.element())).alias("packages_list"),
        pl.col("country").str.to_uppercase().alias("country_code"),
        yes_no(pl.col("supported_location_confirmed")).is_in(list(TRUE_WORDS)).alias("supported"),
        pl.col("hq_location_name").str.to_lowercase().alias("__hq_key"),
        pl.col("template").str.to_lowercase().alias("__template_key"),
        pl.col("external_id").str.to_lowercase().alias("__ext_key"),
    )
    customers = _resolve_timezone(customers)
    emails = check_emails(customers["admin_email"])
    customers = customers.with_columns(
        emails["normalized"].alias("__admin_email"), emails["error"].alias("__admin_email_error")
    )
    known = first_rows(templates, ["__key"]).select(
        pl.col("__key").alias("__template_key"),
        pl.col("provisioning_id").alias("__template_pid"),
        pl.col(POS).alias("__tpos"),
        pl.col("_row").alias("__t_row"),
        *(pl.col(c).alias("__t_src") for c in sources),
    )
    customers = customers.join(known, on="__template_key", how="left", maintain_order="left").with_columns(
        pl.coalesce("provisioning_id", "__template_pid").alias("provisioning_id_resolved")
    )
    long, derived = _numbers(customers, customers["country_code"])
    return customers.join(derived, on=POS, how="left", maintain_order="left"), long


def _number_listed(users: pl.DataFrame, hq_numbers: pl.DataFrame, location_numbers: pl.DataFrame) -> pl.DataFrame:
    """``__located`` (the user's location is known offline) and ``__number_listed`` (their number is one of
    its numbers), by a join on the long number frames: copying each location's number list onto its users'
    rows made memory grow with users × numbers (200,000 users of 1,000-number ranges: 4.2 GiB). Numbers are
    compared as integers (an E.164 number is ``+`` and at most 15 digits): the join on text held 430 MiB more for a
    million users. A number two locations list joins twice; the owner check keeps the user's own."""
    owners = pl.concat(
        [
            hq_numbers.select((-pl.col(POS) - 1).alias("__owner"), _digits(pl.col("e164"))),
            location_numbers.select(pl.col(POS).alias("__owner"), _digits(pl.col("e164"))),
        ]
    ).drop_nulls()
    located = pl.col("__at_hq") | pl.col("__lpos").is_not_null()
    keys = (
        users.lazy()  # lazy: the filter then copies three columns, not the users' forty
        .filter(located & pl.col("phone_e164").is_not_null())
        .select(
            POS,
            pl.when(pl.col("__at_hq")).then(-pl.col("__cpos") - 1).otherwise(pl.col("__lpos")).alias("__owner"),
            _digits(pl.col("phone_e164")),
        )
        .collect()
    )
    # Joined on the number alone, then the owner compared: a join on both keys held 170 MiB more (row-encoded keys).
    by = owners.rename({"__owner": "__listed_by"})
    listed = keys.join(by, on="__number", how="inner").filter(pl.col("__owner") == pl.col("__listed_by"))[POS]
    return users.with_columns(located.alias("__located"), pl.col(POS).is_in(listed.implode()).alias("__number_listed"))


def _digits(e164: pl.Expr) -> pl.Expr:
    """An E.164 number as the integer of its digits: equal numbers, equal integers."""
    return e164.str.slice(1).cast(pl.Int64).alias("__number")


def _country_on_server(users: pl.DataFrame) -> pl.DataFrame:
    """A national number (``040 123 4567``) of a user whose location is not in the batch takes the country of
    that location on the server: ``__country_on_server`` (a warning, contract §1), not an invalid number."""
    if not users.select(pl.col("__phone_error").is_not_null().any()).item():
        return users.with_columns(pl.lit(False).alias("__country_on_server"))
    national = pl.col("phone_number").str.contains(r"^\(?0[1-9][0-9 ()\-./]*$")
    waiting = (pl.col("__phone_error").is_not_null() & ~pl.col("__located") & national).fill_null(False)
    return users.with_columns(
        waiting.alias("__country_on_server"),
        pl.when(waiting).then(None).otherwise(pl.col("__phone_error")).alias("__phone_error"),
    )


#: Customer columns a users rule reads, by the name it reads them under (the customers column it is): fetched by
#: ``with_customer`` when the rule runs, not stored on every user's row (~110 MiB for a million users).
CUSTOMER_OF_USER = {
    "__hq_name": "hq_location_name",
    "__c_country": "country_code",
    "__c_packages": "packages_list",
    "__c_admin": "__admin_email",
    "__c_row": "_row",
    "__c_src": SOURCE,
}
#: The same for the user's location (by ``__lpos``, null for a user at the HQ or at a location not in the batch).
LOCATION_OF_USER = {"__l_row": "_row", "__l_src": SOURCE, "__l_country": "country_code", "__l_name": "location_name"}
#: The country of a user's numbers: their location's (a locations row, or the customer's HQ); null when the location
#: is not in the batch. Over ``__l_country`` and ``__c_country``; not kept on the users (15 MiB a million).
USER_COUNTRY = (
    pl.when(pl.col("__lpos").is_not_null())
    .then(pl.col("__l_country"))
    .when(pl.col("__at_hq"))
    .then(pl.col("__c_country"))
    .alias("__country")
)


def with_customer(users: pl.DataFrame, customers: pl.DataFrame, *names: str) -> pl.DataFrame:
    """``users`` with its customer's columns ``names`` (see ``CUSTOMER_OF_USER``); null for a user whose customer is
    not in the batch. ``__cpos`` is the customer's row position: the prepared customers frame is in row order."""
    at = users["__cpos"]
    return users.with_columns(customers[CUSTOMER_OF_USER[name]].gather(at).alias(name) for name in names)


def with_location(users: pl.DataFrame, locations: pl.DataFrame, *names: str) -> pl.DataFrame:
    """``users`` with its location's columns ``names`` (see ``LOCATION_OF_USER``), like ``with_customer``."""
    at = users["__lpos"]
    return users.with_columns(locations[LOCATION_OF_USER[name]].gather(at).alias(name) for name in names)


def _customer_lookup(customers: pl.DataFrame, sources: list[str]) -> pl.DataFrame:
    """The first customer row per external_id, as columns a location or user row joins (selected first: the first
    rows of the whole frame copied all of its ~40 columns)."""
    lookup = customers.select(
        pl.col("external_id").alias("customer_external_id"),
        pl.col(POS).alias("__cpos"),
        pl.col("_row").alias("__c_row"),
        *(pl.col(c).alias("__c_src") for c in sources),
        pl.col("hq_location_name").alias("__hq_name"),
        pl.col("__hq_key"),
        pl.col("country_code").alias("__c_country"),
    )
    return first_rows(lookup, ["customer_external_id"])


def _locations(
    locations: pl.DataFrame, customers: pl.DataFrame, sources: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    locations = locations.with_columns(
        pl.col("country").str.to_uppercase().alias("country_code"),
        pl.col("location_name").str.to_lowercase().alias("__name_key"),
    )
    locations = _resolve_timezone(locations)
    locations = locations.join(
        _customer_lookup(customers, sources), on="customer_external_id", how="left", maintain_order="left"
    ).with_columns(pl.col("__cpos").is_not_null().alias("customer_in_batch"))
    long, derived = _numbers(locations, locations["country_code"])
    long = long.join(
        locations.select(POS, "customer_external_id", "__name_key"), on=POS, how="left", maintain_order="left"
    )
    return locations.join(derived, on=POS, how="left", maintain_order="left"), long


def _users(users: pl.DataFrame, customers: pl.DataFrame, locations: pl.DataFrame, sources: list[str]) -> pl.DataFrame:
    role_names = pl.DataFrame({"__role_key": [r.lower() for r in ADMIN_ROLES], "__role": list(ADMIN_ROLES)})
    emails = check_emails(users["email"])
    users = users.with_columns(
        emails["normalized"].alias("email_normalized"),
        emails["error"].alias("__email_error"),
        package_name(pl.col("package")).alias("package_resolved"),
        pl.col("location_name").str.to_lowercase().alias("__loc_key"),
    )
    # Each helper column is dropped as soon as it has served: together they were the users' preparation's peak.
    roles = (
        users.select(POS, split_list(users["roles"]).alias("__roles_raw"))
        .explode("__roles_raw")
        .drop_nulls("__roles_raw")
        .with_columns(pl.col("__roles_raw").str.to_lowercase().alias("__role_key"))
        .join(role_names, on="__role_key", how="left", maintain_order="left")
        .group_by(POS, maintain_order=True)  # in row order already (exploded): faster than hashing the groups
        .agg(pl.col("__role").drop_nulls().alias("roles_list"))
    )
    users = users.join(roles, on=POS, how="left", maintain_order="left").with_columns(
        pl.col("roles_list").fill_null(pl.lit([], dtype=LIST_STR))
    )
    lookup = _customer_lookup(customers, sources).drop("__c_row", "__c_src", strict=False)  # see with_customer
    users = (
        users.join(lookup, on="customer_external_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("__cpos").is_not_null().alias("customer_in_batch"),
            (
                pl.col("__cpos").is_not_null()
                & (pl.col("__loc_key").is_null() | (pl.col("__loc_key") == pl.col("__hq_key")))
            )
            .fill_null(False)
            .alias("__at_hq"),
        )
        .drop("__hq_key")
    )
    location_lookup = locations.select("customer_external_id", pl.col("__name_key").alias("__loc_key"), POS)
    location_lookup = first_rows(location_lookup, ["customer_external_id", "__loc_key"])
    # Only users naming a location other than the HQ look it up (a user at the HQ has none), and the row found is
    # kept as its position (``__lpos``), its columns fetched by it: the two-key join of every user's row held
    # 106 MiB more at a million users. A user's ``__pos`` is its row (its frame is in row order).
    found = (
        users.lazy()
        .filter(pl.col("__loc_key").is_not_null() & ~pl.col("__at_hq"))
        .select(pl.col(POS).alias("__user"), "customer_external_id", "__loc_key")
        .join(location_lookup.lazy(), on=["customer_external_id", "__loc_key"], how="inner")
        .collect()
    )
    lpos = pl.repeat(None, users.height, dtype=pl.Int64, eager=True).scatter(found["__user"], found[POS])
    users = users.with_columns(lpos.alias("__lpos")).drop("__loc_key")
    users = with_location(users, locations, "__l_name", "__l_country")
    resolved = (
        pl.when(pl.col("__at_hq"))
        .then(pl.col("__hq_name"))
        .when(pl.col("__lpos").is_not_null())
        .then(pl.col("__l_name"))
        .otherwise(pl.col("location_name"))
        .alias("location_resolved")
    )
    # One at a time, each chain's intermediate columns let go before the next (together: 90 MiB more).
    users = users.with_columns(resolved).drop("__hq_name", "__l_name")
    users = users.with_columns(USER_COUNTRY).drop(  # fetched when read (``with_customer``, ``with_location``)
        *CUSTOMER_OF_USER,
        *LOCATION_OF_USER,
        strict=False,  # not every one is here (the sources only for merged inputs)
    )
    # A date cell is reported as such (rules/cells.py), not also read as the digits of a number.
    typed = users["phone_number"].str.contains(DATE).fill_null(False)
    numbers = users["phone_number"]
    if typed.any():  # rare: no copy of a million numbers otherwise
        numbers = numbers.zip_with(~typed, pl.repeat(None, users.height, dtype=pl.String, eager=True))
    phones = normalize_phones(numbers, users["__country"])
    users = users.with_columns(phones["e164"].alias("phone_e164"), phones["error"].alias("__phone_error"))
    return users.drop("__country")  # see USER_COUNTRY
