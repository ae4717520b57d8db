"""Teams end to end: the live ``serve()`` with Teams on, activities posted to its messages
endpoint as Teams posts them, replies landing in a fake Bot Connector (``tests/teams_fake.py``).

Authentication is off (the test-only way: the platform built with ``auth``) except where a test
says otherwise; then the platform is built from the secrets, as ``teamweather run`` builds it."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Callable, NoReturn

import pytest

from bot import texts
from bot.teams.endpoint import MAX_BODY_BYTES
from bot.teams.platform import _references
from conftest import (
    ADELE, MEGAN, SLACK_USERS, TEAMS_ADMIN, TEAMS_CHANNEL, TEAMS_IDS, TEAMS_OTHER_CHANNEL, TENANT,
    TeamsBotUnderTest, message_event, running_teams_bot,
)
from teams_fake import forged_jwt
from domain.errors import StorageBusy
from storage import audit, connect, conversations

LYNNE = "dddddddd-0000-4000-8000-000000000004"
NOTICE_START = "⛅ **Teamweather is now on in this channel.**"


@pytest.fixture
def quick_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give up on a failing roster at once (the connector client retries a 500 for seconds)."""
    monkeypatch.setattr("bot.teams.directory.FETCH_TIMEOUT", 0.3)


async def enrolled(bot: TeamsBotUnderTest, channel: str = TEAMS_CHANNEL) -> None:
    assert await bot.command("optin", user=TEAMS_ADMIN, channel=channel) == 200
    await asyncio.sleep(0.002)  # messages come after the enrolment


def only_text(bot: TeamsBotUnderTest, user: str) -> str:
    [text] = bot.private_texts(user)
    return text


# -- enrolment -----------------------------------------------------------------------------------


