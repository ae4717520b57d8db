"""The Teams adapter's bot: an ``ActivityHandler`` that converts in, calls the core, converts out.

Channel messages, their edits and soft deletes go to the core on the storage writer's thread;
a write that cannot be committed in time raises ``StorageBusy``, which the endpoint answers 503
so that the message is not acked as stored. A message addressed to the bot (a mention in a
channel, anything in the personal chat) is a command.

Replies. Public ones (the notice when a channel is turned on, or off) are a new post in the
channel, not a reply in the admin's thread, so that everyone sees it. Teams has no message only
one person sees (Slack's ephemeral replies), so a private answer goes to the person's personal
chat with the bot: a command from that chat is answered there; one from a channel or group
chat is answered in a 1:1 chat the bot opens with the person (the Bot Connector's create
conversation, which returns the existing chat if there is one), never in the thread where
others would read it. If that chat cannot be opened, only a sentence saying so goes to the
thread. The personal chat of each person who may be sent a digest or an alert (the configured
managers and HR, ``recipients``) is stored when seen or opened (``storage.conversations``), so
that those can reach them later; nobody else's is: their Teams ids never reach the disk.

Removal (Teams' side of Slack's uninstall, ``bot.lifecycle``). The app removed from a team (an
``installationUpdate`` whose action is ``remove`` or ``remove-upgrade``, as botbuilder's
``ActivityHandler`` reads it, or the ``teamMemberRemoved`` conversation update naming the bot):
every enrolled channel of that team is turned off at once (``storage.team_channels``: the team of
each channel is noted when it is enrolled, or when a message or command comes from it), so a
late message stores nothing; other teams of the tenant are untouched. The app removed by a
person from their personal scope: their stored chat is forgotten, so no digest is tried through
a chat that is gone. Each removal that changes something is audited, by the team (or the
tenant), never by the person who removed it; Teams sends both events for one removal, and the
second changes nothing. The scores already kept stay under the retention rules (a tenant holds
other teams, so nothing purges it on a team's removal; ``teamweather purge --workspace
<tenant>`` erases all of it).

HR review (issue [review], ``review.enabled``, the core's :class:`bot.review.ReviewDesk`). A
review post is an Adaptive Card; a press of one of its buttons comes as a ``message`` whose
``value`` is the button's data (:func:`bot.teams.convert.review_press`; a malformed one never
gets here, the endpoint answers it 400). It is neither a command nor a message to collect. On
the writer's thread the desk notes the activity (by its conversation and id) in the same
transaction as what it stores, so a replay of the same activity changes nothing and says
nothing (the endpoint answers it 409: :class:`ReplayedPress`), and refuses a press from
anywhere but the review channel. A refusal goes privately to the person who pressed (the 1:1 chat, as for
commands); an accepted press updates the card in place (the card is the press's
``replyToId``) and its line goes to the card's reply chain. With review off, presses are
ignored. Whenever an activity comes from the review channel (the app installed in its team, a
message there), the channel's address is stored (``storage.conversations``, keyed
``msteams-channel:<channel id>``: ids and the service URL, no person), so that
``bot/teams/review_board.py`` can post there later.

``/mytraining`` (issue [mytraining], ``learning.enabled``, the core's
:class:`bot.mytraining.LearningDesk`). A message to the bot whose first word is ``mytraining``
(or ``/mytraining``) is the learning command, the rest its text. Every answer is private, as
above (the personal chat, or the 1:1 chat opened from a channel or group chat): a report as an
Adaptive Card with the buttons, a form as a card with inputs. A press of one of its buttons
(``{"teamweather": "learn", "value": …}``) replaces the card pressed in the personal chat (a new
card anywhere else); the form's submission (``{"teamweather": "learn-setup", …}``) is stored and
answered privately. A value the core does not accept raises ``MalformedPress`` before anything
is stored or sent (the endpoint answers 400). Without the desk, the command says learning plans
are off. When the bot is added to a person's personal chat (a ``conversationUpdate`` whose
``membersAdded`` names the bot), a welcome card goes there (:meth:`LearningDesk.welcome`): its
"Show my plan" replaces it with the plan, "Set role and goal" sends the setup form; with the desk
off, nothing is sent (the ``installationUpdate`` Teams sends beside it sends nothing either).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, TypeVar

from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.schema import (
    Activity, ActivityTypes, ChannelAccount, ConversationAccount, ConversationParameters, ConversationReference,
)

from bot import texts
from bot.core import Command, Message, Outcome, Reply, Teamweather
from bot.metrics import Metrics
from bot.mytraining import BadLearningAction, LearningDesk, ReplayedLearningAction
from bot.review import ActionResult, ReviewDesk
from bot.storage_writer import StorageWriter
from bot.teams import render
from bot.teams.convert import (
    LearningPress, MalformedPress, ReviewPress, SetupSubmission, TeamsActivity, card_press, channel_of,
    learning_command, to_command, to_deletion, to_message, where_from,
)
from bot.teams.directory import DirectoryUnavailable, TeamsDirectory
from bot.teams.render import reply_text
from domain.errors import StorageBusy
from storage import audit, consent, conversations, team_channels

log = logging.getLogger(__name__)

__all__ = ["PARSED", "REVIEW_CHANNEL_KEY", "ReplayedPress", "TeamweatherBot", "review_channel_key"]

PARSED = "teamweather.activity"  # turn_state key: the activity as the endpoint validated it
CHANNEL = "msteams"
REVIEW_CHANNEL_KEY = "msteams-channel:"  # storage.conversations key prefix of a channel's address


class ReplayedPress(Exception):
    """A card press whose activity was handled before (the endpoint answers 409): nothing was
    stored or sent for it this time."""


def review_channel_key(channel: str) -> str:
    """The ``storage.conversations`` key of a Teams channel's address (never a person's key:
    those are ``msteams:<AAD object id>``)."""
    return f"{REVIEW_CHANNEL_KEY}{channel}"


T = TypeVar("T")


def _message(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=reply_text(text), text_format="markdown")


class TeamweatherBot(ActivityHandler):  # type: ignore[misc]  # botbuilder has no type hints
    """Teamweather on Teams. ``app_id`` is the bot's Microsoft app id ("" without authentication)."""

    def __init__(
        self,
        core: Teamweather,
        directory: TeamsDirectory,
        *,
        app_id: str,
        writer: StorageWriter | None = None,
        metrics: Metrics | None = None,
        recipients: frozenset[str] = frozenset(),
        review: ReviewDesk | None = None,
        review_channel: str | None = None,
        learning: LearningDesk | None = None,
    ) -> None:
        self.core = core
        self.learning = learning  # None: /mytraining is off
        self.review = review  # None: review is off, presses are ignored
        self.review_channel = review_channel  # the review channel's 19:… id, when it is on Teams
        self._review_address: str | None = None  # the review channel's address as last stored
        self.recipients = recipients  # AAD object ids, lower case: whose personal chat is kept
        self.directory = directory
        self.app_id = app_id
        self.writer = writer
        self.metrics = metrics or Metrics()
        self._teamed: set[tuple[str, str]] = set()  # (tenant, channel): enrolled, its team noted

    async def handle(self, turn: TurnContext, parsed: TeamsActivity) -> None:
        """Run the turn of an activity the endpoint validated as ``parsed``."""
        turn.turn_state[PARSED] = parsed
        await self._note_review_channel(parsed)
        await self.on_turn(turn)

    async def _store(self, fn: Callable[[], T]) -> T:
        return await self.writer.run(fn) if self.writer is not None else fn()

    # -- incoming -------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        parsed: TeamsActivity = turn_context.turn_state[PARSED]
        if parsed.personal:
            await self._remember(turn_context, parsed, required=False)  # first contact
        if parsed.value is not None:  # a button pressed on a card: never a command or a message
            try:
                press = card_press(parsed)
            except MalformedPress as exc:  # the endpoint answers these 400 before the turn
                log.warning("a malformed card press was ignored (%s)", exc)
                return
            if isinstance(press, ReviewPress):
                await self._review_press(turn_context, parsed, press)
            elif isinstance(press, LearningPress):
                await self._learning_press(turn_context, parsed, press)
            elif isinstance(press, SetupSubmission):
                await self._setup_submission(turn_context, parsed, press)
            return
        command = to_command(parsed)
        learn = learning_command(command) if command is not None else None
        if learn is not None:
            await self._learning_command(turn_context, parsed, learn)
        elif command is not None:
            await self._command(turn_context, parsed, command)
        else:
            await self._receive(turn_context, parsed, to_message(parsed))

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        parsed: TeamsActivity = turn_context.turn_state[PARSED]
        await self._receive(turn_context, parsed, to_message(parsed))

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        deletion = to_deletion(turn_context.turn_state[PARSED])
        if deletion is not None:
            await self._store(lambda: self.core.delete(deletion.workspace, deletion.channel, deletion.ts))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        parsed: TeamsActivity = turn_context.turn_state[PARSED]
        if any(member.id == parsed.recipient.id for member in parsed.members_added):
            await self._installed(turn_context, parsed)
            if parsed.personal:
                await self._welcome(turn_context)
        elif parsed.event_type == "teamMemberRemoved" and parsed.team and not parsed.personal and any(
            member.id == parsed.recipient.id for member in parsed.members_removed
        ):
            await self._removed(parsed, "teamMemberRemoved")

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        parsed: TeamsActivity = turn_context.turn_state[PARSED]
        action = parsed.action or ""
        if action.startswith("add"):
            await self._installed(turn_context, parsed)
        elif action in ("remove", "remove-upgrade"):  # as botbuilder's ActivityHandler dispatches it
            await self._removed(parsed, action)

    async def on_invoke_activity(self, turn_context: TurnContext) -> Any:
        return None  # no cards to act on: the endpoint answers "unhandled"

    async def _installed(self, turn: TurnContext, parsed: TeamsActivity) -> None:
        """Installed for a person (store their chat) or in a team (list its members)."""
        if parsed.personal:
            await self._remember(turn, parsed, required=True)
        elif parsed.team:
            await self._list_team(turn, parsed, parsed.team)

    async def _removed(self, parsed: TeamsActivity, how: str) -> None:
        """The app removed from a team (its channels off) or from a person's personal scope
        (their chat forgotten); nothing for a group chat, where nothing is stored."""
        tenant = parsed.tenant
        if tenant is None:
            log.warning("a Teams removal without a tenant: ignored")
            return
        if parsed.personal:
            user = parsed.user
            if user is None:
                log.warning("a Teams removal from a personal chat without the person's id: ignored")
                return
            if await self._store(lambda: _forget_reference(self.core, f"{CHANNEL}:{user}", tenant, how)):
                log.info("Teamweather was removed from a person's personal scope; their chat is forgotten")
        elif parsed.team:
            team = parsed.team
            channels = await self._store(lambda: _team_removed(self.core, tenant, team, how))
            self._teamed.difference_update((tenant, channel) for channel in channels)
            self.directory.retire(team)
            if channels:
                log.warning(
                    "Teamweather was removed from a Teams team (%s): stopped collecting in its %d enrolled "
                    "channel(s); the scores already kept stay under the retention rules", how, len(channels),
                )
            else:  # nothing enrolled there, or the other event of the same removal
                log.info("Teamweather was removed from a Teams team (%s); no channel of it was enrolled", how)

    async def _receive(self, turn: TurnContext, parsed: TeamsActivity, message: Message | None) -> None:
        if message is None:
            return
        if parsed.team and not self.directory.knows(parsed.team):
            # Names must be stripped before anything is stored: a new team's roster first, but
            # only where something may be stored (an unreachable roster then answers 503).
            enrolled = await self._store(lambda: consent.enrolled_since(self.core.db, message.workspace, message.channel))
            if enrolled is None:
                return
            await self.directory.ensure(turn, parsed.team, parsed.tenant)
        outcome = await self._store(lambda: self.core.receive(message))
        if outcome is not Outcome.NOT_ENROLLED:
            await self._note_team(parsed, message.channel)

    async def _note_team(self, parsed: TeamsActivity, channel: str) -> None:
        """Note the team of an enrolled channel (once a process, as the first time might have
        been before V7); a busy database leaves it to the channel's next message."""
        tenant, team = parsed.tenant, parsed.team
        if tenant is None or team is None or (tenant, channel) in self._teamed:
            return
        try:
            if await self._store(lambda: _record_team(self.core, tenant, channel, team)):
                self._teamed.add((tenant, channel))
        except StorageBusy:
            self.metrics.count("storage_busy")

    # -- commands and replies -------------------------------------------------------------

    async def _command(self, turn: TurnContext, parsed: TeamsActivity, command: Command) -> None:
        where = where_from(parsed)
        word = (command.text.split() or ["help"])[0].lower()
        reply: Reply
        if where != "channel" and word in ("optin", "optout"):
            reply = Reply(texts.TEAMS_CHANNELS_ONLY)
        else:
            try:
                reply = await self._store(lambda: self.core.command(command))
            except StorageBusy:
                self.metrics.count("storage_busy")
                reply = Reply(texts.BUSY)
            except Exception as exc:  # the type only: a message may quote data
                self.metrics.count("msteams_command_errors")
                log.error("a Teams command failed (%s)", type(exc).__name__)
                reply = Reply(texts.INTERNAL_ERROR)
        channel = channel_of(parsed)
        if channel is not None:
            await self._note_team(parsed, channel)  # after an optin, the channel's team
        if reply.public and channel is not None:
            await self._post_in_channel(turn, parsed, channel, _message(reply.text))
        elif where == "personal":
            await turn.send_activity(_message(reply.text))
        else:
            await self._send_privately(turn, parsed, _message(reply.text))
        if channel is not None and parsed.team and not self.directory.knows(parsed.team):
            await self._list_team(turn, parsed, parsed.team)  # before its channel's messages come

    async def _list_team(self, turn: TurnContext, parsed: TeamsActivity, team: str) -> None:
        try:
            await self.directory.ensure(turn, team, parsed.tenant)
        except DirectoryUnavailable as exc:  # listed again by the team's first message
            log.warning("%s; it is tried again when a message comes from the team", exc)

    async def _post_in_channel(self, turn: TurnContext, parsed: TeamsActivity, channel: str, message: Activity) -> None:
        """A new post in the channel (sent to the channel's conversation, not to the thread)."""
        message.channel_id = CHANNEL
        message.service_url = parsed.service_url
        message.conversation = ConversationAccount(
            id=channel, is_group=True, conversation_type="channel", tenant_id=parsed.tenant
        )
        message.from_property = ChannelAccount(id=parsed.recipient.id, name=parsed.recipient.name)
        await turn.adapter.send_activities(turn, [message])

    async def _send_privately(self, turn: TurnContext, parsed: TeamsActivity, message: Activity) -> None:
        """In the 1:1 chat with the person, opened (or found) by the Bot Connector."""
        bot = ChannelAccount(id=parsed.recipient.id, name=parsed.recipient.name)
        person = ChannelAccount(id=parsed.from_.id, aad_object_id=parsed.from_.aad_object_id)
        parameters = ConversationParameters(
            is_group=False, bot=bot, members=[person], tenant_id=parsed.tenant,
            channel_data={"tenant": {"id": parsed.tenant}},
        )

        async def deliver(chat: TurnContext) -> None:
            reference = ConversationReference(
                channel_id=CHANNEL, service_url=parsed.service_url, bot=bot, user=person,
                conversation=ConversationAccount(id=chat.activity.conversation.id, conversation_type="personal",
                                                 tenant_id=parsed.tenant),
            )
            await chat.adapter.send_activities(chat, [TurnContext.apply_conversation_reference(message, reference)])
            await self._save(parsed, reference, required=False)

        try:
            await turn.adapter.create_conversation(self.app_id, deliver, parameters, CHANNEL, parsed.service_url)
        except Exception as exc:
            self.metrics.count("msteams_private_reply_failed")
            log.warning("could not open a Teams chat with a person to answer privately (%s)", type(exc).__name__)
            await turn.send_activity(_message(texts.TEAMS_PRIVATE_REPLY_FAILED))

    async def _privately(self, turn: TurnContext, parsed: TeamsActivity, message: Activity) -> None:
        """``message`` for the person alone: in the personal chat it came from, else in the 1:1
        chat opened with them."""
        if parsed.personal:
            await turn.send_activity(message)
        else:
            await self._send_privately(turn, parsed, message)

    # -- /mytraining ------------------------------------------------------------------------

    async def _learned(self, call: Callable[[LearningDesk], Reply], what: str) -> Reply:
        """``call`` on the learning desk, on the writer's thread: its reply, or the reply for a
        failure (learning off, busy, any other error, logged by type only); MalformedPress (the
        endpoint answers 400) for a value the core refuses, before anything is stored."""
        desk = self.learning
        if desk is None:
            return Reply(texts.LEARN_OFF)
        try:
            return await self._store(lambda: call(desk))
        except BadLearningAction:
            raise MalformedPress(f"value: not a /mytraining {what}") from None
        except ReplayedLearningAction:
            raise ReplayedPress("this press was handled before") from None
        except StorageBusy:
            self.metrics.count("storage_busy")
            return Reply(texts.BUSY)
        except Exception as exc:  # the type only: a message may quote the command's text or a goal
            self.metrics.count("msteams_command_errors")
            log.error("a Teams /mytraining %s failed (%s)", what, type(exc).__name__)
            return Reply(texts.INTERNAL_ERROR)

    async def _welcome(self, turn: TurnContext) -> None:
        """/mytraining's welcome card in the personal chat the bot was just added to (nothing
        when learning is off); a failure to send it is logged by type and counted."""
        desk = self.learning
        if desk is None:
            return
        report = desk.welcome()
        try:
            await turn.send_activity(_shown(Reply(report.title, report=report)))
        except Exception as exc:
            self.metrics.count("msteams_welcome_failed")
            log.warning("could not send the /mytraining welcome card (%s)", type(exc).__name__)

    async def _learning_command(self, turn: TurnContext, parsed: TeamsActivity, command: Command) -> None:
        if self.learning is not None and parsed.team and not self.directory.knows(parsed.team):
            await self._list_team(turn, parsed, parsed.team)  # names in a goal are stripped with it
        reply = await self._learned(lambda desk: desk.command(command), "command")
        await self._privately(turn, parsed, _shown(reply))

    async def _learning_press(self, turn: TurnContext, parsed: TeamsActivity, press: LearningPress) -> None:
        """Its report in place of the card pressed, in the personal chat; anywhere else, or for
        a failure, a new message to the person alone."""
        reply = await self._learned(lambda desk: desk.act(CHANNEL, press.workspace, press.user, press.value,
                                                          delivery=press.delivery), "press")
        if reply.report is not None and press.personal and press.card:
            updated = _shown(reply)
            updated.id = press.card
            try:
                await turn.update_activity(updated)
                return
            except Exception as exc:  # stored already: show it as a new card
                self.metrics.count("msteams_learning_update_failed")
                log.warning("could not update a /mytraining card in place (%s)", type(exc).__name__)
        await self._privately(turn, parsed, _shown(reply))

    async def _setup_submission(self, turn: TurnContext, parsed: TeamsActivity, form: SetupSubmission) -> None:
        reply = await self._learned(lambda desk: desk.submit(form.workspace, form.user, form.values), "form")
        await self._privately(turn, parsed, _shown(reply))

    # -- HR review ------------------------------------------------------------------------

    async def _review_press(self, turn: TurnContext, parsed: TeamsActivity, press: ReviewPress) -> None:
        desk = self.review
        if desk is None:
            return  # review is off: a press of an old card changes nothing
        result = await self._store(lambda: desk.act(CHANNEL, press.workspace, press.user, press.value,
                                                     channel=press.channel, delivery=press.event_id))
        if result.replayed:
            self.metrics.count("msteams_review_replays")
            raise ReplayedPress("this press was handled before")
        if result.refusal is not None:
            await self._send_privately(turn, parsed, _message(result.refusal))
            return
        self.metrics.count("msteams_review_actions")
        card = press.card or _post_activity(result)
        if result.report is not None and card:
            updated = Activity().deserialize(render.activity(result.report, result.text))
            updated.id = card
            try:
                await turn.update_activity(updated)
            except Exception as exc:  # stored already: the card shows it at the next press
                self.metrics.count("msteams_review_update_failed")
                log.warning("could not update a review card in place (%s)", type(exc).__name__)
        if result.thread:
            await self._reply_in_chain(turn, card, _message(result.thread))

    async def _reply_in_chain(self, turn: TurnContext, card: str | None, message: Activity) -> None:
        """Answer in the reply chain of the card pressed (the press's conversation is that chain)."""
        reference = TurnContext.get_conversation_reference(turn.activity)
        reference.activity_id = card or reference.activity_id
        try:
            await turn.adapter.send_activities(turn, [TurnContext.apply_conversation_reference(message, reference)])
        except Exception as exc:
            self.metrics.count("msteams_review_reply_failed")
            log.warning("could not reply in a review card's reply chain (%s)", type(exc).__name__)

    async def _note_review_channel(self, parsed: TeamsActivity) -> None:
        """Store the review channel's address when an activity comes from it (ids and the service
        URL only); a busy database leaves it to the channel's next activity."""
        channel, tenant = self.review_channel, parsed.tenant
        if channel is None or tenant is None or channel_of(parsed) != channel:
            return
        reference = ConversationReference(
            channel_id=CHANNEL, service_url=parsed.service_url, bot=ChannelAccount(id=parsed.recipient.id),
            conversation=ConversationAccount(id=channel, is_group=True, conversation_type="channel", tenant_id=tenant),
        ).serialize()
        address = json.dumps(reference, sort_keys=True)
        if address == self._review_address:
            return
        try:
            await self._store(lambda: _save_reference(self.core, review_channel_key(channel), reference, tenant))
        except StorageBusy:
            self.metrics.count("storage_busy")
            return
        self._review_address = address

    # -- conversation references ----------------------------------------------------------

    async def _remember(self, turn: TurnContext, parsed: TeamsActivity, *, required: bool) -> None:
        """Store the personal chat this activity came from."""
        await self._save(parsed, TurnContext.get_conversation_reference(turn.activity), required=required)

    async def _save(self, parsed: TeamsActivity, reference: ConversationReference, *, required: bool) -> None:
        user, tenant = parsed.user, parsed.tenant
        if user is None or tenant is None or user not in self.recipients:
            return
        reference.activity_id = None  # an address, not a message
        if reference.user is not None:
            reference.user.name = None  # no names at rest
        data: dict[str, Any] = reference.serialize()
        try:
            await self._store(lambda: _save_reference(self.core, f"{CHANNEL}:{user}", data, tenant))
        except StorageBusy:
            if required:
                raise
            self.metrics.count("storage_busy")  # stored at the person's next message


