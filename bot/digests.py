"""The weekly job: aggregate every team, decide alerts, render, deliver exactly once.

Platform-neutral: each message is a neutral report (``bot/report.py``), which the ``Courier``
it is given renders for its platform (Slack: Block Kit, Teams: an Adaptive Card).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import sqlite_utils

from analyzers.aggregate import team_weeks
from analyzers.alerts import evaluate
from zoneinfo import ZoneInfo

from analyzers.catalog import Catalog, CatalogError, load_catalog
from analyzers.learning_activity import skill_activity
from analyzers.learning_catalog import LearningCatalog, load_learning_catalog
from analyzers.suggestions import suggest
from domain.teamweek import Digest, SkillActivity, iso_week, previous_weeks, week_start
from bot import digest_render
from bot.config import Settings, TeamSettings
from bot.delivery import Courier, Outgoing, Result, deliver
from bot.report import Payload, as_json
from domain.errors import ConfigError, PlatformUnavailable
from storage import alerts as alert_store
from storage import suggestions as suggestion_store
from storage import deliveries, weekly
from storage import learning as learning_store

log = logging.getLogger(__name__)

HISTORY_WEEKS = 8  # shown in the digest and used as the alert baseline
MAX_ATTEMPTS = 6


def last_complete_week(now: dt.datetime) -> str:
    """The latest ISO week that ended before ``now`` (local time)."""
    return iso_week(now.date() - dt.timedelta(days=now.isoweekday()))


def noise_rng(key: bytes) -> random.Random:
    """The source of Laplace noise. Seeded from the key alone: each team-week then gets the
    same noise in every digest and every re-run, so a reader cannot average it away."""
    digest = hmac.new(key, b"noise", hashlib.sha256).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def build(
    db: sqlite_utils.Database,
    settings: Settings,
    week: str,
    *,
    noise_key: bytes,
    teams: Iterable[TeamSettings] | None = None,
    catalog: Catalog | None = None,
    learning_catalog: LearningCatalog | None = None,
) -> list[Digest]:
    """The digests of ``week`` for ``teams`` (default: all), with alerts and suggestions.

    Aggregation always covers every configured team, since whether one team may be published
    depends on the others (two teams differing by fewer than k people)."""
    privacy = settings.privacy
    stress = privacy.stress_reporting == "team"
    weeks = previous_weeks(week, HISTORY_WEEKS + 1)
    per_team = team_weeks(
        db,
        {t.name: t.channel_ids() for t in settings.teams},
        weeks,
        k=privacy.k,
        stress_threshold=settings.digest.stress_threshold,
        stress_reporting=stress,
        epsilon=privacy.epsilon,
        rng=noise_rng(noise_key) if privacy.epsilon else None,
    )
    catalog = catalog or load_catalog()
    if learning_catalog is None and settings.learning.enabled:
        learning_catalog = _learning_catalog(settings.learning.catalog)
    wanted = {t.name for t in (settings.teams if teams is None else teams)}
    result = []
    for team in settings.teams:
        if team.name not in wanted:
            continue
        history = per_team[team.name]
        earlier = alert_store.before(db, team.name, week)
        fired = (
            evaluate(history, earlier, settings.alerts.rules(), stress_reporting=stress)
            if settings.alerts.enabled
            else []
        )
        window = set(previous_weeks(week, settings.alerts.cooldown_weeks)[:-1])
        open_before = tuple(a for a in earlier if a.week in window)
        current = history[-1]
        learning: tuple[SkillActivity, ...] = ()
        # Never beside held-back figures; and not with noise on (privacy.epsilon): its exact
        # counts would break the digest's "noise on every figure".
        if learning_catalog is not None and current.suppressed is None and privacy.epsilon is None:
            learning = team_learning(db, team, week, settings, learning_catalog)
        result.append(
            Digest(
                team=team.name,
                week=week,
                current=current,
                history=tuple(history[-HISTORY_WEEKS:]),
                alerts=tuple(fired),
                suggestions=suggest(current, history, fired, catalog, stress_reporting=stress,
                                    recent=suggestion_store.recent(db, team.name, week),
                                    earlier=open_before),
                stress_reporting=stress,
                k=privacy.k,
                noise=privacy.epsilon is not None,
                stress_threshold=settings.digest.stress_threshold,
                earlier_alerts=open_before,
                learning=learning,
            )
        )
    return result


@functools.lru_cache(maxsize=4)
def _learning_catalog(path: Path | None) -> LearningCatalog:
    try:
        return load_learning_catalog(path)
    except CatalogError as exc:
        raise ConfigError(f"learning: {exc}") from None


def team_learning(db: sqlite_utils.Database, team: TeamSettings, week: str, settings: Settings,
                  catalog: LearningCatalog) -> tuple[SkillActivity, ...]:
    """Items completed per skill in ``week`` by the people who wrote in ``team``'s channels
    that week, per skill only from k people up."""
    zone = ZoneInfo(settings.timezone)
    start = dt.datetime.combine(week_start(week), dt.time(), zone)
    since, until = start.timestamp(), (start + dt.timedelta(days=7)).timestamp()
    people = weekly.authors(db, team.channel_ids(), week)
    done = learning_store.completions(db, None, since, until, people)
    return skill_activity(done, {item.id: tuple(item.skills) for item in catalog}, settings.privacy.k)


def digest_message(digest: Digest) -> Outgoing:
    """A manager's weekly message, the chart right after this week's figures."""
    chart = digest_render.chart_png(digest)
    return Outgoing(
        team=digest.team,
        week=digest.week,
        kind="digest",
        text=digest_render.fallback_text(digest),
        report=digest_render.report(digest),
        chart_png=chart,
        chart_title=digest_render.chart_title(digest) if chart is not None else "",
    )


def alert_message(digest: Digest) -> Outgoing:
    """The alert sent to managers and HR when rules fired this week."""
    return Outgoing(
        team=digest.team,
        week=digest.week,
        kind="alert",
        text=digest_render.alert_text(digest),
        report=digest_render.alert_report(digest),
    )


@dataclass
class SendReport:
    """What one run of the weekly job did."""

    week: str
    results: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, what: str, result: Result) -> None:
        self.results[result] += 1
        if result == "failed":
            self.failures.append(what)


def send(
    db: sqlite_utils.Database,
    settings: Settings,
    courier: Courier,
    week: str,
    *,
    noise_key: bytes,
    team: str | None = None,
    clock: Callable[[], float] = time.time,
) -> SendReport:
    """Build and deliver the week's digests and alerts; safe to run any number of times.

    ``noise_key`` (the pseudonym key) seeds the noise and hashes recipients in the ledger."""
    teams = [settings.team(team)] if team else list(settings.teams)
    report = SendReport(week)
    for digest in build(db, settings, week, noise_key=noise_key, teams=teams):
        config = settings.team(digest.team)
        with db.conn:
            for alert in digest.alerts:
                alert_store.save(db, alert)
            suggestion_store.save(db, digest.team, week, [s.key for s in digest.suggestions])
        message = digest_message(digest)
        readers = _digest_recipients(config, courier)
        for recipient in readers:
            report.add(f"digest {digest.team} to {recipient}", deliver(db, courier, recipient, message, key=noise_key, clock=clock))
        if digest.alerts:
            # Said once: digest readers have the alert at the top of their digest.
            warning = alert_message(digest)
            others = [r for r in dict.fromkeys(config.managers + config.hr_recipients(settings.alerts))
                      if r not in readers]
            for recipient in others:
                report.add(f"alert {digest.team} to {recipient}", deliver(db, courier, recipient, warning, key=noise_key, clock=clock))
    return report


def retry_unfinished(
    db: sqlite_utils.Database,
    settings: Settings,
    courier: Courier,
    *,
    noise_key: bytes,
    clock: Callable[[], float] = time.time,
) -> SendReport | None:
    """Re-run the weeks that still have unfinished sends (failed or interrupted)."""
    pending = deliveries.unfinished(db, MAX_ATTEMPTS)
    weeks = sorted({d.week for d in pending if clock() >= d.claimed_at + _backoff(d.attempts)})
    report = None
    for week in weeks:
        report = send(db, settings, courier, week, noise_key=noise_key, clock=clock)
    return report


def _backoff(attempts: int) -> float:
    return 300.0 * 2.0 ** (attempts - 1)  # 5 minutes after the first claim, then 10, 20, 40, 80


def _digest_recipients(team: TeamSettings, courier: Courier) -> list[str]:
    recipients = list(team.managers)
    if team.usergroup:
        try:
            recipients += courier.group_members(team.usergroup)
        except PlatformUnavailable as exc:
            log.warning("user group %s of team %s not read: %s", team.usergroup, team.name, exc)
    return list(dict.fromkeys(recipients))


def slug(team: str) -> str:
    """A folder name for a team."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", team.casefold()).strip("-") or "team"


def write_preview(digest: Digest, folder: Path, platforms: Mapping[str, Payload] | None = None) -> list[Path]:
    """Write a digest's chart PNG, HTML page and message (its plain text and neutral report, as
    JSON), and any alert message, into ``folder``; for each of ``platforms`` (a name and how it
    renders a message), that platform's message too: ``digest.<name>.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    chart = folder / "chart.png"
    png = digest_render.chart_png(digest)
    written = []
    if png is not None:
        chart.write_bytes(png)
        written.append(chart)
    (folder / "digest.html").write_text(digest_render.html(digest, chart.name), encoding="utf-8")
    written.append(folder / "digest.html")
    messages = {"digest": (digest_render.fallback_text(digest), digest_render.report(digest))}
    if digest.alerts:
        messages["alert"] = (digest_render.alert_text(digest), digest_render.alert_report(digest))
    for kind, (text, report) in messages.items():
        written.append(_write_json(folder / f"{kind}.json", {"text": text, "report": as_json(report)}))
        for name, render in (platforms or {}).items():
            written.append(_write_json(folder / f"{kind}.{name}.json", render(report, text)))
    return written


def _write_json(path: Path, data: dict[str, Any]) -> Path:
    import json

    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
