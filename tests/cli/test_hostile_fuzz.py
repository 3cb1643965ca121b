"""Fuzz targets, one per input surface (issue 10): ruleset text, record JSON,
batch stream and command-line options.

Each asserts what any input must get: only the documented exit codes, no
exception escaping (a traceback), error lines in the documented shape, and
bounded output. Examples are few and small so the suite stays fast; the
profile in tests/conftest.py makes them deterministic.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_hostile_input import GOOD, TINY
from tests.conftest import LIPO_RULES
from verifier.cli import cli

RULES = str(LIPO_RULES)
MAX_LINE = 600  # no error line is longer (long input is shown as a window or cut)
_SETTINGS = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])


def invoke(args: list[str], stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=stdin)


def assert_well_behaved(res: Result, codes: set[int]) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in codes, (res.exit_code, res.output[-2000:])
    for line in res.stderr.splitlines():
        assert len(line) <= MAX_LINE, line[:200]
        assert "Traceback" not in line


# ---------------------------------------------------------------- ruleset text

_TOKENS = [
    "ruleset", "version", "source", "input", "action", "actions", "rule", "when", "recommend", "consider",
    "avoid", "category", "sources", "conflict", "with", "property", "coverage", "define", "constraint",
    "phase", "one", "of", "bool", "int", "real", "enum", "and", "or", "not", "implies", "iff", "in",
    "given(a)", "true", "false", "flag", "a", "s", "r", "x", "1", "2A", "0.5", "-3", "[0, 10]", "{", "}",
    "(", ")", "[", "]", ",", ":", "==", "<=", "*", "+", '"t"', '"\\n"', '"\\u"', '"', "#c", "\n", "\t",
    "\ufeff", "\x1b", "\u09ea", "\u202e", "\r\n", " ",
]


@st.composite
def ruleset_texts(draw: st.DrawFn) -> str:
    # Start from a valid ruleset and splice in tokens: most inputs get past the header.
    base = draw(st.sampled_from([TINY, 'ruleset t version "1"\n', ""]))
    pos = draw(st.integers(0, len(base)))
    junk = " ".join(draw(st.lists(st.sampled_from(_TOKENS), max_size=12)))
    tail = draw(st.text(max_size=20))
    return base[:pos] + junk + base[pos:] + tail


@_SETTINGS
@given(text=ruleset_texts())
def test_fuzz_ruleset_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.rules"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    res = invoke(["eval", str(path), "-"], stdin="{}")
    assert_well_behaved(res, {0, 2})
    if res.exit_code == 2:
        head = res.stderr.splitlines()[0]
        assert head.startswith(str(path)) or head.startswith("<stdin>"), head
        assert ": error: " in head or ": warning: " in head


# ---------------------------------------------------------------- record JSON

_WEIRD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                               max_size=2),
)
_RAW_NUMBERS = st.sampled_from(["1e999999999999999999999", "9" * 5000, "-0", "1E-99999999", "NaN", "-Infinity",
                                "0x10", "\u09ea", "1.", ".5", "01"])


@st.composite
def record_texts(draw: st.DrawFn) -> bytes:
    rec: dict[str, Any] = dict(GOOD)
    for key in draw(st.lists(st.sampled_from(sorted(GOOD)), max_size=3)):
        rec[key] = draw(_WEIRD_VALUES)
    for key in draw(st.lists(st.text(max_size=8), max_size=2)):
        rec[key] = 1
    text = json.dumps(rec)
    choice = draw(st.integers(0, 4))
    if choice == 1:  # a repeated key
        text = text[:-1] + ', "ecog": 2}'
    elif choice == 2:  # a number JSON allows (or not) that Python would choke on
        text = text.replace('"size_cm": 8', '"size_cm": ' + draw(_RAW_NUMBERS))
    elif choice == 3:  # cut short
        text = text[: draw(st.integers(0, len(text)))]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):  # a byte that is not UTF-8, a BOM, a control character
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.sampled_from([b"\xff", b"\xef\xbb\xbf", b"\x1b", b"\x00", b"\xc3"])) + data[pos:]
    return data


@_SETTINGS
@given(data=record_texts())
def test_fuzz_record_json(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(data)
    res = invoke(["eval", RULES, str(path), "--format", "json"])
    assert_well_behaved(res, {0, 2})
    if res.exit_code == 0:
        assert json.loads(res.stdout)["ruleset"] == "liposarcoma"
    else:
        assert res.stdout == ""
        assert all(line.startswith(f"{path}: error: ") for line in res.stderr.splitlines())
        assert "\x1b" not in res.stderr


# ---------------------------------------------------------------- batch stream


@_SETTINGS
@given(lines=st.lists(st.one_of(record_texts(), st.just(json.dumps(GOOD).encode()), st.just(b""), st.just(b"  ")),
                      max_size=6),
       crlf=st.booleans(), final_newline=st.booleans())
def test_fuzz_batch_stream(lines: list[bytes], crlf: bool, final_newline: bool) -> None:
    lines = [x.replace(b"\n", b" ").replace(b"\r", b" ") for x in lines]  # one record per line
    sep = b"\r\n" if crlf else b"\n"
    stream = sep.join(lines) + (sep if final_newline and lines else b"")
    res = invoke(["eval", RULES, "--batch", "-"], stdin=stream)
    assert_well_behaved(res, {0, 2})
    out = res.stdout_bytes.decode("utf-8")  # always valid UTF-8
    results = [json.loads(x) for x in out.splitlines()]
    assert len(results) == sum(1 for x in lines if x.strip())  # one result per record, none lost
    bad = [r for r in results if "error" in r]
    assert (res.exit_code == 2) == bool(bad)
    for line in res.stderr.splitlines():
        assert line.startswith("<stdin>:") or line.startswith("<stdin>: error:"), line


# ---------------------------------------------------------------- options

_OPTION_VALUES = ["nan", "inf", "-1", "0", "1e308", "0.5", "abc", "", "-", "\x1b[31m", "৪", "9" * 400]


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["eval", "check", "graph", "diff", "cases", "report", "mutate"]))
    args = [command, "tiny.rules"]
    if command == "diff":
        args.append("tiny.rules")
    options = {
        "eval": ["--batch", "--format", "--explain"],
        "check": ["--timeout", "--format", "--no-timing"],
        "graph": ["-o", "--view", "--dpi", "--patient", "--phase", "--counterexample"],
        "diff": ["--timeout", "--format", "--max-regions", "--base"],
        "cases": ["--out", "--timeout", "--freeze", "--format"],
        "report": ["-o", "--results", "--timeout", "--cases"],
        "mutate": ["--cases", "--timeout", "--report"],
    }[command]
    for _ in range(draw(st.integers(0, 3))):
        opt = draw(st.sampled_from(options))
        args.append(opt)
        if opt not in ("--explain", "--no-timing"):
            args.append(draw(st.sampled_from(_OPTION_VALUES + ["out.dot", "dir", "record.json"])))
    if command in ("graph", "report") and "-o" not in args:
        args += ["-o", "out.svg" if command == "graph" else "out.html"]
    return args


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(args=argvs())
def test_fuzz_options(args: list[str]) -> None:
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:  # relative outputs land here
        os.chdir(scratch)
        try:
            Path("tiny.rules").write_text(TINY, encoding="utf-8")
            Path("record.json").write_text('{"flag": true}', encoding="utf-8")
            res = CliRunner().invoke(cli, args, input='{"flag": true}\n')
        finally:
            os.chdir(here)
    assert_well_behaved(res, {0, 1, 2, 3})
    assert len(res.output) < 200_000
