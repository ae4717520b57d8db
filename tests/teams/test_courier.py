"""Digests and alerts as Teams personal-chat messages (bot/teams/courier.py), against the fake
Bot Connector: a real CloudAdapter, authentication off, posting to the serviceUrl of the
person's stored conversation reference."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
import sqlite_utils
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.delivery import Outgoing, PlatformCouriers, deliver
from bot.report import Chart, Footnote, Line, Report, Section
from bot.teams.courier import CHANNEL_DATA_KEY, TeamsCourier
from domain.errors import PlatformUnavailable
from storage import deliveries
from teams_fake import FakeConnector, fake_connector_in_thread
from crashing_courier import Crash, CrashAfterSend

PERSON = "6f1c2b3a-0000-4000-8000-00000000a11c"  # an Entra object id
STRANGER = "6f1c2b3a-0000-4000-8000-0000000057a9"
CONVERSATION = "a:1personal-chat-with-the-manager"
KEY = b"test-pseudonym-key-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 10
MARKER = {"team": "Platform", "week": "2026-W47", "kind": "digest"}


def reference(service_url: str) -> dict[str, Any]:
    """A conversation reference as the inbound side stores it (ConversationReference.serialize())."""
    return {
        "activityId": "1700000000000",
        "user": {"id": "29:1manager", "aadObjectId": PERSON, "name": "Manager"},
        "bot": {"id": "28:teamweather", "name": "Teamweather"},
        "conversation": {"id": CONVERSATION, "conversationType": "personal", "tenantId": "t-1"},
        "channelId": "msteams",
        "locale": "en-US",
        "serviceUrl": service_url,
    }


def message(kind: str = "digest", week: str = "2026-W47", chart: bytes | None = PNG) -> Outgoing:
    return Outgoing(
        team="Platform", week=week, kind=kind,  # type: ignore[arg-type]
        text="Platform, week 47: mood +12",
        report=Report("Platform, week 47", (Section((Line.of("Mood +12"),), "This week"), Chart("Platform: 8 weeks"),
                                            Footnote("Teamweather"))),
        chart_png=chart, chart_title="Platform: 8 weeks",
    )


class Connector(FakeConnector):
    """The fake connector, with a chosen failure: ``status`` for the failing kinds, and
    ``refuse_images`` messages carrying a data URI refused as too big (413)."""

    status = 500
    refuse_images = 0
    delay = 0.0

    def _fail(self, what: str) -> web.Response | None:
        if what in self.failing:
            return web.json_response({"error": {"code": "ServiceError", "message": f"failing {CONVERSATION}"}},
                                     status=self.status)
        return None

    async def _post(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse_images and "data:image" in await request.text():
            self.refuse_images -= 1
            return web.json_response({"error": {"code": "MessageSizeTooBig", "message": "Message size too large."}},
                                     status=413)
        return await super()._post(request)


@pytest.fixture
def connector() -> Iterator[Connector]:
    fake = Connector()
    with fake_connector_in_thread(fake) as loop:
        fake.loop = loop  # type: ignore[attr-defined]
        yield fake


def adapter() -> CloudAdapter:
    """The bot's adapter with authentication off (no app id): it posts to the reference's
    serviceUrl without asking for a token."""
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))


@pytest.fixture
def stored(connector: Connector) -> dict[str, dict[str, Any]]:
    return {PERSON: reference(connector.url)}


@pytest.fixture
def courier(stored: dict[str, dict[str, Any]]) -> TeamsCourier:
    """The courier as ``teamweather digest --send`` makes it: no bot loop, a fresh one per send."""
    return TeamsCourier(adapter(), "", stored.get)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"] if e["type"] == "Image"]


# -- Sending ---------------------------------------------------------------------------------------

def test_a_digest_is_one_card_with_the_chart_and_the_marker(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier
) -> None:
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    [activity] = connector.sent(CONVERSATION)
    assert activity["type"] == "message" and activity["text"] == "Platform, week 47: mood +12"
    assert activity["channelData"] == {CHANNEL_DATA_KEY: MARKER}
    assert activity["recipient"]["aadObjectId"] == PERSON
    card = card_of(activity)
    [image] = images(card)
    assert card["body"].index(image) == 2  # at the report's Chart, after "This week"
    assert base64.b64decode(image["url"].removeprefix("data:image/png;base64,")) == PNG
    assert PERSON not in str(db.execute("SELECT * FROM deliveries").fetchall())


def test_an_alert_has_no_chart(connector: Connector, courier: TeamsCourier) -> None:
    courier.send(PERSON, message(kind="alert", chart=None))
    [activity] = connector.sent(CONVERSATION)
    assert images(card_of(activity)) == [] and activity["channelData"][CHANNEL_DATA_KEY]["kind"] == "alert"


def test_running_again_sends_nothing_twice(db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier) -> None:
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    assert deliver(db, courier, PERSON, message(), key=KEY) == "already-sent"
    assert deliver(db, courier, PERSON, message(kind="alert"), key=KEY) == "sent"
    assert deliver(db, courier, PERSON, message(week="2026-W48"), key=KEY) == "sent"
    assert len(connector.sent(CONVERSATION)) == 3


def test_through_platform_couriers_a_teams_id_reaches_the_teams_courier(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier
) -> None:
    couriers = PlatformCouriers({"msteams": courier})
    assert deliver(db, couriers, f"msteams:{PERSON}", message(), key=KEY) == "sent"
    assert len(connector.sent(CONVERSATION)) == 1


def test_sends_run_on_the_bots_loop_when_given_one(connector: Connector, stored: dict[str, dict[str, Any]]) -> None:
    loop: asyncio.AbstractEventLoop = connector.loop  # type: ignore[attr-defined]
    courier = TeamsCourier(adapter(), "", stored.get, loop=loop)
    courier.send(PERSON, message())  # from this thread, as the scheduler does
    assert len(connector.sent(CONVERSATION)) == 1

    async def from_the_loop_itself() -> None:
        courier.send(PERSON, message())

    with pytest.raises(RuntimeError, match="another thread"):
        asyncio.run_coroutine_threadsafe(from_the_loop_itself(), loop).result(10)
    assert len(connector.sent(CONVERSATION)) == 1


# -- Failures ------------------------------------------------------------------------------------

def test_a_person_without_the_app_installed_cannot_be_reached(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(PlatformUnavailable, match="has not installed the Teamweather app") as raised:
        courier.send(STRANGER, message())
    assert STRANGER not in str(raised.value)
    caplog.set_level(logging.WARNING)
    assert deliver(db, courier, STRANGER, message(), key=KEY) == "failed"
    [row] = deliveries.unfinished(db, max_attempts=5)
    assert "installed" in (row.error or "") and STRANGER not in (row.error or "") and STRANGER not in caplog.text
    assert connector.sent() == []


def test_a_stored_reference_that_cannot_be_used_is_platform_unavailable(connector: Connector) -> None:
    for broken in ({"serviceUrl": connector.url}, {"conversation": {"id": CONVERSATION}}, {"serviceUrl": 5, "conversation": "x"}):
        with pytest.raises(PlatformUnavailable, match="cannot be used"):
            TeamsCourier(adapter(), "", {PERSON: broken}.get).send(PERSON, message())


@pytest.mark.parametrize("status", [429, 500, 502, 503, 403])
def test_a_refusing_connector_is_platform_unavailable_and_retried_later(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier, status: int
) -> None:
    connector.status = status
    connector.failing |= {"send", "reply"}
    with pytest.raises(PlatformUnavailable, match=f"Teams answered {status} \\(ServiceError\\)") as raised:
        courier.send(PERSON, message())
    assert CONVERSATION not in str(raised.value)  # Teams' message is not repeated (it can hold ids)
    assert deliver(db, courier, PERSON, message(), key=KEY) == "failed"
    [row] = deliveries.unfinished(db, max_attempts=5)
    assert row.status == "failed" and str(status) in (row.error or "")
    connector.failing.clear()
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    assert len(connector.sent(CONVERSATION)) == 1 and deliveries.unfinished(db, max_attempts=5) == []


def test_an_unreachable_connector_is_platform_unavailable(connector: Connector) -> None:
    gone = reference("http://127.0.0.1:9/")  # the discard port: nothing listens
    with pytest.raises(PlatformUnavailable, match="cannot reach Teams"):
        TeamsCourier(adapter(), "", {PERSON: gone}.get).send(PERSON, message())


def test_a_connector_that_does_not_answer_in_time_is_platform_unavailable(
    connector: Connector, stored: dict[str, dict[str, Any]]
) -> None:
    connector.delay = 1.0
    loop: asyncio.AbstractEventLoop = connector.loop  # type: ignore[attr-defined]
    for courier in (TeamsCourier(adapter(), "", stored.get, timeout=0.2),
                    TeamsCourier(adapter(), "", stored.get, loop=loop, timeout=0.2)):
        started = time.monotonic()
        with pytest.raises(PlatformUnavailable, match="did not answer within 0.2 s"):
            courier.send(PERSON, message())
        assert time.monotonic() - started < 5


def test_teams_has_no_user_groups(courier: TeamsCourier) -> None:
    with pytest.raises(PlatformUnavailable, match="no user groups"):
        courier.group_members("anything")


# -- A message too big, and crashes ----------------------------------------------------------------

def test_a_message_refused_as_too_big_goes_without_the_chart_then_the_chart_follows(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier
) -> None:
    connector.refuse_images = 1
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    digest, chart = connector.sent(CONVERSATION)
    assert images(card_of(digest)) == [] and digest["channelData"] == {CHANNEL_DATA_KEY: MARKER}
    assert [a["contentType"] for a in chart["attachments"]] == ["image/png"]
    assert base64.b64decode(chart["attachments"][0]["contentUrl"].removeprefix("data:image/png;base64,")) == PNG


def test_a_chart_that_cannot_follow_is_logged_without_failing_the_digest(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier, caplog: pytest.LogCaptureFixture
) -> None:
    connector.refuse_images = 2
    caplog.set_level(logging.WARNING)
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    [digest] = connector.sent(CONVERSATION)
    assert images(card_of(digest)) == []
    assert "could not follow: Teams answered 413 (MessageSizeTooBig)" in caplog.text
    assert PERSON not in caplog.text and CONVERSATION not in caplog.text


def test_an_alert_refused_as_too_big_is_not_retried_without_a_chart(connector: Connector, courier: TeamsCourier) -> None:
    connector.status = 413
    connector.failing |= {"send", "reply"}
    with pytest.raises(PlatformUnavailable, match="413"):
        courier.send(PERSON, message(kind="alert", chart=None))


def test_a_crash_after_sending_sends_once_more_at_least_once_on_teams(
    db: sqlite_utils.Database, connector: Connector, courier: TeamsCourier
) -> None:
    """No API lets the bot read its 1:1 chat back, so a send interrupted before the ledger's
    mark is made again once (Slack looks first and recovers instead)."""
    with pytest.raises(Crash):
        deliver(db, CrashAfterSend(courier), PERSON, message(), key=KEY)
    assert courier.was_sent(PERSON, message(), since=0) is False
    assert deliver(db, courier, PERSON, message(), key=KEY) == "sent"
    assert deliver(db, courier, PERSON, message(), key=KEY) == "already-sent"
    assert [a["channelData"] for a in connector.sent(CONVERSATION)] == [{CHANNEL_DATA_KEY: MARKER}] * 2
    assert [d.status for d in deliveries.all_for(db, "2026-W47")] == ["sent"]


def test_a_digest_with_an_oversized_chart_goes_without_it(
    connector: Connector, courier: TeamsCourier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    courier.send(PERSON, replace(message(), chart_png=b"x" * 1_000_001))
    [digest] = connector.sent(CONVERSATION)
    assert images(card_of(digest)) == [] and "over Teams' image size limit" in caplog.text
