"""Flagged messages and reviewers' labels (issue [review]).

A *flag* is one pseudonymised message put in front of HR reviewers, with the model's
predictions and the policy that chose it; a *label* is one reviewer's answer for it. Imported
examples (``teamweather labels import``) are flags with policy ``"import"``, no author and one
label by the reviewer ``"import"``, so training and export read one shape.

Unlabelled flags expire (``expires_at``); labelled ones are kept until ``keep_until``;
:func:`purge` deletes both once due. A person's flags (and so their labels) go with
``forget-me`` (:func:`storage.consent.erase_person`) and with the message's deletion. Callers
own the transaction (``with db.conn:``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import sqlite_utils

__all__ = [
    "Flag", "Label", "LabelledFlag", "add", "get", "unposted", "mark_posted", "label", "skip",
    "withdrawn", "retracted", "retraction_failed",
    "erase_text", "labels_for", "purge", "delete_message", "flagged_since", "author_flagged_since",
    "labelled_flags", "reviewer_pairs", "labels_since", "add_imported",
]

_FLAG_COLUMNS = ("id, message_key, workspace, author, day, text, policy, policy_detail, sentiment, "
                 "p_negative, p_neutral, p_positive, stress, model_version, source, flagged_at, "
                 "expires_at, keep_until, status, post, posted_at")


@dataclass(frozen=True)
class Flag:
    """One flagged message as stored (``text`` is pseudonymised)."""

    id: int
    message_key: str | None
    workspace: str
    author: str | None
    day: str
    text: str
    policy: str
    policy_detail: Mapping[str, Any]
    sentiment: str | None
    p_negative: float | None
    p_neutral: float | None
    p_positive: float | None
    stress: float | None
    model_version: str | None
    source: str
    flagged_at: float
    expires_at: float | None
    keep_until: float | None
    status: str
    post: Mapping[str, Any] | None
    posted_at: float | None

    def __repr__(self) -> str:  # keep text out of tracebacks and logs
        return f"Flag(id={self.id}, policy={self.policy!r}, status={self.status!r})"


@dataclass(frozen=True)
class Label:
    """One reviewer's answer for one flag (either part may still be missing)."""

    flag_id: int
    reviewer: str
    sentiment: str | None
    stress: bool | None
    labelled_at: float


@dataclass(frozen=True)
class LabelledFlag:
    """A flag's text with the reviewers' consensus: the majority of their answers per task
    (a tie goes to the latest answer), None where no reviewer answered that task."""

    flag_id: int
    text: str
    sentiment: str | None
    stress: bool | None
    labelled_at: float  # the latest answer
    source: str
    reviewers: tuple[str, ...]

    def __repr__(self) -> str:
        return f"LabelledFlag(flag_id={self.flag_id}, source={self.source!r})"


def _flag(row: Sequence[Any]) -> Flag:
    values = list(row)
    values[7] = json.loads(values[7]) if values[7] else {}
    values[19] = json.loads(values[19]) if values[19] else None
    return Flag(*values)


def add(db: sqlite_utils.Database, *, message_key: str, workspace: str, author: str, day: str,
        text: str, policy: str, policy_detail: Mapping[str, Any], sentiment: str,
        probs: tuple[float, float, float], stress: float, model_version: str, now: float,
        ttl_s: float) -> int | None:
    """Flag a scored message; returns the new flag's id, or None when it is already flagged
    (an edit does not flag it twice)."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO flags (message_key, workspace, author, day, text, policy, "
        "policy_detail, sentiment, p_negative, p_neutral, p_positive, stress, model_version, "
        "source, flagged_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'review', ?, ?)",
        (message_key, workspace, author, day, text, policy, json.dumps(dict(policy_detail), sort_keys=True),
         sentiment, *probs, stress, model_version, now, now + ttl_s),
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None


def add_imported(db: sqlite_utils.Database, *, text: str, sentiment: str | None,
                 stress: bool | None, source: str, now: float, keep_until: float) -> int:
    """Store one imported labelled example (already pseudonymised); returns its flag id."""
    cursor = db.conn.execute(
        "INSERT INTO flags (message_key, workspace, author, day, text, policy, policy_detail, "
        "source, flagged_at, keep_until, status) VALUES (NULL, '', NULL, date(?, 'unixepoch'), ?, "
        "'import', '{}', ?, ?, ?, 'labelled')",
        (now, text, source, now, keep_until),
    )
    flag_id = int(cursor.lastrowid or 0)
    db.conn.execute(
        "INSERT INTO labels (flag_id, reviewer, sentiment, stress, labelled_at) VALUES (?, 'import', ?, ?, ?)",
        (flag_id, sentiment, None if stress is None else int(stress), now),
    )
    return flag_id


def get(db: sqlite_utils.Database, flag_id: int) -> Flag | None:
    """The flag with this id, or None (expired, purged, erased or never there)."""
    row = db.execute(f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id = ?", (flag_id,)).fetchone()
    return None if row is None else _flag(row)


def unposted(db: sqlite_utils.Database, limit: int = 50) -> list[Flag]:
    """Open flags not yet posted to the review channel, oldest first."""
    rows = db.execute(
        f"SELECT {_FLAG_COLUMNS} FROM flags WHERE posted_at IS NULL AND status = 'open' "
        "AND policy != 'import' ORDER BY id LIMIT ?", (limit,)).fetchall()
    return [_flag(r) for r in rows]


def mark_posted(db: sqlite_utils.Database, flag_id: int, post: Mapping[str, Any], now: float) -> None:
    """Remember where the flag's review post is (to update it in place)."""
    db.conn.execute("UPDATE flags SET post = ?, posted_at = ? WHERE id = ?",
                    (json.dumps(dict(post), sort_keys=True), now, flag_id))


