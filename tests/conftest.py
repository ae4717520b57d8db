"""Shared fixtures: a real SQLite database per test, the core, and a running bot."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Sequence
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import sqlite_utils
from slack_sdk.signature import SignatureVerifier

from analyzers.analyzer import Analysis
from analyzers.pseudonymise import Member, Pseudonymiser
from bot.config import Config, Secrets, parse_settings
from bot.core import Teamweather
from bot.runtime import Runtime, serve
from bot.slack.courier import SlackCourier, web_client
from slack_fake import TEAM_ID, FakeSlack, fake_slack_in_thread, start_fake_slack
from teams_fake import FakeConnector, start_fake_connector
from storage import connect

KEY = b"test-pseudonym-key-0123456789abcdef"
SIGNING_SECRET = "test-signing-secret"
ADMIN = "UADMIN0001"
ALICE = "UALICE0001"
BOB = "UBOBBY0001"
CHANNEL = "CENROLLED1"
OTHER_CHANNEL = "COTHER0001"
MEMBERS = [
    Member(ALICE, ("Alice Fernsby", "alice.f")),
    Member(BOB, ("Bob Okonkwo", "bobo")),
]
SLACK_USERS = [
    {"id": ALICE, "name": "alice.f", "real_name": "Alice Fernsby", "profile": {"display_name": "alice.f"}},
    {"id": BOB, "name": "bobo", "real_name": "Bob Okonkwo", "profile": {"display_name": "bobo"}},
    {"id": "UZED000001", "name": "zed", "real_name": "Zedekiah Quist", "profile": {}},
    {"id": "BWORKFLOW1", "name": "workflow-bot", "is_bot": True, "profile": {}},
]


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """A test that reaches ``logs.setup()`` (the CLI's ``run``) must not leave its record
    factory and handler filters on for the rest of the session."""
    from bot import logs

    was_active = logs.active()
    yield
    if logs.active() and not was_active:
        logs.uninstall()


@pytest.fixture
def secure_delete_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """New connections start with ``secure_delete`` off, as on most SQLite builds (this one may
    be compiled with SQLITE_SECURE_DELETE, which would hide a missing pragma)."""
    real_connect = sqlite3.connect

    def connect_like_a_typical_build(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[call-overload]
        conn.execute("PRAGMA secure_delete=OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_like_a_typical_build)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return connect(tmp_path / "teamweather.db")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API on its own thread, for code that uses the sync WebClient."""
    with fake_slack_in_thread(FakeSlack()) as fake:
        yield fake


@pytest.fixture
def courier(slack: FakeSlack) -> SlackCourier:
    """Digest and alert DMs through the real courier, to the fake ``slack``."""
    return SlackCourier(web_client("xoxb-test", slack.api_url, max_retries=2))


@pytest.fixture
def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(KEY, MEMBERS)


@pytest.fixture
def core(db: sqlite_utils.Database, pseudonymiser: Pseudonymiser) -> Teamweather:
    return Teamweather(db, pseudonymiser, admins=frozenset({ADMIN}), zone=ZoneInfo("UTC"))


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


def event_body(event: dict[str, Any], event_id: str = "Ev0001") -> dict[str, Any]:
    return {
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0TEST", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
    }


def message_event(text: str, *, user: str = ALICE, channel: str = CHANNEL, ts: str | None = None, **extra: Any) -> dict[str, Any]:
    ts = ts or f"{time.time():.6f}"
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
            "event_ts": ts, "channel_type": "channel", **extra}


class RecordingAnalyzer:
    """The lexicon analyzer, keeping the texts it was given (what the pipeline let through)."""

    def __init__(self) -> None:
        from analyzers.lexicon import LexiconAnalyzer

        self.inner = LexiconAnalyzer()
        self.name, self.version = self.inner.name, self.inner.version
        self.texts: list[str] = []

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        self.texts.extend(texts)
        return self.inner.analyze(texts)


