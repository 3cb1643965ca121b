"""The decision diagram: the ruleset's recommendation function, one question at a time.

A ``Diagram`` is a reduced, ordered, multi-valued decision diagram with many
terminals. Inner nodes ask one question (``verifier.graph.questions``) in a
fixed order, phase-deciding inputs first; each leaf is one recommendation
set, shared by every path that ends in it.

It is built by Shannon expansion with partial evaluation: every rule
condition and the conjunction of the constraints are formulas; answering a
question simplifies them. When no rule condition depends on anything left
to ask, the fired rules are known and the engine's ``decide`` gives the
leaf. A branch on which the constraints are false has no valid record and is
cut. Sub-problems are memoised by their simplified formulas and nodes are
hash-consed by (question, children), so isomorphic subgraphs are shared, and
a question whose valid answers all lead to the same place is not asked.

The diagram of the whole function (``build_whole``) is exact but large when
rules add up independently: a work-up phase with nine independent "not done
yet" rules has hundreds of leaves. The view a reviewer reads
(``build_view``) therefore factors it without losing exactness:

- an overview diagram decides which phases hold (its leaves are phases);
- each phase's rules are split into *parts* that share no action (and no
  declared conflict), each with its own small diagram under the assumption
  that the phase holds;
- a record's recommendation set is the union of the leaves it reaches in
  the parts of its phase. Parts share no action, so the union is exact.

``follow``/``leaf_for`` walk a record down either form; the tests check on
many valid records that the leaf reached is the engine's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from dsl import model as m
from engine import Decision, Evaluator, compile_ruleset
from verifier.graph.feasible import realizable
from verifier.graph.questions import FALSE, TRUE, Domains, Formulas, Question

NO_RECORD = -1  # a branch on which no valid record exists
_STRENGTH_RANK = {s: k for k, s in enumerate(m.STRENGTHS)}


@dataclass(frozen=True, slots=True)
class LeafAction:
    """One action of a leaf: what a reviewer reads, without the rule bookkeeping."""

    action: str
    strength: str
    category: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A recommendation set (possibly empty: nothing from this part)."""

    outcomes: tuple[LeafAction, ...]
    contradictions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PhaseLeaf:
    """An overview leaf: the phases that hold (none: only rules outside phases apply)."""

    phases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    """An inner node: ask ``question``; answers in ``edges[k][0]`` (a bit mask) lead to ``edges[k][1]``."""

    question: int
    edges: tuple[tuple[int, int], ...]


Node = Leaf | PhaseLeaf | Branch


def outcome_of(decision: Decision) -> Leaf:
    """The leaf a decision corresponds to (what the diagram promises about a record)."""
    return Leaf(
        tuple(LeafAction(r.action, r.strength, r.category, r.alternatives) for r in decision.recommendations),
        tuple(sorted(decision.contradictions)),
    )


@dataclass(frozen=True, slots=True)
class Diagram:
    """A built diagram: ``nodes[0]`` is the root; ids are in depth-first order."""

    nodes: tuple[Node, ...]
    domains: Domains

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.domains.questions

    def follow(self, record: Mapping[str, Any], env: Callable[[], Mapping[str, Any]] | None = None) -> list[tuple[int, int]]:
        """The path a *valid* record takes: (node id, answer index) per question, then (leaf id, -1)."""
        env = env or _lazy_env(self.domains.ruleset, record)
        path: list[tuple[int, int]] = []
        at = 0
        while True:
            node = self.nodes[at]
            if not isinstance(node, Branch):
                path.append((at, -1))
                return path
            q = self.questions[node.question]
            answer = self.domains.answer(q, record, env)
            path.append((at, answer))
            for mask, target in node.edges:
                if (mask >> answer) & 1:
                    at = target
                    break
            else:
                raise ValueError(f"no branch for {q.name} = {q.answers[answer]}: the record is not valid")

    def end(self, record: Mapping[str, Any], env: Callable[[], Mapping[str, Any]] | None = None) -> Node:
        """The leaf a valid record reaches."""
        return self.nodes[self.follow(record, env)[-1][0]]

    def leaves(self) -> list[int]:
        return [k for k, n in enumerate(self.nodes) if not isinstance(n, Branch)]

    @property
    def size(self) -> int:
        return len(self.nodes)


