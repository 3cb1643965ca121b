"""The ruleset's logic as one CQL library: CQL text and ELM JSON.

Every input is a CQL parameter (enums as Strings holding the value's name),
every definition and phase a ``define`` of the same name, every constraint a
``"Constraint ID"`` define and every rule's whole condition (its phase and its
``when``) a ``"Rule ID"`` define: the applicability condition of the rule's
PlanDefinition action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dsl import model as m
from dsl.errors import Diagnostic
from verifier.fhir.faithful import UnfaithfulError, size_ruleset
from verifier.fhir.translate import Code, Translator, elm_type, expr_cql_type, input_cql_type, quote_identifier

FHIR_VERSION = "4.0.1"
# The context the defines are evaluated in, as a CPG engine ($apply) does: one patient.
CONTEXT = "Patient"


def library_name(ruleset: m.Ruleset) -> str:
    """The CQL library identifier and FHIR Library.name: the ruleset name in CamelCase (``wound_care`` -> ``WoundCare``)."""
    parts = [p for p in re.split(r"_+", ruleset.name) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Ruleset"
    return name if name[0].isalpha() else "R" + name


def rule_define(rule_id: str) -> str:
    return f"Rule {rule_id}"


def constraint_define(constraint_id: str) -> str:
    return f"Constraint {constraint_id}"


@dataclass(frozen=True, slots=True)
class Define:
    name: str
    type: str  # CQL type name
    comment: str | None
    code: Code


@dataclass(frozen=True, slots=True)
class CqlLibrary:
    """The library in both forms, with what the FHIR resources need to point into it."""

    name: str
    version: str
    parameters: tuple[tuple[str, str], ...]  # (input name, CQL type)
    defines: tuple[Define, ...]
    cql: str
    elm: dict[str, Any]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def build_library(ruleset: m.Ruleset) -> CqlLibrary:
    """The CQL library of ``ruleset``; ``UnfaithfulError`` if some construct has no faithful CQL form."""
    taken = [d for d in (*ruleset.inputs, *ruleset.definitions) if d.name == CONTEXT]
    if taken:
        raise UnfaithfulError([Diagnostic("error", f"the name {CONTEXT} is the CQL context's own define; "
                                                   f"rename this {'input' if isinstance(taken[0], m.Input) else 'definition'}",
                                          taken[0].span)])
    sizer = size_ruleset(ruleset)
    tr = Translator(ruleset, sizer)
    name = library_name(ruleset)
    params = tuple((i.name, input_cql_type(i.type)) for i in ruleset.inputs)
    defines: list[Define] = []
    for d in ruleset.definitions:
        comment = ("phase: " if d.is_phase else "") + _one_line(d.doc) if d.doc else ("phase" if d.is_phase else None)
        defines.append(Define(d.name, expr_cql_type(d.type), comment, tr.expr(d.expr)))
    for c in ruleset.constraints:
        defines.append(Define(constraint_define(c.id), "Boolean", _one_line(c.message), tr.expr(c.expr)))
    for r in ruleset.rules:
        defines.append(Define(rule_define(r.id), "Boolean", _one_line(r.title), tr.expr(r.condition)))
    return CqlLibrary(name, ruleset.version, params, tuple(defines),
                      _cql_text(ruleset, name, params, defines), _elm(name, ruleset.version, params, defines))


def _cql_text(ruleset: m.Ruleset, name: str, params: tuple[tuple[str, str], ...], defines: list[Define]) -> str:
    out = [
        f"// Ruleset {ruleset.name} version {ruleset.version}, exported by ruleproof.",
        "// Generated from the checked ruleset; edit the rules file, not this library.",
        f"library {name} version '{ruleset.version}'",
        "",
        f"using FHIR version '{FHIR_VERSION}'",
        "",
        "// One parameter per input of the ruleset (an enum is a String holding the value's name).",
    ]
    for pname, ptype in params:
        out.append(f"parameter {quote_identifier(pname)} {ptype}")
    out += ["", f"context {CONTEXT}", ""]
    for d in defines:
        if d.comment:
            out.append(f"// {d.comment}")
        out.append(f"define {quote_identifier(d.name)}:")
        out.append(f"  {d.code.cql}")
        out.append("")
    return "\n".join(out)


def _elm(name: str, version: str, params: tuple[tuple[str, str], ...], defines: list[Define]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [{
        # What the reference translator emits for `context Patient`.
        "name": CONTEXT,
        "context": CONTEXT,
        "expression": {
            "type": "SingletonFrom",
            "operand": {"type": "Retrieve", "dataType": "{http://hl7.org/fhir}Patient",
                        "templateId": "http://hl7.org/fhir/StructureDefinition/Patient"},
        },
    }]
    for d in defines:
        statements.append({"name": d.name, "context": CONTEXT, "accessLevel": "Public",
                           "resultTypeName": elm_type(d.type), "expression": d.code.elm})
    return {"library": {
        "identifier": {"id": name, "version": version},
        "schemaIdentifier": {"id": "urn:hl7-org:elm", "version": "r1"},
        "usings": {"def": [
            {"localIdentifier": "System", "uri": "urn:hl7-org:elm-types:r1"},
            {"localIdentifier": "FHIR", "uri": "http://hl7.org/fhir", "version": FHIR_VERSION},
        ]},
        "parameters": {"def": [
            {"name": p, "accessLevel": "Public",
             "parameterTypeSpecifier": {"type": "NamedTypeSpecifier", "name": elm_type(t)}}
            for p, t in params
        ]},
        "contexts": {"def": [{"name": CONTEXT}]},
        "statements": {"def": statements},
    }}
