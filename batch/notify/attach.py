"""The file a Webex space gets with the night's message: the rows to fix, ready to correct and run again.

``retry/retry.xlsx`` when the run left one; the retry folder zipped when it holds several files (CSV inputs,
or one corrected copy per merged input); ``results.xlsx`` when nothing needs fixing, so the space still
has the night's record. Webex takes files up to 100 MB; a larger one is not attached (the message still
says where the reports are).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from batch.notify.send import Attachment
from batch.report.writer import ReportPaths

#: Webex's limit for one file of a message.
MAX_BYTES = 100 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_for(paths: ReportPaths) -> Attachment | None:
    """What to attach for the run whose reports are ``paths``; None when it is missing or too large."""
    retry = sorted(p for p in paths.retry_dir.rglob("*") if p.is_file()) if paths.retry_dir else []
    if len(retry) == 1:
        name = retry[0].name
        return _file(retry[0], name if name.startswith("retry") else f"retry-{name}")
    if retry:
        return _zipped(retry, paths.retry_dir)  # type: ignore[arg-type]
    return _file(paths.results_xlsx, paths.results_xlsx.name)


def _file(path: Path, name: str) -> Attachment | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        content = path.read_bytes()
    except OSError:
        return None
    kind = XLSX if path.suffix == ".xlsx" else "text/csv" if path.suffix == ".csv" else "application/octet-stream"
    return Attachment(name, content, kind)


def _zipped(files: list[Path], folder: Path) -> Attachment | None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.relative_to(folder))
    content = buffer.getvalue()
    return Attachment("retry.zip", content, "application/zip") if len(content) <= MAX_BYTES else None
