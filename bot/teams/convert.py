"""Teams activities → core values. Pure functions: no I/O, no botbuilder.

The endpoint validates every request body against :class:`TeamsActivity`, a strict schema of
the fields the adapter reads, before the SDK sees it: a body of the wrong shape (a number where
text should be, an object for an id, an id that is not one) raises :class:`MalformedActivity`
and is never half-read into the core. Message texts reach the core as neutral text
(:func:`bot.teams.markup.to_plain`).

Who is who: a person is their AAD object id (``from.aadObjectId``, the same in every team and
chat, as ``msteams.admins`` lists them); a workspace is the tenant; a channel its
``19:…@thread.tacv2`` id (``channelData.channel.id``, never the ``;messageid=`` of one thread);
a message its activity id.

A press of a button on one of Teamweather's cards (an Adaptive Card ``Action.Submit``) comes as
a ``message`` activity whose ``value`` is the button's ``data``: :func:`review_press` reads a
review button's (``{"teamweather": "review", "value": "<flag id>:<choice>"}``) and raises
:class:`MalformedPress` for any other ``value``, which the endpoint answers 400.
:func:`card_press` reads any of Teamweather's: a review button's, a ``/mytraining`` button's
(``{"teamweather": "learn", "value": "done:ID"}``: :class:`LearningPress`) and the
``/mytraining`` setup form's submission (``{"teamweather": "learn-setup", "role": …, "goal": …}``,
the inputs' values merged in beside the action: :class:`SetupSubmission`).
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core import Command, Message
from bot.mytraining import ACTION as LEARN_ACTION
from bot.mytraining import SETUP_ACTION
from bot.platform_ids import GUID, TEAMS_CHANNEL
from bot.review import ACTION as REVIEW_ACTION
from bot.review import BadAction, parse_value
from bot.teams.markup import to_plain
from bot.teams.render import ACTION_KEY

__all__ = [
    "CardPress", "CommandWhere", "Deletion", "LearningPress", "MalformedActivity", "MalformedPress", "ReviewPress",
    "SetupSubmission", "TeamsActivity", "addressed_to_bot", "card_press", "channel_of", "is_card_press",
    "learning_command", "parse_activity", "review_press", "to_command", "to_deletion", "to_message", "where_from",
]

PLATFORM = "msteams"
_GUID = f"^{GUID}$"
_ID = r"^[\x21-\x7e]{1,512}$"  # printable ASCII, no spaces: Teams' ids ("29:…", "19:…", "a:…", "1485983408511")
_TAG = re.compile(r"<[^<>]*>")
_TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$"


class MalformedActivity(ValueError):
    """A body that does not have the shape Teams sends; the message names fields, not values."""


class MalformedPress(ValueError):
    """A card press (a message with a ``value``) that is not a well-formed Teamweather press
    or form submission; the message names what is wrong, never the values."""


class _Shape(BaseModel):
    # strict: a number is not text, an object is not an id; unknown fields are Teams' business
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)


class _Account(_Shape):
    id: str = Field(pattern=_ID)
    name: str | None = Field(None, max_length=1000)
    aad_object_id: str | None = Field(None, alias="aadObjectId", pattern=_GUID)


class _Conversation(_Shape):
    id: str = Field(pattern=_ID)
    conversation_type: str | None = Field(None, alias="conversationType", max_length=40)
    tenant_id: str | None = Field(None, alias="tenantId", pattern=_GUID)
    is_group: bool | None = Field(None, alias="isGroup")


class _Ref(_Shape):
    id: str = Field(pattern=_ID)


class _ChannelData(_Shape):
    channel: _Ref | None = None
    team: _Ref | None = None
    tenant: _Ref | None = None
    event_type: str | None = Field(None, alias="eventType", max_length=100)


class _Entity(_Shape):
    type: str = Field(max_length=100)
    mentioned: _Account | None = None
    text: str | None = Field(None, max_length=1000)


class _Attachment(_Shape):
    content_type: str = Field(alias="contentType", max_length=200)
    content: Any = None


class TeamsActivity(_Shape):
    """The fields of a Bot Framework activity from Teams that the adapter reads."""

    type: str = Field(min_length=1, max_length=100)
    id: str | None = Field(None, pattern=_ID)
    timestamp: str | None = Field(None, pattern=_TIMESTAMP)
    service_url: str = Field(alias="serviceUrl", pattern=r"^https?://[^\s]{1,500}$")
    channel_id: str = Field(alias="channelId", max_length=100)
    from_: _Account = Field(alias="from")
    recipient: _Account
    conversation: _Conversation
    text: str | None = Field(None, max_length=100_000)
    attachments: list[_Attachment] = Field(default_factory=list, max_length=100)
    entities: list[_Entity] = Field(default_factory=list, max_length=100)
    channel_data: _ChannelData | None = Field(None, alias="channelData")
    members_added: list[_Account] = Field(default_factory=list, alias="membersAdded", max_length=1000)
    members_removed: list[_Account] = Field(default_factory=list, alias="membersRemoved", max_length=1000)
    action: str | None = Field(None, max_length=100)
    reply_to_id: str | None = Field(None, alias="replyToId", pattern=_ID)
    value: Any = None  # a card press's data; checked by review_press

    @field_validator("timestamp")
    @classmethod
    def _a_time(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.fromisoformat(_seven_digits_to_six(value))  # ValueError: not a date
        return value

    @property
    def tenant(self) -> str | None:
        """The tenant (the core's workspace), lower-case."""
        tenant = self.conversation.tenant_id or (self.channel_data.tenant.id if self.channel_data and self.channel_data.tenant else None)
        return tenant.lower() if tenant else None

    @property
    def team(self) -> str | None:
        """The team's id when the activity comes from a team's channel."""
        return self.channel_data.team.id if self.channel_data and self.channel_data.team else None

    @property
    def personal(self) -> bool:
        """A 1:1 chat between a person and the bot."""
        return self.conversation.conversation_type == "personal"

    @property
    def event_type(self) -> str | None:
        return self.channel_data.event_type if self.channel_data else None

    @property
    def user(self) -> str | None:
        """The author as Teamweather knows them: the AAD object id, lower-case (None for bots)."""
        return self.from_.aad_object_id.lower() if self.from_.aad_object_id else None

    def markup(self) -> str:
        """The message's HTML: its ``text/html`` attachment, else its ``text``."""
        for attachment in self.attachments:
            if attachment.content_type == "text/html" and isinstance(attachment.content, str):
                return attachment.content
        return self.text or ""

    def channel_names(self) -> frozenset[str]:
        """How mentions of a channel or a team (a ``19:…`` id) read in ``<at>`` elements."""
        names = set()
        for entity in self.entities:
            if entity.type == "mention" and entity.mentioned is not None and (entity.mentioned.id or "").startswith("19:"):
                names.add(entity.mentioned.name or "")
                names.add(html.unescape(_TAG.sub("", entity.text or "")))
        return frozenset(" ".join(n.split()) for n in names if n)

    def bot_names(self) -> frozenset[str]:
        """How mentions of the bot read in this message's ``<at>`` elements."""
        names = {self.recipient.name or ""}
        for entity in self.entities:
            if entity.type == "mention" and entity.mentioned is not None and entity.mentioned.id == self.recipient.id:
                names.add(entity.mentioned.name or "")
                names.add(html.unescape(_TAG.sub("", entity.text or "")))
        return frozenset(" ".join(n.split()) for n in names if n)


@dataclass(frozen=True, slots=True)
class Deletion:
    """A message was (soft) deleted in Teams."""

    workspace: str
    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class ReviewPress:
    """A reviewer's press of a review button on a card Teamweather posted."""

    workspace: str  # the tenant
    user: str  # the presser's AAD object id, lower-case
    value: str  # the button's value, "<flag id>:<choice>" (bot.review.parse_value accepts it)
    event_id: str  # what makes a replay of the same activity recognisable
    channel: str | None  # the team channel the card is in (None outside a channel)
    card: str | None  # the activity id of the card pressed (``replyToId``)


def is_card_press(data: Mapping[str, Any]) -> bool:
    """Whether a request body (read, maybe not valid) is a card press: a message with a ``value``."""
    return data.get("type") == "message" and data.get("value") is not None


def review_press(activity: TeamsActivity) -> ReviewPress | None:
    """The review press this activity is; None when it is no card press at all (a message
    without a ``value``); MalformedPress for a card press Teamweather did not make: a ``value``
    that is not ``{"teamweather": "review", "value": "<flag id>:<choice>"}``, or a press without
    an activity id, a tenant or the person's AAD object id."""
    if activity.type != "message" or activity.value is None:
        return None
    value = activity.value
    if not isinstance(value, dict):
        raise MalformedPress("value: not an object")
    if value.get(ACTION_KEY) != REVIEW_ACTION:
        raise MalformedPress(f"value.{ACTION_KEY}: not a Teamweather action")
    choice = value.get("value")
    try:
        parse_value(choice)
    except BadAction:
        raise MalformedPress("value.value: not <flag id>:<choice>") from None
    assert isinstance(choice, str)  # parse_value accepts only text
    tenant, user = activity.tenant, activity.user
    if not activity.id or not tenant or not user:
        raise MalformedPress("a press without its id, tenant or aadObjectId")
    return ReviewPress(tenant, user, choice, f"{PLATFORM}:{activity.conversation.id}/{activity.id}",
                       channel_of(activity), activity.reply_to_id)


@dataclass(frozen=True, slots=True)
class LearningPress:
    """A press of a ``/mytraining`` button on a card Teamweather sent the person."""

    workspace: str  # the tenant
    user: str  # the presser's AAD object id, lower-case
    value: str  # "start:ID", "done:ID", "quiz:ID:ANSWERS": checked by the core (BadLearningAction)
    personal: bool  # pressed in the person's personal chat with the bot
    card: str | None  # the activity id of the card pressed (``replyToId``)
    delivery: str = ""  # what makes a replay of the same activity recognisable


@dataclass(frozen=True, slots=True)
class SetupSubmission:
    """The ``/mytraining`` setup form, submitted: its inputs' values by field name."""

    workspace: str
    user: str
    values: dict[str, str]
    personal: bool


CardPress = Union[ReviewPress, LearningPress, SetupSubmission]
_MAX_LEARN_VALUE = 200
_MAX_FIELDS = 10


def _presser(activity: TeamsActivity) -> tuple[str, str]:
    tenant, user = activity.tenant, activity.user
    if not activity.id or not tenant or not user:
        raise MalformedPress("a press without its id, tenant or aadObjectId")
    return tenant, user


def card_press(activity: TeamsActivity) -> CardPress | None:
    """The press (or form submission) this activity is; None when it is no card press at all;
    MalformedPress for one Teamweather did not make: a ``value`` that is not an object, names
    no Teamweather action, or does not have that action's shape (a review press as
    :func:`review_press` checks it; a ``/mytraining`` button's ``value`` text; the setup form's
    fields text), or a press without an activity id, a tenant or the person's AAD object id.
    What a ``/mytraining`` value or field means is the core's to check."""
    if activity.type != "message" or activity.value is None:
        return None
    value = activity.value
    if not isinstance(value, dict):
        raise MalformedPress("value: not an object")
    action = value.get(ACTION_KEY)
    if action == LEARN_ACTION:
        pressed = value.get("value")
        if set(value) != {ACTION_KEY, "value"} or not isinstance(pressed, str) or len(pressed) > _MAX_LEARN_VALUE:
            raise MalformedPress("value: not a /mytraining button's data")
        tenant, user = _presser(activity)
        return LearningPress(tenant, user, pressed, activity.personal, activity.reply_to_id,
                             f"{PLATFORM}:{activity.conversation.id}/{activity.id}")
    if action == SETUP_ACTION:
        fields = {k: v for k, v in value.items() if k != ACTION_KEY}
        if len(fields) > _MAX_FIELDS or not all(isinstance(v, str) and len(k) <= 40 for k, v in fields.items()):
            raise MalformedPress("value: not the /mytraining setup form's fields")
        tenant, user = _presser(activity)
        return SetupSubmission(tenant, user, fields, activity.personal)
    return review_press(activity)


def parse_activity(data: Any) -> TeamsActivity:
    """Validate a request body; MalformedActivity when it is not shaped as Teams sends it."""
    if not isinstance(data, dict):
        raise MalformedActivity("activity: not an object")
    try:
        return TeamsActivity.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, err["loc"])) or "(top)" for err in exc.errors()})
        raise MalformedActivity(f"activity: unexpected {', '.join(fields)[:200]}") from None


