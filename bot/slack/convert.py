"""Slack payloads → core values. Pure functions: no I/O, no Bolt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import Command, Message
from bot.slack.richtext import rich_text_to_mrkdwn

# Message subtypes written by a person; everything else (joins, topic changes, bots…) is ignored.
HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})


@dataclass(frozen=True, slots=True)
class Deletion:
    """A message was deleted in Slack."""

    workspace: str
    channel: str
    ts: str


def message_text(message: dict[str, Any]) -> str:
    """The text to analyse: rendered from rich-text blocks when present, else ``text``."""
    from_blocks = rich_text_to_mrkdwn(message.get("blocks"))
    return from_blocks if from_blocks is not None else str(message.get("text") or "")


def _by_a_person(message: dict[str, Any], bot_user_id: str | None) -> bool:
    return (
        message.get("subtype") in HUMAN_SUBTYPES
        and not message.get("bot_id")
        and bool(message.get("user"))
        and message.get("user") != bot_user_id
    )


def from_message_event(
    event: dict[str, Any], body: dict[str, Any], bot_user_id: str | None = None
) -> Message | Deletion | None:
    """Convert a ``message`` event; None when it is not a person's message to analyse."""
    workspace = str(body.get("team_id") or event.get("team") or "")
    channel = str(event.get("channel") or "")
    if not workspace or not channel:
        return None
    subtype = event.get("subtype")
    event_id = body.get("event_id")
    if subtype == "message_deleted":
        deleted_ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        return Deletion(workspace, channel, str(deleted_ts)) if deleted_ts else None
    if subtype == "message_changed":
        new = event.get("message") or {}
        old = event.get("previous_message") or {}
        if new.get("subtype") == "tombstone" and new.get("ts"):
            return Deletion(workspace, channel, str(new["ts"]))
        if not _by_a_person(new, bot_user_id) or not new.get("ts"):
            return None
        text = message_text(new)
        if text == message_text(old):  # link unfurls and similar: nothing to re-score
            return None
        return Message(
            workspace, channel, str(new["user"]), str(new["ts"]), float(new["ts"]), text,
            event_id=event_id, edited=True,
        )
    if not _by_a_person(event, bot_user_id) or not event.get("ts"):
        return None
    return Message(
        workspace, channel, str(event["user"]), str(event["ts"]), float(event["ts"]),
        message_text(event), event_id=event_id,
    )


def from_command(payload: dict[str, Any]) -> Command:
    """Convert a ``/teamweather`` slash-command payload."""
    return Command(
        workspace=str(payload.get("team_id") or ""),
        channel=str(payload.get("channel_id") or ""),
        user=str(payload.get("user_id") or ""),
        text=str(payload.get("text") or ""),
    )
