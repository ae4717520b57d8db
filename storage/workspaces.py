"""Workspaces that removed the app, and erasing everything stored from one workspace.

A removal is recorded once (``app_uninstalled``, or the bot token revoked), keeps its row after
the workspace's data is purged, and is cleared when the app is seen working there again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlite_utils

Reason = Literal["app_uninstalled", "tokens_revoked"]
REASONS: tuple[Reason, ...] = ("app_uninstalled", "tokens_revoked")
TABLE = "removed_workspaces"


@dataclass(frozen=True, slots=True)
class Removal:
    """A workspace that removed the app."""

    workspace: str
    removed_at: float  # unix seconds
    reason: Reason
    purged_at: float | None = None  # when its data was purged; None until then


def mark_removed(db: sqlite_utils.Database, workspace: str, reason: Reason, at: float) -> bool:
    """Record that ``workspace`` removed the app; False if it was already recorded (the
    first reason and time are kept: Slack sends both events on an uninstall)."""
    cur = db.conn.execute(
        f"INSERT OR IGNORE INTO {TABLE} (workspace, removed_at, reason) VALUES (?, ?, ?)",
        (workspace, at, reason),
    )
    return cur.rowcount == 1


def removal(db: sqlite_utils.Database, workspace: str) -> Removal | None:
    """The removal recorded for ``workspace``, or None."""
    row = db.execute(
        f"SELECT workspace, removed_at, reason, purged_at FROM {TABLE} WHERE workspace = ?",
        (workspace,),
    ).fetchone()
    return None if row is None else Removal(*row)


def removed(db: sqlite_utils.Database, *, purged: bool | None = None) -> list[Removal]:
    """Every recorded removal, oldest first; ``purged`` True/False keeps only those whose
    data was / was not purged yet."""
    where = {None: "", True: "WHERE purged_at IS NOT NULL", False: "WHERE purged_at IS NULL"}[purged]
    rows = db.execute(
        f"SELECT workspace, removed_at, reason, purged_at FROM {TABLE} {where} ORDER BY removed_at, workspace"
    ).fetchall()
    return [Removal(*row) for row in rows]


def clear(db: sqlite_utils.Database, workspace: str) -> bool:
    """Forget the removal (the app works there again); False if none was recorded."""
    return db.conn.execute(f"DELETE FROM {TABLE} WHERE workspace = ?", (workspace,)).rowcount == 1


def mark_purged(db: sqlite_utils.Database, workspace: str, at: float) -> bool:
    """Note that the removed workspace's data was purged; False if it is not recorded as removed."""
    cur = db.conn.execute(f"UPDATE {TABLE} SET purged_at = ? WHERE workspace = ?", (at, workspace))
    return cur.rowcount == 1


def due_for_purge(db: sqlite_utils.Database, removed_before: float) -> list[str]:
    """Workspaces removed before ``removed_before`` (unix seconds) whose data is still here."""
    rows = db.execute(
        f"SELECT workspace FROM {TABLE} WHERE purged_at IS NULL AND removed_at < ? ORDER BY removed_at",
        (removed_before,),
    ).fetchall()
    return [workspace for (workspace,) in rows]


def unenroll_channels(db: sqlite_utils.Database, workspace: str) -> int:
    """Stop collecting in every enrolled channel of ``workspace``; returns how many."""
    return db.conn.execute("DELETE FROM channels WHERE workspace = ?", (workspace,)).rowcount


def data_tables(db: sqlite_utils.Database) -> list[str]:
    """The tables holding rows derived from a workspace: every table with a ``workspace``
    column (channels, inbox, scores, and any added later), except the removal record itself.

    Not among them: ``people`` (pause/forget-me state, keyed by pseudonym; a pseudonym cannot be
    tied to a workspace without the key and the user id, and a forget-me must keep holding),
    ``seen_events`` (event ids only, dropped after a day), ``deliveries``, ``alerts`` and
    ``suggestions`` (per
    configured team, team-level figures only, purged by the retention rules) and ``audit``."""
    return [
        name
        for name in sorted(db.table_names())
        if name != TABLE and "workspace" in db[name].columns_dict
    ]


def row_counts(db: sqlite_utils.Database, workspace: str) -> dict[str, int]:
    """How many rows each data table holds for ``workspace``."""
    return {
        table: int(db.execute(f'SELECT count(*) FROM "{table}" WHERE workspace = ?', (workspace,)).fetchone()[0])
        for table in data_tables(db)
    }


def known(db: sqlite_utils.Database, workspace: str) -> bool:
    """Whether anything is stored about ``workspace``: a removal, or rows in a data table."""
    return removal(db, workspace) is not None or any(row_counts(db, workspace).values())


def purge_workspace(db: sqlite_utils.Database, workspace: str) -> dict[str, int]:
    """Delete every row derived from ``workspace`` (see ``data_tables``); return the counts
    per table. The caller commits (and records the purge)."""
    return {
        table: db.conn.execute(f'DELETE FROM "{table}" WHERE workspace = ?', (workspace,)).rowcount
        for table in data_tables(db)
    }
