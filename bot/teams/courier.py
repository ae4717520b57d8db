"""Digests and alerts as Microsoft Teams personal chats: an ``Outgoing`` as a proactive message.

A Teams recipient is a person's Entra (AAD) object id. The bot can write to a person only in a
1:1 conversation it already has with them, and only after the person installed the app (or
the bot was installed for them): the inbound side stores that conversation's reference (the
JSON of botbuilder's ``ConversationReference``) then, and ``references`` looks it up here.

A message is one Adaptive Card (``bot/teams/render.py``), the chart inside it as a data URI at
the report's Chart, and the marker (team, week, kind) in the activity's ``channelData`` under
``teamweather``. Teams documents its message limit without base64 images; if it still refuses
the message as too big (413), the card goes again without the chart (same numbers, same
marker) and the chart follows as an inline image in the same chat; a failed follow-up is logged
and does not fail the digest, as on Slack.

Exactly-once is weaker than on Slack: the Bot Connector offers a bot no way to read a chat's
messages back (on Teams even ``GET /v3/conversations`` answers 405); Microsoft Graph could list
the chat's messages, but only with the tenant-wide ``Chat.Read.All`` application permission,
far more than Teamweather should hold. So :meth:`TeamsCourier.was_sent` says no,
and a send interrupted by a crash between the post and the ledger's mark is repeated once:
at-least-once on Teams.

Failures: any refusal (429 and 5xx included: the connector client does not retry) or
unreachable connector raises ``PlatformUnavailable`` naming the status and Teams' error code
only (no ids, no text: logs are a privacy surface); the delivery ledger retries later.

The scheduler calls couriers from its own thread: :meth:`TeamsCourier.send` runs the post on
the bot's event loop when the courier was given one (``loop``), else on a fresh one (as in
``teamweather digest --send``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import Any, Callable, Coroutine, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import ClientException, HttpOperationError

from bot.delivery import Outgoing
from bot.teams import render
from domain.errors import PlatformUnavailable

__all__ = ["CHANNEL_DATA_KEY", "TIMEOUT", "TeamsCourier", "describe", "run_sync"]

log = logging.getLogger(__name__)

CHANNEL_DATA_KEY = "teamweather"  # channelData[CHANNEL_DATA_KEY] is the message's marker
TIMEOUT = 120.0  # seconds one send may take, follow-up included
NOT_INSTALLED = (
    "this person has not installed the Teamweather app in Teams (nor written to it), so it "
    "cannot write to them; they can add it from the Apps page, or an admin can install it for them"
)
_T = TypeVar("_T")


class TeamsCourier:
    """Sends ``Outgoing`` messages to people in Teams, in their personal chat with the bot.

    ``adapter``: the bot's adapter (a ``CloudAdapter``); ``app_id``: the bot's Microsoft app id;
    ``references``: the stored conversation reference of a person (by Entra object id), None if
    there is none; ``loop``: the bot's event loop, where sends run when it is running;
    ``timeout``: seconds a send may take before it counts as failed.
    """

    def __init__(
        self,
        adapter: BotAdapter,
        app_id: str,
        references: Callable[[str], dict[str, Any] | None],
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self._references = references
        self._loop = loop
        self._timeout = timeout

    def send(self, recipient: str, message: Outgoing) -> None:
        """Post ``message`` in the personal chat with ``recipient``; raise PlatformUnavailable
        if there is no such chat or Teams refused the message."""
        reference = self._reference(recipient)
        self._run(self._deliver(reference, message))

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        """Always False: no API lets the bot read back a 1:1 chat (see the module's docstring),
        so an interrupted send is made again (at-least-once)."""
        return False

    def group_members(self, group: str) -> list[str]:
        """Teams has no user groups Teamweather reads: always PlatformUnavailable."""
        raise PlatformUnavailable(
            "Teams has no user groups Teamweather can read; list the people as the team's managers instead"
        )

    def _reference(self, recipient: str) -> ConversationReference:
        data = self._references(recipient)
        if data is None:
            raise PlatformUnavailable(NOT_INSTALLED)
        try:
            reference = ConversationReference.from_dict(data)
        except (ValueError, TypeError, AttributeError, ClientException):
            reference = None
        if reference is None or not reference.service_url or reference.conversation is None or not reference.conversation.id:
            raise PlatformUnavailable(
                "the stored Teams conversation with this person cannot be used; it is stored again when they write to the app"
            )
        return reference

    def _run(self, work: Coroutine[Any, Any, _T]) -> _T:
        return run_sync(work, self._loop, self._timeout)

    async def _deliver(self, reference: ConversationReference, message: Outgoing) -> None:
        with_chart = message.chart_png is not None and len(message.chart_png) <= render.IMAGE_LIMIT
        try:
            try:
                await self._post(reference, message, render.activity(
                    message.report, message.text, message.chart_png, message.chart_title))
                if message.chart_png is not None and not with_chart:
                    log.warning("%s for %s, %s went without its chart: the chart is over Teams' image size limit",
                                message.kind, message.team, message.week)
                return
            except HttpOperationError as exc:
                if not (with_chart and _status(exc) == 413):
                    raise
            await self._post(reference, message, render.activity(message.report, message.text))  # the numbers
        except (ClientException, OSError) as exc:
            raise PlatformUnavailable(describe(exc)) from exc
        await self._send_chart_after(reference, message)

    async def _post(self, reference: ConversationReference, message: Outgoing, activity: dict[str, Any]) -> None:
        outgoing = Activity.deserialize({**activity, "channelData": {CHANNEL_DATA_KEY: message.marker}})

        async def post(turn: TurnContext) -> None:
            await turn.send_activity(outgoing)

        await self.adapter.continue_conversation(reference, post, self.app_id)

    async def _send_chart_after(self, reference: ConversationReference, message: Outgoing) -> None:
        """Send the chart as an inline image of its own, after a digest that went without it.
        The digest has been delivered: a failure here is logged (no ids, no text), not raised."""
        assert message.chart_png is not None
        image = {"type": "message", "attachments": [{
            "contentType": "image/png", "contentUrl": render.chart_uri(message.chart_png),
            "name": f"teamweather-{message.week}.png"}]}
        try:
            await self._post(reference, message, image)
        except (ClientException, OSError) as exc:
            log.warning("%s for %s, %s went without its chart, and the chart could not follow: %s",
                        message.kind, message.team, message.week, describe(exc))


def run_sync(work: Coroutine[Any, Any, _T], loop: asyncio.AbstractEventLoop | None, timeout: float) -> _T:
    """Run ``work`` from a synchronous thread: on ``loop`` (the bot's) when it is running, else
    on a fresh loop; PlatformUnavailable past ``timeout`` seconds."""
    if loop is not None and loop.is_running():
        if _running_loop() is loop:
            work.close()
            raise RuntimeError("a Teams send waits for the bot's event loop: call it from another thread")
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise PlatformUnavailable(f"Teams did not answer within {timeout:g} s") from None
    try:
        return asyncio.run(asyncio.wait_for(work, timeout))
    except asyncio.TimeoutError:
        raise PlatformUnavailable(f"Teams did not answer within {timeout:g} s") from None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _status(exc: HttpOperationError) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def describe(exc: Exception) -> str:
    """Why a post failed, for the ledger and the log: the HTTP status and Teams' error code, or
    the exception's type; never its message (it can hold conversation ids)."""
    if isinstance(exc, HttpOperationError):
        error = getattr(getattr(exc, "error", None), "error", None)
        code = getattr(error, "code", None)
        suffix = f" ({code})" if isinstance(code, str) and code.isidentifier() else ""
        return f"Teams answered {_status(exc) or 'an error'}{suffix}"
    return f"cannot reach Teams ({type(exc).__name__})"
