"""Run an exported library with cql-execution (the Node runner) and compare with ruleproof's engine.

The runner (``node/run_elm.js``) takes a whole batch of records in one Node
process. It is installed with ``npm ci`` in ``verifier/fhir/node`` (see the
README); nothing at export time needs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from dsl import model as m
from engine import Evaluator
from verifier.fhir.faithful import record_parameters
from verifier.fhir.library import CqlLibrary, constraint_define, rule_define

NODE_DIR = Path(__file__).resolve().parent / "node"
RUNNER = NODE_DIR / "run_elm.js"


class CqlEngineMissing(RuntimeError):
    """Node or the runner's npm packages are not installed."""


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise CqlEngineMissing("Node.js is not installed: `apt-get install nodejs npm`, "
                               f"then `npm ci --prefix {NODE_DIR}`")
    if not (NODE_DIR / "node_modules" / "cql-execution").is_dir():
        raise CqlEngineMissing(f"cql-execution is not installed: run `npm ci --prefix {NODE_DIR}`")
    return node


def _json_value(v: Any) -> Any:
    # A Decimal of at most 8 places and 14 significant digits (faithful.py) becomes
    # the double nearest to it, which is what a CQL engine in JavaScript holds.
    return float(v) if isinstance(v, Decimal) else v


def run_library(library: CqlLibrary, parameter_sets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every define of ``library`` evaluated by cql-execution, one result object per parameter set."""
    return run_elm(library.elm, parameter_sets)


def run_elm(elm: Mapping[str, Any], parameter_sets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every define of an ELM library evaluated by cql-execution, one result object per parameter set."""
    node = _node()
    lines = "".join(json.dumps({k: _json_value(v) for k, v in p.items()}) + "\n" for p in parameter_sets)
    with tempfile.TemporaryDirectory(prefix="ruleproof-elm-") as tmp:
        elm_path = Path(tmp) / "library.elm.json"
        elm_path.write_text(json.dumps(elm), encoding="utf-8")
        proc = subprocess.run([node, str(RUNNER), str(elm_path)], input=lines, capture_output=True,
                              text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the CQL runner failed (exit {proc.returncode}): {proc.stderr.strip()[:2000]}")
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(out) != len(parameter_sets):
        raise RuntimeError(f"the CQL runner answered {len(out)} of {len(parameter_sets)} records")
    return out


TRANSLATOR = NODE_DIR / "translate_cql.mjs"


@dataclass(frozen=True, slots=True)
class Translation:
    """What the reference CQL-to-ELM translator made of a CQL text: its ELM, or its errors."""

    elm: dict[str, Any] | None
    errors: tuple[str, ...]  # "LINE:COL: MESSAGE"


def translate_cql(cql: str) -> Translation:
    """Compile CQL text with the reference translator (@cqframework/cql, run by ``node/translate_cql.mjs``)."""
    node = _node()
    if not (NODE_DIR / "node_modules" / "@cqframework" / "cql").is_dir():
        raise CqlEngineMissing(f"@cqframework/cql is not installed: run `npm ci --prefix {NODE_DIR}`")
    with tempfile.TemporaryDirectory(prefix="ruleproof-cql-") as tmp:
        src, out = Path(tmp) / "library.cql", Path(tmp) / "library.elm.json"
        src.write_text(cql, encoding="utf-8")
        proc = subprocess.run([node, str(TRANSLATOR), str(src), str(out)], capture_output=True, text=True,
                              encoding="utf-8", check=False)
        if proc.returncode not in (0, 1) or not proc.stdout.strip():
            raise RuntimeError(f"the CQL translator failed (exit {proc.returncode}): {proc.stderr.strip()[:2000]}")
        errors = tuple(f"{e['line']}:{e['col']}: {e['message']}" for e in json.loads(proc.stdout)["errors"])
        elm = json.loads(out.read_text(encoding="utf-8")) if proc.returncode == 0 else None
    return Translation(elm, errors)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One record on which cql-execution and ruleproof's engine differ about one rule (or constraint)."""

    record: Mapping[str, Any]
    label: str  # where the record came from (a case id, "hypothesis #12", ...)
    subject: str  # "rule R" or "constraint C"
    engine: Any
    cql: Any

    def __str__(self) -> str:
        rec = json.dumps({k: _json_value(v) for k, v in self.record.items()}, sort_keys=True)
        return f"{self.label}: {self.subject}: ruleproof says {self.engine}, cql-execution says {self.cql}; record {rec}"


@dataclass(frozen=True, slots=True)
class Agreement:
    records: int
    rules: int
    disagreements: tuple[Disagreement, ...]


def compare(ruleset: m.Ruleset, evaluator: Evaluator, library: CqlLibrary,
            records: Iterable[tuple[str, Mapping[str, Any]]]) -> Agreement:
    """Compare, on each (label, validated record), the rules the engine fires with the
    ``"Rule ID"`` defines cql-execution finds true; every constraint define must be true too."""
    batch = list(records)
    results = run_library(library, [record_parameters(ruleset, r) for _, r in batch])
    found: list[Disagreement] = []
    for (label, record), res in zip(batch, results):
        if "error" in res:
            found.append(Disagreement(record, label, "record", "valid", f"error: {res['error']}"))
            continue
        values = res["results"]
        fired = set(evaluator.evaluate(record).fired)
        for r in ruleset.rules:
            got = values.get(rule_define(r.id))
            if got is not (r.id in fired):
                found.append(Disagreement(record, label, f"rule {r.id}", r.id in fired, got))
        for c in ruleset.constraints:
            got = values.get(constraint_define(c.id))
            if got is not True:
                found.append(Disagreement(record, label, f"constraint {c.id}", True, got))
    return Agreement(len(batch), len(ruleset.rules), tuple(found))
