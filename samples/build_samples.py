"""Build the checked-in sample batch: ``samples/onboarding.xlsx`` and the same rows as ``samples/csv/*.csv``.

Why a script and not hand-edited files: the workbook and the CSV folder must hold exactly the same rows
(a test compares them), and both must stay in the column order of ``schemas.SHEETS``. Run
``python samples/build_samples.py`` after changing the data below; the output is byte-for-byte reproducible.

The data is a believable partner batch written the way partners type it: Finnish companies and streets with
ä/ö/å, postal codes with leading zeros, phone numbers in E.164, national (``09 …``), ``00358 …`` and
``(08) …`` forms, a number range, a numbers list with one number per line (a quoted newline in the CSV),
yes/kyllä/x/true confirmations, and admins who carry their customer's package level. Everything is valid.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # `python samples/build_samples.py` puts only samples/ on the path
    sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from schemas import SHEETS  # noqa: E402

Row = dict[str, str]


def _provisioning_id(uuid_text: str) -> str:
    """Partner Hub shows a template's Provisioning ID as base64 of a UUID (webex-api.md §2.2 example)."""
    return base64.b64encode(uuid_text.encode()).decode().rstrip("=")


NORDIC_CALLING = _provisioning_id("5f0c1e2a-8d3b-4c7e-9a41-2b6d8f3e7c10")
NORDIC_MEETINGS = _provisioning_id("a3e9d471-0b6c-4f28-b5d2-7c1e94f0a856")

TEMPLATES: list[Row] = [
    {"template": "Nordic Calling", "provisioning_id": NORDIC_CALLING},
    {"template": "Nordic Meetings", "provisioning_id": NORDIC_MEETINGS},
]

_FI = {"country": "FI", "timezone": "Europe/Helsinki", "location_language": "fi_fi"}

CUSTOMERS: list[Row] = [
    {
        "external_id": "FI-100101",
        "company_name": "Mäkelän Konepaja Oy",
        "admin_email": "it.tuki@makelankonepaja.fi",
        "template": "Nordic Calling",
        "packages": "webex_calling; webex_meetings",
        "language": "fi",
        "address_line1": "Mannerheimintie 12 B",
        "address_line2": "5. kerros",
        "city": "Helsinki",
        "postal_code": "00100",
        **_FI,
        "supported_location_confirmed": "yes",
        "hq_location_name": "Pääkonttori",
        "emergency_location_identifier": "MKP-HKI-01",
        "numbers": "+358 9 4245 1000..+358 9 4245 1019",
        "main_number": "+358 9 4245 1000",
    },
    {
        "external_id": "FI-100102",
        "company_name": "Öljynjalostus Åström Ab",
        "admin_email": "hallinto@astrom-oljy.fi",
        "template": "Nordic Calling",
        "packages": "webex_suite",
        "language": "fi_FI",
        "address_line1": "Keilaranta 9",
        "city": "Espoo",
        "postal_code": "02150",
        **_FI,
        "supported_location_confirmed": "kyllä",
        "hq_location_name": "Pääkonttori Keilaniemi",
        # One number per line: the CSV gets a quoted field with embedded newlines.
        "numbers": "\n".join(f"+358 9 8565 200{i}" for i in range(6)),
        "main_number": "09 8565 2000",
    },
    {
        "external_id": "FI-100103",
        "company_name": "Kärkkäinen & Pöyhönen Tilitoimisto Oy",
        "admin_email": "toimisto@karkkainen-poyhonen.fi",
        "template": "Nordic Meetings",
        "packages": "webex_meetings",
        "language": "fi",
        "address_line1": "Väinönkatu 26",
        "city": "Jyväskylä",
        "postal_code": "40100",
        "country": "FI",
        "supported_location_confirmed": "x",
    },
    {
        # Uses the Provisioning ID directly instead of a template name.
        "external_id": "FI-100104",
        "company_name": "Oulun Höyläämö ja Saha Oy",
        "admin_email": "atk@oulunhoylaamo.fi",
        "provisioning_id": NORDIC_CALLING,
        "packages": "webex_calling; attendant_console; cisco_calling_plan",
        "language": "fi",
        "address_line1": "Isokatu 32",
        "city": "Oulu",
        "postal_code": "90100",
        **_FI,
        "supported_location_confirmed": "true",
        "hq_location_name": "Oulun pääkonttori",
        "numbers": "+358 8 5582 3000..+358 8 5582 3014",
        "main_number": "00358 8 5582 3000",
    },
    {
        "external_id": "FI-100105",
        "company_name": "Turun Äänitekniikka Oy",
        "admin_email": "studio@turunaanitekniikka.fi",
        "template": "Nordic Calling",
        "packages": "webex_suite, webex_calling, webex_meetings",
        "language": "fi",
        "address_line1": "Linnankatu 31",
        "city": "Turku",
        "postal_code": "20100",
        **_FI,
        "supported_location_confirmed": "K",
        "hq_location_name": "Turun studio",
        "numbers": "+358 2 2744 1000..+358 2 2744 1009; +358 2 2744 1050",
        "main_number": "02 2744 1000",
    },
    {
        "external_id": "SE-200201",
        "company_name": "Ångström Logistik AB",
        "admin_email": "it@angstromlogistik.se",
        "template": "Nordic Calling",
        "packages": "webex_calling; webex_meetings",
        "language": "sv",
        "address_line1": "Sveavägen 44",
        "city": "Stockholm",
        "postal_code": "111 34",
        "country": "SE",
        "supported_location_confirmed": "Yes",
        "hq_location_name": "Huvudkontor Stockholm",
        "timezone": "Europe/Stockholm",
        "location_language": "sv_se",
        "numbers": "+46 8 5088 1000..+46 8 5088 1009",
        "main_number": "08-508 810 00",
    },
]