def channel_of(activity: TeamsActivity) -> str | None:
    """The team channel a message was written in (``19:…@thread.tacv2``), or None outside one."""
    if activity.conversation.conversation_type != "channel":
        return None
    data = activity.channel_data
    channel = data.channel.id if data and data.channel else activity.conversation.id.partition(";")[0]
    return channel if re.fullmatch(TEAMS_CHANNEL, channel) else None


def addressed_to_bot(activity: TeamsActivity) -> bool:
    """A message to the bot: any message in a personal chat, or one that mentions the bot."""
    return activity.personal or any(
        e.type == "mention" and e.mentioned is not None and e.mentioned.id == activity.recipient.id
        for e in activity.entities
    )


def _sent_at(activity: TeamsActivity, edited: bool) -> float | None:
    # A channel message's id is its creation time in milliseconds: an edit keeps the day it was sent.
    if edited and activity.id and activity.id.isdigit() and len(activity.id) == 13:
        return int(activity.id) / 1000
    if activity.timestamp is None:
        return None
    return datetime.fromisoformat(_seven_digits_to_six(activity.timestamp)).timestamp()


def _seven_digits_to_six(timestamp: str) -> str:
    """Python reads at most six fractional digits; .NET writes seven."""
    head, dot, rest = timestamp.partition(".")
    if not dot:
        return timestamp
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"


