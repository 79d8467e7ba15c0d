"""results.xlsx's data rows as sheet XML, streamed into the workbook xlsxwriter wrote without them.

xlsxwriter spends ~7 µs per cell (a Python call, checks, XML escaping); a 21,000-row run has 250,000 cells.
So xlsxwriter writes everything but the data rows, and the rows are made here as XML text by polars
expressions over whole columns (~50x faster), then put into each sheet's <sheetData>, ``ROWS_PER_CHUNK``
rows at a time so that a sheet's XML is never whole in memory. Cells are inline strings and numbers in the
status's row style, as xlsxwriter writes them itself.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from xlsxwriter.utility import xl_col_to_name

from batch.jobs import FAILED
from batch.report.cells import is_text


@dataclass(frozen=True, slots=True)
class Layout:
    """One input sheet ready to write: header names, and its ``height`` data rows as cells made a slice at a time
    (``cells_of(start, n)``: one column per sheet column, in order, String or Int64, plus ``__r``, the Excel row,
    1-based, and ``__status``), so the cells of a 100,000-row sheet are never one frame (they were +45 MiB at once
    while results.xlsx was written). ``last_row`` is the last Excel row; ``text_bytes`` the UTF-8 size of the
    cells' text (an upper bound will do: it decides ZIP64)."""

    name: str
    names: list[str]
    widths: list[float]
    height: int
    last_row: int
    cells_of: Callable[[int, int], pl.DataFrame]
    text_bytes: int = 0


_BAD_XML_CHARS = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"
_MAX_CELL = 32_767  # Excel's limit for the text of one cell


def insert_rows(path: Path, sheets: Mapping[str, Layout], styles: Mapping[str, int | None]) -> None:
    """Rewrite the workbook with each input sheet's rows inside its <sheetData>, streamed into the zip entry
    ``ROWS_PER_CHUNK`` rows at a time: the sheet's XML is never whole in memory (it was, four times over:
    the joined text, the sheet with it, its UTF-8 bytes, the compressed entry: 190 MiB at 20,000 users)."""
    if any(index is None for index in styles.values()):
        raise RuntimeError("results.xlsx: a status style has no index; write every fill once before closing")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            layout = sheets.get(info.filename)
            if layout is None:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                continue
            head, tail = _around_rows(data.decode("utf-8"), layout)
            entry = _deflated(info)
            with dst.open(entry, "w", force_zip64=_may_pass_zip64_limit(layout)) as out:
                out.write(head.encode("utf-8"))
                for chunk in _rows_xml(layout, styles):
                    out.write(chunk.encode("utf-8"))
                out.write(tail.encode("utf-8"))
    tmp.replace(path)


def _deflated(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A copy of ``info`` (name, date: xlsxwriter's own) to be written deflated at level 1, as ``writestr``
    writes the other entries (``ZipFile.open`` takes the level from the entry, which has no public setter
    before Python 3.13)."""
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = info.external_attr
    entry.create_system = info.create_system
    setattr(entry, "_compresslevel", 1)  # noqa: B010  # 3.11/3.12 name; 3.13 keeps it as an alias
    return entry


def _may_pass_zip64_limit(layout: Layout) -> bool:
    """Whether the sheet's XML could pass 2 GiB (the entry then needs ZIP64 from its first byte): the text of
    its cells plus 120 bytes of markup per cell is an upper bound."""
    cells = layout.height * (len(layout.names) + 2)  # and __r, __status
    return (layout.text_bytes + cells * 120) * 1.05 > zipfile.ZIP64_LIMIT


def _around_rows(xml: str, layout: Layout) -> tuple[str, str]:
    """The sheet's XML before and after where its rows go, its dimension naming every row."""
    last_col = xl_col_to_name(len(layout.names) - 1)
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_col}{layout.last_row}"/>', xml, count=1)
    head, tail = xml.split("</sheetData>", 1)
    return head, "</sheetData>" + tail


#: Rows made into XML at a time (~2.5 MB of text for a users sheet). Polars' intermediate columns of a piece
#: are what writing costs: 20,000 users wrote in 0.31 s and +24 MiB at 2,000 rows, 0.36 s and +14 MiB at 1,000,
#: 0.51 s and +11 MiB at 500 (a first workbook in a fresh process).
ROWS_PER_CHUNK = 1_000


def _rows_xml(layout: Layout, styles: Mapping[str, int | None]) -> Iterator[str]:
    """The data rows as sheet XML, ``ROWS_PER_CHUNK`` rows per piece, in order."""
    if not layout.height:
        return
    schema = layout.cells_of(0, 0).schema
    fallback = str(styles[FAILED])
    style = pl.col("__status").replace_strict({k: str(v) for k, v in styles.items()}, default=fallback)
    data = [c for c in schema if not c.startswith("__")]
    parts = [_cell_xml(name, xl_col_to_name(i), schema[name]) for i, name in enumerate(data)]
    row = pl.concat_str(
        [
            pl.lit('<row r="'),
            pl.col("__r").cast(pl.String),
            pl.lit('" s="'),
            pl.col("__s"),
            pl.lit('" customFormat="1">'),
            *parts,
            pl.lit("</row>"),
        ]
    )
    for start in range(0, layout.height, ROWS_PER_CHUNK):
        chunk = layout.cells_of(start, ROWS_PER_CHUNK).with_columns(__s=style)
        joined: str = chunk.select(row.str.join("").alias("xml")).item()
        yield joined


def _cell_xml(name: str, letter: str, dtype: pl.DataType) -> pl.Expr:
    """One column's cells as XML (empty text for a blank cell: the row style colours it)."""
    col = pl.col(name).cast(pl.String) if is_text(dtype) else pl.col(name)
    ref = pl.concat_str([pl.lit(f'<c r="{letter}'), pl.col("__r").cast(pl.String), pl.lit('" s="'), pl.col("__s")])
    if is_text(dtype):
        text = _xml_text(col)
        opening = pl.lit('" t="inlineStr"><is><t xml:space="preserve">')
        cell = pl.concat_str([ref, opening, text, pl.lit("</t></is></c>")])
        present = col.is_not_null() & (col.str.len_bytes() > 0)
    else:
        cell = pl.concat_str([ref, pl.lit('"><v>'), col.cast(pl.String), pl.lit("</v></c>")])
        present = col.is_not_null()
    return pl.when(present).then(cell).otherwise(pl.lit(""))


def _xml_text(col: pl.Expr) -> pl.Expr:
    """Text safe inside <t>: markup escaped, characters XML 1.0 cannot hold dropped, Excel's length."""
    return (
        col.str.slice(0, _MAX_CELL)
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all(_BAD_XML_CHARS, "")
        .str.replace_all(r"_(x[0-9A-Fa-f]{4}_)", "_x005F_$1")
    )
