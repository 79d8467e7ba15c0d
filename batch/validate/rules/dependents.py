"""Rows that depend on an invalid row cannot be provisioned either; they say which row to fix first.

Chain: template → customer → location → user. A user whose customer is invalid names the customer (the
root cause); otherwise a calling user whose location row is invalid names that location. A user without calling
has no location (the planner sends none), so an invalid row its ``location_name`` names does not hold it back.
"""

from __future__ import annotations

import re

import polars as pl

from batch.validate.rules import POS, concat_problems, emit, row_ref
from batch.validate.rules.prepare import Prepared, with_customer, with_location
from schemas.vocab import CALLING_PACKAGES

RULE = "dependency.invalid_parent"
#: The row a dependency message names, as every message of this module writes it (``of FILE`` when merged).
_PARENT = re.compile(
    r"^(template|customer|location) (.*) on (templates|customers|locations) row (\d+)(?: of (.+?))? is invalid"
)


def parent_named(message: str) -> tuple[str, str, int] | None:
    """The (file, sheet, row) a ``dependency.invalid_parent`` message names: the row to fix first. ``file``
    is the input's file as ``row_ref`` writes it with merged inputs, "" for a single input."""
    found = _PARENT.match(message)
    return (found[5] or "", found[3], int(found[4])) if found else None


def _invalid(found: pl.DataFrame, sheet: str) -> pl.Series:
    return found.filter((pl.col("sheet") == sheet) & (pl.col("severity") == "error"))["pos"].unique()


def dependency_problems(p: Prepared, found: pl.DataFrame) -> pl.DataFrame:
    bad_templates = _invalid(found, "templates")
    template_dependents = emit(
        p.customers,
        pl.col("provisioning_id").is_null() & pl.col("__tpos").is_in(bad_templates.implode()),
        sheet="customers",
        column="template",
        rule=RULE,
        message=pl.format(
            "template {} on templates row {} is invalid; fix that row first",
            pl.col("template"),
            row_ref("__t_row", "__t_src", merged=p.merged),
        ),
    )
    bad_customers = pl.concat([_invalid(found, "customers"), template_dependents["pos"]]).unique()
    customer_parent = pl.col("__cpos").is_in(bad_customers.implode())
    customer_message = pl.format(
        "customer {} on customers row {} is invalid; fix that row first",
        pl.col("customer_external_id"),
        row_ref("__c_row", "__c_src", merged=p.merged),
    )
    location_dependents = emit(
        p.locations,
        customer_parent,
        sheet="locations",
        column="customer_external_id",
        rule=RULE,
        message=customer_message,
    )
    bad_locations = pl.concat([_invalid(found, "locations"), location_dependents["pos"]]).unique()
    users = p.users.select(
        POS,
        "_row",
        "customer_external_id",
        "location_resolved",
        "__cpos",
        "__lpos",
        pl.col("package_resolved").is_in(sorted(CALLING_PACKAGES)).alias("__calling"),
    )
    users = with_customer(users, p.customers, "__c_row", *(["__c_src"] if p.merged else []))
    users = with_location(users, p.locations, "__l_row", *(["__l_src"] if p.merged else []))
    return concat_problems(
        [
            template_dependents,
            location_dependents,
            emit(
                users,
                customer_parent,
                sheet="users",
                column="customer_external_id",
                rule=RULE,
                message=customer_message,
            ),
            emit(
                users,
                ~customer_parent.fill_null(False)
                & pl.col("__calling")
                & pl.col("__lpos").is_in(bad_locations.implode()),
                sheet="users",
                column="location_name",
                rule=RULE,
                value=pl.col("location_resolved"),
                message=pl.format(
                    "location {} on locations row {} is invalid; fix that row first",
                    pl.col("location_resolved"),
                    row_ref("__l_row", "__l_src", merged=p.merged),
                ),
            ),
        ]
    )
