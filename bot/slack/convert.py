"""Slack payloads → core values. Pure functions: no I/O, no Bolt.

What the adapter reads from a payload is validated against a small schema first: a payload
of the wrong shape (a number where text should be, an object for a user id, a timestamp
that is not one) raises :class:`MalformedEvent` and is never half-read into the core.

Message texts reach the core as neutral text (:func:`bot.slack.markup.to_plain`): the core and
its pseudonymiser never see Slack markup or Slack's escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core import Command, Message
from bot.mytraining import ACTION as LEARN_ACTION
from bot.mytraining import SETUP_ACTION
from bot.review import ACTION as REVIEW_ACTION
from bot.review import BadAction, parse_value
from bot.slack.markup import to_plain
from bot.slack.render import action_id
from bot.slack.richtext import rich_text_to_mrkdwn

# Message subtypes written by a person; everything else (joins, topic changes, bots…) is ignored.
HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
SLACK_TS = r"^[0-9]{1,12}\.[0-9]{1,9}$"
SLACK_USER = r"^[UWB][A-Z0-9]{2,31}$"
SLACK_CHANNEL = r"^[CGD][A-Z0-9]{2,31}$"
SLACK_TEAM = r"^[TE][A-Z0-9]{2,31}$"
RESPONSE_URL = r"^https?://[^\s]+$"


class MalformedEvent(ValueError):
    """A payload that does not have the shape Slack sends; the message names fields, not values."""


class _Shape(BaseModel):
    # strict: a number is not text, an object is not an id; unknown fields are Slack's business
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class SlackMessage(_Shape):
    """The fields of a Slack message the adapter reads."""

    ts: str = Field(pattern=SLACK_TS)
    user: str | None = Field(None, pattern=SLACK_USER)
    text: str | None = None
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    subtype: str | None = None
    bot_id: str | None = None

    def text_to_analyse(self) -> str:
        """Rendered from rich-text blocks when present, else ``text``: Slack mrkdwn."""
        from_blocks = rich_text_to_mrkdwn(self.blocks)
        return from_blocks if from_blocks is not None else (self.text or "")

    def by_a_person(self, bot_user_id: str | None) -> bool:
        return (
            self.subtype in HUMAN_SUBTYPES and not self.bot_id
            and bool(self.user) and self.user != bot_user_id
        )


class _Deletion(_Shape):
    subtype: Literal["message_deleted"]
    channel: str = Field(pattern=SLACK_CHANNEL)
    deleted_ts: str | None = Field(None, pattern=SLACK_TS)
    previous_message: SlackMessage | None = None


class _Change(_Shape):
    subtype: Literal["message_changed"]
    channel: str = Field(pattern=SLACK_CHANNEL)
    message: dict[str, Any]  # validated below: a tombstone has no user or text
    previous_message: SlackMessage | None = None


class _Channel(_Shape):
    channel: str = Field(pattern=SLACK_CHANNEL)


class _Envelope(_Shape):
    team_id: str = Field(pattern=SLACK_TEAM)
    event_id: str | None = Field(None, max_length=64)


@dataclass(frozen=True, slots=True)
class Deletion:
    """A message was deleted in Slack."""

    workspace: str
    channel: str
    ts: str


def _parse(model: type[_Shape], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, err["loc"])) or "(top)" for err in exc.errors()})
        raise MalformedEvent(f"{where}: unexpected {', '.join(fields)[:200]}") from None


def from_message_event(
    event: Any, body: Any, bot_user_id: str | None = None
) -> Message | Deletion | None:
    """Convert a ``message`` event; None when it is not a person's message to analyse.

    Raises MalformedEvent when the event or its envelope is not shaped as Slack sends it.
    """
    if not isinstance(event, dict) or not isinstance(body, dict):
        raise MalformedEvent("message event: not an object")
    envelope = _parse(_Envelope, body, "envelope")
    workspace, event_id = envelope.team_id, envelope.event_id
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        deleted = _parse(_Deletion, event, "message_deleted")
        ts = deleted.deleted_ts or (deleted.previous_message.ts if deleted.previous_message else None)
        return Deletion(workspace, deleted.channel, ts) if ts else None
    if subtype == "message_changed":
        change = _parse(_Change, event, "message_changed")
        if change.message.get("subtype") == "tombstone":
            tomb = _parse(SlackMessage, change.message, "message_changed.message")
            return Deletion(workspace, change.channel, tomb.ts)
        new = _parse(SlackMessage, change.message, "message_changed.message")
        if not new.by_a_person(bot_user_id):
            return None
        text = new.text_to_analyse()
        old = change.previous_message
        if old is not None and text == old.text_to_analyse():  # link unfurls: nothing to re-score
            return None
        assert new.user is not None  # by_a_person
        return Message(workspace, change.channel, new.user, new.ts, float(new.ts), to_plain(text),
                       event_id=event_id, edited=True)
    channel = _parse(_Channel, event, "message").channel
    message = _parse(SlackMessage, event, "message")
    if not message.by_a_person(bot_user_id):
        return None
    assert message.user is not None
    return Message(workspace, channel, message.user, message.ts, float(message.ts),
                   to_plain(message.text_to_analyse()), event_id=event_id)


def from_command(payload: dict[str, Any]) -> Command:
    """Convert a ``/teamweather`` slash-command payload."""
    return Command(
        workspace=str(payload.get("team_id") or ""),
        channel=str(payload.get("channel_id") or ""),
        user=str(payload.get("user_id") or ""),
        text=str(payload.get("text") or ""),
    )


def from_learning_command(payload: dict[str, Any]) -> Command:
    """Convert a ``/mytraining`` slash-command payload; its text (a goal may be in it) as the
    core's neutral text, Slack's escapes undone."""
    command = from_command(payload)
    return Command(command.workspace, command.channel, command.user, to_plain(command.text), platform="slack")


# -- interactivity: a press of a review button ----------------------------------------------------

class _Team(_Shape):
    id: str = Field(pattern=SLACK_TEAM)


class _User(_Shape):
    id: str = Field(pattern=SLACK_USER)


class _MessageContainer(_Shape):
    type: Literal["message"]
    channel_id: str = Field(pattern=SLACK_CHANNEL)
    message_ts: str = Field(pattern=SLACK_TS)


class _ButtonAction(_Shape):
    type: Literal["button"]
    action_id: str = Field(max_length=255)
    value: str = Field(max_length=2000)
    action_ts: str = Field(pattern=SLACK_TS)


class _BlockActions(_Shape):
    type: Literal["block_actions"]
    team: _Team
    user: _User
    container: _MessageContainer
    trigger_id: str = Field(min_length=1, max_length=128)
    response_url: str = Field(pattern=RESPONSE_URL, max_length=2000)
    actions: list[_ButtonAction] = Field(min_length=1, max_length=1)


@dataclass(frozen=True, slots=True)
class ReviewPress:
    """A press of a review button, as the core needs it: who pressed what, on which message."""

    workspace: str
    user: str
    channel: str  # where the pressed message is
    message_ts: str
    value: str  # "<flag id>:<choice>", checked by bot.review.parse_value
    response_url: str  # Slack's hook for a reply only the presser sees
    delivery: str  # identifies this one press (a replayed request carries it again)


def from_review_press(payload: Any) -> ReviewPress:
    """Convert a ``block_actions`` payload pressing one review button (``review:<value>``, the
    value ``<flag id>:<choice>``); MalformedEvent for anything else."""
    if not isinstance(payload, dict):
        raise MalformedEvent("block_actions: not an object")
    press = _parse(_BlockActions, payload, "block_actions")
    action = press.actions[0]
    if action.action_id != action_id(REVIEW_ACTION, action.value):
        raise MalformedEvent("block_actions: unexpected action_id")
    try:
        parse_value(action.value)
    except BadAction:
        raise MalformedEvent("block_actions: unexpected actions.0.value") from None
    return ReviewPress(press.team.id, press.user.id, press.container.channel_id, press.container.message_ts,
                       action.value, press.response_url,
                       f"slack-action:{press.team.id}:{press.trigger_id}:{action.action_ts}")


# -- interactivity: /mytraining's buttons and its setup modal ---------------------------------------

HOME = "home"  # the setup modal's private_metadata when it was opened from the App Home


class _ViewContainer(_Shape):
    type: Literal["view"]
    view_id: str = Field(min_length=1, max_length=64)


class _HomeView(_Shape):
    type: Literal["home"]


class _HomeBlockActions(_Shape):
    """A press on the App Home: no channel, no response_url (the home view is published again)."""

    type: Literal["block_actions"]
    team: _Team
    user: _User
    container: _ViewContainer
    view: _HomeView
    trigger_id: str = Field(min_length=1, max_length=128)
    actions: list[_ButtonAction] = Field(min_length=1, max_length=1)


@dataclass(frozen=True, slots=True)
class LearningPress:
    """A press of one of /mytraining's buttons: on a message only the presser sees, or on their
    App Home (``home``: then there is no channel and no response_url)."""

    workspace: str
    user: str
    channel: str  # "" on the App Home
    value: str  # "plan", "setup", "start:ID", "done:ID", "quiz:ID:ANSWERS": checked by the core (BadLearningAction)
    response_url: str  # Slack's hook to replace the pressed (ephemeral) message; "" on the App Home
    trigger_id: str = ""  # opens a modal (the setup form) for the presser
    home: bool = False  # pressed on the App Home
    delivery: str = ""  # identifies this one press (a replayed request carries it again)


def from_learning_press(payload: Any) -> LearningPress:
    """Convert a ``block_actions`` payload pressing one of /mytraining's buttons (``learn:<value>``),
    on a message or on the App Home (``container.type`` ``view``, ``view.type`` ``home``);
    MalformedEvent for anything else. What the value means is the core's to check."""
    if not isinstance(payload, dict):
        raise MalformedEvent("block_actions: not an object")
    container = payload.get("container")
    if isinstance(container, dict) and container.get("type") == "view":
        home = _parse(_HomeBlockActions, payload, "block_actions")
        action = _learning_action(home.actions[0])
        return LearningPress(home.team.id, home.user.id, "", action.value, "", home.trigger_id, home=True,
                             delivery=f"slack-action:{home.team.id}:{home.trigger_id}:{action.action_ts}")
    press = _parse(_BlockActions, payload, "block_actions")
    action = _learning_action(press.actions[0])
    return LearningPress(press.team.id, press.user.id, press.container.channel_id, action.value, press.response_url,
                         press.trigger_id,
                         delivery=f"slack-action:{press.team.id}:{press.trigger_id}:{action.action_ts}")


