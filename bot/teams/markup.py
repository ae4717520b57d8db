"""Teams message HTML -> the core's neutral text: plain, unescaped, neutral placeholders.

Teams sends a message's text as HTML (the ``text`` field, and a ``text/html`` attachment with
the full formatting). The core and the pseudonymiser read plain text in which what the platform
marks up already stands as a neutral placeholder (:mod:`analyzers.pseudonymise`), as for Slack
(:mod:`bot.slack.markup`):

=====================================================  =========================================
HTML                                                   neutral text
=====================================================  =========================================
``<at>Megan Bowen</at>`` (a mention)                   ``<person>`` (the bot's own: nothing)
``<a href="https://…">label</a>``                      ``<url>`` (the label is dropped)
``<a href="mailto:…">``, ``<a href="tel:…">``          ``<email>``, ``<phone>``
``<emoji alt="😀">``, any emoji character              its code, ``:grinning:`` (:mod:`analyzers.emoji_text`)
``<br>``; ``<p>``, ``<div>``, ``<li>``, ``<tr>``…       a line break
``<blockquote itemtype="…/Reply">`` (a quoted reply)   nothing: another person's words
``<attachment>``, ``<img>``, ``<script>``, ``<style>``  nothing
any other tag                                          its text
``&amp;``, ``&lt;``, ``&nbsp;``, ``&#…;``              ``&``, ``<``, a space, the character
=====================================================  =========================================

Whatever a person typed stays text: Teams escapes it (``&lt;``), and a ``<`` that starts no tag
is kept as it is. Emphasis (``<b>``, ``<i>``, ``<code>``…) keeps its words, without marks; a
mention of a channel or a team (``<at>`` naming a ``19:…`` id) is ``<channel>``. The Slack adapter gives the same message the same neutral text
(:mod:`bot.slack.markup`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

from analyzers.emoji_text import emoji_as_codes
from analyzers.pseudonymise import CHANNEL, EMAIL, PERSON, PHONE, URL

__all__ = ["to_plain"]

_BREAKS: Final = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol",
                            "table", "blockquote", "hr"})
# Elements whose content is never text to analyse.
_DROPPED: Final = frozenset({"script", "style", "attachment", "template", "head", "title"})
_VOID: Final = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "embed"})
_LINK_SCHEMES: Final[dict[str, str]] = {"mailto": EMAIL, "tel": PHONE, "callto": PHONE, "sip": EMAIL}
_SPACES: Final = re.compile(r"[ \t\f\v\u00a0\u2007\u202f]+")
_LINES: Final = re.compile(r" *\n[ \n]*")


class _Converter(HTMLParser):
    def __init__(self, own_names: frozenset[str], channel_names: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.own_names = own_names
        self.channel_names = channel_names
        self.out: list[str] = []
        self.skip: list[str] = []  # open elements whose content is dropped, innermost last
        self.mention: list[str] | None = None  # the text of the open <at>, if any

    def _emit(self, text: str) -> None:
        if self.mention is not None:
            self.mention.append(text)
        elif not self.skip:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _DROPPED or (tag == "blockquote" and "reply" in attributes.get("itemtype", "").lower()):
            self.skip.append(tag)
            return
        if tag == "at":
            self.mention = []
        elif tag == "a":
            scheme = attributes.get("href", "").partition(":")[0].strip().lower()
            self._emit(_LINK_SCHEMES.get(scheme, URL))
            self.skip.append(tag)  # the label: often a name, or the link's text again
        elif tag == "emoji":
            self._emit(attributes.get("alt", ""))
            self.skip.append(tag)
        elif tag in _BREAKS:
            self._emit("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip.pop() != tag:
                    pass
            return
        if tag == "at" and self.mention is not None:
            name = " ".join("".join(self.mention).split())
            self.mention = None
            self._emit("" if name in self.own_names else CHANNEL if name in self.channel_names else PERSON)
        elif tag in _BREAKS and tag != "br":
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def text(self) -> str:
        if self.mention is not None:  # an <at> never closed: still a mention
            self.mention = None
            self.out.append(PERSON)
        return _tidy("".join(self.out))


def _tidy(text: str) -> str:
    """Runs of spaces as one space, runs of line breaks (and the spaces around them) as one."""
    return _LINES.sub("\n", _SPACES.sub(" ", text.replace("\r\n", "\n"))).strip()


def to_plain(html: str, own_names: frozenset[str] = frozenset(), channel_names: frozenset[str] = frozenset()) -> str:
    """Teams message HTML as the core's neutral text (see the module's table). Mentions whose
    text is one of ``own_names`` (the bot's) are dropped, those in ``channel_names`` (of a
    channel or team) become ``<channel>``, the others ``<person>``."""
    if "<" not in html and "&" not in html:
        return emoji_as_codes(_tidy(html))
    converter = _Converter(own_names, channel_names)
    converter.feed(html)
    converter.close()
    return emoji_as_codes(converter.text())
