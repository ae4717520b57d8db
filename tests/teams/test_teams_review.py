"""HR review on Teams (issue [review]) end to end: the live ``serve()`` with Teams on and
``review.enabled``, a channel message collected, scored and flagged, its review card posted to
the review channel through the fake Bot Connector (``tests/teams_fake.py``), and reviewers'
presses of the card's ``Action.Submit`` buttons posted back to the messages endpoint as Teams
posts them (a ``message`` whose ``value`` is the button's data, its ``replyToId`` the card).

Also :class:`bot.teams.review_board.TeamsReviewBoard` on its own (as the scheduler calls it)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, AsyncIterator, Iterator, NoReturn

import pytest
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from analyzers.pseudonymise import Pseudonymiser
from bot import texts
from bot.config import parse_settings
from bot.report import Footnote, Line, Report, Section
from bot.review import post_pending
from bot.runtime import review_desk
from bot.teams.bot import review_channel_key
from bot.teams.render import reply_text
from bot.teams.review_board import NOT_IN_TEAM, TeamsReviewBoard
from conftest import (
    ADELE, APP_ID, BOT_ID, KEY, MEGAN, TEAMS_ADMIN, TEAMS_CHANNEL, TEAMS_IDS, TENANT, TeamsBotUnderTest,
    running_teams_bot,
)
from domain.errors import PlatformUnavailable
from storage import connect, conversations
from teams_fake import FakeConnector, fake_connector_in_thread, forged_jwt

REVIEW_CHANNEL = "19:hr-review-channel-01@thread.tacv2"
REVIEWERS = (ADELE, TEAMS_ADMIN)  # MEGAN is not one
GUIDELINES = "https://teamweather.example.com/review/guidelines"
REVIEW = {
    "enabled": True, "channel": f"msteams:{REVIEW_CHANNEL}", "reviewers": [f"msteams:{r}" for r in REVIEWERS],
    "guidelines_url": GUIDELINES,
    # Every scored message is flagged: uncertain below a margin of 1, else audited at a rate of 1.
    "flagging": {"uncertainty_margin": 1.0, "audit_rate": 1.0},
}
SAID = "Adele Vance says the release plan is awful, mail megan@contoso.example"
PSEUDONYMISED = "<person> says the release plan is awful, mail <email>"
_ids = itertools.count(int(time.time() * 1000) + 10_000)


@contextlib.asynccontextmanager
async def running_review_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> AsyncIterator[TeamsBotUnderTest]:
    """``conftest.running_teams_bot`` with ``review:`` set."""
    async with running_teams_bot(tmp_path, settings={"review": REVIEW}, **kwargs) as bot:
        yield bot


@pytest.fixture
async def review_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsBotUnderTest]:
    async with running_review_bot(tmp_path, monkeypatch) as bot:
        yield bot


# -- helpers -------------------------------------------------------------------------------------


def next_id() -> str:
    """A fresh activity id (Teams' are creation times in milliseconds: two in one millisecond
    would read as a replay)."""
    return str(next(_ids))


def read(bot: TeamsBotUnderTest, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows, on a connection of the test's own."""
    db = connect(bot.runtime.config.settings.database)
    try:
        return [tuple(row) for row in db.execute(sql, params).fetchall()]
    finally:
        db.close()


def stored_address(bot: TeamsBotUnderTest) -> dict[str, Any] | None:
    db = connect(bot.runtime.config.settings.database)
    try:
        return conversations.get(db, review_channel_key(REVIEW_CHANNEL))
    finally:
        db.close()


def labels(bot: TeamsBotUnderTest) -> list[tuple[Any, ...]]:
    return read(bot, "SELECT flag_id, reviewer, sentiment, stress FROM labels ORDER BY labelled_at, reviewer")


def pseudonym(user: str) -> str:
    return Pseudonymiser(KEY).reviewer(TENANT, user)


