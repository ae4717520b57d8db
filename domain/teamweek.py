"""The published shape of a team's week: what aggregation produces and digests, alerts and
charts consume. Nothing here can hold a person's words, pseudonym or individual score.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import Enum


class Suppressed(str, Enum):
    """Why a team-week publishes no numbers."""

    NO_DATA = "no_data"  # before the team's channels had any scored message
    TOO_FEW = "too_few"  # fewer than k people contributed
    OVERLAP = "overlap"  # another team differs by fewer than k people: publishing both would
    # let a reader subtract one from the other


@dataclass(frozen=True, slots=True)
class Estimate:
    """A published value with its 95% interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class TeamWeek:
    """One team's numbers for one ISO week (``"2026-W47"``).

    Every ``Estimate`` is ``None`` when ``suppressed`` is set; ``contributors`` and ``messages``
    are then ``None`` too, since even a head count below k says too much.

    - ``mood``: −100..100, from each message's 100·(p_positive − p_negative);
    - ``negative``: share (0..1) of messages labelled negative;
    - ``stress``: mean stress probability (0..1); ``stressed``: share of messages above the
      stress threshold. Both ``None`` when stress reporting is off.

    Each is a mean over people of per-person weekly means, so everyone counts once.
    ``mood_change`` is this week's mood minus last week's (``None`` if either is suppressed).
    """

    team: str
    week: str
    suppressed: Suppressed | None
    contributors: int | None = None
    messages: int | None = None
    mood: Estimate | None = None
    negative: Estimate | None = None
    stress: Estimate | None = None
    stressed: Estimate | None = None
    mood_change: Estimate | None = None

    @property
    def published(self) -> bool:
        return self.suppressed is None


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule that fired on a team's published numbers, with the numbers it fired on.

    ``rule`` is one of ``"mood_drop"``, ``"stress_rise"``, ``"decline"``; ``reason`` is a
    plain sentence for the recipients (what happened, how sure we are); ``detail`` names the
    test and its statistics, for the preview only.
    """

    team: str
    week: str
    rule: str
    reason: str
    value: float  # this week's value of the metric the rule watches
    baseline: float  # what it was compared with
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A practical suggestion for a manager, optionally linking to a training catalog item;
    ``key`` names the advice it came from (so a digest need not repeat last weeks')."""

    text: str
    title: str | None = None
    url: str | None = None
    key: str = ""


@dataclass(frozen=True, slots=True)
class SkillActivity:
    """Learning items a team completed in a week for one skill, and how many people completed
    them (published only from k people up)."""

    skill: str
    items: int
    people: int


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything a manager's weekly message shows: this week, the 8-week history (oldest
    first, ending with this week), alerts and suggestions."""

    team: str
    week: str
    current: TeamWeek
    history: tuple[TeamWeek, ...]
    alerts: tuple[Alert, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    stress_reporting: bool = True
    k: int = 5
    noise: bool = False
    stress_threshold: float = 0.5  # a message counts as stressed from this likelihood up
    earlier_alerts: tuple[Alert, ...] = ()  # alerts of the weeks before, within the cooldown
    learning: tuple[SkillActivity, ...] = ()  # /mytraining completions per skill, k people up
    generated: dt.date = field(default_factory=dt.date.today)


MINUS = "\u2212"


def shown(value: float, scale: float = 1) -> int:
    """The whole number a figure is written as (``value * scale`` rounded half away from
    zero): every figure and every change between figures is computed from these, so a
    change shown always equals the difference of the figures shown."""
    x = value * scale
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def signed(n: int) -> str:
    """``+12``, ``−7`` (a real minus sign), ``0``."""
    return f"+{n}" if n > 0 else f"{MINUS}{-n}" if n < 0 else "0"


def plain(n: int) -> str:
    """``12``, ``−7``."""
    return f"{MINUS}{-n}" if n < 0 else str(n)


def mood_text(value: float) -> str:
    """A mood as written everywhere: ``+12``, ``−7``."""
    return signed(shown(value))


def percent_text(share: float) -> str:
    """A share (0..1) as written everywhere: ``25%``."""
    return f"{plain(shown(share, 100))}%"


def points(n: int) -> str:
    """A change in points: ``+3 points``, ``−1 point``."""
    return f"{signed(n)} point{'' if abs(n) == 1 else 's'}"


def iso_week(day: dt.date) -> str:
    """``"2026-W47"`` for a date."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> dt.date:
    """The Monday of an ISO week written ``"2026-W47"``; ValueError if malformed."""
    try:
        year, number = week.split("-W")
        return dt.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ValueError(f"not an ISO week like 2026-W47: {week!r}") from None


def previous_weeks(week: str, n: int) -> list[str]:
    """The ``n`` ISO weeks ending with ``week``, oldest first."""
    monday = week_start(week)
    return [iso_week(monday - dt.timedelta(weeks=i)) for i in range(n - 1, -1, -1)]