def _lazy_env(ruleset: m.Ruleset, record: Mapping[str, Any]) -> Callable[[], Mapping[str, Any]]:
    """Definitions evaluated on first need only (just derived yes/no tests need them)."""
    cache: list[Mapping[str, Any]] = []

    def env() -> Mapping[str, Any]:
        if not cache:
            from verifier.facts.evaluation import environment

            cache.append(environment(ruleset, record))
        return cache[0]

    return env


@dataclass(frozen=True, slots=True)
class Part:
    """Rules of one section that share actions; ``diagram`` gives their contribution."""

    rules: tuple[str, ...]
    diagram: Diagram


@dataclass(frozen=True, slots=True)
class Section:
    """What applies when exactly ``phases`` hold: its rules, split into parts."""

    phases: tuple[str, ...]
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class DecisionView:
    """The factored diagram a reviewer reads: the overview, then one section per overview leaf."""

    ruleset: m.Ruleset
    overview: Diagram
    sections: tuple[Section, ...]

    def section(self, phases: tuple[str, ...]) -> Section:
        for s in self.sections:
            if s.phases == phases:
                return s
        raise KeyError(phases)

    def walk(self, record: Mapping[str, Any]) -> tuple[list[tuple[int, int]], Section, list[list[tuple[int, int]]]]:
        """A valid record's path through the overview, its section, and its path through each part."""
        env = _lazy_env(self.ruleset, record)
        top = self.overview.follow(record, env)
        leaf = self.overview.nodes[top[-1][0]]
        assert isinstance(leaf, PhaseLeaf)
        section = self.section(leaf.phases)
        return top, section, [p.diagram.follow(record, env) for p in section.parts]

    def leaf_for(self, record: Mapping[str, Any]) -> Leaf:
        """The union of the leaves a valid record reaches: its whole recommendation set."""
        _, section, paths = self.walk(record)
        outcomes: list[LeafAction] = []
        contradictions: list[str] = []
        for part, path in zip(section.parts, paths):
            leaf = part.diagram.nodes[path[-1][0]]
            assert isinstance(leaf, Leaf)
            outcomes.extend(leaf.outcomes)
            contradictions.extend(leaf.contradictions)
        order = {a.id: k for k, a in enumerate(self.ruleset.actions)}
        outcomes.sort(key=lambda o: (_STRENGTH_RANK[o.strength], order[o.action]))
        return Leaf(tuple(outcomes), tuple(sorted(contradictions)))


class _Builder:
    """Shannon expansion of some formulas into one diagram; ``leaf`` maps the true formulas to a leaf."""

    def __init__(self, f: Formulas, formulas: Sequence[int], valid: int, leaf: Callable[[tuple[int, ...]], Node]) -> None:
        self.f = f
        self.formulas = tuple(formulas)
        self.valid = valid
        self.leaf = leaf
        self.nodes: list[Node] = []
        self._unique: dict[Node, int] = {}
        self._memo: dict[tuple[tuple[int, ...], int], int] = {}

    def run(self) -> Diagram | None:
        root = self._build(self.formulas, self.valid)
        if root == NO_RECORD:
            return None
        return _renumbered(self.nodes, root, self.f.domains)

    def _intern(self, node: Node) -> int:
        found = self._unique.get(node)
        if found is None:
            found = self._unique[node] = len(self.nodes)
            self.nodes.append(node)
        return found

    def _build(self, formulas: tuple[int, ...], valid: int) -> int:
        key = (formulas, valid)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._expand(formulas, valid)
        return found

    def _expand(self, formulas: tuple[int, ...], valid: int) -> int:
        f = self.f
        support = 0
        for r in formulas:
            support |= f.support[r]
        # Inputs no formula depends on any more only matter for validity: some value will do.
        loose = f.support[valid] & ~support
        while loose and valid != FALSE:
            q = (loose & -loose).bit_length() - 1
            valid = f.exists(valid, q)
            loose &= f.support[valid] & ~support
        if valid == FALSE:
            return NO_RECORD
        if support == 0:
            return self._intern(self.leaf(tuple(k for k, r in enumerate(formulas) if r == TRUE)))
        q = (support & -support).bit_length() - 1
        targets: dict[int, int] = {}
        for answer in range(f.sizes[q]):
            child = self._build(tuple(f.restrict(r, q, answer) for r in formulas), f.restrict(valid, q, answer))
            if child != NO_RECORD:
                targets[child] = targets.get(child, 0) | (1 << answer)
        if not targets:
            return NO_RECORD
        if len(targets) == 1:
            # Every answer a valid record can give leads to the same place: the question tells nothing.
            return next(iter(targets))
        edges = tuple(sorted(((mask, t) for t, mask in targets.items()), key=lambda e: e[0] & -e[0]))
        return self._intern(Branch(q, edges))


