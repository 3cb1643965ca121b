"""Region proposals from the box reading of two decision tables.

Growing a region input by input (``RegionFinder.grow``) costs about a hundred
solver queries, and at table scale every query carries the joint encoding of
both whole tables. When both versions are read exactly as boxes
(``verifier.facts.boxrules``), a good region around a seed can be *proposed*
without the solver: the largest box found greedily in which neither table's
set of matching boxes changes. Every rule's firing is a function of that set,
so every record of such a box gets the seed's outcome from both versions.

Such a box needs no solver query to be proved: the box algebra shows that
every box of either table meeting it holds all of it and contains the seed,
so every record of it is in exactly the seed's boxes. The reading of rules as
boxes is exact (``BoxModel.of`` refuses anything else, and its differential
tests hold it against Z3), a rule's firing is a function of those boxes, and
an action's outcome a function of the rules firing; so every *valid* record
of the box shows the seed's change, which is what the solver would prove. When
the check fails (or either table is not box-readable), the caller grows the
region with the solver as before.

The proposal, per seed:

1. intersect the boxes of both tables that contain the seed;
2. for each box still meeting the region but not containing the seed, cut it
   away on one input where it misses the seed's value, choosing the input
   whose cut loses the smallest share of the region's extent there (ties:
   the first input), so the seed always stays inside;
3. check the proof above on the result;
4. read the result as whole pieces of the finder's grid (``Allowed``); a
   piece only partly inside is left out, which only narrows the box.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Mapping

from verifier.diff.regions import Allowed, Box, RegionFinder
from verifier.facts import boxrules as br
from verifier.facts.boxrules import BoxModel
from verifier.facts.values import Value


class BoxProposer:
    """Proposes constant-hits regions for seeds of one joint encoding; build with ``of``."""

    def __init__(self, finder: RegionFinder, models: tuple[BoxModel, BoxModel]) -> None:
        self.finder = finder
        self.models = models
        self.ints = models[0].ints
        self.full: br.Box = br._meet(models[0].full, models[1].full)
        self.proposed = 0

    @staticmethod
    def of(finder: RegionFinder) -> "BoxProposer | None":
        """A proposer when both versions are box-readable over the same inputs; None otherwise."""
        joint = finder.joint
        names = [inp.name for inp in joint.inputs]
        for inp in joint.inputs:
            if inp.old is None or inp.new is None or type(inp.old.type) is not type(inp.new.type):
                return None
        if [i.name for i in joint.old.inputs] != names or [i.name for i in joint.new.inputs] != names:
            return None
        old, new = BoxModel.of(joint.old), BoxModel.of(joint.new)
        if old is None or new is None:
            return None
        for inp, cell_old, cell_new in zip(joint.inputs, old.full, new.full):
            # An enum whose values differ between versions is read through an index map
            # in the joint encoding; keep such pairs on the solver path.
            if isinstance(cell_old, frozenset) and cell_old != cell_new:
                return None
        return BoxProposer(finder, (old, new))

    def _point(self, seed: Mapping[str, Value]) -> tuple[Any, ...]:
        out: list[Any] = []
        for inp, cell in zip(self.finder.joint.inputs, self.full):
            v = seed[inp.name]
            out.append(v if isinstance(cell, frozenset) else Fraction(v))  # type: ignore[arg-type]
        return tuple(out)

    def same(self, action: str) -> Callable[[Mapping[str, Value], Mapping[str, Value]], bool]:
        """An exact test that record ``b`` shows the change of ``action`` that record ``a`` shows.

        True when ``b`` is valid under both versions (inside both domains: the
        constraints are boxes) and fires, in each version, the same rules giving
        the action as ``a``: the outcome is a function of those rules.
        """
        giving = tuple(frozenset(r.id for r in bm.ruleset.rules if any(action in g.actions for g in r.gives))
                       for bm in self.models)

        def signature(values: Mapping[str, Value]) -> tuple[frozenset[str], ...] | None:
            point = self._point(values)
            box = self._point_box(point)
            if any(not br._meets(box, bm.domain) for bm in self.models):
                return None
            return tuple(frozenset(bm.fired(bm.hits(point))) & g for bm, g in zip(self.models, giving))

        def same(a: Mapping[str, Value], b: Mapping[str, Value]) -> bool:
            sb = signature(b)
            return sb is not None and sb == signature(a)

        return same

    def nonempty(self, box: Box) -> bool:
        """Whether a record valid under both versions lies in ``box`` (exact: boxes meet)."""
        region = self._norm(br._meet(br._meet(self._key_box(box), self.models[0].domain), self.models[1].domain))
        return not br._is_empty(region)

    def _point_box(self, point: tuple[Any, ...]) -> br.Box:
        return tuple(frozenset((v,)) if isinstance(c, frozenset) else (br._key(v, 0), br._key(v, 0))
                     for v, c in zip(point, self.full))

    def _key_box(self, box: Box) -> br.Box:
        """A box of the finder's grid in the box reading's terms."""
        out: list[br.Cell] = []
        for inp, a, cell in zip(self.finder.joint.inputs, box, self.full):
            if isinstance(cell, frozenset):
                out.append(frozenset(a.values))
            elif a.point is not None:
                out.append((br._key(a.point, 0), br._key(a.point, 0)))
            else:
                ps = self.finder.pieces[inp.name]
                lo, hi = ps[a.first], ps[a.last]
                out.append((br._key(lo.lo, 0 if lo.is_point else 1), br._key(hi.hi, 0 if hi.is_point else -1)))
        return tuple(out)

    def same_validity(self) -> bool:
        """Whether both versions accept exactly the same records (exact: their domains,
        the declared ranges cut by the constraints, all boxes, are the same box)."""
        return self._norm(self.models[0].domain) == self._norm(self.models[1].domain)

    def witnesses(self, changed: Callable[[dict[str, Value]], set[str]], wanted: set[str]) -> dict[str, dict[str, Value]]:
        """A record showing a change, per action of ``wanted``, found without the solver where the tables differ.

        Candidates are points of each box one table has and the other lacks, met
        with each box of the other table (and with the domains); ``changed(record)``
        (the engines) names the actions whose outcome differs there. An action
        without a witness is left to the solver.
        """
        out: dict[str, dict[str, Value]] = {}
        domain = br._meet(self.models[0].domain, self.models[1].domain)
        for mine, other in ((self.models[1], self.models[0]), (self.models[0], self.models[1])):
            theirs = set(other.boxes)
            for b in mine.boxes:
                if b in theirs:
                    continue
                region = self._norm(br._meet(b, domain))
                if br._is_empty(region):
                    continue
                for k in br._bits(other.meeting(region)):
                    for part in (self._norm(br._meet(region, other.boxes[k])),
                                 *br._minus(other.boxes[k], region, self.ints)):
                        part = self._norm(br._meet(part, domain))
                        point = br._a_point(part)
                        if point is None:
                            continue
                        values = self._values(point)
                        for action in sorted(changed(values) & (wanted - out.keys())):
                            out[action] = values
                        if out.keys() >= wanted:
                            return out
        return out

    def _values(self, point: tuple[Any, ...]) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for inp, v, is_int in zip(self.finder.joint.inputs, point, self.ints):
            out[inp.name] = int(v) if is_int else v
        return out

    def fired(self, side: str, seed: Mapping[str, Value]) -> set[str]:
        """The rules of one version (``old``/``new``) firing at ``seed``, read from boxes."""
        bm = self.models[0 if side == "old" else 1]
        return set(bm.fired(bm.hits(self._point(seed))))

    def propose(self, seed: dict[str, Value]) -> Box | None:
        """A box of the finder's grid around ``seed`` where both tables' matching boxes stay the same."""
        point = self._point(seed)
        region = self.full
        hits = [bm.hits(point) for bm in self.models]
        for bm, h in zip(self.models, hits):
            for k in br._bits(h):
                region = br._meet(region, bm.boxes[k])
        region = self._norm(region)
        if br._is_empty(region):
            return None  # the seed lies outside a declared range: leave it to the solver
        for bm, h in zip(self.models, hits):
            for k in br._bits(bm.meeting(region) & ~h):
                b = bm.boxes[k]
                if not br._meets(region, b):
                    continue  # an earlier cut already removed it
                cut = self._cut(region, b, point)
                if cut is None:
                    return None
                region = cut
        # The proof: every box of either table that meets the region holds all of it
        # and is one the seed is in. Then each record of the region is in exactly the
        # seed's boxes, so fires the seed's rules in both versions (the reading is
        # exact), and every valid one gets the seed's outcomes.
        for bm, h in zip(self.models, hits):
            meet = bm.meeting(region)
            if meet != h or any(not br._inside(region, bm.boxes[k]) for k in br._bits(meet)):
                return None
        box = self._allowed(region, seed)
        if box is not None:
            self.proposed += 1
        return box

    def _norm(self, region: br.Box) -> br.Box:
        return tuple(br._int_cell(c) if is_int and not isinstance(c, frozenset) else c  # type: ignore[arg-type]
                     for c, is_int in zip(region, self.ints))

    def _cut(self, region: br.Box, b: br.Box, point: tuple[Any, ...]) -> br.Box | None:
        """``region`` narrowed on one input so that it misses ``b`` and still holds ``point``."""
        best: tuple[float, int, br.Cell] | None = None
        for c, (x, y, v) in enumerate(zip(region, b, point)):
            if isinstance(x, frozenset):
                if v in y:  # type: ignore[operator]
                    continue
                lost = len(x & y) / len(x)  # type: ignore[operator]
                cell: br.Cell = x - y  # type: ignore[operator]
            else:
                (lo, hi), (blo, bhi) = x, y  # type: ignore[misc]
                key = br._key(v, 0)
                if blo <= key <= bhi:
                    continue
                width = hi[0] - lo[0]
                if bhi < key:
                    cell = (br._after(bhi), hi)
                    lost = (bhi[0] - lo[0]) / width if width > 0 else 1.0
                else:
                    cell = (lo, br._before(blo))
                    lost = (hi[0] - blo[0]) / width if width > 0 else 1.0
                if self.ints[c]:
                    cell = br._int_cell(cell)  # type: ignore[arg-type]
            if best is None or lost < best[0]:
                best = (lost, c, cell)
        if best is None:
            return None  # b holds the point after all: the reading is not what we thought
        _, c, cell = best
        return region[:c] + (cell,) + region[c + 1:]

    def _allowed(self, region: br.Box, seed: dict[str, Value]) -> Box | None:
        """The region as whole pieces of the finder's grid; None when the seed's piece is not inside."""
        finder = self.finder
        out: list[Allowed] = []
        for c, (inp, cell) in enumerate(zip(finder.joint.inputs, region)):
            if isinstance(cell, frozenset):
                order = (False, True) if inp.kind == "bool" else inp.values
                out.append(Allowed(values=tuple(v for v in order if v in cell)))
                continue
            ps = finder.pieces[inp.name]
            at = finder._piece_index(inp, Fraction(seed[inp.name]))  # type: ignore[arg-type]

            def inside(k: int) -> bool:
                p = ps[k]
                pc = (br._key(p.lo, 0), br._key(p.hi, 0)) if p.is_point else (br._key(p.lo, 1), br._key(p.hi, -1))
                if self.ints[c]:
                    pc = br._int_cell(pc)
                return cell[0] <= pc[0] and pc[1] <= cell[1]  # type: ignore[index]

            if not inside(at):
                return None
            first = last = at
            while first > 0 and inside(first - 1):
                first -= 1
            while last + 1 < len(ps) and inside(last + 1):
                last += 1
            out.append(Allowed(first=first, last=last))
        return tuple(out)
