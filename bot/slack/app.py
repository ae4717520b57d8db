"""The Slack adapter: a slack-bolt AsyncApp that converts in, calls the core, converts out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.core import Teamweather
from bot.slack.convert import Deletion, from_command, from_message_event

log = logging.getLogger(__name__)

COMMAND = "/teamweather"


def build_app(
    core: Teamweather,
    *,
    signing_secret: str,
    client: AsyncWebClient,
    authorize: Callable[..., Awaitable[AuthorizeResult]] | None = None,
) -> AsyncApp:
    """The Bolt app. Events are acked only after the core has committed them to the inbox
    (``process_before_response``), so an acked message is never lost.

    Without ``authorize``, Bolt identifies the bot with ``auth.test`` on first use."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        authorize=authorize,
        logger=logging.getLogger("slack_bolt.teamweather"),
    )
    background: set[asyncio.Task[None]] = set()

    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        converted = from_message_event(event, body, context.bot_user_id)
        if isinstance(converted, Deletion):
            core.delete(converted.workspace, converted.channel, converted.ts)
        elif converted is not None:
            core.receive(converted)

    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        try:
            reply = core.command(from_command(command))
        except Exception:
            log.exception("/teamweather failed")
            await ack(text=texts.INTERNAL_ERROR, response_type="ephemeral")
            return
        await ack(text=reply.text, response_type="in_channel" if reply.public else "ephemeral")
        if reply.join_channel:
            task = asyncio.create_task(_join(app.client, command["channel_id"], respond))
            background.add(task)
            task.add_done_callback(background.discard)

    app.command(COMMAND)(on_command)
    return app


async def _join(client: AsyncWebClient, channel: str, respond: Any) -> None:
    """Join an enrolled public channel so its messages reach us; ask for an invite otherwise."""
    try:
        await client.conversations_join(channel=channel)
    except SlackApiError as exc:
        log.warning("could not join channel %s: %s", channel, exc.response.get("error"))
        await respond(text=texts.JOIN_FAILED, response_type="ephemeral", replace_original=False)
