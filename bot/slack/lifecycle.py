"""Slack's lifecycle events → ``bot.lifecycle``: the app uninstalled, its bot token revoked,
and the app seen working again in a workspace that had removed it.

Bolt does not call ``auth.test`` for ``app_uninstalled`` and ``tokens_revoked`` (the token is
already dead), so these listeners run even after the removal.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from slack_bolt.async_app import AsyncApp

from bot import lifecycle
from bot.core import Teamweather
from storage.workspaces import Reason

log = logging.getLogger(__name__)

LIFECYCLE_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})
Run = Callable[[Callable[[], Any]], Awaitable[Any]]


async def _direct(fn: Callable[[], Any]) -> Any:
    return fn()


def workspace_of(body: dict[str, Any], context: Any = None) -> str | None:
    """The workspace a request comes from, as the core keys it (the envelope's ``team_id``);
    an org-wide installation's enterprise id when there is no team."""
    team = body.get("team_id") or getattr(context, "team_id", None)
    return str(team or body.get("enterprise_id") or getattr(context, "enterprise_id", None) or "") or None


def register_lifecycle(app: AsyncApp, core: Teamweather, run: Run | None = None) -> None:
    """Listen to ``app_uninstalled`` and ``tokens_revoked``, and clear a removal when the app is
    seen working in that workspace again. ``run`` runs each storage call (default: directly)."""
    store: Run = run or _direct
    removed: dict[str, float] | None = None  # workspace -> when removed; read on first request

    async def removals() -> dict[str, float]:
        nonlocal removed
        if removed is None:
            removed = await store(lambda: lifecycle.removed_at(core.db))
        return removed

    async def workspace_removed(body: dict[str, Any], context: Any, reason: Reason) -> None:
        workspace = workspace_of(body, context)
        if workspace is None:
            log.warning("%s without a workspace id: ignored", reason)
            return
        now = core.clock()
        await store(lambda: lifecycle.workspace_removed(core.db, workspace, reason, now))
        (await removals()).setdefault(workspace, now)

    @app.event("app_uninstalled")
    async def on_app_uninstalled(body: dict[str, Any], context: Any) -> None:
        await workspace_removed(body, context, "app_uninstalled")

    @app.event("tokens_revoked")
    async def on_tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        # Only a revoked bot token stops Teamweather; it uses no user (oauth) token.
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):
            await workspace_removed(body, context, "tokens_revoked")

    @app.middleware
    async def notice_return(body: dict[str, Any], context: Any, next: Callable[[], Awaitable[Any]]) -> Any:
        if isinstance(body, dict):
            gone = await removals()
            workspace = workspace_of(body, context) if gone else None
            if workspace is not None and workspace in gone and _proves_installed(body, gone[workspace]):
                back = workspace
                await store(lambda: lifecycle.workspace_returned(core.db, back, core.clock()))
                gone.pop(back, None)
        return await next()


def _proves_installed(body: dict[str, Any], removed_at: float) -> bool:
    """A request only an installed app receives: a slash command, or an event (other than a
    lifecycle one) that happened after the removal; a retried older event proves nothing."""
    if body.get("command"):
        return True
    if body.get("type") != "event_callback":
        return False
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") in LIFECYCLE_EVENTS:
        return False
    event_time = body.get("event_time")
    return isinstance(event_time, (int, float)) and event_time > removed_at
