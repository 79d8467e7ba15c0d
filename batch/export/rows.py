"""What the server holds, as the input sheets' rows, and what the input form cannot say (pure: no I/O).

Every cell is the server's own value in the workbook's vocabulary; nothing is invented. What the form
cannot express is still exported where it has a place, with a ``Note`` naming it (a package the
vocabulary lacks stays in its cell, so ``validate`` shows it too); what has no place at all (a customer
without ``externalId``) is listed in ``_ids`` with its note. Webex ids, states and dates go to ``_ids``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from batch.export.ranges import numbers_cell
from batch.export.read import Item, ServerCustomer
from batch.export.templates import KnownTemplates
from schemas.vocab import ADMIN_ROLES, CALLING_PACKAGES, CUSTOMER_PACKAGES, SUBSCRIBER_PACKAGES

Row = dict[str, str]
#: The columns of the ``_ids`` sheet (one row per exported object; the loader ignores the sheet).
ID_COLUMNS = (
    "sheet",
    "key",
    "customer_id",
    "org_id",
    "location_id",
    "subscriber_id",
    "person_id",
    "status",
    "created",
    "last_status_change",
    "exported_at",
)
#: The yes a customers row needs: the customer exists, so its headquarters is in a supported location.
CONFIRMED = "yes"
WHOLESALE_ADDRESS = {
    "address_line1": "addressLine1",
    "address_line2": "addressLine2",
    "city": "city",
    "state_or_province": "stateOrProvince",
    "postal_code": "zipOrPostalCode",
    "country": "country",
}
LOCATION_ADDRESS = {
    "address_line1": "address1",
    "address_line2": "address2",
    "city": "city",
    "state_or_province": "state",
    "postal_code": "postalCode",
    "country": "country",
}


@dataclass(frozen=True, slots=True)
class Note:
    """Something the input form cannot say as the server has it: a stable code, and the object it concerns."""

    sheet: str
    key: str
    code: str
    message: str


@dataclass(slots=True)
class ExportRows:
    """The input sheets' rows (column → text), the ``_ids`` rows and the notes."""

    sheets: dict[str, list[Row]] = field(
        default_factory=lambda: {"templates": [], "customers": [], "locations": [], "users": []}
    )
    ids: list[Row] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {sheet: len(rows) for sheet, rows in self.sheets.items()}


def templates_named(known: KnownTemplates, external_ids: Sequence[str]) -> list[Row]:
    """The ``templates`` rows the customers name (each once, first use first): known before any customer is
    read, so a streamed workbook can write that sheet first."""
    used: dict[str, str] = {}
    for ext in external_ids:
        template, pid = known.of(ext) if ext else (None, None)
        if template and pid:
            used.setdefault(template, pid)
    return [{"template": name, "provisioning_id": pid} for name, pid in used.items()]


def add_customer(server: ServerCustomer, known: KnownTemplates, exported_at: str, out: ExportRows) -> None:
    """One customer's rows (and ``_ids`` rows and notes) appended to ``out``; call in the listing's order."""
    _customer(server, known, exported_at, out)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _customer(server: ServerCustomer, known: KnownTemplates, stamp: str, out: ExportRows) -> None:
    item = server.customer
    ext = server.external_id
    ids = {
        "customer_id": _text(item.get("id")),
        "org_id": _text(item.get("orgId")),
        "status": _text(item.get("status")),
    }
    if not ext:
        name = server.org_name or ids["customer_id"]
        message = f"customer {name} has no externalId: the input form cannot name it (listed in _ids only)"
        out.notes.append(Note("customers", ids["customer_id"], "export.customer.no_external_id", message))
        out.ids.append(_ids("customers", "", ids, stamp))
        return
    if server.problem:
        out.notes.append(Note("customers", ext, "export.customer.not_read", f"customer {ext}: {server.problem}"))
    packages = [str(p) for p in item.get("packages") or []]
    for package in packages:
        if package not in CUSTOMER_PACKAGES:
            message = f"customer {ext}: package {package} is not in the workbook's vocabulary (kept in its cell)"
            out.notes.append(Note("customers", ext, "export.customer.package_unknown", message))
    row: Row = {"external_id": ext, "packages": ";".join(packages), "supported_location_confirmed": CONFIRMED}
    address = item.get("address") or {}
    row |= {column: _text(address.get(name)) for column, name in WHOLESALE_ADDRESS.items()}
    row["company_name"] = server.org_name or ""
    if server.customer.get("orgId") and not server.org_name:
        out.notes.append(Note("customers", ext, "export.customer.no_name", f"customer {ext}: Webex shows no name"))
    _admin(server, row, out)
    _template(ext, known, row, out)
    known.fill("customers", ext, row)
    calling = any(p in CALLING_PACKAGES for p in packages)
    by_location = _numbers_by_location(server)
    locations = list(server.locations)
    names = {str(loc.get("id")): str(loc.get("name") or "") for loc in locations}
    if locations and calling:
        hq = locations[0]
        row |= {
            "hq_location_name": _text(hq.get("name")),
            "timezone": _text(hq.get("timeZone")),
            "location_language": _text(hq.get("preferredLanguage")).lower(),
        }
        row |= _number_cells(server, hq, by_location, f"customer {ext} (headquarters)", out, "customers", ext)
    out.sheets["customers"].append(row)
    out.ids.append(_ids("customers", ext, ids, stamp))
    for loc in locations[1:]:
        _location(server, loc, by_location, stamp, out)
    stray = set(by_location) - set(names)
    for location_id in sorted(stray):
        listed = ", ".join(sorted(str(n.get("phoneNumber")) for n in by_location[location_id]))
        message = f"customer {ext}: numbers {listed} are on a location the location listing does not show"
        out.notes.append(Note("customers", ext, "export.numbers.unknown_location", message))
    for sub in server.subscribers:
        _user(server, sub, names, by_location, stamp, out, known)


