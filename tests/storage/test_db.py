"""Connection settings (secure delete, journal size limit) and the WAL checkpoint."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlite_utils

from storage import connect, inbox
from storage.db import BUSY_TIMEOUT_MS, JOURNAL_SIZE_LIMIT_BYTES, checkpoint


def wal_size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def put(db: sqlite_utils.Database, key: str, text: str = "hello") -> None:
    with db.conn:
        inbox.put(db, message_key=key, workspace="T", channel="C", author="a", day="2026-11-23", text=text)


def test_every_connection_deletes_securely_and_limits_the_journal(
    secure_delete_off_by_default: None, tmp_path: Path
) -> None:
    bare = sqlite3.connect(str(tmp_path / "bare.db"))
    assert bare.execute("PRAGMA secure_delete").fetchone() == (0,)  # the simulated default
    first, second = connect(tmp_path / "teamweather.db"), connect(tmp_path / "teamweather.db")
    for db in (first, second):
        assert db.execute("PRAGMA secure_delete").fetchone() == (1,)
        assert db.execute("PRAGMA journal_size_limit").fetchone() == (JOURNAL_SIZE_LIMIT_BYTES,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_checkpoint_truncates_the_write_ahead_log(tmp_path: Path) -> None:
    db = connect(tmp_path / "teamweather.db")
    put(db, "k1")
    assert wal_size(tmp_path / "teamweather.db") > 0
    assert checkpoint(db) is True
    assert wal_size(tmp_path / "teamweather.db") == 0
    assert inbox.depth(db) == 1  # copied into the database file, not lost


def test_checkpoint_gives_up_quickly_on_an_old_read_snapshot_and_succeeds_later(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.db"
    db = connect(path)
    put(db, "k1")
    reader = sqlite3.connect(str(path))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM inbox").fetchone()  # holds a snapshot from before k2
    put(db, "k2")
    started = time.monotonic()
    assert checkpoint(db, busy_ms=50) is False
    assert time.monotonic() - started < BUSY_TIMEOUT_MS / 1000 / 2  # not the 10 s busy timeout
    assert db.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)  # restored
    assert wal_size(path) > 0
    reader.rollback()
    assert checkpoint(db) is True and wal_size(path) == 0


def test_checkpoint_does_not_raise_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.db"
    db = connect(path)
    put(db, "k1")
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert checkpoint(db, busy_ms=20) is False
    finally:
        writer.execute("ROLLBACK")
    assert checkpoint(db) is True


def test_checkpoint_inside_a_transaction_returns_false(tmp_path: Path) -> None:
    db = connect(tmp_path / "teamweather.db")
    with db.conn:
        inbox.put(db, message_key="k1", workspace="T", channel="C", author="a", day="2026-11-23", text="x")
        assert checkpoint(db) is False
    assert checkpoint(db) is True


def test_checkpoint_of_a_database_without_a_log_is_trivially_done() -> None:
    assert checkpoint(connect(":memory:")) is True


def test_the_log_file_shrinks_back_to_the_limit_after_a_passive_checkpoint(tmp_path: Path) -> None:
    """SQLite's own (passive) checkpoints restart the log from its start; with the limit,
    the file is cut back then instead of keeping a big transaction's old pages at its end."""
    path = tmp_path / "teamweather.db"
    db = connect(path)
    with db.conn:  # one transaction of about 10 MB: the log grows to that
        for i in range(300):
            inbox.put(db, message_key=f"k{i}", workspace="T", channel="C", author="a",
                      day="2026-11-23", text=f"{i} " + "x" * 32_000)
    with db.conn:
        db.conn.execute("DELETE FROM inbox")
    assert wal_size(path) > 2 * JOURNAL_SIZE_LIMIT_BYTES  # (and the zeroing delete rewrote it all)
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0
    put(db, "next")  # the first commit after the restart applies the limit
    assert wal_size(path) <= JOURNAL_SIZE_LIMIT_BYTES
