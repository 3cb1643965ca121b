"""DMN 1.1-1.5 XML to ``DmnModel``; everything outside the supported subset is a located ``DmnError``."""

from __future__ import annotations

from pathlib import Path

from verifier.dmn.errors import DmnError
from verifier.dmn.feel import FeelUnsupported, parse_literal, parse_literal_list, parse_unary_tests
from verifier.dmn.model import (
    AGGREGATIONS, HIT_POLICIES, Decision, DmnModel, InputClause, InputData, Loc, OutputClause, Row, Table, TypeInfo,
)
from verifier.dmn.xmltree import Node, parse_xml

# The model namespaces of DMN 1.1 to 1.5.
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)
RULEPROOF_NS = "urn:ruleproof:dmn"  # extension elements written by `export dmn`
BASE_TYPES = ("number", "string", "boolean")
# Elements of <definitions> that carry no decision logic and are ignored.
_IGNORED = {"extensionElements", "description", "import", "knowledgeSource", "businessKnowledgeModel_unused",
            "textAnnotation", "association", "group", "DMNDI", "elementCollection", "decisionService_unused"}


def read_dmn_file(path: str) -> DmnModel:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise DmnError(path, 0, 0, f"cannot read DMN file: {err.strerror or err}") from None
    return read_dmn(data, path)


def read_dmn(data: bytes, path: str = "<string>") -> DmnModel:
    return _Reader(path).read(parse_xml(data, path))


