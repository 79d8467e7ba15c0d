"""One pandera model per input sheet, with each column's documentation beside its rule.

``SHEETS`` is the single list the loader, the validator, the template and the README read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa

from schemas._fields import ColumnDoc, column_docs
from schemas.customers import CustomersSchema
from schemas.locations import LocationsSchema
from schemas.templates import TemplatesSchema
from schemas.users import UsersSchema


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A sheet of the input workbook: its model and whether the workbook must have it."""

    name: str
    model: type[pa.DataFrameModel]
    optional: bool
    meaning: str

    @property
    def columns(self) -> tuple[ColumnDoc, ...]:
        return column_docs(self.model)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


SHEETS: dict[str, SheetSpec] = {
    "templates": SheetSpec("templates", TemplatesSchema, True, "Onboarding templates and their Provisioning IDs"),
    "customers": SheetSpec("customers", CustomersSchema, False, "One row per customer organization"),
    "locations": SheetSpec("locations", LocationsSchema, False, "Further locations of the customers"),
    "users": SheetSpec("users", UsersSchema, False, "One row per user"),
}

__all__ = ["SHEETS", "ColumnDoc", "SheetSpec", "CustomersSchema", "LocationsSchema", "TemplatesSchema", "UsersSchema"]
