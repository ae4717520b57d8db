"""APScheduler wiring: the weekly digest, the daily retention purge and the retry of
unfinished sends, kept in the Teamweather database so a restart loses nothing.

The job functions live in ``bot.jobs`` and take no arguments, so the persistent store holds
nothing but a function name and a trigger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import RetrainSettings, Settings

WEEKLY_DIGEST = "weekly-digest"
RETENTION_PURGE = "retention-purge"
RETRY_DELIVERIES = "retry-deliveries"
POST_FLAGS = "post-flags"
WEEKLY_RETRAIN = "weekly-retrain"
JOB_TABLE = "scheduler_jobs"


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", as the job store keeps it
    trigger: BaseTrigger
    misfire_grace_time: int


def job_specs(settings: Settings) -> list[JobSpec]:
    """The jobs ``settings`` asks for, with stable ids."""
    zone = settings.timezone
    hour, minute = (int(part) for part in settings.digest.time.split(":"))
    grace = settings.digest.misfire_grace_hours * 3600
    return [
        JobSpec(
            WEEKLY_DIGEST,
            "bot.jobs:weekly_digest",
            CronTrigger(day_of_week=settings.digest.weekday, hour=hour, minute=minute, timezone=zone),
            grace,
        ),
        JobSpec(
            RETENTION_PURGE,
            "bot.jobs:retention_purge",
            CronTrigger(hour=3, minute=30, timezone=zone),
            grace,
        ),
        JobSpec(
            RETRY_DELIVERIES,
            "bot.jobs:retry_deliveries",
            IntervalTrigger(minutes=5, timezone=zone),
            60,
        ),
        *([JobSpec(POST_FLAGS, "bot.jobs:post_flags", IntervalTrigger(minutes=1, timezone=zone), 60)]
          if settings.review.enabled else []),
        *([JobSpec(WEEKLY_RETRAIN, "bot.jobs:weekly_retrain", _weekly(settings.review.retrain, zone), grace)]
          if settings.review.enabled and settings.review.retrain.enabled else []),
    ]


def _weekly(retrain: RetrainSettings, zone: str) -> CronTrigger:
    hour, minute = (int(part) for part in retrain.time.split(":"))
    return CronTrigger(day_of_week=retrain.weekday, hour=hour, minute=minute, timezone=zone)


def build_scheduler(database: Path, settings: Settings) -> BackgroundScheduler:
    """A scheduler whose jobs persist in ``database``; one job at a time, missed runs
    coalesced into one."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{database}", tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.timezone,
    )


def install_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Add the jobs, or update those whose schedule changed. The scheduler must be started
    (paused is fine) so its job store is open.

    A job whose trigger is unchanged is left alone: ``add_job(replace_existing=True)`` would
    move its next run time to the future and so skip a run that was due while the process
    was down, even inside the misfire grace time."""
    specs = job_specs(settings)
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:  # e.g. review turned off since the last start
            scheduler.remove_job(job.id)
    for spec in specs:
        existing = scheduler.get_job(spec.id)
        if existing is not None and _same(existing, spec):
            continue
        scheduler.add_job(
            spec.func,
            spec.trigger,
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
        )


def _same(job: Any, spec: JobSpec) -> bool:
    return (
        job.func_ref == spec.func
        and _schedule(job.trigger) == _schedule(spec.trigger)
        and job.misfire_grace_time == spec.misfire_grace_time
    )


def _schedule(trigger: BaseTrigger) -> str:
    if isinstance(trigger, IntervalTrigger):  # its repr holds a start date that changes
        return f"interval {trigger.interval} {trigger.timezone}"
    return repr(trigger)


def next_runs(scheduler: BackgroundScheduler) -> dict[str, dt.datetime | None]:
    """Each job's next run time (for logs and `teamweather check`)."""
    return {job.id: job.next_run_time for job in scheduler.get_jobs()}
