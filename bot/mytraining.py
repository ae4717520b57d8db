"""``/mytraining``: a personal learning plan, quizzes and a private wellbeing nudge (issue
[mytraining]), in the platform-neutral core.

:class:`LearningDesk` answers the command (``/mytraining [plan|setup|role|goal|start|done|quiz|
wellbeing|help] …``), the buttons on its answers (``Button.action`` ``"learn"``, value
``start:ID``, ``done:ID`` or ``quiz:ID:ANSWERS``) and the setup form. Every answer goes only to
the person who asked (adapters reply ephemerally on Slack, in the personal chat on Teams).
Everything is stored under the person's pseudonym; a goal is pseudonymised like a message.

A quiz keeps no state on the server: each choice button carries the answers given so far
(``quiz:k8s-fundamentals:021``), and the last one is scored. Passing counts the item as
completed (which raises the skill levels the plan reads); failing suggests a prerequisite.

The wellbeing nudge reads only the asker's own scores (:mod:`analyzers.wellbeing`) and is shown
only in their own plan; nothing about it is stored or counted.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

import sqlite_utils

from analyzers.learning_catalog import LearningCatalog, LearningItem
from analyzers.learning_plan import LearnerProfile, PlanEntry, Planner, Reason
from analyzers.pseudonymise import Pseudonymiser
from analyzers.wellbeing import NudgeSettings, stress_raised
from bot import texts
from bot.core import Command, Reply
from bot.report import (
    Button, Buttons, Choice, Footnote, Form, FormField, Line, Link, Report, Section, Span, plain_lines,
)
from domain.errors import TeamweatherError
from storage import events, learning, mydata

__all__ = ["ACTION", "BadLearningAction", "LearningDesk", "ReplayedLearningAction", "MAX_GOAL_CHARS", "PASS_SHARE", "SETUP_ACTION", "plan_report",
           "reason_text"]

ACTION = "learn"  # Button.action of the plan's and the quiz's buttons
SETUP_ACTION = "learn-setup"  # Form.action of the setup form
PASS_SHARE = 0.7  # a quiz is passed with at least this share of right answers
MAX_GOAL_CHARS = 300
PLAN_SIZE = 5
ANALYSED_DAYS = 30
_MAX_VALUE = 120


class BadLearningAction(TeamweatherError):
    """A button value or form submission that is not one of ours (the adapters answer 400)."""


class ReplayedLearningAction(TeamweatherError):
    """A press whose request was handled before (the adapters answer 409): nothing changed."""


class LearningDesk:
    """``/mytraining`` for one database connection. ``planner`` builds the planner on first
    use (it loads the sentence encoder); ``zone`` dates the person's scores; ``nudge`` None
    switches the private wellbeing nudge off for everyone."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        pseudonymiser: Pseudonymiser,
        catalog: LearningCatalog,
        roles: Mapping[str, Mapping[str, int]],
        planner: Callable[[], Planner],
        *,
        zone: ZoneInfo = ZoneInfo("UTC"),
        nudge: NudgeSettings | None = NudgeSettings(),
        clock: Callable[[], float] = time.time,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self.db = db
        self.pseudonymiser = pseudonymiser
        self.catalog = catalog
        self.roles = roles
        self.planner = planner  # builds the planner on first call, then returns it
        self.zone = zone
        self.nudge = nudge
        self.clock = clock
        self.ready = ready  # whether the planner is built (it loads an encoder: not on the request path)

    # -- the command ----------------------------------------------------------------------

    def command(self, cmd: Command) -> Reply:
        """Run ``/mytraining <words>`` for ``cmd.user``; the reply is for them alone."""
        word, _, rest = cmd.text.strip().partition(" ")
        word, rest = word.lower(), rest.strip()
        person = self.pseudonymiser.author(cmd.workspace, cmd.user)
        if word in ("", "plan"):
            return self.plan_reply(person)
        if word == "help":
            return Reply(self._help())
        if word == "setup":
            return Reply(texts.LEARN_SETUP_OPENED, form=self.setup_form(person))
        if word == "role":
            return self._role(person, cmd.workspace, rest)
        if word == "goal":
            return self._goal(person, cmd.workspace, rest)
        if word in ("start", "done"):
            return self._progress(person, cmd.workspace, word, rest)
        if word == "quiz":
            item = self._item(rest, word)
            if isinstance(item, Reply):
                return item
            return self._quiz(person, cmd.workspace, item, "")
        if word == "wellbeing":
            choice = rest.lower()
            if choice not in ("on", "off"):
                return Reply(texts.LEARN_WELLBEING_USAGE)
            with self.db.conn:
                learning.set_wellbeing(self.db, person, cmd.workspace, choice == "on", self.clock())
            return Reply(texts.LEARN_WELLBEING_ON if choice == "on" else texts.LEARN_WELLBEING_OFF)
        return Reply(texts.LEARN_UNKNOWN.format(word=word[:40]) + self._help())

    def _help(self) -> str:
        return texts.LEARN_HELP.format(roles=", ".join(f"`{r}`" for r in self.roles) or texts.LEARN_NONE)

    def _role(self, person: str, workspace: str, role: str) -> Reply:
        roles = ", ".join(f"`{r}`" for r in self.roles)
        if not self.roles:
            return Reply(texts.LEARN_NO_ROLES)
        if not role:
            return Reply(texts.LEARN_ROLES.format(roles=roles))
        if role.lower() not in self.roles:
            return Reply(texts.LEARN_ROLE_UNKNOWN.format(role=role[:40], roles=roles))
        with self.db.conn:
            learning.set_role(self.db, person, workspace, role.lower(), self.clock())
        return Reply(texts.LEARN_ROLE_SET.format(role=role.lower()))

    def _goal(self, person: str, workspace: str, goal: str) -> Reply:
        if not goal:
            return Reply(texts.LEARN_GOAL_MISSING)
        if goal.lower() == "clear":
            with self.db.conn:
                learning.set_goal(self.db, person, workspace, None, self.clock())
            return Reply(texts.LEARN_GOAL_CLEARED)
        if len(goal) > MAX_GOAL_CHARS:
            return Reply(texts.LEARN_GOAL_TOO_LONG.format(max=MAX_GOAL_CHARS))
        private = self.pseudonymiser.text(goal)
        with self.db.conn:
            learning.set_goal(self.db, person, workspace, private, self.clock())
        return Reply(texts.LEARN_GOAL_SET.format(goal=_quoted(private)))

    def _item(self, item_id: str, word: str) -> LearningItem | Reply:
        if not item_id:
            return Reply(texts.LEARN_ID_MISSING.format(word=word))
        try:
            return self.catalog.get(item_id.split()[0].lower())
        except KeyError:
            return Reply(texts.LEARN_ID_UNKNOWN.format(id=item_id.split()[0][:80]))

    def _progress(self, person: str, workspace: str, word: str, item_id: str) -> Reply:
        item = self._item(item_id, word)
        if isinstance(item, Reply):
            return item
        now = self.clock()
        with self.db.conn:
            if word == "start":
                started = learning.start(self.db, person, workspace, item.id, now)
                return Reply((texts.LEARN_STARTED_OK if started else texts.LEARN_ALREADY_STARTED).format(
                    title=item.title, id=item.id))
            done = learning.complete(self.db, person, workspace, item.id, now)
        return Reply((texts.LEARN_DONE_OK if done else texts.LEARN_ALREADY_DONE).format(title=item.title))

    # -- the plan -------------------------------------------------------------------------

    def profile(self, person: str, stored: learning.StoredProfile | None = None) -> LearnerProfile:
        """What the planner needs to know about ``person``, from what they stored (``stored``:
        their profile row, when already read). A role since removed from the config is none."""
        stored = stored or learning.profile(self.db, person)
        return LearnerProfile(
            role=stored.role if stored.role in self.roles else None, goal=stored.goal,
            completed=self._completed(person),
            started=frozenset(i for i, s in learning.progress(self.db, person).items() if s == "started"),
        )

    def _completed(self, person: str) -> frozenset[str]:
        return frozenset(i for i, s in learning.progress(self.db, person).items() if s == "completed")

    def plan_reply(self, person: str) -> Reply:
        """``person``'s plan, as a report with a button row per item."""
        if not len(self.catalog):
            return Reply(texts.LEARN_EMPTY_CATALOG)
        if not self.ready():
            return Reply(texts.LEARN_WARMING)
        stored = learning.profile(self.db, person)
        profile = self.profile(person, stored)
        nudge = self.nudge is not None and stored.wellbeing and self.stress_raised(person)
        entries = self.planner().plan(profile, size=PLAN_SIZE, wellbeing=nudge)
        report = plan_report(profile, entries, nudge=nudge, analysed=self.analysed(person))
        return Reply(_plain(report), report=report)

    def analysed(self, person: str) -> int:
        """How many of ``person``'s messages were scored in the last 30 days."""
        return mydata.messages_analysed(self.db, person, self._day(ANALYSED_DAYS - 1))

    def stress_raised(self, person: str) -> bool:
        """Whether ``person``'s own stress over the last two weeks is clearly above their own
        baseline before that (never shown to, or stored for, anyone else)."""
        nudge = self.nudge
        if nudge is None:
            return False
        first_recent = self._day(nudge.recent_days - 1)
        by_day = learning.stress_by_day(self.db, person, self._day(nudge.recent_days + nudge.baseline_days - 1))
        recent = [stress for day, stress in by_day if day >= first_recent]
        baseline = [stress for day, stress in by_day if day < first_recent]
        return stress_raised(recent, baseline, nudge)

    def _day(self, days_back: int) -> str:
        today = datetime.fromtimestamp(self.clock(), self.zone).date()
        return (today - timedelta(days=days_back)).isoformat()

    # -- buttons and the form -------------------------------------------------------------

    def act(self, platform: str, workspace: str, user: str, value: object, *, delivery: str | None = None) -> Reply:
        """A press of one of the plan's or a quiz's buttons by ``user``; BadLearningAction for a
        value that is none of ours. The reply's report replaces the message pressed.
        ``delivery`` identifies the request that carried the press: one seen before (a platform
        delivering it again) raises ReplayedLearningAction and changes nothing."""
        person = self.pseudonymiser.author(workspace, user)
        work = self._press(person, workspace, value)  # checked before anything is noted or stored
        if delivery is not None:
            with self.db.conn:
                if not events.first_sighting(self.db, delivery, self.clock()):
                    raise ReplayedLearningAction("this press was handled before")
        return work()

    def _press(self, person: str, workspace: str, value: object) -> Callable[[], Reply]:
        """What a press of ``value`` does, once checked; BadLearningAction for a value that is
        none of ours."""
        if not isinstance(value, str) or len(value) > _MAX_VALUE:
            raise BadLearningAction("not a learning action")
        kind, _, rest = value.partition(":")
        if value == "plan":  # "Show my plan" on a welcome card or the App Home
            return lambda: self.plan_reply(person)
        if value == "setup":
            return lambda: Reply(texts.LEARN_SETUP_OPENED, form=self.setup_form(person))
        if kind in ("start", "done") and rest in {item.id for item in self.catalog}:
            def progress() -> Reply:
                self._progress(person, workspace, kind, rest)
                return self.plan_reply(person)
            return progress
        if kind == "quiz":
            item_id, _, answers = rest.partition(":")
            item = next((i for i in self.catalog if i.id == item_id), None)
            if item is not None and item.quiz and len(answers) <= len(item.quiz) and all(
                a.isdigit() and int(a) < len(q.choices) for a, q in zip(answers, item.quiz)
            ):
                return lambda: self._quiz(person, workspace, item, answers)
        raise BadLearningAction("not a learning action")

    def _quiz(self, person: str, workspace: str, item: LearningItem, answers: str) -> Reply:
        if not item.quiz:
            return Reply(texts.LEARN_NO_QUIZ.format(title=item.title, id=item.id))
        title = texts.LEARN_QUIZ_TITLE.format(title=item.title)
        total = len(item.quiz)
        if len(answers) < total:
            question = item.quiz[len(answers)]
            report = Report(title, (
                Section((Line.of(texts.LEARN_QUIZ_QUESTION.format(n=len(answers) + 1, total=total,
                                                                  question=question.question)),)),
                Buttons(tuple(Button(choice, ACTION, f"quiz:{item.id}:{answers}{i}")
                              for i, choice in enumerate(question.choices))),
            ))
            return Reply(_plain(report), report=report)
        correct = sum(int(a) == q.answer for a, q in zip(answers, item.quiz))
        needed = -(-int(PASS_SHARE * total * 1000) // 1000)  # ceil, without float surprises
        passed = correct >= needed
        now = self.clock()
        with self.db.conn:
            learning.record_quiz(self.db, person, workspace, item.id, correct, total, passed, now)
            if passed:
                learning.complete(self.db, person, workspace, item.id, now)
        if passed:
            skills = list(item.skills)
            named = " and ".join([", ".join(skills[:-1]), skills[-1]] if len(skills) > 1 else skills)
            text = texts.LEARN_QUIZ_PASSED.format(correct=correct, total=total, title=item.title, skills=named)
        else:
            text = texts.LEARN_QUIZ_FAILED.format(correct=correct, total=total, needed=needed)
            review = self._prerequisite_to_review(item, self._completed(person))
            text += (texts.LEARN_QUIZ_REVIEW.format(title=review.title, id=review.id) if review
                     else texts.LEARN_QUIZ_RETRY.format(id=item.id))
        report = Report(title, (Section((Line.of(text),)),))
        return Reply(text, report=report)

    def welcome(self) -> Report:
        """What a person sees first (Teams' welcome card, Slack's App Home before a plan): what
        /mytraining does, with buttons to show the plan or set up a profile."""
        return Report(texts.LEARN_WELCOME_TITLE, (
            Section((Line.of(texts.LEARN_WELCOME),)),
            Buttons((Button(texts.LEARN_BUTTON_PLAN, ACTION, "plan", "primary"),
                     Button(texts.LEARN_BUTTON_SETUP, ACTION, "setup"))),
        ))

    def _prerequisite_to_review(self, item: LearningItem, completed: frozenset[str]) -> LearningItem | None:
        """After a failed quiz: the item's first prerequisite not completed, else its first."""
        if not item.prerequisites:
            return None
        first = next((p for p in item.prerequisites if p not in completed), item.prerequisites[0])
        return self.catalog.get(first)

    def setup_form(self, person: str) -> Form:
        """The form that sets role and goal, holding what is stored now."""
        stored = learning.profile(self.db, person)
        return Form(texts.LEARN_SETUP_TITLE, SETUP_ACTION, texts.LEARN_SETUP_SUBMIT, (
            FormField("role", texts.LEARN_SETUP_ROLE, "choice",
                      tuple(Choice(role, role) for role in self.roles), value=stored.role),
            FormField("goal", texts.LEARN_SETUP_GOAL, "text", value=stored.goal,
                      placeholder=texts.LEARN_SETUP_GOAL_HINT, max_length=MAX_GOAL_CHARS),
        ))

    def submit(self, workspace: str, user: str, values: Mapping[str, object]) -> Reply:
        """The setup form's submission: ``{"role": …, "goal": …}`` (either may be empty or
        missing); BadLearningAction for anything else."""
        if not isinstance(values, Mapping) or set(values) - {"role", "goal"}:
            raise BadLearningAction("not the setup form")
        role, goal = values.get("role") or None, values.get("goal") or None
        if not (role is None or (isinstance(role, str) and role in self.roles)):
            raise BadLearningAction("not a role")
        if not (goal is None or (isinstance(goal, str) and len(goal) <= MAX_GOAL_CHARS)):
            raise BadLearningAction("not a goal")
        person = self.pseudonymiser.author(workspace, user)
        private = self.pseudonymiser.text(goal.strip()) if goal and goal.strip() else None
        now = self.clock()
        with self.db.conn:
            learning.set_role(self.db, person, workspace, role, now)
            learning.set_goal(self.db, person, workspace, private, now)
        return Reply(texts.LEARN_SETUP_SAVED.format(role=role or texts.LEARN_NONE,
                                                    goal=_quoted(private) if private else texts.LEARN_NONE))


def plan_report(profile: LearnerProfile, entries: list[PlanEntry], *, nudge: bool, analysed: int | None) -> Report:
    """The plan as a neutral report (also what ``teamweather plan`` prints: ``analysed`` None,
    no footer)."""
    intro: list[Line] = []
    goal = texts.LEARN_PLAN_GOAL.format(goal=profile.goal) if profile.goal else ""
    if profile.role:
        intro.append(Line.of(texts.LEARN_PLAN_FOR.format(role=profile.role, goal=goal)))
    elif profile.goal:
        intro.append(Line.of(texts.LEARN_PLAN_ONLY_GOAL.format(goal=profile.goal)))
    else:
        intro.append(Line.of(texts.LEARN_PLAN_NO_PROFILE, "note"))
    parts: list[Section | Buttons | Footnote] = [Section(tuple(intro))]
    if not entries:
        parts.append(Section((Line.of(texts.LEARN_PLAN_EMPTY),)))
    for n, entry in enumerate(entries, start=1):
        item = entry.item
        status = texts.LEARN_STARTED if item.id in profile.started else ""
        lines = (
            Line((Span(texts.LEARN_ITEM.format(n=n), bold=True), Link(item.title, item.url))),
            Line.of(texts.LEARN_ITEM_DETAIL.format(
                format=texts.LEARN_FORMATS.get(item.format, item.format), minutes=item.minutes,
                level=item.level, id=item.id, status=status), "note"),
            Line.of(texts.LEARN_WHY.format(reasons="; ".join(reason_text(r) for r in entry.reasons))),
        )
        parts.append(Section(lines))
        buttons = [Button(texts.LEARN_BUTTON_DONE, ACTION, f"done:{item.id}", "primary")]
        if item.id not in profile.started:
            buttons.insert(0, Button(texts.LEARN_BUTTON_START, ACTION, f"start:{item.id}"))
        if item.quiz:
            buttons.append(Button(texts.LEARN_BUTTON_QUIZ, ACTION, f"quiz:{item.id}:"))
        parts.append(Buttons(tuple(buttons)))
    if nudge:
        parts.append(Section((Line.of(texts.LEARN_WELLBEING_NOTE, "note"),)))
    if analysed is not None:
        parts.append(Footnote(texts.LEARN_FOOTER.format(analysed=analysed)))
    return Report(texts.LEARN_PLAN_TITLE, tuple(parts))


def reason_text(reason: Reason) -> str:
    """Why an item is in the plan, as the person reads it."""
    if reason.kind == "skill_gap":
        return texts.LEARN_REASON_GAP.format(skill=reason.skill, target=reason.target, current=reason.current or 0)
    if reason.kind == "goal":
        if reason.words:
            return texts.LEARN_REASON_GOAL_WORDS.format(words=", ".join(reason.words))
        return texts.LEARN_REASON_GOAL
    if reason.kind == "prerequisite":
        return texts.LEARN_REASON_PREREQUISITE.format(title=reason.words[0] if reason.words else "")
    if reason.kind == "wellbeing":
        return texts.LEARN_REASON_WELLBEING
    return texts.LEARN_REASON_NEXT


def _plain(report: Report) -> str:
    """A report's plain text (notifications, and platforms that show text only)."""
    return "\n".join(plain_lines(report))


def _quoted(goal: str) -> str:
    """A person's goal inside a reply written in Markdown: as code, so that its placeholders
    (``<person>``) and any ``*`` or ``_`` show as they are."""
    return "`" + goal.replace("`", "'") + "`"
