"""The scoring worker: drains the inbox in batches, classifies, and writes scores.

Two kinds of failure are kept apart. The analyzer failing on a message is that message's
fault: it counts as an attempt, and a message that fails ``MAX_ATTEMPTS`` times on its own is
dropped (and audited). The database refusing a write (disk full, locked, I/O error) is no
message's fault: nothing is counted or dropped, the results already computed are kept and
written as they are once storage accepts them again, and the worker backs off exponentially,
logging one line per distinct failure, while its heartbeat goes on.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import sqlite_utils

from analyzers.analyzer import Analysis, Analyzer, AnalyzerUnavailable
from storage import audit, connect, events, inbox, scores
from storage.db import checkpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a message that fails this often on its own is dropped (and audited)
HOUSEKEEPING_SECONDS = 3600.0
BACKOFF_START = 0.5  # seconds before the first retry after a failure; doubles each time
BACKOFF_CAP = 30.0
BEAT_INTERVAL = 1.0  # the heartbeat's period while backing off
STORAGE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
ERROR_TEXT_CHARS = 200


def is_storage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the database or the file system failing (not a message's fault)."""
    return isinstance(exc, STORAGE_ERRORS)


def storage_error_text(exc: BaseException) -> str:
    """A short one-line description of a storage failure, for logs and ``/healthz``."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:ERROR_TEXT_CHARS]


def backoff_delay(failures: int, start: float = BACKOFF_START, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after ``failures`` consecutive failures (1 → ``start``, doubling to ``cap``)."""
    if failures <= 0:
        return 0.0
    return min(cap, start * 2.0 ** min(failures - 1, 64))


@dataclass(frozen=True)
class BatchPolicy:
    """Score when ``size`` messages wait, or when the oldest has waited ``max_wait`` seconds."""

    size: int = 64
    max_wait: float = 0.25


@dataclass(frozen=True)
class Unscorable:
    """The analyzer failed on this one message (it counts as an attempt)."""

    analyzer: str
    reason: str


Outcome = scores.Score | Unscorable
Key = tuple[int, int]  # an inbox item's id and revision: what was classified


class Step(NamedTuple):
    """What one pass of the worker's loop did, and how long to wait before the next.

    ``written`` scores were written; ``wait`` seconds to wait (0: go on at once); with
    ``backoff`` the pass failed and the wait is a backoff that a new message does not cut
    short.
    """

    written: int
    wait: float
    backoff: bool = False


def _key(item: inbox.InboxItem) -> Key:
    return (item.id, item.revision)


def analyze(analyzer: Analyzer, items: list[inbox.InboxItem]) -> list[Analysis]:
    """Classify ``items``: one checked result per item, or whatever the analyzer raises."""
    results = analyzer.analyze([item.text for item in items])
    if len(results) != len(items):
        raise RuntimeError(f"{analyzer.name} returned {len(results)} results for {len(items)} texts")
    for result in results:
        if not all(math.isfinite(x) for x in (*result.sentiment_probs, result.stress)):
            raise ValueError(f"{analyzer.name} returned a non-finite probability")
    return results


#: Called with each score as it is written, in the same transaction, with the message's
#: pseudonymised text: it may flag the message for review (:func:`analyzers.flagging.maybe_flag`).
Flagger = Callable[[sqlite_utils.Database, scores.Score, str], object]


