"""The FHIR R4 resources of an export: Library, PlanDefinition, ActivityDefinitions, CodeSystem, Bundle.

Shapes follow HL7 CPG-on-FHIR: the PlanDefinition is an ``eca-rule`` with one
action per phase holding one action per rule; a rule action's applicability
condition is the library's ``"Rule ID"`` define (its phase and its ``when``);
each line of the rule's outcome is a child action pointing at an
ActivityDefinition (``doNotPerform`` for ``avoid``) and carrying the grading
extensions (``grading.py``). Nothing depends on the clock or on the path the
ruleset was read from, so the same ruleset gives the same bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from dsl import model as m
from dsl.errors import Diagnostic
from dsl.printer import format_number
from dsl.span import Span
from verifier.fhir.faithful import UnfaithfulError
from verifier.fhir.grading import grading_extensions
from verifier.fhir.library import CqlLibrary, rule_define

DEFAULT_BASE_URL = "http://example.org/fhir/ruleproof"
STATUSES = ("draft", "active", "retired", "unknown")
LIBRARY_TYPE = "http://terminology.hl7.org/CodeSystem/library-type"
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_FHIR_TYPE = {"Boolean": "boolean", "Integer": "integer", "Decimal": "decimal", "String": "string"}


@dataclass(frozen=True, slots=True)
class Options:
    base_url: str = DEFAULT_BASE_URL
    status: str = "draft"


def resource_id(*parts: str) -> str:
    """A FHIR id from rules-file names: underscores (not allowed in ids) become hyphens."""
    return "-".join(p.replace("_", "-") for p in parts)


def camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


@dataclass(frozen=True, slots=True)
class Ids:
    """Ids and canonical URLs of one ruleset's resources."""

    ruleset: m.Ruleset
    base: str

    def canonical(self, rtype: str, rid: str) -> str:
        return f"{self.base}/{rtype}/{rid}"

    def versioned(self, rtype: str, rid: str) -> str:
        return f"{self.canonical(rtype, rid)}|{self.ruleset.version}"

    @property
    def library(self) -> str:
        return resource_id(self.ruleset.name)

    @property
    def plan(self) -> str:
        return resource_id(self.ruleset.name)

    @property
    def codesystem(self) -> str:
        return resource_id(self.ruleset.name, "action")

    def activity(self, action: str, avoid: bool) -> str:
        return resource_id(self.ruleset.name, action, *(("avoid",) if avoid else ()))


def check_ids(ruleset: m.Ruleset) -> None:
    """Every id the export makes must be a valid FHIR id (at most 64 characters)."""
    ids = Ids(ruleset, DEFAULT_BASE_URL)
    problems = []
    if not _ID.match(ids.codesystem):
        problems.append(Diagnostic("error", f"the ruleset name gives the FHIR id {ids.codesystem!r}, "
                                            "longer than FHIR's 64 characters", Span(ruleset.path, 0, 0, 0, 0)))
    for a in ruleset.actions:
        rid = ids.activity(a.id, True)
        if not _ID.match(rid):
            problems.append(Diagnostic("error", f"action {a.id} gives the FHIR id {rid!r}, longer than "
                                                "FHIR's 64 characters; shorten the action id", a.span))
    if problems:
        raise UnfaithfulError(problems)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _citation(s: m.Source) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "citation", "label": s.id, "citation": s.citation}
    if s.url:
        out["url"] = s.url
    return out


def _common(ruleset: m.Ruleset, ids: Ids, rtype: str, rid: str) -> dict[str, Any]:
    return {"resourceType": rtype, "id": rid, "url": ids.canonical(rtype, rid), "version": ruleset.version}


def _input_doc(i: m.Input) -> str:
    t = i.type
    if isinstance(t, m.EnumType):
        dom = "one of " + ", ".join(t.values)
    elif isinstance(t, (m.IntType, m.RealType)):
        lo, hi = (t.lo, t.hi) if isinstance(t, m.IntType) else (_num(t.lo), _num(t.hi))
        dom = f"{'integer' if isinstance(t, m.IntType) else 'decimal (at most 8 decimal places)'} from {lo} to {hi}"
    else:
        dom = "true or false"
    unit = f" {i.unit}" if i.unit else ""
    doc = f"{i.doc} " if i.doc else ""
    return f"{doc}Value: {dom}{unit}."


def _num(v: Any) -> str:
    return format_number(v)


def library_resource(ruleset: m.Ruleset, lib: CqlLibrary, ids: Ids, opts: Options, elm_text: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": i.name, "use": "in", "min": 1, "max": "1", "documentation": _input_doc(i),
         "type": _FHIR_TYPE[t]}
        for i, (_, t) in zip(ruleset.inputs, lib.parameters)
    ]
    params += [{"name": d.name, "use": "out", "min": 0, "max": "1", "type": _FHIR_TYPE[d.type]} for d in lib.defines]
    res = _common(ruleset, ids, "Library", ids.library)
    res.update({
        "name": lib.name,
        "title": f"{ruleset.name} logic",
        "status": opts.status,
        "type": {"coding": [{"system": LIBRARY_TYPE, "code": "logic-library"}]},
        "description": (f"Logic of ruleset {ruleset.name} {ruleset.version}, exported by ruleproof: one parameter "
                        "per input, one define per definition, constraint and rule."),
        "parameter": params,
        "content": [
            {"contentType": "text/cql", "data": _b64(lib.cql)},
            {"contentType": "application/elm+json", "data": _b64(elm_text)},
        ],
    })
    return res


