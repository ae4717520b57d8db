"""Opening the database: every connection gets the same pragmas and an up-to-date schema."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import sqlite_utils

from storage.migrations import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# After a checkpoint resets the write-ahead log, SQLite truncates the file to this size, so
# pages written long ago (and the text they held) do not linger at its end.
JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024
CHECKPOINT_BUSY_MS = 100  # how long a checkpoint waits for readers and writers before giving up


def connect(path: str | Path, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path``.

    Every connection runs in WAL mode with foreign keys enforced, ``synchronous=FULL`` (an
    acknowledged event survives a crash or power cut) and a busy timeout, so the listener
    and the worker can write from their own connections. ``secure_delete`` overwrites deleted
    rows with zeros (an erased or scored message's text does not stay in free space on disk;
    most SQLite builds leave it off) and ``journal_size_limit`` keeps the write-ahead log
    from keeping old pages at its end; :func:`checkpoint` empties the log itself.
    ``":memory:"`` is accepted for tests that need no durability.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
    db = sqlite_utils.Database(conn)
    if migrate_schema:
        migrate(db)
    return db


def checkpoint(db: sqlite_utils.Database, *, busy_ms: int = CHECKPOINT_BUSY_MS) -> bool:
    """Copy the write-ahead log into the database file and truncate the log to zero bytes.

    After an erasure, or once the inbox has drained, this removes the old page versions
    (and the pseudonymised text in them) that the log still holds. Returns True when the
    checkpoint completed (always, for a database not in WAL mode), False when it could not:
    another connection holds an older read snapshot or the write lock, or this connection
    is inside a transaction, or the disk refused. It never raises on a busy database and
    waits at most ``busy_ms`` for others (the connection's own busy timeout is restored);
    the caller tries again later.
    """
    conn = db.conn
    if conn.in_transaction:
        return False
    (previous,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    try:
        busy, _log_frames, _checkpointed = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as exc:
        log.debug("checkpoint not done: %s", exc)
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(previous)}")
    if busy:
        log.debug("checkpoint not done: another connection is reading or writing")
    return not busy