async def test_optin_by_an_admin_posts_the_notice_in_the_channel(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    [post] = teams_bot.connector.sent(TEAMS_CHANNEL)  # a new post in the channel, not in a thread
    assert post["text"].startswith(NOTICE_START) and post["textFormat"] == "markdown"
    assert "never stores" in post["text"] and post["conversation"]["id"] == TEAMS_CHANNEL
    assert teams_bot.connector.conversations == []  # nothing private
    reader = connect(teams_bot.runtime.config.settings.database)
    [entry] = audit.entries(reader, "channel_enrolled")
    assert entry["subject"] == TEAMS_CHANNEL and TEAMS_ADMIN not in json.dumps(entry)
    # Again: already on, said privately to the admin.
    assert await teams_bot.command("optin", user=TEAMS_ADMIN) == 200
    assert only_text(teams_bot, TEAMS_ADMIN) == texts.CHANNEL_ALREADY_ENROLLED
    assert len(teams_bot.connector.sent(TEAMS_CHANNEL)) == 1


async def test_optin_by_someone_else_is_refused_privately(teams_bot: TeamsBotUnderTest) -> None:
    assert await teams_bot.command("optin", user=MEGAN) == 200
    assert only_text(teams_bot, MEGAN) == texts.ADMINS_ONLY
    assert teams_bot.connector.sent(TEAMS_CHANNEL) == []
    [chat] = teams_bot.connector.conversations  # the 1:1 chat opened with her
    assert chat["isGroup"] is False and chat["members"] == [{"id": TEAMS_IDS[MEGAN], "aadObjectId": MEGAN}]
    assert await teams_bot.say("hello") == 200
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0


async def test_optout_and_optin_from_the_personal_chat(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    assert await teams_bot.command("optin", user=TEAMS_ADMIN, personal=True) == 200
    assert teams_bot.connector.texts(f"a:1personal-{TEAMS_ADMIN}") == [texts.TEAMS_CHANNELS_ONLY.replace("\n", "\n\n")]
    assert await teams_bot.command("optout", user=TEAMS_ADMIN) == 200
    assert teams_bot.connector.texts(TEAMS_CHANNEL)[-1].startswith("🚫 **Teamweather is now off")
    assert await teams_bot.say("after the optout") == 200
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0


# -- messages ------------------------------------------------------------------------------------


async def test_a_message_in_an_enrolled_channel_is_pseudonymised_and_scored(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    text = ('thanks <at id="1">Nestor Wilke</at> and Adele Vance, Megan ships today: '
            '<a href="https://contoso.sharepoint.com/plan">the plan</a>, mail megan@contoso.example')
    assert await teams_bot.say(text, user=MEGAN) == 200
    await teams_bot.drained()
    [seen] = teams_bot.analyzer.texts
    assert seen == "thanks <person> and <person>, <person> ships today: <url>, mail <email>"
    [score] = teams_bot.scores()
    assert score["workspace"] == TENANT and score["channel"] == TEAMS_CHANNEL and MEGAN not in score["author"]
    teams_bot.checkpoint()
    raw = Path(teams_bot.runtime.config.settings.database).read_bytes()
    for secret in (b"Adele", b"Nestor", b"Megan", b"ships today", MEGAN.encode()):
        assert secret not in raw


async def test_nothing_is_stored_from_a_channel_not_enrolled(teams_bot: TeamsBotUnderTest) -> None:
    teams_bot.connector.failing.add("members")  # no roster is needed where nothing is stored
    assert await teams_bot.say("elsewhere", channel=TEAMS_OTHER_CHANNEL) == 200
    assert await teams_bot.say("in a chat", channel=None) == 200  # the personal chat: a command, not a message
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0 and teams_bot.analyzer.texts == []


async def test_an_edit_is_scored_again_and_a_soft_delete_removes_it(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    message_id = str(int(time.time() * 1000) + 5)
    assert await teams_bot.say("this is fine", activity_id=message_id) == 200
    await teams_bot.drained()
    assert len(teams_bot.scores()) == 1
    edit = teams_bot.activity("messageUpdate", text="this is terrible, awful", activity_id=message_id,
                              event_type="editMessage")
    assert (await teams_bot.post(edit))[0] == 200
    await teams_bot.drained()
    assert teams_bot.analyzer.texts == ["this is fine", "this is terrible, awful"] and len(teams_bot.scores()) == 1
    delete = teams_bot.activity("messageDelete", activity_id=message_id, event_type="softDeleteMessage")
    assert (await teams_bot.post(delete))[0] == 200
    assert teams_bot.scores() == []


async def test_a_roster_out_of_reach_answers_503_and_stores_nothing(teams_bot: TeamsBotUnderTest, quick_roster: None) -> None:
    teams_bot.connector.failing.add("members")
    await teams_bot.runtime.writer.run(lambda: _enrol_directly(teams_bot))  # enrolled before a restart
    assert await teams_bot.say("Adele Vance did it") == 503
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0
    assert teams_bot.runtime.metrics.snapshot()["msteams_directory_unavailable"] == 1
    teams_bot.connector.failing.clear()  # Teams sends it again
    assert await teams_bot.say("Adele Vance did it") == 200
    await teams_bot.drained()
    assert teams_bot.analyzer.texts == ["<person> did it"]


async def test_storage_busy_answers_503(teams_bot: TeamsBotUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
    await enrolled(teams_bot)
    assert await teams_bot.say("warm up the roster") == 200

    async def busy(fn: Callable[[], Any]) -> NoReturn:
        raise StorageBusy("busy")

    monkeypatch.setattr(teams_bot.runtime.writer, "run", busy)
    assert await teams_bot.say("while busy") == 503
    assert await teams_bot.command("status") == 200  # a command is answered: busy, try again
    assert only_text(teams_bot, MEGAN) == texts.BUSY


# -- personal controls -----------------------------------------------------------------------------


async def test_personal_controls_answer_privately(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    assert await teams_bot.say("good news everyone") == 200
    await teams_bot.drained()
    channel_posts = len(teams_bot.connector.sent(TEAMS_CHANNEL))
    for word in ("status", "pause", "resume", "forget-me", "help"):
        assert await teams_bot.command(word, user=MEGAN) == 200
    replies = teams_bot.private_texts(MEGAN)
    assert replies[0].startswith("**Your Teamweather status:** collecting") and "1 message score(s)" in replies[0]
    assert replies[1].startswith("Paused.") and replies[2].startswith("Resumed.")
    assert replies[3].startswith("Done. Erased 1 stored record(s)") and replies[4].startswith("**Teamweather** reports")
    assert len(teams_bot.connector.sent(TEAMS_CHANNEL)) == channel_posts  # nothing in the channel
    assert teams_bot.scores() == []
    # From the personal chat, the answer comes in that chat.
    assert await teams_bot.command("status", user=ADELE, personal=True) == 200
    [status] = teams_bot.connector.texts(f"a:1personal-{ADELE}")
    assert status.startswith("**Your Teamweather status:**")


async def test_when_no_private_chat_can_be_opened_the_thread_is_told_only_that(teams_bot: TeamsBotUnderTest) -> None:
    teams_bot.connector.failing.add("create")
    assert await teams_bot.command("status", user=MEGAN) == 200
    [reply] = teams_bot.connector.sent(kind="reply")  # in the thread of the command
    assert reply["text"] == texts.TEAMS_PRIVATE_REPLY_FAILED and "status" not in reply["text"]
    assert teams_bot.runtime.metrics.snapshot()["msteams_private_reply_failed"] == 1


# -- conversation references ---------------------------------------------------------------------


async def test_the_personal_chat_is_stored_at_installation(teams_bot: TeamsBotUnderTest) -> None:
    install = teams_bot.activity("installationUpdate", user=MEGAN, channel=None, action="add")
    assert (await teams_bot.post(install))[0] == 200
    reference = _references(teams_bot.runtime.config)(MEGAN.upper())
    assert reference is not None
    assert reference["conversation"]["id"] == f"a:1personal-{MEGAN}" and reference["serviceUrl"] == teams_bot.connector.url
    assert reference["user"] == {"id": TEAMS_IDS[MEGAN], "aadObjectId": MEGAN}  # no name
    assert "activityId" not in reference
    assert teams_bot.connector.activities == []  # installing says nothing yet
    # A chat opened to answer privately is stored too (first contact from a channel).
    assert await teams_bot.command("help", user=ADELE) == 200
    reader = connect(teams_bot.runtime.config.settings.database)
    stored = conversations.get(reader, f"msteams:{ADELE}")
    assert stored is not None and stored["conversation"]["id"] == f"a:1:1-{TEAMS_IDS[ADELE]}"


async def test_installation_in_a_team_loads_its_roster(teams_bot: TeamsBotUnderTest) -> None:
    added = teams_bot.activity("conversationUpdate", user=TEAMS_ADMIN,
                               membersAdded=[{"id": "28:11111111-2222-4333-8444-555555555555"}])
    assert (await teams_bot.post(added))[0] == 200
    assert teams_bot.runtime.pseudonymiser.text("ask Adele") == "ask <person>"


# -- bad input -----------------------------------------------------------------------------------


def _malformed(bot: TeamsBotUnderTest) -> list[bytes | str | dict[str, Any]]:
    good = bot.activity(text="Adele Vance is great")
    return [
        "not json at all", "{", b"\xff\xfe{}", "[]", "null", '"message"', "[" * 100_000 + "]" * 100_000,
        {**good, "type": 7}, {**good, "from": "Megan Bowen"}, {**good, "text": {"html": "<p>x</p>"}},
        {**good, "conversation": {"id": ["19:x"]}}, {**good, "serviceUrl": None},
        {k: v for k, v in good.items() if k != "serviceUrl"},
        {**good, "channelData": {"channel": {"id": 3}}}, {**good, "timestamp": "2026-02-30T10:00:00Z"},
    ]


async def test_malformed_bodies_are_ignored_never_5xx_and_nothing_is_stored(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    bodies = _malformed(teams_bot)
    for body in bodies:
        status, answer = await teams_bot.post(body)
        assert status == 200 and answer == {"ok": True, "ignored": "malformed"}, body if len(str(body)) < 300 else "huge"
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0
    assert teams_bot.runtime.metrics.snapshot()["msteams_malformed_requests"] == len(bodies)
    status, _ = await teams_bot.post(json.dumps({**teams_bot.activity(text="x"), "text": "x" * (MAX_BODY_BYTES + 10)}))
    assert status == 413 and teams_bot.runtime.metrics.snapshot()["msteams_oversized_requests"] == 1
    assert teams_bot.count("inbox") + teams_bot.count("scores") == 0


async def test_an_invoke_the_bot_does_not_handle_is_not_a_5xx(teams_bot: TeamsBotUnderTest) -> None:
    invoke = teams_bot.activity("invoke", name="adaptiveCard/action", value={"action": {"type": "Action.Execute"}})
    status, answer = await teams_bot.post(invoke)
    assert status == 200 and answer == {"ok": True, "ignored": "unhandled"}


async def test_with_authentication_a_bad_or_absent_token_is_401_without_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botframework.connector.auth import jwt_token_extractor

    async def no_network(self: Any) -> NoReturn:
        raise AssertionError("fetched signing keys")

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", no_network)
    async with running_teams_bot(tmp_path, authenticated=True) as bot:
        await bot.runtime.writer.run(lambda: _enrol_directly(bot))
        message = bot.activity(text="Adele Vance is great")
        forged = forged_jwt({"iss": "https://forger.example", "aud": "11111111-2222-4333-8444-555555555555",
                       "serviceurl": bot.connector.url, "exp": int(time.time()) + 600})
        for headers in ({}, {"Authorization": "Bearer forged"}, {"Authorization": "Basic bWU6eW91"},
                        {"Authorization": f"Bearer {forged}"}, {"Authorization": forged}):
            status, _ = await bot.post(message, headers)
            assert status == 401, headers
        assert await bot.command("status", user=MEGAN) == 401
        assert bot.count("inbox") + bot.count("scores") == 0 and bot.connector.activities == []
        assert bot.runtime.metrics.snapshot()["msteams_refused_requests"] == 6


def _enrol_directly(bot: TeamsBotUnderTest) -> None:
    from storage import consent

    db = bot.runtime.core.db
    with db.conn:
        consent.enroll(db, TENANT, TEAMS_CHANNEL, by="admin", at=time.time() - 60)


# -- beside Slack --------------------------------------------------------------------------------


async def test_slack_and_teams_run_in_one_process(tmp_path: Path) -> None:
    async with running_teams_bot(tmp_path, with_slack=True) as bot:
        assert bot.slack is not None
        await enrolled(bot)
        status, reply = await bot.slack.command("optin", user="UADMIN0001")
        assert status == 200 and reply["response_type"] == "in_channel"
        await asyncio.sleep(0.002)
        assert await bot.slack.event(message_event("thanks Bob Okonkwo and Adele Vance")) == 200
        assert await bot.say("thanks Bob Okonkwo and Adele Vance") == 200
        await bot.drained()
        # Each platform's names are stripped on both: Slack's directory did not drop Teams'.
        assert bot.analyzer.texts == ["thanks <person> and <person>"] * 2
        assert {s["workspace"] for s in bot.scores()} == {TENANT, "T0TEST0001"}
        assert len(SLACK_USERS) > 0 and bot.runtime.core.admins == {"slack:UADMIN0001", f"msteams:{TEAMS_ADMIN}"}


async def test_a_body_sent_in_pieces_is_read_whole(teams_bot: TeamsBotUnderTest) -> None:
    await enrolled(teams_bot)
    body = json.dumps(teams_bot.activity(text="Adele Vance " + "fine " * 10_000)).encode()

    async def pieces() -> Any:
        for start in range(0, len(body), 7_000):
            yield body[start:start + 7_000]
            await asyncio.sleep(0)

    headers = {"Content-Type": "application/json"}
    async with teams_bot.session.post(f"{teams_bot.url}{teams_bot.path}", data=pieces(), headers=headers) as resp:
        assert resp.status == 200 and await resp.json() == {"ok": True}
    await teams_bot.drained()
    assert teams_bot.analyzer.texts[0].startswith("<person> fine fine")


async def test_the_rosters_are_refreshed_and_a_failed_refresh_keeps_the_names(
    teams_bot: TeamsBotUnderTest, quick_roster: None,
) -> None:
    added = teams_bot.activity("installationUpdate", user=TEAMS_ADMIN, action="add")
    assert (await teams_bot.post(added))[0] == 200
    pseudonymiser, platform = teams_bot.runtime.pseudonymiser, teams_bot.platform
    assert pseudonymiser.text("Lynne and Adele") == "Lynne and <person>"
    teams_bot.connector.members.append({"id": "29:1lynne", "name": "Lynne Robbins", "aadObjectId": LYNNE})
    assert await platform.directory.refresh(platform.adapter, platform.app_id) == 0
    assert pseudonymiser.text("Lynne and Adele") == "<person> and <person>"
    teams_bot.connector.failing.add("members")
    assert await platform.directory.refresh(platform.adapter, platform.app_id) == 1
    assert pseudonymiser.text("Lynne and Adele") == "<person> and <person>"


async def test_digests_reach_people_through_the_teams_courier(teams_bot: TeamsBotUnderTest) -> None:
    from bot.teams.courier import TeamsCourier

    install = teams_bot.activity("installationUpdate", user=MEGAN, channel=None, action="add")
    assert (await teams_bot.post(install))[0] == 200
    courier = teams_bot.platform.courier()
    assert isinstance(courier, TeamsCourier) and courier.app_id == teams_bot.platform.app_id
    assert courier._references(MEGAN) == _references(teams_bot.runtime.config)(MEGAN)
    assert courier._references(ADELE) is None


async def test_only_the_chats_of_digest_and_alert_recipients_are_kept(teams_bot: TeamsBotUnderTest) -> None:
    # The admin manages no team: their chats (installed, written to, opened to answer) are not
    # kept, so their Teams ids never reach the disk; a manager's is.
    install = teams_bot.activity("installationUpdate", user=TEAMS_ADMIN, channel=None, action="add")
    assert (await teams_bot.post(install))[0] == 200
    assert await teams_bot.command("status", user=TEAMS_ADMIN, personal=True) == 200
    assert await teams_bot.command("help", user=TEAMS_ADMIN) == 200  # answered in a 1:1 chat it opens
    assert teams_bot.private_texts(TEAMS_ADMIN)  # answered all the same
    references = _references(teams_bot.runtime.config)
    assert references(TEAMS_ADMIN) is None and teams_bot.count("conversations") == 0
    teams_bot.checkpoint()
    database = Path(teams_bot.runtime.config.settings.database)
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert TEAMS_ADMIN.encode() not in stored and TEAMS_IDS[TEAMS_ADMIN].encode() not in stored
    assert await teams_bot.command("status", user=MEGAN, personal=True) == 200
    assert references(MEGAN) is not None
