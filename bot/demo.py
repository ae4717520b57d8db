"""``teamweather demo``: replay the bundled sample workspace through the real pipeline.

Message events go through the platform adapter as the platform would send them (for Slack:
signed requests through the real Bolt app, :mod:`bot.slack.replay`), then the consent check,
the pseudonymiser, the durable inbox and the scoring worker. Commands go through the
adapter's conversion and the core.

Then the same sample goes through the Teams adapter (:mod:`bot.teams.replay`: each message as
the activity Teams would send for it, through the messaging endpoint and the bot) into a
second database, ``demo-teams.db``, with its own core and the same pseudonym key, and the two
are compared: the number of scores, every team-week's published figures and every digest and
alert of the weekly job. Any difference is printed, and the demo fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import inspect
import json
import logging
import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
import datetime as dt
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo


import sqlite_utils

from analyzers.analyzer import Analysis, Analyzer
from analyzers.flagging import FlagPolicy
from analyzers.pseudonymise import Member, Pseudonymiser
from bot.config import Settings
from bot.core import Outcome, Reply, Teamweather
from bot.delivery import Outgoing
from bot.demo_digests import FolderCourier, demo_settings, describe_deliveries, message_lines, run_weekly_jobs, team_table
from bot.demo_hostile import HostileReport, describe, hostile_round
from bot.metrics import Metrics
from bot.report import as_json
from bot.demo_review import retraining_round, review_queue
from bot.demo_learning import learning_for, plans, plant_team_learning
from bot.runtime import default_analyzer, review_flagger
from bot import digests, platforms
from bot.platforms import replay as platform_replay
from bot.server import build_web_app
from bot.worker import ScoringWorker
from domain.errors import TeamweatherError
from domain.teamweek import week_start
from storage import connect

DEMO_KEY = b"teamweather-demo-key: not a secret, demo only"
DEMO_SIGNING_SECRET = "teamweather-demo-signing-secret"
K = 5
RETRY_EVERY = 97  # re-deliver every 97th event as a Slack retry, to show deduplication


@dataclass
class ReplayClock:
    """The replay's notion of "now": the time of the event being replayed."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Replay:
    """Counters for what happened to the replayed events."""

    events: int = 0
    retries: int = 0
    commands: list[str] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)  # forget-me replies
    model: str = ""  # the analyzer's version id
    hostile: HostileReport | None = None  # forged, stale and malformed requests sent at the end
    plain: Callable[[str], str] = str  # the adapter's conversion of message text for the core


