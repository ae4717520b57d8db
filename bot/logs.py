"""Logging set-up, and the redaction that keeps message text out of every log line.

Message text must never reach a log line. Our code never logs it by design; this module is the
safety net that holds whatever any library logs (slack-bolt, for one, logs a rejected request's
whole body at INFO).

How every line is covered (:func:`setup`):

- **Records are redacted when they are made.** A log-record factory
  (:func:`logging.setLogRecordFactory`) builds every record of every logger, ours and the
  libraries', whatever handlers exist now or are added later, ``propagate=False`` loggers and
  :data:`logging.lastResort` included. It formats the message once, redacts it and stores it
  back (``msg`` = the redacted text, ``args`` = ``()``); it renders the exception (type,
  location lines, and for our loggers a redacted first line of its message) into ``exc_text``
  and clears ``exc_info``; it redacts ``stack_info``; and it caps the whole record
  (:data:`RECORD_BYTES`). A handler or formatter never sees the raw values.
- **A filter on every handler** (:class:`Redactor`), attached by :func:`setup` and again by
  :func:`guard` (re-runnable) to the root handlers, every logger's handlers and
  ``logging.lastResort``: it redacts records made some other way (``logging.makeLogRecord``,
  ``LogRecord(...)`` by hand), scrubs ``extra=`` attributes (set after the factory ran) and
  drops the lines over a call site's flood budget.
- ``sys.excepthook``, ``threading.excepthook``, ``sys.unraisablehook`` and warnings
  (``logging.captureWarnings``) go through logging too, so an uncaught exception's message is
  redacted like any other.

What a record becomes:

- One line: the message's first line only (" (+N lines)" says how many were dropped); control
  characters and bidi overrides become "?"; percent-encoding is decoded first, so
  "jo%40corp.example" is seen as an email.
- Request bodies: everything after "body:", "payload=", "text:" (and the like) -> "<redacted>";
  form-encoded payloads "a=b&c=d" -> "<form>".
- Library loggers (any name outside :data:`OWN_PACKAGES`; Bolt's "slack_bolt.teamweather" is
  one): quoted strings -> ``"..."``, bracketed payloads -> ``{...}`` / ``[...]``, prose (7 or
  more words in a row) -> <text>, at most :data:`LIBRARY_MESSAGE_CHARS` characters; exceptions
  keep their type and location lines only.
- Our loggers: the format string is our code and is prose itself, but what fills it in may hold
  anything, so text, exception and other object arguments (``log.info("got %s", value)``) go
  under the library rules first (numbers, dates, paths and containers do not). Then, on the
  whole line: quoted strings of 4+ words or over 64 characters -> ``'<text>'``; bracketed spans
  holding a quoted value (``"text": "..."``) or over 200 characters -> ``{...}``; at most
  :data:`OWN_MESSAGE_CHARS` characters. Exceptions keep their type and the first line of their
  message under the library rules, at most 200 characters ("sqlite3.OperationalError: database
  is locked").
- Everywhere: URLs -> scheme://host[:port] (path, query and user info dropped: "/..."); emails
  -> <email>; Slack tokens and long mixed letter-digit strings (signatures, keys, pseudonyms)
  -> <token>; Teams ids ("29:1abc...", "19:...@thread.tacv2", "a:1..."), GUIDs and Slack ids
  (a capital and 8 or more capitals or digits: "U0123ABCD", "C…", "T…") -> <id>; phone
  numbers -> <phone>; runs of 7 or more digits (written together or in groups) -> <number>.
  Kept: dates and times ("2026-12-07 09:00:00+00:00", "10:30"), versions, decimals, ports,
  short numbers; IPv4 addresses in our lines (library lines: <ip>).
- Caps: only the first line's first 2 x limit characters are looked at (a 2 MB message costs
  one search for a newline and one slice); a record's message, traceback and stack together
  stay under :data:`RECORD_BYTES` encoded, with room for the time, level and logger name.
- Floods: each call site (logger, file, line) has a budget: libraries :data:`LIBRARY_BURST`
  lines then one per :data:`LIBRARY_EVERY_S` seconds, ours :data:`OWN_BURST` then
  :data:`OWN_PER_S` a second; the next line let through says how many were suppressed.

Redaction never raises: a failure gives the fixed line :data:`FALLBACK`; a message that cannot
be formatted (bad arguments) gives :data:`UNFORMATTABLE`, never its arguments.

It costs about 15-30 microseconds a line (a line itself costs about 8 to make and write).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from datetime import date, timedelta
from datetime import time as dt_time
from enum import Enum
from numbers import Number
from pathlib import PurePath
from types import TracebackType
from typing import Any, Callable, Final
from urllib.parse import unquote

# Their DEBUG output includes request and response bodies (message text, member names).
LIBRARIES = ("apscheduler", "slack_bolt", "slack_sdk", "aiohttp", "botbuilder", "botframework", "msrest", "msal")
# Loggers named after these (or "name.…") are ours; every other logger is a library's.
OWN_PACKAGES: Final = ("bot", "analyzers", "storage", "training", "domain", "teamweather")
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

RECORD_BYTES: Final = 4096  # a record's message + traceback + stack, UTF-8, with room for the prefix
_PREFIX_BYTES: Final = 256  # asctime, level and logger name
_MESSAGE_BYTES: Final = 2048  # of those, at most this for the message
OWN_MESSAGE_CHARS: Final = 1000
LIBRARY_MESSAGE_CHARS: Final = 300
EXCEPTION_MESSAGE_CHARS: Final = 200
MAX_FRAMES: Final = 20  # innermost frames kept per exception
MAX_CHAINED: Final = 3  # exceptions kept from a __cause__ / __context__ chain
LIBRARY_BURST: Final = 20
LIBRARY_EVERY_S: Final = 10.0
OWN_BURST: Final = 200
OWN_PER_S: Final = 5.0
FALLBACK: Final = "[log line dropped: redaction failed]"
UNFORMATTABLE: Final = "[log message could not be formatted]"
SUPPRESSED: Final = "[log line suppressed: too many from this place]"
UNCAUGHT_LOGGER: Final = "teamweather.uncaught"

_MARK: Final = "_teamweather_redacted"
_DROP: Final = "_teamweather_drop"
_CUT: Final = " [...]"
_UNMARKED: Final = object()


def quiet_libraries() -> None:
    """Keep third-party loggers at INFO or above, whatever the root level."""
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    # "Running job ... executed successfully" every five minutes says nothing; failures still show
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


def setup(level: str) -> None:
    """Our loggers at ``level`` (to stderr); libraries never below INFO; every record redacted."""
    logging.basicConfig(level=level, format=FORMAT)
    guard()
    _install_hooks()
    quiet_libraries()


# --- patterns -------------------------------------------------------------------------------

_NEWLINE = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_TRAILING_TOKEN = re.compile(r"\S+\Z")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"[\s\x1c-\x1f\x85]")
_BODY = re.compile(
    r"(?i)(?<![\w-])(?:raw_?body|request_?body|response_?body|body|payload|form_?data|text|blocks)"
    r"(?![\w-])\s*[:=]"
)
_FORM = re.compile(r"[\w.%\[\]-]+=[^\s&]*(?:&[\w.%\[\]-]+=[^\s&]*)+")
_URL = re.compile(
    r"(?i)\b([a-z][a-z0-9+.-]{0,15})://(?:[^\s/?#@\"'<>]*@)?"
    r"(\[[0-9a-f:.]+\]|[\w.-]*)(:\d{1,5})?([/?#][^\s\"'<>]*)?"
)
_BARE_URL = re.compile(
    r"(?i)(?<![\w./@:-])((?:[a-z0-9-]+\.)+[a-z]{2,24}(?::\d{1,5})?)/[^\s\"'<>]*"
)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN = re.compile(
    r"(?i)\b(?:xox[a-z]-[\w-]+|xapp-[\w-]+)"
    r"|(?<![\w-])(?=[\w-]{24})(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{24,}"
)
_TEAMS = re.compile(
    r"(?i)\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"
    r"|(?:(?<![\d:])\d{1,2}|(?<![\w:])a):(?!\d\d(?::\d\d)?(?:[.,]\d+)?(?![\w@:-]))[\w.@:-]{8,}"  # not a time
)
# A capital and 8 or more capitals or digits, not part of a longer capital run (see _slack_id).
_SLACK_ID = re.compile(r"(?<![A-Z])[A-Z][A-Z0-9]{8,}(?![A-Z0-9])")
_DATE = r"(?:\d{4}-\d\d-\d\d|\d\d?-\d\d?-\d{4})"
_DIGITS = re.compile(  # the leading lookahead lets the engine skip to candidates: 2.5 times faster
    rf"""(?=[\d(+])(?:
      (?<!\d)(?<!\d[.,:])(?:
          (?P<keep>
              {_DATE}(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?![\d-])
            | \d\d?:\d\d(?::\d\d(?:[.,]\d+)?)?(?:[+-]\d\d:?\d\d)?(?![\d:])
          )
        | (?P<ip>\d{{1,3}}(?:\.\d{{1,3}}){{3}})(?![\d.])
        | (?P<phone>
              \(\d{{3}}\)[ ]?\d{{3}}[ .-]\d{{4}}
            | \d{{3}}[.-]\d{{3}}[.-]\d{{4}}
            | \d{{3}}[ ]\d{{3}}[ ]\d{{4}}
            | 0\d{{2,4}}[ .-]\d{{3,4}}[ .-]?\d{{3,4}}
          )(?!\d)
        | (?P<number>\d+(?:[ -](?!{_DATE}(?![\d-]))\d{{2,}}(?![\d:]))*(?:[.,]\d+)*)
      )
    | (?<![\w+])(?P<intl>\+\d[\d .()/-]{{5,}}\d)(?!\d)
    )""",
    re.VERBOSE,
)
_ANY_DIGIT = re.compile(r"\d")
_LIBRARY_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|(?<!\w)'(?:[^'\\]|\\.)*'?")
_OWN_QUOTED = re.compile(r"(?<!\w)([\"'])((?:(?!\1)[^\\]|\\.)*)(\1|\Z)")
_BRACKETS = re.compile(r"[{}\[\]]")
# 7 or more words in a row, written like prose ("can't", "well," and "so;" are words)
_WORD = r"[^\W\d_]+(?:'[^\W\d_]+)?"
_SENTENCE = re.compile(rf"(?<![\w<>/.@:-]){_WORD}(?:[,;]?[ ]{_WORD}){{6,}}(?![\w<>/@-])")
_QUOTED_VALUE = re.compile(r"[:=]\s*[\"']")
_EXCEPTION_LINE = re.compile(r"^[\s|+-]*([A-Za-z_][\w.]*)(?::|$)")
_FRAME_LINE = re.compile(r"^[\s|]*File \"[^\"]*\", line \d+, in \S+$")
_CHAIN_LINES = (
    "Traceback (most recent call last):",
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)


# --- text -----------------------------------------------------------------------------------


def is_own(name: str) -> bool:
    """Whether a logger of this name is ours (bot, analyzers, ...) rather than a library's."""
    return name.partition(".")[0] in OWN_PACKAGES


def _first_line(text: str) -> str:
    """The first line; " (+N lines)" says how many more there were (blank ones aside)."""
    match = _NEWLINE.search(text)
    if match is None:
        return text
    if _NON_SPACE.search(text, match.end()) is None:
        return text[: match.start()]
    return f"{text[: match.start()]} (+{text.count(chr(10), match.end()) + 1} lines)"


def _cut(text: str, limit: int) -> str:
    """``text`` to at most ``limit`` characters, never ending on half a word."""
    if len(text) <= limit:
        return text
    return _TRAILING_TOKEN.sub("", text[: limit - len(_CUT)]) + _CUT


def _fit(text: str, max_bytes: int, *, keep_tail: bool = False) -> str:
    """``text`` in at most ``max_bytes`` UTF-8 bytes (the end of it when ``keep_tail``)."""
    if len(text) * 4 <= max_bytes or len(encoded := text.encode("utf-8", "replace")) <= max_bytes:
        return text
    if max_bytes <= len(_CUT):
        return ""
    room = max_bytes - len(_CUT)
    if keep_tail:
        return _CUT.strip() + "\n" + encoded[-room:].decode("utf-8", "ignore")
    return encoded[:room].decode("utf-8", "ignore") + _CUT


def _tail_lines(text: str) -> str:
    """The whole lines among the last ``2 * RECORD_BYTES`` characters (all that can be shown)."""
    if len(text) <= 2 * RECORD_BYTES:
        return text
    start = text.find("\n", len(text) - 2 * RECORD_BYTES)
    return text[start + 1:] if start != -1 else ""


def _strip_brackets(text: str, *, own: bool) -> str:
    """Bracketed spans -> ``{...}`` / ``[...]`` (for our lines: only the body-like ones)."""
    if "{" not in text and "[" not in text:
        return text
    out: list[str] = []
    depth = 0
    done = 0  # text[:done] is in out
    opened = 0
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "{[":
            if depth == 0:
                opened = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                span = text[opened: match.end()]
                if not own or len(span) > 200 or _QUOTED_VALUE.search(span):
                    out += (text[done:opened], "{...}" if span[0] == "{" else "[...]")
                    done = match.end()
    if depth:  # unterminated: everything from the opening bracket on, if it may be a body
        span = text[opened:]
        if not own or len(span) > 200 or _QUOTED_VALUE.search(span):
            out += (text[done:opened], "{..." if span[0] == "{" else "[...")
            done = len(text)
    out.append(text[done:])
    return "".join(out)


def _own_quoted(match: re.Match[str]) -> str:
    inner = match.group(2)
    if len(inner) > 64 or len(inner.split()) >= 4:
        return f"{match.group(1)}<text>{match.group(3)}"
    return match.group()


def _url(match: re.Match[str]) -> str:
    scheme, host, port, rest = match.groups()
    rest = rest or ""
    tail = rest[len(rest.rstrip(").,;:!?]}")):]  # punctuation after the URL, not part of it
    path = "/..." if rest[: len(rest) - len(tail)] not in ("", "/") else ""
    return f"{scheme}://{host}{port or ''}{path}{tail}"


def _slack_id(match: re.Match[str], own: bool) -> str:
    """<id>, except for a word of a SCREAMING_SNAKE name such as TEAMWEATHER_PSEUDONYM_KEY
    (all capitals, joined to the next or previous word by "_"), and, in our own lines, a
    workspace or organisation id (T…, E…): it names no person, and an admin needs it to act
    (``teamweather purge --workspace T…``)."""
    text, start, end = match.string, match.start(), match.end()
    if own and text[start] in "TE" and not match.group().isalpha():
        return match.group()
    if ((start and text[start - 1] == "_") or text[end: end + 1] == "_") and match.group().isalpha():
        return match.group()
    return "<id>"


def _digits(match: re.Match[str], own: bool) -> str:
    kind = match.lastgroup
    text = match.group()
    if kind == "keep":
        return text
    if kind == "ip":
        return text if own else "<ip>"
    if kind == "number":
        head = re.split(r"[.,]", text, maxsplit=1)[0]
        return "<number>" if sum(c.isdigit() for c in head) >= 7 else text
    if kind == "intl":
        return "<phone>" if sum(c.isdigit() for c in text) >= 7 else text
    return "<phone>"


def _identifiers(text: str, *, own: bool) -> str:
    """URLs, emails, tokens, ids, phones and long numbers replaced (all of a record's text)."""
    if "://" in text:
        text = _URL.sub(_url, text)
    if "/" in text:
        text = _BARE_URL.sub(r"\1/...", text)
    if "@" in text:
        text = _EMAIL.sub("<email>", text)
    text = _TOKEN.sub("<token>", text)
    if ":" in text or "-" in text:
        text = _TEAMS.sub("<id>", text)
    text = _SLACK_ID.sub(lambda m: _slack_id(m, own), text)
    if _ANY_DIGIT.search(text):
        text = _DIGITS.sub(lambda m: _digits(m, own), text)
    return text


def redact_message(text: str, *, own: bool, limit: int | None = None) -> str:
    """One log message made safe: the rules in this module's docstring.

    ``own``: the message comes from one of our loggers; else a library's rules apply.
    ``limit``: at most this many characters (default by ``own``)."""
    if limit is None:
        limit = OWN_MESSAGE_CHARS if own else LIBRARY_MESSAGE_CHARS
    # Placeholders are shorter than what they replace, so twice the limit is all that can show.
    text = _cut(_first_line(text), 2 * limit)
    if "%" in text and _PERCENT.search(text):
        text = _first_line(unquote(text, errors="replace"))
    text = _CONTROL.sub("?", text)
    if (body := _BODY.search(text)) is not None:
        text = text[: body.end()] + " <redacted>"
    if "=" in text and "&" in text:
        text = _FORM.sub("<form>", text)
    if own:
        if '"' in text or "'" in text:
            text = _OWN_QUOTED.sub(_own_quoted, text)
        text = _strip_brackets(text, own=True)
    else:
        if '"' in text or "'" in text:
            text = _LIBRARY_QUOTED.sub('"..."', text)
        text = _SENTENCE.sub("<text>", _strip_brackets(text, own=False))
    return _cut(_identifiers(text, own=own), limit)


# --- exceptions -----------------------------------------------------------------------------


def _type_name(exc_type: type[BaseException]) -> str:
    module = getattr(exc_type, "__module__", "") or ""
    name = str(getattr(exc_type, "__qualname__", None) or getattr(exc_type, "__name__", "Exception"))
    return name if module in ("builtins", "__main__") else f"{module}.{name}"


def _exception_line(exc: BaseException, own: bool) -> str:
    line = _type_name(type(exc))
    if isinstance(exc, BaseExceptionGroup):
        kinds = sorted({type(e).__name__ for e in exc.exceptions})
        line += f" ({len(exc.exceptions)} sub-exceptions: {', '.join(kinds)})"
    if own:
        try:
            message = str(exc)
        except Exception:
            message = "<exception str() failed>"
        message = redact_message(message, own=False, limit=EXCEPTION_MESSAGE_CHARS).strip()
        if message:
            line += f": {message}"
    return line


def _render_exception(exc_info: Any, own: bool) -> str:
    """A traceback holding the frames, the exception types and (``own``) redacted messages."""
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or exc_info[0] is None:
        return ""
    exc_type, value, tb = exc_info
    if value is None:
        return _type_name(exc_type)
    chain: list[tuple[BaseException, TracebackType | None]] = [(value, tb)]
    seen = {id(value)}
    exc = value
    while len(chain) < MAX_CHAINED:
        nxt = exc.__cause__ if exc.__cause__ is not None else (
            None if exc.__suppress_context__ else exc.__context__)
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        chain.append((nxt, nxt.__traceback__))
        exc = nxt
    parts: list[str] = []
    for n, (exc, exc_tb) in enumerate(reversed(chain)):
        if n:
            older = chain[len(chain) - n][0]
            between = _CHAIN_LINES[1] if exc.__cause__ is older else _CHAIN_LINES[2]
            parts.append(f"\n{between}\n\n")
        if exc_tb is not None:
            parts.append(_CHAIN_LINES[0] + "\n")
            parts.extend(traceback.extract_tb(exc_tb, limit=-MAX_FRAMES).format())
        parts.append(_exception_line(exc, own) + "\n")
    return _identifiers(_tail_lines("".join(parts)), own=own).rstrip("\n")


def _redact_traceback_text(text: str, own: bool) -> str:
    """A traceback that arrived as text: only its structure, frame locations and exception types."""
    kept: list[str] = []
    for line in text[: 4 * RECORD_BYTES].splitlines():
        stripped = line.strip()
        if not stripped or stripped in _CHAIN_LINES or _FRAME_LINE.match(line):
            kept.append(line)
        elif (match := _EXCEPTION_LINE.match(line)) is not None and not line.startswith(" "):
            kept.append(match.group(1))
    return _identifiers("\n".join(kept), own=own).strip("\n")


# --- records --------------------------------------------------------------------------------


class _Flood:
    """Per call-site token buckets: how many lines one place in the code may write."""

    def __init__(self) -> None:
        self.clock: Callable[[], float] = time.monotonic
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, int], list[float]] = {}

    def admit(self, key: tuple[str, str, int], own: bool) -> tuple[bool, int]:
        """(let it through, lines suppressed since the last one let through)."""
        burst, per_second = (OWN_BURST, OWN_PER_S) if own else (LIBRARY_BURST, 1.0 / LIBRARY_EVERY_S)
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= 10_000:
                    self._buckets.clear()
                bucket = self._buckets[key] = [float(burst), now, 0.0]
            tokens = min(float(burst), bucket[0] + (now - bucket[1]) * per_second)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                suppressed, bucket[2] = int(bucket[2]), 0.0
                return True, suppressed
            bucket[0] = tokens
            bucket[2] += 1
            return False, 0

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


