"""Digests and alerts as Slack DMs: convert an ``Outgoing`` into Web API calls.

The message's neutral report is rendered as Block Kit by ``bot/slack/render.py``. A digest is
one message: the chart is uploaded privately first and shown in an image block (where the
report has its chart), so the DM normally holds the whole digest or nothing. The
message carries Slack message metadata naming team, week and kind, which is how a restarted
job recognises a message that went out just before a crash.

Slack finishes an upload asynchronously: ``files.completeUploadExternal`` returns the file id
before the file can be shown, and an image block naming it too early is refused with
``invalid_blocks`` ("invalid slack file"). The courier does not ask ``files.info`` whether the
file is ready: that method needs the ``files:read`` scope, which would let the bot read every
file in the channels it is in, a wider privacy surface than a chart is worth (the manifest asks
for no such scope). The post itself is the readiness check instead: the first post goes at once
and, while Slack answers ``invalid_blocks``, the courier waits and posts again with backoff
(``INVALID_BLOCKS_WAITS``, 7.5 s at most). If the file is still not usable then, the digest goes
out without the image (same text, same marker, so the numbers always arrive and the crash check
still finds it) and the chart follows in the same DM as a file shared there; a failed follow-up
is logged and does not fail the digest. All waits are bounded and go through an injectable
``sleep``.
"""

from __future__ import annotations

import io
import logging
import time
from typing import Any, Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.delivery import Outgoing
from bot.slack import render
from domain.errors import PlatformUnavailable

log = logging.getLogger(__name__)

METADATA_EVENT = "teamweather_report"
# Pauses before re-posting a digest that Slack refused with invalid_blocks because its chart is
# not processed yet (the first post goes at once): at most 7.5 s before it goes without the image.
INVALID_BLOCKS_WAITS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)


def web_client(token: str, base_url: str, max_retries: int = 4) -> WebClient:
    """A Web API client that retries 429s (honouring Retry-After), 5xx and dropped
    connections with backoff."""
    client = WebClient(token=token, base_url=base_url, timeout=30)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ]
    )
    return client


class SlackCourier:
    """Sends ``Outgoing`` messages as DMs from the bot.

    There is no ``files.info`` check of an uploaded chart (it would need the ``files:read``
    scope, read access to every file in the bot's channels): the post with the image block is
    sent at once, and ``invalid_blocks_waits`` are the pauses before each re-post while Slack
    refuses it because the file is not processed yet; ``sleep`` makes those pauses (tests pass
    a recorder, so nothing really waits).
    """

    def __init__(
        self,
        client: WebClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        invalid_blocks_waits: Sequence[float] = INVALID_BLOCKS_WAITS,
    ) -> None:
        self.client = client
        self._dms: dict[str, str] = {}
        self._sleep = sleep
        self._invalid_blocks_waits = tuple(invalid_blocks_waits)

    def send(self, recipient: str, message: Outgoing) -> None:
        """Post ``message`` as a DM to ``recipient``, its chart (if any) as an image block where
        its report has the chart (last if it has none); raise PlatformUnavailable if Slack refused the
        message. If the chart cannot be shown in the message, the message goes without it and
        the chart follows in the same DM; a failure of that follow-up is only logged."""
        try:
            channel = self._dm(recipient)
            if message.chart_png is None:
                self._post(channel, message, render.blocks(message.report))
                return
            file_id = self._upload_private(message)
            if self._post_with_image(channel, message, file_id):
                return
            self._post(channel, message, render.blocks(message.report))  # the numbers, without the chart
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_describe(exc)) from exc
        self._send_chart_after(channel, message)

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        """Whether a message carrying ``message.marker`` is in the DM with ``recipient``,
        posted after ``since``; raise PlatformUnavailable if Slack cannot tell."""
        try:
            channel = self._dm(recipient)
            cursor = None
            while True:
                page = self.client.conversations_history(
                    channel=channel, oldest=f"{since:.6f}", include_all_metadata=True,
                    limit=200, cursor=cursor,
                )
                item: dict[str, Any]
                for item in page.get("messages", []):
                    if _marker(item) == message.marker:
                        return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return False
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_describe(exc)) from exc

    def group_members(self, group: str) -> list[str]:
        """The user ids in Slack user group ``group``; raise PlatformUnavailable on failure."""
        try:
            members = self.client.usergroups_users_list(usergroup=group)["users"]
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_describe(exc)) from exc
        return [str(m) for m in members]

    def _dm(self, user: str) -> str:
        if user not in self._dms:
            self._dms[user] = self.client.conversations_open(users=user)["channel"]["id"]
        return self._dms[user]

    def _upload_private(self, message: Outgoing) -> str:
        """Upload the chart without sharing it anywhere; its id, for an image block."""
        assert message.chart_png is not None
        upload = self.client.files_upload_v2(
            file=io.BytesIO(message.chart_png),
            filename=_chart_filename(message),
            title=message.chart_title or message.text,
        )
        return str(upload["file"]["id"])

    def _post_with_image(self, channel: str, message: Outgoing, file_id: str) -> bool:
        """Post ``message`` with the chart's image block, at once and again after each of the
        invalid_blocks waits while Slack refuses the blocks (the file not processed yet); False
        if it still refused after the last. Other errors raise."""
        image = {
            "type": "image",
            "slack_file": {"id": file_id},
            "alt_text": message.chart_title or message.text,
        }
        blocks = render.blocks(message.report, image)
        waits = iter(self._invalid_blocks_waits)
        while True:
            try:
                self._post(channel, message, blocks)
                return True
            except SlackApiError as exc:
                if exc.response.get("error") != "invalid_blocks":
                    raise
            wait = next(waits, None)
            if wait is None:
                return False
            self._sleep(wait)

    def _post(self, channel: str, message: Outgoing, blocks: list[dict[str, Any]]) -> None:
        self.client.chat_postMessage(
            channel=channel,
            text=render.escape(message.text),
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": message.marker},
        )

    def _send_chart_after(self, channel: str, message: Outgoing) -> None:
        """Share the chart into the DM as a file of its own, after a digest that went without
        it. The digest has been delivered: a failure here is logged (no ids, no text), not
        raised."""
        assert message.chart_png is not None
        try:
            self.client.files_upload_v2(
                file=io.BytesIO(message.chart_png),
                filename=_chart_filename(message),
                title=message.chart_title or message.text,
                alt_txt=message.chart_title or message.text,
                channel=channel,
                initial_comment=message.chart_title or message.text,
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning(
                "%s for %s, %s went without its chart, and the chart could not follow: %s",
                message.kind, message.team, message.week, _reason(exc),
            )


def _chart_filename(message: Outgoing) -> str:
    return f"teamweather-{message.week}.png"


def _marker(item: dict[str, Any]) -> dict[str, Any] | None:
    metadata = item.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    payload = metadata.get("event_payload")
    return payload if isinstance(payload, dict) else None


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return f"Slack said {exc.response.get('error', 'error')}"
    return f"cannot reach Slack ({exc})"


def _reason(exc: Exception) -> str:
    """Why a call failed, for a log line: Slack's error code or the exception's type only
    (a client error's message can name the file and its title)."""
    if isinstance(exc, SlackApiError):
        return f"Slack said {exc.response.get('error', 'error')}"
    return f"cannot reach Slack ({type(exc).__name__})"
