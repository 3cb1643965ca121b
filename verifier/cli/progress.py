"""A progress line on stderr for long runs (`cases`, `mutate`, `check` on large rulesets).

Shown only when stderr is a terminal (and ``RULEPROOF_NO_PROGRESS`` is not
set): a pipe, a file or a CI log gets exactly the output it got before, so
reports stay byte-identical. The line is redrawn in place (carriage return,
erase to end of line) at most every ``INTERVAL`` seconds, with the elapsed
time ticking even while one long solver query runs, and is erased when the
work ends, so the results print on a clean line.

The library reports progress through plain callbacks (``step(what)``,
``count(done, total, what)``); it never imports this module.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

INTERVAL = 0.2


def wanted(stream: TextIO) -> bool:
    """Whether a progress line belongs on ``stream``: an interactive terminal only."""
    if os.environ.get("RULEPROOF_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """``with Progress("ruleproof cases") as p: ... p.step("boundaries") ... p.count(3, 40, "P3")``."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None,
                 clock=time.monotonic) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self._clock = clock
        self._start = clock()
        self._what = ""
        self._done: int | None = None
        self._total: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_draw = float("-inf")

    # -- what the library calls

    def step(self, what: str) -> None:
        """A new stage of the work, without a count."""
        with self._lock:
            self._what, self._done, self._total = what, None, None
        self._draw(force=True)

    def count(self, done: int, total: int, what: str = "") -> None:
        """``done`` of ``total`` items finished; ``what`` names the current one."""
        with self._lock:
            self._done, self._total, self._what = done, total, what
        self._draw()

    # -- drawing

    def line(self) -> str:
        """The text of the progress line as it stands."""
        with self._lock:
            parts = [f"{self.label}:"]
            if self._total:
                parts.append(f"{self._done}/{self._total} ({100 * (self._done or 0) // self._total}%)")
            if self._what:
                parts.append(self._what)
            parts.append(f"{self._clock() - self._start:.0f}s")
        return " ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if not force and now - self._last_draw < INTERVAL:
            return
        self._last_draw = now
        text = self.line()
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            width = 0
        width = width or 100  # a terminal that does not know its width says 0
        self.stream.write("\r\x1b[K" + text[: max(10, width - 1)])
        self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._draw(force=True)

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._draw(force=True)
            self._thread = threading.Thread(target=self._tick, name="ruleproof-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.enabled:
            self.stream.write("\r\x1b[K")  # leave a clean line for what follows
            self.stream.flush()