def _learning_action(action: _ButtonAction) -> _ButtonAction:
    if action.action_id != action_id(LEARN_ACTION, action.value):
        raise MalformedEvent("block_actions: unexpected action_id")
    return action


class _HomeOpened(_Shape):
    type: Literal["app_home_opened"]
    user: str = Field(pattern=SLACK_USER)
    tab: str | None = Field(None, max_length=40)


@dataclass(frozen=True, slots=True)
class HomeOpened:
    """A person opened the app's Home tab."""

    workspace: str
    user: str


def from_home_opened(event: Any, body: Any) -> HomeOpened | None:
    """Convert an ``app_home_opened`` event; None when the tab opened is not the Home tab (the
    Messages tab sends it too). MalformedEvent when the event or its envelope is not shaped as
    Slack sends it."""
    if not isinstance(event, dict) or not isinstance(body, dict):
        raise MalformedEvent("app_home_opened: not an object")
    workspace = _parse(_Envelope, body, "envelope").team_id
    opened = _parse(_HomeOpened, event, "app_home_opened")
    return HomeOpened(workspace, opened.user) if opened.tab == HOME else None


class _Option(_Shape):
    value: str = Field(max_length=150)


class _Input(_Shape):
    type: Literal["static_select", "plain_text_input"]
    value: str | None = Field(None, max_length=3000)
    selected_option: _Option | None = None


