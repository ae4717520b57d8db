"""Teams' messaging endpoint (``msteams.messages_path``), in front of the CloudAdapter.

It checks a request before the SDK runs the bot, in this order:

1. size (at most :data:`MAX_BODY_BYTES`; larger is 413, counted as
   ``msteams_oversized_requests``, as on Slack);
2. Bot Framework authentication, by the SDK (``authenticate_request``: the JWT, its issuer,
   audience and signing keys, the service URL it names): any failure is 401, counted as
   ``msteams_refused_requests``, whatever the body holds. Without an ``Authorization`` header
   the SDK refuses before fetching any key. Only a platform built by tests without
   credentials accepts anonymous requests;
3. UTF-8, JSON, and the shape of the fields the adapter reads
   (:func:`bot.teams.convert.parse_activity`): an authenticated request that fails them is
   answered 200 and ignored (nothing stored, counted as ``msteams_malformed_requests``), so
   that no retry comes. A card press (a ``message`` with a ``value``: a button pressed on a card,
   or a form submitted) is the exception: one that is not a well-formed press
   (:func:`bot.teams.convert.card_press`: the ``value``'s shape, a review press's
   ``<flag id>:<choice>``, the presser's ids), or whose activity fails the shape, is answered 400
   (counted as ``msteams_malformed_presses``) and the bot never sees it, so nothing is stored;
4. the turn (:class:`bot.teams.bot.TeamweatherBot`): ``StorageBusy`` or a roster that cannot be
   loaded yet is 503 (nothing stored: Teams may send it again); a review press handled before
   (the same activity again: ``ReplayedPress``) is 409, having changed and said nothing; a
   ``/mytraining`` press or form whose value the core does not accept (``MalformedPress`` from
   the turn, raised before anything is stored or sent) is 400, as above; any other failure is
   logged by type and answered 200, never 5xx.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from bot.metrics import LogSummary, Metrics
from bot.teams.bot import ReplayedPress, TeamweatherBot
from bot.teams.convert import MalformedActivity, MalformedPress, card_press, is_card_press, parse_activity
from bot.teams.directory import DirectoryUnavailable
from domain.errors import StorageBusy

__all__ = ["MAX_BODY_BYTES", "teams_endpoint"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024  # a Teams message is at most about 100 KB, with its HTML


def _ignored(reason: str) -> web.Response:
    return web.json_response({"ok": True, "ignored": reason})


def _bad_press() -> web.Response:
    return web.json_response({"error": "not a Teamweather review action"}, status=400)


async def _body(request: web.Request) -> dict[str, Any] | str:
    """The request's JSON object, or why it is not one."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return "too large"
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):  # what has arrived, up to 64 KB
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return "too large"
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8"
    except (ValueError, RecursionError):  # JSON errors are ValueErrors; deep nesting recurses
        return "not JSON"
    return data if isinstance(data, dict) else "not an object"


def teams_endpoint(
    adapter: CloudAdapter, bot: TeamweatherBot, metrics: Metrics | None = None
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An aiohttp handler that hands authenticated, well-formed activities to ``bot``."""
    metrics = metrics or Metrics()
    refused = LogSummary(log, "refused Teams requests")
    malformed = LogSummary(log, "ignored malformed Teams requests")

    async def authenticated(activity: Activity, header: str) -> Any:
        """The SDK's claims for ``header``, or None (counted, noted) when it refuses them."""
        try:
            return await adapter.bot_framework_authentication.authenticate_request(activity, header)
        except Exception as exc:  # PermissionError, a JWT error, keys out of reach: all refused
            metrics.count("msteams_refused_requests")
            refused.note(type(exc).__name__)
            return None

    async def handle(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        data = await _body(request)
        if data == "too large":  # not read, so not authenticated either: as on Slack
            metrics.count("msteams_oversized_requests")
            malformed.note("too large")
            return web.json_response({"error": "request too large"}, status=413)
        try:
            if isinstance(data, str):
                raise MalformedActivity(data)
            parsed = parse_activity(data)
            activity = Activity().deserialize(data)
        except Exception as exc:  # MalformedActivity, or a shape the SDK's model cannot read
            # Refused before ignored, as on Slack: the credentials are checked against what can
            # be read of the activity (Teams, its service URL when it is a string).
            service_url = data.get("serviceUrl") if isinstance(data, dict) else None
            stub = Activity(channel_id="msteams", service_url=service_url if isinstance(service_url, str) else None)
            if await authenticated(stub, header) is None:
                return web.json_response({"error": "unauthorized"}, status=401)
            if isinstance(data, dict) and is_card_press(data):
                metrics.count("msteams_malformed_presses")
                malformed.note("a card press of the wrong shape")
                return _bad_press()
            metrics.count("msteams_malformed_requests")
            malformed.note(str(exc) if isinstance(exc, MalformedActivity) else f"unreadable by the SDK ({type(exc).__name__})")
            return _ignored("malformed")
        auth = await authenticated(activity, header)
        if auth is None:
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            card_press(parsed)
        except MalformedPress as exc:
            metrics.count("msteams_malformed_presses")
            malformed.note(str(exc))
            return _bad_press()
        try:
            response = await adapter.process_activity(auth, activity, lambda turn: bot.handle(turn, parsed))
        except StorageBusy:
            metrics.count("storage_busy")
            return web.json_response({"error": "storage busy, retry later"}, status=503)
        except ReplayedPress:
            return web.json_response({"error": "this action was handled already"}, status=409)
        except MalformedPress as exc:  # a value the core refused, before storing anything
            metrics.count("msteams_malformed_presses")
            malformed.note(str(exc))
            return _bad_press()
        except DirectoryUnavailable as exc:
            metrics.count("msteams_directory_unavailable")
            log.warning("%s: a message was refused (503) rather than stored with names in it", exc)
            return web.json_response({"error": "member directory unavailable, retry later"}, status=503)
        except Exception as exc:  # the type only: an exception's message may quote the activity
            metrics.count("msteams_handler_errors")
            log.error("a Teams activity failed (%s); it was acked", type(exc).__name__)
            return _ignored("failed")
        if response is None:
            return web.json_response({"ok": True})
        if response.status is None or response.status >= 500:  # an invoke the bot does not handle
            metrics.count("msteams_unhandled_requests")
            return _ignored("unhandled")
        return web.json_response(response.body, status=response.status)

    return handle