# customer, name, street, line2, city, postal code, numbers, main number (all FI unless the customer is SE)
_LOCATIONS = [
    (
        "FI-100101",
        "Tampereen tehdas",
        "Hatanpään valtatie 24",
        "",
        "Tampere",
        "33100",
        "+358 3 5655 2000..+358 3 5655 2009",
        "+358 3 5655 2000",
    ),
    (
        "FI-100101",
        "Oulun huoltokeskus",
        "Kauppurienkatu 12",
        "",
        "Oulu",
        "90100",
        "+358 8 5371 3000; +358 8 5371 3001; +358 8 5371 3002; +358 8 5371 3003",
        "08 5371 3000",
    ),
    (
        "FI-100101",
        "Turun myyntikonttori",
        "Yliopistonkatu 27 C",
        "2. krs",
        "Turku",
        "20100",
        "+358 2 4693 4000, +358 2 4693 4001, +358 2 4693 4002",
        "",
    ),
    (
        "FI-100102",
        "Porvoon jalostamo",
        "Kilpilahdentie 21",
        "",
        "Porvoo",
        "06101",
        "+358 19 521 4000..+358 19 521 4009",
        "019 521 4000",
    ),
    (
        "FI-100102",
        "Kotkan satamavarasto",
        "Satamatie 4",
        "",
        "Kotka",
        "48100",
        "+358 5 234 5000; +358 5 234 5001; +358 5 234 5002",
        "+358 5 234 5000",
    ),
    (
        "FI-100104",
        "Kemin saha",
        "Sahakatu 3",
        "",
        "Kemi",
        "94100",
        "+358 16 258 3000..+358 16 258 3005",
        "+358 16 258 3000",
    ),
    (
        "FI-100104",
        "Rovaniemen varasto",
        "Teollisuustie 8",
        "",
        "Rovaniemi",
        "96100",
        "+358 16 342 1000; +358 16 342 1001",
        "",
    ),
    (
        "FI-100105",
        "Helsingin studio",
        "Bulevardi 5",
        "",
        "Helsinki",
        "00120",
        "+358 9 6129 7000..+358 9 6129 7004",
        "+358 9 6129 7000",
    ),
    (
        "FI-100105",
        "Tampereen studio",
        "Åkerlundinkatu 11",
        "",
        "Tampere",
        "33100",
        "+358 3 3123 8000; +358 3 3123 8001\n+358 3 3123 8002",
        "03 3123 8000",
    ),
    (
        "SE-200201",
        "Göteborg lager",
        "Södra Vägen 20",
        "",
        "Göteborg",
        "412 54",
        "+46 31 760 2000..+46 31 760 2004",
        "031-760 20 00",
    ),
]