@dataclass
class RunningBot:
    """A running ``serve()`` on loopback, and what it stored."""

    url: str
    runtime: Runtime
    session: aiohttp.ClientSession
    analyzer: RecordingAnalyzer

    def count(self, table: str) -> int:
        """Rows in ``table``, read on a connection of the test's own."""
        reader = connect(self.runtime.config.settings.database)
        try:
            return int(reader[table].count)
        finally:
            reader.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the database file, so a byte scan sees everything written."""
        reader = connect(self.runtime.config.settings.database)
        try:
            reader.execute("PRAGMA wal_checkpoint(FULL)")
        finally:
            reader.close()

    def scores(self) -> list[dict[str, Any]]:
        reader = connect(self.runtime.config.settings.database)
        try:
            return list(reader["scores"].rows)
        finally:
            reader.close()

    async def drained(self, timeout: float = 10.0) -> None:
        """Wait until the worker has emptied the inbox."""
        deadline = time.monotonic() + timeout
        while self.runtime.health()["inbox_depth"]:
            assert time.monotonic() < deadline, "the worker did not drain the inbox"
            await asyncio.sleep(0.02)


@dataclass
class BotUnderTest(RunningBot):
    """A running ``serve()`` on loopback, talking to a fake Slack Web API."""

    fake: FakeSlack = field(default_factory=FakeSlack)
    counter: list[int] = field(default_factory=lambda: [0])

    async def post(self, body: str, headers: dict[str, str]) -> aiohttp.ClientResponse:
        async with self.session.post(f"{self.url}/slack/events", data=body, headers=headers) as resp:
            await resp.read()
            return resp

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int = 0) -> int:
        self.counter[0] += 1
        body = json.dumps(event_body(event, event_id or f"Ev{self.counter[0]:06d}"))
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return (await self.post(body, headers)).status

    async def command(self, text: str, *, user: str = ALICE, channel: str = CHANNEL) -> tuple[int, dict[str, Any]]:
        body = urlencode({
            "command": "/teamweather", "text": text, "user_id": user, "channel_id": channel,
            "team_id": TEAM_ID, "response_url": self.fake.response_url(), "trigger_id": "t1",
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        async with self.session.post(f"{self.url}/slack/events", data=body, headers=headers) as resp:
            return resp.status, (await resp.json() if resp.content_type == "application/json" else {})


def make_config(tmp_path: Path, *, more: dict[str, Any] | None = None, **slack: Any) -> Config:
    """The test settings; ``more``: other top-level sections (``review``, …)."""
    settings = parse_settings(
        {"database": str(tmp_path / "teamweather.db"), "timezone": "UTC",
         "server": {"host": "127.0.0.1", "port": slack.pop("port", 0)},
         "slack": {"admins": [ADMIN], **slack},
         "worker": {"max_wait_ms": 20}, **(more or {})},
        "test.yaml",
    )
    secrets = Secrets(pseudonym_key=KEY, slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET)
    return Config(settings, secrets, "test.yaml")



@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path, app_token: str | None = None, port: int = 0, settings: dict[str, Any] | None = None,
) -> AsyncIterator[BotUnderTest]:
    """``serve()`` on a loopback port (any free one by default), talking to a fresh fake Slack;
    ``settings``: more top-level sections of teamweather.yaml (``review``, …)."""
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS))
    config = make_config(tmp_path, port=port, api_base_url=fake.api_url, more=settings)
    if app_token:
        config = dataclasses.replace(config, secrets=dataclasses.replace(config.secrets, slack_app_token=app_token))
    analyzer = RecordingAnalyzer()
    stop = asyncio.Event()
    started: asyncio.Future[tuple[Runtime, int]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(
        config, analyzer=analyzer, stop=stop, on_started=lambda rt, port: started.set_result((rt, port)),
    ))
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        await fake.server.close()  # type: ignore[union-attr]
        task.result()  # serve() failed: raise its error
    runtime, port = started.result()
    try:
        async with aiohttp.ClientSession() as session:
            yield BotUnderTest(f"http://127.0.0.1:{port}", runtime, session, analyzer, fake=fake)
    finally:
        stop.set()
        await task
        assert fake.server is not None
        await fake.server.close()


@contextlib.contextmanager
def running_bot_in_thread(tmp_path: Path) -> Iterator[tuple[BotUnderTest, asyncio.AbstractEventLoop]]:
    """``running_bot`` on an event loop of its own thread, for synchronous tests (hypothesis).

    Run the bot's coroutines with ``asyncio.run_coroutine_threadsafe(coro, loop).result()``."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bot-under-test", daemon=True)
    thread.start()
    manager = running_bot(tmp_path)
    try:
        bot = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result()
        try:
            yield bot, loop
        finally:
            asyncio.run_coroutine_threadsafe(manager.__aexit__(None, None, None), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    async with running_bot(tmp_path) as running:
        yield running


# -- Microsoft Teams ---------------------------------------------------------------------------

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID = "11111111-2222-4333-8444-555555555555"
BOT_ID = f"28:{APP_ID}"
TEAM = "19:team-general0001@thread.tacv2"
TEAMS_CHANNEL = "19:enrolled-channel-01@thread.tacv2"
TEAMS_OTHER_CHANNEL = "19:other-channel-0001@thread.tacv2"
TEAMS_ADMIN = "aaaaaaaa-0000-4000-8000-000000000001"  # AAD object ids, as Teams sends them
MEGAN = "bbbbbbbb-0000-4000-8000-000000000002"
ADELE = "cccccccc-0000-4000-8000-000000000003"
TEAMS_IDS = {TEAMS_ADMIN: "29:1nestor-wilke", MEGAN: "29:1megan-bowen", ADELE: "29:1adele-vance"}
TEAMS_ROSTER = [
    {"id": TEAMS_IDS[TEAMS_ADMIN], "name": "Nestor Wilke", "aadObjectId": TEAMS_ADMIN, "givenName": "Nestor", "surname": "Wilke"},
    {"id": TEAMS_IDS[MEGAN], "name": "Megan Bowen", "aadObjectId": MEGAN, "givenName": "Megan", "surname": "Bowen",
     "email": "megan@contoso.example", "userPrincipalName": "megan@contoso.example"},
    {"id": TEAMS_IDS[ADELE], "name": "Adele Vance", "aadObjectId": ADELE, "givenName": "Adele", "surname": "Vance"},
]


def teams_activity(
    service_url: str,
    kind: str = "message",
    *,
    text: str | None = None,
    user: str = MEGAN,
    channel: str | None = TEAMS_CHANNEL,
    activity_id: str | None = None,
    mention_bot: bool = False,
    event_type: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An activity as Teams posts it: in ``channel`` (a team channel), or in the person's
    personal chat with the bot when ``channel`` is None."""
    activity_id = activity_id or str(int(time.time() * 1000))
    name = next(m["name"] for m in TEAMS_ROSTER if m["aadObjectId"] == user)
    if channel is None:
        conversation = {"conversationType": "personal", "id": f"a:1personal-{user}", "tenantId": TENANT}
        channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    else:
        conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                        "id": f"{channel};messageid={activity_id}"}
        channel_data = {"teamsChannelId": channel, "teamsTeamId": TEAM, "channel": {"id": channel},
                        "team": {"id": TEAM}, "tenant": {"id": TENANT}}
    if event_type:
        channel_data["eventType"] = event_type
    activity: dict[str, Any] = {
        "type": kind, "id": activity_id, "timestamp": datetime_now_iso(), "serviceUrl": service_url,
        "channelId": "msteams", "from": {"id": TEAMS_IDS[user], "name": name, "aadObjectId": user},
        "conversation": conversation, "recipient": {"id": BOT_ID, "name": "Teamweather"},
        "channelData": channel_data, "entities": [{"type": "clientInfo", "locale": "en-GB"}],
    }
    if text is not None:
        html = f"<p>{text}</p>"
        if mention_bot:
            html = f'<p><at id="0">Teamweather</at> {text}</p>'
            activity["entities"].append({"type": "mention", "text": "<at>Teamweather</at>",
                                         "mentioned": {"id": BOT_ID, "name": "Teamweather"}})
        activity["text"] = html
        activity["textFormat"] = "plain"
        activity["attachments"] = [{"contentType": "text/html", "content": html}]
    return activity | extra


def datetime_now_iso() -> str:
    """Now, as Teams writes an activity's timestamp (UTC; microseconds, so that a message is never
    older than the enrolment just before it)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class TeamsBotUnderTest(RunningBot):
    """A running ``serve()`` with Teams on, its replies going to a fake Bot Connector."""

    connector: FakeConnector = field(default_factory=FakeConnector)
    slack: BotUnderTest | None = None  # Slack beside it, when asked for
    platform: Any = None  # the running bot.teams.platform.TeamsPlatform

    @property
    def path(self) -> str:
        return self.runtime.config.settings.msteams.messages_path

    async def post(self, body: bytes | str | dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """POST to the messages endpoint: the status and the JSON answer (None if not JSON)."""
        data = json.dumps(body) if isinstance(body, dict) else body
        headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.session.post(f"{self.url}{self.path}", data=data, headers=headers) as resp:
            answer = await resp.json() if resp.content_type == "application/json" else None
            return resp.status, answer

    def activity(self, kind: str = "message", **fields: Any) -> dict[str, Any]:
        return teams_activity(self.connector.url, kind, **fields)

    async def say(self, text: str, **fields: Any) -> int:
        """A person's message in a channel (TEAMS_CHANNEL by default)."""
        return (await self.post(self.activity(text=text, **fields)))[0]

    async def command(self, text: str, *, user: str = MEGAN, personal: bool = False, **fields: Any) -> int:
        """``@Teamweather <text>`` in the channel, or ``<text>`` in the personal chat."""
        if personal:
            fields["channel"] = None
        return (await self.post(self.activity(text=text, user=user, mention_bot=not personal, **fields)))[0]

    def private_texts(self, user: str) -> list[str]:
        """What the bot wrote in its 1:1 chat with ``user`` (an AAD object id)."""
        chats = {f"a:1:1-{TEAMS_IDS[user]}", f"a:1personal-{user}"}
        return [t for chat in chats for t in self.connector.texts(chat)]


def no_teams_auth() -> Any:
    """Bot Framework authentication turned off: only tests build a Teams platform with it."""
    from types import SimpleNamespace

    from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

    return ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    )


@contextlib.asynccontextmanager
async def running_teams_bot(
    tmp_path: Path, *, authenticated: bool = False, with_slack: bool = False,
    settings: dict[str, Any] | None = None, **msteams: Any,
) -> AsyncIterator[TeamsBotUnderTest]:
    """``serve()`` with Teams on (Slack too with ``with_slack``), its activities answered by a
    fresh fake Bot Connector. Authentication is off unless ``authenticated``: then the platform
    is built from the secrets, as ``teamweather run`` builds it. ``settings``: more top-level
    sections of teamweather.yaml (``review``, …)."""
    more = settings or {}
    from bot.slack.platform import SlackPlatform
    from bot.teams.platform import TeamsPlatform

    connector = await start_fake_connector(FakeConnector(members=[dict(m) for m in TEAMS_ROSTER]))
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS)) if with_slack else None
    parsed = parse_settings(
        {"database": str(tmp_path / "teamweather.db"), "timezone": "UTC",
         "server": {"host": "127.0.0.1", "port": 0},
         "slack": {"enabled": with_slack, "admins": [ADMIN], **({"api_base_url": fake.api_url} if fake else {})},
         "msteams": {"enabled": True, "admins": [TEAMS_ADMIN], **msteams},
         # Managers are whose personal chats the bot keeps (to send them digests).
         "teams": [{"name": "Payments", "channels": [f"msteams:{TEAMS_CHANNEL}"],
                    "managers": [f"msteams:{MEGAN}", f"msteams:{ADELE}"]}],
         "worker": {"max_wait_ms": 20}, **more},
        "test.yaml",
    )
    secrets = Secrets(pseudonym_key=KEY, slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET,
                      msteams_app_id=APP_ID, msteams_app_password="test-password")
    config = Config(parsed, secrets, "test.yaml")

    teams: list[TeamsPlatform] = []

    def platforms(config: Config, runtime: Runtime) -> list[Any]:
        slack = [SlackPlatform(config, runtime)] if with_slack else []
        teams.append(TeamsPlatform(config, runtime, auth=None if authenticated else no_teams_auth()))
        return [*slack, *teams]

    analyzer = RecordingAnalyzer()
    stop = asyncio.Event()
    started: asyncio.Future[tuple[Runtime, int]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(
        config, analyzer=analyzer, stop=stop, on_started=lambda rt, port: started.set_result((rt, port)),
        choose_platforms=platforms,
    ))
    try:
        done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # serve() failed: raise its error
        runtime, port = started.result()
        url = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                slack = BotUnderTest(url, runtime, session, analyzer, fake=fake) if fake else None
                yield TeamsBotUnderTest(url, runtime, session, analyzer, connector=connector, slack=slack,
                                        platform=teams[0])
        finally:
            stop.set()
            await task
    finally:
        assert connector.server is not None
        await connector.server.close()
        if fake is not None:
            await fake.server.close()  # type: ignore[union-attr]


@pytest.fixture
async def teams_bot(tmp_path: Path) -> AsyncIterator[TeamsBotUnderTest]:
    async with running_teams_bot(tmp_path) as running:
        yield running
