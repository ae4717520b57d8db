"""A tiny local HTTP server imitating the parts of the Slack Web API that Teamweather calls,
in the spirit of bolt-python's own mock Web API server. Tests point ``AsyncWebClient``'s
``base_url`` at it and read back what was called."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_USER_ID = "UBOTTEAMWX"
TEAM_ID = "T0TEST0001"


@dataclass
class FakeSlack:
    """State and call log of the fake Web API."""

    users: list[dict[str, Any]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # methods that answer ok: false
    private_channels: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # posted to response_url
    page_size: int = 2
    server: TestServer | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str = "r1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/respond/{name}"))

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for m, params in self.calls if m == method]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        body = await request.text()
        if request.content_type == "application/json":
            return json.loads(body or "{}")
        return dict(parse_qsl(body)) | dict(request.query)

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if method in self.failing:
            return web.json_response({"ok": False, "error": "internal_error"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(params))

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER_ID, "bot_id": "BBOT", "team_id": TEAM_ID, "user": "teamweather"}

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        start = int(params.get("cursor") or 0)
        page = self.users[start : start + self.page_size]
        more = start + self.page_size < len(self.users)
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": str(start + self.page_size) if more else ""}}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel") in self.private_channels:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        return {"ok": True, "channel": {"id": params.get("channel")}}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        assert self.server is not None
        return {"ok": True, "url": str(self.server.make_url("/link")).replace("http://", "ws://")}

    async def link(self, request: web.Request) -> web.WebSocketResponse:
        """The Socket Mode websocket: says hello, then records every ack the app sends."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TEST"}})
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
        return ws

    async def push(self, kind: str, payload: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send an envelope over Socket Mode and wait for the app's ack of it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.sockets:
            assert asyncio.get_running_loop().time() < deadline, "the app never connected"
            await asyncio.sleep(0.01)
        envelope_id = str(uuid.uuid4())
        await self.sockets[-1].send_json({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": "",
        })
        while True:
            for ack in self.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            assert asyncio.get_running_loop().time() < deadline, "no ack for the envelope"
            await asyncio.sleep(0.01)

    async def respond(self, request: web.Request) -> web.Response:
        self.responses.append(json.loads(await request.text()))
        return web.Response(text="ok")


async def start_fake_slack(fake: FakeSlack) -> FakeSlack:
    """Start ``fake`` on a free loopback port."""
    app = web.Application()
    app.router.add_route("*", "/api/{method}", fake.api)
    app.router.add_post("/respond/{name}", fake.respond)
    app.router.add_get("/link", fake.link)
    fake.server = TestServer(app, host="127.0.0.1")
    await fake.server.start_server()
    return fake
