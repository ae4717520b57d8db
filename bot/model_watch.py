"""Follow the model registry so a promoted (or rolled back) version is used without a restart.

The scoring worker asks :meth:`ActiveModelWatcher.current` for the analyzer before each batch.
At most every ``interval`` seconds that looks up the registry's active version; when it changed,
the new version is loaded (on the calling thread, between batches) and used from then on. No
active version means the ``fallback`` (the bundled model). A version that fails to load is
logged and skipped, keeping the analyzer in use, and not retried until the active version
changes again; so is a registry that cannot be read for a moment.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable

from analyzers.analyzer import Analyzer
from domain.errors import TeamweatherError

__all__ = ["ActiveModelWatcher", "DEFAULT_INTERVAL"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0  # seconds between registry look-ups


class ActiveModelWatcher:
    """The analyzer for the next batch: the registry's active version, or ``fallback``.

    ``load(path)`` builds an analyzer from a model directory (e.g. ``Classifier.load``);
    ``clock`` (monotonic seconds) is injectable for tests. Not thread-safe: one worker calls it.
    """

    def __init__(
        self,
        db_path: str | Path,
        load: Callable[[str], Analyzer],
        fallback: Analyzer,
        *,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db_path = db_path
        self.load = load
        self.fallback = fallback
        self.interval = interval
        self.clock = clock
        self._analyzer: Analyzer = fallback
        self._seen: str | None = None  # the registry's active version last acted on
        self._in_use: str | None = None  # the registry version of _analyzer (None: fallback)
        self._checked_at: float | None = None

    @property
    def active_version(self) -> str | None:
        """The registry version in use, or None while the fallback runs."""
        return self._in_use

    def _lookup(self) -> tuple[str, str] | None:
        from storage import connect
        from storage import models as registry

        db = connect(self.db_path)
        try:
            entry = registry.active(db)
        finally:
            db.close()
        return None if entry is None else (entry.version, entry.path)

    def current(self) -> Analyzer:
        """The analyzer to use now, reloading first if the active version changed."""
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.interval:
            return self._analyzer
        self._checked_at = now
        try:
            found = self._lookup()
        except (sqlite3.Error, OSError) as exc:
            log.warning("model registry unreadable, keeping %s: %s", self._analyzer.version, exc)
            return self._analyzer
        version = None if found is None else found[0]
        if version == self._seen:
            return self._analyzer
        self._seen = version
        if found is None:
            log.info("no active model version: using %s %s", self.fallback.name, self.fallback.version)
            self._analyzer, self._in_use = self.fallback, None
            return self._analyzer
        try:
            loaded = self.load(found[1])
        except (TeamweatherError, OSError, ValueError, RuntimeError) as exc:
            log.error("model version %s (%s) failed to load, keeping %s: %s",
                      version, found[1], self._analyzer.version, exc)
            return self._analyzer
        log.info("switched to model version %s (was %s)", loaded.version, self._analyzer.version)
        self._analyzer, self._in_use = loaded, version
        return self._analyzer
