"""The "my data" export: everything Teamweather stores under one pseudonym, as plain JSON-able data.

What one person may download about themselves (issue [mytraining]): their message scores,
how many of their messages wait to be scored (never the text), their flagged messages with
the labels reviewers gave (never who the reviewers are: that is other people's data), their
learning profile, progress and quiz results, and their consent state with the audit rows of
what they did. Read-only: nothing here writes.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

from storage import consent, learning

__all__ = ["SCHEMA", "collect", "summary", "messages_analysed"]

SCHEMA = "teamweather-mydata/1"


def _scores(db: sqlite_utils.Database, person: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT day, workspace, channel, sentiment, p_negative, p_neutral, p_positive, stress, analyzer, "
        "analyzer_version FROM scores WHERE author = ? ORDER BY day, rowid",
        (person,),
    ).fetchall()
    keys = ("day", "workspace", "channel", "sentiment", "p_negative", "p_neutral", "p_positive", "stress",
            "analyzer", "analyzer_version")
    return [dict(zip(keys, row)) for row in rows]


def _flags(db: sqlite_utils.Database, person: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT id, flagged_at, day, workspace, text, policy, status, sentiment, p_negative, p_neutral, "
        "p_positive, stress, model_version FROM flags WHERE author = ? ORDER BY flagged_at, id",
        (person,),
    ).fetchall()
    flags = []
    for (flag_id, flagged_at, day, workspace, text, policy, status, sentiment, p_neg, p_neu, p_pos, stress,
         model_version) in rows:
        # The reviewer column is never read: who labelled is the reviewers' data, not this person's.
        labels = db.execute(
            "SELECT sentiment, stress, labelled_at FROM labels WHERE flag_id = ? ORDER BY rowid", (flag_id,)
        ).fetchall()
        flags.append({
            "flagged_at": flagged_at, "day": day, "workspace": workspace, "text": text, "policy": policy,
            "status": status,
            "model": {"sentiment": sentiment, "p_negative": p_neg, "p_neutral": p_neu, "p_positive": p_pos,
                      "stress": stress, "version": model_version},
            "labels": [{"sentiment": s, "stress": None if st is None else bool(st), "at": at}
                       for s, st, at in labels],
        })
    return flags


def _learning(db: sqlite_utils.Database, person: str) -> dict[str, Any]:
    stored = learning.profile(db, person)
    items = db.execute(
        "SELECT item_id, status, started_at, completed_at FROM learning_items WHERE person = ? "
        "ORDER BY coalesce(completed_at, started_at), item_id",
        (person,),
    ).fetchall()
    return {
        "profile": {"role": stored.role, "goal": stored.goal, "wellbeing": stored.wellbeing,
                    "updated_at": stored.updated_at},
        "progress": [{"item_id": item_id, "status": status, "started_at": started_at, "completed_at": completed_at}
                     for item_id, status, started_at, completed_at in items],
        "quizzes": [{"item_id": q.item_id, "correct": q.correct, "total": q.total, "passed": q.passed, "at": q.at}
                    for q in learning.quiz_results(db, person)],
    }


def _consent(db: sqlite_utils.Database, person: str) -> dict[str, Any]:
    row = db.execute("SELECT since FROM people WHERE author = ?", (person,)).fetchone()
    events = db.execute(
        "SELECT action, at, detail FROM audit WHERE actor = ? ORDER BY id", (person,)
    ).fetchall()
    return {
        "status": consent.person_status(db, person),
        "since": None if row is None else row[0],
        "events": [{"event": action, "at": at, "detail": json.loads(detail) if detail else {}}
                   for action, at, detail in events],
    }


def collect(db: sqlite_utils.Database, person: str) -> dict[str, Any]:
    """Everything stored under the pseudonym ``person``, as plain JSON-able data (schema
    ``teamweather-mydata/1``): ``scores`` (by day), ``pending`` (how many messages wait to be
    scored; never their text), ``flags`` (the person's flagged messages, pseudonymised, with
    the model's predictions and the reviewers' labels without the reviewers), ``learning``
    (profile, progress, quiz results), ``consent`` (status, since, and the audit rows where
    the person is the actor) and ``generated_at`` (unix seconds)."""
    pending = db.execute("SELECT count(*) FROM inbox WHERE author = ?", (person,)).fetchone()[0]
    return {
        "schema": SCHEMA,
        "generated_at": time.time(),
        "scores": _scores(db, person),
        "pending": int(pending),
        "flags": _flags(db, person),
        "learning": _learning(db, person),
        "consent": _consent(db, person),
    }


def summary(data: dict[str, Any]) -> dict[str, int | str | None]:
    """Counts for a one-screen overview of :func:`collect`'s ``data``: scores, first and last
    day scored, flags, labels, pending, items completed, items started (and not yet
    completed), quizzes, and the consent status."""
    days = [s["day"] for s in data["scores"]]
    statuses = [item["status"] for item in data["learning"]["progress"]]
    return {
        "scores": len(data["scores"]),
        "first_day": min(days) if days else None,
        "last_day": max(days) if days else None,
        "flags": len(data["flags"]),
        "labels": sum(len(f["labels"]) for f in data["flags"]),
        "pending": int(data["pending"]),
        "items_completed": statuses.count("completed"),
        "items_started": statuses.count("started"),
        "quizzes": len(data["learning"]["quizzes"]),
        "consent_status": str(data["consent"]["status"]),
    }


def messages_analysed(db: sqlite_utils.Database, person: str, since_day: str) -> int:
    """How many of the person's messages were scored on or after ``since_day`` (YYYY-MM-DD)."""
    return int(db.execute(
        "SELECT count(*) FROM scores WHERE author = ? AND day >= ?", (person, since_day)
    ).fetchone()[0])
