"""The whole export of one ruleset: resources, their files, and the Bundle holding them all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsl import model as m
from verifier.fhir.library import CqlLibrary, build_library
from verifier.fhir.resources import (
    Ids, Options, activity_definitions, bundle, check_ids, code_system, library_resource, plan_definition,
)


def dumps(obj: Any) -> str:
    """FHIR JSON as ruleproof writes it: two-space indent, UTF-8, key order as built, a final newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class FhirExport:
    library: CqlLibrary
    resources: tuple[dict[str, Any], ...]  # Library, PlanDefinition, CodeSystem, ActivityDefinitions
    bundle: dict[str, Any]
    elm_text: str

    def files(self) -> dict[str, str]:
        """File name -> text, for ``-o DIR``: each resource, the CQL, the ELM and the Bundle."""
        out = {f"{r['resourceType']}-{r['id']}.json": dumps(r) for r in self.resources}
        out[f"{self.library.name}.cql"] = self.library.cql
        out[f"{self.library.name}.elm.json"] = self.elm_text
        out["bundle.json"] = dumps(self.bundle)
        return dict(sorted(out.items()))


def export_fhir(ruleset: m.Ruleset, options: Options = Options()) -> FhirExport:
    """Everything ``ruleproof export fhir`` writes; ``UnfaithfulError`` if some construct has no faithful CQL form."""
    check_ids(ruleset)
    lib = build_library(ruleset)
    ids = Ids(ruleset, options.base_url.rstrip("/"))
    elm_text = dumps(lib.elm)
    # Inside the Library the ELM is compact: base64 inflates it by a third already.
    compact = json.dumps(lib.elm, ensure_ascii=False, separators=(",", ":"))
    resources = [library_resource(ruleset, lib, ids, options, compact), plan_definition(ruleset, lib, ids, options),
                 code_system(ruleset, ids, options), *activity_definitions(ruleset, ids, options)]
    return FhirExport(lib, tuple(resources), bundle(ruleset, resources, ids), elm_text)


def write_export(export: FhirExport, target: str | Path) -> list[Path]:
    """Write to ``target``: a ``.json`` path gets the Bundle alone, anything else is a directory of files."""
    path = Path(target)
    if path.suffix.lower() == ".json":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(export.bundle), encoding="utf-8")
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in export.files().items():
        p = path / name
        p.write_text(text, encoding="utf-8")
        written.append(p)
    return written
