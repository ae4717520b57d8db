"""Slack's events endpoint (HTTP mode), in front of the Bolt app.

It checks everything about a request before the Bolt app sees it: the signature (over the
raw bytes), the encoding, and the shape of the envelope. So an unsigned request never
reaches Bolt (whose verification middleware would log its body), and a signed but malformed
event is acked without a trace, so that Slack does not retry it.

Interactivity requests (a press of a review button or of a ``/mytraining`` button, or the
``/mytraining`` setup modal submitted: a form whose one field, ``payload``, is JSON) come to the
same path and are checked as strictly (a review button down to its value; what a
``/mytraining`` value means is checked by the core, and the app answers a bad one 400 as well):
a signed one that is malformed in any way is answered 400 (Slack does not retry those, and the
person's client shows that the press failed) and never reaches Bolt.
"""

from __future__ import annotations

import hashlib
import hmac
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
from bot.slack.convert import MalformedEvent, from_interaction

__all__ = ["interaction_problem", "is_interaction", "parse_interaction", "parse_payload", "slack_endpoint", "well_formed"]

log = logging.getLogger(__name__)


def _signature_problem(verifier: SignatureVerifier, raw: bytes, headers: Any) -> str | None:
    """Why the request is not signed by Slack, or None when it is.

    The signature is checked over the raw bytes, so that a signed body that is not UTF-8 is
    Slack's malformed request (ignored), not a forgery. slack_sdk's ``SignatureVerifier``
    takes the body as text, so the HMAC it computes (v0:timestamp:body, SHA-256) is made here
    over the bytes; the verifier still supplies the clock."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return "unsigned"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "bad timestamp"
    if abs(verifier.clock.now() - int(timestamp)) > 60 * 5:
        return "stale"
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(verifier.signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "bad signature"


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


def is_interaction(raw: bytes, content_type: str) -> bool:
    """Whether the request is an interactivity payload (``payload=<json>``, form-encoded), by
    its first bytes, so that one that is not even UTF-8 is recognised too."""
    return content_type != "application/json" and raw.startswith(b"payload=")


def parse_interaction(raw: bytes) -> dict[str, Any] | None:
    """An interactivity request's payload: the form's one field, ``payload``, a JSON object;
    None for anything else (not UTF-8, before or after percent-decoding; other fields; not
    JSON; not an object)."""
    try:
        fields = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True, errors="strict")
        if len(fields) != 1 or fields[0][0] != "payload":
            return None
        data = json.loads(fields[0][1])
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSON errors are ValueErrors
        return None
    return data if isinstance(data, dict) else None


def interaction_problem(payload: dict[str, Any] | None) -> str | None:
    """Why an interactivity payload is not a press (or a submission) Teamweather handles, or None."""
    if payload is None:
        return "interaction not a form with a JSON object"
    try:
        from_interaction(payload)
    except MalformedEvent as exc:
        return str(exc)
    return None


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
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:  # not read, so not verified either
            metrics.count("slack_oversized_requests")
            malformed.note("too large")
            return web.json_response({"error": "request too large"}, status=413)
        problem = _signature_problem(verifier, raw, request.headers)
        if problem is not None:
            metrics.count("slack_refused_requests")
            rejections.note(problem)
            return web.json_response({"error": "invalid signature"}, status=401)
        if is_interaction(raw, request.content_type):
            why = interaction_problem(parse_interaction(raw))
            if why is not None:
                metrics.count("slack_malformed_requests")
                malformed.note(why)
                return web.json_response({"error": "malformed request"}, status=400)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            metrics.count("slack_malformed_requests")
            malformed.note("not UTF-8")
            return web.json_response({"ok": True, "ignored": "malformed"})
        payload = parse_payload(body, request.content_type)
        if payload is None or not (well_formed(payload) or is_interaction(raw, request.content_type)):
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