def _condition(expression: str) -> list[dict[str, Any]]:
    return [{"kind": "applicability", "expression": {"language": "text/cql-identifier", "expression": expression}}]


def _give_action(ruleset: m.Ruleset, ids: Ids, rule: m.Rule, k: int, give: m.Give) -> dict[str, Any]:
    avoid = give.strength == "avoid"
    ext = grading_extensions(give.strength, give.category)
    # The full citations are on the PlanDefinition; a line names its sources by label.
    docs = [{"type": "citation", "label": s} for s in give.sources]

    def leaf(action_id: str, aid: str) -> dict[str, Any]:
        a = ruleset.action(action_id)
        return {"extension": ext, "id": aid,
                "title": ("Do not: " if avoid else "") + a.label,
                "documentation": docs,
                "definitionCanonical": ids.versioned("ActivityDefinition", ids.activity(a.id, avoid))}

    base_id = f"{rule.id}.{k}"
    if not give.alternatives:
        return leaf(give.actions[0], base_id)
    return {"extension": ext, "id": base_id,
            "title": f"{give.strength.capitalize()} one of: " + ", ".join(ruleset.action(a).label for a in give.actions),
            "documentation": docs,
            "groupingBehavior": "logical-group", "selectionBehavior": "exactly-one",
            "action": [leaf(a, f"{base_id}.{a}") for a in give.actions]}


def _rule_action(ruleset: m.Ruleset, ids: Ids, rule: m.Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rule.id, "title": rule.title}
    if rule.rationale:
        out["description"] = rule.rationale
    out["condition"] = _condition(rule_define(rule.id))
    out["action"] = [_give_action(ruleset, ids, rule, k, g) for k, g in enumerate(rule.gives, start=1)]
    return out


def plan_definition(ruleset: m.Ruleset, lib: CqlLibrary, ids: Ids, opts: Options) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    by_phase: dict[str | None, list[m.Rule]] = {}
    for r in ruleset.rules:
        by_phase.setdefault(r.phase, []).append(r)
    for r in by_phase.get(None, []):  # rules outside any phase stand at the top level
        actions.append(_rule_action(ruleset, ids, r))
    for ph in ruleset.phases:
        rules = by_phase.get(ph.name, [])
        if not rules:
            continue
        group: dict[str, Any] = {"id": ph.name, "title": ph.doc or ph.name,
                                 "condition": _condition(ph.name),
                                 "action": [_rule_action(ruleset, ids, r) for r in rules]}
        actions.append(group)
    res = _common(ruleset, ids, "PlanDefinition", ids.plan)
    res.update({
        "name": lib.name,
        "title": f"{ruleset.name} {ruleset.version}",
        "type": {"coding": [{"system": PLAN_TYPE, "code": "eca-rule", "display": "ECA Rule"}]},
        "status": opts.status,
        "description": (f"The rules of ruleset {ruleset.name} {ruleset.version}, one action per rule, grouped by "
                        "phase; each rule applies when its define in the library is true."),
        "relatedArtifact": [_citation(s) for s in ruleset.sources],
        "library": [ids.versioned("Library", ids.library)],
        "action": actions,
    })
    return res


def _avoided_actions(ruleset: m.Ruleset) -> set[str]:
    return {a for r in ruleset.rules for g in r.gives if g.strength == "avoid" for a in g.actions}


def activity_definitions(ruleset: m.Ruleset, ids: Ids, opts: Options) -> list[dict[str, Any]]:
    """One per action, and one more with ``doNotPerform`` for each action some rule says to avoid."""
    avoided = _avoided_actions(ruleset)
    out = []
    for a in ruleset.actions:
        for avoid in ((False, True) if a.id in avoided else (False,)):
            res = _common(ruleset, ids, "ActivityDefinition", ids.activity(a.id, avoid))
            res.update({
                "name": camel(a.id) + ("Avoid" if avoid else ""),
                "title": ("Do not: " if avoid else "") + a.label,
                "status": opts.status,
                "topic": [{"text": a.kind}],
                "library": [ids.versioned("Library", ids.library)],
                "kind": "ServiceRequest",
                "code": {"coding": [{"system": ids.canonical("CodeSystem", ids.codesystem), "code": a.id,
                                     "display": a.label}], "text": a.label},
                "intent": "proposal",
            })
            if avoid:
                res["doNotPerform"] = True
            out.append(res)
    return out


def code_system(ruleset: m.Ruleset, ids: Ids, opts: Options) -> dict[str, Any]:
    """The ruleset's action ids as codes, so a request can name its action unambiguously."""
    res = _common(ruleset, ids, "CodeSystem", ids.codesystem)
    res.update({
        "name": camel(ruleset.name) + "Action",
        "title": f"Actions of ruleset {ruleset.name}",
        "status": opts.status,
        "content": "complete",
        "caseSensitive": True,
        "count": len(ruleset.actions),
        "concept": [{"code": a.id, "display": a.label, "definition": f"{a.kind}: {a.label}"} for a in ruleset.actions],
    })
    return res


def bundle(ruleset: m.Ruleset, resources: list[dict[str, Any]], ids: Ids) -> dict[str, Any]:
    """A transaction Bundle: POST it to a FHIR server's base to create or update every resource."""
    return {
        "resourceType": "Bundle",
        "id": resource_id(ruleset.name, "export"),
        "type": "transaction",
        "entry": [
            {"fullUrl": ids.canonical(r["resourceType"], r["id"]), "resource": r,
             "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
            for r in resources
        ],
    }
