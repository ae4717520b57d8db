"""Slack and Teams, one scenario each: every scenario runs against both adapters, so they cannot drift.

A :class:`Driver` speaks to the running bot (``serve()`` on loopback, the real adapter, core,
worker and SQLite) as its platform would, in neutral terms: people are roles (``admin``,
``author``, ``peer``), channels are ``enrolled`` or ``other``, a message is a :data:`Content`
of neutral pieces (words, a mention of someone, a name, a link, an email, a paragraph break)
that each driver writes as its platform sends it (Slack: mrkdwn ``text`` and ``rich_text``
blocks; Teams: the activity's HTML). Replies are compared after undoing each platform's markup
(:func:`plain`), against the core's own sentence in ``bot/texts.py``.

Bad input follows one contract on both endpoints: a request without valid credentials (Slack: a
missing, stale or forged signature; Teams: the platform built with authentication on, and no
or a forged token) is a 4xx; a request with valid credentials (Slack: signed; Teams: the test
platform without authentication, which stands for a valid token) whose body is not JSON, not
UTF-8 or of the wrong shape is answered 200 and ignored, one over the size limit 413; never a 5xx,
nothing stored, and counted in ``/healthz``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Protocol, Union

import pytest

from bot import texts
from conftest import (
    ADELE, ADMIN, ALICE, APP_ID, BOB, CHANNEL, MEGAN, OTHER_CHANNEL, SIGNING_SECRET, TEAMS_ADMIN, TEAMS_CHANNEL,
    TEAMS_IDS, TEAMS_OTHER_CHANNEL, TENANT, BotUnderTest, RunningBot, TeamsBotUnderTest, event_body,
    message_event, running_bot, running_teams_bot,
)
from slack_fake import TEAM_ID
from teams_fake import forged_jwt
from storage import connect

PLATFORMS = ["slack", "msteams"]


# -- neutral content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    text: str


@dataclass(frozen=True)
class Mention:
    """An @-mention of someone (the platform's markup for it)."""

    role: str


@dataclass(frozen=True)
class Name:
    """Someone's name written out: their full name, or their first name only."""

    role: str
    first_only: bool = False


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class Email:
    address: str


@dataclass(frozen=True)
class Emoji:
    """An emoji picked in the client: Slack's name for it, and the character."""

    name: str
    char: str


@dataclass(frozen=True)
class Break:
    """A new paragraph."""


Piece = Union[Words, Mention, Name, Link, Email, Emoji, Break]
Content = Union[str, tuple[Piece, ...]]

#: Same people, same words, on both platforms: what each writes differs only in its markup.
THANKS: tuple[Piece, ...] = (
    Words("thanks "), Mention("peer"), Words(" and "), Name("peer"), Words(", "), Name("author", first_only=True),
    Words(" here."), Break(),
    Words("The plan: "), Link("https://wiki.example.org/plan", "the plan"), Words(", or mail "),
    Email("help@example.org"), Words(". R&D says 2 < 3 & that's fine"),
)
#: What the analyzer must be given for it, from either platform.
THANKS_NEUTRAL = "thanks <person> and <person>, <person> here.\nThe plan: <url>, or mail <email>. R&D says 2 < 3 & that's fine"

NEGATIVE = "this is awful, everything is broken and I hate it"
POSITIVE = "this is wonderful, thank you all, love it"


# -- replies, whatever the platform's markup -----------------------------------------------------

# Teamweather's emoji as Slack's codes (bot/slack/render.py writes them so); written out here
# rather than imported, so that a wrong code there shows as a difference.
_SLACK_EMOJI = {":partly_sunny:": "⛅", ":no_entry_sign:": "🚫", ":warning:": "⚠️", ":bulb:": "💡"}
_ITALIC = re.compile(r"(?<![\w`])_(\S(?:[^\n]*?\S)?)_(?![\w`])")


def plain(text: str) -> str:
    """A reply without its platform's markup: emphasis marks gone (Slack's ``*bold*``, Teams'
    ``**bold**`` and ``*italic*``, the core's ``_italic_``), Slack's emoji codes as the emoji,
    Teams' doubled line breaks single, commands as bare words (Slack's ``/teamweather pause``
    is what Teams users type as ``pause``, ``/mytraining`` as ``mytraining``). Code spans and
    bullets stay."""
    text = text.replace("`/teamweather ", "`").replace("`/mytraining", "`mytraining")
    for code, emoji in _SLACK_EMOJI.items():
        text = text.replace(code, emoji)
    text = _ITALIC.sub(r"\1", text.replace("*", ""))
    return re.sub(r"\n[ \t]*\n+", "\n", text).strip()


# -- the drivers ----------------------------------------------------------------------------------


@dataclass
class Stored:
    """What the bot keeps: the inbox (pseudonymised texts waiting to be scored) and the scores."""

    inbox: list[dict[str, Any]]
    scores: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not self.inbox and not self.scores


class Driver(Protocol):
    """One platform's side of a scenario, in neutral terms."""

    platform: str
    workspace: str  # the core's workspace: Slack's team, Teams' tenant
    users: dict[str, str]  # role -> the platform's user id (as the core knows it)
    size_limit: int  # the largest body the endpoint reads

    @property
    def bot(self) -> RunningBot:
        """The running bot (its runtime, analyzer, database)."""
        ...

    async def enrol(self, by_admin: bool = True) -> str | None:
        """``optin`` in the enrolled channel; the private answer, if the answer was private."""
        ...

    async def say(self, content: Content, user: str = "author", channel: str = "enrolled", *, ref: str = "m") -> int:
        """A person's new message in a channel, remembered as ``ref``; the HTTP status."""
        ...

    async def redeliver(self, ref: str) -> int:
        """The platform delivering message ``ref`` again (a retry), as it delivered it."""
        ...

    async def edit(self, ref: str, content: Content) -> int:
        ...

    async def delete(self, ref: str) -> int:
        ...

    def key(self, ref: str) -> str:
        """Message ``ref``'s pseudonymous key, as the core stores it."""
        ...

    async def command(self, word: str, user: str = "author") -> str | None:
        """``/teamweather <word>`` (Slack) or ``@Teamweather <word>`` (Teams) in the enrolled
        channel: the private reply the person saw, or None when the answer was public."""
        ...

    def public_posts(self) -> list[str]:
        """What the bot posted visibly in the enrolled channel, in order."""
        ...

    def stored(self) -> Stored:
        ...

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        """A request to the platform's endpoint: its status and JSON answer (None if not JSON)."""
        ...

    def credentials(self, body: bytes) -> dict[str, str]:
        """Headers that make ``body`` a request from the platform (Slack: signed; Teams: none
        needed by the test platform without authentication)."""
        ...

    def forged(self, body: bytes) -> dict[str, dict[str, str]]:
        """Headers of requests that are not from the platform, by what is wrong with them."""
        ...

    def message_body(self, text: str = "a sentence someone wrote") -> dict[str, Any]:
        """A well-formed message in the enrolled channel, as the platform posts it."""
        ...

    def wrong_types(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """Changes that give a message body a field of the wrong type, by what they break."""
        ...


async def _post(bot: RunningBot, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with bot.session.post(f"{bot.url}{path}", data=body, headers=headers) as resp:
        raw = await resp.read()
        try:
            answer = json.loads(raw) if resp.content_type == "application/json" else None
        except ValueError:
            answer = None
        return resp.status, answer


def _stored(bot: RunningBot) -> Stored:
    reader = connect(bot.runtime.config.settings.database)
    try:
        return Stored(list(reader["inbox"].rows), list(reader["scores"].rows))
    finally:
        reader.close()


async def counters(bot: RunningBot) -> dict[str, int]:
    """The counters ``/healthz`` reports."""
    async with bot.session.get(f"{bot.url}/healthz") as resp:
        return dict((await resp.json())["counters"])


def _slack_signed(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature over the raw bytes."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class SlackDriver:
    bot: BotUnderTest
    platform: str = "slack"
    workspace: str = TEAM_ID
    users: dict[str, str] = field(default_factory=lambda: {"admin": ADMIN, "author": ALICE, "peer": BOB})
    names: dict[str, str] = field(default_factory=lambda: {"author": "Alice Fernsby", "peer": "Bob Okonkwo"})
    channels: dict[str, str] = field(default_factory=lambda: {"enrolled": CHANNEL, "other": OTHER_CHANNEL})
    size_limit: int = 0
    with_blocks: bool = True  # as Slack's clients send a message; False: its text only, as some apps do
    _public: list[str] = field(default_factory=list)
    _sent: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)  # ref -> (event, event id)
    _ts: float = 0.0

    def __post_init__(self) -> None:
        from bot.server import MAX_BODY_BYTES

        self.size_limit = MAX_BODY_BYTES

    def _next_ts(self) -> str:
        self._ts = max(self._ts + 0.000001, time.time())
        return f"{self._ts:.6f}"

    def _text(self, content: Content) -> str:
        if isinstance(content, str):
            return content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out = []
        for piece in content:
            if isinstance(piece, Words):
                out.append(piece.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
            elif isinstance(piece, Mention):
                out.append(f"<@{self.users[piece.role]}>")
            elif isinstance(piece, Name):
                name = self.names[piece.role]
                out.append(name.split()[0] if piece.first_only else name)
            elif isinstance(piece, Link):
                out.append(f"<{piece.url}|{piece.label}>")
            elif isinstance(piece, Email):
                out.append(f"<mailto:{piece.address}|{piece.address}>")
            elif isinstance(piece, Emoji):
                out.append(f":{piece.name}:")
            else:
                out.append("\n")
        return "".join(out)

    def _blocks(self, content: Content) -> list[dict[str, Any]]:
        """The ``rich_text`` block a Slack client sends with the message: a section a paragraph."""
        if isinstance(content, str):
            content = (Words(content),)
        sections: list[list[dict[str, Any]]] = [[]]
        for piece in content:
            if isinstance(piece, Words):
                sections[-1].append({"type": "text", "text": piece.text})
            elif isinstance(piece, Mention):
                sections[-1].append({"type": "user", "user_id": self.users[piece.role]})
            elif isinstance(piece, Name):
                name = self.names[piece.role]
                sections[-1].append({"type": "text", "text": name.split()[0] if piece.first_only else name})
            elif isinstance(piece, Link):
                sections[-1].append({"type": "link", "url": piece.url, "text": piece.label})
            elif isinstance(piece, Email):
                sections[-1].append({"type": "link", "url": f"mailto:{piece.address}", "text": piece.address})
            elif isinstance(piece, Emoji):
                unicode = "-".join(f"{ord(c):x}" for c in piece.char)
                sections[-1].append({"type": "emoji", "name": piece.name, "unicode": unicode})
            else:
                sections.append([])
        return [{"type": "rich_text", "block_id": "b1", "elements": [
            {"type": "rich_text_section", "elements": elements} for elements in sections if elements]}]

    async def _event(self, event: dict[str, Any], event_id: str | None = None, retry: int = 0) -> int:
        return await self.bot.event(event, event_id=event_id, retry=retry)

    async def enrol(self, by_admin: bool = True) -> str | None:
        return await self.command("optin", "admin" if by_admin else "author")

    async def say(self, content: Content, user: str = "author", channel: str = "enrolled", *, ref: str = "m") -> int:
        blocks = {"blocks": self._blocks(content)} if self.with_blocks else {}
        event = message_event(self._text(content), user=self.users[user], channel=self.channels[channel],
                              ts=self._next_ts(), **blocks)
        self.bot.counter[0] += 1
        event_id = f"EvParity{self.bot.counter[0]:06d}"
        self._sent[ref] = (event, event_id)
        return await self._event(event, event_id)

    async def redeliver(self, ref: str) -> int:
        event, event_id = self._sent[ref]
        return await self._event(event, event_id, retry=1)

    async def edit(self, ref: str, content: Content) -> int:
        original, _ = self._sent[ref]
        now = self._next_ts()
        new = {**original, "text": self._text(content), "edited": {"user": original["user"], "ts": now}}
        if self.with_blocks:
            new["blocks"] = self._blocks(content)
        edited = {"type": "message", "subtype": "message_changed", "channel": original["channel"], "hidden": True,
                  "ts": now, "event_ts": now, "message": new, "previous_message": original}
        self._sent[ref] = (new, "")
        return await self._event(edited)

    async def delete(self, ref: str) -> int:
        original, _ = self._sent[ref]
        now = self._next_ts()
        deleted = {"type": "message", "subtype": "message_deleted", "channel": original["channel"], "hidden": True,
                   "ts": now, "event_ts": now, "deleted_ts": original["ts"], "previous_message": original}
        return await self._event(deleted)

    def key(self, ref: str) -> str:
        event, _ = self._sent[ref]
        return self.bot.runtime.pseudonymiser.message_key(TEAM_ID, event["channel"], event["ts"])

    async def command(self, word: str, user: str = "author") -> str | None:
        status, reply = await self.bot.command(word, user=self.users[user], channel=CHANNEL)
        assert status == 200, status
        if reply.get("response_type") == "in_channel":
            self._public.append(str(reply["text"]))
            return None
        assert reply.get("response_type") == "ephemeral", reply  # only the person sees it
        return str(reply["text"])

    def public_posts(self) -> list[str]:
        return list(self._public)

    def stored(self) -> Stored:
        return _stored(self.bot)

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        return await _post(self.bot, "/slack/events", body, headers)

    def credentials(self, body: bytes) -> dict[str, str]:
        return {"Content-Type": "application/json", **_slack_signed(body)}

    def forged(self, body: bytes) -> dict[str, dict[str, str]]:
        json_type = {"Content-Type": "application/json"}
        return {
            "no credentials": json_type,
            "a forged signature": {**json_type, **_slack_signed(body, secret="not-the-secret")},
            "a stale signature": {**json_type, **_slack_signed(body, timestamp=int(time.time()) - 600)},
        }

    def message_body(self, text: str = "a sentence someone wrote") -> dict[str, Any]:
        self.bot.counter[0] += 1
        return event_body(message_event(text, ts=self._next_ts()), f"EvRaw{self.bot.counter[0]:06d}")

    def wrong_types(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "text a number": lambda b: b["event"].update(text=12345),
            "author an object": lambda b: b["event"].update(user={"id": ALICE}),
            "channel a number": lambda b: b["event"].update(channel=7),
            "message id not an id": lambda b: b["event"].update(ts="not an id"),
            "workspace an object": lambda b: b.update(team_id={"id": TEAM_ID}),
            "message a list": lambda b: b.update(event=[1, 2]),
        }


@dataclass
class TeamsDriver:
    bot: TeamsBotUnderTest
    authenticated: bool = False
    platform: str = "msteams"
    workspace: str = TENANT
    users: dict[str, str] = field(default_factory=lambda: {"admin": TEAMS_ADMIN, "author": MEGAN, "peer": ADELE})
    names: dict[str, str] = field(default_factory=lambda: {"author": "Megan Bowen", "peer": "Adele Vance"})
    channels: dict[str, str] = field(default_factory=lambda: {"enrolled": TEAMS_CHANNEL, "other": TEAMS_OTHER_CHANNEL})
    size_limit: int = 0
    _sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> activity
    _id: int = 0

    def __post_init__(self) -> None:
        from bot.teams.endpoint import MAX_BODY_BYTES

        self.size_limit = MAX_BODY_BYTES

    def _next_id(self) -> str:
        """A channel message's id: its creation time in milliseconds, as Teams writes it."""
        self._id = max(self._id + 1, int(time.time() * 1000) + 1)
        return str(self._id)

    def _html(self, content: Content) -> tuple[str, list[dict[str, Any]]]:
        """The message as Teams sends it: its HTML and its mention entities."""
        if isinstance(content, str):
            content = (Words(content),)
        out: list[str] = []
        mentions: list[dict[str, Any]] = []
        for piece in content:
            if isinstance(piece, Words):
                out.append(html.escape(piece.text, quote=False))
            elif isinstance(piece, Mention):
                name, user = self.names[piece.role], self.users[piece.role]
                out.append(f'<at id="{len(mentions)}">{name}</at>')
                mentions.append({"type": "mention", "text": f"<at>{name}</at>",
                                 "mentioned": {"id": TEAMS_IDS[user], "name": name, "aadObjectId": user}})
            elif isinstance(piece, Name):
                name = self.names[piece.role]
                out.append(html.escape(name.split()[0] if piece.first_only else name))
            elif isinstance(piece, Link):
                out.append(f'<a href="{piece.url}" rel="noreferrer noopener" target="_blank" title="{piece.url}">'
                           f"{html.escape(piece.label)}</a>")
            elif isinstance(piece, Email):
                out.append(f'<a href="mailto:{piece.address}">{piece.address}</a>')
            elif isinstance(piece, Emoji):
                code = "_".join(f"{ord(c):x}" for c in piece.char)
                out.append(f'<emoji id="{code}_{piece.name}" alt="{piece.char}" title="{piece.name}"></emoji>')
            else:
                out.append("</p><p>")
        return f"<p>{''.join(out)}</p>", mentions

    def _activity(self, kind: str, content: Content | None, **fields: Any) -> dict[str, Any]:
        activity = self.bot.activity(kind, text="" if content is not None else None, **fields)
        if content is not None:
            markup, mentions = self._html(content)
            activity["text"] = markup
            activity["attachments"] = [{"contentType": "text/html", "content": markup}]
            activity["entities"] = [*activity["entities"], *mentions]
        return activity

    async def _send(self, activity: dict[str, Any]) -> int:
        return (await self.bot.post(activity))[0]

    async def enrol(self, by_admin: bool = True) -> str | None:
        if self.authenticated:  # no test can mint a token Microsoft signed: enrolled in storage
            from storage import consent

            def enrol() -> None:
                db = self.bot.runtime.core.db
                with db.conn:
                    consent.enroll(db, TENANT, TEAMS_CHANNEL, by="admin", at=time.time() - 60)

            await self.bot.runtime.writer.run(enrol)
            return None
        return await self.command("optin", "admin" if by_admin else "author")

    async def say(self, content: Content, user: str = "author", channel: str = "enrolled", *, ref: str = "m") -> int:
        activity = self._activity("message", content, user=self.users[user], channel=self.channels[channel],
                                  activity_id=self._next_id())
        self._sent[ref] = activity
        return await self._send(activity)

    async def redeliver(self, ref: str) -> int:
        return await self._send(self._sent[ref])

    async def edit(self, ref: str, content: Content) -> int:
        original = self._sent[ref]
        edit = self._activity("messageUpdate", content, user=original["from"]["aadObjectId"],
                              activity_id=original["id"], event_type="editMessage")
        self._sent[ref] = edit
        return await self._send(edit)

    async def delete(self, ref: str) -> int:
        original = self._sent[ref]
        delete = self._activity("messageDelete", None, user=original["from"]["aadObjectId"],
                                activity_id=original["id"], event_type="softDeleteMessage")
        return await self._send(delete)

    def key(self, ref: str) -> str:
        activity = self._sent[ref]
        return self.bot.runtime.pseudonymiser.message_key(TENANT, activity["channelData"]["channel"]["id"], activity["id"])

    async def command(self, word: str, user: str = "author") -> str | None:
        who = self.users[user]
        private_before = len(self.bot.private_texts(who))
        public_before = len(self.public_posts())
        assert await self.bot.command(word, user=who) == 200
        private = self.bot.private_texts(who)[private_before:]
        if len(self.public_posts()) > public_before:
            assert private == [], private
            return None
        [reply] = private  # in the person's chat with the bot, never in the channel's thread
        assert self.bot.connector.sent(kind="reply") == []
        return reply

    def public_posts(self) -> list[str]:
        return self.bot.connector.texts(TEAMS_CHANNEL)

    def stored(self) -> Stored:
        return _stored(self.bot)

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        return await _post(self.bot, self.bot.path, body, headers)

    def credentials(self, body: bytes) -> dict[str, str]:
        assert not self.authenticated, "no test can mint a token Microsoft signed"
        return {"Content-Type": "application/json"}

    def forged(self, body: bytes) -> dict[str, dict[str, str]]:
        json_type = {"Content-Type": "application/json"}
        token = forged_jwt({"iss": "https://forger.example", "aud": APP_ID,
                             "serviceurl": self.bot.connector.url, "exp": int(time.time()) + 600})
        return {
            "no credentials": json_type,
            "a token that is no JWT": {**json_type, "Authorization": "Bearer forged"},
            "a forged token": {**json_type, "Authorization": f"Bearer {token}"},
        }

    def message_body(self, text: str = "a sentence someone wrote") -> dict[str, Any]:
        return self._activity("message", text, activity_id=self._next_id())

    def wrong_types(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "text a number": lambda a: a.update(text=12345),
            "author an object": lambda a: a["from"].update(aadObjectId={"id": MEGAN}),
            "channel a number": lambda a: a["channelData"]["channel"].update(id=3),
            "message id not an id": lambda a: a.update(id="not an id"),
            "workspace an object": lambda a: a["conversation"].update(tenantId={"id": TENANT}),
            "message a list": lambda a: a.update(conversation=[1, 2]),
        }


@contextlib.asynccontextmanager
async def started(platform: str, tmp_path: Path, *, authenticated: bool = False) -> AsyncIterator[Driver]:
    """A running bot with ``platform`` on, and its driver."""
    if platform == "slack":
        async with running_bot(tmp_path) as slack:
            yield SlackDriver(slack)
    else:
        async with running_teams_bot(tmp_path, authenticated=authenticated) as teams:
            yield TeamsDriver(teams, authenticated=authenticated)


@pytest.fixture(params=PLATFORMS)
async def driver(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Driver]:
    async with started(request.param, tmp_path) as running:
        yield running


async def enrolled(driver: Driver) -> None:
    assert await driver.enrol() is None  # answered publicly
    assert len(driver.public_posts()) == 1


def author_of(driver: Driver, role: str) -> str:
    return driver.bot.runtime.pseudonymiser.author(driver.workspace, driver.users[role])


# -- enrolment --------------------------------------------------------------------------------------


async def test_optin_by_an_admin_posts_the_notice_in_the_channel(driver: Driver) -> None:
    assert await driver.enrol(by_admin=True) is None
    [notice] = driver.public_posts()
    assert plain(notice) == plain(texts.CHANNEL_NOTICE.format(k=driver.bot.runtime.core.k))
    # Again: nothing changes, and only the admin is told.
    assert plain(await driver.enrol(by_admin=True) or "") == plain(texts.CHANNEL_ALREADY_ENROLLED)
    assert len(driver.public_posts()) == 1


async def test_optin_by_someone_else_is_refused_privately_and_stores_nothing(driver: Driver) -> None:
    assert plain(await driver.enrol(by_admin=False) or "") == plain(texts.ADMINS_ONLY)
    assert driver.public_posts() == []
    assert await driver.say("good morning, the deploy went well") == 200
    await driver.bot.drained()
    assert driver.stored().empty and driver.bot.analyzer.texts == []


async def test_optout_turns_the_channel_off(driver: Driver) -> None:
    await enrolled(driver)
    assert plain(await driver.command("optout", "author") or "") == plain(texts.ADMINS_ONLY)
    assert await driver.command("optout", "admin") is None
    assert plain(driver.public_posts()[-1]) == plain(texts.CHANNEL_UNENROLLED)
    assert await driver.say("after the optout") == 200
    await driver.bot.drained()
    assert driver.stored().empty and driver.bot.analyzer.texts == []
    assert plain(await driver.command("optout", "admin") or "") == plain(texts.CHANNEL_NOT_ENROLLED)


# -- messages ------------------------------------------------------------------------------------


async def test_a_message_is_stored_pseudonymised_and_scored_once(driver: Driver) -> None:
    await enrolled(driver)
    assert await driver.say(THANKS, ref="thanks") == 200
    assert await driver.redeliver("thanks") == 200  # a retry of the same delivery
    await driver.bot.drained()
    assert await driver.redeliver("thanks") == 200  # and one after it was scored
    await driver.bot.drained()
    # The same words from the same people read the same, whichever platform they came from.
    assert driver.bot.analyzer.texts == [THANKS_NEUTRAL]
    [score] = driver.stored().scores
    assert score["author"] == author_of(driver, "author") and driver.users["author"] not in json.dumps(score)
    assert score["workspace"] == driver.workspace
    driver.bot.checkpoint()
    raw = Path(driver.bot.runtime.config.settings.database).read_bytes()
    for secret in ("Megan", "Adele", "Alice", "Bob", "Okonkwo", "Vance", "thanks", "wiki.example", "help@",
                   driver.users["author"], driver.users["peer"]):
        assert secret.encode() not in raw, secret


@contextlib.asynccontextmanager
async def both(tmp_path: Path) -> AsyncIterator[tuple[SlackDriver, TeamsDriver, TeamsBotUnderTest]]:
    """Both adapters in one process, each channel enrolled: one analyzer sees every message."""
    async with running_teams_bot(tmp_path, with_slack=True) as bot:
        assert bot.slack is not None
        slack, teams = SlackDriver(bot.slack), TeamsDriver(bot)
        for each in (slack, teams):
            await enrolled(each)
        yield slack, teams, bot


async def test_the_same_content_reads_the_same_from_both_platforms(tmp_path: Path) -> None:
    async with both(tmp_path) as (slack, teams, bot):
        assert await slack.say(THANKS, ref="blocks") == 200
        slack.with_blocks = False
        assert await slack.say(THANKS, ref="text") == 200
        assert await teams.say(THANKS) == 200
        await bot.drained()
        assert bot.analyzer.texts == [THANKS_NEUTRAL] * 3
        assert sorted(s["workspace"] for s in bot.scores()) == sorted([TEAM_ID, TEAM_ID, TENANT])


async def test_an_emoji_reads_the_same_from_both_platforms(tmp_path: Path) -> None:
    """An emoji picked in Slack's client and in Teams' reaches the analyzer in one form: the
    model scores ":tada:" and "🎉" differently."""
    content = (Words("shipped it, great work "), Emoji("tada", "\N{PARTY POPPER}"), Words(" but I am tired "),
               Emoji("disappointed", "\N{DISAPPOINTED FACE}"))
    async with both(tmp_path) as (slack, teams, bot):
        assert await slack.say(content) == 200
        slack.with_blocks = False
        assert await slack.say(content) == 200
        assert await teams.say(content) == 200
        await bot.drained()
        from_slack, from_slack_text, from_teams = bot.analyzer.texts
        assert from_slack == from_slack_text == from_teams, bot.analyzer.texts


async def test_a_channel_not_enrolled_stores_nothing(driver: Driver) -> None:
    await enrolled(driver)
    assert await driver.say("elsewhere, Adele Vance and Bob Okonkwo", channel="other") == 200
    await driver.bot.drained()
    assert driver.stored().empty and driver.bot.analyzer.texts == []


async def test_pause_stops_collection_and_resume_restores_it(driver: Driver) -> None:
    await enrolled(driver)
    assert plain(await driver.command("pause") or "") == plain(texts.PAUSED)
    assert plain(await driver.command("pause") or "") == plain(texts.ALREADY_PAUSED)
    assert await driver.say("nobody should see this", ref="paused") == 200
    assert driver.stored().empty
    assert await driver.say("the peer is not paused", user="peer") == 200
    assert plain(await driver.command("resume") or "") == plain(texts.RESUMED)
    assert await driver.say("back again, all good", ref="resumed") == 200
    await driver.bot.drained()
    assert driver.bot.analyzer.texts == ["the peer is not paused", "back again, all good"]
    assert sorted(s["author"] for s in driver.stored().scores) == sorted([author_of(driver, "peer"), author_of(driver, "author")])


async def test_an_edit_is_scored_again_and_a_delete_removes_it(driver: Driver) -> None:
    await enrolled(driver)
    assert await driver.say(NEGATIVE, ref="m") == 200
    await driver.bot.drained()
    assert [s["sentiment"] for s in driver.stored().scores] == ["negative"]
    assert await driver.edit("m", POSITIVE) == 200
    await driver.bot.drained()
    assert driver.bot.analyzer.texts == [NEGATIVE, POSITIVE]
    assert [s["sentiment"] for s in driver.stored().scores] == ["positive"]
    assert await driver.say("another one, fine", ref="other") == 200
    await driver.bot.drained()
    assert sorted(s["message_key"] for s in driver.stored().scores) == sorted([driver.key("m"), driver.key("other")])
    assert await driver.delete("m") == 200
    assert [s["message_key"] for s in driver.stored().scores] == [driver.key("other")]
    assert driver.stored().inbox == []


# -- personal controls ----------------------------------------------------------------------------


async def test_status_help_and_unknown_words_are_answered_privately(driver: Driver) -> None:
    await enrolled(driver)
    assert await driver.say("good news everyone") == 200
    await driver.bot.drained()
    status = await driver.command("status")
    assert status is not None and plain(status) == plain(texts.STATUS.format(
        state=texts.STATE_COLLECTING, scores=1, pending=0, channel_state=texts.CHANNEL_ON))
    assert plain(await driver.command("help") or "") == plain(texts.HELP)
    assert plain(await driver.command("frobnicate") or "") == plain(texts.UNKNOWN_COMMAND.format(word="frobnicate"))
    assert len(driver.public_posts()) == 1  # the notice only


async def test_forget_me_erases_the_persons_scores_only(driver: Driver) -> None:
    await enrolled(driver)
    for n in range(2):
        assert await driver.say(f"message number {n} from me", ref=f"mine{n}") == 200
    assert await driver.say("one from the peer", user="peer") == 200
    await driver.bot.drained()
    assert len(driver.stored().scores) == 3
    reply = await driver.command("forget-me")
    assert reply is not None and plain(reply) == plain(texts.FORGOTTEN.format(total=2, scores=2, pending=0, flagged=0))
    assert [s["author"] for s in driver.stored().scores] == [author_of(driver, "peer")]
    assert await driver.say("and after forgetting") == 200
    assert len(driver.stored().scores) == 1 and driver.stored().inbox == []
    status = await driver.command("status")
    assert status is not None and plain(status) == plain(texts.STATUS.format(
        state=texts.STATE_FORGOTTEN, scores=0, pending=0, channel_state=texts.CHANNEL_ON))
    assert len(driver.public_posts()) == 1


# -- bad input -----------------------------------------------------------------------------------


def _malformed(driver: Driver, case: str) -> bytes:
    if case == "not JSON":
        return b'{"type": "message", "text": '
    if case == "not UTF-8":
        utf8 = json.dumps(driver.message_body("caf\u00e9 cr\u00e8me"), ensure_ascii=False).encode()
        assert "caf\u00e9".encode() in utf8
        return utf8.replace("caf\u00e9".encode(), b"caf\xe9\xff\xfe")  # Latin-1, then bytes UTF-8 never has
    if case == "deeply nested":
        return b"[" * 100_000 + b"]" * 100_000
    if case == "not an object":
        return b'"message"'
    if case == "over the size limit":
        return json.dumps(driver.message_body("fine " * (driver.size_limit // 5 + 10))).encode()
    message = driver.message_body()
    driver.wrong_types()[case](message)
    return json.dumps(message).encode()


MALFORMED = ["not JSON", "not UTF-8", "deeply nested", "not an object",
             "text a number", "author an object", "channel a number", "message id not an id",
             "workspace an object", "message a list"]


def _bumped(before: dict[str, int], after: dict[str, int], kind: str) -> int:
    return sum(n - before.get(name, 0) for name, n in after.items() if kind in name)


@pytest.mark.parametrize("case", MALFORMED)
async def test_a_malformed_request_from_the_platform_is_acked_ignored_and_counted(driver: Driver, case: str) -> None:
    await enrolled(driver)
    body = _malformed(driver, case)
    before = await counters(driver.bot)
    status, _ = await driver.post_raw(body, driver.credentials(body))
    after = await counters(driver.bot)
    assert status == 200, f"{case}: {status}"  # acked, so that the platform does not retry it
    assert _bumped(before, after, "malformed") == 1, (before, after)
    assert driver.stored().empty
    # Still serving.
    assert await driver.say("all good afterwards") == 200
    await driver.bot.drained()
    assert driver.bot.analyzer.texts == ["all good afterwards"]


async def test_a_request_over_the_size_limit_is_413_counted_and_never_read(driver: Driver) -> None:
    # Not read, so neither authenticated nor parsed: the same answer on both platforms.
    await enrolled(driver)
    body = _malformed(driver, "over the size limit")
    before = await counters(driver.bot)
    status, _ = await driver.post_raw(body, driver.credentials(body))
    after = await counters(driver.bot)
    assert status == 413
    assert _bumped(before, after, "oversized") == 1, (before, after)
    assert driver.stored().empty
    assert await driver.say("all good afterwards") == 200


@pytest.mark.parametrize("body_kind", ["a message", "not JSON", "not UTF-8", "text a number"])
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_request_not_from_the_platform_is_refused(
    platform: str, body_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botframework.connector.auth import jwt_token_extractor

    async def no_network(self: Any) -> None:
        raise AssertionError("fetched Microsoft's signing keys")

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", no_network)
    async with started(platform, tmp_path, authenticated=True) as driver:
        await driver.enrol()
        body = _malformed(driver, body_kind) if body_kind != "a message" else json.dumps(
            driver.message_body("Adele Vance and Bob Okonkwo are great")).encode()
        for what, headers in driver.forged(body).items():
            before = await counters(driver.bot)
            status, _ = await driver.post_raw(body, headers)
            after = await counters(driver.bot)
            assert 400 <= status < 500, f"{body_kind} with {what}: {status}"
            assert _bumped(before, after, "refused") == 1, (what, before, after)
        await driver.bot.drained()
        assert driver.stored().empty and driver.bot.analyzer.texts == []
