"""Team-week statistics: k-anonymity, each person once, intervals, differencing, noise."""

from __future__ import annotations

import gc
import itertools
import math
import random
import statistics

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzers.aggregate import MESSAGE_CAP, aggregate, team_weeks
from domain.teamweek import Estimate, Suppressed, TeamWeek
from storage import scores
from storage.weekly import PersonWeek

K = 5
W1, W2, W3 = "2026-W46", "2026-W47", "2026-W48"
KEYS = itertools.count()


def person(
    name: str,
    moods: list[float],
    *,
    week: str = W2,
    negatives: int = 0,
    stress: list[float] | None = None,
    stressed: int = 0,
) -> PersonWeek:
    """One person's row: a message per mood given."""
    stress = stress if stress is not None else [0.0] * len(moods)
    return PersonWeek(name, week, len(moods), sum(moods), negatives, sum(stress), stressed)


def crowd(people: list[str], *, week: str = W2, mood: float = 10.0) -> list[PersonWeek]:
    """One message each, all with the same mood."""
    return [person(name, [mood], week=week) for name in people]


def names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def triple(estimate: Estimate | None) -> tuple[float, float, float]:
    assert estimate is not None
    return estimate.value, estimate.low, estimate.high


def one(rows: list[PersonWeek]) -> TeamWeek:
    """Week W2 of a team with these rows."""
    [team_week] = aggregate({"team": rows}, [W2], k=K, stress_reporting=True)["team"]
    return team_week


# --- each person once -------------------------------------------------------------------------


def test_mean_of_per_person_means_with_t_interval() -> None:
    chatty = person("p0", [-40.0] * 10, negatives=10, stress=[0.9] * 10, stressed=10)
    moods = [10.0, 15.0, 20.0, 30.0]
    others = [person(f"p{i}", [mood], stress=[0.1]) for i, mood in enumerate(moods, 1)]
    tw = one([chatty, *others])

    per_person = [-40.0, 10.0, 15.0, 20.0, 30.0]
    mean = sum(per_person) / 5  # 7, not the message mean of (-400 + 75) / 14
    half = 2.776445 * statistics.stdev(per_person) / math.sqrt(5)  # t(0.975, 4)
    assert tw.suppressed is None and tw.contributors == 5 and tw.messages == 14
    assert triple(tw.mood) == pytest.approx((mean, mean - half, mean + half))
    assert tw.negative is not None and tw.negative.value == pytest.approx(1 / 5)
    assert tw.stress is not None and tw.stress.value == pytest.approx((0.9 + 4 * 0.1) / 5)
    assert tw.stressed is not None and tw.stressed.value == pytest.approx(1 / 5)


def test_two_rows_for_one_person_count_as_one_person() -> None:
    rows = crowd(names("p", 4)) + [person("p4", [100.0]), person("p4", [0.0, 50.0])]
    tw = one(rows)
    assert tw.contributors == 5 and tw.messages == 7
    assert tw.mood is not None and tw.mood.value == pytest.approx((4 * 10.0 + 50.0) / 5)
    assert one(crowd(names("p", 4)) + [person("p3", [10.0])]).suppressed is Suppressed.TOO_FEW


def test_rows_of_other_weeks_do_not_count() -> None:
    tw = one(crowd(names("p", 5)) + crowd(["y"], week=W3))
    assert tw.contributors == 5 and tw.messages == 5


def test_intervals_stay_in_range() -> None:
    shares = [person(f"p{i}", [0.0], negatives=int(i == 0)) for i in range(5)]
    tw = one(shares)
    assert tw.negative is not None
    assert 0 < tw.negative.low < tw.negative.value < tw.negative.high < 1


def test_a_share_of_nought_has_an_interval_reaching_above_nought() -> None:
    # 42 messages by 20 people, none stressed: a t interval over people is 0% to 0%.
    rows = [person(f"p{i}", [5.0] * (3 if i < 2 else 2), stress=[0.1] * (3 if i < 2 else 2))
            for i in range(20)]
    tw = one(rows)
    assert tw.messages == 42
    for share in (tw.negative, tw.stressed):
        assert share is not None and share.value == 0.0 and share.low == 0.0
        # Wilson at n = 20 people (t-scaled to 17.5): the upper end is 18%, not 0%.
        assert 0.15 < share.high < 0.22


def test_a_share_of_one_has_an_interval_reaching_below_one() -> None:
    rows = [person(f"p{i}", [-50.0], negatives=1, stress=[0.9], stressed=1) for i in range(6)]
    tw = one(rows)
    for share in (tw.negative, tw.stressed):
        assert share is not None and share.value == 1.0 and share.high == 1.0
        assert 0.4 < share.low < 0.8


