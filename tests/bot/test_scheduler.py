"""The APScheduler wiring, with time under the test's control (freezegun): stable job ids,
a persistent store, a run missed during a restart made up once, and schedule changes."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time

from bot import jobs
from bot.config import Config, Secrets, parse_settings
from bot.delivery import Courier
from bot.jobs import JobContext
from bot.scheduler import RETENTION_PURGE, RETRY_DELIVERIES, WEEKLY_DIGEST, build_scheduler, install_jobs
from storage import connect

LONDON = ZoneInfo("Europe/London")
SUNDAY_NOON = dt.datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)


def config(tmp_path: Path, **digest: Any) -> Config:
    settings = parse_settings(
        {"database": str(tmp_path / "teamweather.db"), "timezone": "Europe/London", "digest": digest},
        "test.yaml",
    )
    connect(settings.database).close()  # migrated, as a running bot would have it
    return Config(settings, Secrets(pseudonym_key=b"k" * 32), "test.yaml")


class Couriers:
    """Counts the job runs that asked for a courier; the weekly job asks once per run."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> Courier:
        self.made += 1
        return None  # type: ignore[return-value]  # no teams configured: nothing is sent


@pytest.fixture
def couriers(tmp_path: Path) -> Iterator[Couriers]:
    made = Couriers()
    yield made
    jobs.install_context(None)


def started(cfg: Config) -> BackgroundScheduler:
    scheduler = build_scheduler(cfg.settings.database, cfg.settings)
    scheduler.start(paused=True)
    install_jobs(scheduler, cfg.settings)
    return scheduler


def wait_for(scheduler: BackgroundScheduler, job_id: str, mask: int) -> threading.Event:
    seen = threading.Event()

    def listener(event: JobEvent) -> None:
        if event.job_id == job_id:
            seen.set()

    scheduler.add_listener(listener, mask)
    return seen


def test_jobs_have_stable_ids_and_survive_a_restart(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with freeze_time(SUNDAY_NOON):
        first = started(cfg)
        runs = {job.id: job.next_run_time for job in first.get_jobs()}
        first.shutdown()
        second = started(cfg)
        again = {job.id: job.next_run_time for job in second.get_jobs()}
        second.shutdown()
    assert set(runs) == {WEEKLY_DIGEST, RETENTION_PURGE, RETRY_DELIVERIES}
    assert again == runs
    assert runs[WEEKLY_DIGEST] == dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    assert runs[RETENTION_PURGE] == dt.datetime(2026, 11, 23, 3, 30, tzinfo=LONDON)


def test_a_restart_inside_the_grace_time_runs_the_missed_digest_once(tmp_path: Path, couriers: Couriers) -> None:
    cfg = config(tmp_path)
    jobs.install_context(JobContext(cfg, courier=couriers))
    with freeze_time(SUNDAY_NOON) as clock:
        started(cfg).shutdown()  # the process stops before Monday 09:00 ...
        clock.move_to(dt.datetime(2026, 11, 23, 10, 30, tzinfo=LONDON))  # ... and is back at 10:30
        scheduler = started(cfg)
        ran = wait_for(scheduler, WEEKLY_DIGEST, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.resume()
        assert ran.wait(20)
        scheduler.shutdown()
        assert couriers.made == 1
        assert scheduler.get_job(WEEKLY_DIGEST) is None  # shut down: read the store afresh
        later = started(cfg)
        next_run = later.get_job(WEEKLY_DIGEST).next_run_time
        later.shutdown()
    assert next_run == dt.datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)


def test_a_run_missed_by_more_than_the_grace_time_is_skipped(tmp_path: Path, couriers: Couriers) -> None:
    cfg = config(tmp_path, misfire_grace_hours=2)
    jobs.install_context(JobContext(cfg, courier=couriers))
    with freeze_time(SUNDAY_NOON) as clock:
        started(cfg).shutdown()
        clock.move_to(dt.datetime(2026, 11, 23, 11, 30, tzinfo=LONDON))
        scheduler = started(cfg)
        missed = wait_for(scheduler, WEEKLY_DIGEST, EVENT_JOB_MISSED)
        scheduler.resume()
        assert missed.wait(20)
        scheduler.shutdown()
    assert couriers.made == 0


def test_a_changed_schedule_replaces_the_job(tmp_path: Path) -> None:
    with freeze_time(SUNDAY_NOON):
        started(config(tmp_path)).shutdown()
        scheduler = started(config(tmp_path, weekday="fri", time="16:30"))
        jobs_now = scheduler.get_jobs()
        scheduler.shutdown()
    assert [j.next_run_time for j in jobs_now if j.id == WEEKLY_DIGEST] == [
        dt.datetime(2026, 11, 27, 16, 30, tzinfo=LONDON)
    ]
    assert len(jobs_now) == 3


def test_review_adds_the_flag_posting_job_and_turning_it_off_removes_it(tmp_path: Path) -> None:
    from bot.scheduler import POST_FLAGS

    review = {"enabled": True, "channel": "slack:CREVIEW1", "reviewers": ["slack:UREVIEW1"]}
    on = parse_settings({"database": str(tmp_path / "teamweather.db"), "review": review}, "test.yaml")
    off = parse_settings({"database": str(tmp_path / "teamweather.db")}, "test.yaml")
    connect(on.database).close()
    with freeze_time(SUNDAY_NOON):
        scheduler = build_scheduler(on.database, on)
        scheduler.start(paused=True)
        install_jobs(scheduler, on)
        assert POST_FLAGS in {job.id for job in scheduler.get_jobs()}
        install_jobs(scheduler, off)
        assert {job.id for job in scheduler.get_jobs()} == {WEEKLY_DIGEST, RETENTION_PURGE, RETRY_DELIVERIES}
        scheduler.shutdown()


def test_the_flag_posting_job_posts_pending_flags_through_the_channels_platform(tmp_path: Path) -> None:
    from typing import Mapping

    from bot.report import Report
    from storage import review as review_store

    settings = parse_settings({"database": str(tmp_path / "teamweather.db"),
                               "review": {"enabled": True, "channel": "msteams:19:abc@thread.tacv2",
                                          "reviewers": ["msteams:00000000-0000-0000-0000-000000000001"]}},
                              "test.yaml")
    db = connect(settings.database)
    with db.conn:
        review_store.add(db, message_key="m", workspace="T", author="a", day="2026-11-20", text="t",
                         policy="audit", policy_detail={}, sentiment="neutral", probs=(0.1, 0.8, 0.1),
                         stress=0.1, model_version="m", now=1.0, ttl_s=1e9)

    class Board:
        def __init__(self) -> None:
            self.channels: list[str] = []

        def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
            self.channels.append(channel)
            return {"conversation": channel, "activity": "1"}

        def update(self, post: Mapping[str, Any], report: Report, text: str) -> None: ...

        def reply(self, post: Mapping[str, Any], text: str) -> None: ...

    board = Board()
    jobs.install_context(JobContext(Config(settings, Secrets(pseudonym_key=b"k" * 32), "test.yaml"),
                                    courier=lambda: None,  # type: ignore[arg-type,return-value]
                                    review_boards=lambda: {"msteams": board}))
    try:
        jobs.post_flags()
    finally:
        jobs.install_context(None)
    assert board.channels == ["19:abc@thread.tacv2"]
    assert review_store.unposted(db) == []
    db.close()
