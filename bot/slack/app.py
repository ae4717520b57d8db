"""The Slack adapter: a slack-bolt AsyncApp that converts in, calls the core, converts out."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Coroutine, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.core import Teamweather
from bot.review import ACTION as REVIEW_ACTION
from bot.review import ActionResult, ReviewDesk
from domain.errors import StorageBusy
from bot.metrics import LogSummary, Metrics
from bot.slack.convert import Deletion, MalformedEvent, ReviewPress, from_command, from_message_event, from_review_press
from bot.slack.lifecycle import register_lifecycle
from bot.slack.render import from_markdown
from bot.slack.review_board import reply_args, update_args
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
    review: ReviewDesk | None = None,
) -> AsyncApp:
    """The Bolt app. Events are acked only after the core has committed them to the inbox
    (``process_before_response``), so an acked message is never lost.

    With a ``writer``, every core call runs on its thread (never on the event loop), and a
    write that cannot be committed in time is answered 503 so that Slack retries it. Without
    ``authorize``, Bolt identifies the bot with ``auth.test`` on first use.
    ``verify_requests=False`` is for callers that checked the signature already
    (:func:`bot.slack.endpoint.slack_endpoint`).

    ``review`` handles presses of the review buttons (``review:<flag id>:<choice>``): the desk
    refuses presses outside the review channel and notes each request once (a replay: 409);
    without it presses are acked and ignored."""
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

    def later(work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        background.add(task)
        task.add_done_callback(background.discard)

    review_calls = asyncio.Lock()  # a post's updates go out in the order of the presses

    async def on_review_press(ack: Any, body: Any, client: AsyncWebClient, respond: Any) -> BoltResponse | None:
        """A press of a review button (the endpoint refused a malformed one already; Socket
        Mode's are checked here). The label is stored before the ack; what Slack shows after
        it (the post updated in place, its thread, or a refusal only the presser sees) goes
        out after the ack. A press delivered again (a replayed request) changes nothing: 409."""
        try:
            press = from_review_press(body)
        except MalformedEvent as exc:
            metrics.count("slack_malformed_requests")
            malformed.note(str(exc))
            return BoltResponse(status=400, body="malformed")
        if review is None:  # review is off: nothing to do
            await ack()
            return None

        async def tell(text: str) -> None:
            later(_privately(respond, text))

        desk = review
        try:
            result = await store(lambda: desk.act("slack", press.workspace, press.user, press.value,
                                                  channel=press.channel, delivery=press.delivery))
        except StorageBusy:
            metrics.count("storage_busy")
            await ack()
            await tell(texts.BUSY)
            return None
        except Exception as exc:  # the type only: a message may quote the payload
            log.error("a review press failed (%s); nothing was changed", type(exc).__name__)
            await ack()
            await tell(texts.INTERNAL_ERROR)
            return None
        if result.replayed:
            metrics.count("slack_replayed_presses")
            return BoltResponse(status=409, body="already handled")
        await ack()
        if result.refusal is not None:
            metrics.count("review_presses_refused")
            await tell(result.refusal)
            return None
        metrics.count("review_labels")
        later(_show(client, press, result, review_calls))
        return None

    app.action(re.compile(f"^{REVIEW_ACTION}:"))(on_review_press)

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


async def _privately(respond: Any, text: str) -> None:
    """A message only the presser sees, beside the post (which stays as it is)."""
    try:
        await respond(text=from_markdown(text), response_type="ephemeral", replace_original=False)
    except Exception as exc:  # the type only: the response URL is a secret of sorts
        log.warning("could not answer a review press privately (%s)", type(exc).__name__)


async def _show(client: AsyncWebClient, press: ReviewPress, result: ActionResult, lock: asyncio.Lock) -> None:
    """The pressed post updated in place with the label, and the line for its thread."""
    assert result.report is not None
    post = {"channel": press.channel, "ts": press.message_ts}
    async with lock:
        try:
            await client.chat_update(**update_args(post, result.report, result.text))
            if result.thread:
                await client.chat_postMessage(**reply_args(post, result.thread))
        except SlackApiError as exc:
            log.warning("the review post could not be updated: Slack said %s", exc.response.get("error"))
        except Exception as exc:
            log.warning("the review post could not be updated (%s)", type(exc).__name__)


async def _join(client: AsyncWebClient, channel: str, respond: Any) -> None:
    """Join an enrolled public channel so its messages reach us; ask for an invite otherwise."""
    try:
        await client.conversations_join(channel=channel)
    except SlackApiError as exc:
        log.warning("could not join channel %s: %s", channel, exc.response.get("error"))
        await respond(text=from_markdown(texts.JOIN_FAILED), response_type="ephemeral", replace_original=False)
