"""The demo's ``/mytraining`` part (issue [mytraining]): two sample employees set a role and a
goal, record progress, take a quiz, and read their plans; some of the sample's writers complete
items in the last week, which the weekly digest counts per skill from k people up."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterator

import sqlite_utils

from analyzers.learning_catalog import LearningCatalog
from bot.config import Settings
from bot.core import Command, Teamweather
from bot.learning_setup import Learning, load_learning
from bot.mytraining import LearningDesk
from bot.report import plain_lines
from domain.teamweek import week_start
from storage import learning as learning_store
from storage import weekly

#: (role, goal, items already completed, a quiz to take and the answers given) for the two
#: employees whose plans the demo prints.
EMPLOYEES: tuple[tuple[str, str, tuple[str, ...], tuple[str, str] | None], ...] = (
    ("backend-engineer", "run our services on Kubernetes", ("linux-command-line", "docker-basics"), None),
    ("engineering-manager", "lead my first team and give better feedback", (), ("giving-and-receiving-feedback", "")),
)
#: What every writer of the first team completes in the last week, for the digest's learning
#: section (everyone the same, so that Slack's and Teams' replays, whose pseudonyms differ,
#: plant the same figures).
TEAM_ITEMS = ("git-essentials", "first-unit-tests")


def learning_for(settings: Settings) -> Learning:
    """The bundled catalog and roles, with the item vectors cached beside the demo database."""
    return load_learning(settings.learning, settings.database, "demo settings")


def plant_team_learning(db: sqlite_utils.Database, settings: Settings, week: str, catalog: LearningCatalog) -> int:
    """Every writer of ``week`` in the first team completes :data:`TEAM_ITEMS` during it; how
    many people did."""
    team = settings.teams[0]
    people = sorted(weekly.authors(db, team.channel_ids(), week))
    monday = dt.datetime.combine(week_start(week), dt.time(10), dt.timezone.utc)
    known = {item.id for item in catalog}
    with db.conn:
        for n, item in enumerate(TEAM_ITEMS):
            if item in known:
                for person in people:
                    when = monday + dt.timedelta(days=n, hours=len(person) % 5)
                    learning_store.complete(db, person, "demo", item, when.timestamp())
    return len(people)


def plans(core: Teamweather, workspace: dict[str, Any], learning: Learning,
          clock: Callable[[], float]) -> Iterator[str]:
    """The two employees' commands and the plans they read, as the demo prints them."""
    desk = LearningDesk(core.db, core.pseudonymiser, learning.catalog, learning.roles, learning.planner,
                        zone=core.zone, clock=clock)
    people = [m for m in workspace["members"] if not m.get("is_bot")][1:]
    team = workspace["team_id"]
    for member, (role, goal, completed, quiz) in zip(people, EMPLOYEES):
        user, name = member["id"], member.get("real_name") or member["id"]

        def say(text: str) -> str:
            reply = desk.command(Command(team, "CDEMO", user, text))
            return reply.text.splitlines()[0]

        yield f"{name} (only {name.split()[0]} sees this):"
        for text in (f"role {role}", f"goal {goal}", *(f"done {item}" for item in completed)):
            yield f"  /mytraining {text}  →  {say(text)}"
        if quiz is not None and quiz[0] in {item.id for item in learning.catalog}:
            item = learning.catalog.get(quiz[0])
            answers = "".join(str(q.answer) for q in item.quiz)  # a sample employee who knows it all
            desk.command(Command(team, "CDEMO", user, f"quiz {item.id}"))
            for n in range(1, len(answers) + 1):
                reply = desk.act("slack", team, user, f"quiz:{item.id}:{answers[:n]}")
            yield f"  /mytraining quiz {item.id}, {len(answers)} answers pressed  →  {reply.text.splitlines()[0]}"
        reply = desk.command(Command(team, "CDEMO", user, ""))
        assert reply.report is not None
        for line in plain_lines(reply.report):
            if not line.startswith("[") and not line.startswith("http"):  # buttons and links: in the chat
                yield f"  | {line}"
    nudged = sum(desk.stress_raised(core.pseudonymiser.author(team, m["id"])) for m in people)
    yield (f"Private wellbeing nudge: {nudged} of {len(people)} sample employees would see one in their own plan "
           "(their own last two weeks against their own earlier weeks); nobody else sees it, and it is counted "
           "nowhere but here.")