def load_sample() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The bundled workspace description and its time-ordered events."""
    folder = resources.files("bot") / "demo_data"
    workspace = json.loads((folder / "workspace.json").read_text(encoding="utf-8"))
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return workspace, [json.loads(line) for line in lines if line.strip()]


def sample_texts() -> list[str]:
    """The sample's message texts as Slack sends them: realistic workplace chat of realistic
    lengths (the benchmarks send them)."""
    _, events = load_sample()
    return [e["event"]["text"] for e in events
            if e["kind"] == "event" and not e["event"].get("subtype") and e["event"].get("text")]


def members_of(workspace: dict[str, Any]) -> list[Member]:
    return [
        Member(m["id"], tuple(n for n in (m.get("real_name"), m.get("display_name")) if n))
        for m in workspace["members"]
    ]


async def replay(
    workspace: dict[str, Any], events: list[dict[str, Any]], db_path: Path, *, platform: str = "slack",
    analyzer: Analyzer | None = None,
) -> tuple[Teamweather, Replay]:
    """Feed every event through ``platform``'s adapter and the pipeline into ``db_path``, and
    score everything (with ``analyzer``, by default the bundled one). On Slack, then send the
    hostile round to the live endpoint."""
    db = connect(db_path)
    clock = ReplayClock()
    ids = platforms.replay_workspace(workspace, platform)
    # Slack's replay has no member directory: the workspace's names are loaded here. Teams'
    # bot lists the team's roster itself, from its Bot Connector (the replay's stub).
    pseudonymiser = Pseudonymiser(DEMO_KEY, members_of(workspace) if platform == "slack" else ())
    analyzer = analyzer or default_analyzer()
    # Flagging for review as a deployment with review on would (seeded, on the replay's clock).
    flagger = review_flagger(FlagPolicy(), random.Random(0), clock, for_reviewers=pseudonymiser.for_reviewers)
    worker = ScoringWorker(db_path, analyzer, clock=clock, flagger=flagger)
    core = Teamweather(
        db, pseudonymiser, admins=frozenset(ids["admins"]),
        zone=ZoneInfo(workspace["timezone"]), k=K, clock=clock,
    )
    metrics = Metrics()
    adapter = platform_replay(core, workspace, DEMO_SIGNING_SECRET, metrics, platform)
    stats = Replay(model=analyzer.version)
    async with contextlib.AsyncExitStack() as stack:
        if isinstance(adapter, contextlib.AbstractAsyncContextManager):
            await stack.enter_async_context(adapter)
        day = ""
        for n, line in enumerate(events):
            if line["kind"] == "command":
                clock.now = float(line["ts"])
                answer = adapter.command(line["command"])
                reply: Reply = await answer if inspect.isawaitable(answer) else answer
                stats.commands.append(line["command"]["text"])
                if line["command"]["text"] == "forget-me":
                    stats.erased.append(reply.text)
                continue
            event = line["event"]
            clock.now = float(event.get("event_ts") or event.get("ts"))
            for attempt in range(2 if n % RETRY_EVERY == 0 else 1):
                status = await adapter.event(event, f"Ev{n:08d}", int(clock.now), retry=attempt)
                if status != 200:
                    raise RuntimeError(f"the {adapter.name} adapter answered {status} to demo event {n}")
                stats.retries += attempt
            stats.events += 1
            today = date.fromtimestamp(clock.now).isoformat()
            if today != day:  # the worker keeps up day by day, as it would live
                worker.drain(db)
                day = today
        worker.drain(db)
        stats.plain = adapter.plain
        if platform == "slack":
            enrolled = next(c["id"] for c in workspace["channels"] if c.get("enrolled"))
            endpoint = build_web_app(health=lambda: {"ok": True}, routes=adapter.routes())
            stats.hostile = await hostile_round(endpoint, db, DEMO_SIGNING_SECRET, workspace["team_id"], enrolled,
                                                metrics)
    return core, stats


def raw_leaks(
    db_path: Path, workspace: dict[str, Any], events: list[dict[str, Any]], extra: Sequence[Path] = ()
) -> list[str]:
    """Identifying strings from the raw events that appear in the database files or in any
    file under the ``extra`` folders (digests), except the recipients' own folder names."""
    needles: set[str] = set()
    for m in workspace["members"]:
        needles.update(n for n in (m["id"], m.get("real_name")) if n)
    for line in events:
        text = json.dumps(line.get("event", {}))
        needles.update(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))
    files = list(db_path.parent.glob(db_path.name + "*"))
    files += [p for folder in extra for p in folder.rglob("*") if p.is_file()]
    blob = b"".join(p.read_bytes() for p in files)
    return sorted(n for n in needles if n.encode() in blob)


