"""The advice keys each team's digests carried (team-level only), so that a digest does not
repeat the suggestions of the team's previous ones."""

from __future__ import annotations

from typing import Sequence

import sqlite_utils

from domain.teamweek import previous_weeks


def save(db: sqlite_utils.Database, team: str, week: str, keys: Sequence[str]) -> None:
    """Record the advice keys of ``team``'s digest for ``week`` (an ISO week like
    ``"2026-W47"``); a re-run of the same team-week replaces its keys. The caller commits."""
    db.conn.execute("DELETE FROM suggestions WHERE team = ? AND week = ?", (team, week))
    db.conn.executemany(
        "INSERT INTO suggestions (team, week, advice) VALUES (?, ?, ?)",
        [(team, week, key) for key in dict.fromkeys(keys)],
    )


def recent(db: sqlite_utils.Database, team: str, week: str, weeks: int = 2) -> frozenset[str]:
    """The advice keys recorded for ``team``'s digests of the ``weeks`` ISO weeks before
    ``week`` (not ``week`` itself). ISO weeks sort as text."""
    if weeks <= 0:
        return frozenset()
    first = previous_weeks(week, weeks + 1)[0]
    rows = db.execute(
        "SELECT advice FROM suggestions WHERE team = ? AND week >= ? AND week < ?",
        (team, first, week),
    ).fetchall()
    return frozenset(key for (key,) in rows)
