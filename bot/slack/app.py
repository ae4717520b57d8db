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
from bot.core import Reply, Teamweather
from bot.mytraining import ACTION as LEARN_ACTION
from bot.mytraining import SETUP_ACTION, BadLearningAction, LearningDesk, ReplayedLearningAction
from bot.review import ACTION as REVIEW_ACTION
from bot.review import ActionResult, ReviewDesk
from domain.errors import StorageBusy
from bot.metrics import LogSummary, Metrics
from bot.slack import render
from bot.slack.convert import (
    HOME, Deletion, MalformedEvent, ReviewPress, SetupSubmission, from_command, from_home_opened, from_learning_command,
    from_learning_press, from_message_event, from_review_press, from_setup_submission,
)
from bot.slack.lifecycle import register_lifecycle
from bot.slack.render import from_markdown
from bot.slack.review_board import reply_args, update_args
from bot.storage_writer import StorageWriter

log = logging.getLogger(__name__)

COMMAND = "/teamweather"  # the slash command in manifest.yaml; replies name it as texts.COMMAND
LEARN_COMMAND = "/mytraining"  # texts.LEARN_COMMAND, also in manifest.yaml
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
    learning: LearningDesk | None = None,
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
    without it presses are acked and ignored.

    ``learning`` answers ``/mytraining`` (issue [mytraining]), every answer ephemeral: a report
    as Block Kit, a form as a modal (``views.open``); its buttons (``learn:<value>``) replace the
    message pressed (through its ``response_url``); the modal's submission is answered with an
    ephemeral message in the channel where the command was run (a DM if Slack refuses that).
    A value or a submission the core does not accept is answered 400, nothing stored. Without
    it ``/mytraining`` says that learning plans are off.

    The App Home (``app_home_opened``, its Home tab) shows the person their plan with its buttons
    (``views.publish``; the welcome, with why there is no plan, when there is none yet; that
    learning plans are off, without the desk). A press there publishes the home again with its
    answer; "setup" opens the modal (from a message too), and submitting a modal opened from the
    home publishes the home again with the plan."""
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

    def refused(exc: MalformedEvent) -> BoltResponse:
        """A malformed press or submission: counted, noted (rate-limited), answered 400."""
        metrics.count("slack_malformed_requests")
        malformed.note(str(exc))
        return BoltResponse(status=400, body="malformed")
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
            return refused(exc)
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

    # -- /mytraining ---------------------------------------------------------------------

    async def learned(call: Callable[[LearningDesk], Reply], what: str) -> Reply | None:
        """``call`` on the learning desk, on the writer's thread: its reply, or the reply for a
        failure (learning off, busy, any other error, logged by type only); None for a value the
        core refuses (answered 400)."""
        desk = learning
        if desk is None:
            return Reply(texts.LEARN_OFF)
        try:
            return await store(lambda: call(desk))
        except BadLearningAction:
            metrics.count("slack_malformed_requests")
            malformed.note(f"{what}: not one of /mytraining's")
            return None
        except ReplayedLearningAction:
            raise  # the press handler answers 409
        except StorageBusy:
            metrics.count("storage_busy")
            return Reply(texts.BUSY)
        except Exception as exc:  # the type only: a message may quote the command's text or a goal
            log.error("/mytraining failed (%s, %s)", what, type(exc).__name__)
            return Reply(texts.INTERNAL_ERROR)

    async def on_learn_command(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        reply = await learned(lambda desk: desk.command(from_learning_command(command)), "command")
        assert reply is not None  # a command is never refused: the core answers its help
        if reply.form is None:
            await ack(**_ephemeral(reply))
        elif await _open_modal(client, command.get("trigger_id"),
                               render.modal(reply.form, str(command.get("channel_id") or ""))):
            await ack()  # the modal is the answer
        else:
            await ack(**_ephemeral(Reply(texts.INTERNAL_ERROR)))

    app.command(LEARN_COMMAND)(on_learn_command)

    async def on_learning_press(ack: Any, body: Any, respond: Any, client: AsyncWebClient) -> BoltResponse | None:
        """A press of a /mytraining button: stored before the ack; after it, its report replaces
        the (ephemeral) message pressed (a failure goes beside it), or, pressed on the App Home,
        the home is published again with it; a form opens as a modal. A value that is not one of
        ours: 400, nothing stored."""
        try:
            press = from_learning_press(body)
        except MalformedEvent as exc:
            return refused(exc)
        try:
            reply = await learned(lambda desk: desk.act("slack", press.workspace, press.user, press.value,
                                                        delivery=press.delivery), "block_actions")
        except ReplayedLearningAction:
            metrics.count("slack_replayed_presses")
            return BoltResponse(status=409, body="already handled")
        if reply is None:
            return BoltResponse(status=400, body="malformed")
        await ack()
        if reply.form is not None:
            later(_setup_modal(client, press.trigger_id, render.modal(reply.form, HOME if press.home else press.channel),
                               None if press.home else respond))
        elif press.home:
            later(_publish_home(client, press.user, home_view(reply)))
        else:
            later(_replace(respond, reply) if reply.report is not None else _privately(respond, reply.text))
        return None

    app.action(re.compile(f"^{LEARN_ACTION}:"))(on_learning_press)

    async def on_setup_submission(ack: Any, body: Any, client: AsyncWebClient) -> BoltResponse | None:
        """The setup modal submitted: stored before the ack (which closes the modal); the
        answer goes to the person privately after it. Values that are not the form's: 400."""
        try:
            submission = from_setup_submission(body)
        except MalformedEvent as exc:
            return refused(exc)
        reply = await learned(lambda desk: desk.submit(submission.workspace, submission.user, submission.values),
                              "view_submission")
        if reply is None:
            return BoltResponse(status=400, body="malformed")
        await ack()
        later(show_home(client, submission.workspace, submission.user) if submission.home
              else _tell(client, submission, reply.text))
        return None

    app.view(SETUP_ACTION)(on_setup_submission)

    def home_view(reply: Reply) -> dict[str, Any]:
        """The App Home showing ``reply``: its report (the plan, a quiz…) with its buttons; else
        the welcome with the reply's text under it (no plan yet, a failure), or the text alone
        when learning is off."""
        if reply.report is not None:
            return render.home(reply.report)
        return render.home(learning.welcome() if learning is not None else None, reply.text)

    async def show_home(client: AsyncWebClient, workspace: str, user: str) -> None:
        """``user``'s App Home published with their plan."""
        reply = await learned(lambda desk: desk.plan_reply(desk.pseudonymiser.author(workspace, user)), "app_home")
        assert reply is not None  # the plan is never refused
        await _publish_home(client, user, home_view(reply))

    @app.event("app_home_opened")
    async def on_home_opened(event: Any, body: Any, client: AsyncWebClient) -> None:
        """The Home tab opened: acked at once, the person's plan published after."""
        try:
            opened = from_home_opened(event, body)
        except MalformedEvent as exc:
            metrics.count("slack_malformed_events")
            malformed.note(str(exc))
            return
        if opened is not None:  # None: the Messages tab
            later(show_home(client, opened.workspace, opened.user))

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
        log.warning("could not answer a press privately (%s)", type(exc).__name__)


