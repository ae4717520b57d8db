"""Scenarios against the real running bot: aiohttp server, Bolt app, core, worker, SQLite,
with outgoing Web API calls going to a local fake Slack."""

from __future__ import annotations

import asyncio
import json
import time

from conftest import ADMIN, ALICE, BOB, CHANNEL, OTHER_CHANNEL, BotUnderTest, event_body, message_event, signed_headers

PRIVATE = "GPRIVATE01"


async def enrolled(bot: BotUnderTest, channel: str = CHANNEL) -> None:
    status, reply = await bot.command("optin", user=ADMIN, channel=channel)
    assert status == 200 and reply["response_type"] == "in_channel"


def table_counts(bot: BotUnderTest) -> dict[str, int]:
    return {t: bot.count(t) for t in ("inbox", "scores", "seen_events", "people")}


async def test_message_in_enrolled_channel_is_scored_without_text(bot: BotUnderTest) -> None:
    await enrolled(bot)
    assert await bot.event(message_event("great job on the release <@UBOBBY0001>, thanks Bob! :tada:")) == 200
    await bot.drained()
    [score] = bot.scores()
    assert score["sentiment"] == "positive"
    assert score["author"] == bot.runtime.pseudonymiser.author("T0TEST0001", ALICE)
    assert set(score) >= {"p_negative", "p_neutral", "p_positive", "stress", "analyzer", "analyzer_version"}
    assert not any(isinstance(v, str) and ("release" in v or ALICE in v) for v in score.values())


async def test_channel_not_enrolled_leaves_no_trace(bot: BotUnderTest) -> None:
    await enrolled(bot)
    before = table_counts(bot)
    assert await bot.event(message_event("hello", channel=OTHER_CHANNEL)) == 200
    await bot.drained()
    assert table_counts(bot) == before


async def test_bad_and_stale_signatures_are_refused(bot: BotUnderTest) -> None:
    await enrolled(bot)
    body = json.dumps(event_body(message_event("hello")))
    forged = {"Content-Type": "application/json", **signed_headers(body, secret="not-the-secret")}
    assert (await bot.post(body, forged)).status == 401
    stale = {"Content-Type": "application/json", **signed_headers(body, timestamp=int(time.time()) - 600)}
    assert (await bot.post(body, stale)).status == 401
    assert (await bot.post(body, {"Content-Type": "application/json"})).status == 401
    assert table_counts(bot)["inbox"] == 0 and bot.scores() == []


async def test_signed_malformed_bodies_are_acked_and_store_nothing(bot: BotUnderTest) -> None:
    await enrolled(bot)
    for body in ('{"type": "event_callback", "event": {', '{"unexpected": true}', "[1, 2"):
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        status = (await bot.post(body, headers)).status
        assert status == 200, (body, status)  # from Slack, so acked: a retry would not help
    forged = {"Content-Type": "application/json", **signed_headers("{oops", secret="nope")}
    assert (await bot.post("{oops", forged)).status == 401
    assert table_counts(bot)["inbox"] == 0


async def test_retries_never_produce_a_second_score(bot: BotUnderTest) -> None:
    await enrolled(bot)
    event = message_event("deploy finished")
    assert await bot.event(event, event_id="EvSAME") == 200
    assert await bot.event(event, event_id="EvSAME", retry=1) == 200
    assert await bot.event(event, event_id="EvOTHER", retry=2) == 200  # same channel + ts
    await bot.drained()
    assert len(bot.scores()) == 1


async def test_edit_rescores_and_delete_removes(bot: BotUnderTest) -> None:
    await enrolled(bot)
    original = message_event("this is awful, everything is broken and I hate it")
    await bot.event(original)
    await bot.drained()
    assert bot.scores()[0]["sentiment"] == "negative"
    edited = {
        "type": "message", "subtype": "message_changed", "channel": CHANNEL, "hidden": True,
        "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
        "message": {**original, "text": "this is wonderful, thank you all, love it", "edited": {"user": ALICE, "ts": "1"}},
        "previous_message": original,
    }
    await bot.event(edited)
    await bot.drained()
    [score] = bot.scores()
    assert score["sentiment"] == "positive"
    deleted = {
        "type": "message", "subtype": "message_deleted", "channel": CHANNEL, "hidden": True,
        "ts": f"{time.time():.6f}", "deleted_ts": original["ts"], "previous_message": original,
    }
    assert await bot.event(deleted) == 200
    assert bot.scores() == []


async def test_bots_joins_and_the_app_itself_are_ignored(bot: BotUnderTest) -> None:
    await enrolled(bot)
    await bot.event(message_event("build passed", subtype="bot_message", bot_id="B1", user=None))
    await bot.event(message_event("<@UALICE0001> has joined the channel", subtype="channel_join"))
    await bot.event(message_event("I am the app", user="UBOTTEAMWX"))
    await bot.event(message_event("integration post", bot_id="B2"))
    await bot.drained()
    assert bot.scores() == [] and table_counts(bot)["seen_events"] == 0


