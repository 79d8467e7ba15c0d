"""report.html in a real browser (Debian's ``chromium``, headless): a real run against the emulator (a failed
customer, 429s from a server the client must find the limit of, earlier nights in the history), then the
page as Chromium renders it: the text a person reads, every SVG chart laid out with a size, no sideways
scrolling on a phone, a printable PDF, and a screenshot that is not blank.

With ``RTM_BATCH_SCREENSHOT=docs/report-html.png`` the screenshot is also saved there (the README's).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.history.records import RunRecord
from batch.history.store import History
from batch.notify.inputs import job_label
from batch.notify.watch import RunWatch, WatchSettings
from batch.run.runner import RunOptions, run_batch
from tests.report.png import colours

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
CHROMIUM = shutil.which("chromium")
TOKEN = "browser-test-token"
#: Measures the rendered page from inside the browser (only in the test's copy: the report has no script).
PROBE = """<script>
const boxes = [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect());
document.body.setAttribute('data-probe', JSON.stringify({
  charts: boxes.map(b => [Math.round(b.width), Math.round(b.height)]),
  text: document.body.innerText,
  pageWidth: document.documentElement.scrollWidth,
  windowWidth: window.innerWidth,
}));
</script></body>"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it when missing)",
)


def chromium(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium on ``out``'s report.html (or the page named last), with a profile of its own."""
    profile = out.parent / f"profile-{len(list(out.parent.glob('profile-*')))}"
    command = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += ["--no-first-run", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real night: the samples against a server limited to 60 requests/s, one customer's provisioning
    failing, five earlier nights of the same job in the history."""
    folder = tmp_path_factory.mktemp("browser")
    history = folder / "history.sqlite"
    store = History(history)
    label = job_label(None, [SAMPLES])
    for day, (code, created, failed) in enumerate([(0, 79, 0), (1, 3, 2), (0, 2, 0), (2, 0, 0), (0, 5, 0)]):
        started = datetime.now(UTC) - timedelta(days=5 - day, hours=-1)
        totals = {"created": created, "failed": failed, "exists": 0 if code == 2 else 79 - created - failed}
        store.record(RunRecord(f"n{day}", label, "run", started, started, code, sum(totals.values()), totals))
    server = EmulatorConfig(
        token=TOKEN, rate=60, burst=10, latency_ms=5, provisioning_seconds=0.5, customer_outcomes={"FI-100102": "error"}
    )
    with running_emulator(server) as base_url:
        watch = RunWatch(WatchSettings(inputs=(SAMPLES,), out_dir=folder / "out", base_url=base_url, history=history))
        options = RunOptions(out_dir=folder / "out", base_url=base_url, token=TOKEN, watch=watch, log_format="plain")
        outcome = run_batch([SAMPLES], options, Console(file=open(os.devnull, "w")))  # noqa: SIM115
    assert outcome.exit_code == 1
    return folder / "out"


def probe(out: Path, width: int, height: int) -> dict:
    page = out / "probe.html"
    page.write_text((out / "report.html").read_text().replace("</body>", PROBE))
    dom = chromium(out, f"--window-size={width},{height}", "--dump-dom", page.as_uri()).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found[1]))


def test_the_rendered_page_reads_and_its_charts_have_a_size(out: Path) -> None:
    seen = probe(out, 1280, 2000)
    text = seen["text"]
    summary = json.loads((out / "summary.json").read_text())
    for expected in ("exit 1", "need a look", summary["run_id"], "Failures by reason", "FI-100102", "Rate over time"):
        assert expected in text, expected
    assert "Öljynjalostus Åström Ab" in text and "The last runs" in text and "provisioning the customer" in text
    assert len(seen["charts"]) == 4  # sheets, customers, rate, trend
    assert all(w > 300 and h > 30 for w, h in seen["charts"]), seen["charts"]
    assert summary["api"]["throttled"] > 0  # the rate chart has 429s to show


def test_on_a_phone_nothing_scrolls_sideways(out: Path) -> None:
    seen = probe(out, 390, 844)  # headless Chromium may widen the window a little: its phone layout applies
    width = seen["windowWidth"]
    assert width <= 640 and seen["pageWidth"] <= width + 1, seen
    assert all(0 < w <= width and h > 10 for w, h in seen["charts"]), seen["charts"]


def test_it_prints_and_its_screenshot_is_not_blank(out: Path) -> None:
    pdf = out.parent / "report.pdf"
    chromium(out, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (out / "report.html").as_uri())
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    shot = out.parent / "report.png"
    chromium(out, f"--screenshot={shot}", "--window-size=900,2600", (out / "report.html").as_uri())
    found = colours(shot, max_rows=900)
    white = found[(255, 255, 255)] / sum(found.values())
    assert len(found) > 40 and white < 0.9, (len(found), white)
    assert found[(46, 125, 50)] and found[(198, 40, 40)]  # the page's own green (created) and red (failed)
    if target := os.environ.get("RTM_BATCH_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / target)
