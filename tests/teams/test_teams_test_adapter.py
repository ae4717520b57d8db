"""Teams turns through botbuilder's ``TestAdapter``: the bot (``TeamweatherBot``), the core and
the storage writer as the running bot builds them, but no HTTP and no Bot Connector. Each turn
is an activity as Teams sends it (``conftest.teams_activity``), validated as the endpoint
validates it, and what the bot says lands in the adapter's buffer for ``assert_reply``.

What needs the Bot Connector stays in the endpoint tests (``test_teams_scenarios.py``, against
the fake connector): a private answer to a command written in a channel (the 1:1 chat is
opened with the connector's create-conversation, which ``TestAdapter`` does not implement in
the Bot Framework's form), authentication, and what the endpoint itself answers (401, 413, 503,
malformed bodies). A team's roster comes from the connector too; here it is handed to the real
``TeamsDirectory`` in its place.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter, TestFlow
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botbuilder.schema.teams import TeamsChannelAccount

from analyzers.pseudonymise import Member, Pseudonymiser
from bot import texts
from bot.core import Teamweather
from bot.storage_writer import StorageWriter
from bot.teams.bot import TeamweatherBot
from bot.teams.convert import parse_activity
from bot.teams.directory import TeamsDirectory, member_from_account
from bot.teams.render import reply_text
from conftest import (
    ADELE, APP_ID, BOT_ID, KEY, MEGAN, TEAM, TEAMS_ADMIN, TEAMS_CHANNEL, TEAMS_IDS, TEAMS_ROSTER, TENANT, teams_activity,
)
from storage import audit, connect, conversations

SERVICE = "https://smba.trafficmanager.net/emea/"


def roster() -> list[Member]:
    """The team's members, read from the roster entries as the connector returns them."""
    accounts = [TeamsChannelAccount().deserialize(entry) for entry in TEAMS_ROSTER]
    return [m for m in map(member_from_account, accounts) if m is not None]


class Harness:
    """``TeamweatherBot`` behind a ``TestAdapter``, on a database of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = StorageWriter(lambda: connect(path))
        self.pseudonymiser = Pseudonymiser(KEY)
        self.core = Teamweather(self.writer.db, self.pseudonymiser, admins=frozenset({f"msteams:{TEAMS_ADMIN}"}),
                                zone=ZoneInfo("UTC"))
        self.directory = TeamsDirectory(self.pseudonymiser, refresh_seconds=3600)
        self.bot = TeamweatherBot(self.core, self.directory, app_id=APP_ID, writer=self.writer,
                                  recipients=frozenset({MEGAN, ADELE}))
        self.adapter = TestAdapter(self.turn, personal_chat(MEGAN))

    async def turn(self, context: TurnContext) -> None:
        """What the endpoint does once a request is authenticated: validate, then run the bot."""
        await self.bot.handle(context, parse_activity(wire(context.activity)))

    def read(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows, read on a connection of the test's own (the writer's belongs to its thread)."""
        with self.reader() as db:
            return [tuple(row) for row in db.execute(sql, params).fetchall()]

    def reference(self, user: str) -> dict[str, Any] | None:
        with self.reader() as db:
            return conversations.get(db, f"msteams:{user}")

    def audit(self, action: str) -> list[dict[str, Any]]:
        with self.reader() as db:
            return audit.entries(db, action)

    @contextlib.contextmanager
    def reader(self) -> Iterator[sqlite_utils.Database]:
        db = connect(self.path)
        try:
            yield db
        finally:
            db.close()


def wire(activity: Activity) -> dict[str, Any]:
    """The activity as Teams posted it. The SDK's model keeps what it has no field for (a
    mention's ``mentioned`` and ``text``) aside and leaves it out when serialising, so it is put
    back for the validation the endpoint does on the posted body."""
    data: dict[str, Any] = activity.serialize()
    if activity.entities:
        data["entities"] = [{**(e.additional_properties or {}), **e.serialize()} for e in activity.entities]
    return data


def personal_chat(user: str) -> Activity:
    """The ``TestAdapter``'s template: ``user``'s personal chat with the bot, on Teams."""
    name = next(m["name"] for m in TEAMS_ROSTER if m["aadObjectId"] == user)
    return Activity(
        channel_id="msteams", service_url=SERVICE,
        from_property=ChannelAccount(id=TEAMS_IDS[user], name=name, aad_object_id=user),
        recipient=ChannelAccount(id=BOT_ID, name="Teamweather"),
        conversation=ConversationAccount(id=f"a:1personal-{user}", conversation_type="personal", tenant_id=TENANT),
        channel_data={"tenant": {"id": TENANT}},
    )


def from_teams(kind: str = "message", **fields: Any) -> Activity:
    """An activity as Teams posts it (in TEAMS_CHANNEL unless ``channel`` says otherwise)."""
    return Activity().deserialize(teams_activity(SERVICE, kind, **fields))


def rendered(text: str) -> str:
    return reply_text(text)


@pytest.fixture
async def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async def members(turn: TurnContext, team_id: str) -> list[Member]:
        assert team_id == TEAM
        return roster()

    monkeypatch.setattr("bot.teams.directory.fetch_members", members)  # the connector's part
    running = Harness(tmp_path / "teamweather.db")
    try:
        yield running
    finally:
        running.writer.close()


def in_channel(check: Callable[[Activity], None]) -> Callable[[Activity, str], None]:
    """An ``assert_reply`` inspector for a new post in TEAMS_CHANNEL."""
    def inspect(reply: Activity, description: str) -> None:
        assert reply.type == "message" and reply.conversation.id == TEAMS_CHANNEL, description
        check(reply)
    return inspect


