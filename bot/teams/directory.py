"""The Teams member directory: the names of the people in each team the bot is in, for the
pseudonymiser to strip (its ``msteams`` source, beside Slack's).

Teams has no workspace-wide member list a bot can read; each team's roster comes from the Bot
Connector (``TeamsInfo.get_paged_team_members``) within a turn. So a team is listed when the bot
is installed in it, or when a message comes from a team not listed yet: that message waits for
the roster (names must be stripped before anything is stored) and is answered 503 if it cannot
be had. Every listed team is refreshed every ``msteams.directory_refresh_minutes`` (a failed
refresh keeps the names it had). Teams are kept in memory: after a restart each team is listed
again by its first message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from analyzers.pseudonymise import Member, Pseudonymiser

log = logging.getLogger(__name__)

__all__ = ["DirectoryUnavailable", "TeamsDirectory", "member_from_account"]

SOURCE = "msteams"
FETCH_TIMEOUT = 10.0  # seconds: Teams waits about 15 s for the answer to an activity
PAGE_SIZE = 500


class DirectoryUnavailable(RuntimeError):
    """A team's roster could not be fetched, so its messages cannot be pseudonymised yet."""


@dataclass
class _Team:
    service_url: str
    tenant: str | None
    members: tuple[Member, ...]
    fetched_at: float


def member_from_account(account: Any) -> Member | None:
    """The names a person can be called by, from one roster entry (a ``TeamsChannelAccount``)."""
    names = tuple(dict.fromkeys(
        n for n in (getattr(account, "name", None), getattr(account, "given_name", None),
                    getattr(account, "surname", None)) if isinstance(n, str) and n.strip()
    ))
    user = getattr(account, "aad_object_id", None) or getattr(account, "id", None)
    return Member(str(user), names) if user else None


async def fetch_members(turn: TurnContext, team_id: str) -> list[Member]:
    """Every member of the team, page by page."""
    members: list[Member] = []
    token: str | None = None
    while True:
        page = await TeamsInfo.get_paged_team_members(turn, team_id, token, PAGE_SIZE)
        members.extend(m for m in map(member_from_account, page.members or []) if m is not None)
        token = page.continuation_token
        if not token:
            return members


class TeamsDirectory:
    """The rosters of the teams seen so far, published to the pseudonymiser as one source."""

    def __init__(self, pseudonymiser: Pseudonymiser, refresh_seconds: float) -> None:
        self.pseudonymiser = pseudonymiser
        self.refresh_seconds = refresh_seconds
        self._teams: dict[str, _Team] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._retired: set[str] = set()  # teams the app was removed from

    def knows(self, team_id: str) -> bool:
        """Whether the team's roster was loaded."""
        return team_id in self._teams

    async def ensure(self, turn: TurnContext, team_id: str, tenant: str | None) -> None:
        """Load the team's roster unless it is loaded: DirectoryUnavailable if it cannot be."""
        self._retired.discard(team_id)  # the app is in the team (again)
        if team_id in self._teams:
            return
        task = self._pending.get(team_id)
        if task is None:  # one fetch per team, however many of its messages wait for it
            task = asyncio.ensure_future(self._load(turn, team_id, tenant))
            self._pending[team_id] = task
            task.add_done_callback(lambda _: self._pending.pop(team_id, None))
        try:
            await asyncio.shield(task)
        except Exception as exc:
            raise DirectoryUnavailable(f"the roster of a team could not be loaded ({_reason(exc)})") from None

    async def _load(self, turn: TurnContext, team_id: str, tenant: str | None) -> None:
        members = await asyncio.wait_for(fetch_members(turn, team_id), FETCH_TIMEOUT)
        self._teams[team_id] = _Team(turn.activity.service_url, tenant, tuple(members), time.monotonic())
        await self._publish()
        log.info("Teams member directory: a team of %d people added (%d teams)", len(members), len(self._teams))

    async def _publish(self) -> None:
        everyone = [m for team in list(self._teams.values()) for m in team.members]
        # Building the matcher for thousands of names takes a moment: keep it off the event loop.
        await asyncio.to_thread(self.pseudonymiser.set_members, everyone, SOURCE)

    def retire(self, team_id: str) -> None:
        """The app was removed from the team: stop refreshing its roster (it could not be read
        any more). Its names stay: its people may still be named in other teams' channels."""
        self._retired.add(team_id)

    async def refresh(self, adapter: BotAdapter, app_id: str) -> int:
        """Reload every listed team's roster (a team that fails keeps its names); how many failed."""
        failed = 0
        for team_id, team in list(self._teams.items()):
            if team_id in self._retired:
                continue
            reference = ConversationReference(
                channel_id="msteams", service_url=team.service_url,
                conversation=ConversationAccount(id=team_id, is_group=True, conversation_type="channel",
                                                 tenant_id=team.tenant),
                bot=ChannelAccount(id=f"28:{app_id}" if app_id else ""),
            )
            fetched: list[Member] = []

            async def fetch(turn: TurnContext, team_id: str = team_id, into: list[Member] = fetched) -> None:
                into.extend(await fetch_members(turn, team_id))

            try:
                await asyncio.wait_for(adapter.continue_conversation(reference, fetch, app_id), FETCH_TIMEOUT)
            except Exception as exc:
                failed += 1
                log.error("Teams roster refresh failed (%s); keeping the team's previous names", _reason(exc))
                continue
            team.members, team.fetched_at = tuple(fetched), time.monotonic()
        if len(self._teams) > failed:
            await self._publish()
        return failed

    async def keep_fresh(self, adapter: BotAdapter, app_id: str) -> None:
        """Refresh every ``refresh_seconds``, for ever."""
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self.refresh(adapter, app_id)


def _reason(exc: BaseException) -> str:
    """An exception as its type and HTTP status, never its message (it may quote a body)."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return f"{type(exc).__name__}{f', HTTP {status}' if status else ''}"
