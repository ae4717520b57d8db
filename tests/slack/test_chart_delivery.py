"""A digest's chart against Slack's asynchronous uploads, on the fake Web API.

Slack processes an upload after ``files.completeUploadExternal`` has answered; an image block
naming the file too early is refused with ``invalid_blocks``. The courier posts at once,
re-posts the refused message with backoff, and in the end sends the numbers without the image
and the chart after them in the same DM. It never asks ``files.info`` (that needs the
``files:read`` scope). No test waits for real: ``sleep`` is recorded.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlite_utils

from bot.delivery import Outgoing, deliver
from bot.report import Chart, Footnote, Line, Part, Report, Section
from domain.errors import PlatformUnavailable
from bot.slack.courier import INVALID_BLOCKS_WAITS, METADATA_EVENT, SlackCourier, web_client
from slack_fake import FakeSlack

MANAGER = "UMANAGER01"
KEY = b"test-pseudonym-key-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 10
TEXT = "Platform, week 47: mood +12"
TITLE = "Platform: 8 weeks"
FIGURES = Section((Line.of("Mood +12"),))
# The blocks bot/slack/render.py makes of the report's title, FIGURES and its footnote:
HEADER = {"type": "header", "text": {"type": "plain_text", "text": "Platform, week 47", "emoji": True}}
NUMBERS = {"type": "section", "text": {"type": "mrkdwn", "text": "Mood +12"}}
FOOTER = {"type": "context", "elements": [{"type": "mrkdwn", "text": "Teamweather"}]}
MARKER = {"event_type": METADATA_EVENT, "event_payload": {"team": "Platform", "week": "2026-W47", "kind": "digest"}}
POST_WAITS = INVALID_BLOCKS_WAITS  # the courier's own defaults
# Methods that need the files:read scope, which Teamweather does not ask for.
FILES_READ_METHODS = {"files.info", "files.list", "files.remote.info", "files.remote.list"}


def digest(chart_index: int | None = 1) -> Outgoing:
    """A digest whose report has its chart at ``chart_index`` of the blocks (None: no place)."""
    parts: list[Part] = [FIGURES, Footnote("Teamweather")]
    if chart_index is not None:
        parts.insert(chart_index - 1, Chart(TITLE))
    return Outgoing(
        team="Platform", week="2026-W47", kind="digest", text=TEXT,
        report=Report("Platform, week 47", tuple(parts)), chart_png=PNG, chart_title=TITLE,
    )


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def courier(slack: FakeSlack, slept: list[float]) -> SlackCourier:
    """The real courier, with its default waits, and WebClient against the fake; its pauses
    recorded, never slept."""
    return SlackCourier(web_client("xoxb-test", slack.api_url, max_retries=2), sleep=slept.append)


def refused(slack: FakeSlack) -> int:
    """How many chat.postMessage calls the fake refused (every post the courier makes carries
    the marker; a share of the chart does not)."""
    posted = [m for m in slack.dms(MANAGER) if "metadata" in m]
    return len(slack.called("chat.postMessage")) - len(posted)


def followups(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.dms(MANAGER) if "files" in m]


def image_of(slack: FakeSlack, block: dict[str, Any]) -> bytes:
    assert block["type"] == "image" and block["alt_text"] == TITLE
    return slack.files[str(block["slack_file"]["id"])]


def test_a_file_ready_at_once_goes_in_one_post_at_the_chart_index(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier, slept: list[float]
) -> None:
    assert deliver(db, courier, MANAGER, digest(chart_index=1), key=KEY) == "sent"
    [dm] = slack.dms(MANAGER)
    assert [b["type"] for b in dm["blocks"]] == ["header", "image", "section", "context"]
    assert image_of(slack, dm["blocks"][1]) == PNG
    assert dm["metadata"] == MARKER and dm["text"] == TEXT
    assert len(slack.called("chat.postMessage")) == 1
    assert slept == []


def test_no_chart_index_puts_the_chart_last(slack: FakeSlack, courier: SlackCourier) -> None:
    courier.send(MANAGER, digest(chart_index=None))
    [dm] = slack.dms(MANAGER)
    assert [b["type"] for b in dm["blocks"]] == ["header", "section", "context", "image"]
    assert image_of(slack, dm["blocks"][-1]) == PNG


def test_the_default_waits_back_off_and_are_bounded() -> None:
    assert INVALID_BLOCKS_WAITS == (0.5, 1.0, 2.0, 4.0) and sum(INVALID_BLOCKS_WAITS) == 7.5


def test_a_file_ready_after_three_refused_posts_goes_with_the_image(
    slack: FakeSlack, courier: SlackCourier, slept: list[float]
) -> None:
    slack.file_ready_after = 3  # the first post and two re-posts are refused, the fourth goes
    courier.send(MANAGER, digest())
    [dm] = slack.dms(MANAGER)
    assert [b["type"] for b in dm["blocks"]] == ["header", "image", "section", "context"]
    assert image_of(slack, dm["blocks"][1]) == PNG and dm["metadata"] == MARKER
    assert len(slack.called("chat.postMessage")) == 4 and refused(slack) == 3
    assert slept == [0.5, 1.0, 2.0]
    assert followups(slack) == []


def test_the_courier_never_asks_for_files_read(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    """Readiness is left to the post: no files.info, nor anything else needing files:read, on
    the way in, through the retries, to the fallback and the chart that follows it."""
    slack.file_ready_after = 1
    courier.send(MANAGER, digest())
    slack.file_ready_after = None
    assert deliver(db, courier, MANAGER, digest(chart_index=None), key=KEY) == "sent"
    called = {method for method, _ in slack.calls}
    assert called & FILES_READ_METHODS == set()
    assert called <= {
        "conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal",
        "chat.postMessage", "conversations.history",
    }
    assert len(followups(slack)) == 1


def test_a_file_that_never_gets_ready_sends_the_numbers_then_the_chart(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier, slept: list[float]
) -> None:
    slack.file_ready_after = None
    assert deliver(db, courier, MANAGER, digest(), key=KEY) == "sent"
    numbers, chart = slack.dms(MANAGER)
    assert numbers["blocks"] == [HEADER, NUMBERS, FOOTER]  # no image, nothing else lost
    assert numbers["text"] == TEXT and numbers["metadata"] == MARKER
    [shared] = chart["files"]
    assert slack.files[shared["id"]] == PNG and chart["text"] == TITLE and "metadata" not in chart
    [share] = [p for p in slack.called("files.completeUploadExternal") if p.get("channel_id")]
    assert share["channel_id"] == "D" + MANAGER
    posts = slack.called("chat.postMessage")
    assert len(posts) == len(POST_WAITS) + 2 and refused(slack) == len(POST_WAITS) + 1
    assert slept == list(POST_WAITS)  # bounded: 7.5 s in all
    assert courier.was_sent(MANAGER, digest(), since=0)
    assert deliver(db, courier, MANAGER, digest(), key=KEY) == "already-sent"


def test_a_failed_chart_follow_up_does_not_fail_the_delivered_digest(
    db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier, caplog: pytest.LogCaptureFixture
) -> None:
    slack.file_ready_after = None
    slack.share_error = "internal_error"
    with caplog.at_level(logging.DEBUG, logger="bot.slack.courier"):
        assert deliver(db, courier, MANAGER, digest(), key=KEY) == "sent"
    [numbers] = slack.dms(MANAGER)
    assert numbers["metadata"] == MARKER and numbers["blocks"] == [HEADER, NUMBERS, FOOTER]
    [warning] = [r for r in caplog.records if r.name == "bot.slack.courier"]
    assert warning.levelno == logging.WARNING
    line = warning.getMessage()
    assert "\n" not in line and "internal_error" in line
    for secret in (MANAGER, "D" + MANAGER, TEXT, "Mood +12", TITLE):
        assert secret not in line
    assert courier.was_sent(MANAGER, digest(), since=0)


def test_an_unreachable_chart_follow_up_is_logged_without_details(
    slack: FakeSlack, courier: SlackCourier, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.file_ready_after = None
    real_upload = courier.client.files_upload_v2

    def upload(**kwargs: Any) -> Any:
        if kwargs.get("channel"):
            raise OSError(f"connection reset while sending {kwargs.get('title')} to {kwargs['channel']}")
        return real_upload(**kwargs)

    monkeypatch.setattr(courier.client, "files_upload_v2", upload)
    with caplog.at_level(logging.WARNING, logger="bot.slack.courier"):
        courier.send(MANAGER, digest())
    [numbers] = slack.dms(MANAGER)
    assert numbers["metadata"] == MARKER
    [warning] = [r for r in caplog.records if r.name == "bot.slack.courier"]
    line = warning.getMessage()
    assert "OSError" in line and TITLE not in line and MANAGER not in line


def test_other_slack_errors_still_fail_the_send(slack: FakeSlack, courier: SlackCourier, slept: list[float]) -> None:
    slack.failing.add("chat.postMessage")
    with pytest.raises(PlatformUnavailable, match="internal_error"):
        courier.send(MANAGER, digest())
    assert len(slack.called("chat.postMessage")) == 1  # neither retried nor sent without the image
    assert slept == [] and slack.dms(MANAGER) == []
    assert [p for p in slack.called("files.completeUploadExternal") if p.get("channel_id")] == []


def test_a_refused_fallback_still_fails_the_send(
    slack: FakeSlack, courier: SlackCourier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the message without the image is refused too, the digest has not arrived."""
    slack.file_ready_after = None
    calls: list[str] = []
    real_post = courier.client.chat_postMessage

    def post(**kwargs: Any) -> Any:
        calls.append("post")
        if not any(b["type"] == "image" for b in kwargs["blocks"]):
            slack.failing.add("chat.postMessage")
        return real_post(**kwargs)

    monkeypatch.setattr(courier.client, "chat_postMessage", post)
    with pytest.raises(PlatformUnavailable, match="internal_error"):
        courier.send(MANAGER, digest())
    assert len(calls) == len(POST_WAITS) + 2 and slack.dms(MANAGER) == []
    assert [p for p in slack.called("files.completeUploadExternal") if p.get("channel_id")] == []


def test_invalid_blocks_without_a_chart_are_not_retried(
    slack: FakeSlack, courier: SlackCourier, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FakeSlack, "_chat_postMessage", lambda self, params: {"ok": False, "error": "invalid_blocks"})
    alert = Outgoing(team="Platform", week="2026-W47", kind="alert", text=TEXT, report=Report("Alert", (FIGURES,)))
    with pytest.raises(PlatformUnavailable, match="invalid_blocks"):
        courier.send(MANAGER, alert)
    assert len(slack.called("chat.postMessage")) == 1 and slept == []