def _mrkdwn(text: str) -> str:
    """A /mytraining reply as mrkdwn. Escaped first: its words are neutral text (the command's
    text went through ``to_plain``, and a goal quoted back holds placeholders like ``<person>``),
    and Teamweather's own sentences use none of Slack's control characters."""
    return from_markdown(render.escape(text))


def _ephemeral(reply: Reply) -> dict[str, Any]:
    """A /mytraining reply as a message only its person sees: its report as blocks (its title
    the notification text), else its text as mrkdwn."""
    if reply.report is not None:
        return {"text": render.escape(reply.report.title), "blocks": render.blocks(reply.report),
                "response_type": "ephemeral"}
    return {"text": _mrkdwn(reply.text), "response_type": "ephemeral"}


async def _replace(respond: Any, reply: Reply) -> None:
    """The pressed ephemeral message replaced by ``reply``."""
    try:
        await respond(**_ephemeral(reply), replace_original=True)
    except Exception as exc:  # the type only: the response URL is a secret of sorts
        log.warning("could not replace a /mytraining message (%s)", type(exc).__name__)


async def _open_modal(client: AsyncWebClient, trigger: object, view: dict[str, Any]) -> bool:
    """Open ``view`` for the person whose command or press carried ``trigger`` (its trigger_id);
    False if Slack refused."""
    if not isinstance(trigger, str) or not trigger:
        log.warning("/mytraining setup came without a trigger_id: no modal")
        return False
    try:
        await client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as exc:
        log.warning("the /mytraining modal could not be opened: Slack said %s", exc.response.get("error"))
        return False
    except Exception as exc:
        log.warning("the /mytraining modal could not be opened (%s)", type(exc).__name__)
        return False
    return True


async def _setup_modal(client: AsyncWebClient, trigger: str, view: dict[str, Any], respond: Any) -> None:
    """The setup form opened as a modal for a press; if Slack refuses, a message says so beside
    the message pressed (``respond``; nothing on the App Home, which stays as it is)."""
    if not await _open_modal(client, trigger, view) and respond is not None:
        await _privately(respond, texts.INTERNAL_ERROR)


async def _publish_home(client: AsyncWebClient, user: str, view: dict[str, Any]) -> None:
    """``view`` as ``user``'s App Home (``views.publish``: theirs alone)."""
    try:
        await client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("the /mytraining App Home could not be published: Slack said %s", exc.response.get("error"))
    except Exception as exc:  # the type only
        log.warning("the /mytraining App Home could not be published (%s)", type(exc).__name__)


async def _tell(client: AsyncWebClient, submission: SetupSubmission, text: str) -> None:
    """``text`` for the person who submitted the setup modal alone: an ephemeral message in the
    channel where they ran the command, or, if Slack refuses that (the app is not in that
    channel), in their DM with the app."""
    message = _mrkdwn(text)
    try:
        await client.chat_postEphemeral(channel=submission.channel, user=submission.user, text=message)
        return
    except SlackApiError as exc:
        log.info("no ephemeral answer to a /mytraining setup (Slack said %s); answering in a DM",
                 exc.response.get("error"))
    except Exception as exc:
        log.warning("no ephemeral answer to a /mytraining setup (%s); answering in a DM", type(exc).__name__)
    try:
        opened = await client.conversations_open(users=submission.user)
        await client.chat_postMessage(channel=opened["channel"]["id"], text=message)
    except SlackApiError as exc:
        log.warning("could not answer a /mytraining setup: Slack said %s", exc.response.get("error"))
    except Exception as exc:
        log.warning("could not answer a /mytraining setup (%s)", type(exc).__name__)


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
