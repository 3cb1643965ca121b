"""The checks of `ruleproof check`: coverage, conflicts, dead rules, properties; their results and output formats."""
