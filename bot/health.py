"""What ``/healthz`` reports: can the bot take messages, store them and score them?"""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

WORKER_STALE_SECONDS = 30.0
STALLED_AFTER_SECONDS = 600.0  # oldest pending message this old...
STALLED_SCORING_SECONDS = 60.0  # ...and nothing scored for this long: scoring is stuck
READ_TIMEOUT_MS = 500


class WorkerState(Protocol):
    """What the health report reads of a scoring worker (thread or process)."""

    @property
    def alive(self) -> bool: ...
    @property
    def last_beat(self) -> float: ...  # time.monotonic() of its last loop
    @property
    def scored(self) -> int: ...
    @property
    def storage_error(self) -> str | None: ...
    @property
    def scoring_error(self) -> str | None: ...
    @property
    def storage_failing_since(self) -> float | None: ...  # time.monotonic()
    @property
    def last_scored_at(self) -> float | None: ...  # time.monotonic() of its last written score


class WriterState(Protocol):
    """What the health report reads of the request path's storage writer."""

    error: str | None
    failing_since: float | None  # time.monotonic()


@dataclass(frozen=True)
class InboxState:
    depth: int
    oldest_age_seconds: float | None


def inbox_state(db_path: str | Path, now: float | None = None) -> InboxState:
    """Depth and age of the oldest message, read on a connection of its own with a short
    timeout (WAL readers are not blocked by a writer, only by a stuck recovery)."""
    conn = sqlite3.connect(str(db_path), timeout=READ_TIMEOUT_MS / 1000)
    try:
        depth, oldest = conn.execute("SELECT count(*), min(enqueued_at) FROM inbox").fetchone()
    finally:
        conn.close()
    now = time.time() if now is None else now
    return InboxState(int(depth), None if oldest is None else max(0.0, now - float(oldest)))


def health_report(
    inbox: InboxState | str,
    worker: WorkerState,
    writer: WriterState | None = None,
    metrics: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The body of ``/healthz``. ``ok`` is False, with ``problems`` saying why, when the
    worker is dead or stuck, storage refuses writes, or messages wait with none scored.

    ``inbox`` is an :class:`InboxState`, or the reason it could not be read."""
    problems: list[str] = []
    now = time.monotonic()
    beat_age = now - worker.last_beat
    last_scored_age = math.inf if worker.last_scored_at is None else now - worker.last_scored_at
    if not worker.alive:
        problems.append("worker: not running")
    elif beat_age >= WORKER_STALE_SECONDS:
        problems.append(f"worker: no heartbeat for {beat_age:.0f} s")
    if worker.scoring_error:
        problems.append(f"scoring: {worker.scoring_error}")
    storage_errors = [e for e in (worker.storage_error, writer.error if writer else None) if e]
    for error in dict.fromkeys(storage_errors):
        problems.append(f"storage: {error}")
    if isinstance(inbox, str):
        problems.append(f"storage: cannot read the inbox ({inbox})")
        depth, oldest = None, None
    else:
        depth, oldest = inbox.depth, inbox.oldest_age_seconds
        if oldest is not None and oldest > STALLED_AFTER_SECONDS and last_scored_age > STALLED_SCORING_SECONDS:
            problems.append(f"scoring: the oldest message has waited {oldest:.0f} s")
    return {
        "ok": not problems,
        "problems": problems,
        "inbox_depth": depth,
        "oldest_pending_seconds": None if oldest is None else round(oldest, 1),
        "storage": {"writable": not storage_errors, "failing_for_seconds": _failing_for(now, worker, writer)},
        "worker": {
            "alive": worker.alive,
            "seconds_since_heartbeat": round(beat_age, 3),
            "scored": worker.scored,
        },
        "counters": metrics or {},
    }


def _failing_for(now: float, worker: WorkerState, writer: WriterState | None) -> float | None:
    """Seconds since storage began refusing writes (to the worker or the request path)."""
    since = [t for t in (worker.storage_failing_since, writer.failing_since if writer else None) if t is not None]
    return round(now - min(since), 1) if since else None
