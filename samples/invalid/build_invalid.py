"""Build ``samples/invalid/invalid.xlsx``: one instance of every defect the validator reports, nothing else.

Each defect is a fresh row (its own customer, location or user with unique keys) with one thing wrong, so
defects do not interact; the expected findings are written beside it into ``expected.csv`` from the defect
list itself — not by running the validator — and a test compares the two whole tables.
Run ``python samples/invalid/build_invalid.py`` after changing the defects below.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from schemas import SHEETS  # noqa: E402

Row = dict[str, str]
Expected = tuple[str, str, str, str]  # sheet, column, rule, severity (row is filled in when placed)

NORDIC = "NWYwYzFlMmEtOGQzYi00YzdlLTlhNDEtMmI2ZDhmM2U3YzEw"


@dataclass
class Batch:
    """Rows per sheet plus the expected (sheet, row, column, rule, severity) findings."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in SHEETS})
    expected: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def add(self, sheet: str, row: Row, *findings: Expected) -> int:
        self.rows[sheet].append(row)
        excel_row = len(self.rows[sheet]) + 1
        for f_sheet, column, rule, severity in findings:
            assert f_sheet == sheet
            self.expected.append((sheet, excel_row, column, rule, severity))
        return excel_row


def template(i: int, **cells: str | None) -> Row:
    return _cells({"template": f"Template {i}", "provisioning_id": f"{NORDIC}{i}"}, cells)


def customer(i: int, **cells: str | None) -> Row:
    """A meetings customer: no calling location needed."""
    base = {
        "external_id": f"FI-{i:03d}",
        "company_name": f"Virhe {i} Oy",
        "admin_email": f"admin@virhe{i}.fi",
        "template": "Nordic Calling",
        "packages": "webex_meetings",
        "address_line1": f"Mannerheimintie {i}",
        "city": "Helsinki",
        "postal_code": "00100",
        "country": "FI",
        "supported_location_confirmed": "kyllä",
    }
    return _cells(base, cells)


def calling_customer(i: int, **cells: str | None) -> Row:
    base = customer(i, packages="webex_calling;webex_meetings", hq_location_name="Pääkonttori")
    base.update({"timezone": "Europe/Helsinki", "location_language": "fi_fi"})
    base.update({"numbers": f"+358 9 7000 {i:02d}00..+358 9 7000 {i:02d}09", "main_number": f"+358 9 7000 {i:02d}00"})
    return _cells(base, cells)


def location(i: int, **cells: str | None) -> Row:
    base = {
        "customer_external_id": "FI-001",
        "location_name": f"Toimipiste {i}",
        "address_line1": f"Hämeenkatu {i}",
        "city": "Tampere",
        "postal_code": "33100",
        "country": "FI",
        "timezone": "Europe/Helsinki",
        "preferred_language": "fi_fi",
        "announcement_language": "fi_fi",
    }
    return _cells(base, cells)


def user(i: int, **cells: str | None) -> Row:
    """A meetings user of the valid customer FI-001."""
    base = {
        "customer_external_id": "FI-001",
        "email": f"kayttaja{i}@virhe1.fi",
        "first_name": "Käyttäjä",
        "last_name": f"Numero {i}",
        "package": "webex_meetings",
    }
    return _cells(base, cells)


def _cells(base: Row, cells: dict[str, str | None]) -> Row:
    out = dict(base)
    for key, value in cells.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def e(sheet: str, column: str, rule: str, severity: str = "error") -> Expected:
    return (sheet, column, rule, severity)


def valid_core(b: Batch) -> None:
    """What the defects lean on: a template, a calling customer FI-001 with HQ and a branch, two users."""
    b.add("templates", template(0, template="Nordic Calling", provisioning_id=NORDIC))
    b.add("customers", calling_customer(1))
    b.add(
        "locations",
        location(
            1, location_name="Tampere", numbers="+358 3 7000 0000; +358 3 7000 0001", main_number="+358 3 7000 0000"
        ),
    )
    b.add(
        "users",
        user(
            1,
            email="admin@virhe1.fi",
            package="webex_calling",
            phone_number="+358 9 7000 0101",
            extension="101",
            roles="Full Administrator",
        ),
    )
    b.add(
        "users", user(2, package="webex_calling", location_name="tampere", phone_number="03 7000 0001", extension="201")
    )