def _admin(server: ServerCustomer, row: Row, out: ExportRows) -> None:
    """The customer's first full administrator (its ``admin_email`` was made one at provisioning)."""
    ext = server.external_id
    for person in server.full_admins:
        emails = [str(e) for e in person.get("emails") or [] if e]
        if emails:
            row["admin_email"] = emails[0]
            return
    row["admin_email"] = ""
    if server.customer.get("orgId"):
        message = f"customer {ext}: no full administrator found, so admin_email is blank: fill it in"
        out.notes.append(Note("customers", ext, "export.customer.no_admin", message))


def _template(ext: str, known: KnownTemplates, row: Row, out: ExportRows) -> None:
    """Webex does not show which onboarding template made a customer: only a known input can say (the
    ``templates`` rows: ``templates_named``)."""
    template, pid = known.of(ext)
    row["template"], row["provisioning_id"] = template or "", ("" if template else pid or "")
    if not template and not pid:
        message = (
            f"customer {ext}: Webex does not show its onboarding template (provisioning id): fill template or "
            "provisioning_id (needed only to create it again), or export with --customers-from your workbook"
        )
        out.notes.append(Note("customers", ext, "export.customer.template_unknown", message))


def _numbers_by_location(server: ServerCustomer) -> dict[str, list[Item]]:
    grouped: dict[str, list[Item]] = defaultdict(list)
    for number in server.numbers:
        location_id = str((number.get("location") or {}).get("id") or "")
        if number.get("phoneNumber"):
            grouped[location_id].append(number)
    return grouped


def _number_cells(
    server: ServerCustomer,
    location: Item,
    by_location: Mapping[str, list[Item]],
    where: str,
    out: ExportRows,
    sheet: str,
    key: str,
) -> Row:
    """numbers (compacted), main_number, numbers_state, pstn_connection of one location."""
    numbers = by_location.get(str(location.get("id")), [])
    cells: Row = {"numbers": numbers_cell(str(n["phoneNumber"]) for n in numbers)}
    mains = [str(n["phoneNumber"]) for n in numbers if n.get("mainNumber")]
    cells["main_number"] = mains[0] if mains else ""
    inactive = sorted(str(n["phoneNumber"]) for n in numbers if str(n.get("state") or "").upper() == "INACTIVE")
    if numbers and len(inactive) == len(numbers):
        cells["numbers_state"] = "inactive"
    elif inactive:
        message = (
            f"{where}: numbers {numbers_cell(inactive)} are inactive, the others active; one row has one "
            "numbers_state, so the column is blank (active)"
        )
        out.notes.append(Note(sheet, key, "export.numbers.mixed_state", message))
    connection = server.pstn.get(str(location.get("id")))
    if connection:
        cells["pstn_connection"] = _text(connection.get("displayName") or connection.get("id"))
    return cells


