"""Learning profiles, progress and quiz results for ``/mytraining`` (issue [mytraining]).

Everything is keyed by the author pseudonym the core already uses (``person``), never a
platform id or a name; a goal is free text the caller has pseudonymised. A person's rows go
with forget-me (:func:`storage.consent.erase_person` calls :func:`erase`) and, through their
``workspace`` column, with a workspace purge. Callers own the transaction (``with db.conn:``):
nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import sqlite_utils

__all__ = [
    "StoredProfile", "QuizResult", "profile", "set_role", "set_goal", "set_wellbeing", "start",
    "complete", "progress", "record_quiz", "quiz_results", "completions", "erase", "stress_by_day",
]

# The profile columns a setter may write (never interpolate anything else into SQL).
_PROFILE_COLUMNS = frozenset({"role", "goal", "wellbeing"})


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A person's learning profile; the defaults when nothing is stored."""

    person: str
    role: str | None = None
    goal: str | None = None  # pseudonymised
    wellbeing: bool = True  # private wellbeing nudges on
    updated_at: float | None = None

    def __repr__(self) -> str:  # keep the goal's text out of tracebacks and logs
        return f"StoredProfile(role={self.role!r}, wellbeing={self.wellbeing}, updated_at={self.updated_at})"


@dataclass(frozen=True, slots=True)
class QuizResult:
    """One attempt at one catalog item's quiz."""

    item_id: str
    correct: int
    total: int
    passed: bool
    at: float


def profile(db: sqlite_utils.Database, person: str) -> StoredProfile:
    """The person's learning profile, or the defaults (no role, no goal, wellbeing nudges on)
    when nothing is stored."""
    row = db.execute(
        "SELECT role, goal, wellbeing, updated_at FROM learning_profiles WHERE person = ?", (person,)
    ).fetchone()
    if row is None:
        return StoredProfile(person)
    role, goal, wellbeing, updated_at = row
    return StoredProfile(person, role, goal, bool(wellbeing), float(updated_at))


def _set(db: sqlite_utils.Database, person: str, workspace: str, column: str, value: object, now: float) -> None:
    """Write one profile column, creating the profile (other columns at their defaults)."""
    if column not in _PROFILE_COLUMNS:
        raise ValueError(f"not a profile column: {column!r}")
    db.conn.execute(
        f"INSERT INTO learning_profiles (person, workspace, {column}, updated_at) VALUES (?, ?, ?, ?) "
        f"ON CONFLICT (person) DO UPDATE SET {column} = excluded.{column}, "
        "workspace = excluded.workspace, updated_at = excluded.updated_at",
        (person, workspace, value, now),
    )


def set_role(db: sqlite_utils.Database, person: str, workspace: str, role: str | None, now: float) -> None:
    """Set the person's role (a key of the roles file), or clear it with None."""
    _set(db, person, workspace, "role", role, now)


def set_goal(db: sqlite_utils.Database, person: str, workspace: str, goal: str | None, now: float) -> None:
    """Set the person's learning goal (already pseudonymised by the caller), or clear it."""
    _set(db, person, workspace, "goal", goal, now)


def set_wellbeing(db: sqlite_utils.Database, person: str, workspace: str, on: bool, now: float) -> None:
    """Turn the person's private wellbeing nudges on or off."""
    _set(db, person, workspace, "wellbeing", int(bool(on)), now)


def start(db: sqlite_utils.Database, person: str, workspace: str, item_id: str, now: float) -> bool:
    """Mark a catalog item started; False if it already was started or completed (nothing changes)."""
    cursor = db.conn.execute(
        "INSERT INTO learning_items (person, workspace, item_id, status, started_at) "
        "VALUES (?, ?, ?, 'started', ?) ON CONFLICT (person, item_id) DO NOTHING",
        (person, workspace, item_id, now),
    )
    return cursor.rowcount == 1