class _ViewState(_Shape):
    values: dict[str, dict[str, _Input]] = Field(max_length=20)


class _View(_Shape):
    type: Literal["modal"]
    callback_id: str = Field(max_length=255)
    # where the command was run, or "home": opened from the App Home
    private_metadata: str = Field(pattern=f"{SLACK_CHANNEL}|^{HOME}$")
    state: _ViewState


class _ViewSubmission(_Shape):
    type: Literal["view_submission"]
    team: _Team
    user: _User
    view: _View


@dataclass(frozen=True, slots=True)
class SetupSubmission:
    """/mytraining's setup modal, submitted: its values by field name (None: left empty)."""

    workspace: str
    user: str
    channel: str  # where /mytraining setup was run (the modal's private_metadata); "" from the App Home
    values: dict[str, str | None]
    home: bool = False  # the modal was opened from the App Home


def from_setup_submission(payload: Any) -> SetupSubmission:
    """Convert a ``view_submission`` of the setup modal (``callback_id`` ``learn-setup``, each
    input block's ``block_id`` and ``action_id`` its field's name); MalformedEvent for anything
    else. Which fields and values are allowed is the core's to check."""
    if not isinstance(payload, dict):
        raise MalformedEvent("view_submission: not an object")
    submission = _parse(_ViewSubmission, payload, "view_submission")
    if submission.view.callback_id != SETUP_ACTION:
        raise MalformedEvent("view_submission: unexpected view.callback_id")
    values: dict[str, str | None] = {}
    for block, inputs in submission.view.state.values.items():
        if list(inputs) != [block]:
            raise MalformedEvent("view_submission: unexpected view.state.values")
        field = inputs[block]
        if field.type == "static_select":
            values[block] = field.selected_option.value if field.selected_option is not None else None
        else:
            values[block] = field.value
    metadata = submission.view.private_metadata
    if metadata == HOME:
        return SetupSubmission(submission.team.id, submission.user.id, "", values, home=True)
    return SetupSubmission(submission.team.id, submission.user.id, metadata, values)


Interaction = Union[ReviewPress, LearningPress, SetupSubmission]


def from_interaction(payload: Any) -> Interaction:
    """An interactivity payload Teamweather handles: a review press, a press of a /mytraining
    button, or the setup modal submitted; MalformedEvent for anything else."""
    if isinstance(payload, dict) and payload.get("type") == "view_submission":
        return from_setup_submission(payload)
    actions = payload.get("actions") if isinstance(payload, dict) else None
    first = actions[0] if isinstance(actions, list) and actions else None
    if isinstance(first, dict) and str(first.get("action_id", "")).startswith(f"{LEARN_ACTION}:"):
        return from_learning_press(payload)
    return from_review_press(payload)