_flood = _Flood()


def _mark(record: logging.LogRecord) -> None:
    """Remember that ``record`` is redacted, as long as its message stays this very object
    (``logging.makeLogRecord`` makes a record with the factory, then overwrites its fields)."""
    record.__dict__.pop("message", None)
    record.__dict__[_MARK] = record.msg


def _is_redacted(record: logging.LogRecord) -> bool:
    return (record.__dict__.get(_MARK, _UNMARKED) is record.msg and not record.args
            and record.exc_info is None)


def _fail(record: logging.LogRecord) -> None:
    record.msg, record.args = FALLBACK, ()
    record.exc_info = record.exc_text = record.stack_info = None
    _mark(record)


# Arguments of these types keep our rules: numbers, times, paths, and containers (a dict of
# counts; a body-like one is caught by the bracket rule). Any other object may print anything.
_PLAIN_ARGUMENTS: Final = (Number, date, dt_time, timedelta, PurePath, Enum, Mapping, list, tuple, set,
                           frozenset, type(None))


def _strict_argument(value: object) -> object:
    """An argument of one of our log calls: text, exceptions and other objects under the
    library rules (the format string is our code; what fills it in may not be)."""
    if isinstance(value, BaseException):
        return redact_message(str(value), own=False, limit=EXCEPTION_MESSAGE_CHARS)
    if isinstance(value, str) or not isinstance(value, _PLAIN_ARGUMENTS):
        return redact_message(str(value), own=False)
    return value


