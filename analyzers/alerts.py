"""Alert rules: when a team's weather turns, judged only against the team's own published weeks.

Three rules, each reading published (k-anonymous) team numbers only:

- ``mood_drop``: this week's mood is significantly below its baseline *and* at least
  ``AlertRules.mood_drop`` points below the baseline mean.
- ``stress_rise``: the same on mean stress probability, at least ``AlertRules.stress_rise``
  above; only where the deployment reports stress to employers at all.
- ``decline``: mood fell three weeks running (four consecutive published weeks, each lower than
  the one before) by at least ``AlertRules.mood_drop`` points in total.

The **baseline** is the published weeks among the 8 weeks before the evaluated one (suppressed or
missing weeks are skipped, never filled in); with fewer than 4 of them the baseline rules stay
silent, since a spread estimated from 3 points or fewer is too unstable to test against.

The **test** is a one-sided t-test of the new week against the baseline's prediction interval:
``t = (x − mean_b) / (s_b · √(1 + 1/m))`` with ``m − 1`` degrees of freedom, where ``mean_b`` and
``s_b`` are the mean and sample standard deviation of the ``m`` baseline weeks. Weekly values
already carry sampling noise (who wrote, how much, optional Laplace noise), so week-to-week spread
is the right yardstick; the ``1/m`` term accounts for the baseline mean being an estimate too. If
the baseline weeks are all equal (``s_b = 0``) any change in the tested direction counts as
significant and the minimum absolute change alone decides.

**Cooldown**: if any alert fired for the team in the ``cooldown_weeks − 1`` weeks before this one,
a new alert fires only if its metric got worse than in an earlier alert on the same metric (mood
lower, stress higher) by at least half the rule's minimum change (``WORSE_SHARE`` ×
``mood_drop`` or ``stress_rise``), so a flat week after an alert does not repeat it. A
suppressed week never alerts.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from typing import Final, Sequence

from scipy import stats
from domain.teamweek import MINUS, Alert, TeamWeek, mood_text, percent_text, plain, previous_weeks, shown, week_start

__all__ = [
    "AlertRules",
    "BASELINE_WEEKS",
    "MIN_BASELINE_WEEKS",
    "BaselineTest",
    "baseline_test",
    "chance_text",
    "evaluate",
]

#: What managers and HR read: what happened and how sure we are, in one or two sentences.
#: Figures are written as the digest writes them (signed mood, a real minus sign).
MOOD_DROP_REASON: Final = (
    "Mood fell to {value} from its usual {baseline}{record}. A drop this large happens by "
    "chance {chance}."
)
STRESS_RISE_REASON: Final = (
    "The stress index rose to {value} from its usual {baseline}{record}. A rise this large "
    "happens by chance {chance}."
)
DECLINE_REASON: Final = "Mood has fallen three weeks running, from {first} to {last} ({path})."
WORSE_REASON: Final = " That is {worse} than when we alerted you in week {week} ({value})."
LOWEST: Final = ", the lowest in {weeks} weeks"
HIGHEST: Final = ", the highest in {weeks} weeks"
#: The statistics behind a sentence, for the preview: ``{p}`` is like "p = 0.004".
BASELINE_DETAIL: Final = (
    "One-sided t-test of this week against the prediction interval of the {weeks} published "
    "weeks before it (mean {baseline}, standard deviation {sd}): t = {t}, {df} df, {p}; the "
    "alert needs p below {alpha} and a change of at least {minimum}."
)
DECLINE_DETAIL: Final = (
    "Three falls in a row of at least {step} each, {fall} in all; the alert needs at least "
    "{minimum} in all (the larger of alerts.mood_drop and {spreads} times the spread of the "
    "weeks before)."
)
CHANCE_BELOW: Final = "less than 1 time in {n:,}"
CHANCE_ABOUT: Final = "about 1 time in {n:,}"

BASELINE_WEEKS: Final = 8
# Three falls in a row happen by chance about one week in 24, so a decline must also fall by
# this many standard deviations of the weeks before it. Simulated 8-person teams with a weekly
# spread of 4.6 points: chance decline alerts 0.18 a year instead of 0.87 (docs/benchmarks.md).
DECLINE_SPREADS: Final = 5.0
MIN_BASELINE_WEEKS: Final = 4
_DECLINE_WEEKS: Final = 4  # three falls between four weeks
#: Each of the three falls must be at least this many points, so the path in the reason falls
#: visibly at every step.
DECLINE_STEP: Final = 1.0
#: Within the cooldown, a new alert must be worse than the earlier one by this share of the
#: rule's minimum change.
WORSE_SHARE: Final = 0.5

#: Which metric each rule watches, and whether a higher value of it is worse.
_METRIC: Final[dict[str, tuple[str, bool]]] = {
    "mood_drop": ("mood", False),
    "decline": ("mood", False),
    "stress_rise": ("stress", True),
}


@dataclass(frozen=True, slots=True)
class AlertRules:
    """When alerts fire (``alerts:`` in ``teamweather.yaml``, read by ``bot.config``)."""

    enabled: bool = True
    mood_drop: float = 10.0  # fewest mood points below the baseline that count as a drop
    stress_rise: float = 0.08  # smallest rise of the stress index (0..1) that counts
    p_value: float = 0.01
    cooldown_weeks: int = 2


@dataclass(frozen=True, slots=True)
class BaselineTest:
    """One week's value tested against its baseline weeks."""

    mean: float  # baseline mean
    sd: float  # baseline sample standard deviation
    weeks: int  # baseline weeks used
    t: float
    p: float  # one-sided, in the direction tested


