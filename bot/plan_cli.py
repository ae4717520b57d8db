"""``teamweather plan``: the plan a person with a given role, goal and completed items would
get from ``/mytraining``, for whoever maintains the catalog. It reads no stored profile and
stores nothing; the catalog and roles are the config's (``learning:``), or the bundled ones
when there is no config file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from analyzers.learning_plan import LearnerProfile, PlanEntry, UnknownRole
from bot import config as config_module
from bot.learning_setup import load_learning
from bot.mytraining import plan_report, reason_text
from bot.report import plain_lines
from domain.errors import ConfigError


@click.command("plan")
@click.option("--role", help="A role from learning.roles (see the error for the list).")
@click.option("--goal", help="What the person wants to learn, in their words.")
@click.option("--completed", default="", help="Item ids already completed, comma-separated.")
@click.option("--size", default=5, show_default=True, type=click.IntRange(1, 20), help="Items to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def plan_command(config_path: Path, role: str | None, goal: str | None, completed: str, size: int,
                 as_json: bool) -> None:
    """Show the learning plan /mytraining would give a person with this profile."""
    if config_path.exists():
        settings = config_module.read_settings(config_path)
        learning = load_learning(settings.learning, settings.database, str(config_path))
    else:
        learning = load_learning(config_module.LearningSettings(), Path("teamweather.db"), "defaults")
        learning.vector_cache = None  # no config, no database folder: nothing written
    done = frozenset(i.strip() for i in completed.split(",") if i.strip())
    unknown = sorted(i for i in done if i not in {item.id for item in learning.catalog})
    if unknown:
        raise ConfigError(f"--completed: no such item(s) in the catalog: {', '.join(unknown)}")
    if role is not None and role not in learning.roles:
        raise ConfigError(f"--role: no role {role!r} (roles: {', '.join(learning.roles)})")
    profile = LearnerProfile(role=role, goal=goal, completed=done)
    try:
        entries = learning.planner().plan(profile, size=size)
    except UnknownRole as exc:  # checked above; kept for a clear line all the same
        raise ConfigError(str(exc)) from None
    if as_json:
        click.echo(json.dumps([_entry_json(e) for e in entries], indent=2, ensure_ascii=False))
        return
    for line in plain_lines(plan_report(profile, entries, nudge=False, analysed=None)):
        click.echo(line)


def _entry_json(entry: PlanEntry) -> dict[str, object]:
    item = entry.item
    return {
        "id": item.id, "title": item.title, "level": item.level, "minutes": item.minutes, "format": item.format,
        "skills": item.skills, "url": item.url, "score": round(entry.score, 4),
        "why": [reason_text(r) for r in entry.reasons],
    }
