"""At start-up, every channel named under ``teams`` must exist in the workspace."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config, Secrets, parse_settings
from domain.errors import ConfigError
from bot.slack.channels import check_team_channels
from slack_fake import FakeSlack, start_fake_slack


def config(tmp_path: Path, channels: list[str]) -> Config:
    teams = [{"name": "Platform", "channels": channels, "managers": ["U0000000001"]}] if channels else []
    settings = parse_settings({"database": str(tmp_path / "t.db"), "teams": teams}, "teamweather.yaml")
    return Config(settings, Secrets(pseudonym_key=b"k" * 32), "teamweather.yaml")


async def test_unknown_team_channels_stop_start_up_with_their_names(tmp_path: Path) -> None:
    fake = await start_fake_slack(FakeSlack(known_channels={"CKNOWN0001"}))
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    try:
        await check_team_channels(client, config(tmp_path, ["CKNOWN0001"]))  # fine
        with pytest.raises(ConfigError) as err:
            await check_team_channels(client, config(tmp_path, ["CKNOWN0001", "CGONE00001", "CGONE00002"]))
    finally:
        await fake.server.close()  # type: ignore[union-attr]
    assert str(err.value).startswith("teamweather.yaml: teams: unknown channels CGONE00001 (team Platform), CGONE00002")


async def test_no_teams_is_a_warning_not_an_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = await start_fake_slack(FakeSlack())
    try:
        with caplog.at_level(logging.WARNING, logger="bot.slack.channels"):
            await check_team_channels(AsyncWebClient(token="xoxb-test", base_url=fake.api_url), config(tmp_path, []))
    finally:
        await fake.server.close()  # type: ignore[union-attr]
    [record] = [r for r in caplog.records if r.name == "bot.slack.channels"]
    assert record.levelno == logging.WARNING and "no teams configured" in record.getMessage()
    assert fake.called("auth.test")  # the token was still checked