def pseudonymisation_samples(workspace: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """One short raw message for each kind of identifier, to show what the inbox receives."""
    full_names = "|".join(re.escape(m["real_name"]) for m in workspace["members"] if " " in m.get("real_name", ""))
    kinds = [full_names, r"<@U\w+>", r"[\w.+-]+@[\w-]+\.\w", r"\+?\d[\d ()-]{8,}\d", r"<#C\w+"]
    picked: list[str] = []
    for pattern in kinds:
        for line in events:
            event = line.get("event", {})
            text = event.get("text") or ""
            if not event.get("subtype") and len(text) < 140 and text not in picked and re.search(pattern, text):
                picked.append(text)
                break
    return picked


def run_demo(out: Path, echo: Callable[[str], None] = print) -> None:
    """Run the whole demo into ``out`` and print what happened."""
    bolt = logging.getLogger("slack_bolt")
    level = bolt.level
    bolt.setLevel(logging.ERROR)  # no tokens in the demo, by design
    try:
        _run_demo(out, echo)
    finally:
        bolt.setLevel(level)


def _run_demo(out: Path, echo: Callable[[str], None]) -> None:
    workspace, events = load_sample()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    db_path = out / "demo.db"
    analyzer = ScoredOnce(default_analyzer())  # loaded once, for both adapters
    started = time.perf_counter()
    core, stats = asyncio.run(replay(workspace, events, db_path, analyzer=analyzer))
    elapsed = time.perf_counter() - started

    enrolled = [c["name"] for c in workspace["channels"] if c.get("enrolled")]
    o = core.outcomes
    people = sum(1 for m in workspace["members"] if not m.get("is_bot"))
    echo(f"Teamweather demo — {workspace['company']}: {people} people, "
         f"{len(workspace['channels'])} channels ({len(enrolled)} enrolled), "
         f"{stats.events} events in {elapsed:.1f}s")
    echo(f"  commands replayed: {', '.join(f'{c} ×{n}' for c, n in Counter(stats.commands).items())}")
    echo(f"  scored: {o[Outcome.STORED]} messages, {o[Outcome.UPDATED]} edits re-scored, "
         f"by the bundled classifier {stats.model}")
    echo(f"  left no trace: {o[Outcome.NOT_ENROLLED]} in channels not enrolled, "
         f"{o[Outcome.NOT_COLLECTING]} from people who paused or were forgotten, "
         f"{o[Outcome.EMPTY]} empty")
    for reply in stats.erased:
        echo(f"  forget-me answered: {reply.split(' Teamweather will')[0]}")
    echo(f"  Slack retries delivered: {stats.retries}, scored twice: 0 "
         f"({o[Outcome.DUPLICATE]} duplicates dropped)")
    if stats.hostile is not None:
        echo("")
        echo("Hostile requests to the live endpoint, each carrying a sentence, an email, a phone "
             "number and a user id:")
        for line in describe(stats.hostile):
            echo(line)
    echo("")
    echo("What the inbox receives (pseudonymised before anything is written):")
    for raw in pseudonymisation_samples(workspace, events):
        echo(f"  raw:    {raw}")
        echo(f"  stored: {core.pseudonymiser.text(stats.plain(raw))}")
    echo("")
    weeks = sorted({_iso_week(d) for (d,) in core.db.execute("SELECT DISTINCT day FROM scores")})
    settings = demo_settings(workspace, db_path, core.k)
    table = team_table(core.db, settings, weeks[-1], len(weeks))
    echo("Team weather, as managers' digests compute it (people counted once, k-anonymous):")
    echo(table)
    learning = learning_for(settings)
    learners = plant_team_learning(core.db, settings, weeks[-1], learning.catalog)
    courier = run_weekly_jobs(core.db, settings, weeks[-3:], out, DEMO_KEY, platforms.payloads())
    names_by_id = {f"slack:{m['id']}": m.get("real_name") or m["id"] for m in workspace["members"]}
    echo("")
    echo(f"Weekly job, run on the Mondays after {weeks[-3]} to {weeks[-1]}: {len(courier.sent)} DMs delivered into {out / 'outbox'}")
    for line in describe_deliveries(courier, lambda r: names_by_id.get(r, r)):
        if " alert " in line:
            echo(f"  {line}")
    for alert in core.db.execute("SELECT week, team, reason FROM alerts ORDER BY week, team"):
        echo(f"  alert {alert[0]} {alert[1]}: {alert[2]}")
    for recipient, message in _worth_reading(courier):
        echo("")
        echo(f"What {names_by_id.get(recipient, recipient)} read ({message.kind}, {message.team}, {message.week}):")
        for line in message_lines(message):
            echo(f"  | {line}")
    echo(f"Digest previews for {weeks[-1]} (the neutral report and Slack's Block Kit as JSON, chart PNG, HTML): {out / 'digests' / weeks[-1]}")
    echo("")
    team = settings.teams[0]
    [digest] = digests.build(core.db, settings, weeks[-1], noise_key=DEMO_KEY, teams=[team])
    echo(f"Team learning in {team.name}'s {weeks[-1]} digest ({learners} of its writers completed items; "
         f"each skill shown only when at least {core.k} people worked on it):")
    for activity in digest.learning:
        echo(f"  {activity.skill}: {activity.items} item(s) by {activity.people} people")
    echo("")
    echo("Learning plans (/mytraining), as two sample employees see them:")
    monday = dt.datetime.combine(week_start(weeks[-1]) + dt.timedelta(weeks=1), dt.time(10), ZoneInfo(workspace["timezone"]))
    for line in plans(core, workspace, learning, monday.timestamp):  # the Monday after, as the digests go out
        echo(f"  {line}")
    echo("")
    queue = review_queue(core.db, core.pseudonymiser, workspace["team_id"], out / "review",
                         platforms.payloads()["slack"], core.clock)
    for line in review_lines(queue, out / "review"):
        echo(line)
    echo("")
    echo("One retraining round on those labels (a challenger fine-tuned from the bundled model, then the "
         "promotion gate):")
    for line in retraining_round(core.db, out / "models").splitlines():
        echo(f"  {line}" if line else "")
    leaks = raw_leaks(db_path, workspace, events, extra=[out / "outbox", out / "digests", out / "review"])
    echo("")
    echo(f"Raw-text check: searched {db_path} and every digest for every member's name and user id "
         f"and every email address in the sample: {len(leaks)} found" + (f" {leaks}" if leaks else "."))
    (out / "summary.txt").write_text(table + "\n", encoding="utf-8")
    echo(f"Summary written to {out / 'summary.txt'}")

    started = time.perf_counter()
    teams_path = out / "demo-teams.db"
    teams_core, teams_stats = asyncio.run(replay(workspace, events, teams_path, platform="msteams", analyzer=analyzer))
    teams_elapsed = time.perf_counter() - started
    teams_settings = demo_settings(platforms.replay_workspace(workspace, "msteams"), teams_path, core.k)
    plant_team_learning(teams_core.db, teams_settings, weeks[-1], learning.catalog)  # as on Slack
    side = side_by_side(core.db, settings, courier, teams_core.db, teams_settings, weeks)
    teams_leaks = raw_leaks(teams_path, workspace, events)
    headline, *details = side.lines()
    echo("")
    echo(f"Slack and Teams adapters, side by side: {headline}")
    for line in details:
        echo(f"  {line}")
    echo(f"  (Teams: the same {teams_stats.events} events as Teams would send them, through its endpoint and bot "
         f"into {teams_path} in {teams_elapsed:.1f}s; raw-text check: {len(teams_leaks)} found"
         + (f" {teams_leaks})" if teams_leaks else ")"))
    core.db.close()
    teams_core.db.close()
    if side.differences or teams_leaks:
        raise AdaptersDisagree(f"the Slack and Teams adapters disagree on the sample ({len(side.differences)} "
                               f"difference(s), {len(teams_leaks)} raw string(s) in {teams_path.name})")


def review_lines(queue: Any, folder: Path) -> list[str]:
    """The review queue as the demo prints it."""
    kinds = ", ".join(f"{n} {policy.replace('_', '-')}" for policy, n in sorted(queue.flagged.items()))
    lines = [
        f"Review queue: {sum(queue.flagged.values())} messages flagged ({kinds}) from {queue.authors} people, "
        f"at most {queue.most_per_author_week} per person per week; {queue.posted} posted to the review "
        f"channel ({folder}).",
        f"  Two simulated reviewers labelled {queue.labelled} of them ({queue.double} by both). The first post, "
        "as reviewers see it after labelling:",
    ]
    lines += [f"  | {line}" for line in queue.first_post]
    lines += [f"  thread: {line}" for line in queue.first_thread]
    return lines


class ScoredOnce:
    """An analyzer that remembers what it said of each text. The Teams replay stores the same
    pseudonymised texts as Slack's, and the classifier reads a text the same way each time, so
    each text is scored once; a text that only one adapter stored is scored anew."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.name, self.version = inner.name, inner.version
        self.known: dict[str, Analysis] = {}

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """One Analysis per text, in input order."""
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            self.known.update(zip(new, self.inner.analyze(new), strict=True))
        return [self.known[t] for t in texts]


class AdaptersDisagree(TeamweatherError):
    """The sample gave different figures, digests or scores through the two adapters."""


SHOWN_DIFFERENCES = 12  # differences printed; the rest are counted


@dataclass
class SideBySide:
    """The sample through Slack's adapter and through Teams', compared."""

    scores: tuple[int, int]  # stored scores: Slack's, Teams'
    team_weeks: int  # team-weeks whose published figures were compared
    digests: int  # digests of the weekly job compared (each team's, each week)
    alerts: int  # alerts compared
    figures: list[str] = field(default_factory=list)  # team-weeks whose figures differ: what differs
    messages: list[str] = field(default_factory=list)  # digests and alerts that differ: what differs

    @property
    def differences(self) -> list[str]:
        """Everything that differs, one line each (nothing when the adapters agree)."""
        slack, teams = self.scores
        stored = [] if slack == teams else [f"scores stored: Slack {slack}, Teams {teams}"]
        return [*stored, *self.figures, *self.messages]

    def lines(self) -> list[str]:
        """The comparison as the demo prints it: one line when everything agrees."""
        slack, teams = self.scores
        if not self.differences:
            return [f"{slack} scores each; every team-week's figures identical ({self.team_weeks} team-weeks); "
                    f"every digest identical ({self.digests}, and {self.alerts} alert(s))"]
        shown = self.differences[:SHOWN_DIFFERENCES]
        more = len(self.differences) - len(shown)
        return [
            f"DIFFERENT: scores Slack {slack}, Teams {teams}; figures of {len(self.figures)} of {self.team_weeks} "
            f"team-weeks and {len(self.messages)} of {self.digests + self.alerts} digests and alerts differ:",
            *shown, *([f"… and {more} more"] if more else []),
        ]


def side_by_side(
    slack_db: sqlite_utils.Database, slack_settings: Settings, slack_courier: FolderCourier,
    teams_db: sqlite_utils.Database, teams_settings: Settings, weeks: list[str],
) -> SideBySide:
    """Compare the Teams database with Slack's: scores, every team-week's published figures
    (as the summary table shows them) and the weekly job's digests and alerts (``slack_courier``
    holds Slack's, of the last three ``weeks``), rendered (text, neutral report and chart) and
    with as many recipients. The Teams side's weekly job runs into a temporary folder, on its
    own settings (the teams' ``msteams:`` channels and managers)."""
    (slack_n,), = slack_db.execute("SELECT COUNT(*) FROM scores")
    (teams_n,), = teams_db.execute("SELECT COUNT(*) FROM scores")
    slack_rows = _figures(team_table(slack_db, slack_settings, weeks[-1], len(weeks)))
    teams_rows = _figures(team_table(teams_db, teams_settings, weeks[-1], len(weeks)))
    figures = [f"{team} {week}: Slack {slack_rows.get((team, week), '(none)')}, "
               f"Teams {teams_rows.get((team, week), '(none)')}"
               for team, week in sorted(slack_rows.keys() | teams_rows.keys())
               if slack_rows.get((team, week)) != teams_rows.get((team, week))]
    with tempfile.TemporaryDirectory(prefix="teamweather-demo-teams-") as folder:
        teams_courier = run_weekly_jobs(teams_db, teams_settings, weeks[-3:], Path(folder), DEMO_KEY)
    slack_sent, teams_sent = _sent(slack_courier), _sent(teams_courier)
    messages = []
    for kind, team, week in sorted(slack_sent.keys() | teams_sent.keys()):
        a, b = slack_sent.get((kind, team, week)), teams_sent.get((kind, team, week))
        if a is None or b is None:
            messages.append(f"{team} {week} {kind}: sent only on {'Slack' if b is None else 'Teams'}")
            continue
        parts = [what for what, x, y in zip(("recipients", "text", "report", "chart"), a, b) if x != y]
        if parts:
            messages.append(f"{team} {week} {kind}: {', '.join(parts)} differ{'s' if len(parts) == 1 else ''}")
    digests = sum(1 for kind, _, _ in slack_sent if kind == "digest")
    return SideBySide((slack_n, teams_n), len(slack_rows), digests, len(slack_sent) - digests, figures, messages)


def _figures(table: str) -> dict[tuple[str, str], str]:
    """The summary table's rows by (team, week): the figures after them, as published."""
    rows: dict[tuple[str, str], str] = {}
    for line in table.splitlines()[1:]:
        team, week, figures = line.split(maxsplit=2)
        rows[(team, week)] = " ".join(figures.split())
    return rows


def _sent(courier: FolderCourier) -> dict[tuple[str, str, str], tuple[int, str, str, bytes | None]]:
    """Each message of the weekly job, by (kind, team, week): how many received it, its text,
    its neutral report (as JSON) and its chart."""
    sent: dict[tuple[str, str, str], tuple[int, str, str, bytes | None]] = {}
    for _, message in courier.sent:
        key = (message.kind, message.team, message.week)
        count = sent[key][0] + 1 if key in sent else 1
        report = json.dumps(as_json(message.report), sort_keys=True, ensure_ascii=False)
        sent[key] = (count, message.text, report, message.chart_png)
    return sent


def _worth_reading(courier: FolderCourier) -> list[tuple[str, Outgoing]]:
    """The messages the demo prints in full: the first digest that carries an alert, the
    separate alert its HR recipient got, and the same team's next digest (which refers back
    to the alert instead of repeating it)."""
    alerted = next(((r, m) for r, m in courier.sent if m.kind == "alert"), None)
    if alerted is None:
        return []
    team, week = alerted[1].team, alerted[1].week
    first = next((r, m) for r, m in courier.sent if m.kind == "digest" and (m.team, m.week) == (team, week))
    later = sorted(m.week for _, m in courier.sent if m.week > week)
    after = [(r, m) for r, m in courier.sent
             if later and m.kind == "digest" and (m.team, m.week) == (team, later[0])]
    return [first, alerted, *after[:1]]


def _iso_week(day: str) -> str:
    iso = date.fromisoformat(day).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"
