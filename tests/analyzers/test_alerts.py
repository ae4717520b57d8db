"""Alert rules on a team's own published weeks: baseline tests, three-week decline, cooldown."""

from __future__ import annotations

import math
import random
import re
from statistics import fmean
from typing import Sequence

import pytest

from scipy import stats

from analyzers.alerts import baseline_test, chance_text, evaluate
from domain.teamweek import Alert, Estimate, Suppressed, TeamWeek, previous_weeks
from analyzers.alerts import AlertRules

TEAM = "Platform"
END = "2026-W20"
SETTINGS = AlertRules()  # mood_drop 10 points, stress_rise 0.08, p < 0.01, cooldown 2 weeks
CALM = [30.0, 32.0, 29.0, 31.0, 30.0, 28.0, 31.0, 29.0]  # mean 240 / 8 = 30


def published(week: str, mood: float, stress: float | None = None) -> TeamWeek:
    return TeamWeek(
        TEAM, week, None, contributors=8, messages=120,
        mood=Estimate(mood, mood - 3, mood + 3),
        stress=None if stress is None else Estimate(stress, stress - 0.02, stress + 0.02),
    )


def history(moods: Sequence[float | None], stress: Sequence[float | None] | None = None, end: str = END) -> list[TeamWeek]:
    """Consecutive weeks ending with ``end``; ``None`` is a suppressed week."""
    stress = stress if stress is not None else [None] * len(moods)
    return [
        TeamWeek(TEAM, week, Suppressed.TOO_FEW) if mood is None else published(week, mood, s)
        for week, mood, s in zip(previous_weeks(end, len(moods)), moods, stress)
    ]


def alert(rule: str, week: str, value: float, baseline: float = 30.0, team: str = TEAM) -> Alert:
    return Alert(team, week, rule, "an earlier alert", value=value, baseline=baseline)


def check(weeks: Sequence[TeamWeek], previous: Sequence[Alert] = (), settings: AlertRules = SETTINGS, stress_reporting: bool = True) -> list[Alert]:
    return evaluate(weeks, previous, settings, stress_reporting=stress_reporting)


def last_week() -> str:
    return previous_weeks(END, 2)[0]


def test_baseline_test_uses_the_prediction_interval_of_the_baseline() -> None:
    # Baseline 28, 30, 32, 30: mean 30, squared deviations 4 + 0 + 4 + 0 over 3 df.
    sd = math.sqrt(8 / 3)
    t = (20 - 30) / (sd * math.sqrt(1 + 1 / 4))
    result = baseline_test(20, [28, 30, 32, 30], higher=False)
    assert (result.mean, result.weeks) == (30, 4)
    assert result.sd == pytest.approx(sd)
    assert result.t == pytest.approx(t)
    assert result.p == pytest.approx(stats.t.cdf(t, 3))
    assert baseline_test(40, [28, 30, 32, 30], higher=True).p == pytest.approx(stats.t.cdf(t, 3))


# --- simulated weeks: a planted shift fires, the same noise without one does not ------------

SIM_WEEKS = 52
SHIFT_WEEK = 40
PEOPLE = 10


def simulate(seed: int, *, mood_shift: float = 0.0, stress_shift: float = 0.0) -> list[TeamWeek]:
    """A year of a 10-person team, as aggregation publishes it (mean of per-person means).

    Each person has a mood and stress level of their own, a week-to-week wobble in mood and
    10 to 30 messages a week, each scored with noise; from ``SHIFT_WEEK`` on every message
    is shifted by ``mood_shift`` / ``stress_shift``.
    """
    rng = random.Random(seed)
    levels = [(rng.gauss(20, 15), rng.gauss(0.3, 0.05)) for _ in range(PEOPLE)]
    weeks = []
    for i, week in enumerate(previous_weeks(END, SIM_WEEKS)):
        dm, ds = (mood_shift, stress_shift) if i >= SHIFT_WEEK else (0.0, 0.0)
        moods, stresses = [], []
        for mood_level, stress_level in levels:
            wobble = rng.gauss(0, 2)
            n = rng.randint(10, 30)
            moods.append(fmean(min(100.0, max(-100.0, mood_level + wobble + dm + rng.gauss(0, 25))) for _ in range(n)))
            stresses.append(fmean(min(1.0, max(0.0, stress_level + ds + rng.gauss(0, 0.15))) for _ in range(n)))
        weeks.append(published(week, fmean(moods), fmean(stresses)))
    return weeks


