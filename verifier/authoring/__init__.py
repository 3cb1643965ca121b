"""Authoring tools: the skeleton of a new rulesets project (`ruleproof init`)."""