def test_a_share_interval_narrows_with_more_people() -> None:
    def stressed_share(n: int) -> Estimate:
        rows = [person(f"p{i}", [0.0, 0.0], stressed=int(i % 4 == 0) * 2) for i in range(n)]
        estimate = one(rows).stressed
        assert estimate is not None
        return estimate
    small, large = stressed_share(8), stressed_share(80)
    assert small.value == large.value == 0.25
    assert large.high - large.low < (small.high - small.low) / 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.floats(0, 1)), min_size=K, max_size=25))
def test_share_intervals_hold_the_value_and_never_collapse(people: list[tuple[int, float]]) -> None:
    rows = []
    for i, (messages, fraction) in enumerate(people):
        stressed = round(messages * fraction)
        rows.append(person(f"p{i}", [0.0] * messages, negatives=stressed, stressed=stressed,
                           stress=[stressed / messages] * messages))
    tw = one(rows)
    for share in (tw.negative, tw.stress, tw.stressed):
        assert share is not None
        assert 0.0 <= share.low <= share.value <= share.high <= 1.0
        assert share.high - share.low > 0.01  # at most 25 people: never near-certain


def test_fewer_than_k_people_publishes_nothing() -> None:
    tw = one([person(f"p{i}", [10.0] * 20) for i in range(K - 1)])
    assert tw == TeamWeek("team", W2, Suppressed.TOO_FEW)
    assert tw.contributors is None and tw.messages is None and tw.mood is None


def test_every_team_gets_every_week_in_order() -> None:
    teams = {"quiet": [], "busy": crowd(names("p", 5), week=W1)}
    weeks = [W3, W1, W2]
    result = aggregate(teams, weeks, k=K, stress_reporting=True)
    assert list(result) == ["quiet", "busy"]
    assert [tw.week for tw in result["quiet"]] == weeks
    assert [tw.published for tw in result["busy"]] == [False, True, False]
    assert all(tw.suppressed is Suppressed.TOO_FEW for tw in result["quiet"])


def test_k_below_two_is_refused() -> None:
    with pytest.raises(ValueError):
        aggregate({"team": []}, [W2], k=1, stress_reporting=True)


def test_output_names_no_person() -> None:
    rows = crowd(names("secret-pseudonym-", 6)) + crowd(names("secret-pseudonym-", 6), week=W1)
    result = aggregate({"team": rows}, [W1, W2], k=K, stress_reporting=True)
    assert "secret-pseudonym" not in repr(result)


# --- differencing -----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", range(1, K))
def test_a_team_a_few_people_larger_than_another_suppresses_the_smaller(extra: int) -> None:
    core = names("p", 6)
    teams = {"small": crowd(core), "big": crowd(core + names("x", extra))}
    result = aggregate(teams, [W2], k=K, stress_reporting=True)
    assert result["big"][0].published
    assert result["small"][0] == TeamWeek("small", W2, Suppressed.OVERLAP)


def test_teams_differing_by_k_people_are_both_published() -> None:
    core = names("p", 6)
    teams = {"small": crowd(core), "big": crowd(core + names("x", K))}
    result = aggregate(teams, [W2], k=K, stress_reporting=True)
    assert result["small"][0].published and result["big"][0].published


def test_teams_with_the_same_people_are_both_published() -> None:
    teams = {"a": crowd(names("p", 6)), "b": crowd(names("p", 6), mood=-50.0)}
    result = aggregate(teams, [W2], k=K, stress_reporting=True)
    assert result["a"][0].published and result["b"][0].published


def test_equal_sizes_suppress_the_later_name() -> None:
    teams = {"zeta": crowd(names("p", 5) + ["y"]), "alpha": crowd(names("p", 5) + ["x"])}
    result = aggregate(teams, [W2], k=K, stress_reporting=True)
    assert result["alpha"][0].published
    assert result["zeta"][0].suppressed is Suppressed.OVERLAP


def test_a_suppressed_team_does_not_suppress_others() -> None:
    # big = small + 1 person (small goes); tiny differs from small by 4 but from big by 5.
    teams = {"big": crowd(names("p", 10)), "small": crowd(names("p", 9))}
    teams["tiny"] = crowd(names("p", 5))
    result = aggregate(teams, [W2], k=K, stress_reporting=True)
    assert [result[t][0].suppressed for t in teams] == [None, Suppressed.OVERLAP, None]