def run(weeks: list[TeamWeek], *, stress_reporting: bool = True) -> list[Alert]:
    """Evaluate every week in turn, as the weekly job would, feeding back what fired."""
    fired: list[Alert] = []
    for i in range(len(weeks)):
        fired += check(weeks[max(0, i - 8) : i + 1], fired, stress_reporting=stress_reporting)
    return fired


SEEDS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_planted_mood_drop_fires_on_the_week_it_happens(seed: int) -> None:
    weeks = simulate(seed, mood_shift=-15)
    fired = run(weeks)
    shift = weeks[SHIFT_WEEK].week
    assert ("mood_drop", shift) in [(a.rule, a.week) for a in fired]
    assert [a for a in fired if a.week < shift] == []


@pytest.mark.parametrize("seed", SEEDS)
def test_the_same_noise_without_a_shift_fires_nothing_all_year(seed: int) -> None:
    assert run(simulate(seed)) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_planted_stress_rise_fires_only_where_stress_is_reported(seed: int) -> None:
    weeks = simulate(seed, stress_shift=0.12)
    shift = weeks[SHIFT_WEEK].week
    assert ("stress_rise", shift) in [(a.rule, a.week) for a in run(weeks)]
    assert run(weeks, stress_reporting=False) == []


# --- the baseline rules ---------------------------------------------------------------------


def test_mood_drop_says_what_happened_in_plain_words_and_keeps_the_test_for_the_detail() -> None:
    [fired] = check(history([*CALM, 12]))
    assert (fired.team, fired.week, fired.rule, fired.value) == (TEAM, END, "mood_drop", 12)
    assert fired.baseline == pytest.approx(30)
    assert fired.reason == ("Mood fell to +12 from its usual +30, the lowest in 9 weeks. "
                            "A drop this large happens by chance less than 1 time in 1,000.")
    assert not re.search(r"t =|df|p [<=]|t-test", fired.reason)
    assert "One-sided t-test" in fired.detail and "7 df" in fired.detail and "p < 0.001" in fired.detail


def test_a_negative_mood_is_written_with_a_minus_sign() -> None:
    [fired] = check(history([5.0, 6.0, 4.0, 5.0, 6.0, 4.0, 5.0, 6.0, -7.0]))
    assert fired.reason.startswith("Mood fell to −7 from its usual +5,")
    assert "-" not in fired.reason + fired.detail.replace("t-test", "").replace("One-sided", "")


@pytest.mark.parametrize(("p", "said"), [
    (0.0004, "less than 1 time in 1,000"), (0.004, "less than 1 time in 100"),
    (0.02, "about 1 time in 50"), (0.037, "about 1 time in 27"),
])
def test_chance_in_words(p: float, said: str) -> None:
    assert chance_text(p) == said


def test_the_record_is_claimed_only_when_true() -> None:
    # A drop to 12 after a week of 10 in the baseline is not "the lowest".
    [fired] = check(history([30, 31, 29, 10, 30, 31, 29, 30, 12]), settings=AlertRules(p_value=0.2))
    assert "lowest" not in fired.reason


def test_a_drop_under_the_minimum_does_not_fire_however_significant() -> None:
    steady = [30.0, 30.2, 29.8, 30.1, 29.9, 30.0, 30.1, 29.9]  # mean 30, tiny spread
    assert check(history([*steady, 20.5])) == []  # 9.5 points
    assert [a.rule for a in check(history([*steady, 19.5]))] == ["mood_drop"]  # 10.5 points


