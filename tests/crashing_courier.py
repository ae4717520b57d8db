"""A courier that sends, then dies before the ledger records the send: the crash window of
exactly-once delivery (``bot.delivery.deliver``)."""

from __future__ import annotations

from bot.delivery import Courier, Outgoing


class Crash(Exception):
    """The process dying between the platform's answer and the ledger's update."""


class CrashAfterSend:
    """``courier``, except that each send raises :class:`Crash` once the message went out."""

    def __init__(self, courier: Courier) -> None:
        self.courier = courier

    def send(self, recipient: str, message: Outgoing) -> None:
        self.courier.send(recipient, message)
        raise Crash()

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        return self.courier.was_sent(recipient, message, since)

    def group_members(self, group: str) -> list[str]:
        return self.courier.group_members(group)
