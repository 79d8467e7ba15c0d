"""Just enough PNG reading for a test to ask "is this screenshot blank?" without an imaging library:
8-bit RGB or RGBA, non-interlaced (what Chromium writes), every filter type."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from pathlib import Path


def pixels(path: Path, max_rows: int | None = None) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB bytes of each row (the first ``max_rows`` only: a row depends only on those
    above it, so the top of a tall screenshot decodes without the rest)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, "only 8-bit RGB(A) PNGs"
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(min(height, max_rows or height)):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 2:  # "up", most of Chromium's rows: one pass without the per-byte branches
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind:
            for x in range(stride):
                left = line[x - step] if x >= step else 0
                up, corner = previous[x], previous[x - step] if x >= step else 0
                line[x] = (line[x] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(bytes(line) if step == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    p = left + up - corner
    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
    return left if pa <= pb and pa <= pc else up if pb <= pc else corner


def colours(path: Path, *, every: int = 4, max_rows: int | None = None) -> Counter[tuple[int, int, int]]:
    """How often each colour occurs (every ``every``-th pixel of every ``every``-th row, for speed)."""
    _, _, rows = pixels(path, max_rows)
    found: Counter[tuple[int, int, int]] = Counter()
    for row in rows[::every]:
        for x in range(0, len(row) - 2, 3 * every):
            found[(row[x], row[x + 1], row[x + 2])] += 1
    return found
