"""Counters of what the edges refused, dropped or could not store, reported by ``/healthz``."""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Callable


class Metrics:
    """Named counters, safe to bump from the event loop and from worker threads."""

    def __init__(self) -> None:
        self._counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name``."""
        with self._lock:
            self._counts[name] += n

    def snapshot(self) -> dict[str, int]:
        """The counters so far, by name."""
        with self._lock:
            return dict(sorted(self._counts.items()))


class LogSummary:
    """At most one log line per ``interval`` about a kind of refused input: counts by reason,
    never content, so no stream of bad requests can make the log grow by more."""

    def __init__(
        self, logger: logging.Logger, what: str, interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.interval = interval
        self.clock = clock
        self._pending: collections.Counter[str] = collections.Counter()
        self._last = float("-inf")
        self._lock = threading.Lock()

    def note(self, reason: str) -> None:
        """Count one occurrence; log the counts so far if the last line is old enough."""
        with self._lock:
            self._pending[reason[:120]] += 1
            now = self.clock()
            if now - self._last < self.interval:
                return
            counts = ", ".join(f"{n} × {why}" for why, n in sorted(self._pending.items()))
            self._pending.clear()
            self._last = now
        self.logger.warning("%s: %s (next summary in %.0f s at most)", self.what, counts, self.interval)
