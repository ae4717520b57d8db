"""Which team each enrolled Teams channel belongs to (migration V7), for removal from a team."""

from __future__ import annotations

import sqlite_utils

from storage import consent, team_channels

TENANT, OTHER_TENANT = "tenant-1", "tenant-2"
TEAM, OTHER_TEAM = "19:team-a@thread.tacv2", "19:team-b@thread.tacv2"


def enrol(db: sqlite_utils.Database, workspace: str, channel: str) -> None:
    with db.conn:
        consent.enroll(db, workspace, channel, "admin-pseudonym", at=0.0)


def test_a_teams_channel_remembers_its_team_and_a_removal_turns_off_only_that_team(db: sqlite_utils.Database) -> None:
    assert "team" in db["channels"].columns_dict  # V7
    for workspace, channel, team in ((TENANT, "19:one@thread.tacv2", TEAM), (TENANT, "19:two@thread.tacv2", TEAM),
                                     (TENANT, "19:three@thread.tacv2", OTHER_TEAM),
                                     (OTHER_TENANT, "19:one@thread.tacv2", TEAM)):
        enrol(db, workspace, channel)
        with db.conn:
            assert team_channels.record(db, workspace, channel, team)
    enrol(db, TENANT, TEAM)  # the General channel's id is the team's, recorded or not
    assert sorted(team_channels.of_team(db, TENANT, TEAM)) == sorted([TEAM, "19:one@thread.tacv2", "19:two@thread.tacv2"])
    with db.conn:
        removed = team_channels.unenroll_team(db, TENANT, TEAM)
    assert sorted(removed) == sorted([TEAM, "19:one@thread.tacv2", "19:two@thread.tacv2"])
    assert sorted(consent.enrolled_channels(db)) == sorted(
        [(TENANT, "19:three@thread.tacv2"), (OTHER_TENANT, "19:one@thread.tacv2")])
