"""Cross-sheet references: a customer's template, a location's or user's customer, a user's location.

A customer that is not in the batch may already exist on the server: that is a warning (the runner looks
it up), and what cannot be checked offline (its locations) is not an error. A customer row needs a template
or provisioning_id (to create it) unless an export's ``_ids`` shows it on the server (``batch.load.exported``):
Webex never shows a customer's template, so an export cannot fill it, and a row the partner adds still needs one.
"""

from __future__ import annotations

import polars as pl

from batch.validate.rules import concat_problems, emit
from batch.validate.rules.prepare import Prepared, with_customer
from schemas.vocab import CALLING_PACKAGES


def _exported(p: Prepared) -> pl.Expr:
    """The customer rows an export wrote from the server (their external id in its ``_ids``)."""
    if not p.exported:
        return pl.lit(False)
    return pl.col("external_id").str.to_lowercase().is_in(sorted(p.exported)).fill_null(False)


def reference_problems(p: Prepared) -> pl.DataFrame:
    c = p.customers
    template = pl.col("template").is_not_null()
    pid = pl.col("provisioning_id").is_not_null()
    frames = [
        emit(
            c,
            template & pl.col("__tpos").is_null(),
            sheet="customers",
            column="template",
            rule="customers.template.unknown",
            message=pl.format(
                "No template named {} in the templates sheet: add it there or fix the name", pl.col("template")
            ),
        ),
        emit(
            c,
            ~template & ~pid & ~_exported(p),
            sheet="customers",
            column="template",
            rule="customers.template.required",
            message="Fill template (a row of the templates sheet) or provisioning_id (copied from Partner Hub)",
        ),
        emit(
            c,
            template & pid,
            sheet="customers",
            column="provisioning_id",
            rule="customers.provisioning_id.conflict",
            message="Fill either template or provisioning_id, not both: clear one of them",
        ),
    ]
    for sheet, frame in (("locations", p.locations), ("users", p.users)):
        frames.append(
            emit(
                frame,
                pl.col("customer_external_id").is_not_null() & ~pl.col("customer_in_batch"),
                sheet=sheet,
                column="customer_external_id",
                rule=f"{sheet}.customer_external_id.not_in_batch",
                severity="warning",
                message=pl.format(
                    "Customer {} is not in the customers sheet: it must already exist on the server "
                    "(check the external_id if it should be in this batch)",
                    pl.col("customer_external_id"),
                ),
            )
        )
    frames.append(_unknown_location(with_customer(p.users, c, "__hq_name")))
    frames.append(
        emit(
            p.users,
            pl.col("__country_on_server"),
            sheet="users",
            column="phone_number",
            rule="users.phone_number.country_on_server",
            severity="warning",
            message=pl.format(
                "{} is a national number and its location is not in this batch: plan --base-url and run read the "
                "country from the location on the server (or write the number with + and its country code)",
                pl.col("phone_number"),
            ),
        )
    )
    return concat_problems(frames)


def _unknown_location(u: pl.DataFrame) -> pl.DataFrame:
    """A calling user's named location that is neither the HQ nor a locations row of the customer may be on the
    server already (a day-two batch): a warning, checked by ``plan --base-url`` and ``run`` (contract §1), never
    an error. A user without calling (``webex_meetings``) has no location (contract: location_name is "for
    calling packages"; the API takes ``locationId`` for calling packages only), so the planner sends none and
    nothing checks it: warning that it "must already exist on the server" would be untrue, so it is ignored."""
    return emit(
        u,
        pl.col("customer_in_batch")
        & pl.col("package_resolved").is_in(sorted(CALLING_PACKAGES))
        & pl.col("location_name").is_not_null()
        & ~pl.col("__at_hq")
        & pl.col("__lpos").is_null(),
        sheet="users",
        column="location_name",
        rule="users.location_name.not_in_batch",
        severity="warning",
        message=pl.format(
            "Customer {} has no location {} in this batch: it must already exist on the server (plan --base-url "
            "and run check it); else use its hq_location_name ({}), a locations row of that customer, or leave blank",
            pl.col("customer_external_id"),
            pl.col("location_name"),
            pl.col("__hq_name").fill_null("none"),
        ),
    )
