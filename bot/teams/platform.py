"""Microsoft Teams as a :class:`bot.platform.Platform`: the Bot Framework messaging endpoint
(botbuilder's ``CloudAdapter``) on the shared web server, the member directory of the teams
the bot is in, personal chats for digests and alerts, and the HR review channel (issue
[review]: ``review.channel: msteams:19:…``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import BotFrameworkAuthentication, CertificateServiceClientCredentialsFactory

from bot.config import Config
from bot.delivery import Courier
from bot.platform_ids import bare, platform_of
from bot.review import ReviewBoard
from bot.teams.clients import ReusedClients
from bot.teams.bot import TeamweatherBot, review_channel_key
from bot.teams.directory import TeamsDirectory
from bot.teams.endpoint import teams_endpoint
from domain.errors import ConfigError
from storage import connect, conversations

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

__all__ = ["TeamsPlatform", "authentication", "review_channel", "standalone_courier", "standalone_review_board"]


def authentication(config: Config) -> BotFrameworkAuthentication:
    """Bot Framework authentication from the configured secrets: the app id, and its client
    secret or certificate. Never disabled: without an app id this refuses to build."""
    s = config.secrets
    if not s.msteams_app_id:
        raise ConfigError("MICROSOFT_APP_ID is not set (Teams cannot run without Bot Framework authentication)")
    tenant = s.msteams_tenant_id if s.msteams_app_type == "SingleTenant" else None
    settings = SimpleNamespace(
        APP_ID=s.msteams_app_id, APP_PASSWORD=s.msteams_app_password or "", APP_TYPE=s.msteams_app_type,
        APP_TENANTID=tenant or "",
    )
    if s.msteams_certificate_thumbprint and s.msteams_certificate_key:
        certificate = CertificateServiceClientCredentialsFactory(
            s.msteams_certificate_thumbprint, s.msteams_certificate_key, s.msteams_app_id, tenant
        )
        return ConfigurationBotFrameworkAuthentication(settings, credentials_factory=certificate)
    return ConfigurationBotFrameworkAuthentication(settings)


class TeamsPlatform:
    """Teams over HTTP at ``msteams.messages_path``. ``auth`` replaces the authentication built
    from the secrets: the only way to run without it (tests), never reachable from configuration."""

    name = "msteams"

    def __init__(self, config: Config, runtime: Runtime, *, auth: BotFrameworkAuthentication | None = None) -> None:
        self.config = config
        self.runtime = runtime
        self.app_id = config.secrets.msteams_app_id or ""
        self.adapter = CloudAdapter(ReusedClients(auth if auth is not None else authentication(config)))
        settings = config.settings.msteams
        self.directory = TeamsDirectory(runtime.pseudonymiser, settings.directory_refresh_minutes * 60)
        self.bot = TeamweatherBot(
            runtime.core, self.directory, app_id=self.app_id, writer=runtime.writer, metrics=runtime.metrics,
            recipients=config.settings.recipients("msteams"),
            review=runtime.review, review_channel=review_channel(config), learning=runtime.learning,
        )
        self._refresher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def describe(self) -> str:
        return f"Microsoft Teams over HTTP at {self.config.settings.msteams.messages_path}"

    async def prepare(self) -> None:
        # Nothing to ask Teams before a conversation exists: the credentials are first used when
        # a reply is sent, and each team's roster is loaded when the bot meets the team.
        log.info("Teams: Bot Framework messaging endpoint at %s (app %s)",
                 self.config.settings.msteams.messages_path, "configured" if self.app_id else "without authentication")

    def routes(self) -> list[web.RouteDef]:
        handler = teams_endpoint(self.adapter, self.bot, self.runtime.metrics)
        return [web.post(self.config.settings.msteams.messages_path, handler)]

    async def connect(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._refresher = asyncio.create_task(self.directory.keep_fresh(self.adapter, self.app_id))

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher

    def courier(self) -> Courier:
        from bot.teams.courier import TeamsCourier

        return TeamsCourier(self.adapter, self.app_id, _references(self.config), loop=self._loop)

    def review_board(self) -> ReviewBoard:
        from bot.teams.review_board import TeamsReviewBoard

        return TeamsReviewBoard(self.adapter, self.app_id, _stored(self.config, review_channel_key), loop=self._loop)


def review_channel(config: Config) -> str | None:
    """The review channel's ``19:…`` id when review is on and its channel is on Teams, else None."""
    r = config.settings.review
    if not r.enabled or r.channel is None or platform_of(r.channel) != "msteams":
        return None
    return bare(r.channel)


def standalone_courier(config: Config) -> Courier:
    """A courier outside the running bot (``teamweather digest --send``): its own adapter."""
    from bot.teams.courier import TeamsCourier

    adapter = CloudAdapter(ReusedClients(authentication(config)))
    return TeamsCourier(adapter, config.secrets.msteams_app_id or "", _references(config))


def standalone_review_board(config: Config) -> ReviewBoard:
    """The review channel outside the running bot (the review job run by a command): its own
    adapter, the channel's address read from the database."""
    from bot.teams.review_board import TeamsReviewBoard

    adapter = CloudAdapter(ReusedClients(authentication(config)))
    return TeamsReviewBoard(adapter, config.secrets.msteams_app_id or "", _stored(config, review_channel_key))


def _stored(config: Config, key: Callable[[str], str]) -> Callable[[str], dict[str, Any] | None]:
    """A stored conversation reference by ``key(id)`` (a person's personal chat, the review
    channel's address), read on the caller's own connection: couriers and boards run on the
    scheduler's thread."""
    path = config.settings.database

    def reference(ident: str) -> dict[str, Any] | None:
        db = connect(path)
        try:
            return conversations.get(db, key(ident))
        finally:
            db.close()

    return reference


def _personal_chat(user: str) -> str:
    """Where a person's personal chat with the bot is stored (by Entra object id)."""
    return f"msteams:{user.lower()}"


def _references(config: Config) -> Callable[[str], dict[str, Any] | None]:
    """A person's stored personal chat by their Entra object id (what the courier reads)."""
    return _stored(config, _personal_chat)
