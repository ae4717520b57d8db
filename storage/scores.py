"""Message scores: labels and probabilities, never text."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True, slots=True)
class Score:
    """What is kept of one message once it has been scored."""

    message_key: str
    workspace: str
    channel: str
    author: str
    day: str
    sentiment: str
    p_negative: float
    p_neutral: float
    p_positive: float
    stress: float
    analyzer: str
    analyzer_version: str


def save(db: sqlite_utils.Database, score: Score) -> None:
    """Insert or replace (an edit re-scores) the score of one message."""
    db.conn.execute(
        "INSERT OR REPLACE INTO scores (message_key, workspace, channel, author, day, sentiment, "
        "p_negative, p_neutral, p_positive, stress, analyzer, analyzer_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            score.message_key,
            score.workspace,
            score.channel,
            score.author,
            score.day,
            score.sentiment,
            score.p_negative,
            score.p_neutral,
            score.p_positive,
            score.stress,
            score.analyzer,
            score.analyzer_version,
        ),
    )


def exists(db: sqlite_utils.Database, message_key: str) -> bool:
    """Whether the message has been scored."""
    return (
        db.execute("SELECT 1 FROM scores WHERE message_key = ?", (message_key,)).fetchone()
        is not None
    )


def delete(db: sqlite_utils.Database, message_key: str) -> bool:
    """Delete the score of a deleted message."""
    return db.conn.execute("DELETE FROM scores WHERE message_key = ?", (message_key,)).rowcount == 1


def count(db: sqlite_utils.Database, author: str | None = None) -> int:
    """Number of scores, all or one pseudonym's."""
    if author is None:
        return int(db.execute("SELECT count(*) FROM scores").fetchone()[0])
    return int(db.execute("SELECT count(*) FROM scores WHERE author = ?", (author,)).fetchone()[0])


def for_author(db: sqlite_utils.Database, author: str) -> list[Score]:
    """One pseudonym's scores (for that person only: /teamweather status and exports)."""
    rows = db.execute(
        "SELECT message_key, workspace, channel, author, day, sentiment, p_negative, p_neutral, "
        "p_positive, stress, analyzer, analyzer_version FROM scores WHERE author = ? ORDER BY day",
        (author,),
    ).fetchall()
    return [Score(*row) for row in rows]
