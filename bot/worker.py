"""The scoring worker: drains the inbox in batches, classifies, and writes scores."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sqlite_utils

from analyzers.analyzer import Analysis, Analyzer
from storage import audit, connect, events, inbox, scores

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a message that fails this often on its own is dropped (and audited)
HOUSEKEEPING_SECONDS = 3600.0


@dataclass(frozen=True)
class BatchPolicy:
    """Score when ``size`` messages wait, or when the oldest has waited ``max_wait`` seconds."""

    size: int = 64
    max_wait: float = 0.25


def score_batch(db: sqlite_utils.Database, analyzer: Analyzer, items: list[inbox.InboxItem]) -> int:
    """Classify ``items`` and, in one transaction, write their scores and remove them.

    An item edited or deleted while it was being classified is left alone (its newer
    revision is scored next time; a deleted one is gone). Returns the number of scores
    written. Raises whatever the analyzer raises, leaving the inbox untouched.
    """
    results = analyzer.analyze([item.text for item in items])
    if len(results) != len(items):
        raise RuntimeError(f"{analyzer.name} returned {len(results)} results for {len(items)} texts")
    written = 0
    with db.conn:
        for item, result in zip(items, results):
            if inbox.take(db, item):
                scores.save(db, _score(item, result, analyzer))
                written += 1
    return written


def _score(item: inbox.InboxItem, result: Analysis, analyzer: Analyzer) -> scores.Score:
    neg, neu, pos = result.sentiment_probs
    return scores.Score(
        message_key=item.message_key,
        workspace=item.workspace,
        channel=item.channel,
        author=item.author,
        day=item.day,
        sentiment=result.sentiment,
        p_negative=neg,
        p_neutral=neu,
        p_positive=pos,
        stress=result.stress,
        analyzer=analyzer.name,
        analyzer_version=analyzer.version,
    )


class ScoringWorker:
    """Scores inbox messages on a background thread with its own database connection.

    ``notify()`` (called by the core on every enqueue) wakes it; it also polls, so messages
    written by another process, or left by a crash, are scored too.
    """

    def __init__(
        self,
        db_path: str | Path,
        analyzer: Analyzer,
        policy: BatchPolicy = BatchPolicy(),
        *,
        poll_interval: float = 1.0,
        clock: Callable[[], float] = time.time,
        analyzer_source: Callable[[], Analyzer] | None = None,
    ) -> None:
        self.db_path = db_path
        self.analyzer = analyzer
        self.analyzer_source = analyzer_source  # asked before each batch: a promoted model
        # takes over between batches, without a restart
        self.policy = policy
        self.poll_interval = poll_interval
        self.clock = clock
        self.last_beat = 0.0
        self.scored = 0
        self._last_housekeeping = float("-inf")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        """Tell the worker a message arrived."""
        self._wake.set()

    def run_once(self, db: sqlite_utils.Database, *, wait: bool = True) -> int:
        """Score at most one batch; returns the number of scores written.

        With ``wait``, a partial batch is held until its oldest message is ``max_wait`` old.
        """
        items = inbox.oldest(db, self.policy.size)
        if not items:
            return 0
        if wait and len(items) < self.policy.size:
            due = items[0].enqueued_at + self.policy.max_wait
            if self.clock() < due:
                return 0
        if self.analyzer_source is not None:
            self.analyzer = self.analyzer_source()
        try:
            written = score_batch(db, self.analyzer, items)
        except Exception:
            log.exception("scoring a batch of %d failed; retrying one by one", len(items))
            written = self._score_singly(db, items)
        self.scored += written
        return written

    def housekeeping(self, db: sqlite_utils.Database) -> None:
        """Hourly: forget platform event ids old enough that no retry can still come."""
        now = self.clock()
        if now - self._last_housekeeping >= HOUSEKEEPING_SECONDS:
            with db.conn:
                events.forget_old(db, now)
            self._last_housekeeping = now

    def drain(self, db: sqlite_utils.Database) -> int:
        """Score everything waiting, without holding partial batches back."""
        total = 0
        while inbox.depth(db):
            total += self.run_once(db, wait=False)
        return total

    def _score_singly(self, db: sqlite_utils.Database, items: list[inbox.InboxItem]) -> int:
        written = 0
        for item in items:
            try:
                written += score_batch(db, self.analyzer, [item])
            except Exception:
                with db.conn:
                    inbox.count_failure(db, item)
                    if item.attempts + 1 >= MAX_ATTEMPTS and inbox.take(db, item):
                        audit.record(db, "message_unscorable", subject=self.analyzer.name)
                        log.error("dropped a message that failed scoring %d times", MAX_ATTEMPTS)
        return written

    # -- background thread -----------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread."""
        self._stop.clear()
        self.last_beat = time.monotonic()  # healthy from the start, not only after the first beat
        self._thread = threading.Thread(target=self._loop, name="teamweather-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand and stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        db = connect(self.db_path)
        try:
            while not self._stop.is_set():
                self.last_beat = time.monotonic()
                try:
                    written = self.run_once(db)
                    self.housekeeping(db)
                except Exception:  # the database itself failed; keep the thread alive
                    log.exception("worker iteration failed")
                    written = 0
                if written:
                    continue
                self._wake.wait(self._sleep_for(db))
                self._wake.clear()
        finally:
            db.close()

    def _sleep_for(self, db: sqlite_utils.Database) -> float:
        items = inbox.oldest(db, 1)
        if not items:
            return self.poll_interval
        due = items[0].enqueued_at + self.policy.max_wait - self.clock()
        return min(self.poll_interval, max(due, 0.005))