def _renumbered(nodes: list[Node], root: int, domains: Domains) -> Diagram:
    """Ids in depth-first order from the root, first answer first (deterministic output)."""
    order: list[int] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        node = nodes[n]
        if isinstance(node, Branch):
            stack.extend(t for _, t in reversed(node.edges))
    new = {old: k for k, old in enumerate(order)}
    out: list[Node] = []
    for old in order:
        node = nodes[old]
        if isinstance(node, Branch):
            node = Branch(node.question, tuple((mask, new[t]) for mask, t in node.edges))
        out.append(node)
    return Diagram(tuple(out), domains)


class _Context:
    """One question order over a ruleset: its questions, formulas and the constraints as a formula."""

    def __init__(self, ruleset: m.Ruleset, engine: Evaluator, first: tuple[str, ...] = ()) -> None:
        self.ruleset = ruleset
        self.engine = engine
        self.domains = Domains(ruleset, first)
        self.f = Formulas(self.domains)
        # Derived arithmetic questions are not independent bits: only the answer
        # combinations some record gives are valid (decided by Z3, see feasible.py).
        self.valid = self.f.conj([self.f.of(c.expr) for c in ruleset.constraints] + [realizable(self.domains, self.f)])

    def decide(self, rule_indices: Sequence[int]) -> Callable[[tuple[int, ...]], Node]:
        """A leaf function for formulas standing for the rules ``rule_indices``."""
        return lambda true: outcome_of(self.engine.decide(tuple(sorted(rule_indices[k] for k in true))))

    def within(self, phases: tuple[str, ...]) -> int:
        """Valid records on which exactly ``phases`` hold."""
        holds = [self.f.of(p.expr, p.name in phases) for p in self.ruleset.phases]
        return self.f.conj([self.valid, *holds])

    def part(self, ks: Sequence[int], phases: tuple[str, ...]) -> Diagram | None:
        """The diagram of rules ``ks`` where exactly ``phases`` hold (so each rule's `when` suffices)."""
        whens = [self.f.of(self.ruleset.rules[k].when) for k in ks]
        return _Builder(self.f, whens, self.within(phases), self.decide(ks)).run()


def build_whole(ruleset: m.Ruleset) -> Diagram:
    """The single reduced ordered decision diagram of ``ruleset``'s recommendation function."""
    ctx = _Context(ruleset, compile_ruleset(ruleset))
    indices = list(range(len(ruleset.rules)))
    d = _Builder(ctx.f, [ctx.f.of(r.condition) for r in ruleset.rules], ctx.valid, ctx.decide(indices)).run()
    if d is None:
        raise ValueError(f"ruleset {ruleset.name}: no record satisfies the constraints")
    return d


