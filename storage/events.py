"""Platform event ids already handled, so that retried deliveries are recognised."""

from __future__ import annotations

import time

import sqlite_utils

KEEP_SECONDS = 24 * 3600  # Slack retries within minutes; a day is ample.


def first_sighting(db: sqlite_utils.Database, event_id: str, now: float | None = None) -> bool:
    """Record ``event_id``; True the first time it is seen, False for a retry."""
    cur = db.conn.execute(
        "INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
        (event_id, time.time() if now is None else now),
    )
    return cur.rowcount == 1


def forget_old(db: sqlite_utils.Database, now: float | None = None) -> int:
    """Drop event ids older than a day; returns how many."""
    cutoff = (time.time() if now is None else now) - KEEP_SECONDS
    return db.conn.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,)).rowcount
