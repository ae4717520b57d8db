"""Practical suggestions for a manager, chosen from what moved in the team's week.

The sentences live here, in :data:`ADVICE`, rather than in ``bot/texts.py`` because
``analyzers`` does not import ``bot``. They are about the team, never a person, and carry no
figures, so a suggestion can never reveal more than the digest it sits in.

Each situation (:func:`situations`) has two variants of advice (:data:`VARIANTS`), each with
its own sentence and the catalog item that teaches what the sentence asks for. A digest gets
at most two suggestions, and none that the team's two previous digests carried: a persisting
situation gets its second variant, then nothing until the first is no longer recent.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import AbstractSet, Final, Mapping, Sequence

from analyzers.catalog import Catalog, CatalogItem
from domain.teamweek import Alert, Suggestion, Suppressed, TeamWeek, previous_weeks

__all__ = [
    "ADVICE", "MIN_VOLUME_WEEKS", "STRESS_HIGH", "VARIANTS", "Advice", "situations", "suggest",
    "unresolved", "volume_collapsed",
]

#: A week counts as high-stress when even the low end of the 95% interval of mean stress
#: probability reaches this.
STRESS_HIGH: Final = 0.5
#: A week's message count has collapsed when it is at most this share of the median count of
#: the team's previous published weeks...
VOLUME_COLLAPSE: Final = 0.5
#: ...and there are at least this many such weeks to take the median of.
MIN_VOLUME_WEEKS: Final = 3
#: Mentioning stress is allowed only in these situations (and only with stress reporting on).
_STRESS_SITUATIONS: Final = frozenset({"stress_rise", "stress_high", "stress_up", "stress_still_high"})
_SUPPRESSED: Final[Mapping[Suppressed, str]] = {
    Suppressed.NO_DATA: "no_data",
    Suppressed.TOO_FEW: "too_few",
    Suppressed.OVERLAP: "overlap",
}


@dataclass(frozen=True, slots=True)
class Advice:
    """A suggestion's sentence, the id of the catalog item it links to (the one teaching what
    the sentence asks for), and the catalog topics it relates to, best first. The topics pick
    a link only from a catalog that lacks ``item``."""

    text: str
    item: str
    tags: tuple[str, ...]


#: Every advice, by key (the key is what a digest records, so that later digests skip it).
ADVICE: Final[Mapping[str, Advice]] = {
    # -- Alerts --------------------------------------------------------------------------------
    "mood_drop": Advice(
        "The team's mood fell sharply this week. Ask the team openly what changed, in your "
        "next team meeting or in one-to-ones, and listen before proposing fixes.",
        "listening-when-mood-drops",
        ("feedback", "conflict"),
    ),
    "mood_drop_tension": Advice(
        "The team's mood fell sharply this week. If tension within the team is part of it, "
        "bring the disagreement into the open and help the team work through it together.",
        "working-through-disagreement",
        ("conflict", "feedback"),
    ),
    "stress_rise": Advice(
        "Stress signals rose this week. Look with the team at what is weighing on it, agree "
        "changes that take some of the pressure off, and know where to point people to support.",
        "noticing-team-stress",
        ("stress", "workload", "wellbeing"),
    ),
    "stress_rise_workload": Advice(
        "Stress signals rose this week. Go through the team's workload and deadlines together "
        "and agree what to drop, postpone or share.",
        "workload-conversations",
        ("workload", "feedback"),
    ),
    "decline": Advice(
        "The team's mood has been sliding for several weeks. Hold a retrospective on how the "
        "team works and agree one or two concrete changes.",
        "retrospectives-that-change-things",
        ("workload", "meetings", "feedback"),
    ),
    "decline_pace": Advice(
        "The team's mood has been sliding for several weeks. Plan the coming weeks with the "
        "team with slack in the schedule, so that surprises do not turn into overtime.",
        "sustainable-pace",
        ("workload", "focus"),
    ),
    # -- An alert of the weeks before, not resolved -------------------------------------------
    "mood_still_low": Advice(
        "The team's mood has not recovered since the recent alert. Tell the team what you have "
        "changed since, and agree with them one or two concrete changes to try next.",
        "retrospectives-that-change-things",
        ("feedback", "meetings"),
    ),
    "mood_still_low_one_to_ones": Advice(
        "The team's mood has not recovered since the recent alert. Keep using your one-to-ones "
        "to hear what still weighs on people, and follow up on what you heard.",
        "one-to-ones-that-matter",
        ("feedback", "meetings"),
    ),
    "stress_still_high": Advice(
        "Stress signals are still up since the recent alert. Check with the team whether the "
        "workload changes you agreed are happening, and take more off its plate if not.",
        "workload-conversations",
        ("stress", "workload"),
    ),
    "stress_still_high_pace": Advice(
        "Stress signals are still up since the recent alert. Plan the coming weeks at a pace "
        "the team can sustain, with room for the unexpected.",
        "sustainable-pace",
        ("stress", "workload"),
    ),
    # -- Mood down -----------------------------------------------------------------------------
    "mood_dip": Advice(
        "The team's mood is lower than last week. Use your regular one-to-ones to hear how "
        "people are doing, without asking anyone to explain the figures.",
        "one-to-ones-that-matter",
        ("feedback", "meetings"),
    ),
    "mood_dip_listen": Advice(
        "The team's mood is lower than last week. In your next team meeting, ask openly what "
        "has changed and listen before proposing fixes.",
        "listening-when-mood-drops",
        ("feedback", "conflict"),
    ),
    # -- Stress up or high ---------------------------------------------------------------------
    "stress_high": Advice(
        "Stress signals are high this week. Look for what would lower the pressure on the "
        "team, such as deadlines that can move, and know where to point people to support.",
        "noticing-team-stress",
        ("stress", "workload", "wellbeing"),
    ),
    "stress_high_meetings": Advice(
        "Stress signals are high this week. Cancel or shorten meetings the team can do "
        "without, so that it gets uninterrupted time for its work.",
        "fewer-better-meetings",
        ("meetings", "focus"),
    ),
    "stress_up": Advice(
        "Stress signals are higher than last week. Ask the team what is adding to the "
        "pressure, and act on it before it builds up.",
        "noticing-team-stress",
        ("stress", "workload", "wellbeing"),
    ),
    "stress_up_workload": Advice(
        "Stress signals are higher than last week. Go through the team's workload and "
        "deadlines together and agree what to drop, postpone or share.",
        "workload-conversations",
        ("workload", "feedback"),
    ),
    # -- Volume collapsed ----------------------------------------------------------------------
    "volume_drop": Advice(
        "The team's channels were much quieter than usual this week. Unless people were away, "
        "ask the team whether its conversations moved elsewhere or something holds them back, "
        "and make sure nobody is left out of the loop.",
        "when-a-team-goes-quiet",
        ("feedback", "wellbeing"),
    ),
    "volume_drop_check_in": Advice(
        "The team's channels were much quieter than usual this week. Ask the team in a short "
        "check-in how the week went and whether anything got in the way.",
        "team-check-ins",
        ("feedback", "meetings"),
    ),
    # -- Good ----------------------------------------------------------------------------------
    "good": Advice(
        "The team's mood is good. Recognise specific contributions while they are fresh, and "
        "ask the team what helped so you can keep it that way.",
        "recognising-good-work",
        ("recognition", "feedback"),
    ),
    "good_retro": Advice(
        "The team's mood is good. Hold a short retrospective on what is working well, and "
        "agree how the team keeps it going.",
        "retrospectives-that-change-things",
        ("meetings", "feedback"),
    ),
    # -- Steady --------------------------------------------------------------------------------
    "steady": Advice(
        "Keep regular one-to-ones going, so that a change in the team's weather reaches you "
        "in person first.",
        "one-to-ones-that-matter",
        ("meetings", "feedback"),
    ),
    "steady_meetings": Advice(
        "A steady week is a good moment to go through the team's regular meetings together "
        "and drop or shorten the ones that no longer help.",
        "fewer-better-meetings",
        ("meetings", "focus"),
    ),
    # -- No figures ----------------------------------------------------------------------------
    "too_few": Advice(
        "Too few people wrote in the team's channels for figures this week. Don't read "
        "anything into the quiet; ask the team directly how the week went.",
        "team-check-ins",
        ("feedback", "meetings"),
    ),
    "too_few_one_to_ones": Advice(
        "Too few people wrote in the team's channels for figures this week. Use your "
        "one-to-ones to hear how people's weeks went, rather than reading anything into the quiet.",
        "one-to-ones-that-matter",
        ("feedback", "meetings"),
    ),
    "overlap": Advice(
        "This week's figures were held back to keep individuals anonymous. Ask the team "
        "directly how the week went.",
        "team-check-ins",
        ("feedback", "meetings"),
    ),
    "overlap_one_to_ones": Advice(
        "This week's figures were held back to keep individuals anonymous. Use your "
        "one-to-ones to hear how the week went.",
        "one-to-ones-that-matter",
        ("feedback", "meetings"),
    ),
    "no_data": Advice(
        "There are no figures for the team yet. Until there are, ask the team directly how "
        "its weeks are going.",
        "team-check-ins",
        ("feedback", "meetings"),
    ),
    "no_data_one_to_ones": Advice(
        "There are no figures for the team yet. Until there are, use your one-to-ones to hear "
        "how people are doing.",
        "one-to-ones-that-matter",
        ("feedback", "meetings"),
    ),
}

#: Each situation's advice keys, in order of preference: a digest takes the first variant
#: that the team's previous digests did not carry.
VARIANTS: Final[Mapping[str, tuple[str, ...]]] = {
    "mood_drop": ("mood_drop", "mood_drop_tension"),
    "stress_rise": ("stress_rise", "stress_rise_workload"),
    "decline": ("decline", "decline_pace"),
    "mood_still_low": ("mood_still_low", "mood_still_low_one_to_ones"),
    "stress_still_high": ("stress_still_high", "stress_still_high_pace"),
    "mood_dip": ("mood_dip", "mood_dip_listen"),
    "stress_high": ("stress_high", "stress_high_meetings"),
    "stress_up": ("stress_up", "stress_up_workload"),
    "volume_drop": ("volume_drop", "volume_drop_check_in"),
    "good": ("good", "good_retro"),
    "steady": ("steady", "steady_meetings"),
    "too_few": ("too_few", "too_few_one_to_ones"),
    "overlap": ("overlap", "overlap_one_to_ones"),
    "no_data": ("no_data", "no_data_one_to_ones"),
}


def _before(current: TeamWeek, history: Sequence[TeamWeek]) -> list[TeamWeek]:
    """The weeks of ``history`` before ``current``'s (ISO weeks sort as text)."""
    return [w for w in history if w.week < current.week]