def _location(
    server: ServerCustomer, loc: Item, by_location: Mapping[str, list[Item]], stamp: str, out: ExportRows
) -> None:
    ext = server.external_id
    name = _text(loc.get("name"))
    key = f"{ext}/{name}"
    address = loc.get("address") or {}
    row: Row = {"customer_external_id": ext, "location_name": name}
    row |= {column: _text(address.get(field_)) for column, field_ in LOCATION_ADDRESS.items()}
    row |= {
        "timezone": _text(loc.get("timeZone")),
        "preferred_language": _text(loc.get("preferredLanguage")).lower(),
        "announcement_language": _text(loc.get("announcementLanguage")).lower(),
    }
    if not row["announcement_language"]:
        message = f"location {key}: Webex shows no announcement language: fill it in"
        out.notes.append(Note("locations", key, "export.location.no_announcement_language", message))
    row |= _number_cells(server, loc, by_location, f"location {key}", out, "locations", key)
    out.sheets["locations"].append(row)
    ids = {"org_id": _text(server.customer.get("orgId")), "location_id": _text(loc.get("id"))}
    out.ids.append(_ids("locations", key, ids, stamp))


def _user(
    server: ServerCustomer,
    sub: Item,
    names: Mapping[str, str],
    by_location: Mapping[str, list[Item]],
    stamp: str,
    out: ExportRows,
    known: KnownTemplates,
) -> None:
    ext = server.external_id
    email = _text(sub.get("email"))
    packages = [str(p) for p in sub.get("packages") or ([sub["package"]] if sub.get("package") else [])]
    row: Row = {"customer_external_id": ext, "email": email, "package": packages[0] if packages else ""}
    if len(packages) > 1:
        message = f"user {email}: holds packages {', '.join(packages)}; the package column takes one (the first)"
        out.notes.append(Note("users", email, "export.user.packages_many", message))
    for package in packages:
        if package not in SUBSCRIBER_PACKAGES:
            message = f"user {email}: package {package} is not in the workbook's vocabulary (kept in its cell)"
            out.notes.append(Note("users", email, "export.user.package_unknown", message))
    person_id = _text(sub.get("personId"))
    person = server.people.get(person_id) if person_id else None
    if person is None:
        status = _text(sub.get("status")) or "unknown"
        message = f"user {email}: status {status}, Webex shows no person yet: names, number and roles are blank"
        out.notes.append(Note("users", email, "export.user.no_person", message))
    else:
        _person_cells(server, person, row, names, by_location, out, known)
    out.sheets["users"].append(row)
    ids = {
        "customer_id": _text(sub.get("customerId")),
        "org_id": _text(server.customer.get("orgId")),
        "subscriber_id": _text(sub.get("id")),
        "person_id": person_id,
        "status": _text(sub.get("status")),
        "created": _text(sub.get("created")),
        "last_status_change": _text(sub.get("lastStatusChange")),
    }
    out.ids.append(_ids("users", email, ids, stamp))


def _person_cells(
    server: ServerCustomer,
    person: Item,
    row: Row,
    names: Mapping[str, str],
    by_location: Mapping[str, list[Item]],
    out: ExportRows,
    known: KnownTemplates,
) -> None:
    email = row["email"]
    row["first_name"], row["last_name"] = _text(person.get("firstName")), _text(person.get("lastName"))
    known.fill("users", email, row)
    if not row["first_name"] or not row["last_name"]:
        message = f"user {email}: Webex shows no first or last name: fill them in"
        out.notes.append(Note("users", email, "export.user.no_name", message))
    calling = row["package"] in CALLING_PACKAGES
    location_id = _text(person.get("locationId"))
    if calling and location_id:
        row["location_name"] = names.get(location_id, "")
        if not row["location_name"]:
            message = f"user {email}: its calling location is not in the org's location listing"
            out.notes.append(Note("users", email, "export.user.location_unknown", message))
    work = [str(p.get("value")) for p in person.get("phoneNumbers") or [] if p.get("type") == "work" and p.get("value")]
    if calling and work:
        row["phone_number"] = work[0]
        held = {str(n.get("phoneNumber")) for n in by_location.get(location_id, [])}
        if work[0] not in held:
            message = f"user {email}: number {work[0]} is not one of its location's numbers"
            out.notes.append(Note("users", email, "export.user.number_not_in_location", message))
    if calling and person.get("extension"):
        row["extension"] = _text(person.get("extension"))
    roles = server.roles.get(_text(person.get("id")), ())
    for role in roles:
        if role not in ADMIN_ROLES:
            message = f"user {email}: role {role} is not in the workbook's vocabulary (kept in its cell)"
            out.notes.append(Note("users", email, "export.user.role_unknown", message))
    row["roles"] = "; ".join(roles)


def _ids(sheet: str, key: str, ids: Mapping[str, str], stamp: str) -> Row:
    return {"sheet": sheet, "key": key, **{k: v for k, v in ids.items() if v}, "exported_at": stamp}
