"""Assembling and running the bot: storage, core, worker, the configured platforms
(:mod:`bot.platforms`) and the web server they share."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from aiohttp import web
from apscheduler.schedulers.background import BackgroundScheduler

import random

import sqlite_utils

from analyzers.analyzer import Analyzer
from analyzers.flagging import FlagPolicy, maybe_flag
from analyzers.pseudonymise import Pseudonymiser
from bot import jobs, lifecycle, logs, platforms
from bot.config import Config, require_platforms
from bot.delivery import Courier, PlatformCouriers
from domain.errors import ConfigError
from bot.core import Teamweather
from bot.jobs import JobContext
from bot.health import InboxState, health_report, inbox_state
from bot.metrics import Metrics
from bot.model_watch import ActiveModelWatcher
from bot.scheduler import build_scheduler, install_jobs, next_runs
from bot.scoring_process import ClassifierProcess, ClassifierSettings
from bot.platform import Platform
from bot.server import build_web_app
from bot.storage_writer import StorageWriter
from bot.review import ReviewBoard, ReviewDesk
from analyzers.wellbeing import NudgeSettings
from bot.learning_setup import load_learning
from bot.mytraining import LearningDesk
from bot.server import GUIDELINES_PATH
from bot.worker import BatchPolicy, Flagger, ScoringWorker
from storage import connect
from storage.scores import Score

log = logging.getLogger(__name__)


def load_classifier(path: str, threads: int | None = None) -> Analyzer:
    """A registered model directory, loaded (torch is imported only here)."""
    from analyzers.classifier import Classifier

    return Classifier.load(Path(path), threads=threads)


def default_analyzer(threads: int | None = None) -> Analyzer:
    """The analyzer used when none is given and no registered version is active: the
    classifier shipped in the package (:mod:`analyzers.bundled`)."""
    from analyzers.bundled import BUNDLED_DIR

    return load_classifier(str(BUNDLED_DIR), threads)


def analyzer_source(db_path: str | Path, threads: int | None = None) -> Callable[[], Analyzer]:
    """The one place that decides which model scores: the registry's active version, checked
    between batches, with the bundled model as the fallback. Call the result before each batch."""
    fallback = default_analyzer(threads)
    return ActiveModelWatcher(db_path, lambda path: load_classifier(path, threads), fallback=fallback).current


def scoring_worker(
    db_path: str | Path, policy: BatchPolicy, *, threads: int | None = None, analyzer: Analyzer | None = None
) -> ScoringWorker:
    """A scoring worker whose model runs on its own thread: ``analyzer`` as it is (tests,
    benchmarks), else the model :func:`analyzer_source` chooses."""
    if analyzer is not None:
        return ScoringWorker(db_path, analyzer, policy)
    source = analyzer_source(db_path, threads)
    return ScoringWorker(db_path, source(), policy, analyzer_source=source)


@dataclass
class Runtime:
    """The pieces of a running Teamweather, wired together."""

    config: Config
    writer: StorageWriter  # owns the request path's connection, on its own thread
    pseudonymiser: Pseudonymiser
    core: Teamweather
    worker: ScoringWorker
    classifier: ClassifierProcess | None = None  # the model's process (worker.mode: process)
    metrics: Metrics = field(default_factory=Metrics)
    review: ReviewDesk | None = None  # HR review (review.enabled): on the writer's connection
    learning: LearningDesk | None = None  # /mytraining (learning.enabled): on the writer's connection

    def start_scoring(self) -> None:
        """Load the model (in its process, if it has one) and start the worker."""
        if self.classifier is not None:
            self.classifier.start()
        self.worker.start()

    def health(self) -> dict[str, Any]:
        """The ``/healthz`` report (reads the database on its own short-lived connection)."""
        try:
            state: InboxState | str = inbox_state(self.config.settings.database)
        except sqlite3.Error as exc:
            state = f"{type(exc).__name__}: {exc}"
        return health_report(state, self.worker, self.writer, self.metrics.snapshot())

    def close(self) -> None:
        """Stop the worker and the model's process, and close the database."""
        self.worker.stop()
        if self.classifier is not None:
            self.classifier.stop()
        self.writer.close()


def build_runtime(config: Config, analyzer: Analyzer | None = None) -> Runtime:
    """Open the database and build the core and the worker (neither started).

    With no ``analyzer``, scoring runs in a child process at lower priority
    (:mod:`bot.scoring_process`), which loads the model when started."""
    s = config.settings
    try:
        writer = StorageWriter(lambda: connect(s.database))
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(f"{config.source}: database: cannot open {s.database} ({exc})") from None
    pseudonymiser = Pseudonymiser(config.secrets.pseudonym_key)
    policy = BatchPolicy(size=s.worker.batch_size, max_wait=s.worker.max_wait_ms / 1000)
    classifier = None
    if analyzer is not None or s.worker.mode == "thread":
        worker = scoring_worker(s.database, policy, threads=s.worker.threads, analyzer=analyzer)
    else:
        classifier = ClassifierProcess(ClassifierSettings(
            str(s.database), threads=s.worker.threads, nice=s.worker.nice, log_level=s.log_level,
        ))
        worker = ScoringWorker(s.database, classifier, policy)
    if s.review.enabled:
        worker.flagger = review_flagger(s.review.policy(), for_reviewers=pseudonymiser.for_reviewers)
    core = Teamweather(
        writer.db,
        pseudonymiser,
        admins=frozenset([*(f"slack:{a}" for a in s.slack.admins), *(f"msteams:{a}" for a in s.msteams.admins)]),
        zone=config.zone,
        max_text_chars=s.privacy.max_text_chars,
        on_enqueue=worker.notify,
        public_url=public_base(config),
    )
    desk = review_desk(config, writer.db, pseudonymiser) if s.review.enabled else None
    learning_desk = None
    if s.learning.enabled:
        # With the classifier in this process (worker.mode: thread), torch's threads are its.
        learning = load_learning(s.learning, s.database, config.source,
                                 encoder_threads=None if classifier is None else 1)
        learning_desk = LearningDesk(writer.db, pseudonymiser, learning.catalog, learning.roles, learning.planner,
                                     zone=config.zone, nudge=NudgeSettings() if s.learning.wellbeing_nudge else None,
                                     ready=learning.ready)
    return Runtime(config, writer, pseudonymiser, core, worker, classifier, review=desk, learning=learning_desk)


