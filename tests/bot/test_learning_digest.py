"""The weekly digest's learning section (issue [mytraining]): items completed per skill by the
people who wrote in the team's channels, each skill only from k people up, never beside
held-back figures, and never anyone's own items."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlite_utils

from analyzers.learning_activity import skill_activity
from analyzers.learning_catalog import parse_learning_catalog
from bot import digest_render, digests, texts
from bot.report import plain_lines
from domain.teamweek import Digest, SkillActivity, week_start
from storage import learning
from test_digests import DESIGN, KEY, PLATFORM, WEEK, plant, settings_for

CATALOG = parse_learning_catalog({"items": [
    {"id": f"{skill}-{n}", "title": f"{skill} {n}", "description": f"About {skill}.", "skills": {skill: 1},
     "level": 1, "minutes": 30, "format": "article", "url": f"https://learning.example.com/{skill}-{n}"}
    for skill in ("testing", "security") for n in range(3)
]}, "test catalog")


def complete(db: sqlite_utils.Database, person: str, item: str, week: str = WEEK, day: int = 2) -> None:
    when = dt.datetime.combine(week_start(week) + dt.timedelta(days=day), dt.time(12), dt.timezone.utc)
    with db.conn:
        learning.complete(db, person, "T1", item, when.timestamp())


def test_only_skills_that_k_people_worked_on_are_counted() -> None:
    done = [(f"p{i}", "testing-0") for i in range(5)] + [("p0", "testing-1")] + [(f"p{i}", "security-0") for i in range(4)]
    skills = {item.id: tuple(item.skills) for item in CATALOG}
    assert skill_activity(done, skills, k=5) == (SkillActivity("testing", 6, 5),)
    assert skill_activity(done, skills, k=4) == (SkillActivity("testing", 6, 5), SkillActivity("security", 4, 4))
    assert skill_activity([("p0", "gone-from-catalog")], skills, k=1) == ()


def test_the_digest_shows_the_teams_completions_per_skill_from_k_people_up(db: sqlite_utils.Database,
                                                                          tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "t.db")
    plant(db, PLATFORM, 8, WEEK, mood=20, stress=0.2, seed=1)
    for i in range(5):  # five writers of Platform finished a testing item this week
        complete(db, f"author-{PLATFORM}-{i}", "testing-0")
    for i in range(4):  # four did security: fewer than k
        complete(db, f"author-{PLATFORM}-{i}", "security-0")
    complete(db, f"author-{PLATFORM}-5", "testing-1", week="2026-W46")  # last week: not counted
    complete(db, "someone-outside-the-team", "testing-2")  # not a writer of the team's channels
    [digest] = digests.build(db, settings, WEEK, noise_key=KEY, teams=[settings.team("Platform")],
                             learning_catalog=CATALOG)
    assert digest.learning == (SkillActivity("testing", 5, 5),)
    lines = [line for line in _plain(digest) if line.startswith("• ") and "completed by" in line]
    assert lines == ["• " + texts.LEARNING_LINE.format(skill="testing", items=5, people=5)]


def test_no_learning_section_beside_held_back_figures(db: sqlite_utils.Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "t.db")
    plant(db, DESIGN, 3, WEEK, mood=20, stress=0.2, seed=2)  # three writers: below k, held back
    for i in range(3):
        complete(db, f"author-{DESIGN}-{i}", "testing-0")
    [digest] = digests.build(db, settings, WEEK, noise_key=KEY, teams=[settings.team("Design")],
                             learning_catalog=CATALOG)
    assert digest.current.suppressed is not None and digest.learning == ()
    assert not any(texts.LEARNING in line for line in _plain(digest))


def test_learning_off_leaves_the_digest_as_it_was(db: sqlite_utils.Database, tmp_path: Path) -> None:
    from bot.config import parse_settings

    settings = parse_settings({**settings_for(tmp_path / "t.db").model_dump(mode="json", by_alias=True),
                               "learning": {"enabled": False}}, "test.yaml")
    plant(db, PLATFORM, 8, WEEK, mood=20, stress=0.2, seed=1)
    for i in range(6):
        complete(db, f"author-{PLATFORM}-{i}", "testing-0")
    [digest] = digests.build(db, settings, WEEK, noise_key=KEY, teams=[settings.team("Platform")])
    assert digest.learning == ()


def _plain(digest: Digest) -> list[str]:
    return plain_lines(digest_render.report(digest))


def test_no_learning_section_when_figures_carry_noise(db: sqlite_utils.Database, tmp_path: Path) -> None:
    """With privacy.epsilon every figure gets noise, so exact learning counts are not shown."""
    settings = settings_for(tmp_path / "t.db", epsilon=1.0)
    plant(db, PLATFORM, 8, WEEK, mood=20, stress=0.2, seed=1)
    for i in range(6):
        complete(db, f"author-{PLATFORM}-{i}", "testing-0")
    [digest] = digests.build(db, settings, WEEK, noise_key=KEY, teams=[settings.team("Platform")],
                             learning_catalog=CATALOG)
    assert digest.current.suppressed is None and digest.noise and digest.learning == ()
