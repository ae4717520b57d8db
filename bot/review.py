"""HR review of flagged messages, in the platform-neutral core (issue [review]).

:class:`ReviewDesk` turns a flag into the review post (a :class:`bot.report.Report` with
buttons, which each adapter renders: Slack buttons in the review channel, a Teams Adaptive
Card) and handles a reviewer's press: an authorised press stores the label under the
reviewer's pseudonym and returns the post to show in place and a line for its thread; anyone
else gets a private refusal and nothing is stored. A button carries ``"<flag id>:<choice>"``
and nothing else: the text is read from the database, where it expires or is erased.

:func:`post_pending` is the scheduled job's part: it posts the flags not yet posted through
the platform's :class:`ReviewBoard`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

import sqlite_utils

from analyzers.pseudonymise import Pseudonymiser
from bot import texts
from bot.platform_ids import bare, canonical, platform_of
from bot.report import Button, Buttons, Footnote, Line, Link, Report, Section, Span
from domain.errors import PlatformUnavailable, TeamweatherError
from storage import audit, events, review

__all__ = ["ACTION", "ActionResult", "BadAction", "ReviewBoard", "ReviewDesk", "parse_value", "post_pending",
           "post_report", "retract_withdrawn", "round_report", "withdrawn_report"]

log = logging.getLogger(__name__)

ACTION = "review"  # the Button.action every review button carries
CHOICES = tuple(texts.REVIEW_CHOICES)
DAY_S = 86_400.0


class BadAction(TeamweatherError):
    """A review button value that is not ``<flag id>:<choice>``."""


def parse_value(value: object) -> tuple[int, str]:
    """``(flag id, choice)`` from a button's value; BadAction for anything else."""
    if not isinstance(value, str) or len(value) > 64:
        raise BadAction("not a review action")
    head, _, choice = value.partition(":")
    if not head.isdigit() or choice not in CHOICES:
        raise BadAction("not a review action")
    return int(head), choice


class ReviewBoard(Protocol):
    """A platform's review channel (used by the scheduled jobs, on their own thread)."""

    def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
        """Post ``report`` to ``channel`` (the platform's own id); return where it is (ids only),
        to update it later. Raise PlatformUnavailable if the platform refused."""
        ...

    def update(self, post: Mapping[str, Any], report: Report, text: str) -> None:
        """Show ``report`` in place of the post."""
        ...

    def reply(self, post: Mapping[str, Any], text: str) -> None:
        """Answer in the post's thread (its reply chain on Teams)."""
        ...


@dataclass(frozen=True)
class ActionResult:
    """What to do after a press. ``replayed``: this very request was handled before, nothing
    happened and nothing is to be said. ``refusal``: tell only the person who pressed, nothing
    else happened. Otherwise ``report`` replaces the post (``post``: where it is, when known)
    and ``thread`` is said in its thread."""

    replayed: bool = False
    refusal: str | None = None
    report: Report | None = None
    text: str = ""  # the notification text of ``report``
    thread: str | None = None
    post: Mapping[str, Any] | None = None


def _percent(p: float | None) -> str:
    return "?" if p is None else f"{round(100 * p)}%"


def _answers(label: review.Label) -> str:
    parts = []
    if label.sentiment is not None:
        parts.append(label.sentiment)
    if label.stress is not None:
        parts.append(texts.REVIEW_STRESS_WORDS[label.stress])
    return ", ".join(parts)


