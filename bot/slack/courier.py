"""Digests and alerts as Slack DMs: convert an ``Outgoing`` into Web API calls.

A digest is one message: the chart is uploaded privately first and shown in an image block,
so the DM either holds the whole digest or nothing. The message carries Slack message
metadata naming team, week and kind, which is how a restarted job recognises a message
that went out just before a crash.
"""

from __future__ import annotations

import io
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.delivery import Outgoing
from bot.errors import PlatformUnavailable

METADATA_EVENT = "teamweather_report"


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
    """Sends ``Outgoing`` messages as DMs from the bot."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._dms: dict[str, str] = {}

    def send(self, recipient: str, message: Outgoing) -> None:
        try:
            channel = self._dm(recipient)
            blocks = list(message.blocks)
            if message.chart_png is not None:
                upload = self.client.files_upload_v2(
                    file=io.BytesIO(message.chart_png),
                    filename=f"teamweather-{message.week}.png",
                    title=message.chart_title or message.text,
                )
                blocks.append(
                    {
                        "type": "image",
                        "slack_file": {"id": upload["file"]["id"]},
                        "alt_text": message.chart_title or message.text,
                    }
                )
            self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=blocks,
                unfurl_links=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": message.marker},
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_describe(exc)) from exc

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
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
        try:
            members = self.client.usergroups_users_list(usergroup=group)["users"]
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_describe(exc)) from exc
        return [str(m) for m in members]

    def _dm(self, user: str) -> str:
        if user not in self._dms:
            self._dms[user] = self.client.conversations_open(users=user)["channel"]["id"]
        return self._dms[user]


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
