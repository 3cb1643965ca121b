"""The Z3 encoding of a checked ruleset, the incremental session that queries it, and replay of models through the engine."""

# Seconds one solver query may take unless the user says otherwise (every command).
# Here, not in encoding.py, so that option parsing can name it without loading Z3.
DEFAULT_TIMEOUT_S = 10.0
