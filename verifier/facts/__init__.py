"""Solver-free facts read off a checked ruleset: exact values, concrete evaluation, rule conditions."""