def volume_collapsed(current: TeamWeek, history: Sequence[TeamWeek]) -> bool:
    """Whether ``current``'s published message count is at most half the median count of the
    team's previous published weeks in ``history``, given at least :data:`MIN_VOLUME_WEEKS`
    of them."""
    counts = [w.messages for w in _before(current, history) if w.published and w.messages is not None]
    if current.messages is None or len(counts) < MIN_VOLUME_WEEKS:
        return False
    median = statistics.median(counts)
    return median > 0 and current.messages <= VOLUME_COLLAPSE * median


def _stress_up(current: TeamWeek, history: Sequence[TeamWeek]) -> bool:
    """Whether this week's stress interval lies entirely above last week's published value."""
    last_week = previous_weeks(current.week, 2)[0]
    last = next((w for w in history if w.week == last_week), None)
    return (
        current.stress is not None and last is not None and last.stress is not None
        and current.stress.low > last.stress.value
    )


def unresolved(current: TeamWeek, earlier: Sequence[Alert]) -> list[str]:
    """``mood_still_low`` / ``stress_still_high`` for each figure alerted in ``earlier`` (the
    alerts of the weeks before, within the cooldown) that has not come back even half way
    from the alert's value to the baseline it was compared with."""
    found: list[str] = []
    for alert in earlier:
        if alert.rule in ("mood_drop", "decline") and current.mood is not None:
            if current.mood.value < (alert.value + alert.baseline) / 2:
                found.append("mood_still_low")
        elif alert.rule == "stress_rise" and current.stress is not None:
            if current.stress.value > (alert.value + alert.baseline) / 2:
                found.append("stress_still_high")
    return list(dict.fromkeys(found))


