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


def exported_customers(grid: pl.DataFrame) -> dict[str, str]:
    """External id (case-folded) → Webex customer id, from the ``customers`` lines of an ``_ids`` grid
    (``c0``…, ``_row``) that carry a ``customer_id``; empty when the grid is not an export's ``_ids``. The
    ids travel on into ``retry/`` (``batch.report.retry``), whose rows must validate the same way again."""
    cells = [c for c in grid.columns if c != "_row"]
    if grid.is_empty() or not cells:
        return {}
    header = {canonical_name(str(v)): c for c, v in grid.row(0, named=True).items() if c in cells and v is not None}
    if any(name not in header for name in _WANTED):
        return {}
    sheet, key, customer_id = (pl.col(header[name]).str.strip_chars() for name in _WANTED)
    found = grid.slice(1).filter(
        (sheet.str.to_lowercase() == "customers") & key.is_not_null() & (customer_id.fill_null("") != "")
    )
    keys = found[header["key"]].str.strip_chars().to_list()
    ids = found[header["customer_id"]].str.strip_chars().to_list()
    return {str(k).casefold(): str(i) for k, i in zip(keys, ids, strict=True) if k and i}
