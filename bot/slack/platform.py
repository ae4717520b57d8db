"""Slack as a :class:`bot.platform.Platform`: the Bolt app over HTTP or Socket Mode, the
member directory, and DMs for digests and alerts."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from bot.delivery import Courier
from bot.review import ReviewBoard
from bot.slack import directory
from bot.slack.app import build_app
from bot.slack.channels import check_team_channels
from bot.slack.courier import SlackCourier, web_client
from bot.slack.endpoint import slack_endpoint
from bot.slack.review_board import SlackReviewBoard

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.runtime import Runtime

log = logging.getLogger(__name__)

__all__ = ["SlackPlatform", "slack_client", "standalone_review_board"]


def slack_client(config: Config) -> AsyncWebClient:
    """A Web API client that honours 429 Retry-After."""
    client = AsyncWebClient(token=config.secrets.slack_bot_token, base_url=config.settings.slack.api_base_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def standalone_review_board(config: Config) -> SlackReviewBoard:
    """The review channel's board outside a running bot (its own sync client)."""
    return SlackReviewBoard(web_client(config.secrets.slack_bot_token or "", config.settings.slack.api_base_url))


class SlackPlatform:
    """Socket Mode when ``SLACK_APP_TOKEN`` is set, otherwise the events endpoint over HTTP
    (``slack.events_path``), whose requests are verified before Bolt sees them."""

    name = "slack"

    def __init__(self, config: Config, runtime: Runtime) -> None:
        self.config = config
        self.runtime = runtime
        self.client = slack_client(config)
        self.app = build_app(
            runtime.core, signing_secret=config.secrets.slack_signing_secret or "", client=self.client,
            writer=runtime.writer, metrics=runtime.metrics, verify_requests=False,
            review=runtime.review, learning=runtime.learning,
        )
        self.socket_mode = bool(config.secrets.slack_app_token)
        self._socket: AsyncSocketModeHandler | None = None
        self._refresher: asyncio.Task[None] | None = None

    def describe(self) -> str:
        if self.socket_mode:
            return "Slack in Socket Mode"
        return f"Slack over HTTP at {self.config.settings.slack.events_path}"

    async def prepare(self) -> None:
        await check_team_channels(self.client, self.config)
        await directory.load(self.client, self.runtime.pseudonymiser)

    def routes(self) -> list[web.RouteDef]:
        if self.socket_mode:
            return []
        secret = self.config.secrets.slack_signing_secret
        if not secret:
            raise ValueError("HTTP mode needs the signing secret")
        handler = slack_endpoint(self.app, secret, self.runtime.metrics)
        return [web.post(self.config.settings.slack.events_path, handler)]

    async def connect(self) -> None:
        minutes = self.config.settings.slack.directory_refresh_minutes
        self._refresher = asyncio.create_task(
            directory.keep_fresh(self.client, self.runtime.pseudonymiser, minutes * 60)
        )
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.config.secrets.slack_app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]

    def courier(self) -> Courier:
        return SlackCourier(web_client(self.config.secrets.slack_bot_token or "", self.config.settings.slack.api_base_url))

    def review_board(self) -> ReviewBoard:
        return standalone_review_board(self.config)
