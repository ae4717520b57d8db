"""``teamweather purge --workspace T…``: erase everything stored from one workspace."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import click

from bot import config as config_module
from bot import lifecycle, texts
from domain.errors import ConfigError
from storage import connect, workspaces


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items()) or "nothing"


@click.command()
@click.option(
    "--workspace",
    required=True,
    help="The Slack workspace id (T…), as `teamweather check` lists removed workspaces.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.pass_obj
def purge(config_path: Path, workspace: str, yes: bool) -> None:
    """Erase every score, pending message and channel enrolment stored from a workspace.

    Meant for a workspace that removed the app; the daily retention job does the same
    privacy.uninstall_grace_days after the removal. Pause and forget-me records (pseudonyms
    only) and the audit log are kept; the purge itself is added to the audit log."""
    settings = config_module.read_settings(config_path)
    workspace = workspace.strip()
    unknown = click.ClickException(
        texts.PURGE_UNKNOWN_WORKSPACE.format(workspace=workspace, database=settings.database)
    )
    if not Path(settings.database).exists():  # never create an empty database here
        raise unknown
    try:
        db = connect(settings.database)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise ConfigError(f"{config_path}: database: cannot open {settings.database} ({exc})") from None
    try:
        if not workspaces.known(db, workspace):
            raise unknown
        if workspaces.removal(db, workspace) is None:
            click.echo(texts.PURGE_STILL_INSTALLED.format(workspace=workspace), err=True)
        if not yes:
            click.confirm(
                texts.PURGE_CONFIRM.format(workspace=workspace, counts=_counts(workspaces.row_counts(db, workspace))),
                abort=True,
            )
        counts = lifecycle.purge(db, workspace, time.time(), trigger="cli")
    finally:
        db.close()
    click.echo(texts.PURGE_DONE.format(workspace=workspace, counts=_counts(counts)))
