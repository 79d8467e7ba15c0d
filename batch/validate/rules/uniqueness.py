"""Keys that must be unique: the later row is invalid and names the earlier one, which is still processed.

Names and ids compare case-insensitively (contract §1), external_id too. Each phone number belongs to
one location: the HQ numbers of the customers sheet come first, then the locations sheet, in row order.
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import (
    POS,
    SOURCE,
    concat_problems,
    emit,
    first_row_of,
    first_rows,
    hash_repeats,
    later_duplicate,
    row_ref,
)
from batch.validate.rules.prepare import Prepared


def _duplicates(
    frame: pl.DataFrame, keys: list[str], *, sheet: str, column: str, rule: str, what: str, merged: bool
) -> pl.DataFrame:
    """Later rows of a key; the message names the first row with it (and its input, when ``merged``)."""
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
    # The exact window functions below run on the candidates only. Rows with a null key part never collide
    # (``later_duplicate``) and are left out: 100,000 users without a phone number were 100,000 candidates. Only
    # the columns read here and in ``emit`` are copied.
    read = dict.fromkeys([POS, "_row", column, *keys, *([SOURCE] if merged else [])])
    not_null = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    candidates = frame.select(*read).filter(hash_repeats(frame, key)).filter(not_null)
    marked = candidates.with_columns(
        later_duplicate(keys).alias("__dup"),
        first_row_of(keys).alias("__first"),
        *([pl.col(SOURCE).first().over(keys).alias("__first_src")] if merged else []),
    )
    return emit(
        marked,
        pl.col("__dup"),
        sheet=sheet,
        column=column,
        rule=rule,
        message=pl.format(
            f"{what} is already used on {sheet} row {{}}: make it unique or remove this row",
            row_ref("__first", "__first_src", merged=merged),
        ),
    )


def uniqueness_problems(p: Prepared) -> pl.DataFrame:
    c, loc, u = p.customers, p.locations, p.users
    return concat_problems(
        [
            _duplicates(
                p.templates,
                ["__key"],
                sheet="templates",
                column="template",
                rule="templates.template.duplicate",
                what="This template name",
                merged=p.merged,
            ),
            _duplicates(
                c,
                ["__ext_key"],
                sheet="customers",
                column="external_id",
                rule="customers.external_id.duplicate",
                what="This external_id",
                merged=p.merged,
            ),
            _duplicates(
                c,
                ["__admin_email"],
                sheet="customers",
                column="admin_email",
                rule="customers.admin_email.duplicate",
                what="This admin email (a person can be the first admin of one customer only)",
                merged=p.merged,
            ),
            _duplicates(
                loc,
                ["customer_external_id", "__name_key"],
                sheet="locations",
                column="location_name",
                rule="locations.location_name.duplicate",
                what="This location name for the same customer",
                merged=p.merged,
            ),
            _duplicates(
                u,
                ["email_normalized"],
                sheet="users",
                column="email",
                rule="users.email.duplicate",
                what="This email",
                merged=p.merged,
            ),
            _duplicates(
                u,
                ["phone_e164"],
                sheet="users",
                column="phone_number",
                rule="users.phone_number.duplicate",
                what="This phone number",
                merged=p.merged,
            ),
            _duplicates(
                u,
                ["customer_external_id", "extension"],
                sheet="users",
                column="extension",
                rule="users.extension.duplicate",
                what="This extension in the same customer",
                merged=p.merged,
            ),
            _location_is_hq(loc, p.merged),
            _admin_of_other_customer(u, c, p.merged),
            _number_owners(p),
        ]
    )


def _location_is_hq(loc: pl.DataFrame, merged: bool) -> pl.DataFrame:
    return emit(
        loc,
        pl.col("__name_key") == pl.col("__hq_key"),
        sheet="locations",
        column="location_name",
        rule="locations.location_name.is_hq",
        message=pl.format(
            "{} is the customer's headquarters (customers row {}): the HQ is created with the customer; "
            "give this location another name",
            pl.col("location_name"),
            row_ref("__c_row", "__c_src", merged=merged),
        ),
    )


def _admin_of_other_customer(u: pl.DataFrame, c: pl.DataFrame, merged: bool) -> pl.DataFrame:
    """The first admin of customer A is created in A's organization, so the address is taken for B."""
    read = c.select("external_id", "__admin_email", "_row", SOURCE)  # first: first_rows copies every column it has
    admins = first_rows(first_rows(read, ["external_id"]), ["__admin_email"]).select(
        pl.col("__admin_email").alias("email_normalized"),
        pl.col("external_id").alias("__admin_of"),
        pl.col("_row").alias("__admin_row"),
        pl.col(SOURCE).alias("__admin_src"),
    )
    joined = u.select(POS, "_row", "email", "email_normalized", "customer_external_id").join(
        admins, on="email_normalized", how="inner", maintain_order="left"
    )
    return emit(
        joined,
        pl.col("__admin_of") != pl.col("customer_external_id"),
        sheet="users",
        column="email",
        rule="users.email.admin_of_other_customer",
        message=pl.format(
            "{} is the admin_email of customer {} (customers row {}): an address belongs to one organization; "
            "use another address or move the user to that customer",
            pl.col("email"),
            pl.col("__admin_of"),
            row_ref("__admin_row", "__admin_src", merged=merged),
        ),
    )