def _shown(reply: Reply) -> Activity:
    """A reply as Teams shows it: its form as a card with inputs, else its report as a card
    (its title the notification text), else its text."""
    if reply.form is not None:
        return Activity().deserialize(render.form_activity(reply.form))
    if reply.report is not None:
        return Activity().deserialize(render.activity(reply.report, reply.report.title))
    return _message(reply.text)


def _save_reference(core: Teamweather, user: str, reference: dict[str, Any], tenant: str) -> None:
    with core.db.conn:
        conversations.save(core.db, user, reference, workspace=tenant, at=core.clock())


def _post_activity(result: ActionResult) -> str | None:
    activity = (result.post or {}).get("activity")
    return activity if isinstance(activity, str) and activity else None


def _record_team(core: Teamweather, tenant: str, channel: str, team: str) -> bool:
    with core.db.conn:
        return team_channels.record(core.db, tenant, channel, team)


def _team_removed(core: Teamweather, tenant: str, team: str, how: str) -> list[str]:
    """Turn off the team's enrolled channels, audited by the team (no person); the channels."""
    with core.db.conn:
        channels = team_channels.unenroll_team(core.db, tenant, team)
        if channels:
            audit.record(core.db, "team_removed", actor="system", subject=team,
                         detail={"platform": CHANNEL, "workspace": tenant, "how": how,
                                 "channels_unenrolled": len(channels), "channels": channels},
                         at=core.clock())
    return channels


def _forget_reference(core: Teamweather, user: str, tenant: str, how: str) -> bool:
    """Forget a person's personal chat, audited by the tenant (no person); False if none was stored."""
    with core.db.conn:
        if not conversations.forget(core.db, user):
            return False
        audit.record(core.db, "personal_chat_removed", actor="system", subject=tenant,
                     detail={"platform": CHANNEL, "how": how}, at=core.clock())
    return True
