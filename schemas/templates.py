"""The optional ``templates`` sheet: names for Partner Hub onboarding templates (task flow step 1)."""

from __future__ import annotations

import pandera.polars as pa

from schemas._fields import column


class TemplatesSchema(pa.DataFrameModel):
    """One row per onboarding template; there is no API to create templates, only to use their ids."""

    template: str = column(
        "A name you use for an onboarding template; customers refer to it in their `template` column",
        "Nordic Calling",
        required=True,
        str_length={"max_value": 120},
    )
    provisioning_id: str = column(
        "The template's Provisioning ID, copied from Partner Hub (Customers → Templates → open the template)",
        "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2",
        required=True,
        str_matches=r"^[A-Za-z0-9+/=_-]+$",
        hint="letters, digits and + / = _ - only, as Partner Hub shows it",
    )

    class Config:
        strict = False
