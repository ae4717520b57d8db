"""The demo's Teams: the sample workspace's Slack-shaped events as the activities Teams would
send for the same messages, posted to the real messaging endpoint in front of the real
``TeamweatherBot`` on a ``CloudAdapter``, whose replies and roster requests go to a Bot
Connector stub on loopback. Nothing reaches a network.

The sample (``bot/demo_data/``) is a Slack workspace; :class:`SampleIds` names it as Teams
would, deterministically: the workspace is one tenant (a GUID derived from the Slack team id)
with one team, each Slack channel a ``19:…@thread.tacv2`` channel of that team, each member a
person with an AAD object id (a GUID derived from their Slack id). :func:`teams_workspace`
rewrites ``workspace.json`` with those ids, for the demo's settings (``msteams:`` channels,
managers and HR) and admins.

What each event becomes (:meth:`TeamsReplay.activity`):

==========================================  ===================================================
Slack event                                 Teams activity
==========================================  ===================================================
a person's message (thread replies too)     ``message`` in the channel (the thread's root in
                                            ``conversation.id``), the text as Teams HTML
``message_changed`` (a new text)            ``messageUpdate``, ``eventType: editMessage``
``message_deleted``                         ``messageDelete``, ``eventType: softDeleteMessage``
a bot's message (``bot_id``)                ``message`` from a bot account (no AAD object id)
``channel_join``                            ``conversationUpdate``, ``teamMemberAdded``
a ``message_changed`` with the same text    nothing (Slack's link unfurls: Teams sends none)
==========================================  ===================================================

The text (:func:`to_teams_html`), as Teams' editor would have made it: ``<@U…>`` becomes
``<at>Display Name</at>`` with a mention entity, ``<#C…|name>`` a channel mention
(``<at>name</at>`` naming the channel's ``19:…`` id), links ``<a href>``, Slack's ``&amp;``, ``&lt;``,
``&gt;`` the same HTML entities, newlines ``<br>``; Slack's code blocks, code spans, ``*bold*``,
``_italic_`` and ``~struck~`` text ``<pre>``, ``<code>``, ``<b>``, ``<i>`` and ``<s>``; emoji
codes (``:tada:``) the emoji (Teams sends characters; a code the ``emoji`` package does not
know stays as typed); the whole in a ``<p>``. The text is the event's
``text`` field, as the person wrote it (where Slack also sends ``rich_text`` blocks, its
adapter reads those instead).

Commands are messages that mention the bot in the channel (``@Teamweather optin``), through
the same endpoint and the bot's command path; the core's admins are the workspace's admins as
``msteams:`` ids. The team's roster, which the bot loads from the Bot Connector when it is
turned on in the team, lists every member of ``workspace.json`` with their Slack real and
display names (the display name as the given name), so that names are stripped exactly as
the Slack replay strips them.

Authentication is off: the adapter is built here, for the demo, with no app credentials;
nothing in the configuration reaches this module.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace, TracebackType
from typing import Any, Final

import aiohttp
import emoji
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.core import Reply, Teamweather
from bot.metrics import Metrics
from bot.teams.bot import TeamweatherBot
from bot.teams.clients import ReusedClients
from bot.teams.directory import TeamsDirectory
from bot.teams.endpoint import teams_endpoint
from bot.teams.markup import to_plain

__all__ = ["MESSAGES_PATH", "SampleIds", "TeamsReplay", "teams_workspace", "to_teams_html"]

MESSAGES_PATH: Final = "/api/messages"
CHANNEL: Final = "msteams"
BOT_NAME: Final = "Teamweather"
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://teamweather.invalid/demo/msteams")
APP_ID: Final = str(uuid.uuid5(_NAMESPACE, "app"))  # the demo bot's Microsoft app id
BOT_ID: Final = f"28:{APP_ID}"
# Slack's markup tokens (every raw "<" in Slack text starts one) and newlines.
_SLACK: Final = re.compile(r"<(?P<token>[^<>]*)>|(?P<newline>\n)")
_FENCE: Final = re.compile(r"```(?P<code>.*?)```", re.DOTALL)
# Slack's `code`, *bold*, _italic_ and ~struck~: a mark, then text that starts and ends with no
# space, then the same mark, not inside a word.
_EMPHASIS: Final = re.compile(r"(?<![\w*_~`])(?P<mark>[*_~`])(?P<body>(?=\S)[^\n]*?\S)(?P=mark)(?![\w*_~`])")
_TAGS: Final = {"*": "b", "_": "i", "~": "s", "`": "code"}
_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SampleIds:
    """The sample Slack workspace's ids as Teams would name them (deterministic)."""

    team_id: str  # the Slack workspace's team id, from which everything is derived

    @property
    def tenant(self) -> str:
        """The tenant: the core's workspace on Teams."""
        return str(uuid.uuid5(_NAMESPACE, f"tenant:{self.team_id}"))

    @property
    def team(self) -> str:
        """The Teams team that holds every channel of the workspace."""
        return f"19:{_digest('team', self.team_id)[:32]}@thread.tacv2"

    def user(self, slack_user: str) -> str:
        """A person's AAD object id (lower-case GUID)."""
        return str(uuid.uuid5(_NAMESPACE, f"user:{self.team_id}:{slack_user}"))

    def account(self, slack_user: str) -> str:
        """A person's Teams user id (``29:…``), as in ``from.id``."""
        return f"29:1{_digest('account', self.team_id, slack_user)[:40]}"

    def bot_account(self, bot_id: str) -> str:
        """Another bot's account (``28:…``): a bot has no AAD object id."""
        return f"28:{uuid.uuid5(_NAMESPACE, f'bot:{self.team_id}:{bot_id}')}"

    def channel(self, slack_channel: str) -> str:
        """A channel's conversation id, ``19:…@thread.tacv2``."""
        return f"19:{_digest('channel', self.team_id, slack_channel)[:32]}@thread.tacv2"


