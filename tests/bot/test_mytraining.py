"""/mytraining in the core (issue [mytraining]): every subcommand, the buttons, the quiz, the
setup form, and the private wellbeing nudge — each answer for the asker alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Sequence

import numpy as np
import pytest
import sqlite_utils
from numpy.typing import NDArray

from analyzers.learning_catalog import parse_learning_catalog
from analyzers.learning_plan import Planner
from analyzers.pseudonymise import Pseudonymiser
from analyzers.wellbeing import NudgeSettings
from bot import texts
from bot.core import Command, Reply
from bot.mytraining import BadLearningAction, LearningDesk, ReplayedLearningAction
from bot.report import Buttons, plain_lines
from conftest import ALICE, BOB
from storage import learning, scores

WS = "T0TEST0001"
NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc).timestamp()
QUIZ = [
    {"question": "What runs your containers in a pod?", "choices": ["the kubelet", "the DNS", "a cron job"], "answer": 0},
    {"question": "What keeps N copies of a pod running?", "choices": ["a Service", "a Deployment", "a Secret"],
     "answer": 1},
    {"question": "How do you reach pods by one name?", "choices": ["a ConfigMap", "a Job", "a Service"], "answer": 2},
]
CATALOG = parse_learning_catalog({"items": [
    {"id": "docker-basics", "title": "Docker basics", "description": "Build and run containers with Docker.",
     "skills": {"cloud-infra": 1}, "level": 1, "minutes": 60, "format": "course",
     "url": "https://learning.example.com/docker-basics"},
    {"id": "k8s-fundamentals", "title": "Kubernetes fundamentals",
     "description": "Pods, deployments and services on Kubernetes.", "skills": {"cloud-infra": 2}, "level": 2,
     "minutes": 90, "format": "course", "url": "https://learning.example.com/k8s-fundamentals",
     "prerequisites": ["docker-basics"], "quiz": QUIZ},
    {"id": "writing-clearly", "title": "Writing clearly at work", "description": "Short, clear messages and docs.",
     "skills": {"communication": 1}, "level": 1, "minutes": 30, "format": "article",
     "url": "https://learning.example.com/writing-clearly"},
    {"id": "take-a-break", "title": "Taking real breaks", "description": "Rest, recovery and boundaries.",
     "skills": {"wellbeing": 1}, "level": 1, "minutes": 15, "format": "video", "tags": ["wellbeing"],
     "url": "https://learning.example.com/take-a-break"},
]}, "test catalog")
ROLES = {"site-reliability-engineer": {"cloud-infra": 2}, "writer": {"communication": 1}}


def embed(texts_: Sequence[str]) -> NDArray[np.float32]:
    """A fake sentence encoder: hashed bags of words, normalised (the ranking's own tests use
    the real one)."""
    out = np.zeros((len(texts_), 384), np.float32)
    for row, text in enumerate(texts_):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            out[row, int(hashlib.sha256(word.encode()).hexdigest(), 16) % 384] += 1
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def desk(db: sqlite_utils.Database, pseudonymiser: Pseudonymiser) -> LearningDesk:
    planner = Planner(CATALOG, ROLES, embed, embed([item.text() for item in CATALOG]))
    return LearningDesk(db, pseudonymiser, CATALOG, ROLES, lambda: planner, clock=lambda: NOW)


def say(desk: LearningDesk, text: str, user: str = ALICE) -> Reply:
    reply = desk.command(Command(WS, "CENROLLED1", user, text))
    assert not reply.public  # every answer is for the asker alone
    return reply


def person(desk: LearningDesk, user: str = ALICE) -> str:
    return desk.pseudonymiser.author(WS, user)


def values(reply: Reply) -> list[str]:
    assert reply.report is not None
    return [b.value for part in reply.report.parts if isinstance(part, Buttons) for b in part.buttons]


def unmarked(text: str) -> str:
    """A reply's Markdown as a report's plain line shows it."""
    return text.replace("**", "").replace("`", "")


def everything(db: sqlite_utils.Database) -> dict[str, int]:
    return {t: db[t].count for t in db.table_names()}


# -- the plan ---------------------------------------------------------------------------

def test_the_plan_follows_the_role_and_says_why(desk: LearningDesk) -> None:
    assert say(desk, "role site-reliability-engineer").text == texts.LEARN_ROLE_SET.format(
        role="site-reliability-engineer")
    reply = say(desk, "")
    text = "\n".join(plain_lines(reply.report)) if reply.report else ""
    assert "1. Docker basics" in text
    assert texts.LEARN_REASON_GAP.format(skill="cloud-infra", target=2, current=0) in text
    assert "Kubernetes fundamentals" not in text  # its prerequisite is not done yet
    assert values(reply)[:2] == ["start:docker-basics", "done:docker-basics"]
    assert unmarked(texts.LEARN_FOOTER.format(analysed=0)) in text


def test_start_and_done_buttons_record_progress_and_redraw_the_plan(desk: LearningDesk) -> None:
    say(desk, "role site-reliability-engineer")
    started = desk.act("slack", WS, ALICE, "start:docker-basics")
    assert learning.progress(desk.db, person(desk)) == {"docker-basics": "started"}
    assert "start:docker-basics" not in values(started) and "done:docker-basics" in values(started)
    finished = desk.act("slack", WS, ALICE, "done:docker-basics")
    assert learning.progress(desk.db, person(desk)) == {"docker-basics": "completed"}
    assert values(finished)[:3] == ["start:k8s-fundamentals", "done:k8s-fundamentals", "quiz:k8s-fundamentals:"]
    assert learning.progress(desk.db, person(desk, BOB)) == {}  # under the presser's pseudonym only


def test_start_and_done_commands(desk: LearningDesk) -> None:
    assert "Started **Docker basics**" in say(desk, "start docker-basics").text
    assert say(desk, "start docker-basics").text == texts.LEARN_ALREADY_STARTED.format(title="Docker basics")
    assert say(desk, "done DOCKER-BASICS").text == texts.LEARN_DONE_OK.format(title="Docker basics")
    assert say(desk, "done docker-basics").text == texts.LEARN_ALREADY_DONE.format(title="Docker basics")
    assert say(desk, "done nope").text == texts.LEARN_ID_UNKNOWN.format(id="nope")
    assert say(desk, "start").text == texts.LEARN_ID_MISSING.format(word="start")


def test_a_goal_is_pseudonymised_like_a_message(desk: LearningDesk) -> None:
    reply = say(desk, "goal kubernetes with Alice Fernsby, write to alice@corp.example")
    stored = learning.profile(desk.db, person(desk)).goal
    assert stored is not None and "Alice" not in stored and "corp.example" not in stored
    assert "<person>" in stored and f"`{stored}`" in reply.text
    assert say(desk, "goal clear").text == texts.LEARN_GOAL_CLEARED
    assert learning.profile(desk.db, person(desk)).goal is None
    assert say(desk, "goal").text == texts.LEARN_GOAL_MISSING
    assert say(desk, "goal " + "x" * 400).text == texts.LEARN_GOAL_TOO_LONG.format(max=300)


def test_roles_help_and_unknown_words_answer_with_what_works(desk: LearningDesk) -> None:
    assert "`site-reliability-engineer`" in say(desk, "role").text
    assert say(desk, "role astronaut").text.startswith("There is no role `astronaut`")
    assert learning.profile(desk.db, person(desk)).role is None
    helped = say(desk, "fly me to the moon")
    assert helped.text.startswith(texts.LEARN_UNKNOWN.format(word="fly")) and "/mytraining setup" in helped.text
    assert "/mytraining quiz ID" in say(desk, "help").text


# -- the quiz ---------------------------------------------------------------------------

def test_a_passed_quiz_counts_the_item_as_completed(desk: LearningDesk) -> None:
    first = say(desk, "quiz k8s-fundamentals")
    assert values(first) == ["quiz:k8s-fundamentals:0", "quiz:k8s-fundamentals:1", "quiz:k8s-fundamentals:2"]
    second = desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:0")
    assert "Question 2 of 3" in second.text and values(second)[1] == "quiz:k8s-fundamentals:01"
    desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:01")
    done = desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:012")
    assert "3 of 3 correctly and passed" in done.text
    assert learning.progress(desk.db, person(desk)) == {"k8s-fundamentals": "completed"}
    [result] = learning.quiz_results(desk.db, person(desk))
    assert (result.correct, result.total, result.passed) == (3, 3, True)


def test_a_failed_quiz_suggests_the_prerequisite(desk: LearningDesk) -> None:
    done = desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:111")
    assert "1 of 3 correctly; 3 are needed" in done.text and "“Docker basics” (docker-basics)" in done.text
    assert learning.progress(desk.db, person(desk)) == {}
    assert say(desk, "quiz writing-clearly").text == texts.LEARN_NO_QUIZ.format(
        title="Writing clearly at work", id="writing-clearly")


@pytest.mark.parametrize("value", [
    "", "nope", "start:", "start:unknown", "done:docker-basics:extra", "quiz:", "quiz:unknown:", "quiz:k8s-fundamentals:9",
    "quiz:k8s-fundamentals:0000", "quiz:k8s-fundamentals:a", "quiz:k8s-fundamentals:-1", "quiz:writing-clearly:",
    "x" * 500, 42, None, ["start:docker-basics"], {"value": "start:docker-basics"},
])
def test_buttons_that_are_none_of_ours_store_nothing(desk: LearningDesk, value: object) -> None:
    before = everything(desk.db)
    with pytest.raises(BadLearningAction):
        desk.act("slack", WS, ALICE, value)
    assert everything(desk.db) == before


# -- the setup form -----------------------------------------------------------------------

def test_the_setup_form_holds_the_profile_and_saves_it(desk: LearningDesk) -> None:
    say(desk, "role writer")
    form = say(desk, "setup").form
    assert form is not None and [f.name for f in form.fields] == ["role", "goal"]
    assert [c.value for c in form.fields[0].choices] == list(ROLES) and form.fields[0].value == "writer"
    saved = desk.submit(WS, ALICE, {"role": "site-reliability-engineer", "goal": "kubernetes, ask bobo"})
    profile = learning.profile(desk.db, person(desk))
    assert profile.role == "site-reliability-engineer" and profile.goal == "kubernetes, ask <person>"
    assert "site-reliability-engineer" in saved.text


@pytest.mark.parametrize("submitted", [
    {"role": "astronaut"}, {"role": 3}, {"goal": ["x"]}, {"goal": "x" * 301}, {"other": "x"}, "role=writer",
])
def test_a_bad_submission_stores_nothing(desk: LearningDesk, submitted: object) -> None:
    before = everything(desk.db)
    with pytest.raises(BadLearningAction):
        desk.submit(WS, ALICE, submitted)  # type: ignore[arg-type]
    assert everything(desk.db) == before


# -- the private wellbeing nudge ------------------------------------------------------------

def plant_stress(db: sqlite_utils.Database, author: str, before: float, recent: float) -> None:
    """40 scored messages over the eight weeks before the last two, then 20 in the last two."""
    today = dt.datetime.fromtimestamp(NOW, dt.timezone.utc).date()
    days = [(20 + i, before) for i in range(40)] + [(i % 14, recent) for i in range(20)]
    with db.conn:
        for n, (back, stress) in enumerate(days):
            day = (today - dt.timedelta(days=back)).isoformat()
            scores.save(db, scores.Score(f"{author}-{n}", WS, "CENROLLED1", author, day, "neutral",
                                         0.2, 0.6, 0.2, stress + (n % 5) * 0.01, "test", "1"))


def test_the_wellbeing_nudge_is_shown_to_the_stressed_person_alone_and_stored_nowhere(desk: LearningDesk) -> None:
    plant_stress(desk.db, person(desk, ALICE), before=0.2, recent=0.7)
    plant_stress(desk.db, person(desk, BOB), before=0.2, recent=0.22)
    before = everything(desk.db)
    alice = "\n".join(plain_lines(say(desk, "").report))  # type: ignore[arg-type]
    bob = "\n".join(plain_lines(say(desk, "", user=BOB).report))  # type: ignore[arg-type]
    assert unmarked(texts.LEARN_WELLBEING_NOTE) in alice and "Taking real breaks" in alice
    assert texts.LEARN_REASON_WELLBEING in alice
    assert unmarked(texts.LEARN_WELLBEING_NOTE) not in bob and "Taking real breaks" not in bob
    assert everything(desk.db) == before  # nothing about it is stored, or counted
    assert unmarked(texts.LEARN_FOOTER.format(analysed=20 + 10)) in alice  # the last 30 days' messages
    assert say(desk, "wellbeing off").text == texts.LEARN_WELLBEING_OFF
    assert unmarked(texts.LEARN_WELLBEING_NOTE) not in "\n".join(plain_lines(say(desk, "").report))  # type: ignore[arg-type]
    assert say(desk, "wellbeing maybe").text == texts.LEARN_WELLBEING_USAGE


def test_no_nudge_without_enough_messages_or_when_switched_off_for_everyone(
    db: sqlite_utils.Database, pseudonymiser: Pseudonymiser, desk: LearningDesk,
) -> None:
    with db.conn:
        for n in range(5):  # too few to mean anything
            scores.save(db, scores.Score(f"m{n}", WS, "C1", person(desk), dt.date(2026, 11, 29).isoformat(),
                                         "neutral", 0.2, 0.6, 0.2, 0.95, "test", "1"))
    assert not desk.stress_raised(person(desk))
    plant_stress(db, person(desk), before=0.2, recent=0.8)
    assert desk.stress_raised(person(desk))
    off = LearningDesk(db, pseudonymiser, CATALOG, ROLES, desk.planner, clock=lambda: NOW, nudge=None)
    assert not off.stress_raised(person(desk))
    assert NudgeSettings().min_recent == 10


def test_until_the_planner_is_built_the_plan_asks_to_wait(desk: LearningDesk) -> None:
    loading = LearningDesk(desk.db, desk.pseudonymiser, CATALOG, ROLES, desk.planner, clock=lambda: NOW,
                           ready=lambda: False)
    assert loading.command(Command(WS, "C1", ALICE, "")).text == texts.LEARN_WARMING
    assert "Started" in loading.command(Command(WS, "C1", ALICE, "start docker-basics")).text  # the rest works


def test_the_last_answer_delivered_twice_records_one_attempt(desk: LearningDesk) -> None:
    desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:111", delivery="press-1")
    with pytest.raises(ReplayedLearningAction):  # a platform delivering the same press again
        desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:111", delivery="press-1")
    assert len(learning.quiz_results(desk.db, person(desk))) == 1
    desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:111", delivery="press-2")  # a retake, the same score
    assert len(learning.quiz_results(desk.db, person(desk))) == 2
    desk.act("slack", WS, ALICE, "quiz:k8s-fundamentals:012", delivery="press-3")  # another attempt, another result
    assert [(r.correct, r.passed) for r in learning.quiz_results(desk.db, person(desk))] == [
        (1, False), (1, False), (3, True)]


def test_the_welcome_offers_the_plan_and_the_setup_form(desk: LearningDesk) -> None:
    welcome = desk.welcome()
    buttons = [b.value for part in welcome.parts if isinstance(part, Buttons) for b in part.buttons]
    assert buttons == ["plan", "setup"]
    assert desk.act("msteams", WS, ALICE, "plan").report is not None
    form = desk.act("msteams", WS, ALICE, "setup").form
    assert form is not None and form.action == "learn-setup"