def situations(
    current: TeamWeek,
    history: Sequence[TeamWeek],
    alerts: Sequence[Alert],
    *,
    stress_reporting: bool,
    earlier: Sequence[Alert] = (),
) -> list[str]:
    """The situations (keys of :data:`VARIANTS`) that apply to this week, most pressing first.

    ``history`` is the team's weeks, oldest first (those from ``current``'s week on are
    ignored). A suppressed week has one situation, its reason. Otherwise: the alert rules that
    fired (mood_drop, stress_rise, decline); for a figure not alerted this week, its alert of
    the weeks before (``earlier``) if still :func:`unresolved`; ``mood_dip`` when no mood
    alert fired but the mood
    change's interval lies below zero; ``stress_high`` when even the low end of the stress
    interval reaches :data:`STRESS_HIGH`, else ``stress_up`` when it lies above last week's
    value (neither when stress_rise fired); ``volume_drop`` (:func:`volume_collapsed`);
    ``good`` when nothing else applies and the mood interval lies above zero; and ``steady``
    when nothing at all does. With ``stress_reporting`` off there is no stress situation.
    """
    if current.suppressed is not None:
        return [_SUPPRESSED[current.suppressed]]
    rules = {alert.rule for alert in alerts}
    if not stress_reporting:
        rules.discard("stress_rise")
    found: list[str] = [rule for rule in ("mood_drop", "stress_rise", "decline") if rule in rules]
    still = unresolved(current, earlier)
    if "mood_still_low" in still and not {"mood_drop", "decline"} & rules:
        found.append("mood_still_low")
    if "stress_still_high" in still and "stress_rise" not in rules and stress_reporting:
        found.append("stress_still_high")
    if not {"mood_drop", "decline"} & rules and "mood_still_low" not in found and current.mood_change and current.mood_change.high < 0:
        found.append("mood_dip")
    if stress_reporting and not {"stress_rise", "stress_still_high"} & set(found) and current.stress is not None:
        if current.stress.low >= STRESS_HIGH:
            found.append("stress_high")
        elif _stress_up(current, history):
            found.append("stress_up")
    if volume_collapsed(current, history):
        found.append("volume_drop")
    if not found and current.mood and current.mood.low > 0:
        found.append("good")
    return found or ["steady"]


