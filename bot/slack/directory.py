"""The workspace member directory: names to strip from messages, kept fresh from users.list."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from analyzers.pseudonymise import Member, Pseudonymiser
from bot.slack.channels import SLACK_CALL_ERRORS, slack_call_error

log = logging.getLogger(__name__)


def member_from_user(user: dict[str, Any]) -> Member:
    """The names a person can be called by, from one ``users.list`` entry."""
    profile = user.get("profile") or {}
    names = (
        user.get("name"),
        user.get("real_name"),
        profile.get("real_name"),
        profile.get("display_name"),
        profile.get("first_name"),
        profile.get("last_name"),
    )
    return Member(user_id=str(user["id"]), names=tuple(dict.fromkeys(n for n in names if n)))


async def fetch_members(client: AsyncWebClient) -> list[Member]:
    """Every member of the workspace (deleted ones too: old messages still name them)."""
    members: list[Member] = []
    async for page in await client.users_list(limit=200):
        members.extend(member_from_user(u) for u in page.get("members", []) if not u.get("is_bot"))
    return members


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        data = exc.response.data
        code = data.get("error") if isinstance(data, dict) else None
        return f"users.list answered {code or f'HTTP {exc.response.status_code}'}"
    return f"users.list failed: {type(exc).__name__}"


async def load(client: AsyncWebClient, pseudonymiser: Pseudonymiser) -> None:
    """The first load, before any message is handled: without the directory, member names
    would reach the inbox, so failing here stops start-up (one line: the cause and the fix)."""
    try:
        members = await fetch_members(client)
    except SLACK_CALL_ERRORS as exc:
        error = slack_call_error(exc, "users.list", client.base_url)
        raise type(error)(
            f"could not load the member directory: {error} (Teamweather does not start without "
            "it, because member names must be stripped from messages)"
        ) from None
    await asyncio.to_thread(pseudonymiser.set_members, members)
    log.info("member directory loaded: %d people", len(members))


async def refresh(client: AsyncWebClient, pseudonymiser: Pseudonymiser) -> bool:
    """Reload the directory into the pseudonymiser; on failure keep the old one, return False."""
    try:
        members = await fetch_members(client)
    except (SlackApiError, aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        log.error("%s; keeping the previous member directory", _reason(exc))
        return False
    # Building the matcher for thousands of names takes a moment: keep it off the event loop.
    await asyncio.to_thread(pseudonymiser.set_members, members)
    log.info("member directory loaded: %d people", len(members))
    return True


async def keep_fresh(
    client: AsyncWebClient, pseudonymiser: Pseudonymiser, every_seconds: float
) -> None:
    """Refresh the directory every ``every_seconds``, for ever."""
    while True:
        await asyncio.sleep(every_seconds)
        await refresh(client, pseudonymiser)
