"""The report in a real browser: headless Chromium opens it offline, logs no console message,
and its screenshot shows the coverage matrix and the decision diagram.

Chromium is part of the test set-up (`make test` installs Debian's `chromium`
package when missing). Without it this test fails, it does not skip: a
report nobody opened in a browser is not tested.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

import dsl
from verifier.check.run import check_ruleset
from verifier.report.html import build_html, report_figures

from tests.conftest import LIPO_RULES

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Every host name fails to resolve: anything the page tried to fetch would log an error.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]
WIDTH, HEIGHT = 1400, 3000  # CSS pixels: the header, the summary, the matrix and the first drawing
SCALE = 0.5  # the screenshot's device scale: half the pixels to decode in pure Python
MATRIX_GREEN = (0xD8, 0xF0, 0xD2)  # a covered cell (report_assets: --ok-wash)
PHASE_BLUE = (0xDB, 0xEA, 0xFE)  # a phase box of the decision diagram (graph_decision_dot)


def _browser() -> str:
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("headless Chromium is needed for this test and is not installed: "
                "run `sudo apt-get install -y chromium` (make test does it for you)")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _browser()  # the missing browser is the first thing to hear about, before any work
    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is needed to draw the report's graphs: `sudo apt-get install graphviz`")
    rs = dsl.load_ruleset(LIPO_RULES)
    out = tmp_path_factory.mktemp("report") / "liposarcoma.html"
    out.write_text(build_html(rs, check_ruleset(rs), report_figures(rs), timing=False), encoding="utf-8")
    return out


def _chromium(tmp: Path, report: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"  # a fresh profile: nothing from an earlier run leaks in
    cmd = [_browser(), *_FLAGS, f"--user-data-dir={profile}", *args, report.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _console_lines(stderr: str) -> list[str]:
    # Chromium logs every console message and uncaught error as "...:CONSOLE(n)] ...".
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]


def test_the_dom_holds_the_matrix_the_graphs_and_every_rule(report: Path, tmp_path: Path) -> None:
    run = _chromium(tmp_path, report, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert '<table class="matrix">' in dom
    assert dom.count("<svg") >= 7
    assert "Which phase applies" in dom
    for r in dsl.load_ruleset(LIPO_RULES).rules:
        assert f'id="rule-{r.id}"' in dom
    assert _console_lines(run.stderr) == []


def test_the_screenshot_shows_the_matrix_and_the_graph(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run = _chromium(tmp_path, report, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}",
                    f"--force-device-scale-factor={SCALE}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _console_lines(run.stderr) == []
    width, height, pixels = _read_png(shot.read_bytes())
    assert (width, height) == (int(WIDTH * SCALE), int(HEIGHT * SCALE))
    assert len(set(pixels)) > 200, "the screenshot is (nearly) blank"
    assert _count(pixels, MATRIX_GREEN) > 5_000, "no coverage matrix in view"
    assert _count(pixels, PHASE_BLUE) > 1_000, "no decision diagram in view"


def _count(pixels: list[tuple[int, int, int]], colour: tuple[int, int, int], tolerance: int = 3) -> int:
    return sum(1 for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, colour)))


def _read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour_type in (2, 6), "an unexpected PNG layout"
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytes(stride)
    pixels: list[tuple[int, int, int]] = []
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), prev, channels)
        pixels.extend(zip(row[0::channels], row[1::channels], row[2::channels]))
        prev = bytes(row)
    return width, height, pixels


def _unfilter(kind: int, row: bytearray, prev: bytes, bpp: int) -> bytearray:
    """Undo one scanline's PNG filter (RFC 2083, 6.2-6.6)."""
    n = len(row)
    if kind == 0:
        return row
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(row, prev))
    if kind == 1:
        for i in range(bpp, n):
            row[i] = (row[i] + row[i - bpp]) & 0xFF
        return row
    if kind == 3:
        for i in range(n):
            left = row[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
        return row
    for i in range(n):
        left = row[i - bpp] if i >= bpp else 0
        up = prev[i]
        upleft = prev[i - bpp] if i >= bpp else 0
        p = left + up - upleft
        pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
        row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else upleft)) & 0xFF
    return row