def write_outcomes(
    db: sqlite_utils.Database, items: list[inbox.InboxItem], outcomes: dict[Key, Outcome],
    flagger: Flagger | None = None,
) -> int:
    """In one transaction, write the scores of ``items`` and remove them from the inbox,
    and count a failed attempt on each item the analyzer failed on (dropping, and
    auditing, one that has now failed ``MAX_ATTEMPTS`` times).

    An item edited or deleted since it was read is left alone (its newer revision is scored
    next time; a deleted one is gone). Returns the number of scores written. Raises the
    database's error, with nothing written, when storage refuses the transaction.
    """
    written = 0
    with db.conn:
        for item in items:
            outcome = outcomes.get(_key(item))
            if isinstance(outcome, scores.Score):
                if inbox.take(db, item):
                    scores.save(db, outcome)
                    if flagger is not None:
                        flagger(db, outcome, item.text)
                    written += 1
            elif isinstance(outcome, Unscorable):
                if not inbox.count_failure(db, item):
                    continue  # edited or deleted meanwhile: the new revision starts afresh
                if item.attempts + 1 >= MAX_ATTEMPTS and inbox.take(db, item):
                    audit.record(db, "message_unscorable", subject=outcome.analyzer)
                    log.error("dropped a message that failed scoring %d times", MAX_ATTEMPTS)
    return written


def score_batch(db: sqlite_utils.Database, analyzer: Analyzer, items: list[inbox.InboxItem]) -> int:
    """Classify ``items`` and, in one transaction, write their scores and remove them.

    An item edited or deleted while it was being classified is left alone (its newer
    revision is scored next time; a deleted one is gone). Returns the number of scores
    written. Raises whatever the analyzer raises, leaving the inbox untouched.
    """
    results = analyze(analyzer, items)
    return write_outcomes(
        db, items, {_key(item): _score(item, result, analyzer) for item, result in zip(items, results)}
    )


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


def _wal_has_frames(db: sqlite_utils.Database) -> bool:
    """Whether the database's write-ahead log file holds anything (False in memory)."""
    for _seq, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            try:
                return os.path.getsize(f"{path}-wal") > 0
            except OSError:
                return False
    return False


