"""When a workspace removes the app: stop collecting there, tell the admins, erase its data.

Platform-neutral: the Slack adapter (``bot/slack/lifecycle.py``) turns ``app_uninstalled`` and a
revoked bot token into ``workspace_removed``; the retention job and ``teamweather purge`` call
``purge``.

- Removal: the workspace is recorded as removed, its enrolled channels are turned off (so
  nothing more is collected even if a late event arrives) and the audit table says so.
- Digests: a deployment has one bot token, and removal revokes it, so the weekly digest and
  its retries are skipped while some workspace is removed and no channel is enrolled in any
  other workspace (``digests_blocked``).
- Return: a request from the workspace that can only come from an installed app (a slash
  command, or an event that happened after the removal) clears the mark. Channels stay off:
  an admin enrols them again, which posts the notice again.
- Purge: everything stored from the workspace (``storage.workspaces.data_tables``), now with
  ``teamweather purge --workspace`` or by the daily retention job once
  ``privacy.uninstall_grace_days`` have passed. The removal record stays, marked purged.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import texts
from bot.config import Settings
from domain.errors import ConfigError
from storage import audit, connect, consent, workspaces
from storage.workspaces import Reason, Removal

log = logging.getLogger(__name__)

DAY = 24 * 3600
UTC = ZoneInfo("UTC")


def workspace_removed(db: sqlite_utils.Database, workspace: str, reason: Reason, now: float) -> bool:
    """Record that ``workspace`` removed the app and turn its channels off; False if it was
    already recorded (an uninstall sends both ``tokens_revoked`` and ``app_uninstalled``)."""
    with db.conn:
        if not workspaces.mark_removed(db, workspace, reason, now):
            return False
        channels = workspaces.unenroll_channels(db, workspace)
        audit.record(db, "workspace_removed", actor="system", subject=workspace,
                     detail={"reason": reason, "channels_unenrolled": channels}, at=now)
    log.warning(
        "Teamweather was removed from workspace %s (%s): stopped collecting in its %d enrolled "
        "channel(s); its data stays until purged (teamweather purge --workspace %s, or the "
        "retention job after privacy.uninstall_grace_days)",
        workspace, reason, channels, workspace,
    )
    return True


def workspace_returned(db: sqlite_utils.Database, workspace: str, now: float) -> bool:
    """The app works in ``workspace`` again: clear its removal; False if none was recorded."""
    with db.conn:
        found = workspaces.removal(db, workspace)
        if found is None:
            return False
        workspaces.clear(db, workspace)
        audit.record(db, "workspace_returned", actor="system", subject=workspace,
                     detail={"removed_at": found.removed_at, "purged": found.purged_at is not None}, at=now)
    log.warning("Teamweather is installed in workspace %s again; enrol its channels with /teamweather optin", workspace)
    return True


def removed_at(db: sqlite_utils.Database) -> dict[str, float]:
    """Each workspace recorded as removed, with when (unix seconds)."""
    return {r.workspace: r.removed_at for r in workspaces.removed(db)}


def purge(db: sqlite_utils.Database, workspace: str, now: float, *, trigger: str) -> dict[str, int]:
    """Erase every row stored from ``workspace``, note it on its removal record (if any) and in
    the audit table; return the counts per table. ``trigger`` says who asked (``cli``,
    ``retention``)."""
    with db.conn:
        counts = workspaces.purge_workspace(db, workspace)
        workspaces.mark_purged(db, workspace, now)
        audit.record(db, "workspace_purged", actor="system", subject=workspace,
                     detail={**counts, "trigger": trigger}, at=now)
    log.info("purged workspace %s (%s): %s", workspace, trigger, counts)
    return counts


def purge_due(db: sqlite_utils.Database, grace_days: int, now: float) -> dict[str, dict[str, int]]:
    """Purge the workspaces removed more than ``grace_days`` ago; their counts by workspace."""
    return {
        workspace: purge(db, workspace, now, trigger="retention")
        for workspace in workspaces.due_for_purge(db, now - grace_days * DAY)
    }


def digests_blocked(db: sqlite_utils.Database) -> list[str]:
    """The removed workspaces that stop the weekly digest, or ``[]`` when it may run.

    Config teams name channels, not workspaces, and the deployment sends with one bot token,
    which a removal revokes: the digest is skipped while a workspace is recorded as removed and
    no channel is enrolled in any workspace that is not (a removed one's were turned off)."""
    gone = removed_at(db)
    if not gone or any(ws not in gone for ws, _ in consent.enrolled_channels(db)):
        return []
    return sorted(gone)


def purge_after(removal: Removal, grace_days: int, zone: ZoneInfo = UTC) -> dt.datetime:
    """When the retention job may purge the removed workspace (local time in ``zone``)."""
    return dt.datetime.fromtimestamp(removal.removed_at + grace_days * DAY, zone)


def notices(db: sqlite_utils.Database, grace_days: int, now: float, zone: ZoneInfo = UTC) -> list[str]:
    """One line per removed workspace whose data is still stored, for the admins: when it was
    removed, when the data goes, and the command to purge it now."""
    lines = []
    for removal in workspaces.removed(db, purged=False):
        removed = dt.datetime.fromtimestamp(removal.removed_at, zone)
        after = purge_after(removal, grace_days, zone)
        when = (
            texts.WORKSPACE_PURGE_DUE.format(grace=grace_days)
            if after.timestamp() <= now
            else texts.WORKSPACE_PURGE_AFTER.format(when=f"{after:%Y-%m-%d %H:%M %Z}", grace=grace_days)
        )
        lines.append(texts.WORKSPACE_REMOVED_NOTICE.format(
            workspace=removal.workspace,
            date=f"{removed:%Y-%m-%d %H:%M %Z}",
            reason=texts.REMOVAL_REASONS[removal.reason],
            purge=when,
        ))
    return lines


def notices_in(settings: Settings, now: float, source: str = "settings") -> list[str]:
    """``notices`` from the database ``settings`` names (for ``teamweather check``); none when
    that database does not exist yet."""
    if str(settings.database) != ":memory:" and not Path(settings.database).exists():
        return []
    try:
        db = connect(settings.database)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise ConfigError(f"{source}: database: cannot read {settings.database} ({exc})") from None
    try:
        return notices(db, settings.privacy.uninstall_grace_days, now, ZoneInfo(settings.timezone))
    finally:
        db.close()


def log_notices(db: sqlite_utils.Database, grace_days: int, now: float, zone: ZoneInfo = UTC) -> list[str]:
    """Log ``notices`` as warnings (at start-up) and return them."""
    lines = notices(db, grace_days, now, zone)
    for line in lines:
        log.warning("%s", line)
    return lines
