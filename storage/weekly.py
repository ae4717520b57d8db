"""Per-person weekly sums of message scores: the only rows aggregation reads.

A row sums one pseudonym's messages in a set of channels (a team's) in one ISO week. Rows
never leave the process: ``analyzers.aggregate`` turns them into k-anonymous team figures.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Collection, NamedTuple

import sqlite_utils

EPOCH = dt.date(2000, 1, 3)  # a Monday; weeks are numbered from it
# Whole weeks from EPOCH to a score's day (2451546.5 is julianday('2000-01-03')). The index
# scores_channel_week (migration V2) is on (channel, this exact expression, author, ...) and
# covers every column the query reads, so SQLite seeks each channel's weeks and never reads
# the table. SQLite has no ISO-week format before 3.46; the few week numbers are named in
# Python.
WEEK_NUMBER = "CAST((julianday(day) - 2451546.5) / 7 AS INTEGER)"

_QUERY = f"""
SELECT author, {WEEK_NUMBER},
       count(*), sum(p_positive - p_negative) * 100.0, sum(sentiment = 'negative'),
       sum(stress), sum(stress >= :threshold)
FROM scores
WHERE channel IN (SELECT value FROM json_each(:channels))
  AND {WEEK_NUMBER} BETWEEN :first AND :last
GROUP BY {WEEK_NUMBER}, author
"""


class PersonWeek(NamedTuple):
    """One person's sums over a set of channels in one ISO week (``"2026-W47"``).

    ``mood_sum`` adds each message's 100·(p_positive − p_negative); ``negatives`` counts
    messages labelled negative; ``stress_sum`` adds stress probabilities; ``stressed`` counts
    messages with stress at or above the threshold the rows were queried with.

    A named tuple rather than a dataclass: a year of 500 teams is some 300,000 rows, and
    building frozen dataclasses took longer than the query (docs/benchmarks-aggregate.md).
    """

    author: str
    week: str
    messages: int
    mood_sum: float
    negatives: int
    stress_sum: float
    stressed: int


def week_number(week: str) -> int:
    """Whole weeks from ``EPOCH`` to the Monday of ISO week ``week`` (``"2026-W47"``)."""
    year, number = week.split("-W")
    days = (dt.date.fromisocalendar(int(year), int(number), 1) - EPOCH).days
    if days < 0:
        raise ValueError(f"weeks before {EPOCH} are not supported: {week}")
    return days // 7


def person_weeks(
    db: sqlite_utils.Database,
    channels: Collection[str],
    first_week: str,
    last_week: str,
    stress_threshold: float,
) -> list[PersonWeek]:
    """One row per person and ISO week from ``first_week`` to ``last_week`` (both included):
    the sums over that person's scores in any of ``channels``, so a person who wrote in two
    of them is one row. Weeks follow each score's local ``day``: Monday to Sunday, local time.

    A message counts as stressed when its stress is at least ``stress_threshold``.
    """
    first, last = week_number(first_week), week_number(last_week)
    names: dict[int, str] = {}
    for number in range(first, last + 1):
        year, week, _ = (EPOCH + dt.timedelta(weeks=number)).isocalendar()
        names[number] = f"{year}-W{week:02d}"
    params = {
        "threshold": stress_threshold,
        "channels": json.dumps(sorted(set(channels))),
        "first": first,
        "last": last,
    }
    rows = db.conn.execute(_QUERY, params).fetchall()  # faster than iterating the cursor
    return [
        PersonWeek(author, names[w], n, mood, negatives, stress, stressed)
        for author, w, n, mood, negatives, stress, stressed in rows
    ]


def query_plan(db: sqlite_utils.Database) -> list[str]:
    """How SQLite runs the query (``EXPLAIN QUERY PLAN``), one line per step."""
    params = {"threshold": 0.5, "channels": "[]", "first": 0, "last": 0}
    return [row[-1] for row in db.conn.execute("EXPLAIN QUERY PLAN " + _QUERY, params)]


def first_scored_week(db: sqlite_utils.Database, channels: Collection[str]) -> str | None:
    """The ISO week of the earliest score in any of ``channels``; None if there is none.

    One index seek per channel (``scores_channel_week`` starts with the channel and the week)."""
    numbers = [
        row[0]
        for channel in sorted(set(channels))
        for row in db.conn.execute(f"SELECT min({WEEK_NUMBER}) FROM scores WHERE channel = ?", (channel,))
        if row[0] is not None
    ]
    if not numbers:
        return None
    year, week, _ = (EPOCH + dt.timedelta(weeks=min(numbers))).isocalendar()
    return f"{year}-W{week:02d}"


def authors(db: sqlite_utils.Database, channels: Collection[str], week: str) -> set[str]:
    """The pseudonyms of everyone with a scored message in ``channels`` in ISO ``week``."""
    number = week_number(week)
    rows = db.execute(
        f"SELECT DISTINCT author FROM scores WHERE channel IN (SELECT value FROM json_each(?)) "
        f"AND {WEEK_NUMBER} = ?", (json.dumps(sorted(channels)), number))
    return {str(author) for (author,) in rows}
