"""Start-up check that every channel named in ``teams`` exists in the workspace."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from bot.errors import ConfigError


async def check_team_channels(client: AsyncWebClient, config: Config) -> None:
    """Raise ConfigError naming the teams' channels that Slack does not know."""
    unknown: list[str] = []
    for team in config.settings.teams:
        for channel in team.channels:
            try:
                await client.conversations_info(channel=channel)
            except SlackApiError as exc:
                if exc.response.get("error") not in ("channel_not_found", "missing_scope"):
                    raise
                unknown.append(f"{channel} (team {team.name})")
    if unknown:
        raise ConfigError(
            f"{config.source}: teams: unknown channel{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}: check the ids (channel details, at the bottom of the About tab)"
        )
