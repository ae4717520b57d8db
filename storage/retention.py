"""The daily retention purge: scores and delivery records older than the retention period."""

from __future__ import annotations

import sqlite_utils


def purge(db: sqlite_utils.Database, before_day: str, before_week: str) -> dict[str, int]:
    """Delete scores dated before ``before_day`` (YYYY-MM-DD) and digest records of weeks
    before ``before_week``; return the counts. The caller commits."""
    counts = {
        "scores": db.conn.execute("DELETE FROM scores WHERE day < ?", (before_day,)).rowcount,
        "deliveries": db.conn.execute("DELETE FROM deliveries WHERE week < ?", (before_week,)).rowcount,
        "alerts": db.conn.execute("DELETE FROM alerts WHERE week < ?", (before_week,)).rowcount,
        "suggestions": db.conn.execute("DELETE FROM suggestions WHERE week < ?", (before_week,)).rowcount,
    }
    return counts
