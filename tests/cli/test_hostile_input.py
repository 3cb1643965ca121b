"""Hostile input (issue 10): nothing crashes, nothing is silently misread, nothing runs.

One test (or a few) per defect D1-D23 of the issue, named after it; the fuzz
targets per input surface live in tests/cli/test_hostile_fuzz.py. Records and
rulesets are written here, so nothing needs files outside the repository.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dsl
from engine import RecordError, compile_ruleset, load_json_strict, load_record_json
from tests.conftest import LIPO_RULES, REPO
from verifier.cases.case import source_digest
from verifier.cli import cli

RULES = str(LIPO_RULES)
ENTRY = [sys.executable, "-c", "from verifier.entry import main; main()"]

GOOD = {
    "site": "trunk_wall", "size_cm": 8, "depth": "deep", "subtype": "pleomorphic", "central_review_done": True,
    "grade": "G3", "round_cell_pct": 0, "mdm2_status": "not_amplified", "ddit3_status": "not_rearranged",
    "metastatic_status": "localized", "oligometastatic": False, "referred": True, "mdtb_reviewed": True,
    "mri_primary_done": True, "chest_ct_done": True, "abdominal_pelvic_ct_done": True, "spine_mri_done": True,
    "resectability": "resectable", "surgery_done": False, "unplanned_excision": False, "margin": "not_applicable",
    "closest_margin_mm": 0, "fascia_intact": False, "reexcision_feasible": True, "rt_given": "none",
    "prior_anthracycline": False, "prior_ifosfamide": False, "anthracycline_unsuitable": False, "prior_lines": 0,
    "ecog": 1, "jurisdiction": "us", "treatment_completed": False, "months_since_treatment": 0, "recurrence": "none",
}
GOOD_LINE = json.dumps(GOOD)
# The record of D1: "mdtb_reviewed" twice, the last (true) would let surgery through.
DUPLICATED = json.dumps({**GOOD, "mdtb_reviewed": False})[:-1] + ', "mdtb_reviewed": true}'
HUGE_INT = GOOD_LINE.replace('"size_cm": 8', '"size_cm": ' + "9" * 5000)
HUGE_EXP = GOOD_LINE.replace('"size_cm": 8', '"size_cm": 1e999999999999999999999')

TINY = '''ruleset tiny version "1"
source s "S"
input flag: bool
action a: treatment "A"
rule r "R" when flag recommend a category 1 sources [s]
rule r2 "R2" when not flag consider a category 1 sources [s]
'''


def run(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env=env)


def entry(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in a fresh process (exit codes from main(), real stdin bytes)."""
    return subprocess.run([*ENTRY, *args], input=stdin, capture_output=True, cwd=REPO, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return str(p)


def one_line_errors(stderr: str) -> None:
    """Every line of stderr is an error line, none a traceback."""
    assert "Traceback" not in stderr
    assert stderr.strip(), "expected an error message"


# ---------------------------------------------------------------- D1 duplicate keys


def test_d1_duplicate_key_is_a_named_problem_in_eval(tmp_path: Path) -> None:
    res = run("eval", RULES, write(tmp_path, "dup.json", DUPLICATED))
    assert res.exit_code == 2 and res.stdout == ""
    assert "mdtb_reviewed: given more than once" in res.stderr


def test_d1_duplicate_key_in_batch_is_that_line_only(tmp_path: Path) -> None:
    res = run("eval", RULES, "--batch", write(tmp_path, "b.jsonl", f"{GOOD_LINE}\n{DUPLICATED}\n{GOOD_LINE}\n"))
    assert res.exit_code == 2
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert "recommendations" in out[0] and "recommendations" in out[2]
    assert out[1]["line"] == 2 and "given more than once" in out[1]["error"]


def test_d1_duplicate_key_in_graph_patient_and_cases_freeze(tmp_path: Path) -> None:
    dup = write(tmp_path, "dup.json", DUPLICATED)
    res = run("graph", RULES, "--patient", dup, "-o", str(tmp_path / "g.dot"))
    assert res.exit_code == 2 and "given more than once" in res.stderr
    res = run("cases", RULES, "--out", str(tmp_path / "suite"), "--freeze", dup)
    assert res.exit_code == 2 and "given more than once" in res.stderr
    assert not (tmp_path / "suite" / "cases").exists()


def test_d1_duplicate_key_in_other_json_inputs() -> None:
    with pytest.raises(ValueError, match="given more than once"):
        load_json_strict('{"results": [], "results": [1]}')
    with pytest.raises(RecordError):
        load_record_json('{"a": {"b": 1, "b": 2}}')  # nested objects too


# ---------------------------------------------------------------- D2 unreadable numbers


@pytest.mark.parametrize("line", [HUGE_INT, HUGE_EXP, GOOD_LINE.replace('"size_cm": 8', '"size_cm": 1e-99999999')])
def test_d2_unreadable_number_is_exit_2(tmp_path: Path, line: str) -> None:
    res = run("eval", RULES, write(tmp_path, "n.json", line))
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "error:" in res.stderr and len(res.stderr) < 400  # the 5,000 digits are not echoed


def test_d2_batch_goes_on_after_an_unreadable_number(tmp_path: Path) -> None:
    res = run("eval", RULES, "--batch", write(tmp_path, "b.jsonl", f"{HUGE_INT}\n{HUGE_EXP}\n{GOOD_LINE}\n"))
    assert res.exit_code == 2
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o.get("line") for o in out[:2]] == [1, 2] and "recommendations" in out[2]


