"""Killing the real process at any point loses no acknowledged message."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import aiohttp

from analyzers.pseudonymise import Pseudonymiser
from bot_process import free_port, start_bot, wait_healthy
from conftest import ADMIN, CHANNEL, KEY, SLACK_USERS, event_body, message_event, signed_headers
from slack_fake import TEAM_ID, FakeSlack, start_fake_slack
from storage import connect

STALL_SECONDS = 120.0  # no message scored for this long means the worker is stuck


async def test_sigkill_mid_stream_loses_no_acked_message(tmp_path: Path) -> None:
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_bot(tmp_path, fake.api_url, port)
    acked: list[str] = []
    async with aiohttp.ClientSession() as session:
        await wait_healthy(session, url, proc)
        form = f"command=/teamweather&text=optin&user_id={ADMIN}&channel_id={CHANNEL}&team_id={TEAM_ID}&response_url={fake.response_url()}"
        async with session.post(f"{url}/slack/events", data=form, headers={
                "Content-Type": "application/x-www-form-urlencoded", **signed_headers(form)}) as resp:
            assert resp.status == 200

        base = int(time.time()) + 1  # after the enrolment

        async def send(i: int) -> None:
            ts = f"{base}.{i:06d}"
            body = json.dumps(event_body(message_event(f"message number {i} looks fine", ts=ts), f"Ev{i}"))
            try:
                async with session.post(f"{url}/slack/events", data=body, headers={
                        "Content-Type": "application/json", **signed_headers(body)}) as resp:
                    if resp.status == 200:
                        acked.append(ts)
            except aiohttp.ClientError:
                pass  # the process died before answering: not acked, so Slack would retry

        senders = [asyncio.create_task(send(i)) for i in range(400)]
        while len(acked) < 150:
            await asyncio.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        await asyncio.gather(*senders)
        proc.wait()
        assert 150 <= len(acked) < 400

        proc = start_bot(tmp_path, fake.api_url, port)
        try:
            health = await wait_healthy(session, url, proc)
            # Progress, not a deadline: on a busy machine draining may be slow, but never stuck.
            depth, stuck_since = health["inbox_depth"], time.monotonic()
            while health["inbox_depth"]:
                if health["inbox_depth"] < depth:
                    depth, stuck_since = health["inbox_depth"], time.monotonic()
                assert time.monotonic() - stuck_since < STALL_SECONDS, "the restarted bot stopped draining"
                await asyncio.sleep(0.05)
                async with session.get(f"{url}/healthz") as resp:
                    health = await resp.json()
        finally:
            proc.terminate()
            proc.wait(10)
    assert fake.server is not None
    await fake.server.close()

    db = connect(tmp_path / "teamweather.db")
    scored = {row[0] for row in db.execute("SELECT message_key FROM scores")}
    p = Pseudonymiser(KEY)
    missing = [ts for ts in acked if p.message_key(TEAM_ID, CHANNEL, ts) not in scored]
    assert missing == [], f"{len(missing)} acknowledged messages were lost"
