"""Alerts that fired: team-level numbers only, kept for the cooldown and the record."""

from __future__ import annotations

import sqlite_utils

from domain.teamweek import Alert


def save(db: sqlite_utils.Database, alert: Alert) -> None:
    """Keep an alert (a re-run of the same week replaces it)."""
    db.conn.execute(
        "INSERT OR REPLACE INTO alerts (team, week, rule, value, baseline, reason) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (alert.team, alert.week, alert.rule, alert.value, alert.baseline, alert.reason),
    )


def before(db: sqlite_utils.Database, team: str, week: str) -> list[Alert]:
    """The team's alerts for weeks before ``week``, oldest first (ISO weeks sort as text)."""
    rows = db.execute(
        "SELECT team, week, rule, reason, value, baseline FROM alerts "
        "WHERE team = ? AND week < ? ORDER BY week, rule",
        (team, week),
    ).fetchall()
    return [Alert(*row) for row in rows]
