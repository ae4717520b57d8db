"""Opening the database: every connection gets the same pragmas and an up-to-date schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from storage.migrations import migrate

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path``.

    Every connection runs in WAL mode with foreign keys enforced, ``synchronous=FULL`` (an
    acknowledged event survives a crash or power cut) and a busy timeout, so the listener
    and the worker can write from their own connections. ``":memory:"`` is accepted for
    tests that need no durability.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db = sqlite_utils.Database(conn)
    if migrate_schema:
        migrate(db)
    return db
