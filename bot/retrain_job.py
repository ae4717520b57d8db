"""Scheduled retraining (issue [review]): when a round is due, and running it off the serving path.

A round runs as its own process, ``teamweather retrain --post`` (lowered priority, one torch
thread), so the bot's event loop and scoring keep going while it trains; the bot keeps scoring
with the champion until the registry says otherwise, and picks up a promoted model between
batches. A lock file beside the database keeps one round at a time, whoever starts it.

A round is due weekly (``review.retrain.weekday``/``time``) and whenever
``review.retrain.after_new_labels`` labels have arrived since the last round started.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Iterator

import sqlite_utils

from bot.config import Config
from domain.errors import TeamweatherError
from storage import audit, connect, review

__all__ = ["RoundRunning", "due_by_labels", "lock_path", "one_round_at_a_time", "start_round"]

log = logging.getLogger(__name__)

STARTED = "retrain_started"  # the audit action each round records when it starts


class RoundRunning(TeamweatherError):
    """Another retraining round holds the lock."""


def lock_path(database: Path) -> Path:
    """The lock file of ``database``'s retraining rounds."""
    return database.with_name(database.name + ".retrain.lock")


@contextlib.contextmanager
def one_round_at_a_time(database: Path) -> Iterator[None]:
    """Hold the round's lock (RoundRunning if another process holds it). The lock goes with the
    process, so a crashed round never blocks the next one."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = path.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RoundRunning("a retraining round is already running; this one was not started") from None
        yield
    finally:
        handle.close()


def last_started(db: sqlite_utils.Database) -> float:
    """When the last round started (unix seconds; 0 when none has)."""
    row = db.execute("SELECT max(at) FROM audit WHERE action = ?", (STARTED,)).fetchone()
    return float(row[0] or 0.0)


def record_start(db: sqlite_utils.Database, reason: str, now: float) -> None:
    """Note that a round starts (the trigger by labels counts from here)."""
    with db.conn:
        audit.record(db, STARTED, actor="retrain", detail={"reason": reason}, at=now)


def due_by_labels(db: sqlite_utils.Database, after_new_labels: int) -> bool:
    """Whether ``after_new_labels`` flags have been labelled since the last round started."""
    return review.labels_since(db, last_started(db)) >= after_new_labels


def start_round(config: Config, reason: str, *, wait: bool = False) -> subprocess.Popen[bytes] | None:
    """Start ``teamweather retrain --post`` in its own process, unless one is running (then
    None). Its report goes to the review channel; its progress lines to this process's stderr."""
    database = Path(config.settings.database)
    try:
        with one_round_at_a_time(database):
            pass  # free now; the child takes it for the round itself
    except RoundRunning:
        log.info("retraining (%s) not started: a round is already running", reason)
        return None
    # The start is recorded here, before the process: a round that fails at once (bad settings,
    # the platform's secrets missing for --post) does not make the job start another every minute.
    db = connect(database)
    try:
        record_start(db, reason, time.time())
    finally:
        db.close()
    command = [sys.executable, "-m", "bot.cli", "--config", config.source, "retrain", "--post",
               "--threads", "1", "--reason", reason, "--start-recorded"]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             env=dict(os.environ), start_new_session=True)
    log.info("retraining round started (%s)", reason)
    if wait:
        child.wait()
    return child

