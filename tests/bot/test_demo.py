"""``teamweather demo``: the bundled workspace through the real pipeline."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import emoji
from click.testing import CliRunner

from analyzers.bundled import bundled_version
from bot.cli import cli
from bot.core import Message, Teamweather
from bot.demo import DEMO_KEY, DEMO_SIGNING_SECRET, load_sample, raw_leaks
from bot.metrics import Metrics
from bot import platforms
from analyzers.pseudonymise import Pseudonymiser
from storage import connect


def command_days(events: list[dict], text: str) -> dict[str, str]:
    return {
        line["command"]["user_id"]: datetime.fromtimestamp(float(line["ts"]), timezone.utc).date().isoformat()
        for line in events if line["kind"] == "command" and line["command"]["text"] == text
    }


def test_demo_replays_the_sample_and_keeps_its_promises(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    workspace, events = load_sample()
    table = (out / "summary.txt").read_text()

    teams = [t["name"] for t in workspace["teams"]]
    assert {line.split()[0] for line in table.splitlines()[1:]} == set(teams)
    design_rows = [line for line in table.splitlines() if line.startswith("Design ")]
    assert design_rows and all("suppressed: fewer than 5 people" in line for line in design_rows)
    assert "0 found." in result.output and "scored twice: 0" in result.output
    assert f"by the bundled classifier {bundled_version()}" in result.output
    # The hostile round: refused or acked, never a 5xx, nothing stored, nothing in the log
    assert "3 refused with 401" in result.output and "6 signed but malformed" in result.output
    assert "0 server errors" in result.output and "stored: nothing" in result.output
    assert "holding the sentence, email, phone or user id: none" in result.output
    # The same sample through the Teams adapter, into its own database: the same figures and digests
    side = next(line for line in result.output.splitlines() if line.startswith("Slack and Teams adapters, side by side: "))
    assert "scores each; every team-week's figures identical (35 team-weeks); every digest identical (15" in side
    assert "DIFFERENT" not in result.output
    assert (out / "demo-teams.db").exists() and "raw-text check: 0 found)" in result.output
    # The review queue: flags posted (Slack's JSON, buttons included), labelled, one retraining round
    queue = re.search(r"Review queue: (\d+) messages flagged .* at most (\d+) per person per week; (\d+) posted", result.output)
    assert queue and int(queue[1]) > 0 and int(queue[2]) <= 2 and queue[3] == queue[1]
    posts = sorted((out / "review").glob("[0-9]*.json"))
    assert len(posts) == int(queue[1]) and '"action_id": "review:1:sentiment:negative"' in posts[0].read_text()
    assert "Reviewer 1 labelled" in result.output and "Reviewer agreement (Cohen's kappa): sentiment: kappa" in result.output
    assert re.search(r"- Decision: (promoted|rejected)\.", result.output)
    # /mytraining: two employees' plans, each for its reader alone, and the team's learning in its digest
    assert result.output.count("Your learning plan") == 2 and "only Farid sees this" in result.output
    assert "your goal mentions" in result.output and "Kubernetes fundamentals" in result.output
    assert re.search(r"Team learning in Platform's 2026-W47 digest .*\n  programming: \d+ item\(s\) by \d+ people\n"
                     r"  testing: \d+ item\(s\) by \d+ people", result.output)
    assert "Private wellbeing nudge:" in result.output

    # The weekly job delivered digests to every manager and at least one alert
    managers = {m for t in workspace["teams"] for m in t["managers"]}
    assert {p.name for p in (out / "outbox" / "slack").iterdir()} >= managers
    assert list((out / "outbox").rglob("*-alert.json")) and "alert 2026-W" in result.output
    for team in teams:
        preview = out / "digests" / "2026-W47" / team.lower()
        expected = {"digest.json", "digest.html"} | ({"chart.png"} if team != "Design" else set())
        assert {p.name for p in preview.iterdir()} >= expected
    design = (out / "digests" / "2026-W47" / "design" / "digest.json").read_text()
    assert "fewer than 5" in design.lower() and "No chart:" in design
    assert not (out / "digests" / "2026-W47" / "design" / "chart.png").exists()
    # The manager reads the alert once, in plain words, atop the digest; HR separately.
    assert "large happens by chance" in result.output and "t = " not in result.output
    assert "read (digest, Platform, 2026-W45)" in result.output
    assert "read (alert, Platform, 2026-W45)" in result.output
    assert re.search(r"Since the (mood drop|stress rise) alert of week 45: (Mood|Stress index) was \S+ then",
                     result.output)
    alerted = {p.parent.name for p in (out / "outbox").rglob("*-alert.json")}
    assert alerted and not alerted & managers  # managers had it in their digest

    db = connect(out / "demo.db")
    not_enrolled = {c["id"] for c in workspace["channels"] if not c["enrolled"]}
    assert not {row[0] for row in db.execute("SELECT DISTINCT channel FROM scores")} & not_enrolled
    p = Pseudonymiser(DEMO_KEY)
    team = workspace["team_id"]
    for user, forgot_on in command_days(events, "forget-me").items():
        resumed_on = command_days(events, "resume")[user]
        days = [row[0] for row in db.execute("SELECT day FROM scores WHERE author = ?", (p.author(team, user),))]
        assert days and all(day >= resumed_on > forgot_on for day in days)
    for user, paused_on in command_days(events, "pause").items():
        resumed_on = command_days(events, "resume")[user]
        days = [row[0] for row in db.execute("SELECT day FROM scores WHERE author = ?", (p.author(team, user),))]
        assert days and not [d for d in days if paused_on < d < resumed_on]


def test_raw_leak_check_finds_a_planted_name(tmp_path: Path) -> None:
    workspace, events = load_sample()
    db = connect(tmp_path / "demo.db")
    assert raw_leaks(tmp_path / "demo.db", workspace, events) == []
    name = workspace["members"][0]["real_name"]
    with db.conn:
        db["audit"].insert({"at": 0, "action": "oops", "detail": name})
    db.execute("PRAGMA wal_checkpoint(FULL)")
    assert raw_leaks(tmp_path / "demo.db", workspace, events) == [name]


def sample_texts(events: list[dict]) -> dict[str, str]:
    """A sample message for each Slack construct whose Teams form converts to the same neutral
    text: a mention, a labelled link, a bare link, a mailto link, an escaped "&", line breaks,
    a thread reply and an edit (none with emoji, emphasis or a channel link)."""
    kinds = {
        "mention": lambda t: "<@U" in t, "labelled link": lambda t: "<https://" in t and "|" in t,
        "link": lambda t: "<https://" in t and "|" not in t, "mailto": lambda t: "<mailto:" in t,
        "ampersand": lambda t: "&amp;" in t, "lines": lambda t: "\n" in t,
    }
    picked: dict[str, str] = {}
    for line in events:
        event = line.get("event", {})
        message = event.get("message", event)
        text = message.get("text") or ""
        plain = not re.search(r"[*_~`]|:[a-z0-9_+-]+:|<#", text) and not emoji.emoji_count(text)
        if not event or message.get("bot_id") or message.get("blocks") or not plain:
            continue
        if event.get("subtype") not in (None, "message_changed"):
            continue
        for kind, found in kinds.items():
            if kind not in picked and found(text):
                picked[kind] = text
        if "reply" not in picked and message.get("thread_ts") not in (None, message["ts"]):
            picked["reply"] = text
        if "edit" not in picked and event.get("subtype") == "message_changed":
            picked["edit"] = text
    assert set(picked) == {*kinds, "reply", "edit"}, set(picked)
    return picked


def test_the_teams_translation_reaches_the_core_as_the_slack_text_does(tmp_path: Path) -> None:
    workspace, events = load_sample()
    core = Teamweather(connect(tmp_path / "x.db"), Pseudonymiser(DEMO_KEY), admins=frozenset(), zone=timezone.utc)
    slack = platforms.replay(core, workspace, DEMO_SIGNING_SECRET, Metrics())
    teams = platforms.replay(core, workspace, DEMO_SIGNING_SECRET, Metrics(), "msteams")
    assert teams.name == "msteams"
    for kind, text in sample_texts(events).items():
        assert teams.plain(text) == slack.plain(text), kind


def test_the_teams_activities_carry_the_slack_messages(tmp_path: Path) -> None:
    """Each sample event becomes the activity Teams would send, which the Teams adapter reads
    as the Slack adapter reads the event: the same text, time and edit, the mapped ids."""
    from bot.slack.convert import from_message_event
    from bot.teams.convert import parse_activity, to_deletion, to_message
    from bot.teams.replay import SampleIds, TeamsReplay, message_id

    workspace, events = load_sample()
    core = Teamweather(connect(tmp_path / "x.db"), Pseudonymiser(DEMO_KEY), admins=frozenset(), zone=timezone.utc)
    replay = TeamsReplay(core, workspace, Metrics())
    ids = SampleIds(workspace["team_id"])
    texts = set(sample_texts(events).values())
    checked = deleted = 0
    for line in events:
        event = line.get("event", {})
        body = {"type": "event_callback", "team_id": workspace["team_id"], "event": event, "event_id": "Ev1"}
        slack = from_message_event(event, body) if event else None
        if event.get("subtype") == "message_deleted":
            deletion = to_deletion(parse_activity(replay.activity(event)))
            assert deletion is not None and slack is not None
            assert (deletion.workspace, deletion.channel, deletion.ts) == (
                ids.tenant, ids.channel(slack.channel), message_id(slack.ts))
            deleted += 1
        if event.get("message", event).get("text") not in texts:
            continue
        activity = replay.activity(event)
        assert activity is not None
        teams = to_message(parse_activity(activity))
        assert isinstance(slack, Message) and teams is not None
        assert teams.text == slack.text
        assert (teams.workspace, teams.channel, teams.user, teams.ts) == (
            ids.tenant, ids.channel(slack.channel), ids.user(slack.user), message_id(slack.ts))
        assert abs(teams.sent_at - slack.sent_at) < 0.001 and teams.edited == slack.edited
        checked += 1
    assert checked >= len(texts) and deleted == 5


def test_the_side_by_side_block_says_what_differs() -> None:
    from bot.demo import SHOWN_DIFFERENCES, AdaptersDisagree, SideBySide
    from domain.errors import TeamweatherError

    same = SideBySide((1676, 1676), 35, 15, 2)
    assert same.lines() == ["1676 scores each; every team-week's figures identical (35 team-weeks); "
                            "every digest identical (15, and 2 alert(s))"] and not same.differences
    figures = [f"Platform 2026-W{w}: Slack 8 67 +13, Teams 8 67 +14" for w in range(30, 50)]
    differs = SideBySide((1676, 1675), 35, 15, 2, figures, ["Platform 2026-W45 digest: text, report differ"])
    headline, *details = differs.lines()
    assert headline.startswith("DIFFERENT: scores Slack 1676, Teams 1675; figures of 20 of 35 team-weeks and 1 of 17")
    assert details[0] == "scores stored: Slack 1676, Teams 1675" and details[-1] == f"… and {22 - SHOWN_DIFFERENCES} more"
    assert issubclass(AdaptersDisagree, TeamweatherError)  # the CLI prints it on one line and exits 1
