"""Teams' side of the uninstall handling, end to end through the live endpoint: the app removed
from a team turns that team's enrolled channels off (and no other team's), the app removed from
a person's personal scope forgets their chat, and a removal that is malformed or incomplete
changes nothing and is never answered 5xx."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, NoReturn

import pytest
import sqlite_utils

from bot.teams.platform import _references
from conftest import (
    ADELE, BOT_ID, MEGAN, TEAM, TEAMS_ADMIN, TEAMS_CHANNEL, TEAMS_IDS, TEAMS_OTHER_CHANNEL, TENANT,
    TeamsBotUnderTest,
)
from domain.errors import StorageBusy
from storage import audit, connect, consent, conversations

OTHER_TEAM = "19:other-team-general1@thread.tacv2"
FOREIGN_CHANNEL = "19:foreign-channel-01@thread.tacv2"  # a channel of OTHER_TEAM
OTHER_TENANT = "0f0f0f0f-1111-4222-8333-444444444444"


def in_team(activity: dict[str, Any], team: str) -> dict[str, Any]:
    """``activity`` as it comes from a channel of ``team``."""
    return {**activity, "channelData": {**activity["channelData"], "team": {"id": team}, "teamsTeamId": team}}


def removal(bot: TeamsBotUnderTest, action: str = "remove", *, team: str = TEAM) -> dict[str, Any]:
    """The ``installationUpdate`` Teams sends when an admin removes the app from ``team`` (in
    the team's General channel, whose id is the team's)."""
    activity = in_team(bot.activity("installationUpdate", user=TEAMS_ADMIN, action=action), team)
    return {**activity, "conversation": {**activity["conversation"], "id": team}}


def team_member_removed(bot: TeamsBotUnderTest, member: str = BOT_ID, *, team: str = TEAM,
                        event_type: str = "teamMemberRemoved") -> dict[str, Any]:
    """The ``conversationUpdate`` Teams sends beside it: the bot among ``membersRemoved``."""
    activity = in_team(bot.activity("conversationUpdate", user=TEAMS_ADMIN, event_type=event_type,
                                    membersRemoved=[{"id": member}]), team)
    return {**activity, "conversation": {**activity["conversation"], "id": team}}


def personal_removal(bot: TeamsBotUnderTest, user: str = MEGAN) -> dict[str, Any]:
    return bot.activity("installationUpdate", user=user, channel=None, action="remove")


def personal_install(bot: TeamsBotUnderTest, user: str) -> dict[str, Any]:
    return bot.activity("installationUpdate", user=user, channel=None, action="add")


async def enrol(bot: TeamsBotUnderTest, channel: str, team: str = TEAM) -> None:
    command = in_team(bot.activity(text="optin", user=TEAMS_ADMIN, mention_bot=True, channel=channel), team)
    assert (await bot.post(command))[0] == 200
    await asyncio.sleep(0.002)  # messages come after the enrolment


async def say(bot: TeamsBotUnderTest, text: str, channel: str, team: str = TEAM) -> None:
    assert (await bot.post(in_team(bot.activity(text=text, channel=channel), team)))[0] == 200


def reader(bot: TeamsBotUnderTest) -> sqlite_utils.Database:
    return connect(bot.runtime.config.settings.database)


def stored(bot: TeamsBotUnderTest) -> int:
    return bot.count("inbox") + bot.count("scores")


def state(bot: TeamsBotUnderTest) -> tuple[Any, ...]:
    """Everything a removal could change: enrolments (with their teams), chats, audit rows."""
    db = reader(bot)
    try:
        return (
            db.execute("SELECT workspace, channel, team FROM channels ORDER BY 1, 2").fetchall(),
            db.execute("SELECT user, workspace, reference FROM conversations ORDER BY 1").fetchall(),
            db.execute("SELECT action, actor, subject, detail FROM audit ORDER BY id").fetchall(),
        )
    finally:
        db.close()


def assert_no_person_in(entries: list[dict[str, Any]], bot: TeamsBotUnderTest, *people: str) -> None:
    dump = json.dumps(entries)
    for person in people:
        author = bot.runtime.pseudonymiser.author(TENANT, person)
        for trace in (person, person.upper(), TEAMS_IDS[person], author):
            assert trace not in dump


# -- the app removed from a team -------------------------------------------------------------------


@pytest.mark.parametrize("first", ["remove", "remove-upgrade", "teamMemberRemoved"])
async def test_removing_the_app_from_a_team_stops_collecting_in_its_channels_only(
    teams_bot: TeamsBotUnderTest, first: str,
) -> None:
    await enrol(teams_bot, TEAMS_CHANNEL)
    await enrol(teams_bot, TEAMS_OTHER_CHANNEL)
    await enrol(teams_bot, FOREIGN_CHANNEL, OTHER_TEAM)
    db = reader(teams_bot)
    assert db.execute("SELECT channel, team FROM channels ORDER BY 1").fetchall() == [
        (TEAMS_CHANNEL, TEAM), (FOREIGN_CHANNEL, OTHER_TEAM), (TEAMS_OTHER_CHANNEL, TEAM),
    ]
    for channel, team in ((TEAMS_CHANNEL, TEAM), (TEAMS_OTHER_CHANNEL, TEAM), (FOREIGN_CHANNEL, OTHER_TEAM)):
        await say(teams_bot, "a good day", channel, team)
    await teams_bot.drained()
    assert len(teams_bot.scores()) == 3
    sent_before = len(teams_bot.connector.activities)

    event = team_member_removed(teams_bot) if first == "teamMemberRemoved" else removal(teams_bot, first)
    status, answer = await teams_bot.post(event)
    assert status == 200 and answer == {"ok": True}

    assert consent.enrolled_channels(db) == [(TENANT, FOREIGN_CHANNEL)]
    [entry] = audit.entries(db, "team_removed")
    assert entry["actor"] == "system" and entry["subject"] == TEAM
    assert entry["detail"] == {"platform": "msteams", "workspace": TENANT, "how": first,
                               "channels_unenrolled": 2, "channels": sorted([TEAMS_CHANNEL, TEAMS_OTHER_CHANNEL])}
    assert_no_person_in(audit.entries(db, "team_removed"), teams_bot, TEAMS_ADMIN)
    assert len(teams_bot.connector.activities) == sent_before  # nothing said: the bot is gone

    # Teams sends the other event of the same removal: nothing more changes, nothing is audited twice.
    other = removal(teams_bot) if first == "teamMemberRemoved" else team_member_removed(teams_bot)
    assert (await teams_bot.post(other))[0] == 200
    assert len(audit.entries(db, "team_removed")) == 1 and consent.enrolled_channels(db) == [(TENANT, FOREIGN_CHANNEL)]

    # A late message in the removed team's channels stores nothing; the other team still collects.
    await say(teams_bot, "a late word", TEAMS_CHANNEL)
    await say(teams_bot, "a late word", TEAMS_OTHER_CHANNEL)
    assert stored(teams_bot) == 3
    await say(teams_bot, "still here", FOREIGN_CHANNEL, OTHER_TEAM)
    await teams_bot.drained()
    assert stored(teams_bot) == 4
    # What was kept stays (the retention rules apply): only collection stopped.
    assert sorted(s["channel"] for s in teams_bot.scores()) == sorted(
        [TEAMS_CHANNEL, TEAMS_OTHER_CHANNEL, FOREIGN_CHANNEL, FOREIGN_CHANNEL])


async def test_channels_enrolled_before_their_team_was_noted_are_found(teams_bot: TeamsBotUnderTest) -> None:
    """Enrolled before V7 (no team noted): the channel's next message notes it, and the General
    channel is found by its id, the team's."""
    def enrol_without_team() -> None:
        db = teams_bot.runtime.core.db
        with db.conn:
            for channel in (TEAMS_CHANNEL, TEAM, TEAMS_OTHER_CHANNEL):
                consent.enroll(db, TENANT, channel, by="admin", at=time.time() - 60)

    await teams_bot.runtime.writer.run(enrol_without_team)
    await say(teams_bot, "a good day", TEAMS_CHANNEL)  # noted; TEAMS_OTHER_CHANNEL stays silent
    db = reader(teams_bot)
    assert dict(db.execute("SELECT channel, team FROM channels").fetchall()) == {
        TEAMS_CHANNEL: TEAM, TEAM: None, TEAMS_OTHER_CHANNEL: None}
    assert (await teams_bot.post(removal(teams_bot)))[0] == 200
    assert consent.enrolled_channels(db) == [(TENANT, TEAMS_OTHER_CHANNEL)]  # its team was never seen
    [entry] = audit.entries(db, "team_removed")
    assert entry["detail"]["channels"] == sorted([TEAMS_CHANNEL, TEAM])


