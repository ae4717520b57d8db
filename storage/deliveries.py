"""The delivery ledger: one row per (team, ISO week, recipient, kind), so every digest and
alert is sent exactly once however often the job runs or the process restarts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlite_utils

Kind = Literal["digest", "alert"]
State = Literal["new", "unsure", "sent"]


@dataclass(frozen=True, slots=True)
class Delivery:
    team: str
    week: str
    recipient: str
    kind: str
    status: str
    attempts: int
    claimed_at: float
    sent_at: float | None
    error: str | None


_SELECT = (
    "SELECT team, week, recipient, kind, status, attempts, claimed_at, sent_at, error FROM deliveries "
)


def claim(
    db: sqlite_utils.Database, team: str, week: str, recipient: str, kind: Kind, now: float
) -> State:
    """Claim a send before making it.

    ``"new"``: never tried, go ahead. ``"sent"``: done, skip. ``"unsure"``: an earlier attempt
    started and did not finish, so the message may or may not have reached the platform; the
    caller must look before sending again. Counts the attempt.
    """
    inserted = db.conn.execute(
        "INSERT OR IGNORE INTO deliveries (team, week, recipient, kind, status, attempts, claimed_at) "
        "VALUES (?, ?, ?, ?, 'pending', 1, ?)",
        (team, week, recipient, kind, now),
    ).rowcount
    if inserted:
        return "new"
    (status,) = db.execute(
        "SELECT status FROM deliveries WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
        (team, week, recipient, kind),
    ).fetchone()
    if status == "sent":
        return "sent"
    db.conn.execute(
        "UPDATE deliveries SET status = 'pending', attempts = attempts + 1 "
        "WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
        (team, week, recipient, kind),
    )
    return "unsure"


def mark_sent(
    db: sqlite_utils.Database, team: str, week: str, recipient: str, kind: Kind, now: float
) -> None:
    """Record that the platform accepted the message."""
    db.conn.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = ?, error = NULL "
        "WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
        (now, team, week, recipient, kind),
    )


def mark_failed(
    db: sqlite_utils.Database, team: str, week: str, recipient: str, kind: Kind, error: str
) -> None:
    """Record a send the platform refused (for certain), to be retried later."""
    db.conn.execute(
        "UPDATE deliveries SET status = 'failed', error = ? "
        "WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
        (error[:500], team, week, recipient, kind),
    )


def claimed_at(db: sqlite_utils.Database, team: str, week: str, recipient: str, kind: Kind) -> float:
    """When the send was first claimed (the earliest it can have reached the platform)."""
    (at,) = db.execute(
        "SELECT claimed_at FROM deliveries WHERE team = ? AND week = ? AND recipient = ? AND kind = ?",
        (team, week, recipient, kind),
    ).fetchone()
    return float(at)


def unfinished(db: sqlite_utils.Database, max_attempts: int) -> list[Delivery]:
    """Claimed sends that have not succeeded and may be retried, oldest first."""
    rows = db.execute(
        _SELECT + "WHERE status != 'sent' AND attempts < ? ORDER BY claimed_at", (max_attempts,)
    ).fetchall()
    return [Delivery(*row) for row in rows]


def all_for(db: sqlite_utils.Database, week: str) -> list[Delivery]:
    """Every delivery row of one week, for reports and tests."""
    rows = db.execute(_SELECT + "WHERE week = ? ORDER BY team, kind, recipient", (week,)).fetchall()
    return [Delivery(*row) for row in rows]
