"""``teamweather demo``: the bundled workspace through the real pipeline."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from analyzers.bundled import bundled_version
from bot.cli import cli
from bot.demo import DEMO_KEY, load_sample, raw_leaks
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
    assert "4 refused with 401" in result.output and "5 signed but malformed" in result.output
    assert "0 server errors" in result.output and "stored: nothing" in result.output
    assert "holding the sentence, email, phone or user id: none" in result.output

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
    assert "A drop this large happens by chance" in result.output and "t = " not in result.output
    assert "read (digest, Platform, 2026-W45)" in result.output
    assert "read (alert, Platform, 2026-W45)" in result.output
    assert "Since the mood drop alert of week 45: Mood was −7 then" in result.output
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
