"""The audit log: enrolments, consent changes, erasures, and later everything that leaves."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils


def record(
    db: sqlite_utils.Database,
    action: str,
    *,
    actor: str | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    at: float | None = None,
) -> None:
    """Append one audit row. Callers pass pseudonyms, never raw user ids or text."""
    db.conn.execute(
        "INSERT INTO audit (at, action, actor, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (
            time.time() if at is None else at,
            action,
            actor,
            subject,
            json.dumps(detail, sort_keys=True) if detail else None,
        ),
    )


def entries(db: sqlite_utils.Database, action: str | None = None) -> list[dict[str, Any]]:
    """Audit rows, oldest first, optionally only one action."""
    where = "WHERE action = ?" if action else ""
    params = (action,) if action else ()
    rows = db.execute(
        f"SELECT at, action, actor, subject, detail FROM audit {where} ORDER BY id", params
    ).fetchall()
    return [
        {
            "at": at,
            "action": act,
            "actor": actor,
            "subject": subject,
            "detail": json.loads(detail) if detail else {},
        }
        for at, act, actor, subject, detail in rows
    ]


def anonymise_actor(db: sqlite_utils.Database, actor: str) -> int:
    """Remove a pseudonym from the audit rows it performed; returns how many."""
    return db.conn.execute("UPDATE audit SET actor = NULL WHERE actor = ?", (actor,)).rowcount
