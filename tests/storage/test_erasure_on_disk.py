"""Erased means erased on disk: the bytes of the database and its write-ahead log.

SQLite keeps a deleted row's bytes in the page's free space unless ``secure_delete`` is on,
and in WAL mode the old versions of every page written stay in the ``-wal`` file until a
checkpoint. These tests read the raw files after ``forget-me`` and after the worker drains
the inbox, looking for a made-up word the pseudonymiser leaves alone.

This machine's SQLite may be compiled with SQLITE_SECURE_DELETE (then ``secure_delete`` is
on by default and a missing pragma would go unnoticed), so every connection here starts as
on a typical build, with ``secure_delete`` off, and ``connect()`` must turn it on. The
control cases turn it off again, or skip the checkpoint, and find the word: the file reads
do see what the protections remove.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

import storage.db
from analyzers.lexicon import LexiconAnalyzer
from analyzers.pseudonymise import Pseudonymiser
from bot import worker as worker_module
from bot.core import Command, Message, Outcome, Teamweather
from bot.worker import BatchPolicy, ScoringWorker
from conftest import ADMIN, ALICE, BOB, CHANNEL, KEY, MEMBERS
from storage import connect, inbox, scores

WS = "T0TEST0001"
ALICES_WORD = b"zorblatt"
BOBS_WORD = b"quibbleton"


@pytest.fixture(autouse=True)
def typical_sqlite_build(secure_delete_off_by_default: None) -> None:
    """Every test here runs as on a typical SQLite build (``secure_delete`` off by default)."""


def on_disk(path: Path) -> bytes:
    """The bytes of the database file and of its companions (log, shared-memory index)."""
    return b"".join(f.read_bytes() for f in sorted(path.parent.glob(f"{path.name}*")))


def wal_bytes(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return wal.read_bytes() if wal.exists() else b""


def make_core(path: Path) -> Teamweather:
    core = Teamweather(connect(path), Pseudonymiser(KEY, MEMBERS), admins=frozenset({ADMIN}),
                       zone=ZoneInfo("UTC"))
    core.clock = lambda: 1763800000.0
    assert core.command(Command(WS, CHANNEL, ADMIN, "optin")).public
    return core


def receive(core: Teamweather, text: str, *, user: str, n: int) -> None:
    ts = f"1763900000.{n:06d}"
    assert core.receive(Message(WS, CHANNEL, user, ts, float(ts), text)) is Outcome.STORED


def alice_scored_and_pending_then_forgotten(path: Path, *, secure_delete: bool = True) -> Teamweather:
    """Alice writes six messages (three scored, three pending) and Bob one (pending); then
    Alice runs forget-me. ``secure_delete=False`` turns the pragma off again (control)."""
    core = make_core(path)
    worker_db = connect(path)
    if not secure_delete:
        for db in (core.db, worker_db):
            db.execute("PRAGMA secure_delete=OFF")
    for n in range(6):
        receive(core, f"the {ALICES_WORD.decode()} {n} is {ALICES_WORD.decode()} again", user=ALICE, n=n)
    receive(core, f"my {BOBS_WORD.decode()} is fine", user=BOB, n=99)
    worker = ScoringWorker(path, LexiconAnalyzer(), BatchPolicy(size=3, max_wait=0.0))
    assert worker.run_once(worker_db, wait=False) == 3  # Alice: 3 scored, 3 pending; Bob pending
    assert ALICES_WORD in on_disk(path)  # the files do hold her words now (pending ones at least)
    reply = core.command(Command(WS, CHANNEL, ALICE, "forget-me"))
    assert "(3 score(s), 3 waiting to be scored, 0 held for review)" in reply.text
    worker_db.close()
    return core


def test_forget_me_leaves_none_of_the_persons_text_in_the_database_or_its_log(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.db"
    core = alice_scored_and_pending_then_forgotten(path)
    assert ALICES_WORD not in on_disk(path)
    assert wal_bytes(path) == b""  # checkpointed and truncated
    assert BOBS_WORD in on_disk(path)  # the read sees what is really still stored
    assert inbox.depth(core.db) == 1


def test_control_without_secure_delete_the_erased_text_stays_in_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.db"
    alice_scored_and_pending_then_forgotten(path, secure_delete=False)
    assert wal_bytes(path) == b""  # the checkpoint ran: the bytes are in free space of the file
    assert ALICES_WORD in path.read_bytes()


def test_control_without_the_checkpoint_the_erased_text_stays_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "checkpoint", lambda db, **kwargs: True)
    path = tmp_path / "teamweather.db"
    alice_scored_and_pending_then_forgotten(path)
    assert ALICES_WORD in wal_bytes(path)


def test_forget_me_erases_flagged_and_labelled_text_on_disk_too(tmp_path: Path) -> None:
    """Flagged messages hold pseudonymised text for reviewers, labelled ones for a year: after
    forget-me, none of the person's words are left in the files."""
    import random

    from analyzers.flagging import FlagPolicy
    from bot.runtime import review_flagger
    from storage import review

    path = tmp_path / "teamweather.db"
    core = make_core(path)
    worker_db = connect(path)
    for n in range(2):
        receive(core, f"the {ALICES_WORD.decode()} {n} broke", user=ALICE, n=n)
    flag_everything = review_flagger(FlagPolicy(uncertainty_margin=1.0), random.Random(0))
    worker = ScoringWorker(path, LexiconAnalyzer(), BatchPolicy(size=8, max_wait=0.0), flagger=flag_everything)
    assert worker.drain(worker_db) == 2
    flags = review.unposted(worker_db)
    assert len(flags) == 2
    with worker_db.conn:
        review.label(worker_db, flags[0].id, "reviewer", now=1.0, keep_until=9e9, sentiment="negative")
    worker_db.close()
    assert ALICES_WORD in on_disk(path)
    reply = core.command(Command(WS, CHANNEL, ALICE, "forget-me"))
    assert "2 held for review" in reply.text
    assert ALICES_WORD not in on_disk(path)
    assert review.labelled_flags(core.db) == []


