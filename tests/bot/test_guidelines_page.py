"""The labelling guidelines that review posts link to, served by Teamweather's own server."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.server import GUIDELINES_PATH, build_web_app


async def test_the_server_serves_the_labelling_guidelines() -> None:
    async with TestClient(TestServer(build_web_app(health=lambda: {"ok": True}))) as client:
        response = await client.get(GUIDELINES_PATH)
        text = await response.text()
    assert response.status == 200
    assert response.content_type == "text/markdown" and response.charset == "utf-8"
    for rule in ("Sarcasm and irony", "Stress reported about others", "Still contains personal data — delete",
                 "Unclear — skip"):
        assert rule in text
