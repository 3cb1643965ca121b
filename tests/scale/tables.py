"""Small synthetic decision tables as checked rulesets, for the table-scale tests."""

from __future__ import annotations

from functools import lru_cache

from dsl import check_text
from dsl.model import Ruleset
from verifier.dmn.reader import read_dmn
from verifier.dmn.synthetic import synthetic_dmn
from verifier.dmn.translate import translate


@lru_cache(maxsize=None)
def table_text(rows: int, columns: int, perturb: float = 0.1, seed: int = 1) -> str:
    return translate(read_dmn(synthetic_dmn(rows, columns, perturb=perturb, seed=seed).encode(), "t.dmn")).text


def table(rows: int, columns: int, perturb: float = 0.1, seed: int = 1, path: str = "t.rules") -> Ruleset:
    rs, _ = check_text(table_text(rows, columns, perturb, seed), path)
    return rs