def evaluate(
    history: Sequence[TeamWeek],
    previous: Sequence[Alert],
    settings: AlertRules,
    *,
    stress_reporting: bool,
) -> list[Alert]:
    """The alerts that fire for the last week of ``history``.

    ``history`` is the team's weeks oldest first, ending with the week evaluated (weeks outside
    the 8 before it are ignored); ``previous`` are alerts fired for the team in earlier weeks.
    """
    if not history or not settings.enabled:
        return []
    current = history[-1]
    if not current.published:
        return []
    by_week = {tw.week: tw for tw in history if tw.team == current.team}
    before = [by_week.get(w) for w in previous_weeks(current.week, BASELINE_WEEKS + 1)[:-1]]
    alerts: list[Alert] = []

    mood = _value(current, "mood")
    if mood is not None:
        alert = _baseline_rule(current, "mood_drop", mood, before, settings.mood_drop, settings.p_value)
        if alert is not None:
            alerts.append(alert)
        alert = _decline(current, by_week, max(settings.mood_drop, DECLINE_SPREADS * _spread_before_decline(before)))
        if alert is not None:
            alerts.append(alert)

    stress = _value(current, "stress")
    if stress_reporting and stress is not None:
        alert = _baseline_rule(
            current, "stress_rise", stress, before, settings.stress_rise, settings.p_value
        )
        if alert is not None:
            alerts.append(alert)

    return _cooldown(alerts, previous, current, settings)


def baseline_test(value: float, baseline: Sequence[float], *, higher: bool) -> BaselineTest:
    """One-sided t-test of ``value`` against the prediction interval of ``baseline``.

    ``higher`` tests for a rise, otherwise for a fall. Needs at least two baseline values.
    """
    m = len(baseline)
    if m < 2:
        raise ValueError(f"a baseline needs at least 2 weeks, got {m}")
    mean = statistics.fmean(baseline)
    sd = statistics.stdev(baseline, mean)
    diff = value - mean
    if sd > 0:
        t = diff / (sd * math.sqrt(1 + 1 / m))
    else:
        t = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    p = float(stats.t.sf(t, m - 1) if higher else stats.t.cdf(t, m - 1))
    return BaselineTest(mean=mean, sd=sd, weeks=m, t=t, p=p)


def _value(tw: TeamWeek | None, metric: str) -> float | None:
    if tw is None or not tw.published:
        return None
    estimate = tw.mood if metric == "mood" else tw.stress
    return None if estimate is None else estimate.value


def _baseline_rule(
    current: TeamWeek,
    rule: str,
    value: float,
    before: Sequence[TeamWeek | None],
    minimum: float,
    p_value: float,
) -> Alert | None:
    metric, higher = _METRIC[rule]
    baseline = [v for tw in before if (v := _value(tw, metric)) is not None]
    if len(baseline) < MIN_BASELINE_WEEKS:
        return None
    test = baseline_test(value, baseline, higher=higher)
    change = value - test.mean if higher else test.mean - value
    if test.p >= p_value or change < minimum:
        return None
    show = percent_text if higher else mood_text
    template = STRESS_RISE_REASON if higher else MOOD_DROP_REASON
    reason = template.format(
        value=show(value),
        baseline=show(test.mean),
        record=_record(value, before, metric, higher),
        chance=chance_text(test.p),
    )
    detail = BASELINE_DETAIL.format(
        weeks=test.weeks,
        baseline=show(test.mean),
        sd=f"{test.sd * 100:.1f} points" if higher else f"{test.sd:.1f}",
        t=_t_text(test.t),
        df=test.weeks - 1,
        p=_p_text(test.p),
        alpha=f"{p_value:g}",
        minimum=f"{minimum * 100:g} points" if higher else f"{minimum:g} points",
    )
    return Alert(current.team, current.week, rule, reason, value=value, baseline=test.mean, detail=detail)