def _own_message(record: logging.LogRecord) -> str:
    """``record.getMessage()``, with its arguments redacted first."""
    msg, args = str(record.msg), record.args
    if not args:
        return msg
    if isinstance(args, tuple):
        return msg % tuple(_strict_argument(a) for a in args)
    if isinstance(args, Mapping):
        return msg % {k: _strict_argument(v) for k, v in args.items()}
    return msg % args


def redact_record(record: logging.LogRecord, *, count: bool = False) -> logging.LogRecord:
    """Redact ``record`` in place (message, exception, stack; capped), once; never raises.

    ``count``: charge the record to its call site's flood budget (over it: marked to drop)."""
    if _is_redacted(record):
        return record
    try:
        own = is_own(str(record.name))
        suppressed = 0
        if count:
            admitted, suppressed = _flood.admit((str(record.name), str(record.pathname), record.lineno), own)
            if not admitted:  # dropped by every Redactor; what a handler without one prints:
                record.msg, record.args = SUPPRESSED, ()
                record.exc_info = record.exc_text = record.stack_info = None
                record.__dict__[_DROP] = True
                _mark(record)
                return record
        try:
            message = _own_message(record) if own else record.getMessage()
        except Exception:  # a bad format string or argument: nothing of it is shown
            message = UNFORMATTABLE
        else:
            message = redact_message(message, own=own)  # if this fails: FALLBACK, below
        if suppressed:
            message += f" ({suppressed} similar lines suppressed)"
        exc_text = ""
        if record.exc_info:
            exc_text = _render_exception(record.exc_info, own)
        elif record.exc_text:
            exc_text = _redact_traceback_text(str(record.exc_text), own)
        stack = _identifiers(_tail_lines(str(record.stack_info)), own=own) if record.stack_info else ""
        budget = RECORD_BYTES - _PREFIX_BYTES
        message = _fit(message, _MESSAGE_BYTES)
        budget -= len(message.encode("utf-8", "replace"))
        exc_text = _fit(exc_text, budget, keep_tail=True)
        budget -= len(exc_text.encode("utf-8", "replace")) + 1
        stack = _fit(stack, max(budget, 0), keep_tail=True)
        record.msg, record.args = message, ()
        record.exc_info = None
        record.exc_text = exc_text or None
        record.stack_info = stack or None
        _mark(record)
    except Exception:
        _fail(record)
    return record


