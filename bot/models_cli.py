"""``teamweather models``: the classifier registry (list, register, promote, rollback).

These commands need only the settings file (for the database path), not the secrets: the
registry holds no personal data. The running bot picks up a promoted version between
batches (see :mod:`bot.model_watch`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import click
import sqlite_utils

from bot import config as config_module
from domain.errors import TeamweatherError

__all__ = ["models", "KEY_METRICS", "format_metrics"]

#: Metrics shown first in ``models list`` when a model card has them (the issue's quality gates).
KEY_METRICS = (
    "sentiment_macro_recall",
    "stress_f1",
    "workplace_sentiment_macro_recall",
    "workplace_stress_f1",
)
TASKS = ("sentiment", "stress")  # every model directory holds both heads
MAX_METRICS_SHOWN = 4


def _config_path(ctx: click.Context) -> Path:
    return ctx.obj if isinstance(ctx.obj, Path) else config_module.DEFAULT_PATH


class _Database:
    """The configured database, opened for one command and closed after it."""

    def __init__(self, ctx: click.Context) -> None:
        settings = config_module.read_settings(_config_path(ctx))
        from storage import connect

        self.db = connect(settings.database)

    def __enter__(self) -> sqlite_utils.Database:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _bundled() -> str:
    from analyzers.bundled import bundled_version

    return bundled_version()


def format_metrics(metrics: Mapping[str, Any]) -> str:
    """The key numeric metrics as ``name=value``: the quality-gate ones first, at most four."""
    numeric = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    keys = [k for k in KEY_METRICS if k in numeric] + sorted(k for k in numeric if k not in KEY_METRICS)
    shown = [f"{k}={numeric[k]:.4g}" for k in keys[:MAX_METRICS_SHOWN]]
    if len(keys) > MAX_METRICS_SHOWN:
        shown.append(f"(+{len(keys) - MAX_METRICS_SHOWN} more)")
    return " ".join(shown) or "-"


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _table(rows: list[list[str]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()


def _guard(func: Callable[[], None]) -> None:
    """Run ``func`` turning Teamweather's errors into one line (also outside ``bot.cli.cli``)."""
    try:
        func()
    except TeamweatherError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def models() -> None:
    """The classifier registry: which model versions exist and which one scores messages."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="Print every version with all its metrics (a retraining round's decision, "
                   "reason and gate figures among them) as JSON.")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List registered model versions; * marks the active one."""
    from storage import models as registry

    def run() -> None:
        with _Database(ctx) as db:
            versions = registry.list_all(db)
        if as_json:
            active = next((m.version for m in versions if m.active), None)
            click.echo(json.dumps({
                "active": active,
                "bundled": _bundled(),
                "versions": [{"version": m.version, "path": m.path, "tasks": list(m.tasks),
                              "active": m.active, "created_at": m.created_at,
                              "activated_at": m.activated_at, "previous": m.previous,
                              "metrics": dict(m.metrics)} for m in versions],
            }, indent=2))
            return
        if not versions:
            click.echo(f"No model versions registered: the bundled model {_bundled()} scores "
                       "messages (add one with: teamweather models register PATH).")
            return
        rows = [["", "VERSION", "TASKS", "METRICS", "CREATED", "PATH"]]
        rows += [["*" if m.active else "", m.version, ",".join(m.tasks), format_metrics(m.metrics),
                  _when(m.created_at), m.path] for m in versions]
        for line in _table(rows):
            click.echo(line)
        if not any(m.active for m in versions):
            click.echo(f"No version is active: the bundled model {_bundled()} scores messages "
                       "(activate one with: teamweather models promote VERSION).")

    _guard(run)


@models.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--promote", "promote_now", is_flag=True, help="Also make it the active version.")
@click.pass_context
def register(ctx: click.Context, path: Path, promote_now: bool) -> None:
    """Register the model version in directory PATH (checked in full first)."""
    from storage import audit
    from storage import models as registry

    def run() -> None:
        if not path.is_dir():
            raise click.ClickException(f"{path}: no such model directory")
        from analyzers.model_dir import read_model_dir  # imports torch: only when needed

        config, _heads, _delta = read_model_dir(path)  # ModelError naming the bad file
        now = time.time()
        with _Database(ctx) as db:
            with db.conn:
                entry = registry.register(db, config.version, str(path.resolve()), TASKS,
                                          config.metrics, now)
                audit.record(db, "model_registered", actor="cli", subject=entry.version,
                             detail={"path": entry.path}, at=now)
                if promote_now:
                    previous = registry.active(db)
                    registry.promote(db, entry.version, now)
                    audit.record(db, "model_promoted", actor="cli", subject=entry.version,
                                 detail={"previous": previous.version if previous else None}, at=now)
        state = "registered and active" if promote_now else "registered (not active: teamweather " \
            f"models promote {entry.version})"
        click.echo(f"{entry.version}: {state} — {format_metrics(entry.metrics)}")

    _guard(run)


@models.command()
@click.argument("version")
@click.pass_context
def promote(ctx: click.Context, version: str) -> None:
    """Make VERSION the active model; the running bot switches between batches."""
    from storage import audit
    from storage import models as registry

    def run() -> None:
        now = time.time()
        with _Database(ctx) as db:
            with db.conn:
                before = registry.active(db)
                entry = registry.promote(db, version, now)
                changed = before is None or before.version != entry.version
                if changed:
                    audit.record(db, "model_promoted", actor="cli", subject=entry.version,
                                 detail={"previous": entry.previous}, at=now)
        if not changed:
            click.echo(f"{entry.version} is already the active version.")
        else:
            was = f" (was {entry.previous or 'the bundled model ' + _bundled()})"
            click.echo(f"{entry.version} is now the active version{was}.")

    _guard(run)


@models.command()
@click.pass_context
def rollback(ctx: click.Context) -> None:
    """Re-activate the version that was active before the current one was promoted."""
    from storage import audit
    from storage import models as registry

    def run() -> None:
        now = time.time()
        with _Database(ctx) as db:
            with db.conn:
                current = registry.active(db)
                entry = registry.rollback(db, now)
                restored = entry.version if entry else f"bundled:{_bundled()}"
                audit.record(db, "model_rolled_back", actor="cli", subject=restored,
                             detail={"from": current.version if current else None}, at=now)
        was = current.version if current else "?"
        if entry is None:
            click.echo(f"No version is active now: the bundled model {_bundled()} scores "
                       f"messages again (rolled back from {was}).")
        else:
            click.echo(f"{entry.version} is active again (rolled back from {was}).")

    _guard(run)
