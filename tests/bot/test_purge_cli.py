"""`teamweather purge --workspace T…` and the removal notice in `teamweather check`."""

from __future__ import annotations

import time
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from bot import lifecycle
from bot.cli import cli
from storage import audit, connect, consent, scores, workspaces

GONE, STAYS = "TGONE00001", "TSTAYS0001"
SECRETS = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def setup(tmp_path: Path) -> tuple[Path, sqlite_utils.Database]:
    config = tmp_path / "teamweather.yaml"
    config.write_text(
        f"database: {tmp_path / 'tw.db'}\n"
        "teams:\n  - name: Platform\n    channels: [C0000000001]\n    managers: [U0000000001]\n"
    )
    db = connect(tmp_path / "tw.db")
    with db.conn:
        for ws in (GONE, STAYS):
            consent.enroll(db, ws, f"C{ws}", "admin", 1.0)
            for i in range(3):
                scores.save(db, scores.Score(f"{ws}-{i}", ws, f"C{ws}", f"a{i}", "2026-11-17",
                                             "neutral", .2, .6, .2, .1, "t", "1"))
    return config, db


def purge(config: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "purge", *args], input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_purge_with_yes_erases_the_workspace_and_prints_the_counts(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    lifecycle.workspace_removed(db, GONE, "app_uninstalled", time.time())
    code, output = purge(config, "--workspace", GONE, "--yes")
    assert code == 0, output
    assert output.strip() == (
        f"Purged workspace {GONE}: 0 channels, 0 conversations, 0 download_tokens, 0 flags, 0 inbox, "
        "0 learning_items, 0 learning_profiles, 0 quiz_results, 3 scores.")  # channels went at removal
    none = {"download_tokens": 0, "learning_items": 0, "learning_profiles": 0, "quiz_results": 0}
    assert workspaces.row_counts(db, GONE) == {"channels": 0, "conversations": 0, "flags": 0, "inbox": 0, "scores": 0,
                                               **none}
    assert workspaces.row_counts(db, STAYS) == {"channels": 1, "conversations": 0, "flags": 0, "inbox": 0, "scores": 3,
                                                **none}
    [row] = audit.entries(db, "workspace_purged")
    assert row["subject"] == GONE and row["detail"]["trigger"] == "cli"
    removal = workspaces.removal(db, GONE)
    assert removal is not None and removal.purged_at is not None


def test_purge_asks_first_and_a_no_changes_nothing(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    lifecycle.workspace_removed(db, GONE, "tokens_revoked", time.time())
    code, output = purge(config, "--workspace", GONE, input="n\n")
    assert code == 1 and "Aborted" in output
    assert (f"workspace {GONE} (0 channels, 0 conversations, 0 download_tokens, 0 flags, 0 inbox, 0 learning_items, "
            "0 learning_profiles, 0 quiz_results, 3 scores)? This cannot be undone.") in output
    assert workspaces.row_counts(db, GONE)["scores"] == 3 and audit.entries(db, "workspace_purged") == []
    code, output = purge(config, "--workspace", GONE, input="y\n")
    assert code == 0 and workspaces.row_counts(db, GONE)["scores"] == 0


def test_purging_a_workspace_not_removed_warns_that_its_channels_go_too(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    code, output = purge(config, "--workspace", STAYS, "--yes")
    assert code == 0 and "purging also turns off its enrolled channels" in output
    assert consent.enrolled_channels(db) == [(GONE, f"C{GONE}")]


def test_an_unknown_workspace_is_one_line_and_exit_status_1(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    code, output = purge(config, "--workspace", "TNOBODY001", "--yes")
    assert code == 1
    [line] = output.strip().splitlines()
    assert line.startswith("Error: nothing is stored about workspace TNOBODY001")
    assert workspaces.row_counts(db, GONE)["scores"] == 3


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    config = tmp_path / "teamweather.yaml"
    config.write_text(f"database: {tmp_path / 'none.db'}\n")
    code, output = purge(config, "--workspace", GONE, "--yes")
    assert code == 1 and "nothing is stored about workspace" in output
    assert not (tmp_path / "none.db").exists()


def test_purge_help_covers_every_option() -> None:
    result = CliRunner().invoke(cli, ["purge", "--help"])
    assert result.exit_code == 0
    command = cli.commands["purge"]
    assert command.help
    for param in command.params:
        assert getattr(param, "help", None), param.name
    assert "--workspace" in result.output and "--yes" in result.output


def test_check_tells_the_admins_about_a_removed_workspace(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    lifecycle.workspace_removed(db, GONE, "app_uninstalled", time.time())
    result = CliRunner().invoke(cli, ["--config", str(config), "check"], env=SECRETS)
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if GONE in line]
    assert "was removed from Slack workspace" in line and f"teamweather purge --workspace {GONE}" in line
    assert "privacy.uninstall_grace_days: 30" in line
    lifecycle.purge(db, GONE, time.time(), trigger="cli")
    result = CliRunner().invoke(cli, ["--config", str(config), "check"], env=SECRETS)
    assert result.exit_code == 0 and GONE not in result.output
