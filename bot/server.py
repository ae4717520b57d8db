"""The aiohttp web server: Slack's events endpoint (HTTP mode) and ``GET /healthz``."""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

WORKER_STALE_SECONDS = 30.0
MAX_BODY_BYTES = 2 * 1024 * 1024


def slack_endpoint(app: AsyncApp, signing_secret: str) -> Callable[[web.Request], Any]:
    """An aiohttp handler that hands signed Slack requests to the Bolt app."""
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.text()
        try:
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
        except ValueError:  # Bolt parses the body before checking the signature
            if not verifier.is_valid_request(body, dict(request.headers)):
                return web.json_response({"error": "invalid signature"}, status=401)
            return web.json_response({"error": "malformed body"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return handle


def health_endpoint(report: Callable[[], dict[str, Any]]) -> Callable[[web.Request], Any]:
    """``GET /healthz``: 200 with inbox depth and worker liveness, 503 when unhealthy."""

    async def handle(request: web.Request) -> web.StreamResponse:
        status = report()
        return web.json_response(
            status, status=200 if status["ok"] else 503, dumps=lambda o: json.dumps(o, sort_keys=True)
        )

    return handle


def health_report(inbox_depth: int, worker_alive: bool, last_beat: float, scored: int) -> dict[str, Any]:
    """The body of ``/healthz``; ``last_beat`` is a ``time.monotonic()`` reading."""
    beat_age = time.monotonic() - last_beat
    ok = worker_alive and beat_age < WORKER_STALE_SECONDS
    return {
        "ok": ok,
        "inbox_depth": inbox_depth,
        "worker": {"alive": worker_alive, "seconds_since_heartbeat": round(beat_age, 3), "scored": scored},
    }


def build_web_app(
    *,
    health: Callable[[], dict[str, Any]],
    slack_app: AsyncApp | None = None,
    signing_secret: str | None = None,
    events_path: str = "/slack/events",
) -> web.Application:
    """The web application; the Slack route is present in HTTP mode only."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", health_endpoint(health))
    if slack_app is not None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the signing secret")
        web_app.router.add_post(events_path, slack_endpoint(slack_app, signing_secret))
    return web_app