async def flagged(bot: TeamsBotUnderTest, text: str = SAID, *, author: str = MEGAN) -> int:
    """Enrol the team channel, say ``text`` there, wait for it to be scored; the new flag's id."""
    if not read(bot, "SELECT 1 FROM channels WHERE channel = ?", TEAMS_CHANNEL):
        assert await bot.command("optin", user=TEAMS_ADMIN) == 200
        await asyncio.sleep(0.002)  # messages come after the enrolment
    before = {row[0] for row in read(bot, "SELECT id FROM flags")}
    assert await bot.say(text, user=author, activity_id=next_id()) == 200
    await bot.drained()
    [flag_id] = {row[0] for row in read(bot, "SELECT id FROM flags")} - before
    return int(flag_id)


async def review_channel_seen(bot: TeamsBotUnderTest) -> None:
    """Something comes from the review channel (a reviewer's message, not enrolled: not collected)."""
    assert await bot.say("morning, reviewers", user=ADELE, channel=REVIEW_CHANNEL, activity_id=next_id()) == 200


def _post_now(bot: TeamsBotUnderTest) -> int:
    """The review job's part, as the scheduler runs it: on its own thread and connection."""
    config = bot.runtime.config
    db = connect(config.settings.database)
    try:
        desk = review_desk(config, db, Pseudonymiser(KEY))
        return post_pending(db, desk, {"msteams": bot.platform.review_board()}, f"msteams:{REVIEW_CHANNEL}")
    finally:
        db.close()


async def posted(bot: TeamsBotUnderTest) -> int:
    return await asyncio.to_thread(_post_now, bot)


def post_of(bot: TeamsBotUnderTest, flag_id: int) -> dict[str, Any]:
    [(post,)] = read(bot, "SELECT post FROM flags WHERE id = ?", flag_id)
    assert post is not None, "the flag was not posted"
    where: dict[str, Any] = json.loads(post)
    return where