def test_forget_me_erases_the_learning_profile_and_download_tokens_on_disk_too(tmp_path: Path) -> None:
    """/mytraining keeps a pseudonymised goal (free text), progress, quiz results and download
    tokens under the pseudonym: after forget-me none of it is left in the files."""
    import hashlib

    from storage import downloads, learning

    path = tmp_path / "teamweather.db"
    core = make_core(path)
    alice = core.pseudonymiser.author(WS, ALICE)
    bob = core.pseudonymiser.author(WS, BOB)
    goal_word, item = "glimmerquest", "frobnicator-course"
    with core.db.conn:
        learning.set_goal(core.db, alice, WS, f"master the {goal_word} pipeline", 1.0)
        learning.set_role(core.db, alice, WS, "backend-engineer", 1.0)
        learning.start(core.db, alice, WS, item, 2.0)
        learning.record_quiz(core.db, alice, WS, item, 3, 4, True, 3.0)
        token = downloads.issue(core.db, alice, WS, now=4.0, ttl_s=1e12)
        learning.set_goal(core.db, bob, WS, f"my {BOBS_WORD.decode()} goal", 1.0)
    token_hash = hashlib.sha256(token.encode()).hexdigest().encode()
    assert goal_word.encode() in on_disk(path) and token_hash in on_disk(path)
    reply = core.command(Command(WS, CHANNEL, ALICE, "forget-me"))
    assert "Erased 4 stored record(s)" in reply.text  # profile, item, quiz result and token
    for leftover in (goal_word.encode(), item.encode(), token_hash):
        assert leftover not in on_disk(path)
    assert wal_bytes(path) == b""
    assert BOBS_WORD in on_disk(path)  # the read sees what is really still stored
    assert learning.profile(core.db, alice) == learning.StoredProfile(alice)
    assert downloads.redeem(core.db, token, now=5.0) is None


# -- the worker's checkpoint when the inbox drains ------------------------------------------


def put(db: sqlite_utils.Database, n: int, word: bytes = ALICES_WORD) -> None:
    with db.conn:
        for i in range(n):
            inbox.put(db, message_key=f"k{i}", workspace="T", channel="C", author="a",
                      day="2026-11-23", text=f"{word.decode()} number {i}", now=1000.0)


def counting_checkpoints(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    calls: list[bool] = []
    real = worker_module.checkpoint

    def counted(db: sqlite_utils.Database, **kwargs: int) -> bool:
        calls.append(done := real(db, **kwargs))
        return done

    monkeypatch.setattr(worker_module, "checkpoint", counted)
    return calls


def test_drained_inbox_leaves_no_text_in_the_database_or_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "teamweather.db"
    listener, worker_db = connect(path), connect(path)
    put(listener, 70)
    calls = counting_checkpoints(monkeypatch)
    worker = ScoringWorker(path, LexiconAnalyzer(), BatchPolicy(size=64, max_wait=0.25))
    assert worker.run_once(worker_db, wait=False) == 64
    assert calls == []  # a batch that leaves messages waiting is not followed by a checkpoint
    assert ALICES_WORD in on_disk(path)
    assert worker.run_once(worker_db, wait=False) == 6
    assert calls == [True]  # drained: one checkpoint
    assert wal_bytes(path) == b""
    assert ALICES_WORD not in on_disk(path)
    assert scores.count(listener) == 70


def test_control_without_the_drain_checkpoint_the_scored_text_stays_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "checkpoint", lambda db, **kwargs: True)
    path = tmp_path / "teamweather.db"
    listener, worker_db = connect(path), connect(path)
    put(listener, 5)
    ScoringWorker(path, LexiconAnalyzer()).drain(worker_db)
    assert inbox.depth(listener) == 0 and ALICES_WORD in wal_bytes(path)


def test_a_busy_checkpoint_is_retried_when_the_worker_is_next_idle(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.db"
    listener, worker_db = connect(path), connect(path)
    put(listener, 5)
    reader = sqlite3.connect(str(path))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM inbox").fetchone()  # an old snapshot: no truncation
    worker = ScoringWorker(path, LexiconAnalyzer())
    assert worker.drain(worker_db) == 5
    assert ALICES_WORD in wal_bytes(path)
    assert worker.run_once(worker_db) == 0 and ALICES_WORD in wal_bytes(path)  # still busy
    reader.rollback()
    assert worker.run_once(worker_db) == 0  # idle pass: tries again, and succeeds
    assert wal_bytes(path) == b"" and ALICES_WORD not in on_disk(path)


def test_an_idle_worker_truncates_a_log_that_an_erasure_could_not(tmp_path: Path) -> None:
    """forget-me's own checkpoint gives up while a reader holds an old snapshot; the worker's
    next idle pass truncates the log."""
    path = tmp_path / "teamweather.db"
    core = make_core(path)
    for n in range(3):
        receive(core, f"{ALICES_WORD.decode()} {n}", user=ALICE, n=n)
    reader = sqlite3.connect(str(path))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM inbox").fetchone()
    core.command(Command(WS, CHANNEL, ALICE, "forget-me"))
    assert ALICES_WORD in wal_bytes(path)
    reader.rollback()
    worker_db = connect(path)
    assert ScoringWorker(path, LexiconAnalyzer()).run_once(worker_db) == 0
    assert wal_bytes(path) == b"" and ALICES_WORD not in on_disk(path)