async def test_long_emoji_only_and_empty_messages(bot: BotUnderTest) -> None:
    await enrolled(bot)
    assert await bot.event(message_event("all good here. " * 2667)) == 200  # 40,005 characters
    assert await bot.event(message_event(":tada: :tada: 🎉")) == 200
    assert await bot.event(message_event("")) == 200
    await bot.drained()
    assert len(bot.scores()) == 2


async def test_rich_text_mentions_do_not_leak(bot: BotUnderTest) -> None:
    await enrolled(bot)
    blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": "ping "}, {"type": "user", "user_id": BOB},
        {"type": "text", "text": " about "}, {"type": "link", "url": "https://intranet.example/x", "text": "the doc"},
    ]}]}]
    await bot.event(message_event(f"ping <@{BOB}> about <https://intranet.example/x|the doc>", blocks=blocks))
    await bot.drained()
    [text] = bot.analyzer.texts
    assert "<person>" in text and "<url>" in text
    assert BOB not in text and "intranet" not in text and "the doc" not in text


async def test_names_from_the_member_directory_are_stripped(bot: BotUnderTest) -> None:
    users_list_calls = bot.fake.called("users.list")
    assert len(users_list_calls) >= 2  # paginated: 4 users, 2 per page
    await enrolled(bot)
    await bot.event(message_event("Zedekiah Quist fixed it"))
    await bot.drained()
    assert bot.analyzer.texts == ["<person> fixed it"]


async def test_optin_admin_only_notice_and_join(bot: BotUnderTest) -> None:
    status, reply = await bot.command("optin", user=BOB)
    assert status == 200 and reply["response_type"] == "ephemeral" and "Only Teamweather admins" in reply["text"]
    status, reply = await bot.command("optin", user=ADMIN)
    assert reply["response_type"] == "in_channel" and "never stores" in reply["text"]
    deadline = time.monotonic() + 5
    while not bot.fake.called("conversations.join"):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert bot.fake.called("conversations.join")[0]["channel"] == CHANNEL


async def test_optin_in_private_channel_asks_for_an_invite(bot: BotUnderTest) -> None:
    bot.fake.private_channels.add(PRIVATE)
    await bot.command("optin", user=ADMIN, channel=PRIVATE)
    deadline = time.monotonic() + 5
    while not bot.fake.responses:
        assert time.monotonic() < deadline, "no follow-up was posted to the response_url"
        await asyncio.sleep(0.01)
    assert "/invite @Teamweather" in bot.fake.responses[0]["text"]


async def test_forget_me_erases_and_counts(bot: BotUnderTest) -> None:
    await enrolled(bot)
    for i in range(3):
        await bot.event(message_event(f"message {i}", ts=f"{int(time.time()) + 1}.00000{i}"))
    await bot.event(message_event("from bob", user=BOB, ts=f"{int(time.time()) + 1}.000009"))
    await bot.drained()
    status, reply = await bot.command("forget-me")
    assert status == 200 and reply["response_type"] == "ephemeral" and "Erased 3 stored record(s)" in reply["text"]
    assert len(bot.scores()) == 1
    await bot.event(message_event("still here"))
    assert table_counts(bot)["inbox"] == 0


async def test_pause_resume_status_help(bot: BotUnderTest) -> None:
    await enrolled(bot)
    assert "Paused" in (await bot.command("pause"))[1]["text"]
    await bot.event(message_event("nobody should see this"))
    assert table_counts(bot)["inbox"] == 0
    assert "paused" in (await bot.command("status"))[1]["text"]
    assert "Resumed" in (await bot.command("resume"))[1]["text"]
    assert "/teamweather forget-me" in (await bot.command("help"))[1]["text"]


async def test_healthz_reports_inbox_depth_and_worker(bot: BotUnderTest) -> None:
    async with bot.session.get(f"{bot.url}/healthz") as resp:
        body = await resp.json()
    assert resp.status == 200 and body["ok"] is True
    assert body["inbox_depth"] == 0 and body["worker"]["alive"] is True


async def test_url_verification_challenge(bot: BotUnderTest) -> None:
    body = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"})
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=headers) as resp:
        assert resp.status == 200 and (await resp.json())["challenge"] == "abc123"


async def test_start_up_stops_when_the_member_directory_cannot_load(tmp_path) -> None:
    import pytest

    from domain.errors import PlatformUnavailable
    from conftest import running_bot
    from slack_fake import FakeSlack

    original = FakeSlack.__init__

    def failing_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.failing.add("users.list")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeSlack, "__init__", failing_init)
        with pytest.raises(PlatformUnavailable, match="member names must be stripped"):
            async with running_bot(tmp_path):
                pass


async def test_port_in_use_stops_start_up_with_one_line(tmp_path) -> None:
    import socket

    import pytest

    from domain.errors import ConfigError
    from conftest import running_bot

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match=r"server\.port: cannot listen on 127\.0\.0\.1:\d+"):
            async with running_bot(tmp_path, port=taken.getsockname()[1]):
                pass


def test_building_the_app_does_not_warn_that_the_token_is_unused(
    core, monkeypatch, caplog  # type: ignore[no-untyped-def]
) -> None:
    import logging

    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.app import build_app

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")  # Bolt reads it itself
    caplog.set_level(logging.DEBUG)
    build_app(core, signing_secret="s", client=AsyncWebClient(token="xoxb-from-the-environment"))
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