def build_view(ruleset: m.Ruleset) -> DecisionView:
    """The overview of phases and, per combination of phases that can hold, its parts."""
    ctx = _Context(ruleset, compile_ruleset(ruleset))
    f = ctx.f
    names = [p.name for p in ruleset.phases]
    overview = _Builder(
        f, [f.of(p.expr) for p in ruleset.phases], ctx.valid, lambda true: PhaseLeaf(tuple(names[k] for k in true)),
    ).run()
    if overview is None:
        raise ValueError(f"ruleset {ruleset.name}: no record satisfies the constraints")
    sections: list[Section] = []
    for k in overview.leaves():
        leaf = overview.nodes[k]
        assert isinstance(leaf, PhaseLeaf)
        rules = [k for k, r in enumerate(ruleset.rules) if r.phase is None or r.phase in leaf.phases]
        sections.append(Section(leaf.phases, tuple(_parts(ctx, rules, leaf.phases))))
    order = {p: k for k, p in enumerate(names)}
    sections.sort(key=lambda s: [order[p] for p in s.phases])
    return DecisionView(ruleset, overview, tuple(sections))


def _groups(rs: m.Ruleset, rules: list[int]) -> list[list[int]]:
    """The rules grouped so that no action (nor a declared conflict) spans two groups."""
    group = {k: k for k in rules}

    def find(k: int) -> int:
        while group[k] != k:
            group[k] = group[group[k]]
            k = group[k]
        return k

    linked: dict[str, list[int]] = {}
    for k in rules:
        for g in rs.rules[k].gives:
            for a in g.actions:
                linked.setdefault(a, []).append(k)
    for ks in linked.values():
        for k in ks[1:]:
            group[find(k)] = find(ks[0])
    # Conflicting actions stay in one part, so a contradiction shows in one leaf.
    for a, b in rs.conflict_pairs():
        if a in linked and b in linked:
            group[find(linked[b][0])] = find(linked[a][0])
    groups: dict[int, list[int]] = {}
    for k in rules:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def _parts(ctx: _Context, rules: list[int], phases: tuple[str, ...]) -> list[Part]:
    """Groups sharing no action, merged wherever one diagram reads smaller than two, each then
    drawn in the question order that gives it the fewest nodes."""
    rs = ctx.ruleset
    f = ctx.f
    when = {k: f.of(rs.rules[k].when) for k in rules}
    parts = [(ks, d) for ks in _groups(rs, rules) if (d := ctx.part(ks, phases)) is not None]
    merged = True
    while merged:
        merged = False
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                (a, da), (b, db) = parts[i], parts[j]
                if not _shares_questions(f, when, a, b):
                    continue
                both = sorted(a + b)
                d = ctx.part(both, phases)
                if d is not None and d.size < da.size + db.size - 1:
                    parts[i] = (both, d)
                    del parts[j]
                    merged = True
                    break
            if merged:
                break
    out = []
    for ks, d in sorted(parts, key=lambda p: p[0][0]):
        out.append(Part(tuple(rs.rules[k].id for k in ks), _smallest(ctx, ks, phases, d)))
    return out


def _smallest(ctx: _Context, ks: list[int], phases: tuple[str, ...], default: Diagram) -> Diagram:
    """The part's diagram under a few question orders; the smallest wins, ties to the earliest.

    Candidates: the inputs in the order the rules first test them, then the
    most-tested inputs first (both read like the rules), then the default
    order with the phase-deciding inputs first.
    """
    rs = ctx.ruleset
    seen: list[str] = []
    counts: dict[str, int] = {}
    for k in ks:
        mine = ctx.domains.inputs_of(rs.rules[k].when)
        for name in mine:
            counts[name] = counts.get(name, 0) + 1
            if name not in seen:
                seen.append(name)
    by_count = sorted(seen, key=lambda n: -counts[n])
    best = default
    for first in (tuple(seen), tuple(by_count)):
        d = _Context(rs, ctx.engine, first).part(ks, phases)
        if d is not None and d.size < best.size:
            best = d
    return best


def _shares_questions(f: Formulas, when: dict[int, int], a: list[int], b: list[int]) -> bool:
    sa = sb = 0
    for k in a:
        sa |= f.support[when[k]]
    for k in b:
        sb |= f.support[when[k]]
    return bool(sa & sb)
