"""The aiohttp web server: ``GET /healthz`` and the routes each platform serves.

The server itself knows no platform: each adapter hands it its routes (``Platform.routes``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import web

from bot import texts
from bot.core import MYDATA_PATH
from domain.errors import StorageBusy

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


_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def mydata_page(request: web.Request) -> web.StreamResponse:
    """``GET /mydata/<token>``: a page with one button that downloads the file. A GET spends
    nothing, so a link preview or a mail scanner fetching the link cannot use it up (or
    receive the data); only the person's press (a POST) does."""
    return web.Response(text=texts.MYDATA_PAGE, content_type="text/html", charset="utf-8", headers=_HEADERS)


def mydata_endpoint(fetch: Callable[[str], Awaitable[dict[str, Any] | None]]) -> Callable[[web.Request], Any]:
    """``POST /mydata/<token>``: the file a ``/teamweather mydata`` link leads to, once; 404
    for a link unknown, used or expired; 503 when the database is too busy."""

    async def handle(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        headers = dict(_HEADERS)
        if not 0 < len(token) <= 100:
            return web.Response(status=404, text=texts.MYDATA_GONE, headers=headers)
        try:
            data = await fetch(token)
        except StorageBusy:
            return web.Response(status=503, text=texts.BUSY, headers=headers)
        if data is None:
            return web.Response(status=404, text=texts.MYDATA_GONE, headers=headers)
        headers["Content-Disposition"] = 'attachment; filename="teamweather-mydata.json"'
        body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        return web.Response(text=body, content_type="application/json", charset="utf-8", headers=headers)

    return handle


def build_web_app(
    *,
    health: Callable[[], dict[str, Any]],
    routes: Iterable[web.RouteDef] = (),
    mydata: Callable[[str], Awaitable[dict[str, Any] | None]] | None = None,
) -> web.Application:
    """The web application: ``/healthz``, the guidelines, ``/mydata/<token>`` (with
    ``mydata``) and the platforms' ``routes``."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", health_endpoint(health))
    web_app.router.add_get(GUIDELINES_PATH, guidelines_endpoint)
    if mydata is not None:
        web_app.router.add_get(MYDATA_PATH + "/{token}", mydata_page)
        web_app.router.add_post(MYDATA_PATH + "/{token}", mydata_endpoint(mydata))
    web_app.router.add_routes(list(routes))
    return web_app


__all__ = ["GUIDELINES_PATH", "MAX_BODY_BYTES", "build_web_app", "guidelines_endpoint", "health_endpoint",
           "mydata_endpoint"]