class ScoringWorker:
    """Scores inbox messages on a background thread with its own database connection.

    ``notify()`` (called by the core on every enqueue) wakes it; it also polls, so messages
    written by another process, or left by a crash, are scored too.

    State for ``/healthz``, plain attributes: ``alive``, ``last_beat`` (``time.monotonic()``
    of the loop's last beat; it beats while backing off too), ``scored``, ``storage_error``
    (the current storage failure in a few words, None while writes succeed) and
    ``storage_failing_since`` (``time.monotonic()`` of the first failure in a row, or None).

    ``open_db`` opens the worker's connection (tests configure it); ``sleep`` waits up to
    the given seconds and is woken early by ``stop()`` (tests record it); ``monotonic``
    is the heartbeat's clock.
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
        open_db: Callable[[str | Path], sqlite_utils.Database] = connect,
        sleep: Callable[[float], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        backoff_start: float = BACKOFF_START,
        backoff_cap: float = BACKOFF_CAP,
        beat_interval: float = BEAT_INTERVAL,
        flagger: Flagger | None = None,
    ) -> None:
        self.db_path = db_path
        self.flagger = flagger
        self.analyzer = analyzer
        self.analyzer_source = analyzer_source  # asked before each batch: a promoted model
        # takes over between batches, without a restart
        self.policy = policy
        self.poll_interval = poll_interval
        self.clock = clock
        self.open_db = open_db
        self.monotonic = monotonic
        self.backoff_start = backoff_start
        self.backoff_cap = backoff_cap
        self.beat_interval = beat_interval
        self.last_beat = 0.0
        self.scored = 0
        self.storage_error: str | None = None
        self.storage_failing_since: float | None = None
        self.scoring_error: str | None = None  # the analyzer is unavailable (its process died)
        self.last_scored_at: float | None = None  # ``monotonic()`` when a score was last written
        self._storage_failures = 0  # storage failures in a row
        self._failures = 0  # failed passes in a row (storage or not): the backoff's exponent
        self._logged_errors: set[str] = set()  # distinct failure texts logged in this run of failures
        self._noted: BaseException | None = None  # the storage failure last noted
        # The last batch's outcomes, by inbox id and revision: a batch that storage refused
        # is written with these, not classified again.
        self._outcomes: dict[Key, Outcome] = {}
        self._checkpoint_due = False
        self._last_housekeeping = float("-inf")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sleep: Callable[[float], object] = sleep if sleep is not None else self._stop.wait
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        """Tell the worker a message arrived."""
        self._wake.set()

    def run_once(self, db: sqlite_utils.Database, *, wait: bool = True) -> int:
        """Score at most one batch; returns the number of scores written.

        With ``wait``, a partial batch is held until its oldest message is ``max_wait`` old.
        An analyzer failure counts an attempt on each message it failed on alone. A storage
        failure (``sqlite3.Error``, ``OSError``) is raised after being noted in
        ``storage_error``; it counts nothing, and the next call writes the same results
        without classifying the batch again. When this call empties the inbox, the
        write-ahead log is checkpointed (truncated).
        """
        with self._storage():
            items = inbox.oldest(db, self.policy.size)
            if not items:
                self._checkpoint_if_idle(db)
                return 0
            if wait and len(items) < self.policy.size:
                due = items[0].enqueued_at + self.policy.max_wait
                if self.clock() < due:
                    return 0
            outcomes = self._classify(items)
            written = write_outcomes(db, items, outcomes, self.flagger)
            self._outcomes = {}  # on disk now
            self.scored += written
            if written:
                self.last_scored_at = self.monotonic()
            if written and inbox.depth(db) == 0:
                self._checkpoint_due = True  # drained: the log holds the texts just scored
                self._checkpoint_if_idle(db)
            return written

    def housekeeping(self, db: sqlite_utils.Database) -> None:
        """Hourly: forget platform event ids old enough that no retry can still come."""
        now = self.clock()
        if now - self._last_housekeeping >= HOUSEKEEPING_SECONDS:
            with self._storage(), db.conn:
                events.forget_old(db, now)
            self._last_housekeeping = now

    def drain(self, db: sqlite_utils.Database) -> int:
        """Score everything waiting, without holding partial batches back.

        Raises the database's error if storage refuses a write (nothing is lost)."""
        total = 0
        while inbox.depth(db):
            total += self.run_once(db, wait=False)
        return total

    def step(self, db: sqlite_utils.Database) -> Step:
        """One pass of the background loop: a batch, housekeeping, and how long to wait.

        A pass that fails backs off exponentially (``backoff_start`` doubling to
        ``backoff_cap``; reset by a pass that succeeds) and logs one line per distinct
        failure, not a traceback per pass.
        """
        try:
            written = self.run_once(db)
            self.housekeeping(db)
            wait = 0.0 if written else self._sleep_for(db)
        except Exception as exc:  # noqa: BLE001 - the loop must outlive any failure
            self._failures += 1
            delay = backoff_delay(self._failures, self.backoff_start, self.backoff_cap)
            if is_storage_error(exc):
                if exc is not self._noted:  # failed outside run_once and housekeeping
                    self._storage_failed(exc)
            elif isinstance(exc, AnalyzerUnavailable):
                self.scoring_error = storage_error_text(exc)
                if self._first_time(self.scoring_error):
                    log.error("scoring paused, nothing is lost: %s; retrying with backoff", self.scoring_error)
            else:
                text = f"{type(exc).__name__}: {exc}"[:ERROR_TEXT_CHARS]
                if self._first_time(text):
                    log.exception("worker pass failed; retrying with backoff (now %.1f s)", delay)
            return Step(0, delay, backoff=True)
        self._failures = 0
        self._logged_errors.clear()
        if self.scoring_error is not None:
            log.warning("scoring resumed")
            self.scoring_error = None
        return Step(written, wait)

    # -- storage failures --------------------------------------------------------------------

    @contextlib.contextmanager
    def _storage(self) -> Iterator[None]:
        """Note a storage failure raised inside, or that storage worked again."""
        try:
            yield
        except STORAGE_ERRORS as exc:
            self._storage_failed(exc)
            raise
        self._storage_recovered()

    def _storage_failed(self, exc: BaseException) -> None:
        self._noted = exc
        text = storage_error_text(exc)
        self._storage_failures += 1
        if self.storage_failing_since is None:
            self.storage_failing_since = self.monotonic()
        self.storage_error = text
        if self._first_time(text):
            log.error(
                "cannot write to the database (%s): scoring paused, nothing is lost; "
                "retrying with backoff up to %.0f s", text, self.backoff_cap,
            )

    def _storage_recovered(self) -> None:
        if self._storage_failures:
            log.warning("storage writable again after %d failed attempts", self._storage_failures)
        self._storage_failures = 0
        self._noted = None
        self.storage_error = None
        self.storage_failing_since = None
        self._logged_errors.clear()

    def _first_time(self, text: str) -> bool:
        """Whether ``text`` is a failure not yet logged in this run of failures."""
        if text in self._logged_errors:
            return False
        if len(self._logged_errors) < 100:
            self._logged_errors.add(text)
        return True

    # -- classification ----------------------------------------------------------------------

    def _classify(self, items: list[inbox.InboxItem]) -> dict[Key, Outcome]:
        """Outcomes for ``items``: kept from the last call where an item is unchanged since,
        from the analyzer otherwise (as a batch, then one by one if the batch fails)."""
        outcomes = {_key(i): self._outcomes[_key(i)] for i in items if _key(i) in self._outcomes}
        todo = [item for item in items if _key(item) not in outcomes]
        if todo:
            if self.analyzer_source is not None:
                self.analyzer = self.analyzer_source()
            analyzer = self.analyzer
            try:
                results = analyze(analyzer, todo)
                outcomes.update({_key(i): _score(i, r, analyzer) for i, r in zip(todo, results)})
            except AnalyzerUnavailable:
                raise  # no message's fault: the pass backs off and the batch is tried again
            except Exception:  # noqa: BLE001 - an analyzer failure is the batch's, then a message's
                log.exception("scoring a batch of %d failed; retrying one by one", len(todo))
                for item in todo:
                    try:
                        [result] = analyze(analyzer, [item])
                        outcomes[_key(item)] = _score(item, result, analyzer)
                    except AnalyzerUnavailable:
                        raise
                    except Exception as exc:  # noqa: BLE001
                        outcomes[_key(item)] = Unscorable(analyzer.name, type(exc).__name__)
        self._outcomes = outcomes  # until written: a storage failure must not cost a re-run
        return outcomes

    # -- checkpoints -------------------------------------------------------------------------

    def _checkpoint_if_idle(self, db: sqlite_utils.Database) -> None:
        """The inbox is empty: truncate the write-ahead log if the worker has just drained
        the inbox, or anything (an erasure whose own checkpoint was busy) was written since
        the last checkpoint. A busy database is tried again on the next idle pass."""
        if self._checkpoint_due or _wal_has_frames(db):
            self._checkpoint_due = not checkpoint(db)

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
        """Whether the background thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        db = self.open_db(self.db_path)
        try:
            while not self._stop.is_set():
                self.last_beat = self.monotonic()
                step = self.step(db)
                if step.backoff:
                    self._back_off(step.wait)
                elif step.wait > 0:
                    self._wake.wait(step.wait)
                    self._wake.clear()
        finally:
            db.close()

    def _back_off(self, seconds: float) -> None:
        """Wait ``seconds`` (a new message does not cut it short, ``stop()`` does), beating
        the heartbeat every ``beat_interval``: a worker waiting for storage is alive."""
        deadline = self.monotonic() + seconds
        while not self._stop.is_set():
            now = self.monotonic()
            self.last_beat = now
            left = deadline - now
            if left <= 0:
                return
            self._sleep(min(left, self.beat_interval))

    def _sleep_for(self, db: sqlite_utils.Database) -> float:
        items = inbox.oldest(db, 1)
        if not items:
            return self.poll_interval
        due = items[0].enqueued_at + self.policy.max_wait - self.clock()
        return min(self.poll_interval, max(due, 0.005))
