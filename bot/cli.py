"""The ``teamweather`` command line."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path
from typing import Any

import click

from bot import config as config_module
from bot import logs
from bot.analyze_cli import analyze
from bot.training_cli import evaluate_command, train_command
from bot.labels_cli import labels
from bot.models_cli import models
from bot.purge_cli import purge
from bot.retrain_cli import retrain_command
from bot.plan_cli import plan_command
from domain.errors import TeamweatherError

class TeamweatherGroup(click.Group):
    """Turns Teamweather's errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TeamweatherError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=TeamweatherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=config_module.DEFAULT_PATH,
    show_default=True,
    help="Settings file.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path) -> None:
    """Teamweather: weekly team mood for Slack and Teams, without exposing anyone."""
    ctx.obj = config_path


@cli.command()
@click.pass_obj
def run(config_path: Path) -> None:
    """Start the bot: Slack in Socket Mode if SLACK_APP_TOKEN is set, else over HTTP on
    server.port."""
    from bot.runtime import serve

    config = config_module.load(config_path, platforms=True)
    logs.setup(config.settings.log_level)
    asyncio.run(serve(config))


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Folder for the demo database and reports (recreated).",
)
def demo(out: Path) -> None:
    """Replay the bundled sample workspace through the real pipeline and print a summary."""
    from bot.demo import run_demo

    run_demo(out, echo=click.echo)


@cli.command()
def keygen() -> None:
    """Print a new random pseudonym key for TEAMWEATHER_PSEUDONYM_KEY."""
    click.echo(secrets.token_urlsafe(32))


@cli.command()
@click.pass_obj
def check(config_path: Path) -> None:
    """Validate the settings file and the environment, and say what would run (exit status 1
    when something is missing, teams included: without them nothing would be digested)."""
    from domain.errors import ConfigError

    config = config_module.load(config_path, platforms=True)
    s = config.settings
    if not s.teams:
        # `run` still starts without teams (it collects, and warns); `check` says what is missing.
        raise ConfigError(
            f"{config_path}: teams: none configured, so nothing would be digested: add a teams: "
            "list giving each team's name, channels and managers (see teams: in "
            "teamweather.example.yaml)"
        )
    learning = None
    if s.learning.enabled:  # a malformed catalog is one line, before anything says OK
        from bot.learning_setup import load_learning

        learning = load_learning(s.learning, s.database, str(config_path))
    served = []
    if s.slack.enabled:
        served.append("Slack in Socket Mode" if config.secrets.slack_app_token else f"Slack at {s.slack.events_path}")
    if s.msteams.enabled:
        served.append(f"Teams at {s.msteams.messages_path}")
    click.echo(f"{config_path}: OK — {', '.join(served)}, HTTP on port {s.server.port}, database {s.database}, "
               f"time zone {s.timezone}")
    stress = "with stress" if s.privacy.stress_reporting == "team" else "without stress"
    click.echo(
        f"{len(s.teams)} team(s): {', '.join(t.name for t in s.teams)}; digest every "
        f"{s.digest.weekday} at {s.digest.time}, k = {s.privacy.k}, {stress}"
    )
    if learning is not None:
        click.echo(f"/mytraining: {len(learning.catalog)} catalog item(s), {len(learning.roles)} role(s)")
    from bot import lifecycle  # workspaces that removed the app, with their purge date and command

    for line in lifecycle.notices_in(s, time.time(), str(config_path)):
        click.echo(line)


@cli.command()
@click.option("--week", help="ISO week such as 2026-W47.  [default: the last complete week]")
@click.option("--team", "team_name", help="Only this team (default: every configured team).")
@click.option(
    "--preview",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each team's message (neutral and as each platform renders it, JSON), chart PNG "
         "and HTML page into this folder; send nothing.",
)
@click.option("--send", "send_now", is_flag=True, help="Send now (each message still goes only once).")
@click.pass_obj
def digest(config_path: Path, week: str | None, team_name: str | None, preview: Path | None, send_now: bool) -> None:
    """Preview or send the weekly team digests and alerts."""
    import datetime as dt

    from domain.teamweek import week_start
    from bot import digests, platforms
    from domain.errors import ConfigError
    from storage import connect

    if (preview is None) == (not send_now):
        raise click.UsageError("give exactly one of --preview DIR or --send")
    config = config_module.load(config_path)
    s = config.settings
    if not s.teams:
        raise ConfigError(f"{config.source}: teams: no teams configured, so there is nothing to digest")
    if week is None:
        week = digests.last_complete_week(dt.datetime.now(config.zone))
    try:
        week_start(week)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    teams = [s.team(team_name)] if team_name else list(s.teams)
    db = connect(s.database)
    try:
        if preview is not None:
            built = digests.build(db, s, week, noise_key=config.secrets.pseudonym_key, teams=teams)
            for item in built:
                folder = preview / digests.slug(item.team)
                digests.write_preview(item, folder, platforms.payloads(config))
                status = "suppressed" if item.current.suppressed else "published"
                alerts = f", {len(item.alerts)} alert(s)" if item.alerts else ""
                click.echo(f"{item.team} {week}: {status}{alerts} -> {folder}")
            return
        report = digests.send(db, s, platforms.courier(config), week, noise_key=config.secrets.pseudonym_key, team=team_name)
    finally:
        db.close()
    counts = ", ".join(f"{n} {what}" for what, n in sorted(report.results.items())) or "nothing to send"
    click.echo(f"{week}: {counts}")
    for failure in report.failures:
        click.echo(f"not delivered: {failure} (retried by the running bot, or run this again)", err=True)
    if report.failures:
        raise SystemExit(1)


@cli.command("teams-package")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--app-id", help="The bot's Microsoft App ID.  [default: MICROSOFT_APP_ID]")
@click.option("--domain", help="The host name of Teamweather's public address (its messaging endpoint).")
@click.option("--name", default="Teamweather", show_default=True, help="The app's name in Teams (30 characters at most).")
@click.option("--app-version", help="The app's version, x.y.z; raise it to update an uploaded app.  [default: Teamweather's]")
@click.option("--website-url", help="Your page about this installation (https).  [default: a placeholder]")
@click.option("--privacy-url", help="Your privacy statement (https).  [default: a placeholder]")
@click.option("--terms-url", help="Your terms of use (https).  [default: a placeholder]")
@click.pass_obj
def teams_package(
    config_path: Path, out: Path, app_id: str | None, domain: str | None, name: str, app_version: str | None,
    website_url: str | None, privacy_url: str | None, terms_url: str | None,
) -> None:
    """Write the Microsoft Teams app package (manifest and icons, a zip) to upload to Teams."""
    from importlib.metadata import version

    from bot import platforms
    from domain.errors import ConfigError

    if not app_id:
        try:
            app_id = config_module.load(config_path).secrets.msteams_app_id
        except ConfigError as exc:
            raise ConfigError(f"{exc} (or pass --app-id)") from None
    app_version = app_version or version("teamweather")
    warnings = platforms.teams_package(
        out, app_id or "", app_version, name=name, domain=domain, website_url=website_url,
        privacy_url=privacy_url, terms_url=terms_url,
    )
    click.echo(f"{out}: Teams app package for {name} {app_version} (app id {app_id})")
    for line in warnings:
        click.echo(f"warning: {line}", err=True)


cli.add_command(models)
cli.add_command(analyze)
cli.add_command(evaluate_command)
cli.add_command(train_command)
cli.add_command(purge)
cli.add_command(labels)
cli.add_command(retrain_command)
cli.add_command(plan_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="teamweather")


if __name__ == "__main__":  # python -m bot.cli (the scheduled retraining round)
    main()
