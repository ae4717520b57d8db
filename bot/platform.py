"""The platform contract: what each chat platform's adapter implements.

Modelled on errbot's backend base class: a short, explicit list. An adapter is one
sub-package (``bot/slack/``, ``bot/teams/``) and the only code that imports its platform's
SDK; :mod:`bot.platforms` is the only code that imports the adapters. Everything else talks
to a platform through this contract and the core's neutral messages (:mod:`bot.core`,
:mod:`bot.report`), which each adapter renders in its own format.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.delivery import Courier
from bot.review import ReviewBoard

__all__ = ["Platform"]


class Platform(Protocol):
    """One chat platform, wired to the running core."""

    name: str  # as in teamweather.yaml: "slack", "msteams"

    def describe(self) -> str:
        """One line for the log: how this platform is reached (HTTP path, socket)."""
        ...

    async def prepare(self) -> None:
        """Before anything is served: check that the platform accepts the credentials and
        knows the configured teams' channels, and load the member directory (the names the
        pseudonymiser strips). Raise ``ConfigError`` or ``PlatformUnavailable`` with one line."""
        ...

    def routes(self) -> list[web.RouteDef]:
        """The HTTP endpoints it serves on the shared web server (none for a socket)."""
        ...

    async def connect(self) -> None:
        """Once the web server listens: open any socket connection and start background
        work (the directory's refresh)."""
        ...

    async def close(self) -> None:
        """Stop what ``connect`` started."""
        ...

    def courier(self) -> Courier:
        """What delivers digests and alerts to people on this platform (used by the
        scheduled jobs, on their own thread)."""
        ...

    def review_board(self) -> ReviewBoard:
        """What posts flagged messages to the review channel, updates a post and replies in
        its thread (used by the scheduled jobs, on their own thread)."""
        ...
