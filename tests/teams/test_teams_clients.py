"""The Bot Framework clients are built once per service URL and app, not for every activity."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.teams.clients import ReusedClients


class CountingFactory:
    def __init__(self) -> None:
        self.built = 0

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        self.built += 1
        return SimpleNamespace(service_url=service_url, audience=audience, n=self.built)


class CountingAuthentication:
    """What the CloudAdapter calls for each activity, counting what it builds."""

    def __init__(self) -> None:
        self.factory = CountingFactory()
        self.token_clients = 0

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        return SimpleNamespace(connector_factory=CountingFactory())  # a new factory per request, as the SDK does

    async def create_user_token_client(self, claims_identity: Any) -> Any:
        self.token_clients += 1
        return object()


async def test_connectors_and_token_clients_are_reused_across_activities() -> None:
    inner = CountingAuthentication()
    reused = ReusedClients(inner)
    clients = []
    for _ in range(3):
        result = await reused.authenticate_request(object(), "Bearer x")
        clients.append(await result.connector_factory.create("https://smba.example/", "aud"))
    assert clients[0] is clients[1] is clients[2]
    other = await (await reused.authenticate_request(object(), "")).connector_factory.create("https://other.example/")
    assert other is not clients[0]  # one per service URL
    app = SimpleNamespace(claims={"aud": "app-1", "appid": "bf", "jti": "a"})
    same_app = SimpleNamespace(claims={"aud": "app-1", "appid": "bf", "jti": "b"})  # another token of it
    first = await reused.create_user_token_client(app)
    assert await reused.create_user_token_client(same_app) is first and inner.token_clients == 1
