"""Alert rules: when a team's weather turns, judged only against the team's own published weeks.

Three rules, each reading published (k-anonymous) team numbers only:

- ``mood_drop``: this week's mood is significantly below its baseline *and* at least
  ``AlertSettings.mood_drop`` points below the baseline mean.
- ``stress_rise``: the same on mean stress probability, at least ``AlertSettings.stress_rise``
  above; only where the deployment reports stress to employers at all.
- ``decline``: mood fell three weeks running (four consecutive published weeks, each lower than
  the one before) by at least ``AlertSettings.mood_drop`` points in total.

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

from analyzers.student_t import student_t_cdf
from analyzers.teamweek import Alert, TeamWeek, previous_weeks
from bot.config import AlertSettings

__all__ = [
    "BASELINE_WEEKS",
    "MIN_BASELINE_WEEKS",
    "BaselineTest",
    "baseline_test",
    "evaluate",
]

#: Reason sentences for managers and HR; ``{p}`` is written like "p = 0.004" or "p < 0.001".
MOOD_DROP_REASON: Final = (
    "Mood {value} is {change} points below its {weeks}-week baseline of {baseline} "
    "(one-sided t-test against the baseline's prediction interval, t = {t}, {df} df, {p})."
)
STRESS_RISE_REASON: Final = (
    "Average stress {value} is {change} percentage points above its {weeks}-week baseline of "
    "{baseline} (one-sided t-test against the baseline's prediction interval, t = {t}, {df} df, "
    "{p})."
)
DECLINE_REASON: Final = (
    "Mood has fallen three weeks running, {path}: {fall} points in total "
    "(the alert needs at least {minimum})."
)
WORSE_REASON: Final = " It is worse than the {value} of the alert in {week}."

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
    settings: AlertSettings,
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
        baseline = [v for tw in before if (v := _value(tw, "mood")) is not None]
        alert = _baseline_rule(current, "mood_drop", mood, baseline, settings.mood_drop, settings.p_value)
        if alert is not None:
            alerts.append(alert)
        alert = _decline(current, by_week, max(settings.mood_drop, DECLINE_SPREADS * _spread_before_decline(before)))
        if alert is not None:
            alerts.append(alert)

    stress = _value(current, "stress")
    if stress_reporting and stress is not None:
        baseline = [v for tw in before if (v := _value(tw, "stress")) is not None]
        alert = _baseline_rule(
            current, "stress_rise", stress, baseline, settings.stress_rise, settings.p_value
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
    p = 1 - student_t_cdf(t, m - 1) if higher else student_t_cdf(t, m - 1)
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
    baseline: list[float],
    minimum: float,
    p_value: float,
) -> Alert | None:
    if len(baseline) < MIN_BASELINE_WEEKS:
        return None
    higher = _METRIC[rule][1]
    test = baseline_test(value, baseline, higher=higher)
    change = value - test.mean if higher else test.mean - value
    if test.p >= p_value or change < minimum:
        return None
    show = _percent if higher else _points
    template = STRESS_RISE_REASON if higher else MOOD_DROP_REASON
    scale = 100 if higher else 1  # stress is shown in percent, its change in percentage points
    reason = template.format(
        value=show(value),
        change=abs(round(value * scale) - round(test.mean * scale)),
        weeks=test.weeks,
        baseline=show(test.mean),
        t=_t_text(test.t),
        df=test.weeks - 1,
        p=_p_text(test.p),
    )
    return Alert(current.team, current.week, rule, reason, value=value, baseline=test.mean)


def _decline(current: TeamWeek, by_week: dict[str, TeamWeek], minimum: float) -> Alert | None:
    moods = [_value(by_week.get(w), "mood") for w in previous_weeks(current.week, _DECLINE_WEEKS)]
    values = [v for v in moods if v is not None]
    if len(values) < _DECLINE_WEEKS:
        return None
    falls = [a - b for a, b in zip(values, values[1:])]
    if min(falls) < DECLINE_STEP or values[0] - values[-1] < minimum:
        return None
    reason = DECLINE_REASON.format(
        path=" → ".join(_points(v) for v in values),
        fall=round(values[0]) - round(values[-1]),
        minimum=_points(minimum),
    )
    return Alert(current.team, current.week, "decline", reason, value=values[-1], baseline=values[0])


def _spread_before_decline(before: Sequence[TeamWeek | None]) -> float:
    """The standard deviation of weekly mood in the baseline weeks before the three that a
    decline spans (0 when fewer than MIN_BASELINE_WEEKS of them were published)."""
    earlier = [v for tw in before[: -(_DECLINE_WEEKS - 1)] if (v := _value(tw, "mood")) is not None]
    return statistics.stdev(earlier) if len(earlier) >= MIN_BASELINE_WEEKS else 0.0


def _cooldown(
    alerts: list[Alert], previous: Sequence[Alert], current: TeamWeek, settings: AlertSettings
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
            show = _percent if higher_is_worse else _points
            more = WORSE_REASON.format(value=show(worst.value), week=worst.week)
            kept.append(replace(alert, reason=alert.reason + more))
    return kept


def _points(value: float) -> str:
    return f"{value:.0f}"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _t_text(t: float) -> str:
    return f"{'−' if t < 0 else ''}∞" if math.isinf(t) else f"{t:.2f}"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
