"""Platform-qualified ids in ``teamweather.yaml``: ``slack:U0123ABCD``, ``slack:C0123ABCD``,
``msteams:<AAD object id>``, ``msteams:19:…@thread.tacv2``.

A team's channels, managers and HR, and ``alerts.hr_recipients``, may be on any configured
platform, so each id says which. A bare id is a Slack id (how settings were written before
there was more than one platform). Each platform states the shape of its ids here; this
module needs no platform SDK, so configuration can be checked without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, Mapping

__all__ = ["DEFAULT_PLATFORM", "GUID", "Kind", "TEAMS_CHANNEL", "bare", "canonical", "platform_of", "qualified"]

Kind = Literal["user", "channel", "usergroup"]
DEFAULT_PLATFORM: Final = "slack"
#: An Azure AD object id (a Teams user as Teamweather knows them) or tenant id.
GUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: A Teams channel's conversation id (never with the ";messageid=" of one thread).
TEAMS_CHANNEL: Final = r"19:[A-Za-z0-9._\-]{1,200}@thread\.(?:tacv2|skype)"


@dataclass(frozen=True, slots=True)
class _Shapes:
    title: str  # the platform's name in messages
    user: str
    channel: str
    usergroup: str | None  # None: the platform has no user groups
    fold_users: bool = False  # user ids compare lower-case (GUIDs)


_SHAPES: Final[Mapping[str, _Shapes]] = {
    "slack": _Shapes("Slack", user=r"[UW][A-Z0-9]{2,}", channel=r"[CG][A-Z0-9]{2,}", usergroup=r"S[A-Z0-9]{2,}"),
    # Teams: a person is their AAD object id (``from.aadObjectId``, the same in every team and
    # chat), a channel its ``19:…@thread.tacv2`` id (``@thread.skype`` for older teams).
    "msteams": _Shapes("Microsoft Teams", user=GUID, channel=TEAMS_CHANNEL, usergroup=None, fold_users=True),
}


def qualified(value: str, kind: Kind) -> str:
    """``value`` as ``platform:id``, after checking that the id has the platform's shape;
    ValueError (for the settings' one-line message) otherwise."""
    platform, _, rest = value.partition(":") if ":" in value else (DEFAULT_PLATFORM, "", value)
    shapes = _SHAPES.get(platform)
    if shapes is None:
        known = ", ".join(f"{name}:" for name in _SHAPES)
        raise ValueError(f"{value!r} names an unknown platform {platform!r} (known: {known})")
    pattern = getattr(shapes, kind)
    if pattern is None:
        raise ValueError(f"{shapes.title} has no {kind.replace('usergroup', 'user group')}s: {value!r}")
    if not re.fullmatch(pattern, rest):
        raise ValueError(f"not a {shapes.title} {kind.replace('usergroup', 'user group')} id: {rest!r}")
    if kind == "user" and shapes.fold_users:
        rest = rest.lower()
    return f"{platform}:{rest}"


def platform_of(value: str) -> str:
    """The platform of an id (a bare id is a Slack id)."""
    return value.partition(":")[0] if ":" in value else DEFAULT_PLATFORM


def bare(value: str) -> str:
    """The platform's own id, without the platform."""
    return value.partition(":")[2] if ":" in value else value


def canonical(value: str) -> str:
    """``platform:id`` for an id written either way (a bare id is a Slack id), so that an id on
    one platform never matches one on another."""
    return f"{platform_of(value)}:{bare(value)}"