def test_overlap_is_judged_week_by_week() -> None:
    a = crowd(names("p", 6), week=W1) + crowd(names("p", 6))
    b = crowd(names("p", 6) + names("x", 5), week=W1)  # differs from a by 5 in W1: fine
    b += crowd(names("p", 7))  # by 1 in W2
    result = aggregate({"a": a, "b": b}, [W1, W2], k=K, stress_reporting=True)
    assert [tw.published for tw in result["a"]] == [True, False]


# --- stress reporting -------------------------------------------------------------------------


def test_stress_reporting_off_publishes_no_stress() -> None:
    rows = [person(f"p{i}", [10.0], stress=[0.8], stressed=1) for i in range(5)]
    [tw] = aggregate({"team": rows}, [W2], k=K, stress_reporting=False)["team"]
    assert tw.published and tw.mood is not None
    assert tw.stress is None and tw.stressed is None


# --- mood change ------------------------------------------------------------------------------


def test_mood_change_with_combined_standard_errors() -> None:
    before = [10.0, 20.0, 30.0, 50.0, 90.0]
    now = [m - 15 for m in before]  # the same spread, so Welch's df is 2 * (5 - 1) = 8
    rows = [person(f"p{i}", [m], week=W1) for i, m in enumerate(before)]
    rows += [person(f"p{i}", [m], week=W2) for i, m in enumerate(now)]
    first, second = aggregate({"team": rows}, [W1, W2], k=K, stress_reporting=True)["team"]

    se = statistics.stdev(before) / math.sqrt(5)
    half = 2.306004 * math.sqrt(2 * se**2)  # t(0.975, 8)
    assert triple(second.mood_change) == pytest.approx((-15.0, -15.0 - half, -15.0 + half))
    assert first.mood_change is None  # no rows for the week before W1


def test_mood_change_of_the_first_week_uses_the_week_before_when_given() -> None:
    rows = crowd(names("p", 5), week=W1, mood=40.0) + crowd(names("p", 5), week=W2, mood=25.0)
    [tw] = aggregate({"team": rows}, [W2], k=K, stress_reporting=True)["team"]
    assert tw.mood_change == Estimate(-15.0, -15.0, -15.0)


def test_no_mood_change_after_a_suppressed_week() -> None:
    rows = crowd(names("p", 4), week=W1) + crowd(names("p", 5), week=W2)
    [tw] = aggregate({"team": rows}, [W2], k=K, stress_reporting=True)["team"]
    assert tw.published and tw.mood_change is None


# --- noise ------------------------------------------------------------------------------------


def varied(week: str = W2) -> list[PersonWeek]:
    return [
        person(f"p{i}", [m, m / 2], week=week, negatives=i % 2, stress=[0.3, 0.6], stressed=1)
        for i, m in enumerate([-30.0, 5.0, 20.0, 45.0, 70.0, 10.0])
    ]


def noisy(
    rows: list[PersonWeek], seed: int, weeks: tuple[str, ...] = (W2,), epsilon: float = 1.0
) -> list[TeamWeek]:
    rng = random.Random(seed)
    result = aggregate({"team": rows}, weeks, k=K, stress_reporting=True, epsilon=epsilon, rng=rng)
    return result["team"]


def test_noise_is_reproducible_from_the_seed() -> None:
    rows = varied(W1) + varied(W2)
    assert noisy(rows, 7, (W1, W2)) == noisy(rows, 7, (W1, W2))
    assert noisy(rows, 7, (W1, W2)) != noisy(rows, 8, (W1, W2))
    # A team-week's noise does not depend on which other weeks were asked for.
    assert noisy(rows, 7, (W1, W2))[1] == noisy(rows, 7, (W2,))[0]


def test_noise_moves_values_but_not_interval_widths() -> None:
    [plain] = aggregate({"team": varied()}, [W2], k=K, stress_reporting=True)["team"]
    [tw] = noisy(varied(), 1, epsilon=5.0)
    assert plain.mood is not None and tw.mood is not None
    assert tw.mood.value != plain.mood.value
    assert -100 < tw.mood.low and tw.mood.high < 100  # nothing clipped, so widths compare
    assert tw.mood.high - tw.mood.low == pytest.approx(plain.mood.high - plain.mood.low)
    assert tw.mood.value - tw.mood.low == pytest.approx(tw.mood.high - tw.mood.value)


