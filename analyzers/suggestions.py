"""Practical suggestions for a manager, chosen from the team's published week and its alerts.

The sentences live here, in :data:`ADVICE`, rather than in ``bot/texts.py`` because
``analyzers`` does not import ``bot``. They are about the team, never a person, and carry no
figures, so a suggestion can never reveal more than the digest it sits in. Each suggestion
links to the training catalog item for managers that best shares its topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Mapping, Sequence

from analyzers.catalog import Catalog
from analyzers.teamweek import Alert, Suggestion, Suppressed, TeamWeek

__all__ = ["ADVICE", "STRESS_HIGH", "Advice", "situations", "suggest"]

#: A week counts as high-stress when even the low end of the 95% interval of mean stress
#: probability reaches this.
STRESS_HIGH: Final = 0.5
#: Mentioning stress is allowed only in these situations (and only with stress reporting on).
_STRESS_SITUATIONS: Final = frozenset({"stress_rise", "stress_high"})
#: Always-sensible advice that fills a digest up to two suggestions.
_FILLERS: Final = ("steady", "focus")


@dataclass(frozen=True, slots=True)
class Advice:
    """A suggestion's sentence and the catalog topics it relates to, best first."""

    text: str
    tags: tuple[str, ...]


ADVICE: Final[Mapping[str, Advice]] = {
    "mood_drop": Advice(
        "The team's mood fell sharply this week. Ask the team openly what changed, in your "
        "next team meeting or in one-to-ones, and listen before proposing fixes.",
        ("feedback", "conflict"),
    ),
    "stress_rise": Advice(
        "Stress signals rose this week. Go through the team's workload and deadlines "
        "together and agree what to drop, postpone or share.",
        ("stress", "workload"),
    ),
    "decline": Advice(
        "The team's mood has been sliding for several weeks. Hold a retrospective on how the "
        "team works and agree one or two concrete changes.",
        ("workload", "meetings", "feedback"),
    ),
    "mood_dip": Advice(
        "The team's mood is lower than last week. Use your regular one-to-ones to hear how "
        "people are doing, without asking anyone to explain the figures.",
        ("feedback", "meetings"),
    ),
    "stress_high": Advice(
        "Stress signals are high this week. Look for deadlines, interruptions or meetings you "
        "can take off the team's plate.",
        ("stress", "workload", "focus"),
    ),
    "too_few": Advice(
        "Too few people wrote in the team's channels for figures this week. Don't read "
        "anything into the quiet; ask the team directly how the week went.",
        ("feedback", "meetings"),
    ),
    "overlap": Advice(
        "This week's figures were held back to keep individuals anonymous. Ask the team "
        "directly how the week went.",
        ("feedback", "meetings"),
    ),
    "good": Advice(
        "The team's mood is good. Recognise specific contributions while they are fresh, and "
        "ask the team what helped so you can keep it that way.",
        ("recognition", "feedback"),
    ),
    "steady": Advice(
        "Keep regular one-to-ones going, so that a change in the team's weather reaches you "
        "in person first.",
        ("meetings", "feedback"),
    ),
    "focus": Advice(
        "Protect a few meeting-free blocks each week for focused work.",
        ("focus", "meetings"),
    ),
}


def situations(current: TeamWeek, alerts: Sequence[Alert], *, stress_reporting: bool) -> list[str]:
    """The keys of :data:`ADVICE` that apply to this week, most pressing first, without fillers."""
    if current.suppressed is not None:
        return ["too_few" if current.suppressed is Suppressed.TOO_FEW else "overlap"]
    rules = {alert.rule for alert in alerts}
    found: list[str] = [rule for rule in ("mood_drop", "stress_rise", "decline") if rule in rules]
    if not {"mood_drop", "decline"} & rules and current.mood_change and current.mood_change.high < 0:
        found.append("mood_dip")
    if "stress_rise" not in rules and current.stress and current.stress.low >= STRESS_HIGH:
        found.append("stress_high")
    if not found and current.mood and current.mood.low > 0:
        found.append("good")
    if not stress_reporting:
        found = [key for key in found if key not in _STRESS_SITUATIONS]
    return found


def suggest(
    current: TeamWeek,
    alerts: Sequence[Alert],
    catalog: Catalog,
    *,
    stress_reporting: bool,
    limit: int = 3,
) -> tuple[Suggestion, ...]:
    """Up to ``limit`` suggestions (at least two when ``limit`` allows) for the manager of the
    team whose week is ``current``, given the alerts that fired on it.

    Each links to a different catalog item for managers sharing its topics, when one does.
    With ``stress_reporting`` off, nothing returned mentions stress: no stress situation, and
    no catalog item tagged stress.
    """
    keys = list(dict.fromkeys([*situations(current, alerts, stress_reporting=stress_reporting), *_FILLERS]))
    excluded = () if stress_reporting else ("stress",)
    used: set[str] = set()
    chosen: list[Suggestion] = []
    for key in keys[: max(limit, 0)]:
        advice = ADVICE[key]
        items = catalog.matching(advice.tags, "manager", exclude_tags=excluded, exclude_ids=used)
        if items:
            used.add(items[0].id)
            chosen.append(Suggestion(advice.text, items[0].title, items[0].url))
        else:
            chosen.append(Suggestion(advice.text))
    return tuple(chosen)