_STANDARD_ATTRIBUTES: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__
) | {"message", "asctime", _MARK, _DROP}


def _scrub_extras(record: logging.LogRecord) -> None:
    """Attributes passed with ``extra=`` (set after the record factory ran): numbers stay, a
    single short word is redacted like a message, anything else becomes "<redacted>"."""
    for key in record.__dict__.keys() - _STANDARD_ATTRIBUTES:
        value = record.__dict__[key]
        if value is None or isinstance(value, (bool, int, float)):
            continue
        text = value if isinstance(value, str) else ""
        short_word = 0 < len(text) <= 64 and not _SPACE.search(text)
        record.__dict__[key] = _identifiers(_CONTROL.sub("?", text), own=False) if short_word else "<redacted>"


class Redactor(logging.Filter):
    """The filter on every handler: redacts what the record factory did not see, drops floods."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            redact_record(record)
            _scrub_extras(record)
            return not record.__dict__.get(_DROP, False)
        except Exception:
            _fail(record)
            return True


class _RedactingFactory:
    """The log-record factory: wraps the one it replaces, redacts what it makes."""

    def __init__(self, base: Callable[..., logging.LogRecord]) -> None:
        self.base = base

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        try:
            record = self.base(*args, **kwargs)
        except Exception:
            record = logging.LogRecord(str(args[0]) if args else "", logging.ERROR, "", 0, FALLBACK, (), None)
        # logging.makeLogRecord() asks for an empty record (name None) and fills it in afterwards:
        # no flood charge for that one; the Redactor on the handler redacts what it gets filled with.
        return redact_record(record, count=record.name is not None)


def _all_handlers() -> list[logging.Handler]:
    loggers: list[Any] = [logging.getLogger(), *list(logging.Logger.manager.loggerDict.values())]
    handlers = [h for lg in loggers if isinstance(lg, logging.Logger) for h in list(lg.handlers)]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    return handlers


def active() -> bool:
    """Whether :func:`setup` (or :func:`guard`) installed the redaction, and it is still in place."""
    return isinstance(logging.getLogRecordFactory(), _RedactingFactory)


def guard() -> None:
    """Install the redacting record factory (again, if something replaced it) and attach a
    :class:`Redactor` to every handler that exists now. Safe to run any number of times."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(factory))
    for handler in _all_handlers():
        if not any(isinstance(f, Redactor) for f in handler.filters):
            handler.addFilter(Redactor())


