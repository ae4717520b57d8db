"""The review channel on Slack (issue [review]): flagged messages posted as Block Kit with the
review buttons, updated in place after a press, answered in their thread.

:class:`SlackReviewBoard` is :class:`bot.review.ReviewBoard` for the scheduled jobs (the sync
``WebClient``, on their own thread, as :class:`bot.slack.courier.SlackCourier`). The Bolt app
answers a press with the same calls on its async client: :func:`update_args` and
:func:`reply_args` are what both send. A post is remembered as ids only: ``{"channel", "ts"}``.
"""

from __future__ import annotations

from typing import Any, Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.report import Report
from bot.slack import render
from domain.errors import PlatformUnavailable

__all__ = ["SlackReviewBoard", "post_args", "reply_args", "update_args"]


def _reason(exc: Exception) -> str:
    """Slack's error code or the exception's type only (a client error can quote the request)."""
    if isinstance(exc, SlackApiError):
        return f"Slack said {exc.response.get('error', 'error')}"
    return f"cannot reach Slack ({type(exc).__name__})"


def _where(post: Mapping[str, Any]) -> tuple[str, str]:
    channel, ts = post.get("channel"), post.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str):
        raise PlatformUnavailable("the review post is not a Slack message")
    return channel, ts


def post_args(channel: str, report: Report, text: str) -> dict[str, Any]:
    """``chat.postMessage`` arguments for a review post (links not unfurled: the guidelines)."""
    return {"channel": channel, "text": render.escape(text), "blocks": render.blocks(report),
            "unfurl_links": False, "unfurl_media": False}


def update_args(post: Mapping[str, Any], report: Report, text: str) -> dict[str, Any]:
    """``chat.update`` arguments: ``report`` in place of the post."""
    channel, ts = _where(post)
    return {"channel": channel, "ts": ts, "text": render.escape(text), "blocks": render.blocks(report)}


def reply_args(post: Mapping[str, Any], text: str) -> dict[str, Any]:
    """``chat.postMessage`` arguments for ``text`` (the Markdown subset of ``bot/texts.py``)
    in the post's thread."""
    channel, ts = _where(post)
    return {"channel": channel, "thread_ts": ts, "text": render.from_markdown(text)}


class SlackReviewBoard:
    """Posts, updates and thread replies in the Slack review channel; PlatformUnavailable when
    Slack refuses or cannot be reached."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
        try:
            sent = self.client.chat_postMessage(**post_args(channel, report, text))
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_reason(exc)) from exc
        return {"channel": str(sent["channel"]), "ts": str(sent["ts"])}

    def update(self, post: Mapping[str, Any], report: Report, text: str) -> None:
        try:
            self.client.chat_update(**update_args(post, report, text))
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_reason(exc)) from exc

    def reply(self, post: Mapping[str, Any], text: str) -> None:
        try:
            self.client.chat_postMessage(**reply_args(post, text))
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise PlatformUnavailable(_reason(exc)) from exc
