"""Socket Mode: the same app behind Slack's websocket transport, acked after the inbox write."""

from __future__ import annotations

from pathlib import Path

from conftest import ADMIN, CHANNEL, event_body, message_event, running_bot
from slack_fake import TEAM_ID


async def test_socket_mode_command_and_event(tmp_path: Path) -> None:
    async with running_bot(tmp_path, app_token="xapp-test") as bot:
        async with bot.session.post(f"{bot.url}/slack/events", data="{}") as resp:
            assert resp.status == 404  # no HTTP events endpoint in Socket Mode
        ack = await bot.fake.push("slash_commands", {
            "command": "/teamweather", "text": "optin", "user_id": ADMIN, "channel_id": CHANNEL,
            "team_id": TEAM_ID, "response_url": bot.fake.response_url(),
        })
        assert ack["payload"]["response_type"] == "in_channel"
        ack = await bot.fake.push("events_api", event_body(message_event("lovely work, thank you")))
        assert bot.count("inbox") + bot.count("scores") == 1  # stored before the ack
        await bot.drained()
        assert bot.scores()[0]["sentiment"] == "positive"