def _number_owners(p: Prepared) -> pl.DataFrame:
    """One problem per row whose numbers an earlier row (HQ or location) already lists."""
    # Numbers listed twice are rare: the rest of the work runs on their rows only (hash collisions only add rows).
    numbers = pl.concat([p.hq_numbers["e164"], p.location_numbers["e164"]]).drop_nulls()
    shared = numbers.filter(hash_repeats(numbers.to_frame(), pl.col("e164"))).implode()
    listed = pl.concat(
        [
            p.hq_numbers.lazy()
            .filter(pl.col("e164").is_in(shared))
            .select(pl.lit("customers").alias("sheet"), pl.lit(0).alias("__order"), POS, "_row", "e164"),
            p.location_numbers.lazy()
            .filter(pl.col("e164").is_in(shared))
            .select(pl.lit("locations").alias("sheet"), pl.lit(1).alias("__order"), POS, "_row", "e164"),
        ]
    ).collect()
    listed = _with_owner_sources(listed, p) if p.merged else listed
    listed = listed.unique(["sheet", POS, "e164"], keep="first", maintain_order=True).sort(
        "__order", POS, maintain_order=True
    )
    owners = listed.with_columns(
        pl.col("sheet").first().over("e164").alias("__owner_sheet"),
        pl.col("_row").first().over("e164").alias("__owner_row"),
        *([pl.col(SOURCE).first().over("e164").alias("__owner_src")] if p.merged else []),
        (pl.int_range(pl.len()).over("e164") > 0).alias("__dup"),
    ).filter(pl.col("__dup"))
    per_row = owners.group_by("sheet", POS, maintain_order=True).agg(
        pl.col("_row").first(),
        pl.col("e164").first().alias("__first"),
        pl.len().alias("__count"),
        pl.col("__owner_sheet").first(),
        pl.col("__owner_row").first(),
        *([pl.col("__owner_src").first()] if p.merged else []),
    )
    frames = []
    for sheet in ("customers", "locations"):
        frames.append(
            emit(
                per_row.filter(pl.col("sheet") == sheet),
                pl.lit(True),
                sheet=sheet,
                column="numbers",
                rule=f"{sheet}.numbers.duplicate",
                value=pl.col("__first"),
                message=pl.format(
                    "{} number(s) here, first {}, already belong to {} row {}: a number can be added to one "
                    "location only; remove them from one of the rows",
                    pl.col("__count"),
                    pl.col("__first"),
                    pl.col("__owner_sheet"),
                    row_ref("__owner_row", "__owner_src", merged=p.merged),
                ),
            )
        )
    return concat_problems(frames)


def _with_owner_sources(listed: pl.DataFrame, p: Prepared) -> pl.DataFrame:
    """The input of each listed number's row (merged inputs only: messages then name the owner's input)."""
    sources = pl.concat(
        [
            p.customers.select(pl.lit("customers").alias("sheet"), POS, SOURCE),
            p.locations.select(pl.lit("locations").alias("sheet"), POS, SOURCE),
        ]
    )
    return listed.join(sources, on=["sheet", POS], how="left", maintain_order="left")