def test_noisy_values_stay_in_range() -> None:
    extreme = [person(f"p{i}", [100.0], negatives=1, stress=[1.0], stressed=1) for i in range(5)]
    for seed in range(200):
        [tw] = noisy(extreme, seed, epsilon=0.1)
        assert tw.contributors is not None and tw.messages is not None
        assert tw.contributors >= K and tw.messages >= tw.contributors
        ranges = [(tw.mood, -100, 100), (tw.negative, 0, 1), (tw.stress, 0, 1), (tw.stressed, 0, 1)]
        for estimate, low, high in ranges:
            assert estimate is not None
            assert low <= estimate.low <= estimate.value <= estimate.high <= high


def test_noisy_message_totals_clip_each_person() -> None:
    # One person with 10,000 messages cannot move the noisy total by more than the cap.
    rows = [person("chatty", [0.0] * 10_000)] + crowd(names("p", 4))
    totals = [noisy(rows, seed, epsilon=100.0)[0].messages for seed in range(20)]
    assert all(t is not None and abs(t - (MESSAGE_CAP + 4)) <= 10 for t in totals)


def test_noise_is_laplace_with_scale_sensitivity_over_epsilon() -> None:
    # 400 disjoint teams of 5 whose mood is exactly 0: the published moods are pure noise.
    teams = {f"t{t}": crowd(names(f"t{t}p", 5), mood=0.0) for t in range(400)}
    epsilon = 20.0
    result = aggregate(teams, [W2], k=K, stress_reporting=True, epsilon=epsilon,
                       rng=random.Random(5))
    noise = [tw.mood.value for [tw] in result.values() if tw.mood is not None]
    scale = 200 / 5 / epsilon  # Laplace(b): mean |x| = b, median |x| = b ln 2
    assert len(noise) == 400
    assert statistics.fmean(map(abs, noise)) == pytest.approx(scale, rel=0.15)
    assert statistics.median(map(abs, noise)) == pytest.approx(scale * math.log(2), rel=0.2)
    assert abs(statistics.fmean(noise)) < 0.3


# --- from the database ------------------------------------------------------------------------


def save(db: sqlite_utils.Database, day: str, author: str, channel: str, p_positive: float) -> None:
    key = f"m{next(KEYS)}"
    score = scores.Score(key, "T1", channel, author, day, "positive", 0.0, 1 - p_positive,
                         p_positive, 0.2, "test", "1")
    scores.save(db, score)


def test_team_weeks_from_the_database(db: sqlite_utils.Database) -> None:
    for i in range(5):
        save(db, "2026-11-12", f"p{i}", "C1", 0.9)  # W46
        save(db, "2026-11-18", f"p{i}", "C1", 0.5)  # W47
    save(db, "2026-11-19", "p0", "C2", 0.0)  # p0 again, in the team's other channel
    save(db, "2026-11-19", "q", "C3", 0.0)  # another team's channel

    result = team_weeks(db, {"team": ["C1", "C2"]}, [W2], k=K, stress_threshold=0.5,
                        stress_reporting=True)
    [tw] = result["team"]
    assert tw.contributors == 5 and tw.messages == 6
    assert tw.mood is not None and tw.mood.value == pytest.approx((25.0 + 4 * 50.0) / 5)
    # The week before the first week asked for is read for its mood change.
    assert tw.mood_change is not None and tw.mood_change.value == pytest.approx(45.0 - 90.0)
    assert tw.stressed is not None and tw.stressed.value == 0.0


def test_weeks_before_a_team_had_any_data_say_so(db: sqlite_utils.Database) -> None:
    for i in range(5):
        save(db, "2026-11-12", f"p{i}", "C1", 0.9)  # W46: the team's first data
    save(db, "2026-11-25", "p0", "C1", 0.9)  # W48: one person only
    result = team_weeks(db, {"team": ["C1"], "silent": ["C9"]}, ["2026-W45", W1, W2, W3],
                        k=K, stress_threshold=0.5, stress_reporting=True)
    assert [tw.suppressed for tw in result["team"]] == [
        Suppressed.NO_DATA, None, Suppressed.TOO_FEW, Suppressed.TOO_FEW]
    assert {tw.suppressed for tw in result["silent"]} == {Suppressed.NO_DATA}


def test_team_weeks_leaves_the_garbage_collector_as_it_was(db: sqlite_utils.Database) -> None:
    teams = {"team": ["C1"]}
    team_weeks(db, teams, [W2], k=K, stress_threshold=0.5, stress_reporting=True)
    assert gc.isenabled()
    gc.disable()
    try:
        team_weeks(db, teams, [W2], k=K, stress_threshold=0.5, stress_reporting=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
