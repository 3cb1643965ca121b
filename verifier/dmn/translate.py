"""A ``DmnModel`` as rules text, and the map back from actions to DMN values.

How the hit policies become rules (the language has no rule order, no
priorities and no list-valued outputs, so order and priority are spelled out
as conditions over definitions; each definition chain is linear in the table):

* every DMN rule (row) becomes one ruleproof rule ``<table>_r<k>`` whose
  condition is the row's input entries, plus a *guard* for its hit policy:
  U: no two rows match (``<t>__multi``); A: no two rows with different
  outputs match (``<t>__clash``); F: no earlier row matches
  (``<t>__before<k>``); P, and C< / C> (min / max): no matching row has
  higher priority (``<t>__above<j>``), ties going to the earlier row.
  Under a violated U or A no rule fires, which is DMN's null result.
* single-valued tables (U A P F C< C>) give one action per output value,
  ``<t>__<value>`` (``<t>__<output>__<value>`` for compound outputs): the
  decision's actions are its DMN result.
* list and aggregate tables (R O C C+ C#) give one action per row,
  ``<t>__r<k>``: every matching row fires, and the DMN value (the list in rule
  or output order, the sum, the count) is read off the fired rows by
  ``Translation.result``.
* a table reading another decision's result reads the definitions
  ``<t>__is__<value>`` (``<t>__is__<output>__<value>``), one per possible
  output value; that value is the result exactly when its definition holds.
  Reading a list or an aggregate is outside the subset.
* strings become enums. An input with no list of allowed values gets the
  literals the tables compare it with plus ``other`` (every other string:
  the tables cannot tell those apart). Numbers become ``real`` inputs over
  [-1e9, 1e9] (widened to hold every literal) with the allowed values, if
  any, as a constraint.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from dsl import model as dm
from verifier.dmn.errors import DmnError
from verifier.dmn.feel import Compare, Interval, Literal, UnaryTests, matches
from verifier.dmn.model import Decision, DmnModel, InputData, Loc

DEFAULT_BOUND = Fraction(10**9)
CATEGORY = "3"  # DMN has no evidence grading; every imported give carries category 3
_KEYWORDS = {
    "ruleset", "version", "source", "year", "url", "input", "unit", "doc", "bool", "int", "real", "enum",
    "define", "action", "actions", "constraint", "phase", "when", "rule", "recommend", "consider", "avoid",
    "one", "of", "category", "sources", "because", "conflict", "with", "property", "coverage", "x", "except",
    "kind", "any", "iff", "implies", "or", "and", "not", "in", "true", "false", "recommended", "considered",
    "given", "avoided",
}


def ident(text: str) -> str:
    """A rules-language name for a DMN name or value (letters, digits, underscores)."""
    s = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "v"
    if s[0].isdigit():
        s = "v" + s
    if s in _KEYWORDS:
        s += "_"
    return s


def _num(v: Fraction) -> str:
    """Exact decimal text of a DMN number (DMN literals are decimals, so this terminates)."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, rest = divmod(v.numerator, v.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    digits = []
    while rest and len(digits) < 60:
        rest *= 10
        d, rest = divmod(rest, v.denominator)
        digits.append(str(d))
    return f"{sign}{whole}.{''.join(digits)}"


def _value_ident(v: Literal) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "is_true" if v else "is_false"
    if isinstance(v, Fraction):
        return ("neg" if v < 0 else "n") + _num(abs(v)).replace(".", "_")
    return ident(v)


def _feel(v: Literal) -> str:
    """A literal as FEEL text (labels and messages)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        return _num(v)
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _q(text: str) -> str:
    """A rules-language string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@dataclass
class VarInfo:
    """How one DMN input data is represented: its rules name, kind and (for strings) the enum values."""

    name: str
    kind: str  # "number" "string" "boolean"
    values: dict[str, str] = field(default_factory=dict)  # DMN string -> enum value name
    other: str | None = None  # the enum value standing for every other string

    def encode(self, value: Any) -> Any:
        """A DMN input value as the record value the engine expects."""
        if self.kind == "string" and isinstance(value, str):
            if value in self.values:
                return self.values[value]
            if self.other is not None:
                return self.other
            raise ValueError(f"{value!r} is not an allowed value of {self.name}")
        if self.kind == "number" and isinstance(value, Fraction):
            return decimal.Decimal(_num(value))  # records hold exact decimals
        return value


