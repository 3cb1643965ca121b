"""The self-contained HTML review report."""
