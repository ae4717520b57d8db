"""The Teams team each enrolled channel belongs to, so that removing the app from a team turns
off that team's channels, and no other team's.

Kept in ``channels.team`` (migration V7) rather than a table of its own: the team lives and
dies with the channel's enrolment (an opt-out, a workspace removal and a workspace purge
delete the row, the team with it), so nothing here can outlive what it describes. ``team`` is
NULL on Slack, and for a Teams channel enrolled before V7 until the adapter sees the team
again (a message or a command from the channel). A team's General channel has the team's own
id, so it is found even before that.
"""

from __future__ import annotations

import sqlite_utils

__all__ = ["of_team", "record", "unenroll_team"]

_OF_TEAM = "workspace = ? AND (team = ? OR channel = ?)"


def record(db: sqlite_utils.Database, workspace: str, channel: str, team: str) -> bool:
    """Note ``team`` as the team of ``channel`` if the channel is enrolled; whether it is.
    The caller commits."""
    db.conn.execute(
        "UPDATE channels SET team = ? WHERE workspace = ? AND channel = ? AND team IS NOT ?",
        (team, workspace, channel, team),
    )
    row = db.execute("SELECT 1 FROM channels WHERE workspace = ? AND channel = ?", (workspace, channel)).fetchone()
    return row is not None


def of_team(db: sqlite_utils.Database, workspace: str, team: str) -> list[str]:
    """The enrolled channels of ``team`` in ``workspace`` (the Teams tenant)."""
    rows = db.execute(f"SELECT channel FROM channels WHERE {_OF_TEAM} ORDER BY channel", (workspace, team, team))
    return [channel for (channel,) in rows]


def unenroll_team(db: sqlite_utils.Database, workspace: str, team: str) -> list[str]:
    """Stop collecting in every enrolled channel of ``team``; the channels turned off. The
    caller commits."""
    channels = of_team(db, workspace, team)
    db.conn.execute(f"DELETE FROM channels WHERE {_OF_TEAM}", (workspace, team, team))
    return channels
