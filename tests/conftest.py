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
class BotUnderTest:
    """A running ``serve()`` on loopback, talking to a fake Slack Web API."""

    url: str
    runtime: Runtime
    fake: FakeSlack
    session: aiohttp.ClientSession
    analyzer: RecordingAnalyzer
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


def make_config(tmp_path: Path, **slack: Any) -> Config:
    settings = parse_settings(
        {"database": str(tmp_path / "teamweather.db"), "timezone": "UTC",
         "server": {"host": "127.0.0.1", "port": slack.pop("port", 0)},
         "slack": {"admins": [ADMIN], **slack},
         "worker": {"max_wait_ms": 20}},
        "test.yaml",
    )
    secrets = Secrets(pseudonym_key=KEY, slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET)
    return Config(settings, secrets, "test.yaml")





@contextlib.asynccontextmanager
async def running_bot(tmp_path: Path, app_token: str | None = None, port: int = 0) -> AsyncIterator[BotUnderTest]:
    """``serve()`` on a loopback port (any free one by default), talking to a fresh fake Slack."""
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS))
    config = make_config(tmp_path, port=port, api_base_url=fake.api_url)
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
            yield BotUnderTest(f"http://127.0.0.1:{port}", runtime, fake, session, analyzer)
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