async def test_enrolling_again_after_a_removal_notes_the_team_again(teams_bot: TeamsBotUnderTest) -> None:
    await enrol(teams_bot, TEAMS_CHANNEL)
    await say(teams_bot, "a good day", TEAMS_CHANNEL)
    assert (await teams_bot.post(removal(teams_bot)))[0] == 200
    install = in_team(teams_bot.activity("installationUpdate", user=TEAMS_ADMIN, action="add"), TEAM)
    assert (await teams_bot.post(install))[0] == 200
    db = reader(teams_bot)
    assert consent.enrolled_channels(db) == []  # channels stay off until an admin enrols them
    await enrol(teams_bot, TEAMS_CHANNEL)
    assert db.execute("SELECT channel, team FROM channels").fetchall() == [(TEAMS_CHANNEL, TEAM)]
    assert (await teams_bot.post(removal(teams_bot)))[0] == 200
    assert consent.enrolled_channels(db) == [] and len(audit.entries(db, "team_removed")) == 2


async def test_a_removal_the_database_cannot_take_yet_is_503_and_applied_when_sent_again(
    teams_bot: TeamsBotUnderTest, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await enrol(teams_bot, TEAMS_CHANNEL)
    real_run = teams_bot.runtime.writer.run

    async def busy(fn: Callable[[], Any]) -> NoReturn:
        raise StorageBusy("busy")

    monkeypatch.setattr(teams_bot.runtime.writer, "run", busy)
    assert (await teams_bot.post(removal(teams_bot)))[0] == 503  # Teams sends it again
    monkeypatch.setattr(teams_bot.runtime.writer, "run", real_run)
    db = reader(teams_bot)
    assert consent.enrolled_channels(db) == [(TENANT, TEAMS_CHANNEL)]
    assert (await teams_bot.post(removal(teams_bot)))[0] == 200
    assert consent.enrolled_channels(db) == []


# -- the app removed from a personal scope -------------------------------------------------------


async def test_removal_from_the_personal_scope_forgets_the_persons_chat(teams_bot: TeamsBotUnderTest) -> None:
    await enrol(teams_bot, TEAMS_CHANNEL)
    for person in (MEGAN, ADELE):
        assert (await teams_bot.post(personal_install(teams_bot, person)))[0] == 200
    references = _references(teams_bot.runtime.config)
    assert references(MEGAN) is not None and references(ADELE) is not None

    status, answer = await teams_bot.post(personal_removal(teams_bot, MEGAN))
    assert status == 200 and answer == {"ok": True}
    assert references(MEGAN) is None  # no digest is tried through a chat that is gone
    assert references(ADELE) is not None
    db = reader(teams_bot)
    assert conversations.get(db, f"msteams:{MEGAN}") is None
    assert consent.enrolled_channels(db) == [(TENANT, TEAMS_CHANNEL)]  # her removal is hers alone
    [entry] = audit.entries(db, "personal_chat_removed")
    assert entry["actor"] == "system" and entry["subject"] == TENANT
    assert entry["detail"] == {"platform": "msteams", "how": "remove"}
    assert_no_person_in(audit.entries(db, "personal_chat_removed"), teams_bot, MEGAN)
    # Sent again (or with nothing stored): nothing more.
    assert (await teams_bot.post(personal_removal(teams_bot, MEGAN)))[0] == 200
    assert len(audit.entries(db, "personal_chat_removed")) == 1
    # Reinstalled: stored again.
    assert (await teams_bot.post(personal_install(teams_bot, MEGAN)))[0] == 200
    assert references(MEGAN) is not None


# -- malformed or incomplete removals ------------------------------------------------------------


def _not_removals(bot: TeamsBotUnderTest) -> list[dict[str, Any]]:
    """Removals that are malformed (ignored by the endpoint) or name nothing Teamweather
    keeps; none may change anything."""
    team = removal(bot)
    personal = personal_removal(bot)
    member = team_member_removed(bot)
    no_tenant_data = {k: v for k, v in team["channelData"].items() if k != "tenant"}
    no_tenant = {**team, "channelData": no_tenant_data,
                 "conversation": {k: v for k, v in team["conversation"].items() if k != "tenantId"}}
    return [
        # malformed: ignored before the bot sees them
        {**team, "action": 7}, {**team, "action": ["remove"]}, {**team, "channelData": {"team": {"id": 5}}},
        {**team, "channelData": {**team["channelData"], "team": {"id": "19:a team with spaces"}}},
        {**team, "conversation": {**team["conversation"], "tenantId": "not-a-guid"}},
        {**member, "membersRemoved": BOT_ID}, {**member, "membersRemoved": [{"id": None}]},
        {**personal, "from": {"id": TEAMS_IDS[MEGAN], "aadObjectId": "megan"}},
        # well-formed, but naming nothing to remove
        {**team, "channelData": {"tenant": {"id": TENANT}}},  # no team
        no_tenant,
        {**team, "action": "removed"}, {**team, "action": "uninstall"}, {k: v for k, v in team.items() if k != "action"},
        removal(bot, team=OTHER_TEAM),  # a team with nothing enrolled
        {**team, "conversation": {**team["conversation"], "tenantId": OTHER_TENANT},
         "channelData": {**team["channelData"], "tenant": {"id": OTHER_TENANT}}},  # the same team id elsewhere
        {**team, "conversation": {**team["conversation"], "conversationType": "groupChat", "id": "19:chat@thread.v2"},
         "channelData": {"tenant": {"id": TENANT}}},  # a group chat: nothing is stored there
        {**personal, "from": {"id": TEAMS_IDS[MEGAN]}},  # no AAD object id: whose chat?
        personal_removal(bot, ADELE),  # nothing stored for her
        team_member_removed(bot, TEAMS_IDS[ADELE]),  # a person left the team, not the bot
        team_member_removed(bot, event_type="channelMemberRemoved"),  # one shared channel, not the team
        {**member, "channelData": {**member["channelData"], "eventType": None}},
    ]


async def test_a_malformed_or_incomplete_removal_changes_nothing_and_is_never_5xx(teams_bot: TeamsBotUnderTest) -> None:
    await enrol(teams_bot, TEAMS_CHANNEL)
    await enrol(teams_bot, TEAMS_OTHER_CHANNEL)
    assert (await teams_bot.post(personal_install(teams_bot, MEGAN)))[0] == 200
    before = state(teams_bot)
    malformed_before = teams_bot.runtime.metrics.snapshot().get("msteams_malformed_requests", 0)
    bodies = _not_removals(teams_bot)
    for body in bodies:
        status, answer = await teams_bot.post(body)
        assert status == 200, body
        assert answer in ({"ok": True}, {"ok": True, "ignored": "malformed"}), body
        assert state(teams_bot) == before, body
    assert teams_bot.runtime.metrics.snapshot()["msteams_malformed_requests"] - malformed_before == 8
    assert teams_bot.runtime.metrics.snapshot().get("msteams_handler_errors", 0) == 0
    # Still collecting, and the real removal still works.
    await say(teams_bot, "a good day", TEAMS_CHANNEL)
    await teams_bot.drained()
    assert len(teams_bot.scores()) == 1
    assert (await teams_bot.post(removal(teams_bot)))[0] == 200
    assert consent.enrolled_channels(reader(teams_bot)) == []


async def test_a_team_the_app_left_is_not_refreshed_but_its_names_stay_scrubbed() -> None:
    from analyzers.pseudonymise import Member, Pseudonymiser
    from bot.teams.directory import TeamsDirectory, _Team

    pseudonymiser = Pseudonymiser(b"k" * 32)
    directory = TeamsDirectory(pseudonymiser, refresh_seconds=60)
    directory._teams[TEAM] = _Team("https://smba.example/", TENANT, (Member("29:x", ("Adele Vance",)),), 0.0)
    await directory._publish()

    class Unreachable:
        async def continue_conversation(self, *args: object) -> None:
            raise AssertionError("a retired team's roster was fetched")

    directory.retire(TEAM)
    assert await directory.refresh(Unreachable(), "app") == 0  # type: ignore[arg-type]
    assert "Adele" not in pseudonymiser.text("thanks Adele Vance")
