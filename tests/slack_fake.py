"""A tiny local HTTP server imitating the parts of the Slack Web API that Teamweather calls,
in the spirit of bolt-python's own mock Web API server. Tests point ``AsyncWebClient``'s
``base_url`` at it and read back what was called."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

from loopback import serving_in_thread

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
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    known_channels: set[str] = field(default_factory=set)  # what conversations.info finds
    rate_limited: dict[str, int] = field(default_factory=dict)  # method -> 429s still to answer
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> posts
    ephemeral: list[dict[str, Any]] = field(default_factory=list)  # chat.postEphemeral: channel, user, text
    views: list[dict[str, Any]] = field(default_factory=list)  # modals opened (views.open)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # user -> their App Home (views.publish)
    files: dict[str, bytes] = field(default_factory=dict)  # file id -> uploaded bytes
    # Slack processes an upload asynchronously: an uploaded file becomes usable in an image block
    # only after this many chat.postMessage attempts naming it have been refused; until then
    # they answer invalid_blocks. 0: at once (as before); None: never. (There is no files.info:
    # it needs files:read, a scope Teamweather does not ask for.)
    file_ready_after: int | None = 0
    file_checks: dict[str, int] = field(default_factory=dict)  # file id -> post attempts so far
    share_error: str | None = None  # what files.completeUploadExternal with a channel answers
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

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
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"})
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

    def dms(self, user: str) -> list[dict[str, Any]]:
        """Messages the app posted in its DM with ``user``."""
        return self.messages.get("D" + user, [])

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(params["users"])}}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel") not in self.known_channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": params["channel"]}}

    def file_ready(self, file_id: str) -> bool:
        """Whether ``file_id`` is processed (usable in an image block); counts as one attempt."""
        checks = self.file_checks.get(file_id, 0)
        self.file_checks[file_id] = checks + 1
        return self.file_ready_after is not None and checks >= self.file_ready_after

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        blocks = _json(params.get("blocks")) or []
        for pointer, file_id in _slack_files(blocks, "/blocks"):
            # Files the fake never received are let through, as they always were.
            if file_id in self.files and not self.file_ready(file_id):
                error = f"invalid slack file [json-pointer:{pointer}/slack_file]"
                return {"ok": False, "error": "invalid_blocks", "errors": [error],
                        "response_metadata": {"messages": [f"[ERROR] {error}"]}}
        message = {k: _json(v) for k, v in params.items() if k in ("text", "blocks", "metadata", "thread_ts")}
        message["ts"] = f"1700000000.{next(self._ids):06d}"
        self.messages.setdefault(str(params["channel"]), []).append(message)
        return {"ok": True, "channel": params["channel"], "ts": message["ts"]}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace a message's text and blocks in place (only the app's own messages)."""
        for message in self.messages.get(str(params.get("channel")), []):
            if message["ts"] == params.get("ts"):
                message.update({k: _json(v) for k, v in params.items() if k in ("text", "blocks")})
                message["edits"] = message.get("edits", 0) + 1
                return {"ok": True, "channel": params["channel"], "ts": message["ts"], "text": message.get("text")}
        return {"ok": False, "error": "message_not_found"}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        """A message only ``user`` sees in ``channel``: kept in ``ephemeral``, never in ``messages``
        (``not_in_channel`` for a channel in ``private_channels``: the app is not a member)."""
        if params.get("channel") in self.private_channels:
            return {"ok": False, "error": "not_in_channel"}
        self.ephemeral.append({k: _json(v) for k, v in params.items() if k in ("channel", "user", "text", "blocks")})
        return {"ok": True, "message_ts": f"1700000000.{next(self._ids):06d}"}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """Open a modal: kept in ``views`` (a trigger_id is needed, as Slack answers without one)."""
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = _json(params.get("view"))
        self.views.append(view)
        return {"ok": True, "view": {**view, "id": f"V{next(self._ids):08d}"}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """Publish a person's App Home: kept in ``homes`` by user (a home view and a user_id are
        needed, as Slack answers without them)."""
        view = _json(params.get("view"))
        if not params.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        self.homes[str(params["user_id"])] = view
        return {"ok": True, "view": {**view, "id": f"V{next(self._ids):08d}"}}

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """The app's message ``ts`` in ``channel`` as it stands now (after any chat.update)."""
        return next(m for m in self.messages.get(channel, []) if m["ts"] == ts)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The app's replies in the thread of message ``ts`` in ``channel``."""
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts]

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        posted = self.messages.get(str(params["channel"]), [])
        return {"ok": True, "messages": list(reversed(posted)), "has_more": False}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("usergroup") not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.usergroups[str(params["usergroup"])]}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        assert self.server is not None
        file_id = f"F{next(self._ids):08d}"
        return {"ok": True, "file_id": file_id, "upload_url": str(self.server.make_url(f"/upload/{file_id}"))}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = _json(params["files"])
        channel = params.get("channel_id")
        if channel:  # shared into a channel: a message of its own there, the file attached
            if self.share_error is not None:
                return {"ok": False, "error": self.share_error}
            message: dict[str, Any] = {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
            if params.get("initial_comment"):
                message["text"] = params["initial_comment"]
            message["ts"] = f"1700000000.{next(self._ids):06d}"
            self.messages.setdefault(str(channel), []).append(message)
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    async def upload(self, request: web.Request) -> web.Response:
        self.files[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

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
    app.router.add_post("/upload/{file_id}", fake.upload)
    fake.server = TestServer(app, host="127.0.0.1")
    await fake.server.start_server()
    return fake


def _slack_files(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(JSON pointer, file id) of every ``slack_file`` object with an id in ``value``."""
    if isinstance(value, dict):
        slack_file = value.get("slack_file")
        if isinstance(slack_file, dict) and "id" in slack_file:
            yield pointer, str(slack_file["id"])
        for key, item in value.items():
            yield from _slack_files(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _slack_files(item, f"{pointer}/{index}")


def _json(value: Any) -> Any:
    """Form-encoded Web API calls carry JSON arguments as strings."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


@contextlib.contextmanager
def fake_slack_in_thread(fake: FakeSlack) -> Iterator[FakeSlack]:
    """Run ``fake`` on its own event loop in a thread, for code that uses the sync WebClient."""

    async def stop() -> None:
        assert fake.server is not None
        await fake.server.close()

    with serving_in_thread(lambda: start_fake_slack(fake), stop, "fake-slack"):
        yield fake
