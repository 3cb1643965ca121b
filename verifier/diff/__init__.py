"""Semantic and structural diff of two versions of a ruleset."""