def to_message(activity: TeamsActivity) -> Message | None:
    """A person's message (``message``) or its edit (``messageUpdate`` with ``editMessage``) in
    a team channel, as the core receives it; None for anything else (a bot's message, a chat,
    a message addressed to the bot)."""
    edited = activity.type == "messageUpdate"
    if edited and activity.event_type != "editMessage":
        return None
    if activity.type not in ("message", "messageUpdate") or addressed_to_bot(activity):
        return None
    channel, tenant, user = channel_of(activity), activity.tenant, activity.user
    sent_at = _sent_at(activity, edited)
    if not channel or not tenant or not user or not activity.id or sent_at is None:
        return None
    text = to_plain(activity.markup(), channel_names=activity.channel_names())
    return Message(tenant, channel, user, activity.id, sent_at, text, edited=edited)


def to_deletion(activity: TeamsActivity) -> Deletion | None:
    """A soft-deleted channel message (``messageDelete`` with ``softDeleteMessage``), or None."""
    if activity.type != "messageDelete" or activity.event_type not in (None, "softDeleteMessage"):
        return None
    channel, tenant = channel_of(activity), activity.tenant
    if not channel or not tenant or not activity.id:
        return None
    return Deletion(tenant, channel, activity.id)


CommandWhere = Literal["personal", "channel", "chat"]


