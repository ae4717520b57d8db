"""``teamweather demo``: replay the bundled sample workspace through the real pipeline.

Message events go through the platform adapter as the platform would send them (for Slack:
signed requests through the real Bolt app, :mod:`bot.slack.replay`), then the consent check,
the pseudonymiser, the durable inbox and the scoring worker. Commands go through the
adapter's conversion and the core.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo


from analyzers.pseudonymise import Member, Pseudonymiser
from bot.core import Outcome, Teamweather
from bot.delivery import Outgoing
from bot.demo_digests import FolderCourier, demo_settings, describe_deliveries, message_lines, run_weekly_jobs, team_table
from bot.demo_hostile import HostileReport, describe, hostile_round
from bot.metrics import Metrics
from bot.runtime import default_analyzer
from bot import platforms
from bot.platforms import replay as platform_replay
from bot.server import build_web_app
from bot.worker import ScoringWorker
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


def members_of(workspace: dict[str, Any]) -> list[Member]:
    return [
        Member(m["id"], tuple(n for n in (m.get("real_name"), m.get("display_name")) if n))
        for m in workspace["members"]
    ]


async def replay(
    workspace: dict[str, Any], events: list[dict[str, Any]], db_path: Path
) -> tuple[Teamweather, Replay]:
    """Feed every event through the pipeline and score everything."""
    db = connect(db_path)
    clock = ReplayClock()
    pseudonymiser = Pseudonymiser(DEMO_KEY, members_of(workspace))
    analyzer = default_analyzer()
    worker = ScoringWorker(db_path, analyzer, clock=clock)
    core = Teamweather(
        db, pseudonymiser, admins=frozenset(workspace["admins"]),
        zone=ZoneInfo(workspace["timezone"]), k=K, clock=clock,
    )
    metrics = Metrics()
    platform = platform_replay(core, workspace, DEMO_SIGNING_SECRET, metrics)
    stats = Replay(model=analyzer.version)
    day = ""
    for n, line in enumerate(events):
        if line["kind"] == "command":
            clock.now = float(line["ts"])
            reply = platform.command(line["command"])
            stats.commands.append(line["command"]["text"])
            if line["command"]["text"] == "forget-me":
                stats.erased.append(reply.text)
            continue
        event = line["event"]
        clock.now = float(event.get("event_ts") or event.get("ts"))
        for attempt in range(2 if n % RETRY_EVERY == 0 else 1):
            status = await platform.event(event, f"Ev{n:08d}", int(clock.now), retry=attempt)
            if status != 200:
                raise RuntimeError(f"the {platform.name} adapter answered {status} to demo event {n}")
            stats.retries += attempt
        stats.events += 1
        today = date.fromtimestamp(clock.now).isoformat()
        if today != day:  # the worker keeps up day by day, as it would live
            worker.drain(db)
            day = today
    worker.drain(db)
    enrolled = next(c["id"] for c in workspace["channels"] if c.get("enrolled"))
    endpoint = build_web_app(health=lambda: {"ok": True}, routes=platform.routes())
    stats.plain = platform.plain
    stats.hostile = await hostile_round(endpoint, db, DEMO_SIGNING_SECRET, workspace["team_id"], enrolled, metrics)
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
    started = time.perf_counter()
    core, stats = asyncio.run(replay(workspace, events, db_path))
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
    leaks = raw_leaks(db_path, workspace, events, extra=[out / "outbox", out / "digests"])
    echo("")
    echo(f"Raw-text check: searched {db_path} and every digest for every member's name and user id "
         f"and every email address in the sample: {len(leaks)} found" + (f" {leaks}" if leaks else "."))
    (out / "summary.txt").write_text(table + "\n", encoding="utf-8")
    echo(f"Summary written to {out / 'summary.txt'}")
    core.db.close()


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
