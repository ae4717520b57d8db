"""The published shape of a team's week: what aggregation produces and digests, alerts and
charts consume. Nothing here can hold a person's words, pseudonym or individual score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class Suppressed(str, Enum):
    """Why a team-week publishes no numbers."""

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
    sentence for the recipients naming the test and the figures.
    """

    team: str
    week: str
    rule: str
    reason: str
    value: float  # this week's value of the metric the rule watches
    baseline: float  # what it was compared with


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A practical suggestion for a manager, optionally linking to a training catalog item."""

    text: str
    title: str | None = None
    url: str | None = None


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
    generated: dt.date = field(default_factory=dt.date.today)


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
