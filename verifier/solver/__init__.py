"""The Z3 encoding of a checked ruleset, the incremental session that queries it, and replay of models through the engine."""
