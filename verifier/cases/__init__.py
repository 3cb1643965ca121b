"""Regression cases: witnesses, MC/DC pairs, boundaries, the case files and the Hypothesis strategies."""
