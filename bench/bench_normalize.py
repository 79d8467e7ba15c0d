"""Benchmark the phone and email normalizers on a million realistic values.

    .venv/bin/python bench/bench_normalize.py [--rows 1000000] [--sample 20000] [--seed 1]

Prints seconds and µs/row for ``normalize_phones``, ``expand_numbers`` (a smaller, list-heavy column)
and ``check_emails``, next to the per-row library cost measured on a sample, and how many values the
library still had to judge.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import phonenumbers
import polars as pl

from batch.validate.emails import check_emails, email_reference
from batch.validate.phones import expand_numbers, normalize_phones, phone_reference

#: (region, share of rows); the rest of the rows have no country and international numbers.
REGIONS = (("FI", 0.70), ("SE", 0.08), ("DE", 0.07), ("US", 0.05), ("GB", 0.05))
FIRST = ("matti", "maija", "juha", "anna", "mikko", "liisa", "ville", "sanna", "pekka", "tiina", "jussi", "aino")
LAST = ("virtanen", "korhonen", "makinen", "nieminen", "hamalainen", "laine", "heikkinen", "koskinen", "jarvinen")
DOMAINS = ("example.fi", "yritys.fi", "firma.com", "kauppa.fi", "tehdas.net", "palvelu.io", "osakeyhtio.fi")


def _bases(region: str) -> list[str]:
    """National significant numbers of the region's example fixed-line and mobile numbers."""
    types = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
    examples = (phonenumbers.example_number_for_type(region, t) for t in types)
    return [phonenumbers.national_significant_number(n) for n in examples if n is not None]


def _phone(rng: random.Random, region: str, nsn: str) -> str:
    """One number in a format partners type: international, national, 00, Excel digits, dashes."""
    cc = str(phonenumbers.country_code_for_region(region))
    prefix = "1" if region == "US" else "0"
    nsn = nsn[:-4] + f"{rng.randrange(10000):04d}"
    form = rng.randrange(8)
    if form == 0:
        return f"+{cc} {nsn[:2]} {nsn[2:5]} {nsn[5:]}"
    if form == 1:
        return f"+{cc}{nsn}"
    if form == 2:
        return f"{prefix}{nsn[:2]} {nsn[2:]}" if region != "US" else f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
    if form == 3:
        return f"00{cc}{nsn}" if region != "US" else f"011 {cc} {nsn}"
    if form == 4:
        return f"{cc}{nsn}"  # an Excel number cell
    if form == 5:
        return f"+{cc}-{nsn[:2]}-{nsn[2:]}"
    if form == 6:
        return f"({prefix}{nsn[:1]}) {nsn[1:5]} {nsn[5:]}"
    return f"{prefix}{nsn}"


def _invalid(rng: random.Random) -> str:
    return rng.choice(("12", "040 12x 4567", "+358 40", "n/a", "+999 123 4567", "040-123456789012", "tel 0401234567"))


def make_phones(rows: int, seed: int) -> tuple[list[str | None], list[str | None]]:
    """Realistic phone cells with their row country; ~2 % invalid, a few blank."""
    rng = random.Random(seed)
    bases = {region: _bases(region) for region, _ in REGIONS}
    regions, weights = zip(*REGIONS, strict=True)
    values: list[str | None] = []
    countries: list[str | None] = []
    for _ in range(rows):
        region = rng.choices(regions, weights)[0] if rng.random() < 0.95 else rng.choice(regions)
        country: str | None = region if rng.random() < 0.97 else None
        draw = rng.random()
        if draw < 0.02:
            value: str | None = _invalid(rng)
        elif draw < 0.025:
            value = None
        elif country is None:
            value = (
                f"+{phonenumbers.country_code_for_region(region)} {rng.choice(bases[region])[:-4]}"
                f"{rng.randrange(10000):04d}"
            )
        else:
            value = _phone(rng, region, rng.choice(bases[region]))
        values.append(value)
        countries.append(country)
    return values, countries


def make_number_lists(rows: int, seed: int) -> list[str | None]:
    """Cells of a ``numbers`` column: lists of numbers and ranges, mixed separators."""
    rng = random.Random(seed)
    cells: list[str | None] = []
    for _ in range(rows):
        parts = []
        for _ in range(rng.randrange(1, 5)):
            start = 1000 + rng.randrange(8000)
            if rng.random() < 0.3:
                parts.append(f"+358 9 4245 {start}..+358 9 4245 {start + rng.randrange(1, 50)}")
            else:
                parts.append(f"09 4245 {start}" if rng.random() < 0.5 else f"+358 40 123 {start}")
        cells.append(rng.choice((", ", "; ", "\n")).join(parts))
    return cells


def make_emails(rows: int, seed: int) -> list[str | None]:
    """Addresses as partners list them: mostly plain, some capitals, a few Unicode or broken ones."""
    rng = random.Random(seed)
    out: list[str | None] = []
    for i in range(rows):
        local = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{i}"
        domain = rng.choice(DOMAINS)
        draw = rng.random()
        if draw < 0.01:
            out.append(f"{local}@{domain}".replace("a", "ä", 1))
        elif draw < 0.02:
            out.append(rng.choice((f"{local}@", f"{local}@@{domain}", f"{local}..x@{domain}", f"{local} @{domain}")))
        elif draw < 0.1:
            out.append(f"{local.title()}@{domain.upper()}")
        else:
            out.append(f"{local}@{domain}")
    return out


def _timed(label: str, rows: int, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {rows:>9,} rows {seconds:8.2f} s {seconds / rows * 1e6:8.2f} µs/row")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    values, countries = make_phones(args.rows, args.seed)
    phones, regions = pl.Series(values, dtype=pl.String), pl.Series(countries, dtype=pl.String)
    lists = pl.Series(make_number_lists(args.rows // 10, args.seed), dtype=pl.String)
    emails = pl.Series(make_emails(args.rows, args.seed), dtype=pl.String)
    normalize_phones(phones.head(1000), regions.head(1000))  # load the metadata once, outside the timing

    _timed("normalize_phones", args.rows, lambda: normalize_phones(phones, regions))
    expanded = expand_numbers(lists, regions.head(lists.len()))
    _timed(
        f"expand_numbers ({expanded.height:,} numbers out)",
        lists.len(),
        lambda: expand_numbers(lists, regions.head(lists.len())),
    )
    _timed("check_emails", args.rows, lambda: check_emails(emails))

    n = min(args.sample, args.rows)
    _timed(
        "phonenumbers per row (library only)",
        n,
        lambda: [phone_reference(v, c) for v, c in zip(values[:n], countries[:n], strict=True)],
    )
    _timed("email-validator per row (library only)", n, lambda: [email_reference(e) for e in emails[:n]])
    result = normalize_phones(phones, regions)
    print(f"phones: {result['e164'].is_not_null().sum():,} valid, {result['error'].is_not_null().sum():,} errors")
    checked = check_emails(emails)
    print(
        f"emails: {checked['normalized'].is_not_null().sum():,} valid, {checked['error'].is_not_null().sum():,} errors"
    )


if __name__ == "__main__":
    main()
