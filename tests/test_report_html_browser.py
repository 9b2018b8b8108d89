"""The HTML report in a real browser: Debian's Chromium, headless, offline.

Loads the page from a file with `--dump-dom` (the table and the chart are in
the DOM the browser built) and `--screenshot` (the bars are really drawn, in
the colours the legend promises). Skips when Chromium is not installed (fails
with OUTREACH_REQUIRE_SERVERS=1).
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from outreach.core.personal_line import message_parts
from tests.conftest import RunCli
from tests.support.require import find_program, require
from tests.support.workspaces import make_workspace
from tests.test_report import AS_OF, network  # noqa: F401  (the fixture)

CHROMIUM = find_program("chromium", "chromium-browser")


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    require(None if CHROMIUM else "needs Debian's chromium (apt-get install chromium)")


ORDER = ["ana", "eli", "cleo", "fay", "ben", "dev", "gia"]
PAST, WITHIN = (0xD6, 0x45, 0x45), (0x4C, 0xAF, 0x7A)  # the bar colours in html_page.STYLE


def chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    argv = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture
def page(network: Path, run_cli: RunCli, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "report.html"
    run_cli("--home", str(network), "--as-of", AS_OF, "report", "--format", "html",
            "--output", str(target))  # fmt: skip
    return target


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.table_rows: list[str] = []
        self.chart_rows: list[str] = []
        self.bars: Counter[str] = Counter()
        self.headers: list[str] = []
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-contact"):
            self.table_rows.append(str(found["data-contact"]))
        elif tag == "g" and found.get("class") == "row":
            self.chart_rows.append(str(found["data-contact"]))
        elif tag == "rect" and str(found.get("class", "")).startswith("bar "):
            self.bars[str(found["class"]).removeprefix("bar ")] += 1
        self._in_th = tag == "th"

    def handle_data(self, data: str) -> None:
        if self._in_th and data.strip():
            self.headers.append(data.strip())


def test_chromium_builds_the_table_and_the_chart(page: Path, tmp_path: Path) -> None:
    dom = _Dom()
    dom.feed(chromium(tmp_path, page, "--dump-dom").stdout)
    assert dom.table_rows == ORDER
    assert dom.headers[:2] == ["#", "Name"] and dom.headers[-1] == "Overdue"
    assert dom.chart_rows == ORDER
    # Ana and Dev never supported; Eli and Cleo past cadence; Fay, Ben, Gia within.
    assert dom.bars == Counter({"never": 2, "past": 2, "within": 3})


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0) and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the PNG filters (RFC 2083, section 6)
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + guess) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


def test_chromium_draws_the_bars_in_the_legends_colours(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,1000")
    width, channels, rows = read_png(shot.read_bytes())
    colours: Counter[tuple[int, int, int]] = Counter()
    for row in rows:
        for x in range(0, width * channels, channels):
            colours[(row[x], row[x + 1], row[x + 2])] += 1
    # Two red bars (Eli, Cleo) and one green one (Fay) a few hundred pixels each,
    # and legend swatches: solid areas, not stray anti-aliased pixels.
    assert colours[PAST] > 2000
    assert colours[WITHIN] > 1000
    assert len(colours) > 50  # text was drawn too: not a blank page


PHONE = 400  # CSS pixels: a phone held upright
PAGE_BACKGROUND, MAIL_BACKGROUND = (0xFB, 0xFB, 0xF8), (0xFF, 0xFF, 0xFF)


def right_edge_is_clear(shot: Path, background: tuple[int, int, int], margin: int = 8) -> bool:
    """Nothing drawn in the rightmost `margin` pixels, top to bottom: nothing was cut
    off at the screen's edge, as a table wider than the screen would be."""
    width, channels, rows = read_png(shot.read_bytes())
    assert width == PHONE
    edge = range((width - margin) * channels, width * channels, channels)
    return all(tuple(row[x : x + 3]) == background for row in rows for x in edge)


def test_report_reads_on_a_phone_without_being_cut_off(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "phone.png"
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={PHONE},2400")
    assert right_edge_is_clear(shot, PAGE_BACKGROUND)
    # The same page on a desktop still shows the table as a table.
    dom = _Dom()
    dom.feed(chromium(tmp_path, page, "--dump-dom").stdout)
    assert dom.table_rows == ORDER


def test_html_draft_reads_on_a_phone(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(
        tmp_path / "ws",
        events="""\
        [events.salon]
        title = "Housing Futures Salon: long evenings of talks about neighbourhoods"
        host = "ben"
        start = 2026-07-01T18:00:00Z
        url = "https://example.org/events/housing-futures-salon-with-a-very-long-address"
        description = "Short talks, then long conversations about who gets to live where."
        tags = ["housing"]
        """,
    )
    run_cli("--home", str(root), "--as-of", AS_OF, "draft", "shares")
    html = message_parts((root / "drafts" / "share-salon-ana.eml").read_bytes()).html
    assert html is not None
    draft = tmp_path / "draft.html"
    draft.write_text(html)
    shot = tmp_path / "draft.png"
    chromium(tmp_path, draft, f"--screenshot={shot}", f"--window-size={PHONE},900")
    assert right_edge_is_clear(shot, MAIL_BACKGROUND)
