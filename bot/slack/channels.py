"""Start-up checks with Slack: the bot token is accepted, and every channel named in ``teams``
exists in the workspace. A failure is one line naming the cause and the fix."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from domain.errors import ConfigError, PlatformUnavailable, TeamweatherError

log = logging.getLogger(__name__)

# What a failed Web API call can raise: Slack's answer, or no answer at all.
SLACK_CALL_ERRORS = (SlackClientError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
# Slack's error codes for a bot token it does not accept.
REJECTED_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
     "not_allowed_token_type"}
)
# auth.test is tiny: an answer slower than this means Slack is not reachable. It bounds the
# connection-error retries of slack_sdk's retry handlers as well.
REACH_TIMEOUT_S = 30.0


def _network_reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    cause = getattr(exc, "os_error", None) or exc  # aiohttp's connector errors wrap the OS error
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return f"cannot resolve the host name: {cause.strerror}"
    if isinstance(exc, aiohttp.ClientSSLError) or isinstance(cause, ssl.SSLError):
        return f"TLS failed: {cause}"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def slack_call_error(exc: BaseException, method: str, base_url: str) -> TeamweatherError:
    """A failed start-up call to Slack's ``method`` as one line with the cause and the fix:
    ConfigError when the token or the app's scopes need fixing, PlatformUnavailable otherwise."""
    if isinstance(exc, SlackApiError):
        data: Any = exc.response.data
        answer = data if isinstance(data, dict) else {}
        code = answer.get("error")
        if code in REJECTED_TOKEN:
            return ConfigError(
                f"SLACK_BOT_TOKEN was rejected by Slack ({code}): set it to the app's Bot User "
                "OAuth Token (xoxb-…, on the app's OAuth & Permissions page; reinstall the app "
                "to the workspace if it was removed or its token revoked)"
            )
        if code == "missing_scope":
            needed = str(answer.get("needed") or "a scope")
            scopes = "scopes" if "," in needed else "scope"
            return ConfigError(
                f"the Slack app lacks the {needed} {scopes} that {method} needs: add "
                f"{'them' if scopes == 'scopes' else 'it'} under oauth_config.scopes.bot in "
                "manifest.yaml (or OAuth & Permissions → Bot Token Scopes), then reinstall the "
                "app to the workspace"
            )
        if not code:
            return PlatformUnavailable(
                f"{base_url} did not answer {method} like the Slack Web API (HTTP "
                f"{exc.response.status_code}): check slack.api_base_url"
            )
        return PlatformUnavailable(
            f"Slack answered {code} to {method}: try again shortly (status.slack.com says "
            "whether Slack has trouble)"
        )
    return PlatformUnavailable(
        f"cannot reach Slack at {base_url} ({_network_reason(exc)}): check the network and any "
        "proxy (HTTPS_PROXY), or slack.api_base_url"
    )


async def check_token(client: AsyncWebClient) -> None:
    """Ask Slack whether it accepts the bot token (auth.test), within REACH_TIMEOUT_S."""
    try:
        await asyncio.wait_for(client.auth_test(), REACH_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise PlatformUnavailable(
            f"cannot reach Slack at {client.base_url} (no answer within {REACH_TIMEOUT_S:.0f} s): "
            "check the network and any proxy (HTTPS_PROXY), or slack.api_base_url"
        ) from None
    except SLACK_CALL_ERRORS as exc:
        raise slack_call_error(exc, "auth.test", client.base_url) from None


async def check_team_channels(client: AsyncWebClient, config: Config) -> None:
    """Check the bot token, then raise ConfigError naming the teams' channels that Slack does
    not know. Without teams, log a warning: collecting is fine, but nothing will be digested."""
    await check_token(client)
    if not config.settings.teams:
        log.warning(
            "%s: no teams configured: enrolled channels are collected, but no digest will be "
            "sent until teams: lists them (see teamweather.example.yaml)",
            config.source,
        )
    unknown: list[str] = []
    for team in config.settings.teams:
        for channel in team.channel_ids("slack"):
            try:
                await client.conversations_info(channel=channel)
            except SlackApiError as exc:
                if exc.response.get("error") != "channel_not_found":
                    raise slack_call_error(exc, "conversations.info", client.base_url) from None
                unknown.append(f"{channel} (team {team.name})")
            except SLACK_CALL_ERRORS as exc:
                raise slack_call_error(exc, "conversations.info", client.base_url) from None
    if unknown:
        raise ConfigError(
            f"{config.source}: teams: unknown channel{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}: check the ids (channel details, at the bottom of the About tab); "
            "a private channel must have the app added first"
        )