# -- the personal chat -----------------------------------------------------------------------------


async def test_help_in_the_personal_chat_is_answered_with_the_help(harness: Harness) -> None:
    flow = await harness.adapter.send("help")
    await flow.assert_reply(rendered(texts.HELP))
    # The chat is remembered at first contact, so that digests can reach her later.
    reference = harness.reference(MEGAN)
    assert reference is not None and reference["conversation"]["id"] == f"a:1personal-{MEGAN}"
    assert "name" not in reference["user"]


async def test_status_for_someone_who_never_wrote(harness: Harness) -> None:
    expected = texts.STATUS.format(state=texts.STATE_COLLECTING, scores=0, pending=0, channel_state=texts.CHANNEL_OFF)
    await (await harness.adapter.send("status")).assert_reply(rendered(expected))


async def test_an_unknown_word_is_named_and_the_help_follows(harness: Harness) -> None:
    flow = await harness.adapter.send("weather?")
    flow = await flow.assert_reply(rendered(texts.UNKNOWN_COMMAND.format(word="weather?")))
    # As typed on Slack, the command's name is dropped first; an empty command is help.
    flow = await flow.send("/teamweather HELP")
    flow = await flow.assert_reply(rendered(texts.HELP))
    await (await flow.send(Activity(type="message", text="   "))).assert_reply(rendered(texts.HELP))


async def test_channel_commands_are_refused_in_the_personal_chat(harness: Harness) -> None:
    adapter = TestAdapter(harness.turn, personal_chat(TEAMS_ADMIN))
    await (await adapter.send("optin")).assert_reply(rendered(texts.TEAMS_CHANNELS_ONLY))
    assert harness.read("SELECT * FROM channels") == []


# -- a team channel --------------------------------------------------------------------------------


async def test_a_message_in_an_enrolled_channel_is_stored_pseudonymised(harness: Harness) -> None:
    optin = from_teams(text="optin", user=TEAMS_ADMIN, mention_bot=True)

    def the_notice(reply: Activity) -> None:
        assert reply.text.startswith("⛅ **Teamweather is now on in this channel.**")
        assert reply.text_format == "markdown" and reply.from_property.id == BOT_ID

    flow: TestFlow = await harness.adapter.send(optin)
    flow = await flow.assert_reply(in_channel(the_notice))  # a new post everyone sees, not a thread reply
    await asyncio.sleep(0.002)  # the message comes after the enrolment
    text = ('thanks <at id="1">Nestor Wilke</at> and Adele Vance, Megan ships today: '
            '<a href="https://contoso.sharepoint.com/plan">the plan</a>')
    flow = await flow.send(from_teams(text=text, user=MEGAN))
    await flow.assert_no_reply(timeout=100)  # a channel message is read, never answered
    [(workspace, channel, author, stored)] = harness.read("SELECT workspace, channel, author, text FROM inbox")
    assert (workspace, channel) == (TENANT, TEAMS_CHANNEL)
    assert stored == "thanks <person> and <person>, <person> ships today: <url>"
    assert author == harness.pseudonymiser.author(TENANT, MEGAN) and MEGAN not in author
    assert harness.read("SELECT team FROM channels") == [(TEAM,)]  # noted for a removal from the team
    [entry] = harness.audit("channel_enrolled")
    assert entry["subject"] == TEAMS_CHANNEL


async def test_a_message_in_a_channel_not_enrolled_stores_nothing(harness: Harness) -> None:
    flow = await harness.adapter.send(from_teams(text="Adele Vance is great", user=MEGAN))
    await flow.assert_no_reply(timeout=100)
    assert harness.read("SELECT count(*) FROM inbox") == [(0,)]
    assert not harness.directory.knows(TEAM)  # no roster was needed: nothing could be stored


# -- installation and removal ----------------------------------------------------------------------


async def test_a_personal_installation_is_remembered_and_its_removal_forgets_it(harness: Harness) -> None:
    install = from_teams("installationUpdate", user=MEGAN, channel=None, action="add")
    await (await harness.adapter.send(install)).assert_no_reply(timeout=100)  # installing says nothing yet
    assert harness.reference(MEGAN) is not None
    remove = from_teams("installationUpdate", user=MEGAN, channel=None, action="remove")
    await (await harness.adapter.send(remove)).assert_no_reply(timeout=100)
    assert harness.reference(MEGAN) is None
    [entry] = harness.audit("personal_chat_removed")
    assert entry["subject"] == TENANT and MEGAN not in str(entry)


async def test_removal_from_the_team_turns_its_channel_off(harness: Harness) -> None:
    flow = await harness.adapter.send(from_teams(text="optin", user=TEAMS_ADMIN, mention_bot=True))
    flow = await flow.assert_reply(in_channel(lambda reply: None))
    remove = from_teams("installationUpdate", user=TEAMS_ADMIN, action="remove")
    flow = await flow.send(remove)
    await flow.assert_no_reply(timeout=100)
    assert harness.read("SELECT * FROM channels") == []
    [entry] = harness.audit("team_removed")
    assert entry["subject"] == TEAM and entry["detail"]["channels"] == [TEAMS_CHANNEL]
    await asyncio.sleep(0.002)
    await (await harness.adapter.send(from_teams(text="a late word", user=MEGAN))).assert_no_reply(timeout=100)
    assert harness.read("SELECT count(*) FROM inbox") == [(0,)]
