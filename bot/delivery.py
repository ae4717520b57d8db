"""Exactly-once delivery of digests and alerts, whatever platform carries them.

Each send is claimed in the ``deliveries`` ledger before it is made and marked sent after.
If the process dies between the two, the next run finds the claim unfinished and asks the
platform whether the message arrived (each message carries a marker) before sending again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Callable, Literal, Mapping, Protocol

import sqlite_utils

from bot.platform_ids import DEFAULT_PLATFORM, bare, platform_of
from domain.errors import PlatformUnavailable
from bot.report import Report
from storage import audit, deliveries
from storage.deliveries import Kind

log = logging.getLogger(__name__)

Result = Literal["sent", "already-sent", "recovered", "failed"]


@dataclass(frozen=True)
class Outgoing:
    """One message to one kind of recipient: team numbers only, never a person's."""

    team: str
    week: str
    kind: Kind
    text: str  # notification and fallback text, plain (each platform escapes it)
    report: Report  # what the message says, which each platform renders its own way
    chart_png: bytes | None = None  # shown where ``report`` has its Chart (at the end if none)
    chart_title: str = ""

    @property
    def marker(self) -> dict[str, str]:
        """What identifies this message on the platform, for the crash check."""
        return {"team": self.team, "week": self.week, "kind": self.kind}


class Courier(Protocol):
    """A platform's way of reaching a person privately (a Slack DM, later a Teams chat)."""

    def send(self, recipient: str, message: Outgoing) -> None:
        """Deliver ``message``; raise PlatformUnavailable if the platform refused it."""
        ...

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        """Whether a message with ``message.marker`` reached ``recipient`` after ``since``."""
        ...

    def group_members(self, group: str) -> list[str]:
        """The user ids in a user group (digest recipients besides the managers)."""
        ...


class PlatformCouriers:
    """One :class:`Courier` for recipients on every platform: ``slack:U0123ABCD`` goes to
    the Slack courier as ``U0123ABCD``; a user group's members come back qualified."""

    def __init__(self, couriers: Mapping[str, Courier]) -> None:
        self.couriers = dict(couriers)

    def _route(self, recipient: str) -> tuple[str, Courier, str]:
        platform = platform_of(recipient)
        courier = self.couriers.get(platform)
        if courier is None:
            raise PlatformUnavailable(f"{platform} is not configured, so {platform} recipients cannot be reached")
        return platform, courier, bare(recipient)

    def send(self, recipient: str, message: Outgoing) -> None:
        _, courier, who = self._route(recipient)
        courier.send(who, message)

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        _, courier, who = self._route(recipient)
        return courier.was_sent(who, message, since)

    def group_members(self, group: str) -> list[str]:
        platform, courier, name = self._route(group)
        return [f"{platform}:{member}" for member in courier.group_members(name)]


def recipient_ref(key: bytes, recipient: str) -> str:
    """How the ledger and the audit name a recipient: a keyed hash, not the platform's id.

    A Slack recipient is hashed by its bare id, as before ids named their platform, so that
    sends recorded before the change are still recognised (and not sent twice)."""
    if platform_of(recipient) == DEFAULT_PLATFORM:
        recipient = bare(recipient)
    return hmac.new(key, f"recipient:{recipient}".encode(), hashlib.sha256).hexdigest()[:32]


def deliver(
    db: sqlite_utils.Database,
    courier: Courier,
    recipient: str,
    message: Outgoing,
    *,
    key: bytes,
    clock: Callable[[], float] = time.time,
) -> Result:
    """Send ``message`` to ``recipient`` unless the ledger says it already went; ``key``
    hashes the recipient's id for the ledger."""
    ref = recipient_ref(key, recipient)
    with db.conn:
        state = deliveries.claim(db, message.team, message.week, ref, message.kind, clock())
    if state == "sent":
        return "already-sent"
    try:
        if state == "unsure":
            since = deliveries.claimed_at(db, message.team, message.week, ref, message.kind) - 60  # clock skew
            if courier.was_sent(recipient, message, since=since):
                _mark_sent(db, ref, message, clock(), recovered=True)
                return "recovered"
        courier.send(recipient, message)
    except PlatformUnavailable as exc:
        log.warning("%s for %s, %s not delivered: %s", message.kind, message.team, message.week, exc)
        with db.conn:
            deliveries.mark_failed(db, message.team, message.week, ref, message.kind, str(exc))
        return "failed"
    _mark_sent(db, ref, message, clock(), recovered=False)
    return "sent"


def _mark_sent(
    db: sqlite_utils.Database, recipient: str, message: Outgoing, now: float, recovered: bool
) -> None:
    with db.conn:
        deliveries.mark_sent(db, message.team, message.week, recipient, message.kind, now)
        audit.record(
            db,
            f"{message.kind}_sent",
            actor="system",
            subject=message.team,
            detail={"week": message.week, "recipient": recipient, "recovered": recovered},
            at=now,
        )