_LOCALE = {"FI": ("Europe/Helsinki", "fi_fi"), "SE": ("Europe/Stockholm", "sv_se")}


def _location_rows() -> list[Row]:
    rows = []
    for customer, name, street, line2, city, postal, numbers, main in _LOCATIONS:
        country = customer[:2]
        timezone, language = _LOCALE[country]
        rows.append(
            {
                "customer_external_id": customer,
                "location_name": name,
                "address_line1": street,
                "address_line2": line2,
                "city": city,
                "postal_code": postal,
                "country": country,
                "timezone": timezone,
                "preferred_language": language,
                "announcement_language": language,
                "numbers": numbers,
                "main_number": main,
            }
        )
    return rows


C, M, S, A = "webex_calling", "webex_meetings", "webex_suite", "attendant_console"
FULL, USER_ADMIN = "Full Administrator", "User and Device Administrator"

# Per customer: (email or "" to derive first.last@domain, first, last, package, location, phone, extension, roles).
# The first row of each customer is its admin_email, with the customer's package level and Full Administrator.
_USERS: dict[str, tuple[str, list[tuple[str, ...]]]] = {
    "FI-100101": (
        "makelankonepaja.fi",
        [
            ("it.tuki", "Tuomas", "Mäkelä", C, "", "+358 9 4245 1001", "1001", FULL),
            ("", "Aino", "Mäkelä", C, "", "09 4245 1002", "1002", ""),
            ("", "Jussi", "Pöllänen", C, "Pääkonttori", "00358 9 4245 1003", "1003", USER_ADMIN),
            ("", "Sanna", "Häkkinen", C, "", "+358942451004", "", ""),
            ("", "Mikko", "Äijälä", C, "", "", "1005", ""),
            ("", "Elina", "Björklund", M, "", "", "", ""),
            ("", "Pekka", "Lötjönen", M, "", "", "", ""),
            ("", "Heikki", "Kärkkäinen", C, "Tampereen tehdas", "+358 3 5655 2001", "2001", ""),
            ("", "Tiina", "Söderström", C, "Tampereen tehdas", "03 5655 2002", "2002", ""),
            ("", "Ville", "Hyvönen", C, "tampereen tehdas", "", "2003", ""),
            ("", "Riikka", "Määttä", C, "Oulun huoltokeskus", "+358 8 5371 3001", "3001", ""),
            ("", "Antti", "Väisänen", C, "Oulun huoltokeskus", "(08) 5371 3002", "3002", ""),
            ("", "Kaisa", "Lähteenmäki", C, "Turun myyntikonttori", "+358 2 4693 4001", "4001", ""),
            ("", "Jari", "Österberg", C, "Turun myyntikonttori", "+358 2 4693 4002", "", ""),
        ],
    ),
    "FI-100102": (
        "astrom-oljy.fi",
        [
            ("hallinto", "Helena", "Åström", S, "", "+358 9 8565 2001", "201", FULL),
            ("", "Matti", "Nykänen", S, "", "09 8565 2002", "202", ""),
            ("", "Leena", "Hämäläinen", S, "", "+358 9 8565 2003", "203", USER_ADMIN),
            ("", "Olli", "Räsänen", S, "", "+358 9 8565 2004", "204", ""),
            ("", "Päivi", "Jääskeläinen", S, "Porvoon jalostamo", "+358 19 521 4001", "401", ""),
            ("", "Timo", "Könönen", S, "Porvoon jalostamo", "019 521 4002", "402", ""),
            ("", "Marjut", "Ylönen", S, "Porvoon jalostamo", "+358 19 521 4003", "403", ""),
            ("", "Kalle", "Sjöberg", S, "Porvoon jalostamo", "", "404", ""),
            ("", "Minna", "Pääkkönen", S, "Kotkan satamavarasto", "+358 5 234 5001", "501", ""),
            ("", "Jukka", "Mäkinen", S, "Kotkan satamavarasto", "05 234 5002", "502", ""),
            ("", "Satu", "Höglund", S, "", "+358 9 8565 2005", "", ""),
            ("", "Eero", "Lindén", S, "", "", "205", ""),
        ],
    ),
    "FI-100103": (
        "karkkainen-poyhonen.fi",
        [
            ("toimisto", "Maija", "Kärkkäinen", M, "", "", "", FULL),
            ("", "Seppo", "Pöyhönen", M, "", "", "", ""),
            ("", "Anneli", "Tähtinen", M, "", "", "", ""),
            ("", "Harri", "Ärölä", M, "", "", "", ""),
            ("", "Noora", "Öhman", M, "", "", "", ""),
            ("", "Lauri", "Kylänpää", M, "", "", "", USER_ADMIN),
        ],
    ),
    "FI-100104": (
        "oulunhoylaamo.fi",
        [
            ("atk", "Raimo", "Kääriäinen", C, "", "+358 8 5582 3001", "101", FULL),
            ("", "Tuula", "Härkönen", A, "", "08 5582 3002", "102", ""),
            ("", "Jouni", "Pöyry", C, "Oulun pääkonttori", "+358 8 5582 3003", "103", ""),
            ("", "Marketta", "Väyrynen", C, "", "+358 8 5582 3004", "104", ""),
            ("", "Esa", "Ylitalo", C, "", "", "105", ""),
            ("", "Hannu", "Keränen", C, "Kemin saha", "+358 16 258 3001", "301", ""),
            ("", "Pirjo", "Mäntylä", C, "Kemin saha", "016 258 3002", "302", ""),
            ("", "Arto", "Jääskö", C, "Kemin saha", "+358 16 258 3003", "", ""),
            ("", "Sirpa", "Lämsä", C, "Rovaniemen varasto", "+358 16 342 1001", "401", ""),
            ("", "Tapio", "Hyötyläinen", C, "Rovaniemen varasto", "", "402", ""),
            ("", "Outi", "Räty", C, "", "+358 8 5582 3005", "106", ""),
        ],
    ),
    "FI-100105": (
        "turunaanitekniikka.fi",
        [
            ("studio", "Ilkka", "Äänismaa", S, "", "+358 2 2744 1001", "11", FULL),
            ("", "Johanna", "Sädeharju", S, "", "02 2744 1002", "12", ""),
            ("", "Petteri", "Löfgren", C, "Turun studio", "+358 2 2744 1003", "13", ""),
            ("", "Veera", "Nyström", M, "", "", "", ""),
            ("", "Aleksi", "Mörönen", C, "Helsingin studio", "+358 9 6129 7001", "21", ""),
            ("", "Emilia", "Rönkkö", S, "Helsingin studio", "09 6129 7002", "22", ""),
            ("", "Joonas", "Kivimäki", M, "", "", "", ""),
            ("", "Saara", "Hölttä", C, "Tampereen studio", "+358 3 3123 8001", "31", ""),
            ("", "Niko", "Äyräs", S, "Tampereen studio", "", "32", ""),
            ("", "Laura", "Pitkänen", C, "", "+358 2 2744 1050", "", ""),
        ],
    ),
    "SE-200201": (
        "angstromlogistik.se",
        [
            ("it", "Björn", "Ångström", C, "", "+46 8 5088 1001", "1001", FULL),
            ("", "Åsa", "Lindqvist", C, "", "08-508 810 02", "1002", ""),
            ("", "Göran", "Sjögren", C, "Huvudkontor Stockholm", "+46 8 5088 1003", "1003", USER_ADMIN),
            ("", "Märta", "Öberg", M, "", "", "", ""),
            ("", "Sören", "Nordström", C, "Göteborg lager", "+46 31 760 2001", "2001", ""),
            ("", "Linnéa", "Häggström", C, "Göteborg lager", "031-760 20 02", "2002", ""),
            ("", "Håkan", "Ek", C, "Göteborg lager", "", "2003", ""),
            ("", "Ingrid", "Bäckström", M, "", "", "", ""),
        ],
    ),
}

_ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})


def email_local(first: str, last: str) -> str:
    """``Päivi Jääskeläinen`` → ``paivi.jaaskelainen``: what Finnish companies actually use."""
    return f"{first}.{last}".lower().translate(_ASCII).replace(" ", "")


def _user_rows() -> list[Row]:
    rows = []
    for customer, (domain, users) in _USERS.items():
        for local, first, last, package, location, phone, extension, roles in users:
            rows.append(
                {
                    "customer_external_id": customer,
                    "email": f"{local or email_local(first, last)}@{domain}",
                    "first_name": first,
                    "last_name": last,
                    "package": package,
                    "location_name": location,
                    "phone_number": phone,
                    "extension": extension,
                    "roles": roles,
                }
            )
    return rows


def sheet_rows() -> dict[str, list[list[str]]]:
    """Every sheet as a header row plus data rows, all text, in ``SHEETS`` column order."""
    data = {"templates": TEMPLATES, "customers": CUSTOMERS, "locations": _location_rows(), "users": _user_rows()}
    out: dict[str, list[list[str]]] = {}
    for name, spec in SHEETS.items():
        columns = list(spec.column_names)
        for row in data[name]:
            unknown = set(row) - set(columns)
            if unknown:
                raise ValueError(f"{name}: unknown columns {sorted(unknown)}")
        out[name] = [columns] + [[row.get(c, "") for c in columns] for row in data[name]]
    return out


