"""The layering contract: what may import what, and who may load Z3, Hypothesis, Graphviz.

Read from the source (every ``import`` statement, at any depth), so a new
module that reaches upward, or pulls the solver into the engine, fails here
with the offending file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Each package and the project packages it may import (itself always allowed).
# Layers point down: dsl <- engine <- verifier.facts <- verifier.solver <- the jobs <- cli.
MAY_IMPORT: dict[str, set[str]] = {
    "dsl": set(),
    "engine": {"dsl"},
    "verifier.exit_codes": set(),
    # The console entry point: imports the command only after the Ctrl-C handler is in.
    "verifier.entry": {"verifier.cli"},
    "verifier.facts": {"dsl", "engine"},
    "verifier.solver": {"dsl", "engine", "verifier.facts"},
    # check runs the pathway properties beside the snapshot ones (verifier.pathway builds on check's session).
    "verifier.check": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.exit_codes", "verifier.pathway"},
    "verifier.cases": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check"},
    "verifier.mutation": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check", "verifier.cases"},
    "verifier.diff": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.exit_codes"},
    "verifier.graph": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check"},
    "verifier.report": {"dsl", "engine", "verifier.facts", "verifier.check", "verifier.graph", "verifier.highlight",
                        "verifier.cases"},
    # Interchange: the FHIR export reads the checked model only; DMN translates to and from it.
    "verifier.fhir": {"dsl", "engine"},
    "verifier.dmn": {"dsl", "engine"},
    # Authoring tools read only the language.
    "verifier.highlight": {"dsl"},
    "verifier.authoring": {"dsl"},
    "verifier.lsp": {"dsl"},
    # Counterexamples as a reader uses them: check's results, explained with the diff's region finder.
    "verifier.counterexamples": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check", "verifier.diff"},
    # The gate runs check, the case replay and the diff, and reads git.
    "verifier.gate": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check", "verifier.cases",
                      "verifier.diff", "verifier.mutation", "verifier.exit_codes"},
    # Journeys: the snapshot encoding unrolled over steps, checked beside the other checks.
    "verifier.pathway": {"dsl", "engine", "verifier.facts", "verifier.solver", "verifier.check", "verifier.graph"},
    "verifier.cli": {"*"},
}

# Third-party engines and who may import them at all (anywhere in the module).
HEAVY_ALLOWED: dict[str, set[str]] = {
    "z3": {"verifier.solver", "verifier.check", "verifier.cases", "verifier.mutation", "verifier.diff",
           "verifier.counterexamples", "verifier.graph", "verifier.gate", "verifier.pathway"},  # graph: only inside functions (below)
    "hypothesis": {"verifier.cases", "verifier.mutation", "verifier.pathway"},  # pathway: simulate --random
    "graphviz": {"verifier.graph", "verifier.report", "verifier.pathway"},  # pathway: its view
}

# Packages that must not load a heavy library when imported (function-level imports are fine):
# the engine and eval run in a hospital system, graphs of a proved ruleset need no solver.
IMPORT_TIME_FREE: dict[str, set[str]] = {
    "dsl": {"z3", "hypothesis", "graphviz"},
    "engine": {"z3", "hypothesis", "graphviz"},
    "verifier.facts": {"z3", "hypothesis", "graphviz"},
    "verifier.graph": {"z3", "hypothesis"},
    "verifier.report": {"z3", "hypothesis"},
    "verifier.highlight": {"z3", "hypothesis", "graphviz"},
    "verifier.fhir": {"z3", "hypothesis", "graphviz"},
    "verifier.dmn": {"z3", "hypothesis", "graphviz"},
    "verifier.authoring": {"z3", "hypothesis", "graphviz"},
    "verifier.lsp": {"z3", "hypothesis", "graphviz"},
}


def _package_of(module: str) -> str | None:
    """The contract entry a module belongs to (longest match)."""
    best = None
    for pkg in MAY_IMPORT:
        if (module == pkg or module.startswith(pkg + ".")) and (best is None or len(pkg) > len(best)):
            best = pkg
    return best


def _modules() -> list[tuple[str, Path]]:
    out = []
    for top in ("dsl", "engine", "verifier"):
        for path in sorted((REPO / top).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    # Imports under `if TYPE_CHECKING:` or try at module level count as module level.
    for n in tree.body:
        if isinstance(n, (ast.If, ast.Try)):
            top_level |= {id(k) for k in ast.walk(n)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top_level) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno, id(node) in top_level))
    return out


MODULES = _modules()


def test_every_module_has_a_place_in_the_contract() -> None:
    homeless = [name for name, _ in MODULES if _package_of(name) is None and name != "verifier"]
    assert not homeless, f"add these modules' packages to MAY_IMPORT: {homeless}"


@pytest.mark.parametrize("name,path", MODULES, ids=[n for n, _ in MODULES])
def test_imports_follow_the_layers(name: str, path: Path) -> None:
    pkg = _package_of(name)
    if pkg is None:
        return
    allowed = MAY_IMPORT[pkg]
    bad = []
    for target, line, top in _imports(path):
        root = target.split(".")[0]
        if root in ("dsl", "engine", "verifier"):
            tpkg = _package_of(target)
            if tpkg is None and target == "verifier":
                tpkg = "verifier"
            if tpkg != pkg and "*" not in allowed and tpkg not in allowed:
                bad.append(f"{path.relative_to(REPO)}:{line}: {pkg} may not import {target}")
        if root in HEAVY_ALLOWED and pkg not in HEAVY_ALLOWED[root] and pkg != "verifier.cli":
            bad.append(f"{path.relative_to(REPO)}:{line}: {pkg} may not import {root}")
        if top and root in IMPORT_TIME_FREE.get(pkg, ()):
            bad.append(f"{path.relative_to(REPO)}:{line}: {pkg} must not load {root} at import time")
    assert not bad, "\n".join(bad)


def test_the_contract_can_fail(tmp_path: Path) -> None:
    """The reader sees imports at any depth and tells module level from function level."""
    src = tmp_path / "m.py"
    src.write_text("import z3\nfrom verifier.cli import cli\ndef f():\n    import graphviz\n", encoding="utf-8")
    assert _imports(src) == [("z3", 1, True), ("verifier.cli", 2, True), ("graphviz", 4, False)]
