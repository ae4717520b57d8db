"""A tiny local HTTP server imitating the parts of the Bot Connector service that Teamweather
calls, in the spirit of ``tests/slack_fake.py``. A test points an activity's ``serviceUrl`` at
it; replies, proactive messages and card updates land in ``FakeConnector.activities``.

Paths (Bot Framework REST API v3): POST /v3/conversations (create a 1:1 chat, or, with a
``channelData.channel``, a new thread in that channel: answered as Teams answers it, the thread's
``19:…;messageid=<id>`` and the first message's ``activityId``), POST
/v3/conversations/{id}/activities (send), POST and PUT /v3/conversations/{id}/activities/{aid}
(reply, update), DELETE the same (delete), GET /v3/conversations/{id}/pagedmembers and
/v3/conversations/{id}/members (the roster). Every call that writes is also in ``calls`` as
(kind, conversation, the activity id in its path).
"""

from __future__ import annotations

import asyncio
import contextlib
import base64
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from aiohttp import web
from aiohttp.test_utils import TestServer

from loopback import serving_in_thread


@dataclass
class FakeConnector:
    """State and call log of the fake Bot Connector."""

    members: list[dict[str, Any]] = field(default_factory=list)  # the roster of every conversation
    # "send", "reply", "update", "create" (a 1:1 chat), "thread" (a channel thread), "members": answer 500
    failing: set[str] = field(default_factory=set)
    failing_status: int = 500  # what the failing kinds answer (the connector client retries a 500 for seconds)
    # (kind, conversation, activity); kind: send, reply, update, delete, thread (a channel
    # thread's first message, under the thread's conversation id)
    activities: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)  # create-conversation bodies (1:1 chats)
    threads: list[dict[str, Any]] = field(default_factory=list)  # create-conversation bodies (channel threads)
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)  # (kind, conversation, path's activity id)
    ids: dict[int, str] = field(default_factory=dict)  # index in ``activities`` -> the id answered for it
    server: TestServer | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        """The ``serviceUrl`` to put on activities (ends with a slash, as Teams sends it)."""
        assert self.server is not None
        return str(self.server.make_url("/"))

    def sent(self, conversation: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Activities posted (to ``conversation``, of ``kind``: send, reply, update), in order."""
        return [a for k, c, a in self.activities
                if (conversation is None or c == conversation) and (kind is None or k == kind)]

    def sent_with_ids(self, conversation: str, kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """(the id the fake answered, the activity) for each activity sent to ``conversation``."""
        return [(self.ids[n], a) for n, (k, c, a) in enumerate(self.activities)
                if c == conversation and (kind is None or k == kind) and n in self.ids]

    def texts(self, conversation: str | None = None) -> list[str]:
        """The text of every message posted (to ``conversation``)."""
        return [str(a.get("text") or "") for a in self.sent(conversation)]

    def _fail(self, what: str) -> web.Response | None:
        if what in self.failing:
            return web.json_response({"error": {"code": "ServiceError", "message": "failing"}}, status=self.failing_status)
        return None

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if channel:  # a new thread in a team channel
            if (failed := self._fail("thread")) is not None:
                return failed
            self.threads.append(body)
            first = f"{int(time.time() * 1000)}{next(self._ids):03d}"
            thread = f"{channel};messageid={first}"
            self.activities.append(("thread", thread, dict(body.get("activity") or {}, id=first)))
            self.calls.append(("thread", channel, None))
            return web.json_response({"id": thread, "activityId": first, "serviceUrl": self.url})
        if (failed := self._fail("create")) is not None:
            return failed
        self.conversations.append(body)
        members = body.get("members") or [{}]
        return web.json_response({"id": f"a:1:1-{members[0].get('id', 'x')}", "serviceUrl": self.url})

    async def _post(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        activity_id = request.match_info.get("activity")
        kind = "reply" if activity_id else "send"
        if request.method == "PUT":
            kind = "update"
        if (failed := self._fail(kind)) is not None:
            return failed
        body = json.loads(await request.text() or "{}")
        self.activities.append((kind, conversation, body))
        self.calls.append((kind, conversation, activity_id))
        answered = activity_id if kind == "update" else f"act-{next(self._ids)}"
        self.ids[len(self.activities) - 1] = answered
        return web.json_response({"id": answered})

    async def _delete(self, request: web.Request) -> web.Response:
        self.activities.append(("delete", request.match_info["conversation"], {"id": request.match_info["activity"]}))
        self.calls.append(("delete", request.match_info["conversation"], request.match_info["activity"]))
        return web.Response(status=200)

    async def _members(self, request: web.Request) -> web.Response:
        if (failed := self._fail("members")) is not None:
            return failed
        if request.path.endswith("/pagedmembers"):
            return web.json_response({"members": self.members, "continuationToken": None})
        return web.json_response(self.members)

    def app(self) -> web.Application:
        application = web.Application()
        application.router.add_post("/v3/conversations", self._create)
        application.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        application.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        application.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._post)
        application.router.add_delete("/v3/conversations/{conversation}/activities/{activity}", self._delete)
        application.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._members)
        application.router.add_get("/v3/conversations/{conversation}/members", self._members)
        return application


async def start_fake_connector(fake: FakeConnector | None = None) -> FakeConnector:
    """Start ``fake`` (a new one by default) on a free loopback port."""
    fake = fake or FakeConnector()
    fake.server = TestServer(fake.app(), host="127.0.0.1")
    await fake.server.start_server()
    return fake


@contextlib.contextmanager
def fake_connector_in_thread(fake: FakeConnector) -> Iterator[asyncio.AbstractEventLoop]:
    """Run ``fake`` on its own event loop in a thread (for code that sends from synchronous
    threads, such as the digest scheduler's); yields that loop, which stands for the bot's."""

    async def stop() -> None:
        assert fake.server is not None
        await fake.server.close()

    with serving_in_thread(lambda: start_fake_connector(fake), stop, "fake-connector") as loop:
        yield loop


def forged_jwt(claims: dict[str, Any]) -> str:
    """A JSON web token signed with a key of our own (so never by Microsoft)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    head = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    signature = hmac.new(b"forger", head.encode(), hashlib.sha256).digest()
    return f"{head}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
