"""One engine decision as FHIR: a CarePlan holding a RequestGroup, as PlanDefinition/$apply returns it.

The RequestGroup has one action per fired rule (the PlanDefinition action
whose applicability condition held), each with one child per line of the
rule's outcome, carrying the same grading extensions as the PlanDefinition
and pointing at a contained ServiceRequest made from the line's
ActivityDefinition (``doNotPerform`` for avoid). A "one of" line is a group
with ``selectionBehavior`` exactly-one. Ids and order come from the ruleset,
so the same record gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from dsl import model as m
from engine import Decision
from verifier.fhir.grading import grading_extensions
from verifier.fhir.resources import Ids, Options, resource_id

SUBJECT = {"display": "the evaluated patient record"}


def _request_id(action: str, avoid: bool) -> str:
    return resource_id("req", action, *(("avoid",) if avoid else ()))


def _service_request(ruleset: m.Ruleset, ids: Ids, action: str, avoid: bool) -> dict[str, Any]:
    a = ruleset.action(action)
    out: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": _request_id(action, avoid),
        "instantiatesCanonical": [ids.versioned("ActivityDefinition", ids.activity(action, avoid))],
        "status": "draft",
        "intent": "proposal",
    }
    if avoid:
        out["doNotPerform"] = True
    out.update({
        "code": {"coding": [{"system": ids.canonical("CodeSystem", ids.codesystem), "code": a.id, "display": a.label}],
                 "text": a.label},
        "subject": SUBJECT,
    })
    return out


def care_plan(ruleset: m.Ruleset, decision: Decision, options: Options = Options()) -> dict[str, Any]:
    """The FHIR CarePlan (with its RequestGroup and requests contained) for ``decision``."""
    ids = Ids(ruleset, options.base_url.rstrip("/"))
    plan = ids.versioned("PlanDefinition", ids.plan)
    requests: dict[tuple[str, bool], dict[str, Any]] = {}
    actions = []
    for rid in decision.fired:
        rule = ruleset.rule(rid)
        children = []
        for k, give in enumerate(rule.gives, start=1):
            avoid = give.strength == "avoid"
            ext = grading_extensions(give.strength, give.category)
            docs = [{"type": "citation", "label": s} for s in give.sources]
            leaves = []
            for act in give.actions:
                key = (act, avoid)
                if key not in requests:
                    requests[key] = _service_request(ruleset, ids, act, avoid)
                leaves.append({"extension": ext, "id": f"{rid}.{k}" + (f".{act}" if give.alternatives else ""),
                               "title": ("Do not: " if avoid else "") + ruleset.action(act).label,
                               "documentation": docs,
                               "resource": {"reference": f"#{_request_id(act, avoid)}"}})
            if give.alternatives:
                children.append({"extension": ext, "id": f"{rid}.{k}",
                                 "title": f"{give.strength.capitalize()} one of: "
                                          + ", ".join(ruleset.action(a).label for a in give.actions),
                                 "documentation": docs,
                                 "groupingBehavior": "logical-group", "selectionBehavior": "exactly-one",
                                 "action": leaves})
            else:
                children.extend(leaves)
        action: dict[str, Any] = {"id": rid, "title": rule.title}
        if rule.rationale:
            action["description"] = rule.rationale
        action["action"] = children
        actions.append(action)
    group: dict[str, Any] = {
        "resourceType": "RequestGroup",
        "id": "requestgroup",
        "instantiatesCanonical": [plan],
        "status": "draft",
        "intent": "proposal",
        "subject": SUBJECT,
    }
    if actions:
        group["action"] = actions
    if decision.contradictions:
        # A ruleset never proved can contradict itself; say so rather than let one line win.
        group["note"] = [{"text": f"contradiction: {c} (run `ruleproof check` on this ruleset)"}
                         for c in decision.contradictions]
    return {
        "resourceType": "CarePlan",
        "id": resource_id(ruleset.name, "decision"),
        "contained": [group, *requests.values()],
        "instantiatesCanonical": [plan],
        "status": "draft",
        "intent": "proposal",
        "title": f"{ruleset.name} {ruleset.version}: {len(decision.fired)} rule(s) apply",
        "subject": SUBJECT,
        "activity": [{"reference": {"reference": "#requestgroup"}}],
    }
