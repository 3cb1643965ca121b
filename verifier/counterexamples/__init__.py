"""Counterexamples made reusable: what the failing formula reads, derived values, gap regions, files."""
