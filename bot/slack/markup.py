"""Slack message markup -> the core's neutral text: plain, unescaped, neutral placeholders.

The core and the pseudonymiser (:mod:`analyzers.pseudonymise`) read plain text, as a person
would type it, in which what Slack marks up already stands as a neutral placeholder. Slack
message text (the ``text`` field, or the mrkdwn :mod:`bot.slack.richtext` renders from
``rich_text`` blocks) is not that: it escapes ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;``
and ``&gt;``, so every raw ``<`` starts a markup token. :func:`to_plain` replaces each token
and undoes the escapes of the rest, in one left-to-right pass, so nothing a person typed
("a < b", "&lt;", "<@U1>" written out) ever turns into markup, and ``&amp;lt;`` becomes the
literal ``&lt;`` the person wrote:

===============================================  ============================================
markup                                           neutral text
===============================================  ============================================
``<@U…>``, ``<@U…|label>``                       ``<person>``
``<#C…>``, ``<#C…|label>``                       ``<channel>``
``<!subteam^S…>`` (with or without a label)      ``<usergroup>``
``<!here>``, ``<!channel>``, ``<!everyone>``     "@here", "@channel", "@everyone"
``<!date^ts^format…|fallback>``                  the UTC date of ``ts``, such as "2026-11-23"
                                                 (nothing when ``ts`` is not a timestamp)
any other ``<!…>``                               nothing
``<mailto:…>``, ``<mailto:…|label>``             ``<email>``
``<tel:…>``, ``<tel:…|label>``                   ``<phone>``
``<scheme:…>``, ``<scheme:…|label>`` (links)     ``<url>``
``&amp;``, ``&lt;``, ``&gt;``                    ``&``, ``<``, ``>``
``:disappointed:``, ``:+1:``, ``👍``                 one code per emoji (``:disappointed:``,
                                                 ``:thumbsup:``), see :mod:`analyzers.emoji_text`
``*bold*``, ``_italic_``, ``~strike~``, `` `code` ``  the words, without the marks
===============================================  ============================================

Emphasis marks go because Teams delivers the same message without them (:mod:`bot.teams.markup`),
and emoji take the one form both adapters and the training data use: the same message scores
the same on both platforms.

Labels are dropped, never kept (a label is often a name or the text of a link). A ``<`` that
starts none of these tokens stays as it is. The placeholders are those of
:class:`analyzers.pseudonymise.Placeholder`, which the pseudonymiser leaves alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from analyzers.emoji_text import emoji_as_codes
from analyzers.pseudonymise import CHANNEL, EMAIL, PERSON, PHONE, URL, USERGROUP

__all__ = ["to_plain"]

# Tokens start with "<" and escapes with "&": the two never overlap, and an escape inside a
# token (a label's "&amp;") goes with the token.
_TOKEN: Final = re.compile(
    r"""
      <(?:  (?P<user>@)[^<>]*>
          | (?P<channel>\#)[^<>]*>
          | !(?P<special>[^<>|]*)(?:\|[^<>]*)?>
          | (?P<link>[a-zA-Z][a-zA-Z0-9+.\-]*):[^<>]*>
      )
    | &(?P<entity>amp|lt|gt);
    """,
    re.VERBOSE,
)

_BROADCASTS: Final = frozenset(("here", "channel", "everyone"))
_LINK_SCHEMES: Final[dict[str, str]] = {"mailto": EMAIL, "tel": PHONE}
_ENTITIES: Final[dict[str, str]] = {"amp": "&", "lt": "<", "gt": ">"}
_FIXED: Final[dict[str, str]] = {"user": PERSON, "channel": CHANNEL}


def _special(command: str) -> str:
    """The neutral text of Slack's ``<!command…>``."""
    name, _, argument = command.partition("^")
    name = name.lower()
    if name in _BROADCASTS:
        return f"@{name}"
    if name == "subteam":
        return USERGROUP
    if name == "date":
        try:
            return datetime.fromtimestamp(int(argument.partition("^")[0]), UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            return ""
    return ""


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup or ""
    if kind == "entity":
        return _ENTITIES[match["entity"]]
    if kind == "special":
        return _special(match["special"])
    if kind == "link":
        return _LINK_SCHEMES.get(match["link"].lower(), URL)
    return _FIXED[kind]


# Slack's emphasis: a mark right before a word's first character and right after its last,
# not inside a word (snake_case, 2*3*4 stay). Code fences and spans lose their backticks.
_FENCE: Final = re.compile(r"```\n?(.*?)\n?```", re.DOTALL)
_CODE: Final = re.compile(r"`([^`\n]+)`")
_EMPHASIS: Final = re.compile(r"(?<!\w)([*_~])(?=\S)([^\n]*?\S)\1(?!\w)")
def _unmarked(text: str) -> str:
    """The words of mrkdwn emphasis and code, without their marks."""
    if "`" in text:
        text = _CODE.sub(r"\1", _FENCE.sub(r"\1", text))
    previous = None
    while previous != text and any(mark in text for mark in "*_~"):  # nested: *_both_*
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text


def to_plain(text: str) -> str:
    """Slack message text (mrkdwn) as the core's neutral text: markup tokens replaced by
    neutral placeholders, the rest unescaped, emphasis marks dropped, emoji as codes (see the
    module's table)."""
    if "<" in text or "&" in text:
        text = _TOKEN.sub(_replace, text)
    return emoji_as_codes(_unmarked(text))
