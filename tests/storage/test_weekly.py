"""Per-person weekly sums straight from the scores table."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict

import pytest
import sqlite_utils

from storage import scores
from storage.migrations import V2_DIGESTS
from storage.weekly import WEEK_NUMBER, person_weeks, query_plan, week_number

ALICE, BOB = "a" * 32, "b" * 32
CHAN, OTHER = "CTEAM00001", "COTHER0001"
KEYS = itertools.count()


def add(
    db: sqlite_utils.Database,
    day: str,
    *,
    author: str = ALICE,
    channel: str = CHAN,
    label: str = "neutral",
    p_negative: float = 0.2,
    p_positive: float = 0.3,
    stress: float = 0.1,
) -> None:
    p_neutral = 1 - p_negative - p_positive
    key = f"m{next(KEYS)}"
    score = scores.Score(key, "T1", channel, author, day, label, p_negative, p_neutral, p_positive,
                         stress, "test", "1")
    scores.save(db, score)


def iso(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def test_sums_one_persons_messages_per_week(db: sqlite_utils.Database) -> None:
    add(db, "2026-11-16", p_negative=0.1, p_positive=0.7, stress=0.2)  # Monday of W47
    add(db, "2026-11-22", label="negative", p_negative=0.6, p_positive=0.1, stress=0.9)  # Sunday
    add(db, "2026-11-23", p_negative=0.0, p_positive=1.0, stress=0.0)  # Monday of W48
    add(db, "2026-11-17", author=BOB, stress=0.5)

    rows = person_weeks(db, [CHAN], "2026-W47", "2026-W48", stress_threshold=0.5)

    by_key = {(r.author, r.week): r for r in rows}
    assert set(by_key) == {(ALICE, "2026-W47"), (ALICE, "2026-W48"), (BOB, "2026-W47")}
    alice = by_key[ALICE, "2026-W47"]
    assert (alice.messages, alice.negatives, alice.stressed) == (2, 1, 1)
    assert alice.mood_sum == pytest.approx(100 * (0.7 - 0.1) + 100 * (0.1 - 0.6))
    assert alice.stress_sum == pytest.approx(0.2 + 0.9)
    assert by_key[ALICE, "2026-W48"].mood_sum == pytest.approx(100.0)
    assert by_key[BOB, "2026-W47"].stressed == 1  # at the threshold counts as stressed


def test_a_person_in_two_of_the_channels_is_one_row(db: sqlite_utils.Database) -> None:
    add(db, "2026-11-16", channel=CHAN, stress=0.7)
    add(db, "2026-11-18", channel=OTHER, stress=0.1)
    [row] = person_weeks(db, [CHAN, OTHER], "2026-W47", "2026-W47", stress_threshold=0.5)
    assert (row.author, row.messages, row.stressed) == (ALICE, 2, 1)
    assert row.stress_sum == pytest.approx(0.8)


def test_negative_means_the_label_not_the_probabilities(db: sqlite_utils.Database) -> None:
    add(db, "2026-11-16", label="negative", p_negative=0.4, p_positive=0.1)
    add(db, "2026-11-16", label="positive", p_negative=0.45, p_positive=0.5)
    [row] = person_weeks(db, [CHAN], "2026-W47", "2026-W47", stress_threshold=0.5)
    assert row.negatives == 1


def test_only_the_asked_channels_and_weeks(db: sqlite_utils.Database) -> None:
    add(db, "2026-11-15")  # Sunday of W46
    add(db, "2026-11-16")
    add(db, "2026-11-30")  # W49
    add(db, "2026-11-16", channel=OTHER)
    rows = person_weeks(db, [CHAN], "2026-W47", "2026-W48", stress_threshold=0.5)
    assert [(r.week, r.messages) for r in rows] == [("2026-W47", 1)]
    assert person_weeks(db, [], "2026-W47", "2026-W48", stress_threshold=0.5) == []


@pytest.mark.parametrize(
    "day", ["2020-12-31", "2021-01-03", "2021-01-04", "2026-12-31", "2027-01-03", "2027-01-04"]
)
def test_iso_weeks_across_the_new_year(db: sqlite_utils.Database, day: str) -> None:
    add(db, day)
    week = iso(day)
    [row] = person_weeks(db, [CHAN], week, week, stress_threshold=0.5)
    assert row.week == week


def test_matches_sums_computed_in_python(db: sqlite_utils.Database) -> None:
    rng = random.Random(3)
    expected: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0.0, 0])
    start = dt.date(2026, 9, 1)
    for _ in range(400):
        day = (start + dt.timedelta(days=rng.randrange(70))).isoformat()
        author = rng.choice([ALICE, BOB, "c" * 32])
        channel = rng.choice([CHAN, OTHER, "CELSEWHERE"])
        neg, pos, stress = rng.random() / 2, rng.random() / 2, rng.random()
        label = rng.choice(["negative", "neutral", "positive"])
        add(db, day, author=author, channel=channel, label=label, p_negative=neg,
            p_positive=pos, stress=stress)
        if channel not in (CHAN, OTHER):
            continue
        sums = expected[author, iso(day)]
        sums[0] += 1
        sums[1] += 100 * (pos - neg)
        sums[2] += label == "negative"
        sums[3] += stress
        sums[4] += stress >= 0.6

    rows = person_weeks(db, [CHAN, OTHER], "2026-W36", "2026-W46", stress_threshold=0.6)

    assert {(r.author, r.week) for r in rows} == set(expected)
    for r in rows:
        assert list(r[2:]) == pytest.approx(expected[r.author, r.week])


def test_reads_only_the_covering_index(db: sqlite_utils.Database) -> None:
    plan = " ".join(query_plan(db))
    assert "COVERING INDEX scores_channel_week (channel=? AND <expr>>? AND <expr><?)" in plan
    assert WEEK_NUMBER in V2_DIGESTS  # the index is on the query's exact expression


def test_week_numbers_count_whole_weeks() -> None:
    assert week_number("2000-W01") == 0
    assert week_number("2026-W48") - week_number("2026-W47") == 1
    assert week_number("2027-W01") - week_number("2026-W52") == 2  # 2026 has a week 53
    with pytest.raises(ValueError):
        week_number("1999-W52")

