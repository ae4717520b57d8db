"""A workspace removes the app: the Slack lifecycle events against the real running bot, the
platform-neutral bot/lifecycle.py, and what the scheduled jobs do about it."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from bot import jobs, lifecycle
from bot.config import Config, Secrets, parse_settings
from bot.core import Teamweather
from bot.jobs import JobContext
from bot.delivery import PlatformCouriers
from bot.slack.courier import SlackCourier, web_client
from conftest import ADMIN, CHANNEL, KEY, BotUnderTest, message_event, signed_headers
from slack_fake import TEAM_ID, FakeSlack
from storage import audit, connect, consent, scores, workspaces

DAY = 24 * 3600
OTHER = "TOTHER0001"
LEAD = "ULEAD00001"


# -- the running bot: signed Events API requests ------------------------------------------------


def envelope(event: dict[str, Any], *, event_id: str, event_time: float | None = None, **outer: Any) -> dict[str, Any]:
    return {"token": "verification-token", "api_app_id": "A0TEST", "type": "event_callback", "event": event,
            "event_id": event_id, "event_time": int(time.time() if event_time is None else event_time), **outer}


async def post(bot: BotUnderTest, body: dict[str, Any]) -> int:
    text = json.dumps(body)
    return (await bot.post(text, {"Content-Type": "application/json", **signed_headers(text)})).status


def audit_rows(bot: BotUnderTest, action: str) -> list[dict[str, Any]]:
    reader = connect(bot.runtime.config.settings.database)
    try:
        return audit.entries(reader, action)
    finally:
        reader.close()


def removal(bot: BotUnderTest, workspace: str = TEAM_ID) -> workspaces.Removal | None:
    reader = connect(bot.runtime.config.settings.database)
    try:
        return workspaces.removal(reader, workspace)
    finally:
        reader.close()


def enrolled(bot: BotUnderTest) -> list[tuple[str, str]]:
    reader = connect(bot.runtime.config.settings.database)
    try:
        return consent.enrolled_channels(reader)
    finally:
        reader.close()


# The envelopes of slack-bolt's own token-revocation scenario tests
# (tests/scenario_tests_async/test_events_token_revocations.py): an org-wide install, so an
# enterprise id and no team id.
BOLT_UNINSTALLED = {"token": "verification-token", "enterprise_id": "E111", "api_app_id": "A111",
                    "event": {"type": "app_uninstalled"}, "type": "event_callback",
                    "event_id": "Ev111", "event_time": 1606805974}
BOLT_REVOKED = {"token": "verification-token", "enterprise_id": "E111", "api_app_id": "A111",
                "event": {"type": "tokens_revoked", "tokens": {"oauth": ["W111"], "bot": ["W222"]}},
                "type": "event_callback", "event_id": "Ev112", "event_time": 1606805974}


async def test_slack_bolt_scenario_payloads_get_200_and_an_audit_row(bot: BotUnderTest) -> None:
    # Over HTTP, with the team id Slack puts in every envelope of a workspace install.
    assert await post(bot, {**BOLT_REVOKED, "team_id": TEAM_ID}) == 200
    assert await post(bot, {**BOLT_UNINSTALLED, "team_id": OTHER}) == 200
    rows = audit_rows(bot, "workspace_removed")
    assert [(r["subject"], r["detail"]["reason"], r["actor"]) for r in rows] == [
        (TEAM_ID, "tokens_revoked", "system"), (OTHER, "app_uninstalled", "system"),
    ]


async def test_slack_bolt_scenario_payloads_verbatim_through_the_bolt_app(core: Teamweather) -> None:
    # As Socket Mode hands them to Bolt: no team id, so the enterprise id names the removal.
    from slack_bolt.request.async_request import AsyncBoltRequest
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.app import build_app
    from conftest import SIGNING_SECRET

    app = build_app(core, signing_secret=SIGNING_SECRET, client=AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"))
    for payload in (BOLT_REVOKED, BOLT_UNINSTALLED):
        body = json.dumps(payload)
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers(body)))
        assert response.status == 200  # no auth.test: the unreachable Web API is never called
    [row] = audit.entries(core.db, "workspace_removed")
    assert row["subject"] == "E111" and row["detail"]["reason"] == "tokens_revoked"


async def test_uninstall_stops_collection_and_is_recorded_once(bot: BotUnderTest) -> None:
    status, _ = await bot.command("optin", user=ADMIN)
    assert status == 200
    assert await bot.event(message_event("before the uninstall")) == 200
    await bot.drained()
    assert len(bot.scores()) == 1
    # Slack sends both, in either order; the first one counts.
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTTEAMWX"]}}
    assert await post(bot, envelope(revoked, event_id="EvR1", team_id=TEAM_ID)) == 200
    assert await post(bot, envelope({"type": "app_uninstalled"}, event_id="EvU1", team_id=TEAM_ID)) == 200
    [row] = audit_rows(bot, "workspace_removed")
    assert row["subject"] == TEAM_ID and row["detail"] == {"reason": "tokens_revoked", "channels_unenrolled": 1}
    found = removal(bot)
    assert found is not None and found.reason == "tokens_revoked" and found.purged_at is None
    assert enrolled(bot) == []
    # A late retry of an older message is acked and leaves no trace; the data already stored stays.
    late = envelope(message_event("sent before"), event_id="EvLATE", event_time=found.removed_at - 1, team_id=TEAM_ID)
    assert await post(bot, late) == 200
    await bot.drained()
    assert len(bot.scores()) == 1 and bot.runtime.health()["inbox_depth"] == 0


async def test_a_revoked_user_token_alone_is_not_a_removal(bot: BotUnderTest) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["UALICE0001"]}}
    assert await post(bot, envelope(event, event_id="EvR2", team_id=TEAM_ID)) == 200
    assert audit_rows(bot, "workspace_removed") == [] and removal(bot) is None


async def test_a_slash_command_after_the_removal_clears_it(bot: BotUnderTest) -> None:
    await bot.command("optin", user=ADMIN)
    assert await post(bot, envelope({"type": "app_uninstalled"}, event_id="EvU2", team_id=TEAM_ID)) == 200
    assert removal(bot) is not None
    status, reply = await bot.command("optin", user=ADMIN)  # only an installed app gets commands
    assert status == 200 and reply["response_type"] == "in_channel"  # enrolled again, notice posted again
    assert removal(bot) is None
    [row] = audit_rows(bot, "workspace_returned")
    assert row["subject"] == TEAM_ID and row["detail"]["purged"] is False


async def test_only_an_event_from_after_the_removal_clears_it(bot: BotUnderTest) -> None:
    assert await post(bot, envelope({"type": "app_uninstalled"}, event_id="EvU3", team_id=TEAM_ID)) == 200
    found = removal(bot)
    assert found is not None
    older = envelope(message_event("queued before"), event_id="EvOLD", event_time=found.removed_at - 5, team_id=TEAM_ID)
    assert await post(bot, older) == 200
    assert removal(bot) is not None  # a retry of an older event proves nothing
    newer = envelope(message_event("sent after"), event_id="EvNEW", event_time=found.removed_at + 5, team_id=TEAM_ID)
    assert await post(bot, newer) == 200
    assert removal(bot) is None and len(audit_rows(bot, "workspace_returned")) == 1


# -- bot/lifecycle.py -------------------------------------------------------------------------


def test_removal_turns_off_only_that_workspaces_channels(db: sqlite_utils.Database) -> None:
    with db.conn:
        consent.enroll(db, TEAM_ID, CHANNEL, "admin", 1.0)
        consent.enroll(db, OTHER, "COTHERWS01", "admin", 1.0)
    assert lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", 100.0) is True
    assert lifecycle.workspace_removed(db, TEAM_ID, "tokens_revoked", 101.0) is False
    assert consent.enrolled_channels(db) == [(OTHER, "COTHERWS01")]
    assert len(audit.entries(db, "workspace_removed")) == 1
    assert lifecycle.removed_at(db) == {TEAM_ID: 100.0}


def test_purge_erases_marks_and_audits(db: sqlite_utils.Database) -> None:
    with db.conn:
        scores.save(db, scores.Score("k1", TEAM_ID, CHANNEL, "a1", "2026-11-17", "neutral", .2, .6, .2, .1, "t", "1"))
        scores.save(db, scores.Score("k2", OTHER, "COTHERWS01", "a2", "2026-11-17", "neutral", .2, .6, .2, .1, "t", "1"))
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", 100.0)
    counts = lifecycle.purge(db, TEAM_ID, 200.0, trigger="cli")
    assert counts["scores"] == 1 and [r["workspace"] for r in db["scores"].rows] == [OTHER]
    assert workspaces.removal(db, TEAM_ID) == workspaces.Removal(TEAM_ID, 100.0, "app_uninstalled", 200.0)
    [row] = audit.entries(db, "workspace_purged")
    assert row["subject"] == TEAM_ID and row["detail"]["trigger"] == "cli" and row["detail"]["scores"] == 1


def test_purge_due_waits_for_the_grace_period(db: sqlite_utils.Database) -> None:
    now = 1_000 * DAY
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", now - 31 * DAY)
    lifecycle.workspace_removed(db, OTHER, "app_uninstalled", now - 29 * DAY)
    assert set(lifecycle.purge_due(db, 30, now)) == {TEAM_ID}
    assert lifecycle.purge_due(db, 30, now) == {}  # purged once, not again
    assert set(lifecycle.purge_due(db, 0, now)) == {OTHER}


def test_notices_name_the_workspace_the_purge_date_and_the_command(
    db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    removed = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc).timestamp()
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", removed)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.lifecycle"):
        [line] = lifecycle.log_notices(db, 30, removed + DAY)
    assert TEAM_ID in line and "2026-11-20" in line and "the app was uninstalled" in line
    assert "after 2026-12-20 10:00 UTC" in line and f"teamweather purge --workspace {TEAM_ID}" in line
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [line]
    [overdue] = lifecycle.notices(db, 30, removed + 31 * DAY)
    assert "next daily retention run" in overdue
    lifecycle.purge(db, TEAM_ID, removed + 2 * DAY, trigger="cli")
    assert lifecycle.notices(db, 30, removed + 3 * DAY) == []  # nothing left to tell


def test_notices_in_a_missing_database_create_nothing(tmp_path: Path) -> None:
    settings = parse_settings({"database": str(tmp_path / "none.db")}, "test.yaml")
    assert lifecycle.notices_in(settings, time.time()) == []
    assert not (tmp_path / "none.db").exists()


def test_digests_are_blocked_only_while_no_other_workspace_has_an_enrolled_channel(db: sqlite_utils.Database) -> None:
    assert lifecycle.digests_blocked(db) == []
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", 100.0)
    assert lifecycle.digests_blocked(db) == [TEAM_ID]
    with db.conn:
        consent.enroll(db, OTHER, "COTHERWS01", "admin", 1.0)
    assert lifecycle.digests_blocked(db) == []
    lifecycle.workspace_returned(db, TEAM_ID, 200.0)
    with db.conn:
        consent.unenroll(db, OTHER, "COTHERWS01")
    assert lifecycle.digests_blocked(db) == []


def test_the_lifecycle_core_imports_no_platform_sdk() -> None:
    import ast

    source = (Path(__file__).parents[2] / "bot" / "lifecycle.py").read_text()
    modules = {n.module or "" for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.startswith(("slack_bolt", "slack_sdk", "botbuilder", "bot.slack"))}


# -- the scheduled jobs -------------------------------------------------------------------------


def job_config(tmp_path: Path, **privacy: Any) -> Config:
    settings = parse_settings(
        {"database": str(tmp_path / "teamweather.db"), "timezone": "UTC", "privacy": privacy,
         "teams": [{"name": "Platform", "channels": [CHANNEL], "managers": [LEAD]}]},
        "test.yaml",
    )
    return Config(settings, Secrets(pseudonym_key=KEY), "test.yaml")


def run_job(job: Any, config: Config, now: float, slack: FakeSlack | None = None) -> None:
    courier = (lambda: PlatformCouriers({"slack": SlackCourier(web_client("xoxb-test", slack.api_url))})) if slack else (lambda: None)
    jobs.install_context(JobContext(config, courier, lambda: now))  # type: ignore[arg-type]
    try:
        job()
    finally:
        jobs.install_context(None)


def test_the_weekly_digest_is_skipped_while_the_workspace_is_removed(
    tmp_path: Path, db: sqlite_utils.Database, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    config = job_config(tmp_path)
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc).timestamp()
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", monday - DAY)
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        run_job(jobs.weekly_digest, config, monday, slack)
    assert slack.dms(LEAD) == []
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.jobs"]
    assert "skipped" in line and TEAM_ID in line
    lifecycle.workspace_returned(db, TEAM_ID, monday)
    run_job(jobs.weekly_digest, config, monday, slack)
    assert len(slack.dms(LEAD)) == 1  # the (suppressed) digest goes out again


def test_failed_sends_are_not_retried_while_the_workspace_is_removed(
    tmp_path: Path, db: sqlite_utils.Database, slack: FakeSlack
) -> None:
    from bot.delivery import recipient_ref
    from storage import deliveries

    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc).timestamp()
    ref = recipient_ref(KEY, LEAD)
    with db.conn:
        deliveries.claim(db, "Platform", "2026-W47", ref, "digest", monday)
        deliveries.mark_failed(db, "Platform", "2026-W47", ref, "digest", "token_revoked")
    lifecycle.workspace_removed(db, TEAM_ID, "tokens_revoked", monday + 60)
    config = job_config(tmp_path)
    run_job(jobs.retry_deliveries, config, monday + 3600, slack)
    assert slack.dms(LEAD) == [] and deliveries.unfinished(db, 6)[0].attempts == 1
    lifecycle.workspace_returned(db, TEAM_ID, monday + 3600)
    run_job(jobs.retry_deliveries, config, monday + 3600, slack)
    assert len(slack.dms(LEAD)) == 1


def test_retention_purges_workspaces_removed_longer_ago_than_the_grace_period(
    tmp_path: Path, db: sqlite_utils.Database
) -> None:
    now = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.timezone.utc).timestamp()
    with db.conn:
        for ws in (TEAM_ID, OTHER):
            scores.save(db, scores.Score(f"k-{ws}", ws, f"C{ws}", "a", "2026-11-17", "neutral", .2, .6, .2, .1, "t", "1"))
    lifecycle.workspace_removed(db, TEAM_ID, "app_uninstalled", now - 8 * DAY)
    lifecycle.workspace_removed(db, OTHER, "app_uninstalled", now - 6 * DAY)
    run_job(jobs.retention_purge, job_config(tmp_path, uninstall_grace_days=7), now)
    assert [r["workspace"] for r in db["scores"].rows] == [OTHER]
    [row] = audit.entries(db, "workspace_purged")
    assert row["subject"] == TEAM_ID and row["detail"]["trigger"] == "retention"


async def test_the_running_bot_tells_the_admins_at_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from conftest import running_bot

    db = connect(tmp_path / "teamweather.db")
    lifecycle.workspace_removed(db, "T0GONE0001", "app_uninstalled", time.time() - 3600)
    db.close()
    caplog.set_level(logging.WARNING, logger="bot.runtime")
    async with running_bot(tmp_path):
        pass
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.runtime" and "purge" in r.getMessage()]
    assert "teamweather purge --workspace" in line
