"""Conversation references: how to reach a person privately where the platform needs a
conversation to exist before the bot can write (Teams' personal chat with the bot), and how
to reach a channel the bot posts to on its own (the Teams review channel, issue [review]).

A reference holds ids and the service URL only (the JSON of botbuilder's
``ConversationReference``, names removed). Keys: a person's is platform-qualified
(``msteams:<aad object id>``); a channel's is ``msteams-channel:<channel id>``, which no
person's key can equal.

Stored at installation or first contact (a channel's: whenever an activity comes from it),
read when a digest, an alert or a review post is sent. Not erased by ``forget-me`` (a manager
must stay reachable, and nothing here comes from their messages), but erased with their
workspace (``storage.workspaces.purge_workspace``: the ``workspace`` column holds the Teams
tenant id).
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

__all__ = ["forget", "get", "save"]

TABLE = "conversations"


def save(
    db: sqlite_utils.Database, user: str, reference: dict[str, Any], *, workspace: str, at: float | None = None
) -> bool:
    """Store (or replace) the reference for ``user`` (platform-qualified, as
    ``msteams:<aad object id>``, or a channel's ``msteams-channel:<channel id>``); False when the
    same reference was stored already. The caller commits."""
    text = json.dumps(reference, sort_keys=True, separators=(",", ":"))
    row = db.execute(f"SELECT reference, workspace FROM {TABLE} WHERE user = ?", (user,)).fetchone()
    if row is not None and tuple(row) == (text, workspace):
        return False
    db.conn.execute(
        f"INSERT OR REPLACE INTO {TABLE} (user, workspace, reference, updated_at) VALUES (?, ?, ?, ?)",
        (user, workspace, text, time.time() if at is None else at),
    )
    return True


def get(db: sqlite_utils.Database, user: str) -> dict[str, Any] | None:
    """The reference stored for ``user``, or None."""
    row = db.execute(f"SELECT reference FROM {TABLE} WHERE user = ?", (user,)).fetchone()
    if row is None:
        return None
    reference = json.loads(row[0])
    return reference if isinstance(reference, dict) else None


def forget(db: sqlite_utils.Database, user: str) -> bool:
    """Delete the reference for ``user``; False if there was none. The caller commits."""
    return db.conn.execute(f"DELETE FROM {TABLE} WHERE user = ?", (user,)).rowcount == 1
