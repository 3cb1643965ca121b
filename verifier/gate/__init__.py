"""The CI gate: check, the regression suite and the diff against a base revision, in one verdict."""
