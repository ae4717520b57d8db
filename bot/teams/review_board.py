"""The review channel on Microsoft Teams (issue [review]): :class:`TeamsReviewBoard` implements
:class:`bot.review.ReviewBoard` for ``review.channel: msteams:19:…@thread.tacv2``.

Each flag is a new conversation thread in the channel (the Bot Connector's create conversation
with the channel in its ``channelData``, as botbuilder's
``TeamsInfo.send_message_to_teams_channel`` does), its first message the review card
(``bot/teams/render.py``). Where it is (``post``): the thread's conversation id
(``19:…;messageid=<card id>``), the card's activity id and the service URL: ids only. An update
replaces the card (``PUT …/activities/<card id>``); a reply goes to the thread's reply chain.

The bot can write to a channel only in a team it was added to, and the Bot Connector needs the
team's service URL and tenant: the inbound side stores the channel's address
(``storage.conversations``, ``msteams-channel:<channel id>``) whenever an activity comes from it
(the app installed in the team, a message in the channel). Until then, and whenever Teams
refuses, :class:`~domain.errors.PlatformUnavailable` is raised (its message names no ids and
no text) and the scheduled job tries again on its next run.

Like ``bot/teams/courier.py``'s ``TeamsCourier`` (whose machinery it uses), it is called from
the scheduler's thread: the work runs on the bot's event loop when given one (``loop``), else
on a fresh one (outside a running bot).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Mapping

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity, ActivityTypes, ChannelAccount, ConversationAccount, ConversationParameters, ConversationReference,
)
from msrest.exceptions import ClientException

from bot.report import Report
from bot.teams import render
from bot.teams.courier import TIMEOUT, describe, run_sync
from domain.errors import PlatformUnavailable

__all__ = ["NOT_IN_TEAM", "TeamsReviewBoard"]

log = logging.getLogger(__name__)

CHANNEL = "msteams"
NOT_IN_TEAM = (
    "Teamweather does not know the Teams review channel yet: add the Teamweather app to the team "
    "that holds the review channel (or, if it is already there, write a message in the channel), "
    "then the flagged messages are posted at the next run"
)
_THREAD = ";messageid="


class TeamsReviewBoard:
    """Review posts in a Teams channel.

    ``adapter``: the bot's adapter (a ``CloudAdapter``); ``app_id``: the bot's Microsoft app id;
    ``addresses``: the stored address of a channel (the JSON of a ``ConversationReference``:
    service URL, tenant, the bot's id), None when none is stored; ``loop``: the bot's event
    loop, where the work runs when it is running; ``timeout``: seconds one call may take.
    """

    def __init__(
        self,
        adapter: BotAdapter,
        app_id: str,
        addresses: Callable[[str], dict[str, Any] | None],
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self._addresses = addresses
        self._loop = loop
        self._timeout = timeout

    # -- bot.review.ReviewBoard ---------------------------------------------------------------

    def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
        """Start a thread in ``channel`` (its ``19:…`` id) with the card of ``report``; returns
        ``{"conversation", "activity", "service_url"}``."""
        address = self._address(channel)
        return run_sync(self._post(address, channel, report, text), self._loop, self._timeout)

    def update(self, post: Mapping[str, Any], report: Report, text: str) -> None:
        """Replace the card of ``post`` with that of ``report``."""
        thread, card, service_url = _where(post)
        run_sync(self._continue(thread, service_url, self._update(card, report, text)), self._loop, self._timeout)

    def reply(self, post: Mapping[str, Any], text: str) -> None:
        """Say ``text`` (``bot/texts.py`` Markdown) in the reply chain of ``post``."""
        thread, card, service_url = _where(post)
        run_sync(self._continue(thread, service_url, self._reply(card, text)), self._loop, self._timeout)

    # -- the work -------------------------------------------------------------------------------

    def _address(self, channel: str) -> ConversationReference:
        data = self._addresses(channel)
        if data is None:
            raise PlatformUnavailable(NOT_IN_TEAM)
        try:
            reference = ConversationReference.from_dict(data)
        except (ValueError, TypeError, AttributeError, ClientException):
            reference = None
        if reference is None or not reference.service_url or reference.conversation is None:
            raise PlatformUnavailable(
                "the stored address of the Teams review channel cannot be used; it is stored again "
                "when an activity comes from the channel")
        return reference

    def _bot(self) -> ChannelAccount | None:
        return ChannelAccount(id=f"28:{self.app_id}") if self.app_id else None

    async def _post(self, address: ConversationReference, channel: str, report: Report, text: str) -> dict[str, Any]:
        tenant = address.conversation.tenant_id
        channel_data: dict[str, Any] = {"channel": {"id": channel}}
        if tenant:
            channel_data["tenant"] = {"id": tenant}
        parameters = ConversationParameters(
            is_group=True, bot=address.bot or self._bot(), tenant_id=tenant, channel_data=channel_data,
            activity=Activity().deserialize(render.activity(report, text)),
        )
        created: dict[str, str] = {}

        async def note(turn: TurnContext) -> None:
            created["conversation"] = turn.activity.conversation.id
            created["activity"] = turn.activity.id

        try:
            await self.adapter.create_conversation(self.app_id, note, parameters, CHANNEL, address.service_url)
        except (ClientException, OSError) as exc:
            raise PlatformUnavailable(describe(exc)) from exc
        conversation = created.get("conversation") or ""
        # The thread's id names its first message; botbuilder invents an activity id when
        # Teams returns none, so the one in the thread's id comes first.
        head, _, card = conversation.partition(_THREAD)
        card = card or created.get("activity") or ""
        if not head or not card:
            raise PlatformUnavailable("Teams answered without the new thread's ids")
        return {"conversation": f"{head}{_THREAD}{card}", "activity": card, "service_url": address.service_url}

    async def _continue(self, thread: str, service_url: str, work: Callable[[TurnContext], Any]) -> None:
        reference = ConversationReference(
            channel_id=CHANNEL, service_url=service_url, bot=self._bot(),
            conversation=ConversationAccount(id=thread, is_group=True, conversation_type="channel"),
        )
        try:
            await self.adapter.continue_conversation(reference, work, self.app_id)
        except (ClientException, OSError) as exc:
            raise PlatformUnavailable(describe(exc)) from exc

    def _update(self, card: str, report: Report, text: str) -> Callable[[TurnContext], Any]:
        async def update(turn: TurnContext) -> None:
            activity = Activity().deserialize(render.activity(report, text))
            activity.id = card
            await turn.update_activity(activity)

        return update

    def _reply(self, card: str, text: str) -> Callable[[TurnContext], Any]:
        async def reply(turn: TurnContext) -> None:
            message = Activity(type=ActivityTypes.message, text=render.reply_text(text), text_format="markdown")
            reference = TurnContext.get_conversation_reference(turn.activity)
            reference.activity_id = card  # a reply to the card: in its reply chain
            await turn.adapter.send_activities(turn, [TurnContext.apply_conversation_reference(message, reference)])

        return reply


def _where(post: Mapping[str, Any]) -> tuple[str, str, str]:
    """The thread's conversation id, the card's activity id and the service URL of ``post``."""
    conversation, card, service_url = post.get("conversation"), post.get("activity"), post.get("service_url")
    if not (isinstance(conversation, str) and isinstance(card, str) and isinstance(service_url, str)
            and conversation and card and service_url):
        raise PlatformUnavailable("the review post's stored address cannot be used on Teams")
    head = conversation.partition(_THREAD)[0]
    return f"{head}{_THREAD}{card}", card, service_url
