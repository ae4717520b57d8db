"""The scoring worker: batching, one transaction per batch, edits and deletes in flight."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import sqlite_utils

from analyzers.analyzer import Analysis
from analyzers.lexicon import LexiconAnalyzer
from bot.worker import MAX_ATTEMPTS, BatchPolicy, ScoringWorker
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

    def __init__(self, during: Callable[[], None] = lambda: None, poison: frozenset[str] = frozenset()) -> None:
        self.during = during
        self.poison = poison
        self.batches: list[int] = []

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        self.batches.append(len(texts))
        self.during()
        if self.poison & set(texts):
            raise ValueError("cannot score this")
        return [Analysis("neutral", (0.2, 0.6, 0.2), 0.1) for _ in texts]


def put(db: sqlite_utils.Database, n: int, now: float = 1000.0, text: str = "hello") -> None:
    with db.conn:
        for i in range(n):
            inbox.put(db, message_key=f"k{i}", workspace="T", channel="C", author="a", day="2026-11-23",
                      text=f"{text} {i}" if text == "hello" else text, now=now)


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
    edit = lambda: inbox.put(db, message_key="k0", workspace="T", channel="C", author="a",
                             day="2026-11-23", text="edited")  # noqa: E731
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

    from bot.server import health_report

    release = threading.Event()
    worker = ScoringWorker(tmp_path / "teamweather.db", ScriptedAnalyzer())
    worker._loop = release.wait  # type: ignore[method-assign]  # a thread that has not beaten yet
    worker.start()
    try:
        assert health_report(0, worker.alive, worker.last_beat, 0)["ok"] is True
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
