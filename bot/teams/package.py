"""The Microsoft Teams app package (``teamweather teams-package OUT.zip``): what an admin
uploads to Teams so that people can install the bot.

A zip of exactly three files: ``manifest.json`` (app manifest schema 1.17), ``color.png``
(192 × 192, full colour) and ``outline.png`` (32 × 32, white on transparent), the icons drawn
here rather than shipped. The manifest declares:

- the bot (its Microsoft App ID is also the app's id) in the ``personal`` scope (where people
  control their data and managers receive digests) and the ``team`` scope (where admins turn
  channels on and off); not ``groupChat``, which Teamweather does not read;
- its command lists (``bot/texts.py``), personal and team;
- the resource-specific permission ``ChannelMessage.Read.Group`` (Application), with which a
  team owner lets the bot receive its channels' messages without an @mention; RSC needs
  ``webApplicationInfo`` (the same app id, and a ``resource`` Teams ignores but requires);
- ``validDomains``: Teamweather's public host, when given;
- the developer's website, privacy and terms URLs: placeholders unless given, which
  :func:`placeholders` reports (Teams shows them to everyone who installs the app).

:func:`problems` checks a package against the schema's required fields and limits and the icon
rules; :func:`write` refuses to write one that fails.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Union

from PIL import Image, ImageDraw

from bot import texts as t
from bot.platform_ids import GUID
from domain.errors import ConfigError

__all__ = ["COLOR_SIZE", "FILES", "MANIFEST_SCHEMA", "MANIFEST_VERSION", "OUTLINE_SIZE", "PLACEHOLDER",
           "App", "app", "color_icon", "files", "manifest", "outline_icon", "placeholders", "problems", "write"]

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
FILES = ("manifest.json", "color.png", "outline.png")
COLOR_SIZE = (192, 192)
OUTLINE_SIZE = (32, 32)
ACCENT = "#2C5D8F"  # the Slack app's background colour (manifest.yaml)
SUN = (245, 190, 60, 255)
PLACEHOLDER = "https://teamweather.example.com"
RSC_PERMISSIONS = ("ChannelMessage.Read.Group",)
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_HTTPS = re.compile(r"^https://[^\s/]+")
_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


@dataclass(frozen=True)
class App:
    """What the package says about this installation of Teamweather."""

    app_id: str  # the bot's Microsoft App ID (MICROSOFT_APP_ID)
    version: str  # the app's version, x.y.z: raise it to update an uploaded app
    name: str = t.PRODUCT
    developer: str = t.PRODUCT
    domain: str | None = None  # the host of Teamweather's public address
    website_url: str = f"{PLACEHOLDER}/"
    privacy_url: str = f"{PLACEHOLDER}/privacy"
    terms_url: str = f"{PLACEHOLDER}/terms"


def app(app_id: str, version: str, *, name: str = t.PRODUCT, domain: str | None = None,
        website_url: str | None = None, privacy_url: str | None = None, terms_url: str | None = None) -> App:
    """An :class:`App` named ``name`` (also its developer's name), each URL not given left at
    its placeholder."""
    placeholder = App(app_id, version)
    return App(app_id, version, name=name, developer=name[:32], domain=domain,
               website_url=website_url or placeholder.website_url, privacy_url=privacy_url or placeholder.privacy_url,
               terms_url=terms_url or placeholder.terms_url)


def _commands(commands: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"title": title, "description": description} for title, description in commands.items()]


def manifest(app: App) -> dict[str, Any]:
    """The app manifest (schema 1.17) for ``app``."""
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": app.version,
        "id": app.app_id,
        "developer": {"name": app.developer, "websiteUrl": app.website_url, "privacyUrl": app.privacy_url,
                      "termsOfUseUrl": app.terms_url},
        "name": {"short": app.name, "full": t.TEAMS_APP_NAME_FULL.format(name=app.name)},
        "description": {"short": t.TEAMS_APP_SHORT, "full": t.TEAMS_APP_FULL},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [{
            "botId": app.app_id,
            "scopes": ["personal", "team"],
            "isNotificationOnly": False,
            "supportsFiles": False,
            "commandLists": [
                {"scopes": ["personal"], "commands": _commands(t.TEAMS_PERSONAL_COMMANDS)},
                {"scopes": ["team"], "commands": _commands(t.TEAMS_TEAM_COMMANDS)},
            ],
        }],
        "validDomains": [app.domain] if app.domain else [],
        "webApplicationInfo": {"id": app.app_id, "resource": f"api://botid-{app.app_id}"},
        "authorization": {"permissions": {"resourceSpecific": [
            {"name": name, "type": "Application"} for name in RSC_PERMISSIONS]}},
    }


# -- Icons ---------------------------------------------------------------------------------------

_Ink = Union[int, tuple[int, int, int, int]]  # a colour, or a grey level in a mask
_SCALE = 8  # drawn this many times larger, then scaled down (smooth edges)


def _sun_and_cloud(draw: ImageDraw.ImageDraw, size: int, sun: _Ink, cloud: _Ink, ring: int = 0,
                   gap: _Ink | None = None) -> None:
    """A sun behind a cloud, in a ``size`` square (⛅): the sun filled, or a ring ``ring`` wide;
    with ``gap``, a margin of that colour around the cloud parts it from the sun."""
    def box(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
        return (cx - r) * size, (cy - r) * size, (cx + r) * size, (cy + r) * size

    if ring:
        draw.ellipse(box(0.62, 0.36, 0.24), outline=sun, width=ring)
    else:
        draw.ellipse(box(0.62, 0.36, 0.24), fill=sun)
    for ink, margin in ((gap, 0.06), (cloud, 0.0)):
        if ink is None:
            continue
        for cx, cy, r in ((0.30, 0.62, 0.17), (0.50, 0.52, 0.22), (0.72, 0.64, 0.15)):
            draw.ellipse(box(cx, cy, r + margin), fill=ink)
        draw.rounded_rectangle(((0.14 - margin) * size, (0.60 - margin) * size, (0.86 + margin) * size,
                                (0.79 + margin) * size), radius=(0.09 + margin) * size, fill=ink)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def color_icon() -> bytes:
    """The 192 × 192 colour icon: a white cloud before a yellow sun on the accent colour, the
    drawing inside the central 120 × 120 that Teams keeps clear of its crop."""
    big = COLOR_SIZE[0] * _SCALE
    image = Image.new("RGBA", (big, big), ACCENT)
    inner = Image.new("RGBA", (big * 120 // 192, big * 120 // 192), (0, 0, 0, 0))
    _sun_and_cloud(ImageDraw.Draw(inner), inner.width, SUN, (255, 255, 255, 255))
    image.alpha_composite(inner, ((big - inner.width) // 2, (big - inner.height) // 2))
    return _png(image.resize(COLOR_SIZE, Image.Resampling.LANCZOS).convert("RGB"))


def outline_icon() -> bytes:
    """The 32 × 32 outline icon: the same drawing, white on transparent (the sun as a ring)."""
    big = OUTLINE_SIZE[0] * _SCALE
    mask = Image.new("L", (big, big), 0)
    _sun_and_cloud(ImageDraw.Draw(mask), big, 255, 255, ring=3 * _SCALE, gap=0)
    alpha = mask.resize(OUTLINE_SIZE, Image.Resampling.LANCZOS)
    image = Image.new("RGBA", OUTLINE_SIZE, (255, 255, 255, 0))
    image.putalpha(alpha)
    return _png(image)


# -- The package ---------------------------------------------------------------------------------

def files(app: App) -> dict[str, bytes]:
    """The package's files by name, in :data:`FILES` order."""
    return {
        "manifest.json": (json.dumps(manifest(app), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }


def placeholders(app: App) -> list[str]:
    """A line for each developer URL still at its placeholder."""
    named = (("website", app.website_url), ("privacy statement", app.privacy_url), ("terms of use", app.terms_url))
    return [t.TEAMS_PLACEHOLDER_URLS.format(what=what, url=url) for what, url in named if url.startswith(PLACEHOLDER)]


def _required(data: Mapping[str, Any], keys: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}{key} is missing" for key in keys if data.get(key) in (None, "", [], {})]


def _too_long(value: object, limit: int, where: str) -> list[str]:
    return [f"{where} is longer than {limit} characters"] if isinstance(value, str) and len(value) > limit else []


def _manifest_problems(m: Mapping[str, Any]) -> list[str]:
    """The manifest against schema 1.17's required fields, formats and lengths, for what this
    package uses."""
    found = _required(m, ("manifestVersion", "version", "id", "developer", "name", "description", "icons",
                          "accentColor", "bots", "webApplicationInfo", "authorization"), "")
    if found:
        return found
    developer, name, description, bot = m["developer"], m["name"], m["description"], m["bots"][0]
    found += _required(developer, ("name", "websiteUrl", "privacyUrl", "termsOfUseUrl"), "developer.")
    found += _required(name, ("short", "full"), "name.") + _required(description, ("short", "full"), "description.")
    found += _required(bot, ("botId", "scopes", "commandLists"), "bots[0].")
    if m["manifestVersion"] != MANIFEST_VERSION:
        found.append(f"manifestVersion is not {MANIFEST_VERSION}")
    if not _SEMVER.match(str(m["version"])):
        found.append("version is not x.y.z (semver)")
    for where, value in (("id", m["id"]), ("bots[0].botId", bot.get("botId")),
                         ("webApplicationInfo.id", m["webApplicationInfo"].get("id"))):
        if not re.fullmatch(GUID, str(value)):
            found.append(f"{where} is not a GUID")
    if not m["webApplicationInfo"].get("resource"):
        found.append("webApplicationInfo.resource is missing (resource-specific consent needs one)")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        if not _HTTPS.match(str(developer.get(key, ""))):
            found.append(f"developer.{key} is not an https:// URL")
    found += _too_long(developer.get("name"), 32, "developer.name") + _too_long(name.get("short"), 30, "name.short")
    found += _too_long(name.get("full"), 100, "name.full") + _too_long(description.get("short"), 80, "description.short")
    found += _too_long(description.get("full"), 4000, "description.full")
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", str(m["accentColor"])):
        found.append("accentColor is not #rrggbb")
    if not set(bot.get("scopes", [])) <= {"team", "personal", "groupChat"}:
        found.append("bots[0].scopes holds an unknown scope")
    for i, commands in enumerate(bot.get("commandLists", [])):
        if len(commands["commands"]) > 10:
            found.append(f"bots[0].commandLists[{i}] has more than 10 commands")
        for command in commands["commands"]:
            found += _too_long(command["title"], 32, f"command {command['title']!r}: title")
            found += _too_long(command["description"], 128, f"command {command['title']!r}: description")
    found += [f"validDomains: {d!r} is not a host name (no scheme, no path)" for d in m.get("validDomains", [])
              if not _DOMAIN.match(str(d))]
    rsc = m["authorization"].get("permissions", {}).get("resourceSpecific", [])
    if not all(p.get("type") in ("Application", "Delegated") and p.get("name") for p in rsc):
        found.append("authorization.permissions.resourceSpecific: each needs a name and type Application or Delegated")
    return found


def _icon_problems(name: str, png: bytes, size: tuple[int, int], outline: bool) -> list[str]:
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except OSError:
        return [f"{name} is not a PNG image"]
    if image.format != "PNG" or image.size != size:
        return [f"{name} must be a {size[0]} × {size[1]} PNG"]
    if outline:
        data = image.convert("RGBA").tobytes()
        pixels = [tuple(data[i:i + 4]) for i in range(0, len(data), 4)]
        if any(a and (r, g, b) != (255, 255, 255) for r, g, b, a in pixels):
            return [f"{name} must be white on transparent"]
        if pixels[0][3] != 0 or all(p[3] for p in pixels):
            return [f"{name} needs a transparent background"]
    return []


def problems(package: Mapping[str, bytes]) -> list[str]:
    """What is wrong with a package (its files by name); empty when Teams should accept it."""
    if tuple(sorted(package)) != tuple(sorted(FILES)):
        return [f"the package must hold exactly {', '.join(FILES)}"]
    try:
        data = json.loads(package["manifest.json"].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ["manifest.json is not JSON"]
    if not isinstance(data, dict):
        return ["manifest.json is not a JSON object"]
    found = _manifest_problems(data)
    found += _icon_problems("color.png", package["color.png"], COLOR_SIZE, outline=False)
    found += _icon_problems("outline.png", package["outline.png"], OUTLINE_SIZE, outline=True)
    return found


def write(out: Path, app: App) -> None:
    """Write the package for ``app`` to ``out`` (a .zip); ConfigError naming every problem
    instead if it would be refused, or if ``app`` has no app id."""
    if not app.app_id:
        raise ConfigError(t.TEAMS_NO_APP_ID)
    if not re.fullmatch(GUID, app.app_id):
        raise ConfigError(f"the Microsoft app id {app.app_id!r} is not a GUID (the bot's Microsoft App ID, from its Azure Bot resource)")
    package = files(app)
    found = problems(package)
    if found:
        raise ConfigError("the Teams app package would be refused: " + "; ".join(found))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:  # at the root, fixed timestamps: the same inputs give the same zip
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), package[name],
                             compress_type=zipfile.ZIP_DEFLATED)