def _link(advice: Advice, catalog: Catalog, *, excluded: AbstractSet[str], used: AbstractSet[str]) -> CatalogItem | None:
    """The catalog item a suggestion of ``advice`` links to, or None.

    Its own item when the catalog has it for managers (and without an ``excluded`` tag), unless
    this digest links it already. A catalog without it gets the best match on the advice's
    topics that this digest does not link yet."""
    try:
        own: CatalogItem | None = catalog.get(advice.item)
    except KeyError:
        own = None
    if own is not None and own.is_for("manager") and not excluded & set(own.tags):
        return None if own.id in used else own
    matches = catalog.matching(advice.tags, "manager", exclude_tags=excluded, exclude_ids=used)
    return matches[0] if matches else None


def suggest(
    current: TeamWeek,
    history: Sequence[TeamWeek],
    alerts: Sequence[Alert],
    catalog: Catalog,
    *,
    stress_reporting: bool,
    recent: AbstractSet[str] = frozenset(),
    earlier: Sequence[Alert] = (),
    limit: int = 2,
) -> tuple[Suggestion, ...]:
    """Up to ``limit`` suggestions for the manager of the team whose week is ``current``: one
    per situation (:func:`situations`), most pressing first, and no filler.

    ``history`` is the team's weeks (published or not), oldest first, ending with ``current``;
    ``alerts`` the rules that fired this week; ``earlier`` the team's alerts of the weeks
    before, within the cooldown; ``recent`` the advice keys the team's previous
    digests carried (see ``storage.suggestions.recent``). A situation takes its first variant
    not in ``recent``, preferring one whose link this digest does not already carry, and is
    left out when every variant is recent. Each suggestion links to its advice's own catalog
    item (see :func:`_link`); no two link to the same item. With ``stress_reporting`` off,
    nothing returned mentions stress: no stress situation, and no catalog item tagged stress.
    """
    excluded = frozenset() if stress_reporting else frozenset({"stress"})
    used: set[str] = set()
    chosen: list[Suggestion] = []
    for situation in situations(current, history, alerts, stress_reporting=stress_reporting, earlier=earlier):
        if len(chosen) >= limit:
            break
        fresh = [key for key in VARIANTS[situation] if key not in recent]
        if not fresh:
            continue
        linked = ((key, _link(ADVICE[key], catalog, excluded=excluded, used=used)) for key in fresh)
        key, item = next(((k, i) for k, i in linked if i is not None), (fresh[0], None))
        advice = ADVICE[key]
        if item is None:
            chosen.append(Suggestion(advice.text, key=key))
        else:
            used.add(item.id)
            chosen.append(Suggestion(advice.text, item.title, item.url, key=key))
    return tuple(chosen)
