"""The platform-neutral core: consent, pseudonymisation, the inbox and personal controls.

Adapters (Slack, Teams) convert platform events into ``Message`` and ``Command`` values,
call this core, and convert ``Reply`` back. Nothing here imports a platform SDK.
"""

from __future__ import annotations

import collections
import enum
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

import sqlite_utils

from analyzers.pseudonymise import Pseudonymiser
from bot import texts
from bot.platform_ids import DEFAULT_PLATFORM, canonical
from bot.report import Form, Report
from storage import audit, consent, downloads, events, inbox, mydata, review, scores

MYDATA_PATH = "/mydata"  # /mydata/<token>: a page whose button (a POST) downloads the data (bot/server.py)
MYDATA_LINK_S = 600.0  # how long a mydata link works (once)


@dataclass(frozen=True, slots=True)
class Message:
    """A new or edited chat message, with its raw text (held in memory only)."""

    workspace: str
    channel: str
    user: str
    ts: str  # the platform's id for the message within the channel
    sent_at: float  # unix seconds
    text: str
    event_id: str | None = None
    edited: bool = False

    def __repr__(self) -> str:  # keep raw text out of tracebacks and logs
        return f"Message(workspace={self.workspace!r}, channel={self.channel!r}, ts={self.ts!r})"


@dataclass(frozen=True, slots=True)
class Command:
    """A ``/teamweather …`` command typed by ``user`` in ``channel`` (on Teams: a message
    addressed to the bot), on ``platform`` ("slack", "msteams")."""

    workspace: str
    channel: str
    user: str
    text: str
    platform: str = DEFAULT_PLATFORM

    @property
    def qualified_user(self) -> str:
        """The user as ``platform:id``, as the core's admins are listed."""
        return f"{self.platform}:{self.user}"


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer: privately to the person, or publicly in the channel. ``report``: a
    richer message (with buttons) for adapters that show one, ``text`` being its plain form;
    ``form``: a form to open (Slack: a modal; Teams: a card with inputs)."""

    text: str
    public: bool = False
    join_channel: bool = False  # the adapter should make sure the bot is in the channel
    report: Report | None = None
    form: Form | None = None


class Outcome(enum.Enum):
    """What became of an incoming message."""

    STORED = "stored"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    NOT_ENROLLED = "not_enrolled"
    NOT_COLLECTING = "not_collecting"
    EMPTY = "empty"
    UNKNOWN_ORIGINAL = "unknown_original"  # an edit of a message that was never collected


class Teamweather:
    """The core both adapters call. Thread-compatible, not thread-safe: one per connection."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        pseudonymiser: Pseudonymiser,
        *,
        admins: frozenset[str] | set[str],
        zone: ZoneInfo,
        k: int = 5,
        max_text_chars: int = 4000,
        on_enqueue: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
        public_url: str = "http://localhost:3000",
    ) -> None:
        self.db = db
        self.public_url = public_url.rstrip("/")  # where people's browsers reach our server (mydata links)
        self.pseudonymiser = pseudonymiser
        # Platform-qualified (``slack:U…``, ``msteams:<guid>``), so that an id on one platform
        # never makes an admin on another; a bare id is a Slack id.
        self.admins = frozenset(canonical(a) for a in admins)
        self.zone = zone
        self.k = k
        self.max_text_chars = max_text_chars
        self.on_enqueue = on_enqueue
        self.clock = clock
        self.outcomes: collections.Counter[Outcome] = collections.Counter()

    # -- messages -------------------------------------------------------------------------

    def receive(self, message: Message) -> Outcome:
        """Consent check, pseudonymise, and put the message in the durable inbox.

        Returns once the pseudonymised message is committed, so the caller may ack.
        Messages that may not be collected leave no trace at all.
        """
        outcome = self._receive(message)
        self.outcomes[outcome] += 1
        return outcome

    def _receive(self, message: Message) -> Outcome:
        enrolled_at = consent.enrolled_since(self.db, message.workspace, message.channel)
        if enrolled_at is None or message.sent_at < enrolled_at:
            return Outcome.NOT_ENROLLED
        author = self.pseudonymiser.author(message.workspace, message.user)
        if consent.person_status(self.db, author) != "collecting":
            return Outcome.NOT_COLLECTING
        if not message.text.strip():
            return Outcome.EMPTY
        text = self.pseudonymiser.text(message.text)[: self.max_text_chars]
        key = self.pseudonymiser.message_key(message.workspace, message.channel, message.ts)
        day = datetime.fromtimestamp(message.sent_at, self.zone).date().isoformat()
        with self.db.conn:
            if message.event_id and not events.first_sighting(self.db, message.event_id, self.clock()):
                return Outcome.DUPLICATE
            known = scores.exists(self.db, key) or inbox.contains(self.db, key)
            if known and not message.edited:
                return Outcome.DUPLICATE
            if message.edited and not known:
                return Outcome.UNKNOWN_ORIGINAL
            if message.edited:  # the words a reviewer may read are the current ones, or none
                review.delete_message(self.db, key)
            inbox.put(
                self.db,
                message_key=key,
                workspace=message.workspace,
                channel=message.channel,
                author=author,
                day=day,
                text=text,
                now=self.clock(),
            )
        self.on_enqueue()
        return Outcome.UPDATED if message.edited else Outcome.STORED

    def delete(self, workspace: str, channel: str, ts: str) -> bool:
        """Forget a deleted message: its score, or its inbox row if not yet scored."""
        key = self.pseudonymiser.message_key(workspace, channel, ts)
        with self.db.conn:
            removed_score = scores.delete(self.db, key)
            removed_pending = inbox.discard(self.db, key)
            review.delete_message(self.db, key)
        return removed_score or removed_pending

    # -- commands -------------------------------------------------------------------------

    def command(self, cmd: Command) -> Reply:
        """Run ``/teamweather <word>`` and say what to answer."""
        word = (cmd.text.strip().split() or ["help"])[0].lower()
        handler = self._COMMANDS.get(word)
        if handler is None:
            return Reply(texts.UNKNOWN_COMMAND.format(word=word[:40]))
        return handler(self, cmd)

    def _optin(self, cmd: Command) -> Reply:
        if cmd.qualified_user not in self.admins:
            return Reply(texts.ADMINS_ONLY)
        actor = self.pseudonymiser.author(cmd.workspace, cmd.user)
        with self.db.conn:
            if not consent.enroll(self.db, cmd.workspace, cmd.channel, actor, self.clock()):
                return Reply(texts.CHANNEL_ALREADY_ENROLLED, join_channel=True)
            audit.record(self.db, "channel_enrolled", actor=actor, subject=cmd.channel, at=self.clock())
        return Reply(texts.CHANNEL_NOTICE.format(k=self.k), public=True, join_channel=True)

    def _optout(self, cmd: Command) -> Reply:
        if cmd.qualified_user not in self.admins:
            return Reply(texts.ADMINS_ONLY)
        actor = self.pseudonymiser.author(cmd.workspace, cmd.user)
        with self.db.conn:
            if not consent.unenroll(self.db, cmd.workspace, cmd.channel):
                return Reply(texts.CHANNEL_NOT_ENROLLED)
            audit.record(self.db, "channel_unenrolled", actor=actor, subject=cmd.channel, at=self.clock())
        return Reply(texts.CHANNEL_UNENROLLED, public=True)

    def _pause(self, cmd: Command) -> Reply:
        author = self.pseudonymiser.author(cmd.workspace, cmd.user)
        with self.db.conn:
            if consent.person_status(self.db, author) != "collecting":
                return Reply(texts.ALREADY_PAUSED)
            consent.set_person_status(self.db, author, "paused", self.clock())
            audit.record(self.db, "person_paused", actor=author, at=self.clock())
        return Reply(texts.PAUSED)

    def _resume(self, cmd: Command) -> Reply:
        author = self.pseudonymiser.author(cmd.workspace, cmd.user)
        with self.db.conn:
            if consent.person_status(self.db, author) == "collecting":
                return Reply(texts.ALREADY_COLLECTING)
            consent.set_person_status(self.db, author, "collecting")
            audit.record(self.db, "person_resumed", actor=author, at=self.clock())
        return Reply(texts.RESUMED)

    def _forget_me(self, cmd: Command) -> Reply:
        author = self.pseudonymiser.author(cmd.workspace, cmd.user)
        with self.db.conn:
            erased = consent.erase_person(self.db, author)
            anonymised = audit.anonymise_actor(self.db, author)
            consent.set_person_status(self.db, author, "forgotten", self.clock())
            # The erasure itself stays on record, with the pseudonym that must stay ignored.
            audit.record(self.db, "person_forgotten", actor=author,
                         detail={**erased, "audit_rows_anonymised": anonymised}, at=self.clock())
        # Erased means erased on disk: secure_delete zeroed the rows, and the checkpoint takes
        # the old page versions (with the person's pending texts) out of the write-ahead log.
        # If a reader keeps it busy, the worker truncates the log at its next idle pass.
        from storage.db import checkpoint

        checkpoint(self.db)
        return Reply(
            texts.FORGOTTEN.format(
                total=sum(erased.values()), scores=erased["scores"], pending=erased["inbox"],
                flagged=erased["flags"],
            )
        )

    def _status(self, cmd: Command) -> Reply:
        author = self.pseudonymiser.author(cmd.workspace, cmd.user)
        state = {
            "collecting": texts.STATE_COLLECTING,
            "paused": texts.STATE_PAUSED,
            "forgotten": texts.STATE_FORGOTTEN,
        }[consent.person_status(self.db, author)]
        enrolled = consent.enrolled_since(self.db, cmd.workspace, cmd.channel) is not None
        return Reply(
            texts.STATUS.format(
                state=state,
                scores=scores.count(self.db, author),
                pending=inbox.depth(self.db, author),
                channel_state=texts.CHANNEL_ON if enrolled else texts.CHANNEL_OFF,
            )
        )

    def _mydata(self, cmd: Command) -> Reply:
        author = self.pseudonymiser.author(cmd.workspace, cmd.user)
        now = self.clock()
        with self.db.conn:
            summary = mydata.summary(mydata.collect(self.db, author))
            token = downloads.issue(self.db, author, cmd.workspace, now, ttl_s=MYDATA_LINK_S)
            audit.record(self.db, "mydata_requested", actor=author, at=now)
        days = (texts.MYDATA_DAYS.format(first=summary["first_day"], last=summary["last_day"])
                if summary["first_day"] else "")
        return Reply(texts.MYDATA.format(
            scores=summary["scores"], days=days, pending=summary["pending"], flags=summary["flags"],
            labels=summary["labels"], completed=summary["items_completed"], started=summary["items_started"],
            quizzes=summary["quizzes"], status=texts.MYDATA_STATUS.get(str(summary["consent_status"]), "collecting"),
            url=f"{self.public_url}{MYDATA_PATH}/{token}", minutes=int(MYDATA_LINK_S // 60),
        ))

    def mydata_download(self, token: str) -> dict[str, Any] | None:
        """Everything stored under the pseudonym a ``/teamweather mydata`` link was issued to,
        once per link; None for a link unknown, used or expired."""
        now = self.clock()
        with self.db.conn:
            issued = downloads.redeem(self.db, token, now)
            if issued is None:
                return None
            person, _workspace = issued
            data = mydata.collect(self.db, person)
            audit.record(self.db, "mydata_downloaded", actor=person, at=now)
        return data

    def _help(self, cmd: Command) -> Reply:
        return Reply(texts.HELP)

    _COMMANDS: dict[str, Callable[["Teamweather", Command], Reply]] = {
        "optin": _optin,
        "optout": _optout,
        "pause": _pause,
        "resume": _resume,
        "forget-me": _forget_me,
        "forgetme": _forget_me,
        "status": _status,
        "mydata": _mydata,
        "help": _help,
    }
