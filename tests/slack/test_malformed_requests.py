"""Requests nobody shaped for us: never a 5xx, the server keeps serving, nothing is stored
unless the event is well formed, and a signed but malformed event is acked and counted."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    ADMIN, ALICE, SIGNING_SECRET, BotUnderTest, event_body, message_event, running_bot_in_thread, signed_headers,
)

JSON = {"Content-Type": "application/json"}
STORED_TABLES = ("inbox", "scores", "seen_events")


def stored(bot: BotUnderTest) -> dict[str, int]:
    return {table: bot.count(table) for table in STORED_TABLES}


async def enrolled(bot: BotUnderTest) -> None:
    status, reply = await bot.command("optin", user=ADMIN)
    assert status == 200 and reply["response_type"] == "in_channel"


def with_event(**changes: Any) -> str:
    event = message_event("a sentence someone wrote", ts=f"{int(time.time()) + 1}.000100")
    event.update(changes)
    return json.dumps(event_body(event, f"Ev{time.monotonic_ns()}"))


def envelope(**changes: Any) -> str:
    body = event_body(message_event("a sentence", ts=f"{int(time.time()) + 1}.000200"))
    body.update(changes)
    return json.dumps(body)


def changed(message: Any) -> str:
    return with_event(subtype="message_changed", message=message, previous_message=None)


# Each of these gave a 500, or a 200 *and a stored row*, before the edge validated shapes.
MALFORMED_SIGNED: dict[str, tuple[bytes | str, dict[str, str]]] = {
    "deeply nested JSON": ("[" * 100_000 + "]" * 100_000, JSON),
    "nested object": ('{"a":' * 50_000 + "1" + "}" * 50_000, JSON),
    "top-level array": ("[1, 2, 3]", JSON),
    "top-level null": ("null", JSON),
    "top-level number": ("42", JSON),
    "event a string": (envelope(event="hello"), JSON),
    "event null": (envelope(event=None), JSON),
    "event a list": (envelope(event=[1, 2]), JSON),
    "team_id an object": (envelope(team_id={"id": "T1"}), JSON),
    "ts abc": (with_event(ts="abc"), JSON),
    "ts nan": (with_event(ts="nan"), JSON),
    "ts 1e400": (with_event(ts="1e400"), JSON),
    "message a string in message_changed": (changed("hello"), JSON),
    "text a number": (with_event(text=12345), JSON),
    "blocks null": (with_event(blocks=None), JSON),
    "blocks a string": (with_event(blocks="hello"), JSON),
    "user an object": (with_event(user={"id": ALICE}), JSON),
    "channel a number": (with_event(channel=7), JSON),
    "not JSON at all": ("{oops", JSON),
    "form without a command": ("a=b&c=d", {"Content-Type": "application/x-www-form-urlencoded"}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_SIGNED))
async def test_signed_malformed_requests_are_acked_counted_and_leave_no_trace(bot: BotUnderTest, case: str) -> None:
    await enrolled(bot)
    body, headers = MALFORMED_SIGNED[case]
    text = body if isinstance(body, str) else body.decode("latin-1")
    before = stored(bot)
    status = (await bot.post(text, {**headers, **signed_headers(text)})).status
    assert status == 200, f"{case}: {status}"  # acked, so Slack does not retry it forever
    health = bot.runtime.health()
    assert sum(n for name, n in health["counters"].items() if "malformed" in name) == 1
    # still serving: a well-formed message goes through afterwards
    assert await bot.event(message_event("all good", ts=f"{int(time.time()) + 1}.000300")) == 200
    await bot.drained()
    after = stored(bot)
    assert after["scores"] == before["scores"] + 1 and after["inbox"] == before["inbox"]


async def test_an_unknown_charset_label_is_read_as_the_utf8_slack_sends(bot: BotUnderTest) -> None:
    await enrolled(bot)
    body = with_event(text="café crème at the standup")
    headers = {"Content-Type": "application/json; charset=klingon-8", **signed_headers(body)}
    assert (await bot.post(body, headers)).status == 200
    await bot.drained()
    assert bot.count("scores") == 1


async def test_a_body_that_is_not_utf8_is_ignored_if_signed_and_refused_if_not(bot: BotUnderTest) -> None:
    await enrolled(bot)
    raw = b'{"type": "event_callback", "event": {"text": "\xff\xfe caf\xe9"}}'
    # Signed over the raw bytes: Slack's, but malformed (acked, ignored, counted); unsigned: refused.
    for headers, status in ((signed(raw), 200), ({}, 401)):
        async with bot.session.post(f"{bot.url}/slack/events", data=raw, headers={**JSON, **headers}) as resp:
            assert resp.status == status
    assert stored(bot) == {"inbox": 0, "scores": 0, "seen_events": 0}
    counts = bot.runtime.health()["counters"]
    assert counts["slack_malformed_requests"] == 1 and counts["slack_refused_requests"] == 1


@pytest.mark.parametrize("timestamp", ["abc", "1e3", "-5", "", "１２３", "9" * 40])
async def test_a_garbled_timestamp_header_is_a_401(bot: BotUnderTest, timestamp: str) -> None:
    body = with_event()
    headers = {**JSON, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=00"}
    assert (await bot.post(body, headers)).status == 401


# -- property: arbitrary JSON and bytes ------------------------------------------------------

@pytest.fixture(scope="module")
def live_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotUnderTest, asyncio.AbstractEventLoop]]:
    with running_bot_in_thread(tmp_path_factory.mktemp("fuzz")) as (bot, loop):
        status, _ = asyncio.run_coroutine_threadsafe(bot.command("optin", user=ADMIN), loop).result()
        assert status == 200
        yield bot, loop


def post(live: tuple[BotUnderTest, asyncio.AbstractEventLoop], body: bytes, headers: dict[str, str]) -> int:
    bot, loop = live

    async def send() -> int:
        async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=headers) as resp:
            await resp.read()
            return resp.status

    return asyncio.run_coroutine_threadsafe(send(), loop).result()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
READ_FIELDS = ("text", "user", "ts", "blocks", "channel", "subtype", "bot_id")


def well_formed_types(field: str, value: Any) -> bool:
    """Whether ``value`` has a type Slack sends for ``field`` (content aside)."""
    if field == "blocks":
        return isinstance(value, list) and all(isinstance(b, dict) for b in value)
    if field in ("message", "previous_message"):
        return isinstance(value, dict)
    return isinstance(value, str)


def signed(body: bytes) -> dict[str, str]:
    """Slack's signature over raw bytes (the test helper in conftest signs text)."""
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values, sign=st.booleans())
def test_arbitrary_json_never_gets_a_5xx_or_stores_anything(live_bot: Any, payload: Any, sign: bool) -> None:
    bot, _ = live_bot
    body = json.dumps(payload).encode()
    before = stored(bot)
    status = post(live_bot, body, {**JSON, **(signed(body) if sign else {})})
    assert status < 500 and (sign or status == 401)
    assert stored(bot) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), content_type=st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin-1"]),
    sign=st.booleans())
