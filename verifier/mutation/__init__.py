"""Mutation analysis: mutant operators, kill analysis and baseline suites."""
