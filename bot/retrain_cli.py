"""``teamweather retrain``: one retraining round by hand (the scheduled job runs the same).

It fine-tunes a challenger from the current champion on the reviewers' labels, gates it and
records the outcome in the registry (:mod:`training.retrain`). The command lowers its own
CPU priority first (``os.nice(10)``; ``--nice 0`` keeps it), so a bot serving on the same
machine keeps scoring while it trains. Progress goes to stderr (a tqdm bar on a terminal,
a line every 25 steps otherwise); the round's report to stdout, as text or ``--json``.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, Callable

import click

from bot import config as config_module
from domain.errors import TeamweatherError

__all__ = ["retrain_command"]

_DEFAULT_NICE = 10


def _config_path(ctx: click.Context) -> Path:
    return ctx.obj if isinstance(ctx.obj, Path) else config_module.DEFAULT_PATH


def _settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """One option per field of RetrainSettings and GateSettings, described by its docstring."""
    from training.gate import GateSettings
    from training.retrain import RetrainSettings
    from training.settings import field_help

    for cls in (GateSettings, RetrainSettings):
        texts = field_help(cls)
        for f in reversed(fields(cls)):
            default = f.default if f.default is not MISSING else None
            name = f.name.replace("_", "-")
            text = texts.get(f.name, "")
            if isinstance(default, bool):
                option = click.option(f"--{name}/--no-{name}", f.name, default=default,
                                      show_default=True, help=text)
            elif isinstance(default, float):
                option = click.option(f"--{name}", f.name, type=float, default=default,
                                      show_default=True, help=text)
            elif f.name in ("encoder", "device"):
                option = click.option(f"--{name}", f.name, type=str, default=default,
                                      show_default=True, help=text)
            else:  # int or int | None
                option = click.option(f"--{name}", f.name, type=int, default=default,
                                      show_default=True, help=text)
            func = option(func)
    return func


class _Progress:
    """Progress on stderr: a tqdm bar over the training steps on a terminal, else lines."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __call__(self, event: Any) -> None:
        if event.stage == "train":
            if self.tty:
                if self.bar is None:
                    from tqdm import tqdm

                    self.bar = tqdm(total=event.total_steps, desc="train", unit="step",
                                    file=sys.stderr)
                self.bar.update(1)
                self.bar.set_postfix(loss=f"{event.loss:.4f}", refresh=False)
            elif event.step % 25 == 0 or event.step == event.total_steps:
                click.echo(f"[{event.elapsed_s:7.1f}s] train step {event.step}/"
                           f"{event.total_steps} loss {event.loss:.4f}", err=True)
            return
        self.close()
        click.echo(f"[{event.elapsed_s:7.1f}s] {event.stage.replace('_', ' ')}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.command("retrain")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Bootstrap data folder (sentiment/, stress/, workplace/): the replay sample, "
                   "calibration and the default regression set.  [default: ../shared/data "
                   "beside the checkout, as for train]")
@click.option("--regression", "regression_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="A folder of the same layout whose val splits the challenger must "
                                 "not regress on.  [default: --data's]")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the challenger's directory is created.  [default: models/ beside the "
                   "database]")
@click.option("--version", "version", default=None,
              help="The challenger's version id.  [default: retrain-<UTC time>]")
@click.option("--json", "as_json", is_flag=True, help="Print the round's report as JSON.")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=_DEFAULT_NICE,
              show_default=True, help="Lower this process's CPU priority by this much first.")
@click.option("--post", is_flag=True,
              help="Also post the report to the review channel (review.channel; needs the platform's "
                   "secrets). A round skipped for want of labels posts nothing.")
@click.option("--reason", default="by hand", show_default=True,
              help="Why this round runs, for the audit log (the scheduled job says 'weekly' or 'labels').")
@click.option("--start-recorded", is_flag=True, hidden=True,
              help="The scheduled job recorded this round's start already (before starting this process).")
@_settings_options
@click.pass_context
def retrain_command(ctx: click.Context, /, data_dir: Path | None, regression_dir: Path | None,
                    models_dir: Path | None, version: str | None, as_json: bool, niceness: int,
                    post: bool, reason: str, start_recorded: bool, **options: Any) -> None:
    """Fine-tune a challenger from the active model on the reviewers' labels and promote it
    only if it beats the champion on the most recent labels without forgetting (the
    promotion gate); the registry records either outcome. Runs at lowered CPU priority
    (os.nice, see --nice)."""
    if niceness:
        os.nice(niceness)
    from storage import connect
    from training.data import DataError
    from training.gate import GateSettings
    from training.retrain import DEFAULT_DATA, RetrainSettings, retrain

    from bot.retrain_job import one_round_at_a_time, record_start

    gate_names = {f.name for f in fields(GateSettings)}
    if options.get("delta_rank") == 0:
        options["delta_rank"] = None  # dense
    path = _config_path(ctx)
    config = config_module.read_settings(path)
    # Options not given on the command line take review.retrain's values from the settings file.
    configured = config.review.retrain
    for name, value in (("margin", configured.margin), ("tolerance", configured.tolerance),
                        ("min_labels", configured.min_labels)):
        if ctx.get_parameter_source(name) is click.core.ParameterSource.DEFAULT:
            options[name] = value
    regression_dir = regression_dir or configured.regression_data
    try:
        gate = GateSettings(**{k: v for k, v in options.items() if k in gate_names})
        settings = RetrainSettings(**{k: v for k, v in options.items() if k not in gate_names})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    boards = None
    if post:  # checked before training: a missing secret must not cost a whole round
        from bot.platforms import review_board

        full = config_module.load(path)
        if not full.settings.review.channel:
            raise TeamweatherError(f"{path}: review.channel is not set: there is nowhere to --post the report")
        boards = review_board(full)
    database = Path(config.database)
    models_dir = models_dir or database.parent / "models"
    progress = _Progress()
    with one_round_at_a_time(database):
        db = connect(database)
        try:
            if not start_recorded:
                record_start(db, reason, time.time())
            report = retrain(db, models_dir=models_dir, data_dir=data_dir or DEFAULT_DATA,
                             regression_dir=regression_dir, settings=settings, gate=gate,
                             progress=progress, version=version,
                             command=shlex.join(["teamweather", *sys.argv[1:]]))
        except (DataError, FileExistsError) as exc:
            raise TeamweatherError(str(exc)) from None
        finally:
            progress.close()
            db.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.as_text())
    if boards is not None and config.review.channel and report.decision != "skipped":
        from bot.review import post_report

        post_report(boards, config.review.channel, report.as_text())
