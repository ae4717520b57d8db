"""``/healthz``'s report: 503 with reasons when the bot cannot do its job, and for how long."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.health import STALLED_AFTER_SECONDS, InboxState, health_report


@dataclass
class Worker:
    alive: bool = True
    last_beat: float = 0.0
    scored: int = 0
    storage_error: str | None = None
    scoring_error: str | None = None
    storage_failing_since: float | None = None
    last_scored_at: float | None = None


@dataclass
class Writer:
    error: str | None = None
    failing_since: float | None = None


def fresh(**changes: object) -> Worker:
    return Worker(last_beat=time.monotonic(), **changes)  # type: ignore[arg-type]


def test_an_old_message_with_nothing_scored_lately_means_scoring_is_stuck() -> None:
    old = InboxState(depth=3, oldest_age_seconds=STALLED_AFTER_SECONDS + 1)
    stuck = health_report(old, fresh(last_scored_at=time.monotonic() - 3600))
    assert stuck["ok"] is False and stuck["problems"][0].startswith("scoring: the oldest message has waited")
    assert health_report(old, fresh())["ok"] is False  # never scored anything
    # a long backlog that is being worked through is not a problem
    assert health_report(old, fresh(last_scored_at=time.monotonic() - 1))["ok"] is True


def test_storage_failures_say_since_when_from_the_earliest_side() -> None:
    now = time.monotonic()
    report = health_report(
        InboxState(0, None),
        fresh(storage_error="database or disk is full", storage_failing_since=now - 30),
        Writer(error="database is locked", failing_since=now - 90),
    )
    assert report["problems"] == ["storage: database or disk is full", "storage: database is locked"]
    assert report["storage"]["writable"] is False and report["storage"]["failing_for_seconds"] >= 90
    healthy = health_report(InboxState(0, None), fresh(), Writer())
    assert healthy["ok"] is True and healthy["storage"] == {"writable": True, "failing_for_seconds": None}


def test_a_dead_model_process_and_a_dead_worker_are_named() -> None:
    report = health_report(InboxState(0, None), fresh(alive=False, scoring_error="the classifier process is unavailable"))
    assert report["problems"] == ["worker: not running", "scoring: the classifier process is unavailable"]
