"""The progress line: on a terminal only, redrawn in place, erased at the end; pipes see nothing."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.verifier_helpers import HEADER, rule
from verifier.check.run import check_ruleset
from verifier.cli.progress import Progress, wanted
from verifier.cli.check_cmd import check_command
from tests.verifier_helpers import ruleset

SMALL = 'input n: int [0, 5]\naction a: t "a"\n' + rule("r1", "n >= 2", "recommend a") + rule("r2", "n < 2", "recommend a")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_counts_and_erases_itself() -> None:
    out, clock = io.StringIO(), _Clock()
    with Progress("ruleproof mutate", stream=out, enabled=True, clock=clock) as p:
        p.step("random baseline suite")
        clock.now += 7
        p.count(3, 40, "mutant m3")
        assert p.line() == "ruleproof mutate: 3/40 (7%) mutant m3 7s"
    text = out.getvalue()
    assert "\r\x1b[Kruleproof mutate: random baseline suite 0s" in text
    assert "\r\x1b[Kruleproof mutate: 3/40 (7%) mutant m3 7s" in text
    assert text.endswith("\r\x1b[K") and "\n" not in text


def test_no_progress_off_a_terminal() -> None:
    out = io.StringIO()
    assert not wanted(out)
    with Progress("x", stream=out) as p:
        p.count(1, 2, "y")
    assert out.getvalue() == ""


def test_check_reports_each_check_to_the_callback() -> None:
    seen: list[tuple[int, int, str]] = []
    report = check_ruleset(ruleset(SMALL), progress=lambda k, n, name: seen.append((k, n, name)))
    assert [name for _, _, name in seen] == [r.property for r in report.results]
    assert [k for k, _, _ in seen] == list(range(len(report.results)))
    assert all(n >= len(report.results) for _, n, _ in seen)


def test_cli_output_is_unchanged_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "s.rules"
    path.write_text(HEADER + SMALL, encoding="utf-8")
    res = CliRunner().invoke(check_command, [str(path)], catch_exceptions=False)
    assert res.exit_code == 0 and "\x1b" not in res.stdout + res.stderr


def test_progress_appears_on_a_terminal_stderr(tmp_path: Path) -> None:
    path = tmp_path / "s.rules"
    path.write_text(HEADER + SMALL, encoding="utf-8")
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "RULEPROOF_NO_PROGRESS"}
    proc = subprocess.run(
        [sys.executable, "-c", "from verifier.cli import main; main()", "check", str(path), "--no-timing"],
        stdout=subprocess.PIPE, stderr=secondary, env=env, timeout=120)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed once the process ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert b"ruleproof check:" in seen and seen.endswith(b"\r\x1b[K")
    assert b"\x1b" not in proc.stdout  # the results on stdout are untouched