class ReviewDesk:
    """Review posts and presses for one database connection; ``reviewers`` are
    platform-qualified user ids (``slack:U…``, ``msteams:<guid>``)."""

    def __init__(self, db: sqlite_utils.Database, pseudonymiser: Pseudonymiser, *,
                 reviewers: frozenset[str] | set[str] | tuple[str, ...], guidelines_url: str,
                 channel: str | None = None, retention_days: int = 365,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.pseudonymiser = pseudonymiser
        self.reviewers = frozenset(canonical(r) for r in reviewers)
        self.channel = None if channel is None else canonical(channel)
        self.guidelines_url = guidelines_url
        self.retention_days = retention_days
        self.clock = clock

    # -- the post ---------------------------------------------------------------------------

    def report(self, flag: review.Flag) -> Report:
        """The review post for ``flag`` as it stands (its labels so far included)."""
        labels = review.labels_for(self.db, flag.id)
        if flag.status == "deleted":
            body = Section((Line.of(texts.REVIEW_DELETED_TEXT), Line.of(texts.REVIEW_DELETED, "note")))
            return Report(texts.REVIEW_TITLE.format(id=flag.id), (body,))
        lines: list[Line] = [
            Line.of(texts.REVIEW_INTRO, "note"),
            Line((Span(texts.REVIEW_TEXT.format(text=flag.text), italic=True),)),
            Line.of(texts.REVIEW_PREDICTION.format(
                model=flag.model_version or "?", sentiment=flag.sentiment or "?",
                negative=_percent(flag.p_negative), neutral=_percent(flag.p_neutral),
                positive=_percent(flag.p_positive), stress=_percent(flag.stress)), "note"),
            Line.of(texts.REVIEW_WHY.get(flag.policy, flag.policy), "note"),
            Line((Link(texts.REVIEW_GUIDELINES, self.guidelines_url),), "note"),
        ]
        answered = [Line.of(texts.REVIEW_LABEL_LINE.format(n=n, answers=_answers(label)), "bullet")
                    for n, label in enumerate(labels, start=1)]
        if flag.status == "skipped" and not answered:
            answered = [Line.of(texts.REVIEW_SKIPPED, "note")]
        parts: list[Any] = [Section(tuple(lines))]
        parts.append(Section(tuple(answered) or (Line.of(texts.REVIEW_NOTHING_YET, "note"),),
                             heading=texts.REVIEW_LABELS))

        def buttons(label: str | None, choices: tuple[str, ...]) -> Buttons:
            return Buttons(tuple(Button(texts.REVIEW_CHOICES[c], ACTION, f"{flag.id}:{c}",
                                        "danger" if c == "delete" else "default") for c in choices), label)

        parts.append(buttons(texts.REVIEW_SENTIMENT, ("sentiment:negative", "sentiment:neutral", "sentiment:positive")))
        parts.append(buttons(texts.REVIEW_STRESS, ("stress:yes", "stress:no")))
        parts.append(buttons(texts.REVIEW_OTHER, ("skip", "delete")))
        parts.append(Footnote(texts.REVIEW_FOOTNOTE))
        return Report(texts.REVIEW_TITLE.format(id=flag.id), tuple(parts))

    @staticmethod
    def text(report: Report) -> str:
        """The post's plain notification text."""
        return report.title

    # -- a press ----------------------------------------------------------------------------

    def act(self, platform: str, workspace: str, user: str, value: object, *,
            channel: str | None = None, delivery: str | None = None) -> ActionResult:
        """Handle a press of a review button by ``user`` (the platform's own id) on ``platform``,
        in ``channel`` (the platform's own id; None: not in a channel). When the desk has a
        review channel, a press anywhere else is refused. ``delivery`` identifies the request that carried the press: one seen before
        (a replay) changes nothing and says ``replayed``. The press is noted in the same
        transaction as what it stores."""
        with self.db.conn:
            if delivery is not None and not events.first_sighting(self.db, delivery, self.clock()):
                return ActionResult(replayed=True)
            if self.channel is not None and f"{platform}:{channel}" != self.channel:
                return ActionResult(refusal=texts.REVIEW_WRONG_CHANNEL)
            return self._act(platform, workspace, user, value)

    def _act(self, platform: str, workspace: str, user: str, value: object) -> ActionResult:
        if f"{platform}:{user}" not in self.reviewers:
            return ActionResult(refusal=texts.REVIEW_NOT_REVIEWER)
        try:
            flag_id, choice = parse_value(value)
        except BadAction:
            return ActionResult(refusal=texts.REVIEW_BAD_ACTION)
        reviewer = self.pseudonymiser.reviewer(workspace, user)
        now = self.clock()
        flag = review.get(self.db, flag_id)
        if flag is None or flag.status == "deleted":
            return ActionResult(refusal=texts.REVIEW_GONE)
        before = review.labels_for(self.db, flag_id)
        thread = self._apply(flag, reviewer, choice, before, now)
        audit.record(self.db, "review_label", actor=reviewer, subject=str(flag_id),
                     detail={"choice": choice}, at=now)
        updated = review.get(self.db, flag_id)
        assert updated is not None
        report = self.report(updated)
        return ActionResult(report=report, text=self.text(report), thread=thread, post=updated.post)

    def _apply(self, flag: review.Flag, reviewer: str, choice: str, before: list[review.Label],
               now: float) -> str:
        order = [label.reviewer for label in before]
        n = order.index(reviewer) + 1 if reviewer in order else len(order) + 1
        if choice == "skip":
            review.skip(self.db, flag.id)
            return texts.REVIEW_THREAD_SKIP.format(n=n)
        if choice == "delete":
            review.erase_text(self.db, flag.id)
            return texts.REVIEW_THREAD_DELETE.format(n=n)
        task, _, answer = choice.partition(":")
        keep_until = now + self.retention_days * DAY_S
        if task == "sentiment":
            review.label(self.db, flag.id, reviewer, now=now, keep_until=keep_until, sentiment=answer)
            value: object = answer
            what = f"sentiment {answer}"
        else:
            stressed = answer == "yes"
            review.label(self.db, flag.id, reviewer, now=now, keep_until=keep_until, stress=stressed)
            value = stressed
            what = texts.REVIEW_STRESS_WORDS[stressed]
        others = [(i, label) for i, label in enumerate(before, start=1)
                  if label.reviewer != reviewer and getattr(label, task) is not None]
        if not others:
            return texts.REVIEW_THREAD_LABEL.format(n=n, what=what)
        other_n, other = others[-1]
        theirs = getattr(other, task)
        if theirs == value:
            return texts.REVIEW_THREAD_CONFIRM.format(n=n, what=what)
        shown = theirs if task == "sentiment" else texts.REVIEW_STRESS_WORDS[bool(theirs)]
        return texts.REVIEW_THREAD_DISAGREE.format(n=n, what=what, other=other_n, theirs=shown)


def post_pending(db: sqlite_utils.Database, desk: ReviewDesk, boards: Mapping[str, ReviewBoard],
                 channel: str, *, limit: int = 20) -> int:
    """Post up to ``limit`` flags not yet posted to the review ``channel`` (platform-qualified)
    through that platform's board; returns how many were posted. A refused post stops the run
    (the next run tries again); a post that succeeds is recorded at once. A crash between the
    two posts that flag again next time (at least once)."""
    board = boards.get(platform_of(channel))
    if board is None:
        return 0
    posted = 0
    for flag in review.unposted(db, limit):
        report = desk.report(flag)
        try:
            where = board.post(bare(channel), report, desk.text(report))
        except PlatformUnavailable as exc:
            log.warning("could not post a flag to the review channel (%s); will retry", exc)
            break
        with db.conn:
            review.mark_posted(db, flag.id, where, desk.clock())
        posted += 1
    return posted


RETRACT_ATTEMPTS = 60  # the job runs every minute: an hour of refusals (an uninstalled app) gives up


def withdrawn_report() -> Report:
    """What a review post shows once its flag is gone: no text, no labels, no buttons."""
    return Report(texts.REVIEW_WITHDRAWN_TITLE, (Section((Line.of(texts.REVIEW_WITHDRAWN, "note"),)),))


def retract_withdrawn(db: sqlite_utils.Database, boards: Mapping[str, ReviewBoard], channel: str,
                      *, limit: int = 50) -> int:
    """Replace the review posts of flags that are gone (message deleted or edited, forget-me,
    expiry, workspace purge) with :func:`withdrawn_report`, through the review ``channel``'s
    platform board; how many were withdrawn. A refused update is tried again next run, and
    given up after :data:`RETRACT_ATTEMPTS`."""
    board = boards.get(platform_of(channel))
    if board is None:
        return 0
    report, done = withdrawn_report(), 0
    for retraction, post in review.withdrawn(db, limit):
        try:
            board.update(post, report, report.title)
        except PlatformUnavailable as exc:
            with db.conn:
                gave_up = review.retraction_failed(db, retraction, RETRACT_ATTEMPTS)
            log.warning("could not withdraw a review post (%s)%s", exc,
                        "; given up" if gave_up else "; will retry")
            continue
        with db.conn:
            review.retracted(db, retraction)
        done += 1
    return done


def round_report(text: str) -> Report:
    """A retraining round's report (:meth:`training.retrain.RetrainReport.as_text`: a title,
    then "- " items) as the message the review channel gets."""
    title, *rest = [line for line in text.splitlines() if line.strip()] or ["Retraining"]
    lines = tuple(Line.of(line[2:], "bullet") if line.startswith("- ") else Line.of(line) for line in rest)
    return Report(title, (Section(lines),) if lines else ())


def post_report(boards: Mapping[str, ReviewBoard], channel: str, text: str) -> Mapping[str, Any]:
    """Post a retraining round's report to the review ``channel`` (platform-qualified) through
    its platform's board; PlatformUnavailable when that platform is not enabled or refuses."""
    board = boards.get(platform_of(channel))
    if board is None:
        raise PlatformUnavailable(f"the review channel is on {platform_of(channel)}, which is not enabled")
    report = round_report(text)
    return board.post(bare(channel), report, report.title)