# --- uncaught exceptions --------------------------------------------------------------------

_saved_hooks: dict[str, Any] = {}


def _uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger(UNCAUGHT_LOGGER).critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    log = logging.getLogger(UNCAUGHT_LOGGER)
    name = args.thread.name if args.thread is not None else "?"
    if args.exc_value is None:
        log.error("uncaught %s in thread %s", _type_name(args.exc_type), name)
    else:
        log.error("uncaught exception in thread %s", name,
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def _unraisable(unraisable: Any) -> None:
    logging.getLogger(UNCAUGHT_LOGGER).error(
        "exception ignored in %s", type(unraisable.object).__name__,
        exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))


def _install_hooks() -> None:
    if not _saved_hooks:
        _saved_hooks.update(excepthook=sys.excepthook, thread=threading.excepthook,
                            unraisable=sys.unraisablehook)
    sys.excepthook = _uncaught
    threading.excepthook = _uncaught_in_thread
    sys.unraisablehook = _unraisable
    logging.captureWarnings(True)


def uninstall() -> None:
    """Undo :func:`setup`'s redaction (the factory, the filters, the hooks); for tests."""
    factory = logging.getLogRecordFactory()
    if isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(factory.base)
    for handler in _all_handlers():
        for f in [f for f in handler.filters if isinstance(f, Redactor)]:
            handler.removeFilter(f)
    if _saved_hooks:
        if sys.excepthook is _uncaught:
            sys.excepthook = _saved_hooks["excepthook"]
        if threading.excepthook is _uncaught_in_thread:
            threading.excepthook = _saved_hooks["thread"]
        if sys.unraisablehook is _unraisable:
            sys.unraisablehook = _saved_hooks["unraisable"]
        _saved_hooks.clear()
    logging.captureWarnings(False)
    _flood.reset()
