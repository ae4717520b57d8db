"""The demo's Slack: the sample workspace's events as signed Events API requests through the
real Bolt app, and its slash commands through the adapter's conversion and the core (not over
Bolt, which would call Slack to join channels)."""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

from aiohttp import web
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Reply, Teamweather
from bot.metrics import Metrics
from bot.slack.app import build_app
from bot.slack.convert import from_command
from bot.slack.endpoint import slack_endpoint
from bot.slack.markup import to_plain

__all__ = ["SlackReplay"]

EVENTS_PATH = "/slack/events"


class SlackReplay:
    """Replays a sample workspace (``bot/demo_data/workspace.json``) into ``core``."""

    name = "slack"

    def __init__(self, core: Teamweather, workspace: dict[str, Any], signing_secret: str, metrics: Metrics) -> None:
        self.core = core
        self.team_id: str = workspace["team_id"]
        self.signing_secret = signing_secret
        self.metrics = metrics

        async def offline_authorize(**_: Any) -> AuthorizeResult:  # the demo never calls Slack
            return AuthorizeResult(enterprise_id=None, team_id=self.team_id, bot_token="xoxb-demo",
                                   bot_id="B0DEMO", bot_user_id="U0DEMOBOT00")

        self.app = build_app(core, signing_secret=signing_secret, client=AsyncWebClient(token="xoxb-demo"),
                             authorize=offline_authorize, metrics=metrics)

    async def event(self, event: dict[str, Any], event_id: str, event_time: int, retry: int = 0) -> int:
        """Dispatch one message event as Slack would send it; the HTTP status of the ack."""
        body = {
            "type": "event_callback", "team_id": self.team_id, "api_app_id": "A0DEMO",
            "event": event, "event_id": event_id, "event_time": event_time,
        }
        response = await self.app.async_dispatch(self._signed(body, retry))
        return response.status

    def command(self, command: dict[str, Any]) -> Reply:
        """Run one ``/teamweather`` command of the sample."""
        return self.core.command(from_command({"team_id": self.team_id, **command}))

    def routes(self) -> list[web.RouteDef]:
        """The live events endpoint, for the demo's hostile round."""
        return [web.post(EVENTS_PATH, slack_endpoint(self.app, self.signing_secret, self.metrics))]

    def plain(self, text: str) -> str:
        """A Slack message's text as the core receives it."""
        return to_plain(text)

    def _signed(self, body: dict[str, Any], retry: int) -> AsyncBoltRequest:
        raw = json.dumps(body)
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(self.signing_secret).generate_signature(timestamp=timestamp, body=raw)
        headers: dict[str, str | Sequence[str]] = {
            "content-type": "application/json",
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature or "",
        }
        if retry:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
        return AsyncBoltRequest(body=raw, headers=headers)
