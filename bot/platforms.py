"""Which platforms run: the one module that imports the adapters (``bot/slack/``, later
``bot/teams/``), each only when it is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from aiohttp import web

from bot.config import Config, require_slack_token
from bot.core import Reply, Teamweather
from bot.delivery import Courier, PlatformCouriers
from bot.metrics import Metrics
from bot.platform import Platform
from bot.report import Payload
from bot.review import ReviewBoard

if TYPE_CHECKING:
    from pathlib import Path

    from bot.runtime import Runtime

__all__ = ["Replay", "courier", "enabled", "review_board", "payloads", "plain_text", "replay", "replay_workspace", "teams_package"]


def enabled(config: Config, runtime: Runtime) -> list[Platform]:
    """The enabled platforms, wired to ``runtime`` (none started)."""
    running: list[Platform] = []
    if config.settings.slack.enabled:
        from bot.slack.platform import SlackPlatform

        running.append(SlackPlatform(config, runtime))
    if config.settings.msteams.enabled:
        from bot.teams.platform import TeamsPlatform

        running.append(TeamsPlatform(config, runtime))
    return running


def courier(config: Config) -> Courier:
    """What delivers digests and alerts outside a running bot (``teamweather digest --send``),
    on every enabled platform."""
    couriers: dict[str, Courier] = {}
    if config.settings.slack.enabled:
        from bot.slack.courier import SlackCourier, web_client

        require_slack_token(config)
        couriers["slack"] = SlackCourier(web_client(config.secrets.slack_bot_token or "", config.settings.slack.api_base_url))
    if config.settings.msteams.enabled:
        from bot.teams.platform import standalone_courier

        couriers["msteams"] = standalone_courier(config)
    return PlatformCouriers(couriers)


def review_board(config: Config) -> dict[str, ReviewBoard]:
    """What posts to the review channel outside a running bot (the scheduled review jobs), by
    platform name, on every enabled platform: give :func:`bot.review.post_pending` all of them,
    it picks the review channel's."""
    boards: dict[str, ReviewBoard] = {}
    if config.settings.slack.enabled:
        from bot.slack.platform import standalone_review_board as slack_board

        require_slack_token(config)
        boards["slack"] = slack_board(config)
    if config.settings.msteams.enabled:
        from bot.teams.platform import standalone_review_board as teams_board

        boards["msteams"] = teams_board(config)
    return boards


def payloads(config: Config | None = None) -> dict[str, Payload]:
    """How each configured platform renders a report as its own message JSON (for previews
    and the demo's outbox); every platform when ``config`` is None."""
    from bot.slack.render import payload

    rendered: dict[str, Payload] = {"slack": payload}
    if config is None or config.settings.msteams.enabled:
        from bot.teams.render import payload as teams_payload

        rendered["msteams"] = teams_payload
    return rendered


def plain_text(platform: str) -> Callable[[str], str]:
    """The adapter's conversion of its message markup into the core's neutral text (for
    ``teamweather analyze``, whose files hold messages as the platform wrote them)."""
    if platform != "slack":
        raise ValueError(f"unknown platform {platform!r}")
    from bot.slack.markup import to_plain

    return to_plain


class Replay(Protocol):
    """A platform's side of ``teamweather demo``: the sample's events and commands, sent
    through the adapter as the platform would send them. A replay that holds resources (a
    loopback server) is also an async context manager: enter it before the first event."""

    name: str

    async def event(self, event: dict[str, Any], event_id: str, event_time: int, retry: int = 0) -> int:
        """Deliver one event; the HTTP status of the adapter's answer."""
        ...

    def command(self, command: dict[str, Any]) -> Reply | Awaitable[Reply]:
        """Run one command of the sample (awaitable where the adapter answers over HTTP)."""
        ...

    def routes(self) -> list[web.RouteDef]:
        """The adapter's live endpoint (the demo's hostile round posts to it)."""
        ...

    def plain(self, text: str) -> str:
        """A sample message's text (Slack markup) as the core receives it from this adapter."""
        ...


def replay(
    core: Teamweather, workspace: dict[str, Any], signing_secret: str, metrics: Metrics, platform: str = "slack"
) -> Replay:
    """The demo's replay of ``workspace`` on ``platform``: Slack (``bot/slack/replay.py``), or
    the same messages as Teams would send them (``bot/teams/replay.py``, which needs no
    signing secret). ``workspace`` is the sample as ``bot/demo_data/workspace.json`` has it;
    ``core`` is configured with :func:`replay_workspace`'s ids."""
    if platform == "msteams":
        from bot.teams.replay import TeamsReplay

        return TeamsReplay(core, workspace, metrics)
    if platform != "slack":
        raise ValueError(f"unknown platform {platform!r}")
    from bot.slack.replay import SlackReplay

    return SlackReplay(core, workspace, signing_secret, metrics)


def replay_workspace(workspace: dict[str, Any], platform: str = "slack") -> dict[str, Any]:
    """The sample workspace with ``platform``'s ids (its team id, members, channels, admins and
    the teams' channels and managers), for the demo's core and settings."""
    if platform == "msteams":
        from bot.teams.replay import teams_workspace

        return teams_workspace(workspace)
    if platform != "slack":
        raise ValueError(f"unknown platform {platform!r}")
    return workspace


def teams_package(out: Path, app_id: str, version: str, *, name: str, domain: str | None, website_url: str | None,
                  privacy_url: str | None, terms_url: str | None) -> list[str]:
    """Write the Microsoft Teams app package to ``out`` (``teamweather teams-package``, see
    ``bot/teams/package.py``); the warnings to show (developer URLs left at placeholders).
    ConfigError if Teams would refuse it."""
    from bot.teams import package

    app = package.app(app_id, version, name=name, domain=domain, website_url=website_url, privacy_url=privacy_url,
                      terms_url=terms_url)
    package.write(out, app)
    return package.placeholders(app)