def message_id(ts: str) -> str:
    """A channel message's Teams id: its creation time in milliseconds (13 digits)."""
    seconds, _, fraction = ts.partition(".")
    return f"{int(seconds)}{(fraction + '000')[:3]}"


def timestamp(ts: str) -> str:
    """A Slack ``ts`` as Teams writes an activity's timestamp (UTC, to the microsecond)."""
    seconds, _, fraction = ts.partition(".")
    at = datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int((fraction + "000000")[:6]))
    return at.isoformat(timespec="microseconds").replace("+00:00", "Z")


def teams_workspace(workspace: dict[str, Any]) -> dict[str, Any]:
    """``workspace.json`` with Teams' ids: the tenant for the team id, AAD object ids for the
    members, channel ids for the channels, and ``msteams:`` ids for the admins and for the
    teams' channels and managers (as ``teamweather.yaml`` lists them)."""
    ids = SampleIds(workspace["team_id"])
    return {
        **workspace,
        "team_id": ids.tenant,
        "admins": [f"{CHANNEL}:{ids.user(u)}" for u in workspace["admins"]],
        "members": [{**m, "id": ids.user(m["id"])} for m in workspace["members"]],
        "channels": [{**c, "id": ids.channel(c["id"]), "members": [ids.user(u) for u in c.get("members", [])]}
                     for c in workspace["channels"]],
        "teams": [{**t, "channels": [f"{CHANNEL}:{ids.channel(c)}" for c in t["channels"]],
                   "managers": [f"{CHANNEL}:{ids.user(u)}" for u in t["managers"]]}
                  for t in workspace["teams"]],
    }