def column_defects(b: Batch) -> None:
    """Every required cell and every column check of the models, once."""
    n = iter(range(100, 200))
    for column in SHEETS["templates"].required_columns:
        b.add("templates", template(next(n), **{column: None}), e("templates", column, f"templates.{column}.required"))
    b.add("templates", template(next(n), template="T" * 121), e("templates", "template", "templates.template.too_long"))
    b.add(
        "templates",
        template(next(n), provisioning_id="not an id!"),
        e("templates", "provisioning_id", "templates.provisioning_id.format"),
    )
    for column in SHEETS["customers"].required_columns:
        b.add("customers", customer(next(n), **{column: None}), e("customers", column, f"customers.{column}.required"))
    bad_customer = {
        "external_id": ("too_long", "X" * 257),
        "company_name": ("format", "100% Oy"),
        "language": ("format", "suomeksi"),
        "address_line1": ("too_long", "Katu " + "x" * 46),
        "address_line2": ("too_long", "y" * 51),
        "city": ("too_long", "z" * 101),
        "postal_code": ("too_long", "1" * 21),
        "country": ("format", "FIN"),
        "hq_location_name": ("too_long", "P" * 81),
        "location_language": ("format", "finnish"),
    }
    for column, (what, value) in bad_customer.items():
        row = customer(next(n), **{column: value, "template": None, "provisioning_id": NORDIC})
        b.add("customers", row, e("customers", column, f"customers.{column}.{what}"))
    b.add(
        "customers",
        customer(next(n), template=None, provisioning_id="id with spaces"),
        e("customers", "provisioning_id", "customers.provisioning_id.format"),
    )
    for column in SHEETS["locations"].required_columns:
        b.add("locations", location(next(n), **{column: None}), e("locations", column, f"locations.{column}.required"))
    bad_location = {
        "location_name": ("too_long", "T" * 81),
        "address_line1": ("too_long", "a" * 51),
        "address_line2": ("too_long", "b" * 51),
        "city": ("too_long", "c" * 101),
        "postal_code": ("too_long", "3" * 21),
        "country": ("format", "Suomi"),
        "preferred_language": ("format", "fi"),
        "announcement_language": ("format", "suomi"),
    }
    for column, (what, value) in bad_location.items():
        b.add("locations", location(next(n), **{column: value}), e("locations", column, f"locations.{column}.{what}"))
    for column in SHEETS["users"].required_columns:
        b.add("users", user(next(n), **{column: None}), e("users", column, f"users.{column}.required"))
    b.add("users", user(next(n), first_name="<Aino>"), e("users", "first_name", "users.first_name.format"))
    b.add("users", user(next(n), last_name="Mäkelä/IT"), e("users", "last_name", "users.last_name.format"))
    b.add("users", user(next(n), extension="12a"), e("users", "extension", "users.extension.format"))


def customer_defects(b: Batch) -> None:
    c = "customers"
    b.add(c, customer(2, packages="webex_meetings;webex_gold"), e(c, "packages", "customers.packages.unknown"))
    b.add(
        c,
        customer(3, packages="cisco_calling_plan;webex_meetings"),
        e(c, "packages", "customers.packages.addon_first"),
        e(c, "packages", "customers.packages.addon_dependency"),
    )
    b.add(c, customer(5, country="XX"), e(c, "country", "customers.country.unknown"))
    b.add(c, calling_customer(6, timezone="Europe/Helsingfors"), e(c, "timezone", "customers.timezone.unknown"))
    b.add(c, customer(7, admin_email="admin(at)virhe7.fi"), e(c, "admin_email", "customers.admin_email.invalid"))
    b.add(c, customer(8, admin_email="ADMIN@virhe2.fi"), e(c, "admin_email", "customers.admin_email.duplicate"))
    b.add(c, calling_customer(9, numbers="+358 9 7000 0900; 12"), e(c, "numbers", "customers.numbers.invalid"))
    b.add(c, calling_customer(10, main_number="keskus"), e(c, "main_number", "customers.main_number.invalid"))
    b.add(
        c,
        calling_customer(11, main_number="+358 9 7000 1199"),
        e(c, "main_number", "customers.main_number.not_in_numbers"),
    )
    b.add(
        c,
        calling_customer(12, numbers="+358 9 7000 0105", main_number=None),
        e(c, "numbers", "customers.numbers.duplicate"),
    )
    b.add(c, customer(13, template="Baltic Calling"), e(c, "template", "customers.template.unknown"))
    b.add(c, customer(14, template=None), e(c, "template", "customers.template.required"))
    b.add(c, customer(15, provisioning_id=NORDIC), e(c, "provisioning_id", "customers.provisioning_id.conflict"))
    b.add(
        c,
        customer(2, company_name="Tupla Oy", admin_email="tupla@virhe.fi"),
        e(c, "external_id", "customers.external_id.duplicate"),
    )
    b.add(
        c,
        customer(16, supported_location_confirmed="ei"),
        e(c, "supported_location_confirmed", "customers.supported_location_confirmed.not_confirmed"),
    )
    for i, column in enumerate(("hq_location_name", "timezone", "location_language"), start=17):
        b.add(c, calling_customer(i, **{column: None}), e(c, column, f"customers.{column}.required_for_calling"))
    b.add(
        c,
        customer(20, country="US", postal_code="10001", city="New York"),
        e(c, "state_or_province", "customers.state_or_province.required_for_country"),
    )
    b.add(c, customer(21, postal_code=None), e(c, "postal_code", "customers.postal_code.required_for_country"))