def review_flagger(policy: FlagPolicy, rng: random.Random | None = None,
                   clock: Callable[[], float] = time.time,
                   for_reviewers: Callable[[str], str] = lambda text: text) -> Flagger:
    """The worker's flagger: :func:`analyzers.flagging.maybe_flag` with ``policy``; a flag
    keeps the text as ``for_reviewers`` makes it (``Pseudonymiser.for_reviewers``)."""
    chance = rng or random.Random()

    def flag(db: sqlite_utils.Database, score: Score, text: str) -> None:
        maybe_flag(db, policy, score, text, clock(), chance, for_reviewers)

    return flag


def review_desk(config: Config, db: sqlite_utils.Database, pseudonymiser: Pseudonymiser) -> ReviewDesk:
    """The review desk on ``db``, configured from ``review:``."""
    r = config.settings.review
    return ReviewDesk(db, pseudonymiser, reviewers=r.reviewers, guidelines_url=guidelines_url(config), channel=r.channel,
                      retention_days=r.retention_days)


def public_base(config: Config) -> str:
    """Where people's browsers reach Teamweather's own server: ``server.public_url``, else its
    host and port."""
    server = config.settings.server
    return (server.public_url or f"http://{server.host}:{server.port}").rstrip("/")


def guidelines_url(config: Config) -> str:
    """Where reviewers read the labelling guidelines: ``review.guidelines_url``, else the page
    Teamweather's own server serves (``server.public_url`` + ``/review/guidelines``)."""
    r = config.settings.review
    if r.guidelines_url:
        return r.guidelines_url
    return f"{public_base(config)}{GUIDELINES_PATH}"


def start_scheduler(config: Config, courier: Callable[[], Courier],
                    review_boards: Callable[[], Mapping[str, ReviewBoard]] | None = None) -> BackgroundScheduler:
    """Start the digest, purge, retry and review jobs (persisted in the database)."""
    jobs.install_context(JobContext(config, courier=courier, review_boards=review_boards))
    scheduler = build_scheduler(config.settings.database, config.settings)
    scheduler.start(paused=True)
    install_jobs(scheduler, config.settings)
    scheduler.resume()
    for job, when in next_runs(scheduler).items():
        log.info("job %s: next run %s", job, when)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop the jobs, letting a running one finish."""
    scheduler.shutdown(wait=True)
    jobs.install_context(None)


async def serve(
    config: Config,
    *,
    analyzer: Analyzer | None = None,
    stop: asyncio.Event | None = None,
    on_started: Callable[[Runtime, int], None] | None = None,
    choose_platforms: Callable[[Config, Runtime], list[Platform]] | None = None,
) -> None:
    """Run every configured platform (:mod:`bot.platforms`) until ``stop`` is set (or
    SIGINT/SIGTERM), with ``/healthz`` on the shared web server (``server.host``/``server.port``).

    ``on_started`` receives the runtime and the port actually bound (port 0 asks for any
    free port). ``choose_platforms`` replaces :func:`bot.platforms.enabled` (tests build an
    adapter themselves, as Teams without authentication)."""
    require_platforms(config)
    logs.quiet_libraries()
    s = config.settings
    rt = build_runtime(config, analyzer)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass

    # Before anything asks a platform: after an uninstall the token is revoked and start-up stops there.
    for line in lifecycle.notices_in(s, time.time(), config.source):
        log.warning("%s", line)
    try:
        running: list[Platform] = (choose_platforms or platforms.enabled)(config, rt)
        for platform in running:
            await platform.prepare()
        await asyncio.to_thread(rt.start_scoring)  # loads the model (in its own process)
    except BaseException:
        rt.close()
        raise
    scheduler = start_scheduler(config, lambda: PlatformCouriers({p.name: p.courier() for p in running}),
                                lambda: {p.name: p.review_board() for p in running})
    async def mydata(token: str) -> dict[str, Any] | None:
        return await rt.writer.run(lambda: rt.core.mydata_download(token))

    web_app = build_web_app(health=rt.health, routes=[r for p in running for r in p.routes()], mydata=mydata)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, s.server.host, s.server.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        stop_scheduler(scheduler)
        rt.close()
        raise ConfigError(
            f"{config.source}: server.port: cannot listen on {s.server.host}:{s.server.port} ({exc.strerror})"
        ) from None
    connected: list[Platform] = []
    try:
        for platform in running:
            connected.append(platform)
            await platform.connect()
            log.info("Teamweather serving %s", platform.describe())
        log.info("web server on %s (/healthz)", runner.addresses[0])
        if logs.active():  # set up by the CLI: handlers libraries added since get the filter too
            logs.guard()
        if on_started is not None:
            on_started(rt, runner.addresses[0][1])
        await stop.wait()
    finally:
        for platform in connected:
            await platform.close()
        await runner.cleanup()
        stop_scheduler(scheduler)
        rt.close()
        log.info("Teamweather stopped")