def press_activity(bot: TeamsBotUnderTest, flag_id: int, choice: str, *, user: str = ADELE,
                   activity_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """The activity Teams posts when ``user`` presses the ``choice`` button on the flag's card:
    a message in the card's reply chain, ``value`` the button's data, ``replyToId`` the card."""
    card = post_of(bot, flag_id)["activity"]
    activity = bot.activity(user=user, channel=REVIEW_CHANNEL, activity_id=activity_id or next_id(),
                            value={"teamweather": "review", "value": f"{flag_id}:{choice}"}, replyToId=card)
    activity["conversation"] = {**activity["conversation"], "id": f"{REVIEW_CHANNEL};messageid={card}"}
    activity["channelData"] = {**activity["channelData"], "source": {"name": "message"}}
    return {**activity, **fields}


async def press(bot: TeamsBotUnderTest, flag_id: int, choice: str, **kwargs: Any) -> int:
    return (await bot.post(press_activity(bot, flag_id, choice, **kwargs)))[0]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def thread_of(bot: TeamsBotUnderTest, flag_id: int) -> str:
    return f"{REVIEW_CHANNEL};messageid={post_of(bot, flag_id)['activity']}"


def updates(bot: TeamsBotUnderTest, flag_id: int) -> list[dict[str, Any]]:
    """The card's updates in place (PUT to the thread, at the card's activity id)."""
    card = post_of(bot, flag_id)["activity"]
    thread = thread_of(bot, flag_id)
    return [a for (kind, conversation, target), (_, _, a) in zip(bot.connector.calls, bot.connector.activities)
            if kind == "update" and conversation == thread and target == card]


def replies(bot: TeamsBotUnderTest, flag_id: int) -> list[str]:
    """What was said in the card's reply chain (a reply to the card)."""
    card = post_of(bot, flag_id)["activity"]
    thread = thread_of(bot, flag_id)
    return [str(a.get("text")) for (kind, conversation, target), (_, _, a) in zip(bot.connector.calls, bot.connector.activities)
            if kind == "reply" and conversation == thread and target == card]


def shown(activity: dict[str, Any]) -> str:
    return json.dumps(activity, ensure_ascii=False)


# -- posting -------------------------------------------------------------------------------------


async def test_a_flag_is_posted_to_the_review_channel_as_a_card_without_names(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    assert await posted(review_bot) == 1
    [body] = review_bot.connector.threads  # a new thread in the review channel
    assert body["isGroup"] is True and body["channelData"]["channel"] == {"id": REVIEW_CHANNEL}
    assert body["channelData"]["tenant"] == {"id": TENANT} and body["bot"]["id"] == BOT_ID
    card = card_of(body["activity"])
    text = shown(body)
    assert PSEUDONYMISED in text.replace("\\\\", "")
    for secret in ("Adele", "Vance", "megan@", MEGAN, TEAMS_IDS[MEGAN], ADELE, "Megan"):
        assert secret not in text, secret
    assert f"[{texts.REVIEW_GUIDELINES}]({GUIDELINES})" in text
    actions = submits(card)
    assert [a["data"] for a in actions] == [{"teamweather": "review", "value": f"{flag_id}:{choice}"}
                                            for choice in texts.REVIEW_CHOICES]
    assert [a["title"] for a in actions] == list(texts.REVIEW_CHOICES.values())
    assert all(a["type"] == "Action.Submit" for a in actions) and actions[-1]["style"] == "destructive"
    where = post_of(review_bot, flag_id)
    assert where["conversation"] == f"{REVIEW_CHANNEL};messageid={where['activity']}"
    assert where["service_url"] == review_bot.connector.url
    assert await posted(review_bot) == 0  # posted once


async def test_the_review_channel_is_known_from_the_installation_in_its_team(review_bot: TeamsBotUnderTest) -> None:
    added = review_bot.activity("conversationUpdate", user=TEAMS_ADMIN, channel=REVIEW_CHANNEL, activity_id=next_id(),
                                membersAdded=[{"id": BOT_ID}])
    assert (await review_bot.post(added))[0] == 200
    assert stored_address(review_bot) == {  # as botbuilder serialises a ConversationReference
        "bot": {"id": BOT_ID}, "channelId": "msteams", "serviceUrl": review_bot.connector.url,
        "conversation": {"id": REVIEW_CHANNEL, "isGroup": True, "conversationType": "channel", "tenantID": TENANT},
    }  # ids and the service URL: no person
    assert read(review_bot, "SELECT workspace FROM conversations WHERE user = ?", review_channel_key(REVIEW_CHANNEL)) == [(TENANT,)]
    await flagged(review_bot)
    assert await posted(review_bot) == 1


async def test_without_the_channels_address_nothing_is_posted_until_it_is_known(review_bot: TeamsBotUnderTest) -> None:
    flag_id = await flagged(review_bot)
    board = review_bot.platform.review_board()
    with pytest.raises(PlatformUnavailable, match="add the Teamweather app to the team"):
        await asyncio.to_thread(board.post, REVIEW_CHANNEL, Report("t", ()), "t")
    assert await posted(review_bot) == 0
    assert read(review_bot, "SELECT posted_at FROM flags WHERE id = ?", flag_id) == [(None,)]
    assert review_bot.connector.threads == []
    await review_channel_seen(review_bot)
    assert await posted(review_bot) == 1


async def test_the_scheduled_job_posts_through_the_teams_platform(review_bot: TeamsBotUnderTest) -> None:
    from bot import jobs

    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await asyncio.to_thread(jobs.post_flags)  # the job serve() scheduled, run now
    assert len(review_bot.connector.threads) == 1 and post_of(review_bot, flag_id)["activity"]


# -- presses ---------------------------------------------------------------------------------------


async def test_a_reviewers_press_stores_the_label_updates_the_card_and_replies_in_its_chain(
    review_bot: TeamsBotUnderTest,
) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    assert await press(review_bot, flag_id, "sentiment:negative") == 200
    assert labels(review_bot) == [(flag_id, pseudonym(ADELE), "negative", None)]
    assert ADELE not in json.dumps(read(review_bot, "SELECT * FROM labels"))
    [update] = updates(review_bot, flag_id)
    assert update["id"] == post_of(review_bot, flag_id)["activity"]
    assert texts.REVIEW_LABEL_LINE.format(n=1, answers="negative") in shown(update)
    assert PSEUDONYMISED in shown(update).replace("\\\\", "")
    assert replies(review_bot, flag_id) == [reply_text(texts.REVIEW_THREAD_LABEL.format(n=1, what="sentiment negative"))]
    assert review_bot.private_texts(ADELE) == []
    # Her stress answer joins her label.
    assert await press(review_bot, flag_id, "stress:yes") == 200
    assert labels(review_bot) == [(flag_id, pseudonym(ADELE), "negative", 1)]
    assert len(updates(review_bot, flag_id)) == 2
    assert texts.REVIEW_LABEL_LINE.format(n=1, answers="negative, stressed") in shown(updates(review_bot, flag_id)[-1])


async def test_a_second_reviewer_confirms_or_disagrees_and_both_labels_are_kept(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    assert await press(review_bot, flag_id, "sentiment:negative", user=ADELE) == 200
    assert await press(review_bot, flag_id, "sentiment:positive", user=TEAMS_ADMIN) == 200
    assert await press(review_bot, flag_id, "stress:no", user=ADELE) == 200
    assert await press(review_bot, flag_id, "stress:no", user=TEAMS_ADMIN) == 200
    assert sorted(labels(review_bot)) == sorted([(flag_id, pseudonym(ADELE), "negative", 0),
                                                 (flag_id, pseudonym(TEAMS_ADMIN), "positive", 0)])
    said = replies(review_bot, flag_id)
    assert said[1] == reply_text(texts.REVIEW_THREAD_DISAGREE.format(
        n=2, what="sentiment positive", other=1, theirs="negative"))
    assert said[3] == reply_text(texts.REVIEW_THREAD_CONFIRM.format(n=2, what="not stressed"))
    last = shown(updates(review_bot, flag_id)[-1])
    assert "Reviewer 1: negative, not stressed" in last and "Reviewer 2: positive, not stressed" in last


async def test_anyone_else_is_refused_privately_and_nothing_is_stored(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    calls = len(review_bot.connector.calls)
    assert await press(review_bot, flag_id, "sentiment:negative", user=MEGAN) == 200
    assert review_bot.private_texts(MEGAN) == [reply_text(texts.REVIEW_NOT_REVIEWER)]
    assert labels(review_bot) == [] and read(review_bot, "SELECT status FROM flags") == [("open",)]
    assert updates(review_bot, flag_id) == [] and replies(review_bot, flag_id) == []
    assert [kind for kind, _, _ in review_bot.connector.calls[calls:]] == ["send"]  # the private answer only


async def test_a_press_from_outside_the_review_channel_is_refused_privately(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    elsewhere = press_activity(review_bot, flag_id, "sentiment:negative")
    elsewhere["conversation"] = {**elsewhere["conversation"], "id": f"{TEAMS_CHANNEL};messageid=1"}
    elsewhere["channelData"] = {**elsewhere["channelData"], "channel": {"id": TEAMS_CHANNEL}}
    assert (await review_bot.post(elsewhere))[0] == 200
    personal = press_activity(review_bot, flag_id, "sentiment:negative")
    personal["conversation"] = {"conversationType": "personal", "id": f"a:1personal-{ADELE}", "tenantId": TENANT}
    personal["channelData"] = {"tenant": {"id": TENANT}}
    assert (await review_bot.post(personal))[0] == 200
    assert review_bot.private_texts(ADELE) == [reply_text(texts.REVIEW_WRONG_CHANNEL)] * 2
    assert labels(review_bot) == [] and updates(review_bot, flag_id) == []


async def test_delete_blanks_the_text_and_the_card_says_so(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    assert await press(review_bot, flag_id, "sentiment:neutral") == 200
    assert await press(review_bot, flag_id, "delete", user=TEAMS_ADMIN) == 200
    assert read(review_bot, "SELECT text, status FROM flags WHERE id = ?", flag_id) == [("", "deleted")]
    assert labels(review_bot) == []  # its labels go with it
    last = shown(updates(review_bot, flag_id)[-1])
    assert texts.REVIEW_DELETED_TEXT in last and "release plan" not in last and submits(card_of(updates(review_bot, flag_id)[-1])) == []
    assert replies(review_bot, flag_id)[-1] == reply_text(texts.REVIEW_THREAD_DELETE.format(n=2))
    # A later press changes nothing and is told so, privately.
    assert await press(review_bot, flag_id, "sentiment:negative") == 200
    assert review_bot.private_texts(ADELE) == [reply_text(texts.REVIEW_GONE)]
    assert labels(review_bot) == []
    review_bot.checkpoint()
    assert b"release plan" not in Path(review_bot.runtime.config.settings.database).read_bytes()


async def test_skip_marks_it_unclear(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    assert await press(review_bot, flag_id, "skip") == 200
    assert read(review_bot, "SELECT status FROM flags WHERE id = ?", flag_id) == [("skipped",)]
    assert texts.REVIEW_SKIPPED in shown(updates(review_bot, flag_id)[-1])
    assert replies(review_bot, flag_id) == [reply_text(texts.REVIEW_THREAD_SKIP.format(n=1))]


async def test_a_replayed_press_changes_nothing(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    first = press_activity(review_bot, flag_id, "sentiment:negative")
    assert (await review_bot.post(first))[0] == 200
    stored, calls = labels(review_bot), list(review_bot.connector.calls)
    assert await review_bot.post(first) == (409, {"error": "this action was handled already"})  # the same again
    changed = press_activity(review_bot, flag_id, "sentiment:positive", activity_id=first["id"])
    assert (await review_bot.post(changed))[0] == 409  # its id with another choice
    assert labels(review_bot) == stored and review_bot.connector.calls == calls
    refused = press_activity(review_bot, flag_id, "skip", user=MEGAN)
    assert [(await review_bot.post(refused))[0] for _ in range(2)] == [200, 409]
    assert review_bot.private_texts(MEGAN) == [reply_text(texts.REVIEW_NOT_REVIEWER)]  # once
    assert review_bot.runtime.metrics.snapshot()["msteams_review_replays"] == 3
    assert read(review_bot, "SELECT count(*) FROM audit WHERE action = 'review_label'") == [(1,)]


async def test_a_card_that_cannot_be_updated_still_keeps_the_label(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    review_bot.connector.failing_status = 403
    review_bot.connector.failing |= {"update", "reply"}
    assert await press(review_bot, flag_id, "sentiment:negative") == 200
    assert labels(review_bot) == [(flag_id, pseudonym(ADELE), "negative", None)]
    metrics = review_bot.runtime.metrics.snapshot()
    assert metrics["msteams_review_update_failed"] == 1 and metrics["msteams_review_reply_failed"] == 1


# -- bad presses ---------------------------------------------------------------------------------


def _malformed_presses(bot: TeamsBotUnderTest, flag_id: int) -> list[dict[str, Any]]:
    good = press_activity(bot, flag_id, "sentiment:negative")
    value = good["value"]
    without_aad = {**good, "from": {"id": TEAMS_IDS[ADELE]}}
    return [
        {**good, "value": "sentiment:negative"}, {**good, "value": [value]}, {**good, "value": 7},
        {**good, "value": {}}, {**good, "value": {"value": value["value"]}},
        {**good, "value": {"teamweather": "other", "value": value["value"]}},
        {**good, "value": {"teamweather": "review"}}, {**good, "value": {"teamweather": "review", "value": flag_id}},
        {**good, "value": {"teamweather": ["review"], "value": value["value"]}},
        {**good, "value": {"teamweather": "review", "value": f"{flag_id}:sentiment:furious"}},
        {**good, "value": {"teamweather": "review", "value": f"x{flag_id}:skip"}},
        {**good, "value": {"teamweather": "review", "value": f"-{flag_id}:skip"}},
        {**good, "value": {"teamweather": "review", "value": f"{flag_id}:skip" + " " * 100}},
        {**good, "value": {"teamweather": "review", "value": f"{flag_id}"}},
        without_aad, {k: v for k, v in good.items() if k != "id"},
        {**good, "replyToId": 5}, {**good, "from": "Adele Vance"}, {**good, "conversation": {"id": 19}},
    ]


async def test_malformed_presses_are_400_and_store_nothing(review_bot: TeamsBotUnderTest) -> None:
    await review_channel_seen(review_bot)
    flag_id = await flagged(review_bot)
    await posted(review_bot)
    calls = len(review_bot.connector.calls)
    bodies = _malformed_presses(review_bot, flag_id)
    for body in bodies:
        status, answer = await review_bot.post(body)
        assert status == 400 and answer == {"error": "not a Teamweather review action"}, body
    assert labels(review_bot) == [] and read(review_bot, "SELECT status FROM flags") == [("open",)]
    assert len(review_bot.connector.calls) == calls  # no answer anywhere
    assert review_bot.runtime.metrics.snapshot()["msteams_malformed_presses"] == len(bodies)
    assert read(review_bot, "SELECT count(*) FROM seen_events WHERE event_id LIKE 'msteams:%'") == [(0,)]
    # A press of a flag that is not there is well-formed: refused privately, nothing stored.
    assert await press(review_bot, flag_id, "skip", activity_id=next_id()) == 200
    gone = press_activity(review_bot, flag_id, "skip")
    gone["value"] = {"teamweather": "review", "value": "999999:skip"}
    assert (await review_bot.post(gone))[0] == 200
    assert review_bot.private_texts(ADELE) == [reply_text(texts.REVIEW_GONE)]


async def test_presses_are_ignored_when_review_is_off(teams_bot: TeamsBotUnderTest) -> None:
    activity = teams_bot.activity(user=ADELE, channel=REVIEW_CHANNEL, activity_id=next_id(),
                                  value={"teamweather": "review", "value": "1:sentiment:negative"}, replyToId="1")
    assert (await teams_bot.post(activity))[0] == 200
    assert teams_bot.connector.calls == [] and teams_bot.count("labels") == 0
    assert (await teams_bot.post({**activity, "value": "junk"}))[0] == 400  # the shape is checked all the same
    assert stored_address(teams_bot) is None


async def test_with_authentication_an_unauthenticated_or_forged_press_is_401(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botframework.connector.auth import jwt_token_extractor

    async def no_network(self: Any) -> NoReturn:
        raise AssertionError("fetched signing keys")

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", no_network)
    async with running_review_bot(tmp_path, monkeypatch, authenticated=True) as bot:
        forged = forged_jwt({"iss": "https://api.botframework.com", "aud": APP_ID,
                             "serviceurl": bot.connector.url, "exp": int(time.time()) + 600})
        good = bot.activity(user=ADELE, channel=REVIEW_CHANNEL, activity_id=next_id(), replyToId="1",
                            value={"teamweather": "review", "value": "1:sentiment:negative"})
        for body in (good, {**good, "value": "junk"}, {**good, "from": 5}):
            for headers in ({}, {"Authorization": "Bearer forged"}, {"Authorization": f"Bearer {forged}"}):
                status, _ = await bot.post(body, headers)
                assert status == 401, (headers, body["value"])
        assert bot.count("labels") == 0 and bot.connector.calls == []
        assert bot.count("seen_events") == 0 and bot.count("conversations") == 0


# -- the board on its own ------------------------------------------------------------------------


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector(failing_status=403)
    with fake_connector_in_thread(fake):
        yield fake


def address(service_url: str) -> dict[str, Any]:
    return {"bot": {"id": BOT_ID}, "channelId": "msteams", "serviceUrl": service_url,
            "conversation": {"id": REVIEW_CHANNEL, "isGroup": True, "conversationType": "channel", "tenantID": TENANT}}


def board(connector: FakeConnector) -> TeamsReviewBoard:
    """The board as a command outside the running bot makes it: no bot loop, a fresh one per call."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))
    return TeamsReviewBoard(adapter, "", {REVIEW_CHANNEL: address(connector.url)}.get)


REPORT = Report("Review request #1", (Section((Line.of("the text"),)), Footnote("small")))


def test_post_update_and_reply_address_the_thread_and_its_card(connector: FakeConnector) -> None:
    reviews = board(connector)
    where = reviews.post(REVIEW_CHANNEL, REPORT, "Review request #1")
    card = where["activity"]
    thread = f"{REVIEW_CHANNEL};messageid={card}"
    assert where == {"conversation": thread, "activity": card, "service_url": connector.url}
    reviews.update(where, Report("Review request #1", (Section((Line.of("labelled"),)),)), "Review request #1")
    reviews.reply(where, "Reviewer 1 labelled **it**.")
    assert [(kind, conversation, target) for kind, conversation, target in connector.calls] == [
        ("thread", REVIEW_CHANNEL, None), ("update", thread, card), ("reply", thread, card)]
    _, update, reply = connector.activities
    assert update[2]["id"] == card and "labelled" in shown(update[2])
    assert reply[2]["text"] == "Reviewer 1 labelled **it**." and reply[2]["replyToId"] == card


def test_refusals_and_unknown_channels_are_platform_unavailable(connector: FakeConnector) -> None:
    reviews = board(connector)
    with pytest.raises(PlatformUnavailable, match=NOT_IN_TEAM[:40]):
        reviews.post("19:some-other-channel@thread.tacv2", REPORT, "t")
    connector.failing |= {"thread", "update", "reply"}
    with pytest.raises(PlatformUnavailable, match="Teams answered 403 \\(ServiceError\\)"):
        reviews.post(REVIEW_CHANNEL, REPORT, "t")
    where = {"conversation": f"{REVIEW_CHANNEL};messageid=17", "activity": "17", "service_url": connector.url}
    with pytest.raises(PlatformUnavailable, match="403"):
        reviews.update(where, REPORT, "t")
    with pytest.raises(PlatformUnavailable, match="403"):
        reviews.reply(where, "t")
    for broken in ({}, {**where, "activity": 17}, {**where, "service_url": ""}):
        with pytest.raises(PlatformUnavailable, match="cannot be used"):
            reviews.update(broken, REPORT, "t")
    assert connector.calls == []


def test_a_stored_address_that_cannot_be_read_is_platform_unavailable(connector: FakeConnector) -> None:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))
    reviews = TeamsReviewBoard(adapter, "", lambda channel: {"conversation": {"id": REVIEW_CHANNEL}})
    with pytest.raises(PlatformUnavailable, match="cannot be used"):
        reviews.post(REVIEW_CHANNEL, REPORT, "t")


def test_the_standalone_board_reads_the_channels_address_from_the_database(tmp_path: Path) -> None:
    from bot.config import Config, Secrets
    from bot.teams.platform import standalone_review_board

    settings = parse_settings({"database": str(tmp_path / "t.db"), "msteams": {"enabled": True}, "slack": {"enabled": False},
                               "review": REVIEW}, "test.yaml")
    config = Config(settings, Secrets(pseudonym_key=KEY, msteams_app_id=APP_ID, msteams_app_password="x"), "test.yaml")
    reviews = standalone_review_board(config)
    with pytest.raises(PlatformUnavailable, match="add the Teamweather app"):
        reviews.post(REVIEW_CHANNEL, REPORT, "t")  # nothing stored: no request is made
