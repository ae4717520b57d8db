"""Exactly-once delivery of digests and alerts as Slack DMs, against the fake Web API."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlite_utils

from bot.delivery import Outgoing, PlatformCouriers, deliver, recipient_ref
from bot.report import Line, Report, Section
from bot.slack.courier import METADATA_EVENT, SlackCourier
from domain.errors import PlatformUnavailable
from slack_fake import FakeSlack
from crashing_courier import Crash, CrashAfterSend
from storage import audit, deliveries

MANAGER = "UMANAGER01"
KEY = b"test-pseudonym-key-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 10


def message(kind: str = "digest", week: str = "2026-W47") -> Outgoing:
    return Outgoing(
        team="Platform", week=week, kind=kind,  # type: ignore[arg-type]
        text="Platform, week 47: mood +12",
        report=Report("Platform, week 47", (Section((Line.of("Mood +12"),)),)),
        chart_png=PNG if kind == "digest" else None, chart_title="Platform: 8 weeks",
    )


def test_a_digest_is_one_dm_with_the_chart_and_a_marker(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "sent"
    [dm] = slack.dms(MANAGER)
    assert dm["text"] == "Platform, week 47: mood +12"
    image = dm["blocks"][-1]
    assert image["type"] == "image" and slack.files[image["slack_file"]["id"]] == PNG
    assert dm["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"team": "Platform", "week": "2026-W47", "kind": "digest"},
    }
    [entry] = audit.entries(db, "digest_sent")
    assert entry["subject"] == "Platform" and MANAGER not in str(entry)
    assert MANAGER not in str(db.execute("SELECT * FROM deliveries").fetchall())


def test_the_notification_text_is_escaped_for_slack(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    plain = replace(message(kind="alert"), team="<!here> R&D", text="<!here> R&D, week 47: mood drop.")
    assert deliver(db, courier, MANAGER, plain, key=KEY) == "sent"
    [dm] = slack.dms(MANAGER)
    assert dm["text"] == "&lt;!here&gt; R&amp;D, week 47: mood drop."


def test_running_again_sends_nothing_twice(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "sent"
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "already-sent"
    assert deliver(db, courier, MANAGER, message(kind="alert"), key=KEY) == "sent"  # another kind
    assert deliver(db, courier, MANAGER, message(week="2026-W48"), key=KEY) == "sent"  # another week
    assert len(slack.dms(MANAGER)) == 3


def test_a_restart_after_sending_but_before_recording_does_not_send_again(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    with pytest.raises(Crash):
        deliver(db, CrashAfterSend(courier), MANAGER, message(), key=KEY)
    assert len(slack.dms(MANAGER)) == 1
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "recovered"
    assert len(slack.dms(MANAGER)) == 1
    assert [d.status for d in deliveries.all_for(db, "2026-W47")] == ["sent"]


def test_a_restart_before_sending_sends_once(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    with db.conn:  # claimed, then the process died before calling Slack
        assert deliveries.claim(db, "Platform", "2026-W47", recipient_ref(KEY, MANAGER), "digest", 1.0) == "new"
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "sent"
    assert len(slack.dms(MANAGER)) == 1


def test_slack_429_is_retried_after_retry_after(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    slack.rate_limited["chat.postMessage"] = 2
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "sent"
    assert len(slack.called("chat.postMessage")) == 3
    assert len(slack.dms(MANAGER)) == 1


def test_a_refused_send_is_recorded_and_retried_later(db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier) -> None:
    slack.failing.add("chat.postMessage")
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "failed"
    [row] = deliveries.unfinished(db, max_attempts=5)
    assert row.status == "failed" and "internal_error" in (row.error or "")
    slack.failing.clear()
    assert deliver(db, courier, MANAGER, message(), key=KEY) == "sent"
    assert len(slack.dms(MANAGER)) == 1 and deliveries.unfinished(db, max_attempts=5) == []


def test_user_group_members_come_from_slack(slack: FakeSlack, courier: SlackCourier) -> None:
    slack.usergroups["SLEADS0001"] = ["ULEAD00001", "ULEAD00002"]
    assert courier.group_members("SLEADS0001") == ["ULEAD00001", "ULEAD00002"]


# -- Recipients on several platforms ------------------------------------------------------------

def test_a_slack_recipient_keeps_its_ledger_name_when_ids_name_their_platform() -> None:
    # Sends recorded before ids were qualified must still be recognised, not sent twice.
    assert recipient_ref(KEY, f"slack:{MANAGER}") == recipient_ref(KEY, MANAGER)
    assert recipient_ref(KEY, "msteams:29:1abc") != recipient_ref(KEY, "29:1abc")


def test_platform_couriers_route_by_the_platform_of_each_id(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    slack.usergroups["S0LEADS001"] = ["UONE000001", "UTWO000002"]
    both = PlatformCouriers({"slack": courier})
    assert deliver(db, both, f"slack:{MANAGER}", message(), key=KEY) == "sent"
    assert len(slack.dms(MANAGER)) == 1  # the Slack courier got the bare id
    assert both.was_sent(f"slack:{MANAGER}", message(), since=0)
    assert both.group_members("slack:S0LEADS001") == ["slack:UONE000001", "slack:UTWO000002"]
    with pytest.raises(PlatformUnavailable, match="msteams is not configured"):
        both.send("msteams:29:1abc", message())
    assert deliver(db, both, "msteams:29:1abc", message(), key=KEY) == "failed"  # counted, retried later