def test_arbitrary_bytes_never_get_a_5xx_or_store_anything(live_bot: Any, body: bytes, content_type: str, sign: bool) -> None:
    bot, _ = live_bot
    before = stored(bot)
    status = post(live_bot, body, {"Content-Type": content_type, **(signed(body) if sign else {})})
    assert status < 500 and (sign or status == 401)
    assert stored(bot) == before


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(READ_FIELDS), value=json_values, n=st.integers(0, 10**6))
def test_an_event_with_a_field_of_the_wrong_type_is_acked_and_not_stored(
    live_bot: Any, field: str, value: Any, n: int
) -> None:
    bot, _ = live_bot
    if well_formed_types(field, value) or (value is None and field in ("subtype", "bot_id", "previous_message")):
        return  # right type: whether it is stored depends on its content, covered elsewhere
    event = message_event("a well formed sentence", ts=f"{int(time.time()) + 1}.{n:06d}")
    event[field] = value
    body = json.dumps(event_body(event, f"EvFuzz{time.monotonic_ns()}")).encode()
    before = stored(bot)
    status = post(live_bot, body, {**JSON, **signed(body)})
    assert status == 200
    assert stored(bot) == before, f"{field}={value!r} was stored"


def test_the_bot_still_serves_after_the_fuzzing(live_bot: Any) -> None:
    bot, loop = live_bot
    status = asyncio.run_coroutine_threadsafe(
        bot.event(message_event("still here and well", ts=f"{int(time.time()) + 1}.999999")), loop).result()
    assert status == 200
    asyncio.run_coroutine_threadsafe(bot.drained(), loop).result()
    assert bot.count("scores") >= 1
