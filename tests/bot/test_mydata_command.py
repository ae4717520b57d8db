"""`/teamweather mydata` (issue [mytraining]): a private summary and a link that serves the
asker's own data once, and nobody else's."""

from __future__ import annotations

import json
import re

import sqlite_utils
from aiohttp.test_utils import TestClient, TestServer

from bot import texts
from bot.core import MYDATA_PATH, Command, Teamweather
from bot.server import build_web_app
from conftest import ALICE, BOB
from domain.errors import StorageBusy
from storage import audit, learning, scores

WS = "T0TEST0001"


def ask(core: Teamweather, user: str = ALICE) -> tuple[str, str]:
    """The reply's text and the token of its link."""
    reply = core.command(Command(WS, "CENROLLED1", user, "mydata"))
    assert not reply.public
    match = re.search(re.escape(core.public_url + MYDATA_PATH) + r"/([A-Za-z0-9_-]+)", reply.text)
    assert match, reply.text
    return reply.text, match.group(1)


def plant(core: Teamweather) -> tuple[str, str]:
    alice, bob = (core.pseudonymiser.author(WS, u) for u in (ALICE, BOB))
    with core.db.conn:
        for n, author in enumerate([alice, alice, bob]):
            scores.save(core.db, scores.Score(f"m{n}", WS, "CENROLLED1", author, f"2026-11-2{n}", "neutral",
                                              0.2, 0.6, 0.2, 0.3, "test", "1"))
        learning.complete(core.db, alice, WS, "docker-basics", 1.0)
        learning.set_goal(core.db, bob, WS, "bob's private goal", 1.0)
    return alice, bob


def test_mydata_sums_up_privately_and_its_link_serves_the_askers_data_once(core: Teamweather) -> None:
    alice, bob = plant(core)
    text, token = ask(core)
    assert "2 message score(s) from 2026-11-20 to 2026-11-21" in text and "1 item(s) completed" in text
    data = core.mydata_download(token)
    assert data is not None and [s["day"] for s in data["scores"]] == ["2026-11-20", "2026-11-21"]
    dumped = json.dumps(data)
    assert bob not in dumped and "private goal" not in dumped and alice not in dumped  # no pseudonyms
    assert core.mydata_download(token) is None  # once
    assert len(audit.entries(core.db, "mydata_downloaded")) == 1


def test_each_person_gets_only_their_own_data(core: Teamweather) -> None:
    plant(core)
    _, bobs = ask(core, BOB)
    data = core.mydata_download(bobs)
    assert data is not None and len(data["scores"]) == 1 and data["learning"]["profile"]["goal"] == "bob's private goal"


async def test_the_server_serves_the_file_once_and_then_404(core: Teamweather) -> None:
    plant(core)
    _, token = ask(core)

    async def fetch(t: str) -> dict[str, object] | None:
        return core.mydata_download(t)

    async with TestClient(TestServer(build_web_app(health=lambda: {"ok": True}, mydata=fetch))) as client:
        for _ in range(2):  # a link preview or a mail scanner fetching the link spends nothing
            page = await client.get(f"{MYDATA_PATH}/{token}")
            assert page.status == 200 and 'method="post"' in await page.text()
            assert "scores" not in await page.text()
        first = await client.post(f"{MYDATA_PATH}/{token}")
        assert first.status == 200 and first.headers["Content-Disposition"].startswith("attachment")
        assert first.headers["Cache-Control"] == "no-store"
        assert len((await first.json())["scores"]) == 2
        again = await client.post(f"{MYDATA_PATH}/{token}")
        assert again.status == 404 and await again.text() == texts.MYDATA_GONE
        for bad in ("x", "%00%ff", "a" * 200, "..%2F..%2Fetc%2Fpasswd"):
            assert (await client.post(f"{MYDATA_PATH}/{bad}")).status == 404


async def test_a_busy_database_answers_503(db: sqlite_utils.Database) -> None:
    async def busy(token: str) -> dict[str, object] | None:
        raise StorageBusy("locked")

    async with TestClient(TestServer(build_web_app(health=lambda: {"ok": True}, mydata=busy))) as client:
        response = await client.post(f"{MYDATA_PATH}/{'a' * 43}")
        assert response.status == 503 and await response.text() == texts.BUSY
