"""A ruleset written to attack its reviewer: the report links only web addresses,
escapes every label, and its Content-Security-Policy stops any script that an
escaping bug might one day let through (proved in headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import dsl
from verifier.report.html import CSP, build_html

from tests.report.test_report_browser import _chromium

EVIL = '''ruleset evil version "1"
source s "Cite <script>document.title='PWNED'</script>" url "javascript:document.title='PWNED'"
source w "Web" url "https://example.org/guideline?a=1&b=2"
source d "Data" url "data:text/html,<script>alert(1)</script>"
input flag: bool
action a: treatment "A <img src=x onerror=\\"document.title='PWNED'\\">"
rule r "R" when flag recommend a category 1 sources [s, w, d]
rule r2 "R2" when not flag consider a category 1 sources [s]
'''


def _html() -> str:
    return build_html(dsl.parse_ruleset(EVIL, "evil.rules"), None, None, timing=False)


def test_only_web_addresses_become_links() -> None:
    html = _html()
    hrefs = [h for h in re.findall(r'href="([^"]*)"', html) if not h.startswith("#")]
    assert hrefs == ["https://example.org/guideline?a=1&amp;b=2"]
    assert "javascript:document.title" in html  # still shown, as text
    assert "<script" not in html and "<img src=x" not in html


def test_the_policy_is_in_the_head() -> None:
    html = _html()
    head = html[: html.index("</head>")]
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in head
    assert "script-src 'none'" in CSP and "default-src 'none'" in CSP


def test_no_script_runs_even_if_one_slipped_through(tmp_path: Path) -> None:
    # Simulate an escaping bug: plant a script and an event handler in the body.
    planted = _html().replace(
        "<body>", "<body><script>document.title='PWNED'</script>"
        "<img src=\"data:,\" onerror=\"document.title='PWNED'\">", 1)
    page = tmp_path / "evil.html"
    page.write_text(planted, encoding="utf-8")
    run = _chromium(tmp_path, page, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", run.stdout, re.S)
    assert title is not None and "PWNED" not in title.group(1)
    assert "evil 1" in title.group(1)
    assert "PWNED" not in run.stdout.split("</head>")[0].split("<title>")[1]