@dataclass
class OutputInfo:
    """One decision's result: how to read it back from a set of given actions."""

    decision: str
    name: str  # rules name of the table
    policy: str  # U A P F R O C
    aggregation: str | None
    columns: tuple[str, ...]  # DMN output names ("" for a single unnamed output)
    single: bool
    value_actions: dict[str, tuple[int, Literal]] = field(default_factory=dict)  # action -> (column, value)
    row_actions: dict[str, int] = field(default_factory=dict)  # action -> row number
    row_outputs: dict[int, tuple[Literal, ...]] = field(default_factory=dict)
    row_rank: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass
class Translation:
    model: DmnModel
    text: str
    variables: dict[str, VarInfo]
    outputs: dict[str, OutputInfo]

    def record(self, values: dict[str, Any]) -> dict[str, Any]:
        """A record for the engine from DMN input values keyed by input data name."""
        out: dict[str, Any] = {}
        for dmn_name, var in self.variables.items():
            if dmn_name in values:
                out[var.name] = var.encode(values[dmn_name])
        return out

    def result(self, decision: str, given: set[str]) -> Any:
        """The DMN value of ``decision`` given the set of actions the engine gave."""
        info = self.outputs[decision]

        def shape(vals: tuple[Literal, ...]) -> Any:
            return vals[0] if len(info.columns) == 1 else dict(zip(info.columns, vals))

        if info.single:
            found: dict[int, Literal] = {}
            for a, (col, v) in info.value_actions.items():
                if a in given:
                    found[col] = v
            if not found:
                return None
            return shape(tuple(found.get(i) for i in range(len(info.columns))))
        rows = sorted(k for a, k in info.row_actions.items() if a in given)
        if info.policy == "O":
            rows.sort(key=lambda k: info.row_rank[k])
        vals = [info.row_outputs[k] for k in rows]
        if info.aggregation == "COUNT":
            return Fraction(len(vals))
        if info.aggregation == "SUM":
            nums = [v[0] for v in vals]
            if not nums:
                return None
            if not all(isinstance(n, Fraction) and not isinstance(n, bool) for n in nums):
                return None
            return sum(nums, Fraction(0))
        return [shape(v) for v in vals]


