"""The demo's weekly digests: the real weekly job, run each Monday of the sample period,
delivering into an outbox folder instead of Slack."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Mapping

import sqlite_utils

from analyzers.aggregate import team_weeks
from domain.teamweek import Estimate, Suppressed, TeamWeek, mood_text, plain, previous_weeks, shown, week_start
from bot import digests
from bot.config import Settings, parse_settings
from bot.delivery import Outgoing
from bot.platform_ids import bare, platform_of
from bot.report import Payload, as_json, plain_lines

MONDAY_9AM = dt.time(9, 0)


class FolderCourier:
    """Delivers each message as files under ``root/<platform>/<recipient>/`` (the demo's
    Slack): its
    text, neutral report and marker as ``<stem>.json``, its chart as ``<stem>.png`` and, for
    each of ``platforms`` (a name and how it renders a message), what that platform would be
    sent, as ``<stem>.<name>.json`` (with the marker)."""

    def __init__(self, root: Path, platforms: Mapping[str, Payload] | None = None) -> None:
        self.root = root
        self.platforms = dict(platforms or {})
        self.sent: list[tuple[str, Outgoing]] = []

    def send(self, recipient: str, message: Outgoing) -> None:
        folder = self.root / platform_of(recipient) / bare(recipient)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{message.week}-{digests.slug(message.team)}-{message.kind}"
        body = {"text": message.text, "report": as_json(message.report), "metadata": message.marker}
        _write_json(folder / f"{stem}.json", body)
        for name, render in self.platforms.items():
            _write_json(folder / f"{stem}.{name}.json", {**render(message.report, message.text), "metadata": message.marker})
        if message.chart_png is not None:
            (folder / f"{stem}.png").write_bytes(message.chart_png)
        self.sent.append((recipient, message))

    def was_sent(self, recipient: str, message: Outgoing, since: float) -> bool:
        return any(r == recipient and m.marker == message.marker for r, m in self.sent)

    def group_members(self, group: str) -> list[str]:
        return []


def demo_settings(workspace: dict[str, Any], database: Path, k: int) -> Settings:
    """Settings for the sample company: its teams, HR from its admins."""
    return parse_settings(
        {
            "database": str(database),
            "timezone": workspace["timezone"],
            "privacy": {"k": k},
            "alerts": {"hr_recipients": workspace["admins"][:1]},
            "teams": workspace["teams"],
        },
        "demo settings",
    )


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_weekly_jobs(
    db: sqlite_utils.Database, settings: Settings, weeks: list[str], out: Path, key: bytes,
    platforms: Mapping[str, Payload] | None = None,
) -> FolderCourier:
    """Run the weekly job on the Monday after each of ``weeks``, in order (so alerts see
    their history and cooldown), then write a preview of the last week's digests; each
    message and preview also as each of ``platforms`` renders it."""
    courier = FolderCourier(out / "outbox", platforms)
    for week in weeks:
        monday = dt.datetime.combine(week_start(week) + dt.timedelta(weeks=1), MONDAY_9AM)
        digests.send(db, settings, courier, week, noise_key=key, clock=monday.timestamp)
    for digest in digests.build(db, settings, weeks[-1], noise_key=key):
        digests.write_preview(digest, out / "digests" / weeks[-1] / digests.slug(digest.team), platforms)
    return courier


def team_table(db: sqlite_utils.Database, settings: Settings, last_week: str, n: int) -> str:
    """Every team's published figures for the ``n`` weeks up to ``last_week``."""
    weeks = previous_weeks(last_week, n)
    per_team = team_weeks(
        db, {t.name: t.channel_ids() for t in settings.teams}, weeks, k=settings.privacy.k,
        stress_threshold=settings.digest.stress_threshold, stress_reporting=True,
    )
    lines = [f"{'team':<10} {'week':<9} {'people':>6} {'msgs':>5}  {'mood (95% CI)':<17} {'neg%':>4} "
             f"{'stress index%':>13} {'stressed%':>9}"]
    for team, rows in per_team.items():
        lines += [_row(team, row, settings.privacy.k) for row in rows]
    return "\n".join(lines)


_WHY = {Suppressed.NO_DATA: "no data yet", Suppressed.TOO_FEW: "fewer than {k} people",
        Suppressed.OVERLAP: "overlaps another team"}


def _row(team: str, row: TeamWeek, k: int) -> str:
    if row.suppressed is not None:
        why = _WHY[row.suppressed].format(k=k)
        return f"{team:<10} {row.week:<9} {'':>6} {'':>5}  suppressed: {why}"
    assert row.mood is not None and row.negative is not None and row.stress is not None
    assert row.stressed is not None
    return (
        f"{team:<10} {row.week:<9} {row.contributors:>6} {row.messages:>5}  {_ci(row.mood):<17} "
        f"{plain(shown(row.negative.value, 100)):>4} {plain(shown(row.stress.value, 100)):>13} "
        f"{plain(shown(row.stressed.value, 100)):>9}"
    )


def _ci(e: Estimate) -> str:
    return f"{mood_text(e.value)} ({mood_text(e.low)} to {mood_text(e.high)})"


def message_lines(message: Outgoing) -> list[str]:
    """A delivered message as the plain lines a reader sees, the chart as ``[chart: …]``."""
    if message.chart_png is None:
        return plain_lines(message.report)
    chart = f"[chart: {message.chart_title}]"
    lines = plain_lines(message.report, chart)
    return lines if message.report.chart is not None else [*lines, chart]


def describe_deliveries(courier: FolderCourier, name_of: Callable[[str], str]) -> list[str]:
    """One line per message in the outbox."""
    return [
        f"{m.week} {m.kind:<6} {m.team:<9} -> {name_of(r)}" for r, m in courier.sent
    ]
