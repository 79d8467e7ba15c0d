"""What an export saw on the server: the customers its ``_ids`` sheet names with a Webex id.

Webex shows no read of a customer's onboarding template (its ``provisioningId``), so ``rtm-batch export``
without the partner's workbook leaves ``template`` and ``provisioning_id`` blank. Those cells are needed only
to *create* a customer; a row the export wrote describes one that was on the server. The ``_ids`` sheet the
export writes beside the input sheets (ignored as input) is that evidence: the validator lets those rows go
without a template, and every other customer row still needs one. Whether the customer is still there is
the server's to say (``plan --base-url`` and ``run`` fail the row, naming why, if it is not).
"""

from __future__ import annotations

import polars as pl

from batch.load.names import canonical_name

#: The ``_ids`` columns read: which sheet a line is of, its key (the external id) and the Webex id.
_WANTED = ("sheet", "key", "customer_id")


def exported_customers(grid: pl.DataFrame) -> frozenset[str]:
    """External ids (case-folded) of the ``customers`` lines of an ``_ids`` grid (``c0``…, ``_row``) that
    carry a ``customer_id``; empty when the grid is not an export's ``_ids``."""
    cells = [c for c in grid.columns if c != "_row"]
    if grid.is_empty() or not cells:
        return frozenset()
    header = {canonical_name(str(v)): c for c, v in grid.row(0, named=True).items() if c in cells and v is not None}
    if any(name not in header for name in _WANTED):
        return frozenset()
    sheet, key, customer_id = (pl.col(header[name]).str.strip_chars() for name in _WANTED)
    found = grid.slice(1).filter(
        (sheet.str.to_lowercase() == "customers") & key.is_not_null() & (customer_id.fill_null("") != "")
    )
    return frozenset(str(k).casefold() for k in found[header["key"]].str.strip_chars().to_list() if k)