def _strip_prefix(type_ref: str) -> str:
    return type_ref.split(":", 1)[1] if type_ref.startswith("feel:") else type_ref


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def err(self, node: Node | Loc, message: str) -> DmnError:
        return DmnError(self.path, node.line, node.col, message)

    def read(self, root: Node) -> DmnModel:
        if root.tag != "definitions" or root.ns not in DMN_NAMESPACES:
            raise self.err(root, f"not a DMN 1.1-1.5 model: root element {{{root.ns}}}{root.tag}")
        self.items: dict[str, Node] = {n.attrib.get("name", ""): n for n in root.findall("itemDefinition")}
        inputs: list[InputData] = []
        decisions: dict[str, tuple[Node, Node]] = {}
        for node in root.children:
            if node.tag == "inputData":
                var = node.find("variable")
                type_ref = (var.attrib.get("typeRef") if var is not None else None) or node.attrib.get("typeRef")
                inputs.append(InputData(node.attrib.get("id", ""), self.name_of(node), self.type_info(type_ref, node),
                                        Loc(node.line, node.col)))
            elif node.tag == "decision":
                table = node.find("decisionTable")
                if table is None:
                    logic = next((c for c in node.children if c.tag not in ("variable", "informationRequirement",
                                  "knowledgeRequirement", "authorityRequirement", "description", "question",
                                  "allowedAnswers", "extensionElements")), None)
                    what = f"a <{logic.tag}>" if logic is not None else "no decision logic"
                    raise self.err(logic or node, f"decision {self.name_of(node)!r} has {what}; only decision tables are supported")
                decisions[self.name_of(node)] = (node, table)
            elif node.tag in ("businessKnowledgeModel", "decisionService"):
                raise self.err(node, f"<{node.tag}> {node.attrib.get('name', '')!r} is not supported (only decision tables)")
        read = [Decision(n.attrib.get("id", ""), name, self.table(t), Loc(n.line, n.col)) for name, (n, t) in decisions.items()]
        declarations = None
        ext = root.find("extensionElements")
        if ext is not None:
            decl = next((c for c in ext.children if c.ns == RULEPROOF_NS and c.tag == "declarations"), None)
            declarations = None if decl is None else decl.text
        return DmnModel(self.path, root.attrib.get("name", Path(self.path).stem), tuple(inputs), self.order(read), declarations)

    def name_of(self, node: Node) -> str:
        name = node.attrib.get("name")
        if not name:
            raise self.err(node, f"<{node.tag}> has no name")
        return name

    def type_info(self, type_ref: str | None, where: Node) -> TypeInfo:
        if not type_ref:
            raise self.err(where, f"{where.attrib.get('name', where.tag)!r} has no typeRef (number, string or boolean is needed)")
        seen: set[str] = set()
        allowed = None
        loc = Loc(where.line, where.col)
        ref = _strip_prefix(type_ref)
        while ref not in BASE_TYPES:
            item = self.items.get(ref)
            if item is None or ref in seen:
                raise self.err(where, f"type {ref!r} is not supported (number, string, boolean, or an itemDefinition of one)")
            seen.add(ref)
            if item.attrib.get("isCollection") == "true" or item.find("itemComponent") is not None:
                raise self.err(item, f"itemDefinition {ref!r} is a collection or structure; only number, string and boolean inputs are supported")
            values = item.find("allowedValues")
            if values is not None and allowed is None:
                allowed = self.tests(values.child_text("text") or "", values)
                loc = Loc(values.line, values.col)
            inner = item.child_text("typeRef")
            if inner is None:
                raise self.err(item, f"itemDefinition {ref!r} has no typeRef")
            ref = _strip_prefix(inner.strip())
        return TypeInfo(ref, allowed, loc)

    def tests(self, text: str, node: Node):  # type: ignore[no-untyped-def]
        try:
            return parse_unary_tests(text)
        except FeelUnsupported as e:
            raise self.err(node, f"unsupported FEEL in {text.strip()!r}: {e}") from None

    def table(self, t: Node) -> Table:
        policy_text = t.attrib.get("hitPolicy", "UNIQUE")
        policy = HIT_POLICIES.get(policy_text)
        if policy is None:
            raise self.err(t, f"unknown hit policy {policy_text!r}")
        aggregation = t.attrib.get("aggregation")
        if aggregation is not None and (policy != "C" or aggregation not in AGGREGATIONS):
            raise self.err(t, f"aggregation {aggregation!r} with hit policy {policy_text} is not valid DMN")
        if t.attrib.get("preferredOrientation", "Rule-as-Row") not in ("Rule-as-Row", "Rule-as-Column", "CrossTable"):
            raise self.err(t, "unknown preferredOrientation")
        if t.attrib.get("preferredOrientation") == "CrossTable":
            raise self.err(t, "crosstab decision tables are not supported")
        ins = []
        for c in t.findall("input"):
            ie = c.find("inputExpression")
            if ie is None:
                raise self.err(c, "input clause without an inputExpression")
            text = (ie.child_text("text") or "").strip()
            values = c.find("inputValues")
            ins.append(InputClause(text, ie.attrib.get("typeRef"), None if values is None else self.tests(values.child_text("text") or "", values),
                                   Loc(ie.line, ie.col)))
        outs = []
        for c in t.findall("output"):
            values = c.find("outputValues")
            lits = None
            if values is not None:
                try:
                    lits = parse_literal_list(values.child_text("text") or "")
                except FeelUnsupported as e:
                    raise self.err(values, f"unsupported output values: {e}") from None
            outs.append(OutputClause(c.attrib.get("name", ""), lits, Loc(c.line, c.col)))
        if not outs:
            raise self.err(t, "decision table without an output clause")
        if len(outs) > 1 and aggregation is not None:
            raise self.err(t, "an aggregation needs exactly one output clause (DMN forbids it on compound outputs)")
        rows = []
        for k, r in enumerate(t.findall("rule"), start=1):
            entries = r.findall("inputEntry")
            oentries = r.findall("outputEntry")
            if len(entries) != len(ins) or len(oentries) != len(outs):
                raise self.err(r, f"rule {k} has {len(entries)} input and {len(oentries)} output entries; the table has {len(ins)} and {len(outs)} columns")
            tests = tuple(self.tests(e.child_text("text") or "", e) for e in entries)
            lits = []
            for e in oentries:
                try:
                    lits.append(parse_literal(e.child_text("text") or ""))
                except FeelUnsupported as err:
                    raise self.err(e, f"unsupported output entry: {err}") from None
            rows.append(Row(k, r.attrib.get("id", ""), tests, tuple(lits), Loc(r.line, r.col), r.child_text("description")))
        return Table(policy, aggregation, tuple(ins), tuple(outs), tuple(rows), Loc(t.line, t.col))

    def order(self, decisions: list[Decision]) -> tuple[Decision, ...]:
        """Decisions in dependency order (a table after every decision it reads); cycles are errors."""
        by_name = {d.name: d for d in decisions}
        done: list[Decision] = []
        state: dict[str, int] = {}

        def visit(d: Decision) -> None:
            if state.get(d.name) == 2:
                return
            if state.get(d.name) == 1:
                raise self.err(d.loc, f"decision {d.name!r} depends on itself")
            state[d.name] = 1
            for c in d.table.inputs:
                up = by_name.get(c.expr) or by_name.get(c.expr.split(".", 1)[0])
                if up is not None:
                    visit(up)
            state[d.name] = 2
            done.append(d)

        for d in decisions:
            visit(d)
        return tuple(done)
