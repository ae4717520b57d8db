"""HR review in Slack, end to end through the real adapter (issue [review]): a scored message
is flagged by the worker, the review job posts it to the review channel of a fake Slack Web
API, and reviewers press its buttons as signed ``block_actions`` requests to the running bot."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote, urlencode

import pytest

from bot import texts
from bot.review import post_pending, retract_withdrawn
from bot.runtime import review_desk
from bot.slack.courier import web_client
from bot.slack.review_board import SlackReviewBoard
from conftest import (
    ADMIN, ALICE, BOB, CHANNEL, OTHER_CHANNEL, SIGNING_SECRET, BotUnderTest, event_body, message_event,
    running_bot, signed_headers,
)
from slack_fake import TEAM_ID
from storage import connect, review

REVIEW_CHANNEL = "CREVIEW001"
REVIEWER = "UREVIEW001"
SECOND = "UREVIEW002"
GUIDELINES = "https://hr.example.com/labelling-guidelines"
REVIEW = {
    "review": {
        "enabled": True, "channel": f"slack:{REVIEW_CHANNEL}",
        "reviewers": [f"slack:{REVIEWER}", f"slack:{SECOND}"], "guidelines_url": GUIDELINES,
        # every scored message is flagged: no prediction is certain to within a margin of 1,
        # and the random audit takes all the rest
        "flagging": {"uncertainty_margin": 1.0, "audit_rate": 1.0},
    },
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Names, a mention, a phone number and a link: none of them may reach a reviewer.
WRITTEN = ("Alice Fernsby here: this release is awful and I am exhausted, <@UBOBBY0001> call me "
           "on +44 20 7946 0958 or see <https://intranet.example/incident-42|the incident>")


@pytest.fixture
async def review_bot(tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    async with running_bot(tmp_path, settings=REVIEW) as bot:
        yield bot


async def until(done: Callable[[], Any], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        await asyncio.sleep(0.01)


def reading(bot: BotUnderTest, read: Callable[[Any], Any]) -> Any:
    db = connect(bot.runtime.config.settings.database)
    try:
        return read(db)
    finally:
        db.close()


def stored(bot: BotUnderTest) -> dict[str, Any]:
    """Everything a press could change: flags, labels, audit rows."""
    def read(db: Any) -> dict[str, Any]:
        return {"flags": [dict(r) for r in db["flags"].rows], "labels": [dict(r) for r in db["labels"].rows],
                "audit": db["audit"].count}
    return reading(bot, read)


def labels(bot: BotUnderTest, flag_id: int) -> list[review.Label]:
    return reading(bot, lambda db: review.labels_for(db, flag_id))


def flag(bot: BotUnderTest, flag_id: int) -> review.Flag:
    found = reading(bot, lambda db: review.get(db, flag_id))
    assert found is not None
    return found


async def flagged_and_posted(bot: BotUnderTest, socket_mode: bool = False) -> tuple[int, str]:
    """A message written in an enrolled channel, scored and flagged by the worker, then posted
    by the review job through the Slack review board: the flag's id and the post's ts."""
    if socket_mode:
        await bot.fake.push("slash_commands", {
            "command": "/teamweather", "text": "optin", "user_id": ADMIN, "channel_id": CHANNEL,
            "team_id": TEAM_ID, "response_url": bot.fake.response_url(),
        })
        await bot.fake.push("events_api", event_body(message_event(WRITTEN)))
    else:
        status, _ = await bot.command("optin", user=ADMIN)
        assert status == 200
        assert await bot.event(message_event(WRITTEN)) == 200
    await bot.drained()
    assert bot.count("scores") == 1 and bot.count("flags") == 1

    def post() -> int:  # the scheduled job's part, on a thread of its own as the scheduler runs it
        db = connect(bot.runtime.config.settings.database)
        try:
            desk = review_desk(bot.runtime.config, db, bot.runtime.pseudonymiser)
            board = SlackReviewBoard(web_client("xoxb-test", bot.fake.api_url, max_retries=0))
            return post_pending(db, desk, {"slack": board}, f"slack:{REVIEW_CHANNEL}")
        finally:
            db.close()

    assert await asyncio.to_thread(post) == 1
    [posted] = bot.fake.messages[REVIEW_CHANNEL]
    [row] = reading(bot, lambda db: list(db["flags"].rows))
    assert json.loads(row["post"]) == {"channel": REVIEW_CHANNEL, "ts": posted["ts"]}
    return int(row["id"]), posted["ts"]


def press_payload(flag_id: int, choice: str, *, user: str, ts: str, bot: BotUnderTest,
                  channel: str = REVIEW_CHANNEL, trigger: str | None = None) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it for a press of a review button."""
    value = f"{flag_id}:{choice}"
    return {
        "type": "block_actions", "api_app_id": "A0TEST", "token": "legacy",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
        "trigger_id": trigger or f"{time.monotonic_ns()}.1234567.0123abcdef",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "hr-review"},
        "message": {"type": "message", "ts": ts, "user": "UBOTTEAMWX", "text": f"Review request #{flag_id}"},
        "response_url": bot.fake.response_url(f"press-{user}"),
        "actions": [{
            "type": "button", "action_id": f"review:{value}", "block_id": "b1", "value": value,
            "text": {"type": "plain_text", "text": "a choice", "emoji": True}, "action_ts": f"{time.time():.6f}",
        }],
    }


