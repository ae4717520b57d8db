"""The Slack adapter: a slack-bolt AsyncApp that converts in, calls the core, converts out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.core import Teamweather
from domain.errors import StorageBusy
from bot.metrics import LogSummary, Metrics
from bot.slack.convert import Deletion, MalformedEvent, from_command, from_message_event
from bot.slack.lifecycle import register_lifecycle
from bot.slack.render import from_markdown
from bot.storage_writer import StorageWriter

log = logging.getLogger(__name__)

COMMAND = "/teamweather"  # the slash command in manifest.yaml; replies name it as texts.COMMAND
T = TypeVar("T")


class _NoTokenWarning(logging.Filter):
    """Bolt warns on every start that the token is unused when a client is given (it reads
    SLACK_BOT_TOKEN from the environment itself); the client carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


def build_app(
    core: Teamweather,
    *,
    signing_secret: str,
    client: AsyncWebClient,
    authorize: Callable[..., Awaitable[AuthorizeResult]] | None = None,
    writer: StorageWriter | None = None,
    metrics: Metrics | None = None,
    verify_requests: bool = True,
) -> AsyncApp:
    """The Bolt app. Events are acked only after the core has committed them to the inbox
    (``process_before_response``), so an acked message is never lost.

    With a ``writer``, every core call runs on its thread (never on the event loop), and a
    write that cannot be committed in time is answered 503 so that Slack retries it. Without
    ``authorize``, Bolt identifies the bot with ``auth.test`` on first use.
    ``verify_requests=False`` is for callers that checked the signature already
    (:func:`bot.slack.endpoint.slack_endpoint`)."""
    bolt_logger = logging.getLogger("slack_bolt.teamweather")
    bolt_logger.addFilter(_NoTokenWarning())
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        authorize=authorize,
        logger=bolt_logger,
        request_verification_enabled=verify_requests,
    )
    metrics = metrics or Metrics()
    malformed = LogSummary(log, "ignored malformed Slack events")
    background: set[asyncio.Task[None]] = set()

    async def store(fn: Callable[[], T]) -> T:
        return await writer.run(fn) if writer is not None else fn()

    @app.event("message")
    async def on_message(event: Any, body: Any, context: Any) -> None:
        try:
            converted = from_message_event(event, body, context.bot_user_id)
        except MalformedEvent as exc:
            metrics.count("slack_malformed_events")  # acked: Slack must not retry it forever
            malformed.note(str(exc))
            return
        if isinstance(converted, Deletion):
            deletion = converted
            await store(lambda: core.delete(deletion.workspace, deletion.channel, deletion.ts))
        elif converted is not None:
            message = converted
            await store(lambda: core.receive(message))

    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        try:
            cmd = from_command(command)
            reply = await store(lambda: core.command(cmd))
        except StorageBusy:
            await ack(text=from_markdown(texts.BUSY), response_type="ephemeral")
            return
        except Exception:
            log.exception("/teamweather failed")
            await ack(text=from_markdown(texts.INTERNAL_ERROR), response_type="ephemeral")
            return
        await ack(text=from_markdown(reply.text), response_type="in_channel" if reply.public else "ephemeral")
        if reply.join_channel:
            task = asyncio.create_task(_join(app.client, command["channel_id"], respond))
            background.add(task)
            task.add_done_callback(background.discard)

    app.command(COMMAND)(on_command)

    @app.error
    async def on_error(error: Exception) -> BoltResponse:
        if isinstance(error, StorageBusy):
            metrics.count("storage_busy")
            return BoltResponse(status=503, body="storage busy, retry later")
        # The type only: an exception's message may quote the payload.
        metrics.count("slack_listener_errors")
        log.error("a Slack listener failed (%s); the request was acked", type(error).__name__)
        return BoltResponse(status=200, body="")

    register_lifecycle(app, core, store)  # app_uninstalled, tokens_revoked
    return app


async def _join(client: AsyncWebClient, channel: str, respond: Any) -> None:
    """Join an enrolled public channel so its messages reach us; ask for an invite otherwise."""
    try:
        await client.conversations_join(channel=channel)
    except SlackApiError as exc:
        log.warning("could not join channel %s: %s", channel, exc.response.get("error"))
        await respond(text=from_markdown(texts.JOIN_FAILED), response_type="ephemeral", replace_original=False)