def location_defects(b: Batch) -> None:
    loc = "locations"
    b.add(
        loc,
        location(2, customer_external_id="FI-900"),
        e(loc, "customer_external_id", "locations.customer_external_id.not_in_batch", "warning"),
    )
    b.add(loc, location(3, location_name="TAMPERE"), e(loc, "location_name", "locations.location_name.duplicate"))
    b.add(loc, location(4, location_name="pääkonttori"), e(loc, "location_name", "locations.location_name.is_hq"))
    b.add(loc, location(5, country="QQ"), e(loc, "country", "locations.country.unknown"))
    b.add(
        loc, location(6, numbers="+358 3 7000 0600; 999999999999999999"), e(loc, "numbers", "locations.numbers.invalid")
    )
    b.add(
        loc,
        location(7, numbers="+358 3 7000 0700", main_number="vaihde"),
        e(loc, "main_number", "locations.main_number.invalid"),
    )
    b.add(
        loc,
        location(8, numbers="+358 3 7000 0800", main_number="+358 3 7000 0899"),
        e(loc, "main_number", "locations.main_number.not_in_numbers"),
    )
    b.add(
        loc, location(9, numbers="+358 3 7000 0900; +358 9 7000 0102"), e(loc, "numbers", "locations.numbers.duplicate")
    )
    b.add(
        loc,
        location(10, country="AU", postal_code="2000", city="Sydney", timezone="Australia/Sydney"),
        e(loc, "state_or_province", "locations.state_or_province.required_for_country"),
    )
    b.add(loc, location(11, postal_code=None), e(loc, "postal_code", "locations.postal_code.required_for_country"))
    # The one dependent row: a user at an invalid location (below) names this row.
    b.add(loc, location(12, timezone="Mars/Olympus"), e(loc, "timezone", "locations.timezone.unknown"))


