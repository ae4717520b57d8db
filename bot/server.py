"""The aiohttp web server: Slack's events endpoint (HTTP mode) and ``GET /healthz``.

The events endpoint checks everything about a request before the Bolt app sees it:
the signature (over the raw bytes), the encoding, and the shape of the envelope. So an
unsigned request never reaches Bolt (whose verification middleware would log its body),
and a signed but malformed one is acked without a trace, so that Slack does not retry it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.metrics import LogSummary, Metrics

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
HEALTH_TIMEOUT_SECONDS = 2.0


def _signature_problem(verifier: SignatureVerifier, raw: bytes, headers: Any) -> str | None:
    """Why the request is not signed by Slack, or None when it is."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return "unsigned"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "bad timestamp"
    if abs(verifier.clock.now() - int(timestamp)) > 60 * 5:
        return "stale"
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    return None if verifier.is_valid(body, timestamp, signature) else "bad signature"


def parse_payload(body: str, content_type: str) -> dict[str, Any] | None:
    """The request's payload as Bolt reads it; None when it is not a JSON or form object."""
    try:
        if content_type == "application/json" or body.startswith("{"):
            data = json.loads(body)
        else:
            form = dict(parse_qsl(body, keep_blank_values=True))
            data = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):  # JSON errors are ValueErrors; deep nesting recurses
        return None
    return data if isinstance(data, dict) else None


def well_formed(payload: dict[str, Any]) -> bool:
    """Whether the envelope has the shape of a request Teamweather handles. The events'
    contents are checked by the adapter (:mod:`bot.slack.convert`)."""
    kind = payload.get("type")
    if kind == "url_verification":
        return isinstance(payload.get("challenge"), str)
    if kind == "event_callback":
        event = payload.get("event")
        return (
            isinstance(payload.get("team_id"), str)
            and isinstance(event, dict)
            and isinstance(event.get("type"), str)
        )
    if "command" in payload:  # a slash command: form fields, so strings already
        return all(isinstance(payload.get(key), str) for key in ("command", "team_id", "user_id", "channel_id"))
    return False


def slack_endpoint(app: AsyncApp, signing_secret: str, metrics: Metrics | None = None) -> Callable[[web.Request], Any]:
    """An aiohttp handler that hands signed, well-formed Slack requests to the Bolt app."""
    verifier = SignatureVerifier(signing_secret)
    metrics = metrics or Metrics()
    rejections = LogSummary(log, "refused Slack requests")
    malformed = LogSummary(log, "ignored malformed Slack requests")

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        problem = _signature_problem(verifier, raw, request.headers)
        if problem is not None:
            metrics.count("slack_refused_requests")
            rejections.note(problem)
            return web.json_response({"error": "invalid signature"}, status=401)
        body = raw.decode("utf-8")  # checked above
        payload = parse_payload(body, request.content_type)
        if payload is None or not well_formed(payload):
            metrics.count("slack_malformed_requests")
            malformed.note("not JSON or a form" if payload is None else "unexpected envelope")
            return web.json_response({"ok": True, "ignored": "malformed"})
        try:
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
            response = await app.async_dispatch(bolt_request)
        except Exception as exc:  # a shape Bolt itself cannot read: ack, so Slack won't retry
            metrics.count("slack_malformed_requests")
            malformed.note(f"unreadable by Bolt ({type(exc).__name__})")
            return web.json_response({"ok": True, "ignored": "malformed"})
        if response.status == 404:  # no listener for it (an event we do not subscribe to)
            metrics.count("slack_unhandled_requests")
            return web.json_response({"ok": True, "ignored": "unhandled"})
        return await to_aiohttp_response(response)

    return handle


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


def build_web_app(
    *,
    health: Callable[[], dict[str, Any]],
    slack_app: AsyncApp | None = None,
    signing_secret: str | None = None,
    events_path: str = "/slack/events",
    metrics: Metrics | None = None,
) -> web.Application:
    """The web application; the Slack route is present in HTTP mode only."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", health_endpoint(health))
    if slack_app is not None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the signing secret")
        web_app.router.add_post(events_path, slack_endpoint(slack_app, signing_secret, metrics))
    return web_app


__all__ = ["build_web_app", "health_endpoint", "parse_payload", "slack_endpoint", "well_formed"]
