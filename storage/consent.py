"""Who and where Teamweather may collect: enrolled channels and people's pause/forget state."""

from __future__ import annotations

import time
from typing import Literal

import sqlite_utils

from storage import downloads, learning

PersonStatus = Literal["collecting", "paused", "forgotten"]


def enrolled_since(db: sqlite_utils.Database, workspace: str, channel: str) -> float | None:
    """When the channel was enrolled (unix seconds), or None if it is not."""
    row = db.execute(
        "SELECT enrolled_at FROM channels WHERE workspace = ? AND channel = ?",
        (workspace, channel),
    ).fetchone()
    return None if row is None else float(row[0])


def enroll(
    db: sqlite_utils.Database, workspace: str, channel: str, by: str, at: float | None = None
) -> bool:
    """Enrol a channel; False if it already was."""
    cur = db.conn.execute(
        "INSERT OR IGNORE INTO channels (workspace, channel, enrolled_by, enrolled_at) "
        "VALUES (?, ?, ?, ?)",
        (workspace, channel, by, time.time() if at is None else at),
    )
    return cur.rowcount == 1


def unenroll(db: sqlite_utils.Database, workspace: str, channel: str) -> bool:
    """Stop collecting in a channel; False if it was not enrolled."""
    cur = db.conn.execute(
        "DELETE FROM channels WHERE workspace = ? AND channel = ?", (workspace, channel)
    )
    return cur.rowcount == 1


def enrolled_channels(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """All enrolled (workspace, channel) pairs."""
    return [tuple(r) for r in db.execute("SELECT workspace, channel FROM channels ORDER BY 1, 2")]


def person_status(db: sqlite_utils.Database, author: str) -> PersonStatus:
    """Whether Teamweather may collect from this pseudonym."""
    row = db.execute("SELECT status FROM people WHERE author = ?", (author,)).fetchone()
    return "collecting" if row is None else row[0]


def set_person_status(
    db: sqlite_utils.Database, author: str, status: PersonStatus, at: float | None = None
) -> None:
    """Record a pause or forget-me, or clear it with ``"collecting"``."""
    if status == "collecting":
        db.conn.execute("DELETE FROM people WHERE author = ?", (author,))
    else:
        db.conn.execute(
            "INSERT OR REPLACE INTO people (author, status, since) VALUES (?, ?, ?)",
            (author, status, time.time() if at is None else at),
        )


def erase_person(db: sqlite_utils.Database, author: str) -> dict[str, int]:
    """Delete every stored row derived from this pseudonym; return counts: ``scores``,
    ``inbox``, ``flags`` (a flag's labels go with it), ``learning`` (profile, items and quiz
    results together) and ``downloads`` (unused download tokens)."""
    erased = {
        table: db.conn.execute(f"DELETE FROM {table} WHERE author = ?", (author,)).rowcount
        for table in ("scores", "inbox", "flags")  # a flag's labels go with it (cascade)
    }
    erased["learning"] = learning.erase(db, author)
    erased["downloads"] = downloads.erase(db, author)
    return erased