def test_d2_a_huge_value_is_out_of_range_and_shown_short(tmp_path: Path) -> None:
    line = GOOD_LINE.replace('"size_cm": 8', '"size_cm": ' + "9" * 4000)
    res = run("eval", RULES, write(tmp_path, "n.json", line))
    assert res.exit_code == 2 and "size_cm" in res.stderr and "out of range" in res.stderr
    assert len(res.stderr) < 300


# ---------------------------------------------------------------- D3 (tests/report/test_report_hostile.py)
# ---------------------------------------------------------------- D4 (tests/dsl/test_parser_cache.py)
# ---------------------------------------------------------------- D5 markdown


def test_d5_markdown_labels_cannot_break_out(tmp_path: Path) -> None:
    old = write(tmp_path, "old.rules", TINY)
    evil_label = "A | <!-- @team ![x](http://e/x.png) `b` **bold**"
    new_text = TINY.replace('version "1"', 'version "2 <!--"').replace('treatment "A"', f'treatment "{evil_label}"')
    new_text = new_text.replace("when not flag consider a", "when not flag recommend a")
    new = write(tmp_path, "new.rules", new_text)
    res = run("diff", old, new, "--format", "markdown", "--no-timing")
    assert res.exit_code == 0, res.output
    md = res.stdout
    assert "action `a`" in md and "&#124; &#60;&#33;&#45;&#45; &#64;team" in md  # shown, as text
    outside_code = re.sub(r"`[^`\n]*`", "", md)  # a backtick code span shows its text literally
    for hostile in ("<!--", "@team", "![x]", "**bold**"):
        assert hostile not in outside_code
    for line in md.splitlines():
        if line.startswith("| "):
            assert line.count("|") in (4, 6), line  # no cell split by a label's "|"


# ---------------------------------------------------------------- D6 long strings


def test_d6_long_string_literal_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.rules", 'ruleset t version "' + "a" * 100_000 + '"\n')
    res = run("check", path)
    assert res.exit_code == 2 and "string is too long" in res.stderr
    assert len(res.stderr) < 1000


def test_d6_a_long_line_is_echoed_as_a_window(tmp_path: Path) -> None:
    path = write(tmp_path, "l.rules", 'ruleset t version "1" ' + "# " * 200_000 + "\ninput q: bool @\n")
    res = run("check", path)
    assert res.exit_code == 2 and len(res.stderr) < 1000
    path = write(tmp_path, "l2.rules", 'ruleset t version "1"\ninput q: bool ' + "b " * 200_000 + "\n")
    res = run("check", path)
    assert res.exit_code == 2 and len(res.stderr) < 1000 and "..." in res.stderr


def test_d6_a_huge_ruleset_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.rules"
    with path.open("wb") as fh:
        fh.write(b'ruleset t version "')
        fh.seek(dsl.MAX_RULES_BYTES + 10)
        fh.write(b'"\n')
    res = run("check", str(path))
    assert res.exit_code == 2 and "too large" in res.stderr


