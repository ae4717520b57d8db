"""Assembling and running the bot: storage, core, worker, Slack app and web server."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sqlite_utils
from aiohttp import web
from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from analyzers.analyzer import Analyzer
from analyzers.pseudonymise import Pseudonymiser
from bot import jobs, logs
from bot.config import Config, require_slack
from bot.errors import ConfigError
from bot.core import Teamweather
from bot.jobs import JobContext
from bot.model_watch import ActiveModelWatcher
from bot.scheduler import build_scheduler, install_jobs, next_runs
from bot.server import build_web_app, health_report
from bot.slack import directory
from bot.slack.app import build_app
from bot.slack.channels import check_team_channels
from bot.slack.courier import SlackCourier, web_client
from bot.worker import BatchPolicy, ScoringWorker
from storage import connect, inbox

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


@dataclass
class Runtime:
    """The pieces of a running Teamweather, wired together."""

    config: Config
    db: sqlite_utils.Database
    pseudonymiser: Pseudonymiser
    core: Teamweather
    worker: ScoringWorker

    def health(self) -> dict[str, Any]:
        return health_report(
            inbox.depth(self.db), self.worker.alive, self.worker.last_beat, self.worker.scored
        )


def build_runtime(config: Config, analyzer: Analyzer | None = None) -> Runtime:
    """Open the database and build the core and the worker (not started)."""
    s = config.settings
    try:
        db = connect(s.database)
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(f"{config.source}: database: cannot open {s.database} ({exc})") from None
    pseudonymiser = Pseudonymiser(config.secrets.pseudonym_key)
    threads = s.worker.threads
    fallback = analyzer or default_analyzer(threads)
    worker = ScoringWorker(
        s.database,
        fallback,
        BatchPolicy(size=s.worker.batch_size, max_wait=s.worker.max_wait_ms / 1000),
        # An analyzer passed in (tests, benchmarks) is used as it is; otherwise the registry's
        # active model, checked between batches, with the bundled model as the fallback.
        analyzer_source=None if analyzer is not None else ActiveModelWatcher(
            s.database, lambda path: load_classifier(path, threads), fallback=fallback
        ).current,
    )
    core = Teamweather(
        db,
        pseudonymiser,
        admins=frozenset(s.slack.admins),
        zone=config.zone,
        max_text_chars=s.privacy.max_text_chars,
        on_enqueue=worker.notify,
    )
    return Runtime(config, db, pseudonymiser, core, worker)


def slack_client(config: Config) -> AsyncWebClient:
    """A Web API client that honours 429 Retry-After."""
    client = AsyncWebClient(
        token=config.secrets.slack_bot_token, base_url=config.settings.slack.api_base_url
    )
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def start_scheduler(config: Config) -> BackgroundScheduler:
    """Start the digest, purge and retry jobs (persisted in the database)."""
    token = config.secrets.slack_bot_token or ""
    base_url = config.settings.slack.api_base_url
    jobs.install_context(JobContext(config, courier=lambda: SlackCourier(web_client(token, base_url))))
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
    client: AsyncWebClient | None = None,
    stop: asyncio.Event | None = None,
    on_started: Callable[[Runtime, int], None] | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): Socket Mode when SLACK_APP_TOKEN is
    set, otherwise HTTP mode on ``slack.port``; ``/healthz`` is served in both.

    ``on_started`` receives the runtime and the port actually bound (``slack.port: 0`` asks
    for any free port)."""
    require_slack(config)
    logs.quiet_libraries()
    s = config.settings
    rt = build_runtime(config, analyzer)
    client = client or slack_client(config)
    app = build_app(rt.core, signing_secret=config.secrets.slack_signing_secret or "", client=client)
    socket_mode = bool(config.secrets.slack_app_token)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass

    try:
        await check_team_channels(client, config)
        await directory.load(client, rt.pseudonymiser)
    except BaseException:
        rt.db.close()
        raise
    rt.worker.start()
    scheduler = start_scheduler(config)
    web_app = build_web_app(
        health=rt.health,
        slack_app=None if socket_mode else app,
        signing_secret=config.secrets.slack_signing_secret,
        events_path=s.slack.events_path,
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, s.slack.host, s.slack.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        stop_scheduler(scheduler)
        rt.worker.stop()
        rt.db.close()
        raise ConfigError(
            f"{config.source}: slack.port: cannot listen on {s.slack.host}:{s.slack.port} ({exc.strerror})"
        ) from None
    refresher = asyncio.create_task(
        directory.keep_fresh(client, rt.pseudonymiser, s.slack.directory_refresh_minutes * 60)
    )
    socket_handler = None
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(app, config.secrets.slack_app_token)
            await socket_handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("Teamweather running in Socket Mode; /healthz on port %d", s.slack.port)
        else:
            log.info("Teamweather running in HTTP mode on %s%s", runner.addresses[0], s.slack.events_path)
        if on_started is not None:
            on_started(rt, runner.addresses[0][1])
        await stop.wait()
    finally:
        refresher.cancel()
        if socket_handler is not None:
            await socket_handler.close_async()  # type: ignore[no-untyped-call]
        await runner.cleanup()
        stop_scheduler(scheduler)
        rt.worker.stop()
        rt.db.close()
        log.info("Teamweather stopped")