def form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


async def send(bot: BotUnderTest, body: str | bytes, headers: dict[str, str]) -> int:
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers={**FORM, **headers}) as resp:
        await resp.read()
        return resp.status


async def press(bot: BotUnderTest, flag_id: int, choice: str, *, user: str, ts: str, **fields: Any) -> int:
    body = form(press_payload(flag_id, choice, user=user, ts=ts, bot=bot, **fields))
    return await send(bot, body, signed_headers(body))


def signed(raw: bytes) -> dict[str, str]:
    """Slack's signature over raw bytes (conftest's signs text)."""
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post_text(bot: BotUnderTest, ts: str) -> str:
    return json.dumps(bot.fake.message(REVIEW_CHANNEL, ts), ensure_ascii=False)


def edits(bot: BotUnderTest, ts: str) -> int:
    return int(bot.fake.message(REVIEW_CHANNEL, ts).get("edits", 0))


def thread(bot: BotUnderTest, ts: str) -> list[str]:
    return [m["text"] for m in bot.fake.thread(REVIEW_CHANNEL, ts)]


# -- the post --------------------------------------------------------------------------------------

async def test_a_flag_is_posted_pseudonymised_with_its_buttons_and_the_guidelines(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    message = bot.fake.message(REVIEW_CHANNEL, ts)
    everything = post_text(bot, ts)
    for leak in ("Alice", "Fernsby", ALICE, BOB, "UBOBBY0001", "7946", "intranet", "incident"):
        assert leak not in everything, leak
    assert "this release is awful and I am exhausted" in everything
    assert "&lt;person&gt;" in everything  # placeholders, escaped for Slack
    assert f"<{GUIDELINES}|Labelling guidelines>" in everything
    assert message["text"] == f"Review request #{flag_id}"
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [
        f"review:{flag_id}:{c}" for c in ("sentiment:negative", "sentiment:neutral", "sentiment:positive",
                                          "stress:yes", "stress:no", "skip", "delete")]
    assert all(b["value"] == b["action_id"].removeprefix("review:") for b in buttons)
    assert [b["text"]["text"] for b in buttons][-2:] == ["Unclear — skip", "Still contains personal data — delete"]
    assert buttons[-1]["style"] == "danger"
    # the channel is posted to as the channel it is; nothing unfurls the guidelines' link
    [call] = [c for c in bot.fake.called("chat.postMessage") if c["channel"] == REVIEW_CHANNEL]
    assert call["unfurl_links"] is False


# -- presses ---------------------------------------------------------------------------------------

async def test_a_reviewers_press_stores_the_label_under_their_pseudonym_and_shows_it(
    review_bot: BotUnderTest,
) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    assert await press(bot, flag_id, "sentiment:negative", user=REVIEWER, ts=ts) == 200
    [label] = labels(bot, flag_id)  # stored before the ack
    assert label.sentiment == "negative" and label.stress is None
    assert label.reviewer == bot.runtime.pseudonymiser.reviewer(TEAM_ID, REVIEWER)
    assert REVIEWER not in json.dumps(stored(bot))
    await until(lambda: edits(bot, ts) == 1 and thread(bot, ts), "the post updated and its thread")
    assert "Reviewer 1: negative" in post_text(bot, ts)
    assert thread(bot, ts) == ["Reviewer 1 labelled sentiment negative."]
    # the post keeps its buttons: stress can still be answered, and another reviewer can answer
    assert await press(bot, flag_id, "stress:yes", user=REVIEWER, ts=ts) == 200
    [label] = labels(bot, flag_id)
    assert (label.sentiment, label.stress) == ("negative", True)
    await until(lambda: len(thread(bot, ts)) == 2, "the second thread line")
    assert "Reviewer 1: negative, stressed" in post_text(bot, ts)
    assert bot.fake.responses == []  # nobody was refused


async def test_a_second_reviewer_can_confirm_or_disagree_and_both_are_kept(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    assert await press(bot, flag_id, "sentiment:negative", user=REVIEWER, ts=ts) == 200
    assert await press(bot, flag_id, "sentiment:neutral", user=SECOND, ts=ts) == 200
    assert await press(bot, flag_id, "stress:yes", user=REVIEWER, ts=ts) == 200
    assert await press(bot, flag_id, "stress:yes", user=SECOND, ts=ts) == 200
    kept = {(label.reviewer, label.sentiment, label.stress) for label in labels(bot, flag_id)}
    reviewer_of = bot.runtime.pseudonymiser.reviewer
    assert kept == {(reviewer_of(TEAM_ID, REVIEWER), "negative", True), (reviewer_of(TEAM_ID, SECOND), "neutral", True)}
    await until(lambda: len(thread(bot, ts)) == 4 and edits(bot, ts) == 4, "four thread lines and updates")
    assert thread(bot, ts) == [
        "Reviewer 1 labelled sentiment negative.",
        "Reviewer 2 labelled sentiment neutral; reviewer 1 said negative. Both are kept.",
        "Reviewer 1 labelled stressed.",
        "Reviewer 2 confirmed stressed.",
    ]
    shown = post_text(bot, ts)
    assert "Reviewer 1: negative, stressed" in shown and "Reviewer 2: neutral, stressed" in shown


async def test_anyone_else_is_refused_privately_and_nothing_is_stored(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    before = stored(bot)
    for choice in ("sentiment:positive", "delete"):
        assert await press(bot, flag_id, choice, user=BOB, ts=ts) == 200
    await until(lambda: len(bot.fake.responses) == 2, "two private refusals")
    for refusal in bot.fake.responses:
        assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
        assert refusal["text"] == "Only the configured reviewers can label flagged messages. Nothing was stored."
    assert stored(bot) == before
    assert flag(bot, flag_id).status == "open" and flag(bot, flag_id).text
    await asyncio.sleep(0.1)
    assert edits(bot, ts) == 0 and thread(bot, ts) == [] and not bot.fake.called("chat.update")


async def test_a_press_outside_the_review_channel_is_refused_privately(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    before = stored(bot)
    assert await press(bot, flag_id, "sentiment:negative", user=REVIEWER, ts=ts, channel=OTHER_CHANNEL) == 200
    await until(lambda: bot.fake.responses, "a private refusal")
    [refusal] = bot.fake.responses
    assert refusal["response_type"] == "ephemeral" and "only in the review channel" in refusal["text"]
    assert stored(bot) == before and not bot.fake.called("chat.update")


async def test_skip_marks_the_flag_unclear(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    assert await press(bot, flag_id, "skip", user=REVIEWER, ts=ts) == 200
    assert flag(bot, flag_id).status == "skipped" and labels(bot, flag_id) == []
    await until(lambda: thread(bot, ts), "the thread line")
    assert thread(bot, ts) == ["Reviewer 1 skipped this as unclear."]
    assert "Skipped as unclear" in post_text(bot, ts)


async def test_delete_blanks_the_text_in_the_database_and_in_the_post(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    assert await press(bot, flag_id, "sentiment:negative", user=SECOND, ts=ts) == 200
    assert await press(bot, flag_id, "delete", user=REVIEWER, ts=ts) == 200
    gone = flag(bot, flag_id)
    assert gone.status == "deleted" and gone.text == "" and labels(bot, flag_id) == []
    await until(lambda: len(thread(bot, ts)) == 2 and edits(bot, ts) == 2, "the post updated")
    shown = post_text(bot, ts)
    assert "exhausted" not in shown and "deleted by a reviewer" in shown
    assert not [b for b in bot.fake.message(REVIEW_CHANNEL, ts)["blocks"] if b["type"] == "actions"]
    assert thread(bot, ts)[-1] == "Reviewer 2 deleted the text: it still contained personal data."
    # a press on the deleted flag (an older copy of the post) changes nothing
    before = stored(bot)
    assert await press(bot, flag_id, "sentiment:positive", user=SECOND, ts=ts) == 200
    await until(lambda: bot.fake.responses, "a private answer")
    assert "no longer held" in bot.fake.responses[-1]["text"] and stored(bot) == before


# -- requests nobody should be able to make count -------------------------------------------------

async def test_forged_stale_and_unsigned_presses_are_401_and_change_nothing(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    before = stored(bot)
    body = form(press_payload(flag_id, "sentiment:positive", user=REVIEWER, ts=ts, bot=bot))
    assert await send(bot, body, signed_headers(body, secret="not-the-secret")) == 401
    assert await send(bot, body, signed_headers(body, timestamp=int(time.time()) - 600)) == 401
    assert await send(bot, body, {}) == 401
    other = form(press_payload(flag_id, "sentiment:negative", user=REVIEWER, ts=ts, bot=bot))
    assert await send(bot, other, signed_headers(body)) == 401  # another press's signature
    assert stored(bot) == before
    await asyncio.sleep(0.1)
    assert edits(bot, ts) == 0 and bot.fake.responses == []


async def test_the_same_press_replayed_changes_nothing(review_bot: BotUnderTest) -> None:
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    first = form(press_payload(flag_id, "sentiment:negative", user=REVIEWER, ts=ts, bot=bot))
    first_headers = signed_headers(first)
    assert await send(bot, first, first_headers) == 200
    await until(lambda: edits(bot, ts) == 1 and thread(bot, ts), "the first press shown")
    after_first = stored(bot)
    assert await send(bot, first, first_headers) == 409  # the very request again, within its 5 minutes
    assert stored(bot) == after_first
    # The reviewer changes their mind; a replay of the older press must not undo that.
    assert await press(bot, flag_id, "sentiment:positive", user=REVIEWER, ts=ts) == 200
    await until(lambda: edits(bot, ts) == 2, "the second press shown")
    after_second = stored(bot)
    assert await send(bot, first, signed_headers(first)) == 409
    assert stored(bot) == after_second
    [label] = labels(bot, flag_id)
    assert label.sentiment == "positive"
    await asyncio.sleep(0.1)
    assert edits(bot, ts) == 2 and len(thread(bot, ts)) == 2 and bot.fake.responses == []


def _payload(**changes: Any) -> Callable[[dict[str, Any]], Any]:
    def change(payload: dict[str, Any]) -> Any:
        for path, value in changes.items():
            target = payload
            *parents, last = path.split("__")
            for key in parents:
                target = target[int(key)] if isinstance(target, list) else target[key]
            if value is _DROP:
                del target[last]
            else:
                target[last] = value
        return payload
    return change


_DROP = object()
# How each malformed press is made from a well-formed one (its JSON), or its whole body (bytes).
MALFORMED: dict[str, Callable[[dict[str, Any]], Any] | bytes] = {
    "value not <id>:<choice>": _payload(actions__0__value="hello", actions__0__action_id="review:hello"),
    "value an unknown choice": _payload(actions__0__value="1:sentiment:ecstatic",
                                        actions__0__action_id="review:1:sentiment:ecstatic"),
    "value without an id": _payload(actions__0__value=":skip", actions__0__action_id="review::skip"),
    "value a number": _payload(actions__0__value=7),
    "value missing": _payload(actions__0__value=_DROP),
    "action_id not the value's": _payload(actions__0__action_id="review:1:delete"),
    "action_id of another app": _payload(actions__0__action_id="approve"),
    "no actions": _payload(actions=[]),
    "actions not a list": _payload(actions={"0": 1}),
    "two actions": lambda p: p | {"actions": p["actions"] * 2},
    "not a button": _payload(actions__0__type="static_select"),
    "user missing": _payload(user=_DROP),
    "user an object id": _payload(user={"id": {"id": REVIEWER}}),
    "user id a number": _payload(user={"id": 12}),
    "team missing": _payload(team=_DROP),
    "container missing": _payload(container=_DROP),
    "container a view": _payload(container={"type": "view", "view_id": "V1"}),
    "message_ts not a ts": _payload(container__message_ts="yesterday"),
    "channel_id a number": _payload(container__channel_id=5),
    "trigger_id missing": _payload(trigger_id=_DROP),
    "trigger_id a number": _payload(trigger_id=5),
    "response_url not a URL": _payload(response_url="javascript:alert(1)"),
    "another interaction type": _payload(type="view_submission"),
    "payload a list": lambda p: [p],
    "payload null": lambda p: None,
    "payload a string": lambda p: "block_actions",
    "payload not JSON": b"payload=%7Bnot+json",
    "payload deeply nested": b"payload=" + b"%5B" * 100_000 + b"%5D" * 100_000,
    "bytes not UTF-8": b'payload={"type": "block_actions", "user": "\xff\xfe caf\xe9"}',
    "percent-encoded bytes not UTF-8": b"payload=%7B%22type%22%3A%22%FF%FE%22%7D",
    "empty payload": b"payload=",
    "a second form field": None,  # made below: a well-formed payload and one more field
}


async def test_signed_malformed_presses_are_400_and_change_nothing(review_bot: BotUnderTest) -> None:
    """Every kind in MALFORMED, on one bot (each would otherwise start its own)."""
    bot = review_bot
    flag_id, ts = await flagged_and_posted(bot)
    before, seen = stored(bot), bot.count("seen_events")
    good = press_payload(flag_id, "sentiment:negative", user=REVIEWER, ts=ts, bot=bot)
    for n, case in enumerate(sorted(MALFORMED), start=1):
        make = MALFORMED[case]
        if case == "a second form field":
            raw = (form(good) + "&payload_extra=1").encode()
        elif isinstance(make, bytes):
            raw = make
        else:
            assert callable(make)
            raw = ("payload=" + quote(json.dumps(make(json.loads(json.dumps(good)))))).encode()
        assert await send(bot, raw, signed(raw)) == 400, case
        assert await send(bot, raw, {}) == 401, case  # unsigned: refused before anything reads it
        assert bot.runtime.health()["counters"].get("slack_malformed_requests") == n, case
        assert stored(bot) == before, case
    assert bot.count("seen_events") == seen
    await asyncio.sleep(0.05)
    assert edits(bot, ts) == 0 and bot.fake.responses == []
    # still serving presses afterwards
    assert await press(bot, flag_id, "sentiment:negative", user=REVIEWER, ts=ts) == 200
    assert [label.sentiment for label in labels(bot, flag_id)] == ["negative"]


async def test_presses_over_socket_mode_store_the_label_and_show_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path, app_token="xapp-test", settings=REVIEW) as bot:
        flag_id, ts = await flagged_and_posted(bot, socket_mode=True)
        payload = press_payload(flag_id, "stress:no", user=SECOND, ts=ts, bot=bot)
        await bot.fake.push("interactive", payload)
        [label] = labels(bot, flag_id)  # stored before the ack
        assert (label.reviewer, label.stress) == (bot.runtime.pseudonymiser.reviewer(TEAM_ID, SECOND), False)
        await until(lambda: edits(bot, ts) == 1 and thread(bot, ts) == ["Reviewer 1 labelled not stressed."],
                    "the post updated and its thread")
        await bot.fake.push("interactive", press_payload(flag_id, "stress:yes", user=BOB, ts=ts, bot=bot))
        await until(lambda: bot.fake.responses, "a private refusal")
        assert bot.fake.responses[-1]["response_type"] == "ephemeral"
        assert [label.stress for label in labels(bot, flag_id)] == [False]


async def test_presses_are_acked_and_ignored_when_review_is_off(bot: BotUnderTest) -> None:
    body = form(press_payload(1, "sentiment:negative", user=REVIEWER, ts="1700000000.000001", bot=bot))
    assert await send(bot, body, signed_headers(body)) == 200
    assert bot.count("labels") == 0 and bot.count("seen_events") == 0
    await asyncio.sleep(0.05)
    assert bot.fake.responses == [] and not bot.fake.called("chat.update")


async def test_a_scored_message_is_not_flagged_when_review_is_off(bot: BotUnderTest) -> None:
    status, _ = await bot.command("optin", user=ADMIN, channel=CHANNEL)
    assert status == 200
    assert await bot.event(message_event(WRITTEN)) == 200
    await bot.drained()
    assert bot.count("scores") == 1 and bot.count("flags") == 0


async def test_a_forgotten_authors_post_is_withdrawn_from_the_review_channel(review_bot: BotUnderTest) -> None:
    """forget-me erases the flag on disk, and the review job then takes its words out of the
    review channel too (the post is replaced by a notice without text or buttons)."""
    bot = review_bot
    _, ts = await flagged_and_posted(bot)
    assert "this release is awful" in post_text(bot, ts)
    status, _ = await bot.command("forget-me")
    assert status == 200

    def job() -> int:
        db = connect(bot.runtime.config.settings.database)
        try:
            board = SlackReviewBoard(web_client("xoxb-test", bot.fake.api_url, max_retries=0))
            return retract_withdrawn(db, {"slack": board}, f"slack:{REVIEW_CHANNEL}")
        finally:
            db.close()

    assert await asyncio.to_thread(job) == 1
    shown = post_text(bot, ts)
    assert "this release is awful" not in shown and "exhausted" not in shown
    assert texts.REVIEW_WITHDRAWN_TITLE in shown and '"actions"' not in shown
    assert await asyncio.to_thread(job) == 0  # withdrawn once
