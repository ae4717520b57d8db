"""The durable inbox: pseudonymised messages written before the platform is acked."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One pseudonymised message waiting to be scored."""

    id: int
    message_key: str
    revision: int
    workspace: str
    channel: str
    author: str
    day: str
    text: str
    enqueued_at: float
    attempts: int


def put(
    db: sqlite_utils.Database,
    *,
    message_key: str,
    workspace: str,
    channel: str,
    author: str,
    day: str,
    text: str,
    now: float | None = None,
) -> None:
    """Add a message, or replace the pending text of the same message (an edit)."""
    db.conn.execute(
        """
        INSERT INTO inbox (message_key, workspace, channel, author, day, text, enqueued_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (message_key) DO UPDATE SET
            text = excluded.text, revision = revision + 1, attempts = 0
        """,
        (message_key, workspace, channel, author, day, text, time.time() if now is None else now),
    )


def contains(db: sqlite_utils.Database, message_key: str) -> bool:
    """Whether the message is waiting in the inbox."""
    return (
        db.execute("SELECT 1 FROM inbox WHERE message_key = ?", (message_key,)).fetchone()
        is not None
    )


def discard(db: sqlite_utils.Database, message_key: str) -> bool:
    """Drop a pending message (it was deleted before it was scored)."""
    return db.conn.execute("DELETE FROM inbox WHERE message_key = ?", (message_key,)).rowcount == 1


def oldest(db: sqlite_utils.Database, limit: int) -> list[InboxItem]:
    """Up to ``limit`` pending messages, oldest first."""
    rows = db.execute(
        "SELECT id, message_key, revision, workspace, channel, author, day, text, enqueued_at, "
        "attempts FROM inbox ORDER BY id LIMIT ?",
        (limit,),
    ).fetchall()
    return [InboxItem(*row) for row in rows]


def depth(db: sqlite_utils.Database, author: str | None = None) -> int:
    """Number of messages waiting, all or one pseudonym's."""
    if author is None:
        return int(db.execute("SELECT count(*) FROM inbox").fetchone()[0])
    return int(db.execute("SELECT count(*) FROM inbox WHERE author = ?", (author,)).fetchone()[0])


def take(db: sqlite_utils.Database, item: InboxItem) -> bool:
    """Remove ``item`` if it is unchanged since it was read; False if it was edited or deleted.

    Call inside the transaction that writes the item's score, so that a score is written
    exactly when its inbox row goes.
    """
    cur = db.conn.execute(
        "DELETE FROM inbox WHERE id = ? AND revision = ?", (item.id, item.revision)
    )
    return cur.rowcount == 1


def count_failure(db: sqlite_utils.Database, item: InboxItem) -> bool:
    """Note a failed scoring attempt on ``item``; False if it was edited or deleted since it
    was read (an edit's new revision starts with no failed attempts)."""
    cur = db.conn.execute(
        "UPDATE inbox SET attempts = attempts + 1 WHERE id = ? AND revision = ?",
        (item.id, item.revision),
    )
    return cur.rowcount == 1
