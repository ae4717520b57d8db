"""The command line: help on every command, one clear line for bad configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli


@pytest.mark.parametrize("command", [[], ["run"], ["demo"], ["keygen"], ["check"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_bad_config_is_one_line_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("server:\n  port: not-a-port\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "run"], env={"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "server.port" in line and str(path) in line


def test_missing_secret_stops_run(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("")
    result = CliRunner().invoke(cli, ["--config", str(path), "run"], env={"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": ""})
    assert result.exit_code == 1 and "SLACK_BOT_TOKEN is not set" in result.output


ONE_TEAM = "teams:\n  - name: Platform\n    channels: [C0000000001]\n    managers: [U0000000001]\n"
ALL_SECRETS = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def test_check_summarises_a_good_config(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("server:\n  port: 3100\n" + ONE_TEAM)
    result = CliRunner().invoke(cli, ["--config", str(path), "check"], env=ALL_SECRETS)
    assert result.exit_code == 0 and "HTTP on port 3100" in result.output
    assert "xoxb-1" not in result.output


@pytest.mark.parametrize("text", ["", "server:\n  port: 3100\n", "teams: []\n"])
def test_check_fails_when_no_team_is_configured(tmp_path: Path, text: str) -> None:
    """Nothing would be digested: `check` says what is missing and how to add it (`run` starts,
    and warns: see tests/slack/test_team_channels.py)."""
    path = tmp_path / "teamweather.yaml"
    path.write_text(text)
    line = one_error_line(CliRunner().invoke(cli, ["--config", str(path), "check"], env=ALL_SECRETS))
    assert f"{path}: teams: none configured, so nothing would be digested" in line
    assert "add a teams: list" in line and "teamweather.example.yaml" in line


@pytest.mark.parametrize("command", ["check", "run"])
def test_every_missing_secret_is_named_at_once_in_the_same_order(tmp_path: Path, command: str) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text(ONE_TEAM)
    empty = {name: "" for name in ALL_SECRETS} | {"SLACK_APP_TOKEN": ""}
    line = one_error_line(CliRunner().invoke(cli, ["--config", str(path), command], env=empty))
    names = ["TEAMWEATHER_PSEUDONYM_KEY is not set", "SLACK_BOT_TOKEN is not set", "SLACK_SIGNING_SECRET is not set"]
    assert [line.index(name) for name in names] == sorted(line.index(name) for name in names)
    assert "teamweather keygen" in line
    # Only the signing secret missing: just that one.
    line = one_error_line(CliRunner().invoke(
        cli, ["--config", str(path), command], env=ALL_SECRETS | {"SLACK_SIGNING_SECRET": ""}))
    assert "SLACK_SIGNING_SECRET is not set" in line and "SLACK_BOT_TOKEN" not in line


def test_unquoted_digest_time_says_to_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("digest:\n  time: 9:00\n" + ONE_TEAM)
    line = one_error_line(CliRunner().invoke(cli, ["--config", str(path), "check"], env=ALL_SECRETS))
    assert f"{path}: digest.time: write the time in quotes, as '09:00'" in line
    assert "540" in line and "valid string" not in line


def test_yaml_error_gives_the_line_and_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("timezone: UTC\nserver:\n\tport: 3100\n")
    line = one_error_line(CliRunner().invoke(cli, ["--config", str(path), "check"], env=ALL_SECRETS))
    assert f"{path}: not valid YAML at line 3, column 1: found character" in line
    assert "indent with spaces, not tabs" in line


def test_check_lists_the_teams_and_the_digest_schedule(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text(
        "privacy:\n  stress_reporting: 'off'\n  k: 7\ndigest:\n  weekday: tue\n  time: '08:15'\n"
        "teams:\n  - name: Platform\n    channels: [C0000000001]\n    managers: [U0000000001]\n"
    )
    env = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    result = CliRunner().invoke(cli, ["--config", str(path), "check"], env=env)
    assert "1 team(s): Platform; digest every tue at 08:15, k = 7, without stress" in result.output


def test_keygen_prints_a_fresh_long_key() -> None:
    first = CliRunner().invoke(cli, ["keygen"]).output.strip()
    second = CliRunner().invoke(cli, ["keygen"]).output.strip()
    assert len(first) >= 32 and first != second


def test_unopenable_database_is_a_one_line_error(tmp_path: Path) -> None:
    env = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    path = tmp_path / "teamweather.yaml"
    (tmp_path / "file").write_text("")
    path.write_text(f"database: {tmp_path / 'file' / 'sub' / 'tw.db'}\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "run"], env=env)
    assert result.exit_code == 1 and "database: cannot open" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_text() -> None:
    from bot.cli import cli as group

    for name, command in group.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert command.help, f"{name} has no help text"
        first_words = " ".join(command.help.split()[:4])
        assert result.exit_code == 0 and first_words in " ".join(result.output.split()), name


def test_check_names_every_enabled_platform(tmp_path: Path) -> None:
    path = tmp_path / "teamweather.yaml"
    path.write_text("msteams:\n  enabled: true\n" + ONE_TEAM)
    env = ALL_SECRETS | {"MICROSOFT_APP_ID": "00000000-0000-0000-0000-0000000000aa", "MICROSOFT_APP_PASSWORD": "p"}
    result = CliRunner().invoke(cli, ["--config", str(path), "check"], env=env)
    assert result.exit_code == 0, result.output
    assert "Slack at /slack/events, Teams at /api/messages, HTTP on port 3000" in result.output
    assert "00000000-0000-0000-0000-0000000000aa" not in result.output and "p," not in result.output