def test_a_large_drop_within_the_usual_spread_does_not_fire() -> None:
    noisy = [10.0, 50.0, 20.0, 45.0, 15.0, 40.0, 30.0, 30.0]  # mean 30, sd about 14
    assert check(history([*noisy, 12])) == []  # 18 points, but p is about 0.13


def test_a_flat_baseline_leaves_the_decision_to_the_minimum_change() -> None:
    flat = [30.0] * 8
    [fired] = check(history([*flat, 19]))
    assert fired.rule == "mood_drop" and "t = −∞" in fired.detail
    assert check(history([*flat, 25])) == []
    assert check(history([*flat, 30])) == []


def test_stress_rise_is_tested_against_the_stress_baseline_in_percent() -> None:
    stress = [0.30, 0.32, 0.29, 0.31, 0.30, 0.28, 0.31, 0.29, 0.45]  # baseline mean 2.40 / 8
    [fired] = check(history([30.0] * 9, stress))
    assert (fired.rule, fired.value) == ("stress_rise", 0.45)
    assert fired.baseline == pytest.approx(0.30)
    assert fired.reason.startswith("The stress index rose to 45% from its usual 30%, the highest in 9 weeks.")


def test_a_stress_rise_under_the_minimum_does_not_fire() -> None:
    stress = [0.30, 0.301, 0.299, 0.30, 0.30, 0.30, 0.301, 0.299, 0.37]
    assert check(history([30.0] * 9, stress)) == []


def test_stress_rule_is_off_when_stress_is_not_reported() -> None:
    stress = [0.30, 0.32, 0.29, 0.31, 0.30, 0.28, 0.31, 0.29, 0.45]
    assert check(history([30.0] * 9, stress), stress_reporting=False) == []


def test_a_suppressed_week_never_alerts() -> None:
    assert check(history([*CALM, None])) == []
    assert check(history([40, 36, 33, 29, None])) == []


def test_the_baseline_needs_four_published_weeks() -> None:
    three = [30, None, 34, None, 29, None, None, None, 10]
    assert check(history(three)) == []
    four = [30, None, 34, None, 29, None, 31, None, 10]
    [fired] = check(history(four))
    assert fired.rule == "mood_drop"
    assert fired.baseline == pytest.approx((30 + 34 + 29 + 31) / 4)
    assert "the 4 published weeks before it" in fired.detail and "3 df" in fired.detail
    assert "the lowest in 9 weeks" in fired.reason  # the oldest published week is 8 weeks back


def test_the_baseline_is_the_eight_calendar_weeks_before() -> None:
    # Older weeks are ignored even when passed...
    [fired] = check(history([90, 90, 90, *CALM, 12]))
    assert fired.baseline == pytest.approx(30)
    # ...and weeks missing from the history count as unpublished: of these four weeks before
    # END, with a gap of five weeks after them, only three are among the eight before END.
    sparse = history([30, 31, 29, 30], end=previous_weeks(END, 7)[0]) + history([10])
    assert check(sparse) == []
    assert [a.rule for a in check(history([30, 31, 29, 30], end=previous_weeks(END, 6)[0]) + history([10]))] == ["mood_drop"]


def test_alerts_can_be_switched_off() -> None:
    assert check(history([*CALM, 12]), settings=AlertRules(enabled=False)) == []


# --- three weeks of decline -----------------------------------------------------------------


def test_a_third_week_of_decline_fires() -> None:
    # Only 3 weeks before this one: too few for a baseline, so the decline rule alone decides.
    [fired] = check(history([40, 36, 33, 29]))
    assert (fired.rule, fired.value, fired.baseline) == ("decline", 29, 40)
    assert fired.reason == "Mood has fallen three weeks running, from +40 to +29 (+40 → +36 → +33 → +29)."
    assert "11 points in all" in fired.detail