def user_defects(b: Batch) -> None:
    u = "users"
    b.add(u, user(3, email="kayttaja3(at)virhe1.fi"), e(u, "email", "users.email.invalid"))
    b.add(u, user(4, email="KAYTTAJA2@virhe1.fi"), e(u, "email", "users.email.duplicate"))
    b.add(u, user(5, email="admin@virhe2.fi"), e(u, "email", "users.email.admin_of_other_customer"))
    b.add(u, user(6, package="webex_gold"), e(u, "package", "users.package.unknown"))
    b.add(u, user(7, package="webex_suite", extension="701"), e(u, "package", "users.package.not_in_customer"))
    b.add(u, user(8, roles="Full Administrator"), e(u, "package", "users.package.admin_level"))
    b.add(u, user(9, package="webex_calling"), e(u, "phone_number", "users.phone_number.required_for_calling"))
    b.add(
        u, user(10, package="webex_calling", phone_number="puhelin"), e(u, "phone_number", "users.phone_number.invalid")
    )
    b.add(
        u,
        user(11, package="webex_calling", phone_number="+358 9 7000 0101"),
        e(u, "phone_number", "users.phone_number.duplicate"),
    )
    b.add(u, user(12, package="webex_calling", extension="101"), e(u, "extension", "users.extension.duplicate"))
    b.add(
        u,
        user(13, package="webex_calling", phone_number="+358 40 700 0013"),
        e(u, "phone_number", "users.phone_number.not_in_location", "warning"),
    )
    b.add(  # a calling user: a meetings user has no location, so an unknown one is not even a warning
        u,
        user(14, package="webex_calling", location_name="Oulu", extension="1401"),
        e(u, "location_name", "users.location_name.not_in_batch", "warning"),
    )
    b.add(u, user(15, roles="Pomo"), e(u, "roles", "users.roles.unknown"))
    b.add(
        u,
        user(16, customer_external_id="FI-900", package="webex_calling", phone_number="040 700 0016"),
        e(u, "customer_external_id", "users.customer_external_id.not_in_batch", "warning"),
        e(u, "phone_number", "users.phone_number.country_on_server", "warning"),
    )
    b.add(  # a calling user: a meetings user has no location, so an invalid one does not hold it back
        u,
        user(17, package="webex_calling", location_name="Toimipiste 12", extension="1701"),
        e(u, "location_name", "dependency.invalid_parent"),
    )
    b.add(u, user(18, first_name="Käyt\x1btäjä"), e(u, "first_name", "cell.control_character"))
    b.add(u, user(19, phone_number="2026-01-05"), e(u, "phone_number", "cell.date_not_number"))


def pstn_defects(b: Batch) -> None:
    """numbers_state and pstn_connection (planted last, so the rows of the older plants keep their numbers)."""
    for sheet, make in (("customers", lambda **c: customer(80, **c)), ("locations", lambda **c: location(80, **c))):
        b.add(sheet, make(numbers_state="porting"), e(sheet, "numbers_state", f"{sheet}.numbers_state.format"))
    b.add(
        "customers",
        customer(81, pstn_connection="P" * 257),
        e("customers", "pstn_connection", "customers.pstn_connection.too_long"),
    )
    b.add(
        "locations",
        location(81, pstn_connection="P" * 257),
        e("locations", "pstn_connection", "locations.pstn_connection.too_long"),
    )


def excel_defects(b: Batch) -> None:
    """What Excel does to digits typed into a number cell (issue 18); planted after the older plants."""
    for sheet, make in (("customers", customer), ("locations", location)):
        b.add(sheet, make(82, postal_code="510"), e(sheet, "postal_code", f"{sheet}.postal_code.leading_zero_lost"))


def change_defects(b: Batch) -> None:
    """A cut-over time without its zone (issue 20): ambiguous, so refused; planted last."""
    b.add(
        "customers",
        customer(83, cutover_at="2026-12-12 22:00"),
        e("customers", "cutover_at", "customers.cutover_at.format"),
    )


def build_batch() -> Batch:
    b = Batch()
    valid_core(b)
    column_defects(b)
    customer_defects(b)
    location_defects(b)
    user_defects(b)
    pstn_defects(b)
    excel_defects(b)
    change_defects(b)
    b.add(
        "templates", template(1, template="nordic calling"), e("templates", "template", "templates.template.duplicate")
    )
    return b


def write_xlsx(b: Batch, path: Path) -> None:
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False}) as book:
        for name, spec in SHEETS.items():
            sheet = book.add_worksheet(name)
            for col, column in enumerate(spec.column_names):
                sheet.write_string(0, col, column)
                for r, row in enumerate(b.rows[name], start=1):
                    if row.get(column):
                        sheet.write_string(r, col, row[column])


def write_expected(b: Batch, path: Path) -> None:
    order = {name: i for i, name in enumerate(SHEETS)}
    rows = sorted(b.expected, key=lambda x: (order[x[0]], x[1], x[2], x[3]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["sheet", "row", "column", "rule", "severity"])
        writer.writerows(rows)


def build(out_dir: Path = HERE) -> Batch:
    b = build_batch()
    write_xlsx(b, out_dir / "invalid.xlsx")
    write_expected(b, out_dir / "expected.csv")
    return b


if __name__ == "__main__":
    batch = build()
    print(f"invalid.xlsx: {sum(map(len, batch.rows.values()))} rows, {len(batch.expected)} expected findings")
