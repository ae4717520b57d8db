"""The scheduled jobs. APScheduler stores them by name, so they take no arguments: the
running process registers what they need with ``install_context`` at start-up."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

from domain.teamweek import iso_week
from bot import digests, lifecycle, retrain_job
from bot.config import Config
from bot.delivery import Courier
from bot.review import ReviewBoard, post_pending, retract_withdrawn
from storage import audit, connect, deliveries, retention, review

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    config: Config
    courier: Callable[[], Courier]  # made when a job runs, so a job can run without Slack set up
    clock: Callable[[], float] = field(default=time.time)
    review_boards: Callable[[], Mapping[str, ReviewBoard]] | None = None  # by platform name
    start_round: Callable[[Config, str], object] = field(default=retrain_job.start_round)  # a retraining process

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), self.config.zone)


_context: JobContext | None = None


def install_context(context: JobContext | None) -> None:
    """Give the jobs their configuration (``None`` removes it)."""
    global _context
    _context = context


def _require() -> JobContext:
    if _context is None:
        raise RuntimeError("scheduled job ran before install_context()")
    return _context


def weekly_digest() -> None:
    """Send the digests and alerts of the last complete week."""
    ctx = _require()
    week = digests.last_complete_week(ctx.now())
    db = connect(ctx.config.settings.database)
    try:
        blocked = lifecycle.digests_blocked(db)
        if blocked:
            log.warning("weekly digest %s skipped: Teamweather was removed from workspace %s and no "
                        "channel is enrolled elsewhere (see teamweather check)", week, ", ".join(blocked))
            return
        report = digests.send(
            db, ctx.config.settings, ctx.courier(), week,
            noise_key=ctx.config.secrets.pseudonym_key, clock=ctx.clock,
        )
    finally:
        db.close()
    log.info("weekly digest %s: %s", week, dict(report.results))


def retry_deliveries() -> None:
    """Retry sends that failed or were interrupted, with backoff."""
    ctx = _require()
    db = connect(ctx.config.settings.database)
    try:
        if not deliveries.unfinished(db, digests.MAX_ATTEMPTS):
            return
        if lifecycle.digests_blocked(db):  # the token is revoked: nothing can be delivered
            log.debug("retry of deliveries skipped: the app was removed from the workspace")
            return
        report = digests.retry_unfinished(
            db, ctx.config.settings, ctx.courier(),
            noise_key=ctx.config.secrets.pseudonym_key, clock=ctx.clock,
        )
    finally:
        db.close()
    if report is not None:
        log.info("retried deliveries: %s", dict(report.results))


def retention_purge() -> None:
    """Delete scores and delivery records older than ``privacy.retention_days``, and everything
    stored from workspaces that removed the app more than ``privacy.uninstall_grace_days`` ago."""
    ctx = _require()
    cutoff = ctx.now().date() - dt.timedelta(days=ctx.config.settings.privacy.retention_days)
    db = connect(ctx.config.settings.database)
    try:
        with db.conn:
            counts = retention.purge(db, cutoff.isoformat(), iso_week(cutoff))
            counts.update(review.purge(db, ctx.clock()))  # expired flags, retired labels
            audit.record(db, "retention_purge", actor="system", detail={"before": cutoff.isoformat(), **counts},
                         at=ctx.clock())
        lifecycle.purge_due(db, ctx.config.settings.privacy.uninstall_grace_days, ctx.clock())  # logs each
    finally:
        db.close()
    log.info("retention purge before %s: %s", cutoff, counts)


def post_flags() -> None:
    """Post flagged messages not yet posted to the review channel (``review.enabled``)."""
    ctx = _require()
    r = ctx.config.settings.review
    if not r.enabled or r.channel is None or ctx.review_boards is None:
        return
    from analyzers.pseudonymise import Pseudonymiser
    from bot.runtime import review_desk

    db = connect(ctx.config.settings.database)
    try:
        desk = review_desk(ctx.config, db, Pseudonymiser(ctx.config.secrets.pseudonym_key))
        boards = ctx.review_boards()
        withdrawn = retract_withdrawn(db, boards, r.channel)  # before new posts: erasure first
        posted = post_pending(db, desk, boards, r.channel)
        due = r.retrain.enabled and retrain_job.due_by_labels(db, r.retrain.after_new_labels)
    finally:
        db.close()
    if withdrawn:
        log.info("withdrew %d review post(s) whose flag is gone", withdrawn)
    if posted:
        log.info("posted %d flagged message(s) to the review channel", posted)
    if due:
        ctx.start_round(ctx.config, "labels")


def weekly_retrain() -> None:
    """Start the weekly retraining round in its own process (``teamweather retrain --post``)."""
    ctx = _require()
    r = ctx.config.settings.review
    if r.enabled and r.retrain.enabled:
        ctx.start_round(ctx.config, "weekly")
