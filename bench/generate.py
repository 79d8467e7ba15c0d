"""Generate a valid input batch of any size, fast, for the validation and provisioning benchmarks.

Why vectorized: the validation benchmark needs 1,000,000 users with 200,000 customers' worth of references,
and a per-row Python loop would take longer than the validation it is meant to measure. Every column is a
polars expression over row indexes, so the batch is built in a few seconds.

Shape of the batch (all valid per contract §1):
- customer ``c`` = ``BENCH-0000c``, always with a calling package; its HQ is ``Pääkonttori``.
- extra location ``k`` belongs to customer ``k % C`` (``Toimipiste <n> <city>``).
- user ``j`` belongs to customer ``j % C``; the first user of every customer is its ``admin_email`` with the
  package level and ``Full Administrator``. Users rotate over their customer's HQ and locations.
- each location (HQ included) owns a contiguous block of Helsinki fixed-line numbers (``+358 9 1xxx xxxx``,
  valid per phonenumbers): its main number, then one number per numbered user (at most 999 per location,
  written as one ``FIRST..LAST`` range); the rest of the calling users have an extension only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # `python bench/generate.py` puts only bench/ on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter  # noqa: E402

from schemas import SHEETS  # noqa: E402

FIRST_NAMES = ["Aino", "Eetu", "Helmi", "Väinö", "Sanna", "Jyrki", "Päivi", "Onni", "Kerttu", "Tuomas", "Elsa",
               "Mikko", "Siiri", "Jääkko", "Lempi", "Ilmari", "Hönö", "Aleksi", "Maija", "Åke"]
LAST_NAMES = ["Mäkelä", "Höglund", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen",
              "Koskinen", "Järvinen", "Lehtonen", "Söderberg", "Räsänen", "Väisänen", "Kärkkäinen", "Åström",
              "Pöllänen", "Lindén", "Ylönen", "Kääriäinen"]
COMPANY_WORDS = ["Mäkelän Konepaja", "Öljy ja Kaasu", "Pohjolan Sähkö", "Kärkkäisen Kuljetus", "Åbo Rakennus",
                 "Järvisen Puutarha", "Hämeen Höyläämö", "Lapin Säätö", "Savon Ääni", "Kymen Työkalu"]
# city, postal code (leading zeros kept), street
CITIES = [("Helsinki", "00100", "Mannerheimintie"), ("Espoo", "02150", "Keilaranta"),
          ("Tampere", "33100", "Hämeenkatu"), ("Oulu", "90100", "Isokatu"), ("Turku", "20100", "Linnankatu"),
          ("Jyväskylä", "40100", "Väinönkatu"), ("Porvoo", "06100", "Mannerheimininkatu"),
          ("Kuopio", "70100", "Kauppakatu"), ("Lahti", "15110", "Aleksanterinkatu"),
          ("Vaasa", "65100", "Hovioikeudenpuistikko")]
KINDS = ["webex_calling;webex_meetings", "webex_suite", "webex_calling;webex_meetings;cisco_calling_plan",
         "webex_suite;webex_calling"]
TEMPLATES = {"Bench Calling": "YmVuY2gtY2FsbGluZy0wMDAwLTAwMDAtMDAwMDAwMDAwMDAx",
             "Bench Suite": "YmVuY2gtc3VpdGUtMDAwMDAtMDAwMDAtMDAwMDAwMDAwMDAy"}
HQ_NAME = "Pääkonttori"
FIRST_NATIONAL = 910_000_000  # +358 9 1000 0000: Helsinki fixed line; valid up to 989 999 999
NUMBER_CAPACITY = 989_999_999 - FIRST_NATIONAL
MAX_NUMBERED_PER_LOCATION = 999  # plus the main number = one range of at most 1,000 (contract §1)

_ASCII = {"ä": "a", "ö": "o", "å": "a", "é": "e", "Ä": "a", "Ö": "o", "Å": "a"}


def _pick(pool: list[str], index: pl.Expr, seed: int) -> pl.Expr:
    """A pseudo-random but reproducible pool entry per row: a multiplicative hash of the row index."""
    position = ((index * 2_654_435_761 + seed * 40_503) % 4_294_967_291) % len(pool)
    return pl.lit(pl.Series(pool, dtype=pl.String)).gather(position)


def _spaced(national: pl.Expr) -> pl.Expr:
    """910000001 → ``+358 9 1000 0001``."""
    text = national.cast(pl.String)
    return pl.concat_str(pl.lit("+358 9 "), text.str.slice(1, 4), pl.lit(" "), text.str.slice(5))


def _domestic(national: pl.Expr) -> pl.Expr:
    """910000001 → ``09 1000 0001`` (how Finns write it; needs the row's country FI)."""
    text = national.cast(pl.String)
    return pl.concat_str(pl.lit("09 "), text.str.slice(1, 4), pl.lit(" "), text.str.slice(5))


def _compact(national: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("+358"), national.cast(pl.String))


def _users_core(customers: int, locations: int, users: int) -> pl.DataFrame:
    """User rows as integers: customer, index within it, location slot, global location id, numbered rank."""
    per_customer = locations // customers
    extra = locations % customers
    core = pl.DataFrame({"j": pl.int_range(users, eager=True, dtype=pl.Int64)}).with_columns(
        cust=pl.col("j") % customers, idx=pl.col("j") // customers
    )
    core = core.with_columns(n_loc=pl.lit(per_customer) + (pl.col("cust") < extra).cast(pl.Int64))
    core = core.with_columns(
        slot=pl.col("idx") % (pl.col("n_loc") + 1), kind=pl.col("cust") % len(KINDS)
    ).with_columns(
        gloc=pl.when(pl.col("slot") == 0)
        .then(pl.col("cust"))
        .otherwise(customers + pl.col("cust") + (pl.col("slot") - 1) * customers),
        package=pl.when(pl.col("idx") == 0)
        .then(pl.col("kind").replace_strict({0: 0, 1: 2, 2: 0, 3: 2}))  # admins: the package level
        .when(pl.col("kind").is_in([0, 2]))
        .then(pl.when(pl.col("idx") % 5 == 4).then(1).otherwise(0))
        .when(pl.col("kind") == 3)
        .then(pl.when(pl.col("idx") % 3 == 2).then(0).otherwise(2))
        .otherwise(2),  # 0 calling, 1 meetings, 2 suite
    )
    candidate = (pl.col("package") != 1) & (pl.col("idx") % 7 != 6)
    rank = pl.when(candidate).then(pl.col("j").cum_count().over(pl.col("gloc"), candidate)).otherwise(None)
    core = core.with_columns(rank=rank - 1)
    return core.with_columns(
        rank=pl.when(pl.col("rank") < MAX_NUMBERED_PER_LOCATION).then(pl.col("rank")).otherwise(None)
    )


def _number_blocks(core: pl.DataFrame, customers: int, locations: int) -> pl.DataFrame:
    """One row per location (HQ ids first): start of its number block and its size (main + numbered users)."""
    counts = core.filter(pl.col("rank").is_not_null()).group_by("gloc").agg(numbered=pl.len())
    blocks = (
        pl.DataFrame({"gloc": pl.int_range(customers + locations, eager=True, dtype=pl.Int64)})
        .join(counts, on="gloc", how="left", maintain_order="left")
        .with_columns(size=pl.col("numbered").fill_null(0).cast(pl.Int64) + 1)
        .with_columns(start=pl.col("size").cum_sum() - pl.col("size") + FIRST_NATIONAL)
    )
    total = blocks["size"].sum() if blocks.height else 0
    if total > NUMBER_CAPACITY:
        raise ValueError(f"{total} numbers needed, the Helsinki block holds {NUMBER_CAPACITY}")
    last = pl.col("start") + pl.col("size") - 1
    odd = pl.col("gloc") % 2 == 1
    first_text = pl.when(odd).then(_domestic(pl.col("start"))).otherwise(_spaced(pl.col("start")))
    last_text = pl.when(odd).then(_domestic(last)).otherwise(_spaced(last))
    as_range = pl.concat_str(first_text, pl.lit(".."), last_text)
    return blocks.with_columns(
        numbers=pl.when(pl.col("size") == 1).then(first_text).otherwise(as_range),
        main_number=pl.when(odd).then(_spaced(pl.col("start"))).otherwise(_domestic(pl.col("start"))),
    )


def _finish(frame: pl.DataFrame, sheet: str) -> pl.DataFrame:
    """Exactly the sheet's columns, in SHEETS order, all String (missing optional ones as nulls)."""
    columns = SHEETS[sheet].column_names
    return frame.select(
        [pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in columns]
    )


def make_batch(customers: int, locations: int, users: int, seed: int = 1) -> dict[str, pl.DataFrame]:
    """A valid batch of the given size: every sheet a frame of String columns named as in ``SHEETS``."""
    if min(customers, locations, users) < 0 or (customers == 0 and (locations or users)):
        raise ValueError("need at least one customer for locations and users, and no negative sizes")
    customers_ = max(customers, 1)
    core = _users_core(customers_, locations, users)
    blocks = _number_blocks(core, customers_, locations)
    hq_blocks = blocks.head(customers)
    loc_blocks = blocks.slice(customers_, locations)

    c = pl.col("c")
    domain = pl.concat_str(pl.lit("asiakas"), c.cast(pl.String), pl.lit(".fi"))
    cities = [list(t) for t in zip(*CITIES, strict=True)]
    cust = pl.DataFrame({"c": pl.int_range(customers, eager=True, dtype=pl.Int64)}).with_columns(
        external_id=pl.concat_str(pl.lit("BENCH-"), c.cast(pl.String).str.zfill(7)),
        company_name=pl.concat_str(_pick(COMPANY_WORDS, c, seed), pl.lit(" "), c.cast(pl.String), pl.lit(" Oy")),
        admin_email=pl.concat_str(pl.lit("admin@"), domain),
        template=pl.lit(pl.Series(list(TEMPLATES))).gather(c % 2),
        packages=pl.lit(pl.Series(KINDS)).gather(c % len(KINDS)),
        language=pl.lit("fi"),
        address_line1=pl.concat_str(_pick(cities[2], c, seed), pl.lit(" "), (c % 97 + 1).cast(pl.String)),
        city=_pick(cities[0], c, seed),
        postal_code=_pick(cities[1], c, seed),
        country=pl.lit("FI"),
        supported_location_confirmed=pl.lit(pl.Series(["yes", "kyllä", "x", "true"])).gather(c % 4),
        hq_location_name=pl.lit(HQ_NAME),
        timezone=pl.lit("Europe/Helsinki"),
        location_language=pl.lit("fi_fi"),
        numbers=hq_blocks["numbers"],
        main_number=hq_blocks["main_number"],
    )

    k = pl.col("k")
    locs = pl.DataFrame({"k": pl.int_range(locations, eager=True, dtype=pl.Int64)}).with_columns(
        customer_external_id=pl.concat_str(pl.lit("BENCH-"), (k % customers_).cast(pl.String).str.zfill(7)),
        location_name=pl.concat_str(
            pl.lit("Toimipiste "), (k // customers_ + 1).cast(pl.String), pl.lit(" "), _pick(cities[0], k, seed + 1)
        ),
        address_line1=pl.concat_str(_pick(cities[2], k, seed + 1), pl.lit(" "), (k % 89 + 2).cast(pl.String)),
        city=_pick(cities[0], k, seed + 1),
        postal_code=_pick(cities[1], k, seed + 1),
        country=pl.lit("FI"),
        timezone=pl.lit("Europe/Helsinki"),
        preferred_language=pl.lit("fi_fi"),
        announcement_language=pl.lit("fi_fi"),
        numbers=loc_blocks["numbers"],
        main_number=loc_blocks["main_number"],
    )

    users_frame = _users_frame(core, blocks, customers_, locations, seed)
    templates = pl.DataFrame({"template": list(TEMPLATES), "provisioning_id": list(TEMPLATES.values())})
    return {
        "templates": _finish(templates, "templates"),
        "customers": _finish(cust, "customers"),
        "locations": _finish(locs, "locations"),
        "users": _finish(users_frame, "users"),
    }


def _users_frame(core: pl.DataFrame, blocks: pl.DataFrame, customers: int, locations: int, seed: int) -> pl.DataFrame:
    j, idx, cust = pl.col("j"), pl.col("idx"), pl.col("cust")
    ascii_first = [_ascii(n) for n in FIRST_NAMES]
    ascii_last = [_ascii(n) for n in LAST_NAMES]
    domain = pl.concat_str(pl.lit("@asiakas"), cust.cast(pl.String), pl.lit(".fi"))
    slot = pl.col("slot")
    national = pl.col("start") + 1 + pl.col("rank")
    calling = pl.col("package") != 1
    core = core.join(blocks.select("gloc", "start"), on="gloc", how="left", maintain_order="left")
    location_name = pl.concat_str(
        pl.lit("Toimipiste "), slot.cast(pl.String), pl.lit(" "),
        _pick([c for c, _, _ in CITIES], cust + (slot - 1) * customers, seed + 1),
    )
    return core.with_columns(
        customer_external_id=pl.concat_str(pl.lit("BENCH-"), cust.cast(pl.String).str.zfill(7)),
        email=pl.when(idx == 0)
        .then(pl.concat_str(pl.lit("admin"), domain))
        .otherwise(
            pl.concat_str(
                _pick(ascii_first, j, seed), pl.lit("."), _pick(ascii_last, j, seed + 2), pl.lit("."),
                idx.cast(pl.String), domain,
            )
        ),
        first_name=_pick(FIRST_NAMES, j, seed),
        last_name=_pick(LAST_NAMES, j, seed + 2),
        package=pl.lit(pl.Series(["webex_calling", "webex_meetings", "webex_suite"])).gather(pl.col("package")),
        location_name=pl.when(~calling)
        .then(None)
        .when(slot == 0)
        .then(pl.when(j % 2 == 0).then(pl.lit(HQ_NAME)).otherwise(None))
        .otherwise(location_name),
        phone_number=pl.when(pl.col("rank").is_null())
        .then(None)
        .when(j % 3 == 0)
        .then(_compact(national))
        .when(j % 3 == 1)
        .then(_spaced(national))
        .otherwise(_domestic(national)),
        extension=pl.when(calling).then((idx + 1000).cast(pl.String)).otherwise(None),
        roles=pl.when(idx == 0).then(pl.lit("Full Administrator")).otherwise(None),
    )


def _ascii(name: str) -> str:
    return "".join(_ASCII.get(ch, ch) for ch in name).lower()


def write_csv_folder(batch: dict[str, pl.DataFrame], folder: Path, separator: str = ";", bom: bool = True) -> None:
    """One ``<sheet>.csv`` per sheet, as a partner's Excel export would be (BOM and ``;`` by default)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in batch.items():
        frame.write_csv(folder / f"{name}.csv", separator=separator, include_bom=bom)


def write_xlsx(batch: dict[str, pl.DataFrame], path: Path) -> None:
    """One sheet per frame, every cell text; constant_memory streams rows so 1M users fit in little RAM."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    for name, frame in batch.items():
        sheet = workbook.add_worksheet(name)
        for c, header in enumerate(frame.columns):
            sheet.write_string(0, c, header, bold)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value)
    workbook.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--locations", type=int, default=900)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--xlsx", type=Path, help="also write this workbook")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    batch = make_batch(args.customers, args.locations, args.users, args.seed)
    built = time.perf_counter()
    write_csv_folder(batch, args.out)
    if args.xlsx:
        write_xlsx(batch, args.xlsx)
    sizes = ", ".join(f"{name}: {frame.height}" for name, frame in batch.items())
    print(f"{sizes}; built in {built - started:.2f} s, written in {time.perf_counter() - built:.2f} s → {args.out}")


if __name__ == "__main__":
    main()