def complete(db: sqlite_utils.Database, person: str, workspace: str, item_id: str, now: float) -> bool:
    """Mark a catalog item completed, started or not (then ``started_at`` stays NULL); False if
    it already was completed (its completion time stays the first one)."""
    cursor = db.conn.execute(
        "INSERT INTO learning_items (person, workspace, item_id, status, completed_at) "
        "VALUES (?, ?, ?, 'completed', ?) ON CONFLICT (person, item_id) DO UPDATE SET "
        "status = 'completed', completed_at = excluded.completed_at "
        "WHERE learning_items.status != 'completed'",
        (person, workspace, item_id, now),
    )
    return cursor.rowcount == 1


def progress(db: sqlite_utils.Database, person: str) -> dict[str, str]:
    """The person's items: item id -> ``"started"`` or ``"completed"``, in the order they were
    last moved on (started, or completed)."""
    rows = db.execute(
        "SELECT item_id, status FROM learning_items WHERE person = ? "
        "ORDER BY coalesce(completed_at, started_at), item_id",
        (person,),
    ).fetchall()
    return {str(item_id): str(status) for item_id, status in rows}


def record_quiz(
    db: sqlite_utils.Database, person: str, workspace: str, item_id: str, correct: int, total: int,
    passed: bool, now: float,
) -> None:
    """Store one quiz attempt. ``correct`` must lie in ``0..total``."""
    if total < 0 or not 0 <= correct <= total:
        raise ValueError(f"a quiz result of {correct}/{total} is impossible")
    db.conn.execute(
        "INSERT INTO quiz_results (person, workspace, item_id, correct, total, passed, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (person, workspace, item_id, int(correct), int(total), int(bool(passed)), now),
    )


def quiz_results(db: sqlite_utils.Database, person: str) -> list[QuizResult]:
    """The person's quiz attempts, oldest first."""
    rows = db.execute(
        "SELECT item_id, correct, total, passed, at FROM quiz_results WHERE person = ? ORDER BY at, id",
        (person,),
    ).fetchall()
    return [QuizResult(str(item), int(correct), int(total), bool(passed), float(at))
            for item, correct, total, passed, at in rows]


def completions(
    db: sqlite_utils.Database, workspace: str | None, since: float, until: float,
    people: Collection[str] | None = None,
) -> list[tuple[str, str]]:
    """(person, item id) of every item completed in ``workspace`` (None: any) in ``[since,
    until)``, by completion time; only those of ``people`` when given (an empty collection: none)."""
    sql = ("SELECT person, item_id FROM learning_items WHERE (? IS NULL OR workspace = ?) "
           "AND status = 'completed' AND completed_at >= ? AND completed_at < ?")
    params: tuple[object, ...] = (workspace, workspace, since, until)
    if people is not None:
        if not people:
            return []
        # One parameter, however many people: no limit on the number of SQL variables.
        sql += " AND person IN (SELECT value FROM json_each(?))"
        params += (json.dumps(sorted(set(people))),)
    rows = db.execute(sql + " ORDER BY completed_at, person, item_id", params).fetchall()
    return [(str(person), str(item_id)) for person, item_id in rows]


def erase(db: sqlite_utils.Database, person: str) -> int:
    """Delete the person's profile, items and quiz results; the number of rows deleted."""
    return sum(
        db.conn.execute(f"DELETE FROM {table} WHERE person = ?", (person,)).rowcount
        for table in ("learning_profiles", "learning_items", "quiz_results")
    )


def stress_by_day(db: sqlite_utils.Database, person: str, since_day: str) -> list[tuple[str, float]]:
    """(day, stress) for each of the person's scored messages on or after ``since_day``
    (YYYY-MM-DD), by day: for the private wellbeing nudge, which does its own statistics. Only
    ever shown to that person."""
    rows = db.execute(
        "SELECT day, stress FROM scores WHERE author = ? AND day >= ? ORDER BY day, rowid",
        (person, since_day),
    ).fetchall()
    return [(str(day), float(stress)) for day, stress in rows]