def label(db: sqlite_utils.Database, flag_id: int, reviewer: str, *, now: float,
          keep_until: float, sentiment: str | None = None, stress: bool | None = None) -> bool:
    """Record ``reviewer``'s sentiment and/or stress answer for the flag (the other part of an
    earlier answer stays) and mark the flag labelled, kept until ``keep_until``. False when
    the flag is gone or its text was deleted."""
    if db.execute("SELECT 1 FROM flags WHERE id = ? AND status != 'deleted'", (flag_id,)).fetchone() is None:
        return False
    db.conn.execute(
        "INSERT INTO labels (flag_id, reviewer, sentiment, stress, labelled_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (flag_id, reviewer) DO UPDATE SET "
        "sentiment = coalesce(excluded.sentiment, labels.sentiment), "
        "stress = coalesce(excluded.stress, labels.stress), labelled_at = excluded.labelled_at",
        (flag_id, reviewer, sentiment, None if stress is None else int(stress), now),
    )
    db.conn.execute("UPDATE flags SET status = 'labelled', expires_at = NULL, keep_until = ? WHERE id = ?",
                    (keep_until, flag_id))
    return True


def skip(db: sqlite_utils.Database, flag_id: int) -> bool:
    """Mark an open flag skipped ("unclear"); it expires as an unlabelled one does. False when
    the flag is gone or no longer open (labels already given stay)."""
    return db.conn.execute("UPDATE flags SET status = 'skipped' WHERE id = ? AND status = 'open'",
                           (flag_id,)).rowcount == 1


def erase_text(db: sqlite_utils.Database, flag_id: int) -> bool:
    """A reviewer saw personal data: blank the text, drop its labels, mark it deleted (the row
    stays until it expires, so the post can say so). False when the flag is gone."""
    changed = db.conn.execute("UPDATE flags SET text = '', status = 'deleted', keep_until = NULL, "
                              "expires_at = coalesce(expires_at, flagged_at) WHERE id = ?",
                              (flag_id,)).rowcount == 1
    db.conn.execute("DELETE FROM labels WHERE flag_id = ?", (flag_id,))
    return changed


def labels_for(db: sqlite_utils.Database, flag_id: int) -> list[Label]:
    """The flag's labels, in the order the reviewers first answered (a reviewer who answers
    again, the other task or a changed mind, keeps their place: rowid, which an upsert keeps)."""
    rows = db.execute("SELECT flag_id, reviewer, sentiment, stress, labelled_at FROM labels "
                      "WHERE flag_id = ? ORDER BY rowid", (flag_id,)).fetchall()
    return [Label(r[0], r[1], r[2], None if r[3] is None else bool(r[3]), r[4]) for r in rows]


def delete_message(db: sqlite_utils.Database, message_key: str) -> bool:
    """The message was deleted on the platform: its flag (and labels) go too."""
    return db.conn.execute("DELETE FROM flags WHERE message_key = ?", (message_key,)).rowcount == 1


def purge(db: sqlite_utils.Database, now: float) -> dict[str, int]:
    """Delete unlabelled flags past their TTL and labelled ones past their retention."""
    expired = db.conn.execute(
        "DELETE FROM flags WHERE status IN ('open', 'skipped', 'deleted') AND expires_at < ?", (now,)).rowcount
    retired = db.conn.execute(
        "DELETE FROM flags WHERE status = 'labelled' AND keep_until < ?", (now,)).rowcount
    return {"flags_expired": expired, "labels_retired": retired}


