"""Graphviz drawings of a ruleset: rules view and decision diagrams."""