def test_d6_an_overlong_batch_line_is_skipped_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import verifier.cli.eval_cmd as eval_cmd

    monkeypatch.setattr(eval_cmd, "MAX_LINE_BYTES", 5000)
    monkeypatch.setattr(eval_cmd, "_READ_SIZE", 1024)  # lines span several blocks
    long_record = GOOD_LINE[:-1] + ', "pad": "' + "y" * 6000 + '"}'
    data = f"{GOOD_LINE}\n{'x' * 9000}\n{GOOD_LINE}\n{long_record}\n{GOOD_LINE}"
    res = run("eval", RULES, "--batch", write(tmp_path, "b.jsonl", data))
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert res.exit_code == 2 and len(out) == 5
    assert [o.get("line") for o in out] == [None, 2, None, 4, None]
    assert "longer than 5000 bytes" in out[1]["error"]


def test_d6_huge_enum_value_and_field_name_give_short_messages(tmp_path: Path) -> None:
    rec = dict(GOOD, grade="G" * 2_000_000)
    rec["x" * 1_000_000] = 1
    res = run("eval", RULES, write(tmp_path, "r.json", json.dumps(rec)))
    assert res.exit_code == 2 and len(res.stderr) < 2000


# ---------------------------------------------------------------- D7 / D17 bytes that are not UTF-8


def test_d7_invalid_utf8_line_is_that_line_only(tmp_path: Path) -> None:
    data = f"{GOOD_LINE}\n".encode() + b'{"x\xff": 1}\n' + f"{GOOD_LINE}\n".encode()
    res = entry("eval", RULES, "--batch", write(tmp_path, "b.jsonl", data))
    assert res.returncode == 2
    out = [json.loads(x) for x in res.stdout.decode("utf-8").splitlines()]
    assert len(out) == 3 and out[1]["line"] == 2 and "UTF-8" in out[1]["error"]


def test_d17_stdin_bytes_never_come_back_raw() -> None:
    bad_key = b'{"\xff\xfe\x1b[31m": 1}\n'
    res = entry("eval", RULES, "--batch", "-", stdin=bad_key + b'{"\\ud800": 2}\n' + GOOD_LINE.encode() + b"\n")
    assert res.returncode == 2
    text = res.stdout.decode("utf-8")  # raises if any invalid byte came back
    assert all(json.loads(line) for line in text.splitlines())
    assert b"\x1b" not in res.stdout and b"\x1b" not in res.stderr
    res = entry("eval", RULES, "-", stdin=b'{"\xff": 1}')
    assert res.returncode == 2 and b"not valid UTF-8" in res.stderr


# ---------------------------------------------------------------- D8 nonlinear arithmetic


def test_d8_products_of_varying_reals_are_refused() -> None:
    text = TINY.replace("input flag: bool", "input flag: bool\ninput v: real [0, 10]").replace(
        "when flag recommend", "when flag and v * v == 2 recommend")
    with pytest.raises(dsl.RulesetError) as info:
        dsl.parse_ruleset(text)
    assert "product of two varying reals" in info.value.render()


def test_d8_a_rule_firing_only_at_a_fraction_is_not_proved_alive(tmp_path: Path) -> None:
    text = TINY.replace("input flag: bool", "input flag: bool\ninput v: real [0, 10]").replace(
        "when flag recommend", "when flag and v * 3 == 1 recommend").replace(
        "when not flag consider", "when not flag or v * 3 != 1 consider")
    res = run("check", write(tmp_path, "t.rules", text), "--format", "json")
    results = {r["property"]: r["status"] for r in json.loads(res.stdout)["rulesets"][0]["results"]}
    assert results["fires(r)"] == "unknown" and res.exit_code == 3


# ---------------------------------------------------------------- D9 / D22 Ctrl-C

FERMAT = '''ruleset f version "1"
source s "S"
input p: int [1, 1000000]
input q: int [1, 1000000]
input w: int [1, 1000000]
action a: misc "A"
rule r "R" when true recommend a category 1 sources [s]
property fermat "no cube sums": p * p * p + q * q * q != w * w * w
'''