def to_command(activity: TeamsActivity) -> Command | None:
    """A message addressed to the bot as a command: the bot's mention removed, the first word
    the command; None when it is not one (or has no person or tenant behind it)."""
    if activity.type != "message" or not addressed_to_bot(activity):
        return None
    tenant, user = activity.tenant, activity.user
    if not tenant or not user:
        return None
    text = to_plain(activity.markup(), own_names=activity.bot_names())
    words = text.split()
    if words and words[0].lower() in ("/teamweather", "teamweather"):  # as typed on Slack
        text = " ".join(words[1:])
    where = channel_of(activity) or activity.conversation.id
    return Command(workspace=tenant, channel=where, user=user, text=text, platform=PLATFORM)


LEARN_WORDS = ("mytraining", "/mytraining")  # the learning command's word, as typed (texts.LEARN_COMMAND)


def learning_command(command: Command) -> Command | None:
    """``command`` as the learning command when its first word is ``mytraining`` (or
    ``/mytraining``, as typed on Slack), its text the words after it; None otherwise."""
    words = command.text.split(maxsplit=1)
    if not words or words[0].lower() not in LEARN_WORDS:
        return None
    return dataclasses.replace(command, text=words[1] if len(words) > 1 else "")


def where_from(activity: TeamsActivity) -> CommandWhere:
    """Where a command was written: the personal chat, a team channel, or a group chat."""
    if activity.personal:
        return "personal"
    return "channel" if channel_of(activity) else "chat"
