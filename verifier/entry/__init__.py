"""The console entry point, kept free of imports so Ctrl-C is handled from the start.

The ``ruleproof`` script runs ``main`` here: it installs the interrupt handler
first, then imports the command (click, the rule language, Lark), so that a
Ctrl-C during start-up ends like any other interrupt: one line, exit 130,
never a Python traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

# 128 + SIGINT, what shells report for an interrupted command (ExitCode.INTERRUPTED,
# restated here because this module must import nothing of ours before the handler is in).
INTERRUPTED_EXIT = 130


class Interrupted(BaseException):
    """Ctrl-C in the command. A BaseException, and not a KeyboardInterrupt: click turns the latter
    into "Aborted!" with exit 1, and no `except Exception` may mistake it for a failure to report."""


def _on_sigint(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the way out
    raise Interrupted()


def install_interrupt_handler() -> None:
    signal.signal(signal.SIGINT, _on_sigint)


def exit_interrupted() -> None:
    """One line on stderr, exit 130: an interrupted run gives no verdict."""
    try:
        sys.stderr.write("ruleproof: interrupted\n")
        sys.stderr.flush()
    finally:
        os._exit(INTERRUPTED_EXIT)  # no atexit work, no half-written buffers from an interrupted run


def main() -> None:
    try:  # the handler is installed inside: a Ctrl-C just before is a KeyboardInterrupt, caught too
        install_interrupt_handler()
        from verifier.cli import main as cli_main
    except (Interrupted, KeyboardInterrupt):
        exit_interrupted()
    cli_main()