def write_xlsx(sheets: dict[str, list[list[str]]], path: Path) -> None:
    """Every cell a string (as a partner's workbook formatted as Text), bold frozen header, readable widths."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {"title": "rtm-batch sample onboarding batch", "author": "rtm-batch", "created": dt.datetime(2026, 1, 1)}
    )  # fixed → byte-reproducible file
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for c, header in enumerate(rows[0]):
            sheet.write_string(0, c, header, bold)
            width = max(len(line) for row in rows for line in row[c].split("\n"))
            sheet.set_column(c, c, min(max(width, 8) + 2, 60))
        for r, row in enumerate(rows[1:], start=1):
            for c, value in enumerate(row):
                if value:
                    sheet.write_string(r, c, value, wrap if "\n" in value else None)
        sheet.freeze_panes(1, 0)
    workbook.close()


def write_csvs(sheets: dict[str, list[list[str]]], folder: Path) -> None:
    """UTF-8 with BOM and ``;``: what Excel writes in Finland, the harder case for the loader."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)


def build(out_dir: Path = HERE) -> dict[str, int]:
    """Write ``onboarding.xlsx`` and ``csv/`` under ``out_dir``; return the data row count per sheet."""
    sheets = sheet_rows()
    out_dir.mkdir(parents=True, exist_ok=True)
    write_xlsx(sheets, out_dir / "onboarding.xlsx")
    write_csvs(sheets, out_dir / "csv")
    return {name: len(rows) - 1 for name, rows in sheets.items()}


if __name__ == "__main__":
    counts = build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(", ".join(f"{name}: {n}" for name, n in counts.items()))