def to_teams_html(text: str, workspace: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Slack message text as the HTML of the same message on Teams, and its mention entities
    (see the module's docstring)."""
    ids = SampleIds(workspace["team_id"])
    names = {m["id"]: m.get("real_name") or m.get("display_name") or m["id"] for m in workspace["members"]}
    channels = {c["id"]: c["name"] for c in workspace["channels"]}
    entities: list[dict[str, Any]] = []
    out: list[str] = []
    done = 0
    for fence in _FENCE.finditer(text):  # a code block: its text only, kept as it is
        out.append(_lines(text[done:fence.start()], ids, names, channels, entities))
        code = html.escape(_unescape(fence["code"].strip("\n")), quote=False)
        out.append(f"<pre>{code.replace(chr(10), '<br>')}</pre>")
        done = fence.end()
    out.append(_lines(text[done:], ids, names, channels, entities))
    return f"<p>{''.join(out)}</p>", entities


def _lines(
    text: str, ids: SampleIds, names: dict[str, str], channels: dict[str, str], entities: list[dict[str, Any]]
) -> str:
    """Slack text outside code blocks as Teams HTML: its tokens, line breaks and inline text."""
    out: list[str] = []
    done = 0
    for match in _SLACK.finditer(text):
        out.append(_inline(text[done:match.start()]))
        done = match.end()
        if match["newline"]:
            out.append("<br>")
        else:
            out.append(_token(match["token"], ids, names, channels, entities))
    out.append(_inline(text[done:]))
    return "".join(out)


def _inline(text: str) -> str:
    """Slack text between tokens (escaped as Slack escapes it) as Teams HTML: code spans and
    bold, italic and struck-through text as HTML elements, emoji codes as the emoji."""
    raw = _unescape(text)
    out: list[str] = []
    done = 0
    for match in _EMPHASIS.finditer(raw):
        out.append(_text(raw[done:match.start()]))
        tag = _TAGS[match["mark"]]
        body = html.escape(match["body"], quote=False) if tag == "code" else _text(match["body"])
        out.append(f"<{tag}>{body}</{tag}>")
        done = match.end()
    out.append(_text(raw[done:]))
    return "".join(out)


def _text(raw: str) -> str:
    """Plain text as Teams HTML: escaped, and emoji codes (``:tada:``) as the emoji Teams sends
    (codes the ``emoji`` package does not know stay as typed)."""
    return html.escape(emoji.emojize(raw, language="alias") if ":" in raw else raw, quote=False)


def _token(
    token: str, ids: SampleIds, names: dict[str, str], channels: dict[str, str], entities: list[dict[str, Any]]
) -> str:
    """One Slack ``<…>`` token as Teams HTML (a mention adds its entity to ``entities``)."""
    target, _, label = token.partition("|")
    if target.startswith("@"):
        user = target[1:]
        name = names.get(user) or _unescape(label) or user
        at = f"<at>{html.escape(name, quote=False)}</at>"
        entities.append({"type": "mention", "text": at,
                         "mentioned": {"id": ids.account(user), "name": name, "aadObjectId": ids.user(user)}})
        return f'<at id="{len(entities) - 1}">{html.escape(name, quote=False)}</at>'
    if target.startswith("#"):  # a channel mention, as Teams writes one
        name = channels.get(target[1:]) or _unescape(label) or "channel"
        at = f"<at>{html.escape(name, quote=False)}</at>"
        entities.append({"type": "mention", "text": at, "mentioned": {"id": ids.channel(target[1:]), "name": name}})
        return f'<at id="{len(entities) - 1}">{html.escape(name, quote=False)}</at>'
    if target.startswith("!"):  # @here, @channel, @everyone, a user group: what Slack shows
        special = target[1:].partition("^")[0]
        return html.escape(f"@{_unescape(label) or special}", quote=False)
    if _SCHEME.match(target):
        url = _unescape(target)
        return f'<a href="{html.escape(url)}">{html.escape(_unescape(label) or url, quote=False)}</a>'
    return html.escape(f"<{_unescape(token)}>", quote=False)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- the Bot Connector stub ------------------------------------------------------------------


class _Connector:
    """The parts of the Bot Connector the bot calls, on loopback: create a 1:1 chat or a thread
    in a channel (the review channel, answered as Teams answers it), post or update an activity
    (recorded in ``posted``), and the team's roster (``roster``)."""

    def __init__(self, roster: list[dict[str, Any]]) -> None:
        self.roster = roster
        self.posted: list[tuple[str, dict[str, Any]]] = []  # (conversation, activity)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if channel:  # a new thread in a channel: its first message is the activity sent with it
            self.posted.append((channel, body.get("activity") or {}))
            first = f"demo-{len(self.posted)}"
            return web.json_response({"id": f"{channel};messageid={first}", "activityId": first})
        person = (body.get("members") or [{}])[0].get("id", "someone")
        return web.json_response({"id": f"a:1demo-{person}"})

    async def _post(self, request: web.Request) -> web.Response:
        self.posted.append((request.match_info["conversation"], json.loads(await request.text() or "{}")))
        return web.json_response({"id": f"demo-{len(self.posted)}"})

    async def _members(self, request: web.Request) -> web.Response:
        if request.path.endswith("/pagedmembers"):
            return web.json_response({"members": self.roster, "continuationToken": None})
        return web.json_response(self.roster)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v3/conversations", self._create),
            web.post("/v3/conversations/{conversation}/activities", self._post),
            web.post("/v3/conversations/{conversation}/activities/{activity}", self._post),
            web.put("/v3/conversations/{conversation}/activities/{activity}", self._post),
            web.get("/v3/conversations/{conversation}/pagedmembers", self._members),
            web.get("/v3/conversations/{conversation}/members", self._members),
        ]


class TeamsReplay:
    """Replays a sample workspace (``bot/demo_data/workspace.json``) into ``core`` as Teams
    would send it. An async context manager: the loopback server (the messaging endpoint and
    the Bot Connector stub) starts on entry, or on the first event, and stops on exit."""

    name = CHANNEL

    def __init__(self, core: Teamweather, workspace: dict[str, Any], metrics: Metrics) -> None:
        self.core = core
        self.workspace = workspace
        self.ids = SampleIds(workspace["team_id"])
        self.metrics = metrics
        self.members = {m["id"]: m for m in workspace["members"]}
        self.channel_names = {c["id"]: c["name"] for c in workspace["channels"]}
        # Authentication off (no app id), as tests run the platform: for this replay only.
        self.adapter = CloudAdapter(ReusedClients(ConfigurationBotFrameworkAuthentication(
            SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
        )))
        self.directory = TeamsDirectory(core.pseudonymiser, refresh_seconds=24 * 3600)
        self.bot = TeamweatherBot(core, self.directory, app_id=APP_ID, metrics=metrics)
        self.connector = _Connector(self.roster())
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._url = ""

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> TeamsReplay:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Serve the endpoint and the connector stub on a free loopback port."""
        if self._runner is not None:
            return
        application = web.Application()
        application.add_routes([*self.routes(), *self.connector.routes()])
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        self._runner, self._url = runner, f"http://127.0.0.1:{port}/"
        self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        """Stop what :meth:`start` started."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the Replay protocol ------------------------------------------------------------

    async def event(self, event: dict[str, Any], event_id: str, event_time: int, retry: int = 0) -> int:
        """Post the activity Teams would send for one Slack event; the endpoint's HTTP status
        (200 when Teams would send nothing). ``retry`` sends the same activity again, as Teams
        does when an answer is late; ``event_id`` and ``event_time`` are Slack's own."""
        activity = self.activity(event)
        return 200 if activity is None else await self._post(activity)

    async def command(self, command: dict[str, Any]) -> Reply:
        """``@Teamweather <text>`` in the command's channel, through the endpoint and the
        bot's command path; the reply as the connector received it (public when posted in
        the channel, not in a personal chat)."""
        user, channel = command["user_id"], command["channel_id"]
        ts = command.get("ts") or f"{self.core.clock():.6f}"
        mention = f"<at>{BOT_NAME}</at>"
        markup = f'<p><at id="0">{BOT_NAME}</at> {html.escape(command.get("text") or "", quote=False)}</p>'
        activity = self._message(
            ts, channel, self._person(user), markup,
            [{"type": "mention", "text": mention, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}],
        )
        before = len(self.connector.posted)
        status = await self._post(activity)
        if status != 200:
            raise RuntimeError(f"the Teams endpoint answered {status} to a demo command")
        replies = self.connector.posted[before:]
        return Reply("\n".join(str(a.get("text") or "") for _, a in replies),
                     public=any(c == self.ids.channel(channel) for c, _ in replies))

    def routes(self) -> list[web.RouteDef]:
        """The live messaging endpoint."""
        return [web.post(MESSAGES_PATH, teams_endpoint(self.adapter, self.bot, self.metrics))]

    def plain(self, text: str) -> str:
        """A Slack message's text as the core receives it from Teams: translated to the same
        message's Teams HTML, then converted by the Teams adapter."""
        return to_plain(to_teams_html(text, self.workspace)[0])

    # -- translation --------------------------------------------------------------------

    def roster(self) -> list[dict[str, Any]]:
        """The team's members as the Bot Connector lists them (``TeamsChannelAccount``)."""
        return [
            {"id": self.ids.account(m["id"]), "aadObjectId": self.ids.user(m["id"]), "name": m.get("real_name"),
             "givenName": m.get("display_name"), "tenantId": self.ids.tenant, "userRole": "user"}
            for m in self.workspace["members"]
        ]

    def activity(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The activity Teams would send for a Slack message event, or None when it would
        send none (see the module's table)."""
        subtype = event.get("subtype")
        channel = event["channel"]
        if subtype == "message_deleted":
            old = event.get("previous_message") or {}
            ts = event.get("deleted_ts") or old.get("ts")
            if not ts:
                return None
            return self._message(ts, channel, self._person(old.get("user")), None, [],
                                 root=old.get("thread_ts"), kind="messageDelete",
                                 event_type="softDeleteMessage", at=event.get("event_ts") or event["ts"])
        if subtype == "message_changed":
            new, old = event["message"], event.get("previous_message") or {}
            if new.get("text") == old.get("text"):
                return None
            markup, mentions = to_teams_html(new.get("text") or "", self.workspace)
            return self._message(new["ts"], channel, self._author(new), markup, mentions,
                                 root=new.get("thread_ts"), kind="messageUpdate", event_type="editMessage",
                                 at=(new.get("edited") or {}).get("ts") or event.get("event_ts") or event["ts"])
        if subtype == "channel_join":
            return self._joined(event)
        markup, mentions = to_teams_html(event.get("text") or "", self.workspace)
        return self._message(event["ts"], channel, self._author(event), markup, mentions, root=event.get("thread_ts"))

    def _person(self, slack_user: str | None) -> dict[str, Any]:
        """``from``: a person by their Slack id (an account without AAD object id when unknown)."""
        if not slack_user:
            return {"id": self.ids.account("unknown")}
        member = self.members.get(slack_user, {})
        name = member.get("real_name") or member.get("display_name") or ""
        return {"id": self.ids.account(slack_user), "name": name, "aadObjectId": self.ids.user(slack_user)}

    def _author(self, message: dict[str, Any]) -> dict[str, Any]:
        """``from``: a person, or a bot's account (without an AAD object id)."""
        bot_id = message.get("bot_id") or (self.members.get(message.get("user") or "", {}).get("bot_id"))
        if bot_id or message.get("subtype") == "bot_message":
            name = message.get("username") or (message.get("bot_profile") or {}).get("name") or "bot"
            return {"id": self.ids.bot_account(bot_id or "bot"), "name": name}
        return self._person(message.get("user"))

    def _channel_data(self, channel: str, event_type: str | None = None) -> dict[str, Any]:
        teams_channel = self.ids.channel(channel)
        data: dict[str, Any] = {
            "teamsChannelId": teams_channel, "teamsTeamId": self.ids.team,
            "channel": {"id": teams_channel, "name": self.channel_names.get(channel)},
            "team": {"id": self.ids.team, "name": self.workspace.get("team_name")},
            "tenant": {"id": self.ids.tenant},
        }
        if event_type:
            data["eventType"] = event_type
        return data

    def _message(
        self, ts: str, channel: str, sender: dict[str, Any], markup: str | None, mentions: list[dict[str, Any]], *,
        root: str | None = None, kind: str = "message", event_type: str | None = None, at: str | None = None,
    ) -> dict[str, Any]:
        """A channel activity about the message sent at ``ts`` (a thread reply when ``root``)."""
        own = message_id(ts)
        thread = message_id(root) if root else own
        activity: dict[str, Any] = {
            "type": kind, "id": own, "timestamp": timestamp(at or ts), "localTimestamp": timestamp(at or ts),
            "serviceUrl": self._url or "http://127.0.0.1/", "channelId": CHANNEL, "from": sender,
            "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": self.ids.tenant,
                             "id": f"{self.ids.channel(channel)};messageid={thread}"},
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "channelData": self._channel_data(channel, event_type),
            "entities": [*mentions, {"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web",
                                     "timezone": self.workspace.get("timezone", "UTC")}],
            "locale": "en-GB",
        }
        if root and root != ts:
            activity["replyToId"] = thread
        if markup is not None:
            activity.update(text=markup, textFormat="plain",
                            attachments=[{"contentType": "text/html", "content": markup}])
        return activity

    def _joined(self, event: dict[str, Any]) -> dict[str, Any]:
        """A person added to the team (Teams has no joins of a team's channels)."""
        joined = self._person(event.get("user"))
        return {
            "type": "conversationUpdate", "id": message_id(event["ts"]), "timestamp": timestamp(event["ts"]),
            "serviceUrl": self._url or "http://127.0.0.1/", "channelId": CHANNEL,
            "from": self._person(event.get("inviter") or event.get("user")),
            "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": self.ids.tenant,
                             "id": self.ids.team},
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "membersAdded": [{"id": joined["id"], "aadObjectId": joined.get("aadObjectId")}],
            "channelData": {**self._channel_data(event["channel"], "teamMemberAdded")},
        }

    async def _post(self, activity: dict[str, Any]) -> int:
        await self.start()
        assert self._session is not None
        activity["serviceUrl"] = self._url
        async with self._session.post(f"{self._url.rstrip('/')}{MESSAGES_PATH}", json=activity) as response:
            await response.read()
            return response.status

