"""Pseudonymisation at the edge: keyed pseudonyms for people and messages, placeholders in text.

Raw text exists only between the platform adapter and :meth:`Pseudonymiser.text`. Authors and
message ids become keyed HMAC-SHA256 pseudonyms; the key is never logged or repr'd.

:meth:`Pseudonymiser.text` reads the core's neutral text: plain and unescaped, as a person
would type it, in which the platform's markup (Slack's ``<@U…>``, ``<#C…>``, ``<!here>``,
links…; Teams' ``<at>``) already stands as a neutral placeholder (``<person>``,
``<channel>``, ``<usergroup>``, ``<email>``, ``<phone>``, ``<url>``, "@here"…). Each adapter
converts its markup before calling the core (Slack: ``bot/slack/markup.py``), so nothing here
knows a platform, and a "<" or "&" in the text is one the person typed.

It makes these passes, in this order, each over the previous one's output (so a URL's digits
are gone before digit runs are looked for, and an email's name before names are):

1. URLs -> ``<url>``: ``http://``, ``https://``, ``ftp://``, ``ftps://`` and ``www.``
   addresses, and bare domains followed by a path ("example.com/foo", "git.corp.io/a/b"; a
   bare domain without a path, like "example.com", stays). Trailing punctuation ("." "," ")"
   "!" "?" quotes ...) is left outside the URL.
2. Emails (``local@domain.tld``) -> ``<email>``.
3. IPv6 addresses (full, compressed with at least two groups, or with an IPv4 tail such as
   "::ffff:192.0.2.1") -> ``<ip>``.
4. Digits, leftmost first; where several rules start at the same character, the first wins:

   a. bare Slack user ids ("U" or "W", then 6-12 capitals and digits, at least one digit:
      "U012ABCDEF") -> ``<person>``;
   b. dotted-quad IPv4 addresses -> ``<ip>`` (so a four-part version "1.2.3.4" is an IP;
      "v2.13.0", or "2.13.0.1" written right after a letter, is not);
   c. phone numbers -> ``<phone>``: international ("+" and at least 7 digits in groups
      split by spaces, dots, hyphens or a bracketed part: "+44 20 7946 0958",
      "+1-202-555-0143", "+44 (0)20 7946 0958"); North American "(555) 123-4567",
      "555-123-4567", "555.123.4567", "555 123 4567"; national numbers with a trunk 0 in
      three groups: "0171 496 0000", "020 7946 0958", "07700 900123";
   d. kept as they are: ISO-like dates "2026-11-23", "23-11-2026" (not followed by another
      "-" or digit), and ranges of two numbers of at most 4 digits each, "2019-2026",
      "100-200" (not followed by a space or "-" and a digit); so a code written "1234-5678"
      stays, "1234-5678-9012" does not;
   e. any other run of 5 or more digits -> ``<number>``: digits written together, or
      groups of at least 2 digits separated by single spaces or hyphens ("48213377",
      "1234 5678 9012 3456", "12 34 56 78 90", "PR-48213", "#12345", "ticket48213", and an
      amount written "10 000"; but "3 2026" is two numbers). Digits right after "<digit>.", "<digit>," or "<digit>:" are
      a decimal, a thousands part or minutes and do not start a run ("3.14159", "12,500",
      "10:30 2026" stay); a run does not end right before ":", "." or "," and a digit, so
      "12345.67" (an amount) stays and "12345 10:30" keeps its time; and a run does not take in
      a date after a space ("sprint 12 2026-11-23" stays).

5. Members' names -> ``<person>`` (rules in :mod:`analyzers.names`).

Everything else stays verbatim: case, punctuation, emoji, whitespace, times ("10:30"),
versions ("v2.13.0"), short numbers ("3 bugs", "2026", "45%"), dates, and numbers grouped
with commas or dots ("10,000", "1.234.567").

Speed: passes 1-3 run only when the text holds the character they need ("/" or "www.", "@",
"::" or seven colons), and passes 1 and 2 only on the space-separated words around a "/" or an
"@" (unless there is a "www."). Pass 4 starts with a character class, so the regex engine
scans for candidate characters in C instead of trying each rule at each position; one combined
pattern measured 10 times slower. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Iterable

from analyzers.names import NameMatcher

__all__ = [
    "CHANNEL", "DEFAULT_SOURCE", "EMAIL", "IP", "MIN_KEY_BYTES", "Member", "NUMBER", "PERSON", "PHONE",
    "Placeholder", "Pseudonymiser", "URL", "USERGROUP",
]

MIN_KEY_BYTES: Final = 16
DEFAULT_SOURCE: Final = "default"  # the directory of set_members() called without a source
_PSEUDONYM_HEX: Final = 32


class Placeholder(StrEnum):
    """The typed placeholders that stand in for what was removed from a message."""

    PERSON = "<person>"
    CHANNEL = "<channel>"
    USERGROUP = "<usergroup>"
    EMAIL = "<email>"
    PHONE = "<phone>"
    URL = "<url>"
    IP = "<ip>"
    NUMBER = "<number>"


PERSON, CHANNEL, USERGROUP, EMAIL, PHONE, URL, IP, NUMBER = Placeholder


@dataclass(frozen=True, slots=True)
class Member:
    """A workspace member and the names people call them by ("" entries are ignored)."""

    user_id: str
    names: tuple[str, ...]


_END_OF_URL = r"""[^\s<>"'`.,;:!?)\]}’”]"""
_URL_PATTERN: Final = re.compile(
    rf"""(?<![\w.@/-])(?:
          (?:https?|ftps?)://[^\s<>"]*{_END_OF_URL}
        | www\.[^\s<>"]*{_END_OF_URL}
        | (?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+[a-z]{{2,24}}(?::\d{{1,5}})?
          /(?:[^\s<>"]*{_END_OF_URL})?
    )""",
    re.IGNORECASE | re.VERBOSE,
)

_EMAIL_PATTERN: Final = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")

_H = r"[0-9a-f]{1,4}"
_IPV6_PATTERN: Final = re.compile(
    rf"""(?<![\w:.])(?:
          (?:(?:{_H})?:){{2,6}}\d{{1,3}}(?:\.\d{{1,3}}){{3}}
        | (?:{_H}:){{7}}{_H}
        | (?:{_H}:){{1,6}}:{_H}(?::{_H}){{0,5}}
        | (?:{_H}:){{2,7}}:
        | ::{_H}(?::{_H}){{1,6}}
    )(?![\w:])""",
    re.IGNORECASE | re.VERBOSE,
)

# The first character is consumed by the leading class, so sre skips to candidate characters
# in C; each alternative then checks what precedes that character with a lookbehind.
_DIGIT_PATTERN: Final = re.compile(
    r"""
    [\d(+UW]
    (?:   (?<=[UW])(?<!\w[UW])(?=[A-Z]*\d)[A-Z0-9]{6,12}(?!\w)(?P<user_id>)
        | (?<=\+)(?<![\w+]\+)(?=(?:[\s.\-()]{0,3}\d){7})
          \d{1,3}(?:[ .\-]{0,2}(?:\(\d{1,5}\)|\d{1,5})){1,6}(?!\d)(?P<intl>)
        | (?<=\()(?<![\w+]\()\d{3}\)[ ]?\d{3}[ .\-]\d{4}(?!\d)(?P<paren>)
        | (?<=\d)(?<!\d\d)  # all the rest start at the first digit of a run
          (?:   (?<![\w:.]\d)\d{0,2}(?:\.\d{1,3}){3}(?!\w|\.\d)(?P<ipv4>)
              | (?<![\w+]\d)
                (?:\d{2}[ .\-]?\d{3}[ .\-]\d{4}|(?<=0)\d{2,4}[ .\-]?\d{3,4}[ .\-]?\d{3,4})
                (?!\d)(?P<phone>)
              | (?:(?:\d{3}-\d\d?-\d\d?|\d?-\d\d?-\d{4})(?!-?\d)|\d{0,3}-\d{1,4}(?![ \-]?\d))
                (?P<keep>)
              | (?<!\d[.,:]\d)\d+
                (?:(?:-|[ ](?!(?:\d{4}-\d\d?-\d\d?|\d\d?-\d\d?-\d{4})(?!-?\d)))\d{2,})*
                (?![:.,]?\d)(?P<number>)
          )
    )""",
    re.VERBOSE,
)

_DIGIT_FIXED: Final[dict[str, str]] = {
    "user_id": PERSON, "intl": PHONE, "paren": PHONE, "phone": PHONE,
}
_MIN_RUN: Final = 5


def _digits(match: re.Match[str]) -> str:
    kind = match.lastgroup or ""
    if kind == "ipv4":
        return IP if all(int(octet) < 256 for octet in match.group().split(".")) else match.group()
    if kind == "keep":
        return match.group()
    if kind == "number":
        run = match.group()
        return NUMBER if len(run) - run.count(" ") - run.count("-") >= _MIN_RUN else run
    return _DIGIT_FIXED[kind]


def _around(text: str, anchor: str, pattern: re.Pattern[str], placeholder: str) -> str:
    """``pattern.sub`` on just the space-separated words that hold ``anchor``.

    URLs and emails hold no spaces, and letting their patterns try every position of the whole
    text costs far more than finding the few words with a "/" or an "@" in them.
    """
    out: list[str] = []
    done = 0  # text[:done] is already in out
    at = text.find(anchor)
    while at != -1:
        start = text.rfind(" ", 0, at) + 1
        end = text.find(" ", at)
        end = len(text) if end == -1 else end
        out += (text[done:start], pattern.sub(placeholder, text[start:end]))
        done = end
        at = text.find(anchor, end)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


class Pseudonymiser:
    """Keyed pseudonyms and placeholder text. ``text()`` may run while ``set_members()`` does.

    Member names come from one directory per source (each platform's, refreshed on its own
    schedule); ``text()`` strips the names of every source."""

    __slots__ = ("_key", "_names", "_sources", "_lock")

    def __init__(self, key: bytes, members: Iterable[Member] = ()) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)
        self._sources: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()  # one set_members() at a time: none may drop another's
        self.set_members(members)

    def __repr__(self) -> str:
        return f"Pseudonymiser(key=<hidden>, names={len(self._names)})"

    def _hmac(self, message: str) -> str:
        digest = hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:_PSEUDONYM_HEX]

    def author(self, workspace: str, user: str) -> str:
        """The person's pseudonym: hex HMAC-SHA256 of ``workspace:user``, 32 characters."""
        return self._hmac(f"{workspace}:{user}")

    def reviewer(self, workspace: str, user: str) -> str:
        """The pseudonym a reviewer's labels are kept under: hex HMAC-SHA256 of
        ``reviewer:workspace:user``, so that labels cannot be joined to the reviewer's own
        messages' scores (which :meth:`author` keys)."""
        return self._hmac(f"reviewer:{workspace}:{user}")

    def message_key(self, workspace: str, channel: str, ts: str) -> str:
        """The message's pseudonymous id: hex HMAC-SHA256 of ``msg:workspace:channel:ts``."""
        return self._hmac(f"msg:{workspace}:{channel}:{ts}")

    def set_members(self, members: Iterable[Member], source: str = DEFAULT_SOURCE) -> None:
        """Match these members' names from now on, in place of the members ``source`` gave
        before; the other sources' names stay (a platform's refresh keeps the others')."""
        names = tuple(dict.fromkeys(name for member in members for name in member.names if name))
        with self._lock:
            self._sources[source] = names
            matcher = NameMatcher(name for each in self._sources.values() for name in each)
            self._names = matcher  # one assignment: text() sees the old matcher or the new one

    def text(self, text: str) -> str:
        """Neutral ``text`` with names, bare user ids, emails, URLs, IPs, phones and long numbers
        replaced by placeholders (platform markup is the adapter's: see the module docstring)."""
        names = self._names  # read once: set_members() may swap it meanwhile
        if "www." in text.lower():
            text = _URL_PATTERN.sub(URL, text)
        elif "/" in text:
            text = _around(text, "/", _URL_PATTERN, URL)
        if "@" in text:
            text = _around(text, "@", _EMAIL_PATTERN, EMAIL)
        if "::" in text or text.count(":") >= 7:
            text = _IPV6_PATTERN.sub(IP, text)
        return names.replace(_DIGIT_PATTERN.sub(_digits, text), PERSON)

    def for_reviewers(self, text: str) -> str:
        """Pseudonymised ``text`` made fit for a person to read: members' names that are
        common words go too unless their context marks them as the word ("thanks dawn fixed
        it" loses "dawn", "we hope so" keeps "hope"); see ``NameMatcher.replace``."""
        return self._names.replace(text, PERSON, recall_first=True)
