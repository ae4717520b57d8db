"""``teamweather demo``: the bundled workspace through the real pipeline."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

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
    channels = {c["name"]: c for c in workspace["channels"]}
    table = (out / "summary.txt").read_text()

    for name, channel in channels.items():
        assert (f"#{name} " in table) == channel["enrolled"], name
    design_rows = [line for line in table.splitlines() if line.startswith("#design ")]
    assert design_rows and all("suppressed: fewer than 5 people" in line for line in design_rows)
    assert "0 found." in result.output and "scored twice: 0" in result.output

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
