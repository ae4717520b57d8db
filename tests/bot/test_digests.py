"""The weekly job end to end: scores in SQLite → digests and alerts as Slack DMs (fake Web
API), exactly once; the `teamweather digest` command; the retention purge."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from domain.teamweek import week_start
from bot import digest_render, digests, jobs, texts
from bot.cli import cli
from bot.config import Config, Secrets, Settings, parse_settings
from bot.jobs import JobContext
from bot.demo_digests import FolderCourier, message_lines
from bot.report import from_json
from bot.slack import render as slack_render
from bot.delivery import PlatformCouriers
from bot.slack.courier import SlackCourier, web_client
from slack_fake import FakeSlack
from storage import scores
from storage import suggestions as suggestion_store

KEY = b"test-pseudonym-key-0123456789abcdef"
PLATFORM, DESIGN = "CPLATFORM1", "CDESIGN001"
LEAD, DESIGN_LEAD, HR = "ULEAD00001", "UDLEAD0001", "UHRPERSON1"
WEEK = "2026-W47"


def settings_for(db_path: Path, **privacy: Any) -> Settings:
    return parse_settings(
        {
            "database": str(db_path),
            "timezone": "Europe/London",
            "privacy": privacy,
            "alerts": {"hr_recipients": [HR]},
            "teams": [
                {"name": "Platform", "channels": [PLATFORM], "managers": [LEAD]},
                {"name": "Design", "channels": [DESIGN], "managers": [DESIGN_LEAD]},
            ],
        },
        "test.yaml",
    )


def plant(db: sqlite_utils.Database, channel: str, people: int, week: str, mood: float, stress: float, seed: int) -> None:
    """Three messages a day on Tuesday to Thursday from each person, around ``mood``/100."""
    rng = random.Random(seed)
    monday = week_start(week)
    with db.conn:
        for person in range(people):
            for day in range(1, 4):
                for n in range(3):
                    lean = max(-0.95, min(0.95, mood / 100 + rng.gauss(0, 0.1)))
                    neg, pos = (0.05 - min(lean, 0) * 0.9, 0.05 + max(lean, 0) * 0.9)
                    scores.save(db, scores.Score(
                        f"{channel}-{week}-{person}-{day}-{n}", "T1", channel, f"author-{channel}-{person}",
                        (monday + dt.timedelta(days=day)).isoformat(), "negative" if neg > pos else "positive",
                        neg, 1 - neg - pos, pos, max(0.0, min(1.0, stress + rng.gauss(0, 0.03))), "test", "1",
                    ))


def weeks_before(week: str, n: int) -> list[str]:
    monday = week_start(week)
    return [digests.iso_week(monday - dt.timedelta(weeks=i)) for i in range(n, 0, -1)]


@pytest.fixture
def steady(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """Eight calm weeks for Platform (8 people) and Design (3 people), then WEEK."""
    for i, week in enumerate(weeks_before(WEEK, 8) + [WEEK]):
        plant(db, PLATFORM, 8, week, mood=20, stress=0.2, seed=i)
        plant(db, DESIGN, 3, week, mood=20, stress=0.2, seed=100 + i)
    return db


def blob(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages).lower()


def test_managers_get_one_digest_each_and_a_rerun_sends_nothing(
    tmp_path: Path, steady: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    settings = settings_for(tmp_path / "teamweather.db")
    first = digests.send(steady, settings, PlatformCouriers({"slack": courier}), WEEK, noise_key=KEY)
    again = digests.send(steady, settings, PlatformCouriers({"slack": courier}), WEEK, noise_key=KEY)
    assert first.results == {"sent": 2} and again.results == {"already-sent": 2}
    [platform] = slack.dms(LEAD)
    [design] = slack.dms(DESIGN_LEAD)
    kinds = [block["type"] for block in platform["blocks"]]
    assert kinds.count("image") == 1  # the chart, uploaded and shown inline...
    assert "this week" in json.dumps(platform["blocks"][kinds.index("image") - 1]).lower()  # ...after the figures
    per_person: dict[str, list[float]] = {}
    for author, neg, pos in steady.execute(
        "SELECT author, p_negative, p_positive FROM scores WHERE channel = ? AND day >= '2026-11-16'", (PLATFORM,)
    ):
        per_person.setdefault(author, []).append(100 * (pos - neg))
    mood = sum(sum(v) / len(v) for v in per_person.values()) / len(per_person)
    assert f"mood {mood:+.0f}" in platform["text"].lower()
    assert "fewer than 5" in blob([design]) and "mood +" not in blob([design])
    assert slack.dms(HR) == []  # nothing unusual: no alert


def test_a_planted_drop_reaches_managers_and_hr_once_each(
    tmp_path: Path, db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    for i, week in enumerate(weeks_before(WEEK, 8)):
        plant(db, PLATFORM, 8, week, mood=20 + (i % 3), stress=0.2, seed=i)
    plant(db, PLATFORM, 8, WEEK, mood=-30, stress=0.2, seed=99)
    settings = settings_for(tmp_path / "teamweather.db")
    digests.send(db, settings, PlatformCouriers({"slack": courier}), WEEK, noise_key=KEY)
    digests.send(db, settings, PlatformCouriers({"slack": courier}), WEEK, noise_key=KEY)
    [alert] = slack.dms(HR)
    assert alert["metadata"]["event_payload"] == {"team": "Platform", "week": WEEK, "kind": "alert"}
    assert "mood fell to" in blob([alert]) and "managers read this alert" in blob([alert])
    [digest] = slack.dms(LEAD)  # the alert heads the digest: no second message says it again
    assert digest["metadata"]["event_payload"]["kind"] == "digest"
    assert blob([digest]).count("mood fell to") == 1
    assert [r[0] for r in db.execute("SELECT rule FROM alerts")] == ["mood_drop"]


def test_with_stress_reporting_off_no_message_mentions_stress(
    tmp_path: Path, db: sqlite_utils.Database, slack: FakeSlack, courier: SlackCourier
) -> None:
    for i, week in enumerate(weeks_before(WEEK, 8)):
        plant(db, PLATFORM, 8, week, mood=20, stress=0.1 + 0.002 * i, seed=i)
    plant(db, PLATFORM, 8, WEEK, mood=20, stress=0.8, seed=99)  # would alert if reported
    digests.send(db, settings_for(tmp_path / "teamweather.db", stress_reporting="off"), PlatformCouriers({"slack": courier}), WEEK, noise_key=KEY)
    sent = [m for user in (LEAD, DESIGN_LEAD, HR) for m in slack.dms(user)]
    assert sent and "stress" not in blob(sent)
    assert slack.dms(HR) == []


def test_the_weekly_job_digests_the_last_complete_week(tmp_path: Path, steady: sqlite_utils.Database, slack: FakeSlack) -> None:
    settings = settings_for(tmp_path / "teamweather.db")
    config = Config(settings, Secrets(pseudonym_key=KEY), "test.yaml")
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=config.zone)  # the Monday after WEEK
    jobs.install_context(JobContext(config, lambda: PlatformCouriers({"slack": SlackCourier(web_client("xoxb-test", slack.api_url))}), monday.timestamp))
    try:
        jobs.weekly_digest()
    finally:
        jobs.install_context(None)
    [dm] = slack.dms(LEAD)
    assert dm["metadata"]["event_payload"]["week"] == WEEK


def test_retention_purge_deletes_only_old_scores_and_suggestions(tmp_path: Path, db: sqlite_utils.Database) -> None:
    plant(db, PLATFORM, 1, "2025-W30", mood=0, stress=0.1, seed=1)
    plant(db, PLATFORM, 1, WEEK, mood=0, stress=0.1, seed=2)
    with db.conn:
        suggestion_store.save(db, "Platform", "2025-W30", ["steady"])
        suggestion_store.save(db, "Platform", WEEK, ["good"])
    settings = settings_for(tmp_path / "teamweather.db")
    config = Config(settings, Secrets(pseudonym_key=KEY), "test.yaml")
    now = dt.datetime(2026, 11, 23, 3, 30, tzinfo=config.zone)
    jobs.install_context(JobContext(config, lambda: None, now.timestamp))  # type: ignore[arg-type,return-value]
    try:
        jobs.retention_purge()
    finally:
        jobs.install_context(None)
    weeks = {digests.iso_week(dt.date.fromisoformat(d)) for (d,) in db.execute("SELECT day FROM scores")}
    assert weeks == {WEEK}
    assert [week for (week,) in db.execute("SELECT DISTINCT week FROM suggestions")] == [WEEK]


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(json.dumps({
        "database": str(tmp_path / "teamweather.db"), "timezone": "Europe/London",
        "teams": [{"name": "Platform", "channels": [PLATFORM], "managers": [LEAD]},
                  {"name": "Design", "channels": [DESIGN], "managers": [DESIGN_LEAD]}],
    }))
    return path


def test_digest_preview_writes_the_message_chart_and_html_and_sends_nothing(tmp_path: Path, steady: sqlite_utils.Database) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "preview"
    env = {"TEAMWEATHER_PSEUDONYM_KEY": KEY.decode()}
    result = CliRunner().invoke(cli, ["--config", str(config), "digest", "--week", WEEK, "--team", "platform", "--preview", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / "platform").iterdir()} >= {"digest.json", "chart.png", "digest.html"}
    assert not (out / "design").exists()
    # The message as every platform gets it: its plain text and neutral report.
    written = json.loads((out / "platform" / "digest.json").read_text())
    platform = digests.build(steady, settings_for(tmp_path / "teamweather.db"), WEEK, noise_key=KEY)[0]
    assert from_json(written["report"]) == digest_render.report(platform) and written["report"]["parts"]
    assert written["text"] == digest_render.fallback_text(platform) and "mood +" in written["text"]
    assert (out / "platform" / "chart.png").read_bytes().startswith(b"\x89PNG")
    assert steady.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0


def test_a_preview_holds_each_platforms_message_when_asked(tmp_path: Path, db: sqlite_utils.Database) -> None:
    for i, week in enumerate(weeks_before(WEEK, 8)):
        plant(db, PLATFORM, 8, week, mood=20 + (i % 3), stress=0.2, seed=i)
    plant(db, PLATFORM, 8, WEEK, mood=-30, stress=0.2, seed=99)
    [platform, _] = digests.build(db, settings_for(tmp_path / "teamweather.db"), WEEK, noise_key=KEY)
    assert platform.alerts
    written = digests.write_preview(platform, tmp_path / "preview", {"slack": slack_render.payload})
    assert {p.name for p in written} == {"chart.png", "digest.html", "digest.json", "digest.slack.json",
                                         "alert.json", "alert.slack.json"}
    slack_digest = json.loads((tmp_path / "preview" / "digest.slack.json").read_text())
    assert slack_digest == slack_render.payload(digest_render.report(platform), digest_render.fallback_text(platform))
    assert slack_digest["blocks"][0]["type"] == "header" and "mood fell to" in blob([slack_digest])
    alert = json.loads((tmp_path / "preview" / "alert.json").read_text())
    assert from_json(alert["report"]) == digest_render.alert_report(platform)


def test_the_demo_outbox_holds_the_neutral_message_and_each_platforms(tmp_path: Path, steady: sqlite_utils.Database) -> None:
    courier = FolderCourier(tmp_path / "outbox", {"slack": slack_render.payload})
    digests.send(steady, settings_for(tmp_path / "teamweather.db"), courier, WEEK, noise_key=KEY)
    [(lead, message)] = [(r, m) for r, m in courier.sent if m.team == "Platform"]
    stem = tmp_path / "outbox" / "slack" / lead.removeprefix("slack:") / f"{WEEK}-platform-digest"
    neutral, slack = (json.loads(Path(f"{stem}{ext}").read_text()) for ext in (".json", ".slack.json"))
    assert from_json(neutral["report"]) == message.report and neutral["text"] == message.text
    assert slack == {**slack_render.payload(message.report, message.text), "metadata": message.marker}
    lines = message_lines(message)  # what the demo prints: the chart after the figures and what they mean
    assert lines[0] == message.report.title
    assert lines[lines.index(f"[chart: {message.chart_title}]") - 1] == texts.SCALE_STRESS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-47", "--preview", "x"], "not an ISO week"),
        (["--week", WEEK], "exactly one of --preview DIR or --send"),
        (["--week", WEEK, "--team", "Nope", "--preview", "x"], "no team called 'Nope'"),
        (["--week", WEEK, "--send"], "SLACK_BOT_TOKEN is not set"),
    ],
)
def test_digest_command_errors_are_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    config = write_config(tmp_path)
    env = {"TEAMWEATHER_PSEUDONYM_KEY": KEY.decode(), "SLACK_BOT_TOKEN": ""}
    result = CliRunner().invoke(cli, ["--config", str(config), "digest", *args], env=env)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_digest_send_reaches_slack(tmp_path: Path, steady: sqlite_utils.Database, slack: FakeSlack) -> None:
    config = write_config(tmp_path)
    data = json.loads(config.read_text())
    config.write_text(json.dumps({**data, "slack": {"api_base_url": slack.api_url}}))
    env = {"TEAMWEATHER_PSEUDONYM_KEY": KEY.decode(), "SLACK_BOT_TOKEN": "xoxb-test"}
    first = CliRunner().invoke(cli, ["--config", str(config), "digest", "--week", WEEK, "--send"], env=env)
    again = CliRunner().invoke(cli, ["--config", str(config), "digest", "--week", WEEK, "--send"], env=env)
    assert first.exit_code == 0 and "2 sent" in first.output, first.output
    assert "2 already-sent" in again.output
    assert len(slack.dms(LEAD)) == 1 and len(slack.dms(DESIGN_LEAD)) == 1


def test_noise_is_the_same_for_a_team_week_in_every_digest_and_rerun(tmp_path: Path, steady: sqlite_utils.Database) -> None:
    noisy = settings_for(tmp_path / "teamweather.db", epsilon=1.0)
    week46 = digests.build(steady, noisy, "2026-W46", noise_key=KEY)[0]
    week47 = digests.build(steady, noisy, WEEK, noise_key=KEY)[0]
    again = digests.build(steady, noisy, WEEK, noise_key=KEY)[0]
    exact = digests.build(steady, settings_for(tmp_path / "teamweather.db"), "2026-W46", noise_key=KEY)[0]
    assert week47.history[-2] == week46.current and again == week47
    assert week46.current.mood != exact.current.mood  # the noise is really there
    assert week47.noise and not exact.noise
