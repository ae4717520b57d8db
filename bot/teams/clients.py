"""Bot Framework clients built once, not for every activity.

For each incoming activity the CloudAdapter asks the authentication for a connector factory
(which builds a Bot Connector client) and a user token client. Building either costs msrest
about 4 ms of CPU (its retry policy's set-up), so a Teams ack took about nine times as long as
a Slack one (``benchmarks/ack_path.py``, docs/benchmarks.md). :class:`ReusedClients` wraps the
authentication and keeps one client per service URL and audience, and one token client per
app: the clients hold the app's credentials, never a request's, so reusing them is safe.
"""

from __future__ import annotations

from typing import Any

from botframework.connector.auth import BotFrameworkAuthentication, ConnectorFactory

__all__ = ["ReusedClients"]


class _ReusedConnectors(ConnectorFactory):  # type: ignore[misc]  # botframework has no type hints
    """A connector factory that builds one client per service URL and audience, and reuses it."""

    def __init__(self, inner: ConnectorFactory, clients: dict[tuple[str, str | None], Any]) -> None:
        self.inner = inner
        self.clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        key = (service_url, audience)
        if key not in self.clients:
            self.clients[key] = await self.inner.create(service_url, audience)
        return self.clients[key]


class ReusedClients(BotFrameworkAuthentication):  # type: ignore[misc]
    """``inner`` authentication, its clients built once and reused (see the module)."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self.inner = inner
        self.connectors: dict[tuple[str, str | None], Any] = {}
        self.token_clients: dict[tuple[str, str], Any] = {}

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ReusedConnectors(result.connector_factory, self.connectors)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: Any) -> Any:
        return _ReusedConnectors(self.inner.create_connector_factory(claims_identity), self.connectors)

    async def create_user_token_client(self, claims_identity: Any) -> Any:
        claims = claims_identity.claims or {}
        key = (str(claims.get("aud", "")), str(claims.get("appid") or claims.get("azp") or ""))
        if key not in self.token_clients:
            self.token_clients[key] = await self.inner.create_user_token_client(claims_identity)
        return self.token_clients[key]

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> Any:
        return await self.inner.authenticate_channel_request(auth_header)
