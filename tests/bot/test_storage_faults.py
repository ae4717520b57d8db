"""The running bot while the database is locked by another process or full: acks never wait
on SQLite past the deadline (503 instead, so Slack retries), ``/healthz`` keeps answering and
says what is wrong, and in the end every acked event is scored exactly once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import aiohttp

from analyzers.pseudonymise import Pseudonymiser
from conftest import ADMIN, CHANNEL, KEY, BotUnderTest, event_body, message_event, signed_headers
from slack_fake import TEAM_ID

HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=5)


async def enrolled(bot: BotUnderTest) -> None:
    status, reply = await bot.command("optin", user=ADMIN)
    assert status == 200 and reply["response_type"] == "in_channel"


async def send(bot: BotUnderTest, ts: str, text: str = "the build is green again", retry: int = 0) -> int:
    body = json.dumps(event_body(message_event(text, ts=ts), f"Ev{ts}"))
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    return (await bot.post(body, headers)).status


async def health(bot: BotUnderTest) -> tuple[int, dict]:
    async with bot.session.get(f"{bot.url}/healthz", timeout=HEALTH_TIMEOUT) as resp:
        return resp.status, await resp.json()


def scored_once(bot: BotUnderTest, stamps: list[str]) -> None:
    p = Pseudonymiser(KEY)
    keys = [row["message_key"] for row in bot.scores()]
    for ts in stamps:
        assert keys.count(p.message_key(TEAM_ID, CHANNEL, ts)) == 1, f"{ts} scored {keys.count(ts)} times"
    assert len(keys) == len(set(keys))


async def test_a_database_locked_by_another_process_gives_503_and_health_keeps_answering(bot: BotUnderTest) -> None:
    await enrolled(bot)
    base = int(time.time()) + 1
    assert await send(bot, f"{base}.000001") == 200
    locker = sqlite3.connect(bot.runtime.config.settings.database, timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        # several at once: each gives up at the deadline instead of queueing behind the others
        statuses = await asyncio.gather(*(send(bot, f"{base}.00001{i}") for i in range(4)))
        assert statuses == [503] * 4
        status, report = await health(bot)  # answers while the lock is still held
        assert status == 503 and any(p.startswith("storage:") for p in report["problems"])
    finally:
        locker.rollback()
        locker.close()
    # Slack retries what got a 503; the first message was acked before the lock
    assert [await send(bot, f"{base}.00001{i}", retry=1) for i in range(4)] == [200] * 4
    await bot.drained()
    status, report = await health(bot)
    assert status == 200 and report["storage"]["writable"] is True
    scored_once(bot, [f"{base}.000001"] + [f"{base}.00001{i}" for i in range(4)])


async def test_a_full_database_gives_503_until_space_returns(bot: BotUnderTest) -> None:
    await enrolled(bot)
    writer = bot.runtime.writer
    pages = await writer.run(lambda: writer.db.execute("PRAGMA page_count").fetchone()[0])
    await writer.run(lambda: writer.db.execute(f"PRAGMA max_page_count={pages}"))
    base = int(time.time()) + 1
    acked, refused = [], []
    for i in range(200):  # long messages fill the last free pages quickly
        ts = f"{base}.{i:06d}"
        status = await send(bot, ts, text=f"message {i} " + "is long enough to fill a page " * 120)
        (acked if status == 200 else refused).append(ts)
        assert status in (200, 503)
        if len(refused) >= 3:
            break
    assert refused, "the database never filled up"
    status, report = await health(bot)
    assert status == 503 and report["storage"]["writable"] is False
    await writer.run(lambda: writer.db.execute("PRAGMA max_page_count=1073741823"))
    for ts in refused:  # Slack's retries
        assert await send(bot, ts, text="retried after the disk was freed", retry=1) == 200
    await bot.drained()
    scored_once(bot, acked + refused)
    assert (await health(bot))[0] == 200
