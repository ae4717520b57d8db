"""The scoring worker: batching, one transaction per batch, edits and deletes in flight."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable, Sequence

import pytest
import sqlite_utils

from analyzers.analyzer import Analysis
from analyzers.lexicon import LexiconAnalyzer
from bot.worker import BACKOFF_CAP, MAX_ATTEMPTS, BatchPolicy, ScoringWorker, backoff_delay
from storage import audit, connect, inbox, scores


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ScriptedAnalyzer:
    """Neutral results; runs ``during`` while "classifying"; fails on texts in ``poison``."""

    name = "scripted"
    version = "1"

    def __init__(self, during: Callable[[], object] = lambda: None, poison: frozenset[str] = frozenset()) -> None:
        self.during = during
        self.poison = poison
        self.batches: list[int] = []
        self.texts: list[str] = []

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        self.batches.append(len(texts))
        self.texts.extend(texts)
        self.during()
        if self.poison & set(texts):
            raise ValueError("cannot score this")
        return [Analysis("neutral", (0.2, 0.6, 0.2), 0.1) for _ in texts]


def put(db: sqlite_utils.Database, n: int, now: float = 1000.0, text: str = "hello",
        prefix: str = "k") -> None:
    with db.conn:
        for i in range(n):
            inbox.put(db, message_key=f"{prefix}{i}", workspace="T", channel="C", author="a",
                      day="2026-11-23", text=f"{text} {i}" if text == "hello" else text, now=now)


def test_full_batch_is_scored_at_once_in_batches_of_size(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 70)
    analyzer = ScriptedAnalyzer()
    worker = ScoringWorker(tmp_path / "teamweather.db", analyzer, BatchPolicy(64, 0.25), clock=FakeClock(1000.0))
    assert worker.run_once(db) == 64
    assert worker.run_once(db) == 0  # 6 left: a partial batch waits for max_wait
    worker.clock.now = 1000.3  # type: ignore[attr-defined]
    assert worker.run_once(db) == 6
    assert analyzer.batches == [64, 6]
    assert inbox.depth(db) == 0 and scores.count(db) == 70


def test_scores_record_analyzer_and_carry_no_text(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 1, text="we shipped it, great work")
    ScoringWorker(tmp_path / "teamweather.db", LexiconAnalyzer()).drain(db)
    [row] = db["scores"].rows
    analyzer = LexiconAnalyzer()
    assert row["analyzer"] == analyzer.name and row["analyzer_version"] == analyzer.version
    assert row["sentiment"] == "positive"
    assert "great" not in " ".join(str(v) for v in row.values())


def test_edit_during_classification_is_not_overwritten(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 1)
    def edit() -> None:
        inbox.put(db, message_key="k0", workspace="T", channel="C", author="a", day="2026-11-23", text="edited")
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(during=edit))
    assert worker.run_once(db, wait=False) == 0
    [pending] = inbox.oldest(db, 1)
    assert pending.text == "edited" and pending.revision == 2
    worker.analyzer = ScriptedAnalyzer()
    assert worker.run_once(db, wait=False) == 1


def test_delete_during_classification_writes_no_score(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 1)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(during=lambda: inbox.discard(db, "k0")))
    assert worker.run_once(db, wait=False) == 0
    assert scores.count(db) == 0 and inbox.depth(db) == 0


def test_poison_message_is_dropped_after_retries_others_scored(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 3)
    inbox.put(db, message_key="bad", workspace="T", channel="C", author="a", day="2026-11-23", text="POISON", now=1000.0)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(poison=frozenset({"POISON"})))
    assert worker.run_once(db, wait=False) == 3
    for _ in range(MAX_ATTEMPTS - 1):
        assert inbox.depth(db) == 1
        worker.run_once(db, wait=False)
    assert inbox.depth(db) == 0 and scores.count(db) == 3
    assert len(audit.entries(db, "message_unscorable")) == 1


def test_inbox_left_by_a_crashed_process_is_drained_on_restart(tmp_path: Path) -> None:
    first = connect(tmp_path / "teamweather.db")
    put(first, 5)
    first.close()  # the process "dies" after acking, before scoring
    worker = ScoringWorker(tmp_path / "teamweather.db", LexiconAnalyzer(), BatchPolicy(64, 0.01))
    worker.start()
    reader = connect(tmp_path / "teamweather.db")
    deadline = time.monotonic() + 10
    while scores.count(reader) < 5:
        assert time.monotonic() < deadline, "worker did not drain the inbox"
        time.sleep(0.01)
    worker.stop()
    assert not worker.alive and inbox.depth(reader) == 0


def test_notify_wakes_the_thread(tmp_path: Path, db: sqlite_utils.Database) -> None:
    worker = ScoringWorker(tmp_path / "teamweather.db", LexiconAnalyzer(), BatchPolicy(1, 0.0), poll_interval=60)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while worker.last_beat == 0.0:
            time.sleep(0.01)
        put(db, 1)
        worker.notify()
        while scores.count(db) < 1:  # with a 60 s poll interval, only notify() can do this
            assert time.monotonic() < deadline, "notify did not wake the worker"
            time.sleep(0.01)
    finally:
        worker.stop()


def test_housekeeping_forgets_old_event_ids_hourly(tmp_path: Path, db: sqlite_utils.Database) -> None:
    from storage import events

    clock = FakeClock(100_000.0)
    with db.conn:
        events.first_sighting(db, "EvOld", now=clock.now - events.KEEP_SECONDS - 1)
        events.first_sighting(db, "EvNew", now=clock.now - 60)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(), clock=clock)
    worker.housekeeping(db)
    assert [r["event_id"] for r in db["seen_events"].rows] == ["EvNew"]
    with db.conn:
        events.first_sighting(db, "EvOld2", now=0.0)
    clock.now += 60  # within the hour: nothing to do yet
    worker.housekeeping(db)
    assert db["seen_events"].count == 2
    clock.now += 3600
    worker.housekeeping(db)
    assert db["seen_events"].count == 1


def test_worker_reports_a_fresh_heartbeat_before_its_thread_first_runs(tmp_path: Path) -> None:
    import threading

    from bot.health import InboxState, health_report

    release = threading.Event()
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer())
    worker._loop = release.wait  # type: ignore[method-assign,assignment]  # a thread that has not beaten yet
    worker.start()
    try:
        assert health_report(InboxState(0, None), worker)["ok"] is True
    finally:
        release.set()
        worker.stop()


def test_the_analyzer_source_is_asked_between_batches(tmp_path: Path, db: sqlite_utils.Database) -> None:
    class Named(ScriptedAnalyzer):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    current = [Named("champion")]
    worker = ScoringWorker(tmp_path / "teamweather.db", Named("fallback"), BatchPolicy(2, 0.25),
                           clock=FakeClock(), analyzer_source=lambda: current[0])
    put(db, 4)
    assert worker.run_once(db) == 2
    current[0] = Named("promoted")  # promoted while the bot runs
    assert worker.run_once(db) == 2
    names = [row[0] for row in db.execute("SELECT analyzer FROM scores ORDER BY rowid")]
    assert names == ["champion", "champion", "promoted", "promoted"]


# -- storage failures: a full or locked database is no message's fault ----------------------

NO_PAGE_LIMIT = 1_073_741_823


def fill_up(db: sqlite_utils.Database) -> None:
    """Let this connection grow the database by one page at most: past that, SQLite answers
    "database or disk is full", as on a full disk (the limit is per connection)."""
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count={pages + 1}")


def make_room(db: sqlite_utils.Database) -> None:
    db.execute(f"PRAGMA max_page_count={NO_PAGE_LIMIT}")


def attempts(db: sqlite_utils.Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT attempts FROM inbox ORDER BY id")]


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another connection that holds the write lock until it rolls back."""
    locker = sqlite3.connect(str(path), isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    return locker


class FakeMonotonic:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_full_database_counts_no_attempt_drops_nothing_and_classifies_once(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    put(db, 80)
    analyzer = ScriptedAnalyzer()
    worker = ScoringWorker(tmp_path / "teamweather.db", analyzer, BatchPolicy(100, 0.25), clock=FakeClock())
    fill_up(db)
    for _ in range(2 * MAX_ATTEMPTS):
        with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
            worker.run_once(db, wait=False)
        assert attempts(db) == [0] * 80 and scores.count(db) == 0
    assert worker.storage_error == "database or disk is full"
    assert worker.storage_failing_since is not None
    assert analyzer.batches == [80]  # classified once, not once per retry
    assert audit.entries(db, "message_unscorable") == []
    make_room(db)
    assert worker.run_once(db, wait=False) == 80
    assert analyzer.batches == [80]
    assert sorted(analyzer.texts) == sorted(f"hello {i}" for i in range(80))  # each exactly once
    assert scores.count(db) == 80 and inbox.depth(db) == 0 and worker.scored == 80
    assert worker.storage_error is None and worker.storage_failing_since is None


def test_a_full_database_keeps_an_analyzer_failure_uncounted_until_it_is_written(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    put(db, 80)
    put(db, 1, text="POISON", prefix="bad")
    analyzer = ScriptedAnalyzer(poison=frozenset({"POISON"}))
    worker = ScoringWorker(tmp_path / "teamweather.db", analyzer, BatchPolicy(100, 0.25))
    fill_up(db)
    for _ in range(2 * MAX_ATTEMPTS):
        with pytest.raises(sqlite3.OperationalError):
            worker.run_once(db, wait=False)
    assert attempts(db) == [0] * 81 and inbox.depth(db) == 81
    assert analyzer.batches == [81] + [1] * 81  # the batch, then one by one, once
    make_room(db)
    assert worker.run_once(db, wait=False) == 80
    assert attempts(db) == [1]  # the poison message: one attempt, however many write retries
    assert len(analyzer.batches) == 82


def test_a_locked_database_counts_no_attempt_drops_nothing_and_classifies_once(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    path = tmp_path / "teamweather.db"
    put(db, 5)
    worker_db = connect(path)
    worker_db.execute("PRAGMA busy_timeout=20")
    analyzer = ScriptedAnalyzer()
    worker = ScoringWorker(path, analyzer)
    locker = hold_write_lock(path)
    try:
        for _ in range(2 * MAX_ATTEMPTS):
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                worker.run_once(worker_db, wait=False)
            assert attempts(db) == [0] * 5 and scores.count(db) == 0
        assert worker.storage_error == "database is locked"
    finally:
        locker.execute("ROLLBACK")
    assert worker.run_once(worker_db, wait=False) == 5
    assert analyzer.batches == [5] and sorted(analyzer.texts) == [f"hello {i}" for i in range(5)]
    assert scores.count(db) == 5 and inbox.depth(db) == 0 and worker.storage_error is None


def test_storage_failures_log_one_line_each_and_one_on_recovery(
    tmp_path: Path, db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.worker")
    put(db, 80)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(), BatchPolicy(100, 0.25),
                           clock=FakeClock(2000.0))
    fill_up(db)
    for _ in range(6):
        assert worker.step(db).backoff
    make_room(db)
    db.execute("PRAGMA busy_timeout=20")
    locker = hold_write_lock(tmp_path / "teamweather.db")
    for _ in range(2):  # a different failure gets its own line
        assert worker.step(db).backoff
    locker.execute("ROLLBACK")
    step = worker.step(db)
    assert not step.backoff and step.written == 80
    lines = [r for r in caplog.records if r.name == "bot.worker"]
    assert [r.levelno for r in lines] == [logging.ERROR, logging.ERROR, logging.WARNING]
    assert "database or disk is full" in lines[0].getMessage()
    assert "database is locked" in lines[1].getMessage()
    assert lines[2].getMessage() == "storage writable again after 8 failed attempts"
    assert all(r.exc_info is None for r in lines)  # no tracebacks


def test_backoff_doubles_to_the_cap_and_resets_after_a_success(tmp_path: Path, db: sqlite_utils.Database) -> None:
    put(db, 80)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(), BatchPolicy(100, 0.25),
                           clock=FakeClock(2000.0))
    fill_up(db)
    waits = [worker.step(db) for _ in range(9)]
    assert all(w.backoff for w in waits)
    assert [w.wait for w in waits] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert BACKOFF_CAP == 30 and backoff_delay(100) == BACKOFF_CAP and backoff_delay(0) == 0
    make_room(db)
    assert worker.step(db) == (80, 0.0, False)  # wrote: go on at once
    put(db, 80, prefix="again-")
    fill_up(db)
    assert worker.step(db) == (0, 0.5, True)  # a new failure starts from the bottom again


def test_the_loop_beats_while_it_backs_off_and_resumes_when_storage_recovers(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    path = tmp_path / "teamweather.db"
    put(db, 80)
    analyzer = ScriptedAnalyzer()
    mono = FakeMonotonic(100.0)
    opened: list[sqlite_utils.Database] = []
    slept: list[float] = []
    seen: list[tuple[float, float, str | None, float | None]] = []

    def open_full(p: str | Path) -> sqlite_utils.Database:
        conn = connect(p)
        fill_up(conn)
        opened.append(conn)
        return conn

    def sleep(seconds: float) -> None:  # runs on the worker's thread
        seen.append((worker.last_beat, mono.now, worker.storage_error, worker.storage_failing_since))
        slept.append(seconds)
        mono.now += seconds
        if len(slept) == 8:  # backoffs of 0.5, 1, 2 and 4 s, in beats of at most 1 s
            make_room(opened[0])

    worker = ScoringWorker(path, analyzer, BatchPolicy(100, 0.0), clock=FakeClock(2000.0), poll_interval=0.05,
                           open_db=open_full, sleep=sleep, monotonic=mono, beat_interval=1.0)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while worker.scored < 80:
            assert time.monotonic() < deadline, "the worker did not recover"
            time.sleep(0.01)
    finally:
        worker.stop()
    assert slept == [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert all(beat == now for beat, now, _, _ in seen)  # a fresh heartbeat before every wait
    assert all(error == "database or disk is full" and since == 100.0 for _, _, error, since in seen)
    assert analyzer.batches == [80] and scores.count(db) == 80 and attempts(db) == []
    assert worker.storage_error is None and worker.storage_failing_since is None


def test_stop_is_prompt_during_a_long_backoff_and_health_reports_storage(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    from bot.health import InboxState, health_report

    put(db, 80)
    analyzer = ScriptedAnalyzer()

    def open_full(p: str | Path) -> sqlite_utils.Database:
        conn = connect(p)
        fill_up(conn)
        return conn

    worker = ScoringWorker(tmp_path / "teamweather.db", analyzer, BatchPolicy(100, 0.0), clock=FakeClock(2000.0),
                           open_db=open_full, backoff_start=600.0, beat_interval=0.02)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while worker.storage_error is None:
            assert time.monotonic() < deadline, "the worker never tried to write"
            time.sleep(0.01)
        beat = worker.last_beat
        while worker.last_beat == beat:  # backing off for 600 s, and beating
            assert time.monotonic() < deadline, "no heartbeat while backing off"
            time.sleep(0.01)
        report = health_report(InboxState(80, 1.0), worker)
        assert report["ok"] is False and report["problems"] == ["storage: database or disk is full"]
    finally:
        started = time.monotonic()
        worker.stop(timeout=5)
    assert not worker.alive and time.monotonic() - started < 5
    assert analyzer.batches == [80] and attempts(db) == [0] * 80


def test_other_failures_of_a_pass_log_one_traceback_and_back_off(
    tmp_path: Path, db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_source() -> ScriptedAnalyzer:
        raise RuntimeError("registry unreadable")

    put(db, 1)
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(), BatchPolicy(1, 0.0),
                           analyzer_source=broken_source)
    caplog.set_level(logging.DEBUG, logger="bot.worker")
    assert [worker.step(db).wait for _ in range(3)] == [0.5, 1, 2]
    [line] = [r for r in caplog.records if r.name == "bot.worker"]
    assert line.exc_info is not None and worker.storage_error is None
    assert attempts(db) == [0]


def test_an_edit_during_a_failed_attempt_starts_the_new_revision_afresh(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    put(db, 1, text="POISON")
    edit = lambda: inbox.put(db, message_key="k0", workspace="T", channel="C", author="a",  # noqa: E731
                             day="2026-11-23", text="POISON")
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer(during=edit, poison=frozenset({"POISON"})))
    assert worker.run_once(db, wait=False) == 0
    [pending] = inbox.oldest(db, 1)
    assert pending.revision > 1 and pending.attempts == 0