def test_a_decline_of_exactly_the_minimum_fires() -> None:
    assert [a.rule for a in check(history([40, 37, 34, 30]))] == ["decline"]


def test_a_decline_must_also_stand_out_from_the_weeks_before_it() -> None:
    quiet = [41, 40, 41, 40, 41]  # spread 0.5: the 10-point minimum decides
    noisy = [30, 50, 35, 48, 40]  # spread 8.5: a 12-point slide is within chance
    slide = [40, 36, 33, 28]
    assert "decline" in [a.rule for a in check(history(quiet + slide))]
    assert "decline" not in [a.rule for a in check(history(noisy + slide))]


@pytest.mark.parametrize(
    "moods",
    [
        [40, 37, 34, 32],  # three falls, 8 points in total
        [40, 30, 31, 20],  # a rise in between
        [40, 35, 35, 25],  # a flat week in between
        [41, 35, 30.4, 30.0],  # a last "fall" too small to see (0.4 points)
        [40, None, 33, 25],  # a suppressed week in between
        [36, 33, 29],  # only two falls
    ],
)
def test_no_decline_alert_without_three_falls_adding_up_to_the_minimum(moods: list[float | None]) -> None:
    assert check(history(moods)) == []


# --- cooldown -------------------------------------------------------------------------------


def test_an_alert_last_week_holds_back_one_that_is_not_worse() -> None:
    assert check(history([*CALM, 12]), [alert("mood_drop", last_week(), 12)]) == []
    assert check(history([*CALM, 12]), [alert("decline", last_week(), 10)]) == []


def test_an_alert_last_week_lets_a_clearly_worse_one_through() -> None:
    [fired] = check(history([*CALM, 7]), [alert("mood_drop", last_week(), 12)])
    assert fired.rule == "mood_drop"
    number = int(last_week().split("-W")[1])
    assert fired.reason.endswith(f" That is lower than when we alerted you in week {number} (+12).")
    # Worse by less than half the 10-point minimum (4 points) is the same situation: no repeat.
    assert check(history([*CALM, 8]), [alert("mood_drop", last_week(), 12)]) == []


def test_worse_means_the_same_metric() -> None:
    stress = [0.30, 0.32, 0.29, 0.31, 0.30, 0.28, 0.31, 0.29, 0.45]
    weeks = history([*CALM, 12], stress)
    # A stress alert last week holds back this week's mood alert; the stress alert passes only
    # if stress is above last week's alerted value.
    assert [a.rule for a in check(weeks, [alert("stress_rise", last_week(), 0.40, 0.30)])] == ["stress_rise"]
    assert check(weeks, [alert("stress_rise", last_week(), 0.50, 0.30)]) == []


def test_the_cooldown_lasts_cooldown_weeks() -> None:
    two_weeks_ago = [alert("mood_drop", previous_weeks(END, 3)[0], 12)]
    assert [a.rule for a in check(history([*CALM, 12]), two_weeks_ago)] == ["mood_drop"]
    three = AlertRules(cooldown_weeks=3)
    assert check(history([*CALM, 12]), two_weeks_ago, settings=three) == []
    assert [a.rule for a in check(history([*CALM, 12]), [alert("mood_drop", last_week(), 12)], settings=AlertRules(cooldown_weeks=1))] == ["mood_drop"]


def test_the_cooldown_ignores_other_teams_and_this_weeks_own_alerts() -> None:
    elsewhere = [alert("mood_drop", last_week(), 12, team="Design")]
    assert [a.rule for a in check(history([*CALM, 12]), elsewhere)] == ["mood_drop"]
    rerun = [alert("mood_drop", END, 12)]
    assert [a.rule for a in check(history([*CALM, 12]), rerun)] == ["mood_drop"]