def withdrawn(db: sqlite_utils.Database, limit: int = 50) -> list[tuple[int, Mapping[str, Any]]]:
    """Review posts whose flag is gone (the ``flags_posted_deleted`` trigger notes each), oldest
    first: ``(retraction id, where the post is)``."""
    rows = db.execute("SELECT id, post FROM retractions ORDER BY id LIMIT ?", (limit,)).fetchall()
    return [(int(r[0]), json.loads(r[1])) for r in rows]


def retracted(db: sqlite_utils.Database, retraction: int) -> None:
    """The post was withdrawn from the review channel: forget where it was."""
    db.conn.execute("DELETE FROM retractions WHERE id = ?", (retraction,))


def retraction_failed(db: sqlite_utils.Database, retraction: int, max_attempts: int) -> bool:
    """The platform refused; count it. True when it has now failed ``max_attempts`` times, and
    the retraction is given up (forgotten)."""
    db.conn.execute("UPDATE retractions SET attempts = attempts + 1 WHERE id = ?", (retraction,))
    given_up = db.conn.execute("DELETE FROM retractions WHERE id = ? AND attempts >= ?",
                               (retraction, max_attempts)).rowcount
    return given_up == 1


def flagged_since(db: sqlite_utils.Database, workspace: str, since: float) -> int:
    """How many messages of ``workspace`` were flagged at or after ``since`` (daily cap)."""
    return int(db.execute("SELECT count(*) FROM flags WHERE workspace = ? AND flagged_at >= ? "
                          "AND policy != 'import'", (workspace, since)).fetchone()[0])


def author_flagged_since(db: sqlite_utils.Database, author: str, since: float) -> int:
    """How many of one pseudonym's messages were flagged at or after ``since`` (weekly cap)."""
    return int(db.execute("SELECT count(*) FROM flags WHERE author = ? AND flagged_at >= ?",
                          (author, since)).fetchone()[0])


def labels_since(db: sqlite_utils.Database, since: float) -> int:
    """How many flags got their latest label at or after ``since`` (the retrain trigger)."""
    return int(db.execute("SELECT count(DISTINCT flag_id) FROM labels WHERE labelled_at >= ?",
                          (since,)).fetchone()[0])


def _majority(answers: Iterable[tuple[float, Any]]) -> Any:
    """The most frequent answer; a tie goes to the latest one."""
    ordered = sorted((a for a in answers if a[1] is not None), key=lambda a: a[0])
    if not ordered:
        return None
    counts = Counter(value for _at, value in ordered)
    best = max(counts.values())
    return next(value for _at, value in reversed(ordered) if counts[value] == best)


def labelled_flags(db: sqlite_utils.Database) -> list[LabelledFlag]:
    """Every labelled flag with its consensus labels, by time of its latest answer."""
    rows = db.execute(
        "SELECT f.id, f.text, f.source, l.reviewer, l.sentiment, l.stress, l.labelled_at "
        "FROM flags f JOIN labels l ON l.flag_id = f.id WHERE f.status = 'labelled' "
        "ORDER BY f.id, l.labelled_at").fetchall()
    grouped: dict[int, list[Sequence[Any]]] = {}
    for row in rows:
        grouped.setdefault(int(row[0]), []).append(row)
    out = []
    for flag_id, group in grouped.items():
        sentiment = _majority((r[6], r[4]) for r in group)
        stress = _majority((r[6], None if r[5] is None else bool(r[5])) for r in group)
        if sentiment is None and stress is None:
            continue
        out.append(LabelledFlag(flag_id, group[0][1], sentiment, stress, max(r[6] for r in group),
                                group[0][2], tuple(r[3] for r in group)))
    return sorted(out, key=lambda f: (f.labelled_at, f.flag_id))


def reviewer_pairs(db: sqlite_utils.Database, task: str) -> list[tuple[Any, Any]]:
    """For Cohen's kappa: (first reviewer's answer, second reviewer's answer) on every flag
    that two reviewers answered for ``task`` ("sentiment" or "stress")."""
    if task not in ("sentiment", "stress"):
        raise ValueError(f"unknown task {task!r}")
    rows = db.execute(
        f"SELECT flag_id, {task} FROM labels WHERE {task} IS NOT NULL AND reviewer != 'import' "
        "ORDER BY flag_id, rowid").fetchall()
    answers: dict[int, list[Any]] = {}
    for flag_id, value in rows:
        answers.setdefault(int(flag_id), []).append(value)
    return [(a[0], a[1]) for a in answers.values() if len(a) >= 2]
