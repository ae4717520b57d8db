"""The aiohttp web server: ``GET /healthz`` and the routes each platform serves.

The server itself knows no platform: each adapter hands it its routes (``Platform.routes``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Iterable

from aiohttp import web

MAX_BODY_BYTES = 2 * 1024 * 1024
GUIDELINES_PATH = "/review/guidelines"  # the reviewers' labelling guidelines (bot/review_guidelines.md)
HEALTH_TIMEOUT_SECONDS = 2.0


def health_endpoint(report: Callable[[], dict[str, Any]]) -> Callable[[web.Request], Any]:
    """``GET /healthz``: 200 when the bot can do its job, 503 (with the reasons) when not.

    The report is built on a thread with a deadline: a database that another process holds
    locked makes it say so, never stall the event loop."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            status = await asyncio.wait_for(asyncio.to_thread(report), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            status = {"ok": False, "problems": ["storage: the health check could not read the database in time"]}
        return web.json_response(
            status, status=200 if status["ok"] else 503, dumps=lambda o: json.dumps(o, sort_keys=True)
        )

    return handle


async def guidelines_endpoint(request: web.Request) -> web.StreamResponse:
    """``GET /review/guidelines``: the labelling guidelines the review posts link to."""
    from importlib import resources

    text = resources.files("bot").joinpath("review_guidelines.md").read_text(encoding="utf-8")
    return web.Response(text=text, content_type="text/markdown", charset="utf-8")


def build_web_app(
    *,
    health: Callable[[], dict[str, Any]],
    routes: Iterable[web.RouteDef] = (),
) -> web.Application:
    """The web application: ``/healthz`` and the platforms' ``routes``."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", health_endpoint(health))
    web_app.router.add_get(GUIDELINES_PATH, guidelines_endpoint)
    web_app.router.add_routes(list(routes))
    return web_app


__all__ = ["GUIDELINES_PATH", "MAX_BODY_BYTES", "build_web_app", "guidelines_endpoint", "health_endpoint"]
