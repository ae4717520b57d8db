"""The ``teamweather`` command line."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import click

from bot import config as config_module
from bot import logs
from bot.errors import TeamweatherError

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
    """Start the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on slack.port."""
    from bot.runtime import serve

    config = config_module.load(config_path)
    config_module.require_slack(config)
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
    """Validate the settings file and the environment, and say what would run."""
    config = config_module.load(config_path)
    config_module.require_slack(config)
    s = config.settings
    mode = "Socket Mode" if config.secrets.slack_app_token else f"HTTP on port {s.slack.port}"
    click.echo(f"{config_path}: OK — {mode}, database {s.database}, time zone {s.timezone}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="teamweather")