def _interrupt(proc: subprocess.Popen[bytes], after: float) -> tuple[int, bytes, bytes]:
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_d9_ctrl_c_during_a_solver_query_is_exit_130(tmp_path: Path) -> None:
    path = write(tmp_path, "f.rules", FERMAT)
    proc = subprocess.Popen([*ENTRY, "check", path, "--timeout", "120"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, out, err = _interrupt(proc, 3.0)
    assert code == 130 and err == b"ruleproof: interrupted\n" and out == b""


def test_d9_ctrl_c_while_waiting_for_input_is_exit_130() -> None:
    proc = subprocess.Popen([*ENTRY, "eval", RULES, "--batch", "-"], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(GOOD_LINE.encode() + b"\n")
    proc.stdin.flush()
    first = proc.stdout.readline()  # D14 too: the result comes while the stream stays open
    assert json.loads(first)["recommendations"]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == b"ruleproof: interrupted\n" and out == b""


def test_d22_ctrl_c_during_start_up_prints_no_traceback() -> None:
    # From the entry point's first line on, start-up is covered (the interpreter's own
    # start-up before it is not ours to handle; that window ends in a signal death, -2).
    # Ctrl-C right as the handler is installed, before the command's modules are imported.
    code = ("import os, signal, verifier.entry as e; real = e.install_interrupt_handler; "
            "e.install_interrupt_handler = lambda: (real(), os.kill(os.getpid(), signal.SIGINT)); e.main()")
    res = subprocess.run([sys.executable, "-c", code, "check", RULES], capture_output=True, cwd=REPO, timeout=60)
    assert res.returncode == 130 and res.stderr == b"ruleproof: interrupted\n"


# ---------------------------------------------------------------- D10 timeouts


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "-1", "abc"])
@pytest.mark.parametrize("command", [["check", RULES], ["diff", RULES, RULES], ["cases", RULES, "--out", "x"],
                                     ["report", RULES, "-o", "x.html"], ["mutate", RULES, "--cases", "x"]])
def test_d10_bad_timeout_is_exit_2(command: list[str], value: str) -> None:
    res = run(*command, "--timeout", value)
    assert res.exit_code == 2 and "--timeout" in res.stderr


# ---------------------------------------------------------------- D11 / D15 the suite folder


def test_d11_an_out_folder_that_cannot_be_made_is_exit_2(tmp_path: Path) -> None:
    blocker = write(tmp_path, "file", "x")
    res = run("cases", RULES, "--out", os.path.join(blocker, "suite"))
    assert res.exit_code == 2 and "error:" in res.stderr
    res = run("cases", RULES, "--out", blocker)
    assert res.exit_code == 2 and "not a folder" in res.stderr


def test_d15_an_unrelated_folder_is_never_written(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "my web app"}', encoding="utf-8")
    res = run("cases", RULES, "--out", str(folder))
    assert res.exit_code == 2 and "not a ruleproof case suite" in res.stderr
    assert (folder / "manifest.json").read_text(encoding="utf-8") == '{"name": "my web app"}'
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json"]


def test_d15_case_files_are_written_by_rename_never_through_a_link(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    rec = write(tmp_path, "r.json", GOOD_LINE)
    assert run("cases", RULES, "--out", str(suite), "--freeze", rec).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    manifest = suite / "manifest.json"
    manifest.unlink()
    manifest.symlink_to(victim)
    res = run("cases", RULES, "--out", str(suite), "--freeze", rec)
    assert res.exit_code == 2 and victim.read_text(encoding="utf-8") == "precious"
    manifest.unlink()
    assert run("cases", RULES, "--out", str(suite), "--freeze", rec).exit_code == 2  # no manifest: not ours now
    case = next((suite / "cases").iterdir())
    case.unlink()
    case.symlink_to(victim)
    res = run("cases", RULES, "--out", str(suite), "--check")
    assert res.exit_code == 2 and "symbolic link" in res.stderr
    assert victim.read_text(encoding="utf-8") == "precious"


# ---------------------------------------------------------------- D12 report --results


@pytest.mark.parametrize("doc", [
    "[]", '{"results": 5}', '{"results": [5]}', '{"results": [{"status": []}]}',
    '{"results": [{"property": "x", "kind": "k", "status": "refuted", "counterexample": 7}]}',
    '{"results": [{"property": "x", "kind": "k", "status": "proved", "matrix": {"inputs": ["a"], "cells": [1]}}]}',
    '{"rulesets": [5]}', '{"rulesets": "x"}', '{"results": [], "warnings": [3]}',
])
def test_d12_results_of_the_wrong_shape_are_exit_2(tmp_path: Path, doc: str) -> None:
    res = run("report", RULES, "--results", write(tmp_path, "r.json", doc), "-o", str(tmp_path / "r.html"))
    assert res.exit_code == 2, res.output
    assert "not the JSON of `ruleproof check --format json`" in res.stderr
    assert len(res.stderr.splitlines()) == 1


# ---------------------------------------------------------------- D13 the ruleset is read once


def _fifo_with(tmp_path: Path, text: str) -> str:
    """A named pipe that yields ``text`` once, like `<(cat rules)` in a shell."""
    path = tmp_path / "rules.fifo"
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)

    threading.Thread(target=feed, daemon=True).start()
    return str(path)


def test_d13_cases_reads_a_pipe_once_and_records_its_digest(tmp_path: Path) -> None:
    text = TINY
    suite = tmp_path / "suite"
    res = run("cases", _fifo_with(tmp_path, text), "--out", str(suite))
    assert res.exit_code == 0, res.output
    manifest = json.loads((suite / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_sha256"] == source_digest(text)


def test_d13_report_reads_a_pipe_once(tmp_path: Path) -> None:
    res = run("report", _fifo_with(tmp_path, TINY), "-o", str(tmp_path / "r.html"))  # no --cases: the default (generated_cases/tiny) is absent, so no case section
    assert res.exit_code == 0, res.output


# ---------------------------------------------------------------- D14 live streams (see also D9)


def test_d14_each_result_is_flushed_when_the_input_stalls() -> None:
    proc = subprocess.Popen([*ENTRY, "eval", RULES, "--batch", "-"], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for _ in range(2):
            proc.stdin.write(GOOD_LINE.encode() + b"\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no result while the stream stays open"
            assert json.loads(proc.stdout.readline())["recommendations"]
    finally:
        proc.stdin.close()
        proc.stdout.read()
        proc.wait(timeout=60)
    assert proc.returncode == 0


# ---------------------------------------------------------------- D16 control characters


def test_d16_control_characters_in_ruleset_strings_are_errors() -> None:
    for bad in ("\x1b]52;c;aGk=\x07", "\\nOK   fires(r)  proved", "\u202etxt.exe", "\x9b31m"):
        with pytest.raises(dsl.RulesetError) as info:
            dsl.parse_ruleset(TINY.replace('treatment "A"', f'treatment "A{bad}"'))
        assert "control character" in info.value.render()


def test_d16_record_field_names_are_shown_escaped(tmp_path: Path) -> None:
    rec = dict(GOOD)
    rec["\x1b]52;c;aGk=\x07\nfake: ok"] = 1
    res = run("eval", RULES, write(tmp_path, "r.json", json.dumps(rec)))
    assert res.exit_code == 2
    assert "\x1b" not in res.stderr and "\x07" not in res.stderr
    assert len(res.stderr.splitlines()) == 1 and "\\u001b" in res.stderr


# ---------------------------------------------------------------- D18 duplicates inside lists


def test_d18_repeats_inside_lists_are_reported() -> None:
    text = TINY.replace("sources [s]\nrule r2", "sources [s, s]\n  avoid a category 1 sources [s]\nrule r2")
    with pytest.raises(dsl.RulesetError) as info:
        dsl.parse_ruleset(text)
    rendered = info.value.render()
    assert "gives action 'a' in two outcome lines" in rendered
    assert "source 's' is cited twice" in rendered
    _, warnings = dsl.check_text(TINY + "actions G = {a, a}\nproperty P \"p\": given(G) or not given(G)\n"
                                 + 'action b: treatment "B"\nrule r3 "R3" when flag consider b category 1 sources [s]\n'
                                 + "conflict a with b\nconflict b with a\n")
    messages = [w.message for w in warnings]
    assert "'a' is listed twice in this set" in messages
    assert any(m.startswith("this conflict repeats the one at line") for m in messages)


# ---------------------------------------------------------------- D19 ASCII digits only


def test_d19_unicode_digits_are_not_numbers(tmp_path: Path) -> None:
    with pytest.raises(dsl.RulesetError):
        dsl.parse_ruleset(TINY.replace("input flag: bool", "input flag: bool\ninput n: int [0, \u09ea]"))
    with pytest.raises(dsl.RulesetError):
        dsl.parse_ruleset(TINY.replace("input flag: bool", "input flag: bool\ninput n: int [0, 1\u0664]"))
    res = run("eval", RULES, write(tmp_path, "r.json", GOOD_LINE.replace('"ecog": 1', '"ecog": \u09ea')))
    assert res.exit_code == 2 and "not valid JSON" in res.stderr
    ev = compile_ruleset(dsl.load_ruleset(LIPO_RULES))
    with pytest.raises(RecordError):
        ev.validate(load_record_json(GOOD_LINE.replace('"ecog": 1', '"ecog": "\u0661"')))


@pytest.mark.parametrize("command", [
    ["graph", RULES, "-o", "x.svg", "--dpi", "\u09ea\u09ea"], ["diff", RULES, RULES, "--max-regions", "\u09ea"],
    ["check", RULES, "--timeout", "\u09ea"], ["mutate", RULES, "--cases", "x", "--fail-under", "\u09ea"],
    ["mutate", RULES, "--cases", "x", "--fail-under", "nan"],
])
def test_d19_d10_options_take_ascii_digits_only(command: list[str]) -> None:
    res = run(*command)
    assert res.exit_code == 2 and "Invalid value" in res.stderr


def test_d1_d2_case_files_are_read_strictly(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    assert run("cases", RULES, "--out", str(suite), "--freeze", write(tmp_path, "r.json", GOOD_LINE)).exit_code == 0
    case = next((suite / "cases").iterdir())
    case.write_text(case.read_text(encoding="utf-8")[:-2] + ', "id": "x"}\n', encoding="utf-8")
    res = run("cases", RULES, "--out", str(suite), "--check")
    assert res.exit_code == 2 and "given more than once" in res.stderr
    case.write_text('{"id": ' + "1" * 5000 + "}", encoding="utf-8")
    res = run("cases", RULES, "--out", str(suite), "--check")
    assert res.exit_code == 2 and "too many digits" in res.stderr


# ---------------------------------------------------------------- D20 the error format


def test_d20_a_directory_argument_is_one_line(tmp_path: Path) -> None:
    for command in (["eval", str(tmp_path), "x.json"], ["graph", str(tmp_path), "-o", "x.svg"],
                    ["report", str(tmp_path), "-o", "x.html"], ["check", str(tmp_path)]):
        res = run(*command)
        assert res.exit_code == 2 and res.stderr.strip().splitlines() == [
            f"{tmp_path}: error: cannot read ruleset: Is a directory"], res.stderr


def test_d20_no_python_reprs_in_record_messages(tmp_path: Path) -> None:
    res = run("eval", RULES, write(tmp_path, "r.json", json.dumps(dict(GOOD, ecog=None, size_cm=[1]))))
    assert res.exit_code == 2
    assert "None" not in res.stderr and "[1]" not in res.stderr
    assert "ecog: must be a number, not null" in res.stderr


def test_d20_a_record_with_a_bom_says_so(tmp_path: Path) -> None:
    res = run("eval", RULES, write(tmp_path, "r.json", "\ufeff" + GOOD_LINE))
    assert res.exit_code == 2 and "byte-order mark" in res.stderr


def test_d20_debug_shows_the_traceback_of_an_internal_error(tmp_path: Path) -> None:
    code = ("import sys, verifier.check.run as r; "
            "r.check_ruleset = lambda *a, **k: 1 / 0; "
            "import verifier.cli.check_cmd as c; c.check_ruleset = r.check_ruleset; "
            "from verifier.entry import main; main()")
    res = subprocess.run([sys.executable, "-c", code, "check", RULES], capture_output=True, cwd=REPO, timeout=60,
                         env={**os.environ, "RULEPROOF_DEBUG": "1"})
    assert res.returncode == 4 and b"ZeroDivisionError" in res.stderr and b"Traceback" in res.stderr
    res = subprocess.run([sys.executable, "-c", code, "check", RULES], capture_output=True, cwd=REPO, timeout=60,
                         env={k: v for k, v in os.environ.items() if k != "RULEPROOF_DEBUG"})
    assert res.returncode == 4 and b"Traceback" not in res.stderr


# ---------------------------------------------------------------- D21 (tests/graph/test_graph_hostile.py)
# ---------------------------------------------------------------- D23 BOM columns


def test_d23_a_bom_does_not_shift_columns() -> None:
    with pytest.raises(dsl.RulesetError) as plain:
        dsl.parse_ruleset("ruleset t version 1\n", "t.rules")
    with pytest.raises(dsl.RulesetError) as bom:
        dsl.parse_ruleset("\ufeffruleset t version 1\n", "t.rules")
    assert plain.value.render() == bom.value.render()
    assert plain.value.render().startswith("t.rules:1:19: error:")