def _record(value: float, before: Sequence[TeamWeek | None], metric: str, higher: bool) -> str:
    """", the lowest in 9 weeks" when ``value`` is beyond every published week of ``before``
    (counted from the oldest published one to this week), else nothing."""
    seen = [(i, v) for i, tw in enumerate(before) if (v := _value(tw, metric)) is not None]
    if not seen or any((v >= value) if higher else (v <= value) for _, v in seen):
        return ""
    weeks = len(before) - seen[0][0] + 1
    return (HIGHEST if higher else LOWEST).format(weeks=weeks)


def chance_text(p: float) -> str:
    """How often chance alone gives a result as extreme: "less than 1 time in 100"."""
    if p < 0.001:
        return CHANCE_BELOW.format(n=1000)
    if p < 0.01:
        return CHANCE_BELOW.format(n=100)
    return CHANCE_ABOUT.format(n=round(1 / p))


def _decline(current: TeamWeek, by_week: dict[str, TeamWeek], minimum: float) -> Alert | None:
    moods = [_value(by_week.get(w), "mood") for w in previous_weeks(current.week, _DECLINE_WEEKS)]
    values = [v for v in moods if v is not None]
    if len(values) < _DECLINE_WEEKS:
        return None
    falls = [a - b for a, b in zip(values, values[1:])]
    if min(falls) < DECLINE_STEP or values[0] - values[-1] < minimum:
        return None
    reason = DECLINE_REASON.format(
        first=mood_text(values[0]),
        last=mood_text(values[-1]),
        path=" → ".join(mood_text(v) for v in values),
    )
    detail = DECLINE_DETAIL.format(
        step=_points_of(DECLINE_STEP),
        fall=_points_of(shown(values[0]) - shown(values[-1])),
        minimum=_points_of(minimum),
        spreads=f"{DECLINE_SPREADS:g}",
    )
    return Alert(current.team, current.week, "decline", reason, value=values[-1], baseline=values[0],
                 detail=detail)


def _spread_before_decline(before: Sequence[TeamWeek | None]) -> float:
    """The standard deviation of weekly mood in the baseline weeks before the three that a
    decline spans (0 when fewer than MIN_BASELINE_WEEKS of them were published)."""
    earlier = [v for tw in before[: -(_DECLINE_WEEKS - 1)] if (v := _value(tw, "mood")) is not None]
    return statistics.stdev(earlier) if len(earlier) >= MIN_BASELINE_WEEKS else 0.0


def _cooldown(
    alerts: list[Alert], previous: Sequence[Alert], current: TeamWeek, settings: AlertRules
) -> list[Alert]:
    """Keep new alerts only if none fired recently, or if their metric got clearly worse since."""
    window = set(previous_weeks(current.week, settings.cooldown_weeks)[:-1])
    recent = [a for a in previous if a.team == current.team and a.week in window]
    if not recent:
        return alerts
    kept = []
    for alert in alerts:
        metric, higher_is_worse = _METRIC[alert.rule]
        same = [a for a in recent if a.rule in _METRIC and _METRIC[a.rule][0] == metric]
        if not same:
            continue
        worst = max(same, key=lambda a: a.value) if higher_is_worse else min(same, key=lambda a: a.value)
        margin = WORSE_SHARE * (settings.stress_rise if metric == "stress" else settings.mood_drop)
        worse_by = alert.value - worst.value if higher_is_worse else worst.value - alert.value
        if worse_by >= margin:
            show = percent_text if higher_is_worse else mood_text
            more = WORSE_REASON.format(
                worse="higher" if higher_is_worse else "lower",
                week=week_start(worst.week).isocalendar().week,
                value=show(worst.value),
            )
            kept.append(replace(alert, reason=alert.reason + more))
    return kept


def _points_of(x: float) -> str:
    n = shown(x)
    return f"{plain(n)} point{'' if abs(n) == 1 else 's'}"


def _t_text(t: float) -> str:
    return f"{MINUS if t < 0 else ''}∞" if math.isinf(t) else f"{t:.2f}".replace("-", MINUS)


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