class _Translator:
    def __init__(self, model: DmnModel) -> None:
        self.model = model
        self.lines: list[str] = []
        self.defs: list[str] = []
        self.rules: list[str] = []
        self.tables: list[str] = []  # decisions written in the table syntax
        self.use_tables = True
        self.actions: list[str] = []
        self.constraints: list[str] = []
        self.used: set[str] = set()
        self.variables: dict[str, VarInfo] = {}
        self.outputs: dict[str, OutputInfo] = {}
        self.value_defs: dict[str, dict[tuple[int, Literal], str]] = {}  # decision -> (col, value) -> def name

    def err(self, loc: Loc, msg: str) -> DmnError:
        return DmnError(self.model.path, loc.line, loc.col, msg)

    def fresh(self, base: str) -> str:
        name = base
        k = 2
        while name in self.used:
            name = f"{base}_{k}"
            k += 1
        self.used.add(name)
        return name

    # ------------------------------------------------------------ inputs

    def declare_inputs(self) -> list[str]:
        lines = []
        decision_names = {d.name for d in self.model.decisions}
        for i in self.model.inputs:
            if i.name in decision_names:
                raise self.err(i.loc, f"{i.name!r} names both an input data and a decision")
            var = VarInfo(self.fresh(ident(i.name)), i.type.base)
            self.variables[i.name] = var
            lines.append(self.input_decl(i, var))
        return lines

    def cells_of(self, i: InputData) -> list[tuple[UnaryTests, Loc]]:
        out = []
        for d in self.model.decisions:
            for c, clause in enumerate(d.table.inputs):
                if clause.expr == i.name:
                    out.extend((r.inputs[c], r.loc) for r in d.table.rows)
                    if clause.values is not None:
                        out.append((clause.values, clause.loc))
        return out

    def input_decl(self, i: InputData, var: VarInfo) -> str:
        doc = f' doc {_q("DMN input data " + repr(i.name))}'
        if var.kind == "boolean":
            return f"input {var.name}: bool{doc}"
        cells = self.cells_of(i)
        literals = [t.value for tests, _ in cells for t in tests.tests if isinstance(t, Compare)]
        if i.type.allowed is not None:
            literals += [t.value for t in i.type.allowed.tests if isinstance(t, Compare)]
        if var.kind == "number":
            bound = DEFAULT_BOUND
            for tests, _ in cells:
                for t in tests.tests:
                    ends = [t.lo, t.hi] if isinstance(t, Interval) else [t.value] if isinstance(t.value, Fraction) and not isinstance(t.value, bool) else []
                    for e in ends:
                        while abs(e) >= bound:
                            bound *= 10
            if i.type.allowed is not None:
                expr = self.number_test(var.name, i.type.allowed, i.type.loc)
                self.constraints.append(f"constraint {self.fresh(var.name + '_allowed')} {_q(i.name + ' takes only the allowed values of its type')}: {expr}")
            return f"input {var.name}: real [{_num(-bound)}, {_num(bound)}]{doc}"
        # string: an enum of the allowed values, or of the tables' literals plus "other"
        strings: list[str] = []
        if i.type.allowed is not None and not i.type.allowed.negated and all(
                isinstance(t, Compare) and t.op == "=" and isinstance(t.value, str) for t in i.type.allowed.tests):
            strings = [t.value for t in i.type.allowed.tests]  # type: ignore[misc]
            exhaustive = True
        elif i.type.allowed is not None:
            raise self.err(i.type.loc, f"allowed values of string {i.name!r} must be a list of strings")
        else:
            exhaustive = False
            for v in literals:
                if isinstance(v, str) and v not in strings:
                    strings.append(v)
        names: list[str] = []
        for s in strings:
            base = ident(s)
            n = base
            k = 2
            while n in names:
                n = f"{base}_{k}"
                k += 1
            names.append(n)
            var.values[s] = n
        if not exhaustive:
            n = "other"
            k = 2
            while n in names:
                n = f"other_{k}"
                k += 1
            var.other = n
            names.append(n)
            for tests, loc in cells:
                if any(isinstance(t, Compare) and t.op != "=" and isinstance(t.value, str) for t in tests.tests):
                    raise self.err(loc, f"an ordering test on string {i.name!r} needs its allowed values (give the input a type with an allowedValues list)")
        return f"input {var.name}: enum {{{', '.join(names)}}}{doc}"

    # ------------------------------------------------------------ conditions

    def number_test(self, x: str, tests: UnaryTests, loc: Loc) -> str:
        parts: list[str] = []
        null_like = False
        for t in tests.tests:
            if isinstance(t, Interval):
                lo = f"{x} {'>=' if t.lo_closed else '>'} {_num(t.lo)}"
                hi = f"{x} {'<=' if t.hi_closed else '<'} {_num(t.hi)}"
                parts.append(f"({lo} and {hi})")
            elif isinstance(t.value, Fraction) and not isinstance(t.value, bool):
                op = "==" if t.op == "=" else t.op
                parts.append(f"{x} {op} {_num(t.value)}")
            elif t.value is None:
                pass  # a number is never null
            else:
                null_like = True  # comparing a number with a string or boolean is FEEL null
        body = " or ".join(parts) if parts else "false"
        if tests.negated:
            return "false" if null_like else f"not ({body})"
        return f"({body})" if len(parts) > 1 else body

    def finite_test(self, tests: UnaryTests, domain: list[tuple[Literal, str]], loc: Loc) -> list[str]:
        """The names (of the ``domain`` pairs value, name) whose values satisfy ``tests``."""
        return [name for value, name in domain if matches(tests, value)]

    def cell(self, clause_expr: str, tests: UnaryTests, loc: Loc) -> str | None:
        """The condition of one input entry, or None when it always holds."""
        if tests.any:
            return None
        var = self.variables.get(clause_expr)
        if var is not None:
            if var.kind == "number":
                return self.number_test(var.name, tests, loc)
            if var.kind == "boolean":
                ok = [v for v in (True, False) if matches(tests, v)]
                return "true" if len(ok) == 2 else "false" if not ok else var.name if ok[0] else f"not {var.name}"
            domain: list[tuple[Literal, str]] = list(var.values.items())
            if var.other is not None:
                # "other" is some string no test names: equality tests miss it.
                domain.append(("\x00other", var.other))
            ok_names = self.finite_test(tests, domain, loc)
            if len(ok_names) == len(domain):
                return "true"
            if not ok_names:
                return "false"
            return f"{var.name} in {{{', '.join(ok_names)}}}"
        return self.upstream_cell(clause_expr, tests, loc)

    def upstream_cell(self, expr: str, tests: UnaryTests, loc: Loc) -> str:
        dec_name, _, col_name = expr.partition(".")
        info = self.outputs.get(expr) or self.outputs.get(dec_name)
        if info is None:
            raise self.err(loc, f"input expression {expr!r} is not supported: only the name of an input data or of a decision (or Decision.output) can be read")
        if not info.single or info.decision not in self.value_defs:
            raise self.err(loc, f"decision {info.decision!r} has hit policy {info.policy}{info.aggregation or ''} (a list or an aggregate); a table reading it is not supported")
        if expr == info.decision:
            if len(info.columns) != 1:
                raise self.err(loc, f"decision {info.decision!r} has several outputs; read one as {info.decision}.OUTPUT")
            col = 0
        else:
            if col_name not in info.columns:
                raise self.err(loc, f"decision {info.decision!r} has no output {col_name!r}")
            col = info.columns.index(col_name)
        defs = self.value_defs[info.decision]
        domain = [(v, name) for (c, v), name in defs.items() if c == col]
        ok = [name for v, name in domain if matches(tests, v)]
        alts = list(ok)
        if matches(tests, None):  # the upstream table gave no result
            alts.append("not (" + " or ".join(n for _, n in domain) + ")" if domain else "true")
        if not alts:
            return "false"
        return "(" + " or ".join(alts) + ")" if len(alts) > 1 else alts[0]

    # ------------------------------------------------------------ tables

    def chain(self, prefix: str, conds: list[str], kind: str) -> list[str]:
        """Definition names ``d[k]``: any of conds[0..k-1] holds ("before"), built as a linear chain."""
        names: list[str] = []
        prev: str | None = None
        for k, c in enumerate(conds):
            name = self.fresh(f"{prefix}__{kind}{k + 1}")
            self.defs.append(f"define {name} = {c}" if prev is None else f"define {name} = {prev} or {c}")
            names.append(name)
            prev = name
        return names

    def at_least_two(self, prefix: str, conds: list[str], kind: str) -> str:
        """A definition that holds when at least two of ``conds`` hold (linear chain)."""
        seen = self.chain(prefix, conds, kind + "_seen")
        prev: str | None = None
        for k in range(1, len(conds)):
            name = self.fresh(f"{prefix}__{kind}{k + 1}")
            step = f"({conds[k]} and {seen[k - 1]})"
            self.defs.append(f"define {name} = {step}" if prev is None else f"define {name} = {prev} or {step}")
            prev = name
        final = self.fresh(f"{prefix}__{kind}")
        self.defs.append(f"define {final} = {prev or 'false'}")
        return final

    # ------------------------------------------------------------ table syntax (issue 14)

    def cell_text(self, clause_expr: str, tests: UnaryTests) -> str | None:
        """One input entry as a cell of the table syntax (``dsl.table_rows``), or None when
        the cell cannot say it (a test that is always false, an upstream decision)."""
        if tests.any:
            return "-"
        var = self.variables.get(clause_expr)
        if var is None:
            return None
        if var.kind == "number":
            parts: list[str] = []
            for t in tests.tests:
                if isinstance(t, Interval):
                    parts.append(f"{'[' if t.lo_closed else '('}{_num(t.lo)}..{_num(t.hi)}{']' if t.hi_closed else ')'}")
                elif isinstance(t.value, Fraction) and not isinstance(t.value, bool):
                    parts.append(_num(t.value) if t.op == "=" else f"{t.op} {_num(t.value)}")
                elif t.value is not None:
                    return None  # a number compared with a string or boolean: FEEL null
            if not parts:
                return None
            body = ", ".join(parts)
            return f"not({body})" if tests.negated else body
        if var.kind == "boolean":
            ok = [v for v in (True, False) if matches(tests, v)]
            return "-" if len(ok) == 2 else None if not ok else ("true" if ok[0] else "false")
        domain: list[tuple[Literal, str]] = list(var.values.items())
        if var.other is not None:
            domain.append(("\x00other", var.other))
        ok_names = self.finite_test(tests, domain, Loc(0, 0))
        if len(ok_names) == len(domain):
            return "-"
        return ", ".join(ok_names) if ok_names else None

    def as_table(self, d: Decision, name: str) -> list[list[str]] | None:
        """The cells of every row when ``d`` can be written in the table syntax, else None.

        The table syntax spells out U, A, F and the collecting policies (R, O, C, C+, C#)
        itself; priorities (P, C<, C>) and tables reading other decisions keep the longhand.
        Its names are fixed (``<t>__m<k>``, ``<t>_r<k>``, ...), so every one must be free.
        """
        t = d.table
        if not self.use_tables or not t.inputs or t.hit_policy == "P" or (t.hit_policy == "C" and t.aggregation in ("MIN", "MAX")):
            return None  # (a table needs a column: one with no inputs stays longhand)
        rows: list[list[str]] = []
        for r in t.rows:
            cells = [self.cell_text(c.expr, tests) for c, tests in zip(t.inputs, r.inputs)]
            if any(x is None for x in cells):
                return None
            rows.append(cells)  # type: ignore[arg-type]
        n = len(t.rows)
        fixed = [f"{name}_r{k}" for k in range(1, n + 1)]
        if t.single_valued and n > 1:
            fixed += [f"{name}__m{k}" for k in range(1, n + 1)]
            kinds = {"U": ("multi",), "A": ("out", "clash"), "F": ("before",)}[t.hit_policy]
            fixed += [f"{name}__{k}" for k in kinds]
            if any(w.startswith(f"{name}__{k}") for w in self.used for k in kinds):
                return None
        if any(w in self.used for w in fixed):
            return None
        self.used.update(fixed)
        return rows

    def table(self, d: Decision) -> None:
        t = d.table
        name = self.fresh(ident(d.name))
        columns = tuple(o.name or (d.name if len(t.outputs) == 1 else "") for o in t.outputs)
        if len(columns) > 1 and any(not c for c in columns):
            raise self.err(t.loc, "every output of a compound table needs a name")
        info = OutputInfo(d.name, name, t.hit_policy, t.aggregation, columns, t.single_valued)
        self.outputs[d.name] = info
        # Each row's match condition, once, as a definition when a guard needs it.
        match_exprs = []
        for r in t.rows:
            parts = [p for c, tests in zip(t.inputs, r.inputs) if (p := self.cell(c.expr, tests, r.loc)) is not None]
            match_exprs.append(" and ".join(parts) if parts else "true")
            for v, o in zip(r.outputs, t.outputs):
                if o.values is not None and v not in o.values and v is not None:
                    raise self.err(r.loc, f"rule {r.number} outputs {_feel(v)}, not among the output values of {o.name or d.name!r}")
        needs_guard = t.single_valued and len(t.rows) > 1
        cells = self.as_table(d, name)
        if cells is not None:
            self.written_table(d, name, info, cells, match_exprs)
            return
        m = [f"({e})" for e in match_exprs]
        if needs_guard:
            m = []
            for r, e in zip(t.rows, match_exprs):
                mn = self.fresh(f"{name}__m{r.number}")
                self.defs.append(f"define {mn} = {e}")
                m.append(mn)
        guards = self.guards(d, name, m, info) if needs_guard else [None] * len(t.rows)
        # Actions and rules.
        actions: dict[tuple[int, Literal], str] = {}
        if t.single_valued:  # every value's action first, in table order
            for r in t.rows:
                self.row_gives(d, name, info, actions, r)
        for r, e, mk, g in zip(t.rows, match_exprs, m, guards):
            rid = self.fresh(f"{name}_r{r.number}")
            # A guarded row reads its match definition rather than repeating it: the
            # rules file is then a quarter smaller (1.0 -> 0.78 MB at 1,500 rows x 7), and so is reading it back.
            when = e if g is None else f"{mk} and not {g}" if e != "true" else f"not {g}"
            gives = self.row_gives(d, name, info, actions, r)
            give_text = "\n  ".join(f"recommend {a} category {CATEGORY} sources [dmn]" for a in gives)
            self.rules.append(f"rule {rid} {_q(f'{d.name}, rule {r.number} ({t.policy_name})')}\n  when {when}\n  {give_text}")
        # The result as definitions, for tables that read this decision.
        if t.single_valued and d.name in self.read_by_others:
            defs: dict[tuple[int, Literal], str] = {}
            for (c, v), a in actions.items():
                alts = []
                for r, e, g in zip(t.rows, m, guards):
                    if r.outputs[c] == v:
                        alts.append(e if g is None else f"({e} and not {g})")
                dn = self.fresh(a.replace(f"{name}__", f"{name}__is__", 1))
                self.defs.append(f"define {dn} = {' or '.join(alts)}")
                defs[(c, v)] = dn
            self.value_defs[d.name] = defs

    def row_gives(self, d: Decision, name: str, info: OutputInfo, actions: dict[tuple[int, Literal], str],
                  r: Any) -> list[str]:
        """The actions row ``r`` gives, declared on first use: one per output value of a
        single-valued table (kept in ``actions``), one per row of a list or aggregate table."""
        columns = info.columns
        info.row_outputs[r.number] = r.outputs
        if not d.table.single_valued:
            a = self.fresh(f"{name}__r{r.number}")
            info.row_actions[a] = r.number
            outs = ", ".join(f"{col} = {_feel(v)}" if len(columns) > 1 else _feel(v) for col, v in zip(columns, r.outputs))
            self.actions.append(f"action {a}: {name} {_q(f'{d.name}, rule {r.number}: {outs}')}")
            return [a]
        for c, v in enumerate(r.outputs):
            if (c, v) not in actions:
                base = f"{name}__{_value_ident(v)}" if len(columns) == 1 else f"{name}__{ident(columns[c])}__{_value_ident(v)}"
                a = self.fresh(base)
                actions[(c, v)] = a
                info.value_actions[a] = (c, v)
                label = f"{d.name} = {_feel(v)}" if len(columns) == 1 else f"{d.name}.{columns[c]} = {_feel(v)}"
                self.actions.append(f"action {a}: {name} {_q(label)}")
        return [actions[(c, v)] for c, v in enumerate(r.outputs)]

    def written_table(self, d: Decision, name: str, info: OutputInfo, cells: list[list[str]],
                      match_exprs: list[str]) -> None:
        """``d`` in the table syntax: one line a row, spelled out by the checker (``dsl.table_check``)
        into the same definitions and rules the longhand below writes, at a fifth of the text."""
        t = d.table
        actions: dict[tuple[int, Literal], str] = {}
        gives = [", ".join(f"recommend {a}" for a in self.row_gives(d, name, info, actions, r)) for r in t.rows]
        policy = {"U": "unique", "A": "any", "F": "first"}.get(t.hit_policy, "collect")
        header = [self.variables[c.expr].name for c in t.inputs]
        widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(header)]

        def line(parts: list[str]) -> str:
            return "  | " + " | ".join(p.ljust(w) for p, w in zip(parts, widths)) + " |"

        text = [f"table {name} {_q(d.name)} {policy} category {CATEGORY} sources [dmn]", line(header)]
        for row, give in zip(cells, gives):
            text.append(f"{line(row)} {give}")
        self.tables.append("\n".join(text))
        # The result as definitions, for tables that read this decision: over the
        # table's own row definitions (``<t>__m<k>``) and guard.
        if t.single_valued and d.name in self.read_by_others:
            n = len(t.rows)
            guard = {"U": f"{name}__multi", "A": f"{name}__clash"}.get(t.hit_policy)
            distinct = len({r.outputs for r in t.rows})
            defs: dict[tuple[int, Literal], str] = {}
            for (c, v), a in actions.items():
                alts = []
                for k, r in enumerate(t.rows, start=1):
                    if r.outputs[c] != v:
                        continue
                    if n == 1:
                        alts.append(f"({match_exprs[0]})")
                    elif t.hit_policy == "F":
                        alts.append(f"{name}__m1" if k == 1 else f"({name}__m{k} and not {name}__before{k - 1})")
                    elif t.hit_policy == "A" and distinct == 1:
                        alts.append(f"{name}__m{k}")
                    else:
                        alts.append(f"({name}__m{k} and not {guard})")
                dn = self.fresh(a.replace(f"{name}__", f"{name}__is__", 1))
                self.defs.append(f"define {dn} = {' or '.join(alts)}")
                defs[(c, v)] = dn
            self.value_defs[d.name] = defs

    def guards(self, d: Decision, name: str, m: list[str], info: OutputInfo) -> list[str | None]:
        t = d.table
        n = len(t.rows)
        if t.hit_policy == "U":
            multi = self.at_least_two(name, m, "multi")
            return [multi] * n
        if t.hit_policy == "A":
            keys: dict[tuple[Literal, ...], list[str]] = {}
            for r, mi in zip(t.rows, m):
                keys.setdefault(r.outputs, []).append(mi)
            if len(keys) == 1:
                return [None] * n
            per_key = []
            for j, ms in enumerate(keys.values()):
                kn = self.fresh(f"{name}__out{j + 1}")
                self.defs.append(f"define {kn} = {' or '.join(ms)}")
                per_key.append(kn)
            clash = self.at_least_two(name, per_key, "clash")
            return [clash] * n
        if t.hit_policy == "F":
            before = self.chain(name, m[:-1], "before")
            return [None] + before  # type: ignore[list-item]
        # P, or C with MIN / MAX: rank rows, best first.
        ranks = self.ranks(d)
        for r, k in zip(t.rows, ranks):
            info.row_rank[r.number] = k
        distinct = sorted(set(ranks))
        groups = [" or ".join(mi for mi, k in zip(m, ranks) if k == rk) for rk in distinct]
        above = self.chain(name, [f"({g})" for g in groups[:-1]], "above")
        out: list[str | None] = []
        for i, (r, k) in enumerate(zip(t.rows, ranks)):
            j = distinct.index(k)
            conds = [above[j - 1]] if j > 0 else []
            # Equal priority but other outputs: the earlier row wins.
            conds += [m[h] for h in range(i) if ranks[h] == k and t.rows[h].outputs != r.outputs]
            if not conds:
                out.append(None)
                continue
            gn = self.fresh(f"{name}__beaten{r.number}")
            self.defs.append(f"define {gn} = {' or '.join(conds)}")
            out.append(gn)
        return out

    def ranks(self, d: Decision) -> list[tuple[int, ...]]:
        t = d.table
        if t.hit_policy == "C":  # MIN or MAX of the single output
            vals = [r.outputs[0] for r in t.rows]
            if any(v is None or isinstance(v, bool) for v in vals) or len({type(v) for v in vals}) > 1:
                raise self.err(t.loc, f"C{'<' if t.aggregation == 'MIN' else '>'} needs outputs that are all numbers or all strings")
            order = sorted(set(vals), reverse=t.aggregation == "MAX")  # type: ignore[type-var]
            return [(order.index(v),) for v in vals]
        prio = [c for c, o in enumerate(t.outputs) if o.values is not None]
        if not prio:
            raise self.err(t.loc, f"hit policy {'PRIORITY' if t.hit_policy == 'P' else 'OUTPUT ORDER'} needs output values (their order is the priority)")
        return [tuple(t.outputs[c].values.index(r.outputs[c]) if r.outputs[c] in t.outputs[c].values else len(t.outputs[c].values)  # type: ignore[union-attr]
                      for c in prio) for r in t.rows]

    def flavoured(self) -> Translation:
        """A table written by ``export dmn``: its declarations are rules text and its outputs are gives."""
        import dsl  # the declarations are checked like any rules text

        assert self.model.declarations is not None
        try:
            declared = dsl.parse_ruleset(self.model.declarations, self.model.path)
        except dsl.RulesetError as err:
            raise DmnError(self.model.path, 1, 1, "the ruleproof declarations of this file are invalid: " + err.render()) from None
        if len(self.model.decisions) != 1:
            raise DmnError(self.model.path, 1, 1, "a file with ruleproof declarations must hold exactly one decision")
        d = self.model.decisions[0]
        t = d.table
        if t.hit_policy != "C" or t.aggregation or [o.name for o in t.outputs] != ["action", "strength", "category", "sources"]:
            raise self.err(t.loc, "a table with ruleproof declarations must be COLLECT with outputs action, strength, category, sources")
        for i in declared.inputs:
            kind = "boolean" if isinstance(i.type, dm.BoolType) else "string" if isinstance(i.type, dm.EnumType) else "number"
            var = VarInfo(i.name, kind)
            if isinstance(i.type, dm.EnumType):
                var.values = {v: v for v in i.type.values}
            self.variables[i.name] = var
        rules = []
        for r in t.rows:
            parts = [p for c, tests in zip(t.inputs, r.inputs) if (p := self.cell(c.expr, tests, r.loc)) is not None]
            action, strength, category, sources = r.outputs
            if not all(isinstance(v, str) for v in r.outputs):
                raise self.err(r.loc, f"rule {r.number}: every output must be a string")
            target = f"one of {{{action[len('one of '):]}}}" if action.startswith("one of ") else action  # type: ignore[union-attr]
            srcs = ", ".join(sources.split())  # type: ignore[union-attr]
            rid = f"{ident(r.description or 'row')}__{r.number}"
            rules.append(f"rule {rid} {_q(r.description or f'row {r.number}')}\n  when {' and '.join(parts) if parts else 'true'}\n"
                         f"  {strength} {target} category {category} sources [{srcs}]")
        text = self.model.declarations.rstrip("\n") + "\n\n" + "\n".join(rules) + "\n"
        return Translation(self.model, text, self.variables, self.outputs)

    def run(self) -> Translation:
        if self.model.declarations is not None:
            return self.flavoured()
        self.used.update({"dmn"})
        self.read_by_others = {c.expr.split(".", 1)[0] for d in self.model.decisions for c in d.table.inputs}
        inputs = self.declare_inputs()
        for d in self.model.decisions:
            if not d.table.rows:
                raise self.err(d.table.loc, f"decision table {d.name!r} has no rules")
            self.table(d)
        # O ranks are needed to read results even though O has no guard.
        for d in self.model.decisions:
            if d.table.hit_policy == "O":
                for r, k in zip(d.table.rows, self.ranks(d)):
                    self.outputs[d.name].row_rank[r.number] = k
        head = [
            f"# Imported from {self.model.path} by `ruleproof import dmn`; see README \"DMN\".",
            f"ruleset {ident(self.model.name)} version \"1\"",
            "",
            f"source dmn {_q('DMN model ' + self.model.name)}",
            "",
        ]
        # Drop helper definitions nothing reads (a row no guard needs, the tail of a chain):
        # the checker would warn about each.
        while True:
            uses: dict[str, int] = {}
            for line in self.defs + self.rules + self.tables:
                for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line):
                    uses[w] = uses.get(w, 0) + 1
            kept = [d for d in self.defs if uses.get(d.split()[1], 0) > 1]
            if len(kept) == len(self.defs):
                break
            self.defs = kept
        body = head + inputs + [""] + self.constraints + [""] + self.actions + [""] + self.defs + [""] + self.rules
        for table in self.tables:
            body += ["", table]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(body)) + "\n"
        return Translation(self.model, text, self.variables, self.outputs)


def translate(model: DmnModel, tables: bool = True) -> Translation:
    """The rules text of ``model`` and the map back to DMN values; ``DmnError`` if outside the subset.

    ``tables``: write a decision in the table syntax when it fits (``_Translator.as_table``);
    False spells every row out as a rule (the same model once checked).
    """
    tr = _Translator(model)
    tr.use_tables = tables
    return tr.run()
