"""Time of ``team_weeks`` for every team and week of a year of scores.

Builds a temporary SQLite file through the real ``storage.connect`` (pragmas and
migrations) and fills ``scores`` with generated rows: teams of 8-15 people (32-hex-digit
pseudonyms) over two channels each, some people in both channels, one team in ten with a
person from the team before, one in fifty a "project team" sharing the main channel of the
team before (so differencing protection has work to do), scores arriving day by day. Then
times ``analyzers.aggregate.team_weeks`` for all teams x all weeks, with and without Laplace
noise, its two halves (queries, statistics) and a digest's 9 weeks, and once more without
the index that the digest migration adds.

    python benchmarks/aggregate.py [--scores 1000000] [--teams 500] [--weeks 52] [--db PATH]

Goal: all teams x 52 weeks in under 5 s on the 2-core VM. Results: docs/benchmarks-aggregate.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar

sys.path.insert(0, str(Path(__file__).parents[1]))

from analyzers.aggregate import aggregate, team_weeks  # noqa: E402
from domain.teamweek import TeamWeek, iso_week, previous_weeks, week_start  # noqa: E402
from storage import connect  # noqa: E402
from storage.migrations import V2_DIGESTS  # noqa: E402
from storage.weekly import PersonWeek, person_weeks, query_plan  # noqa: E402

T = TypeVar("T")
K = 5
THRESHOLD = 0.5
INDEX = "scores_channel_week"
INDEX_SQL = V2_DIGESTS[V2_DIGESTS.index(f"CREATE INDEX {INDEX}"):]


def pseudonym(name: str) -> str:
    """32 hex digits, like analyzers.pseudonymise."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def build_teams(rng: random.Random, n_teams: int) -> dict[str, tuple[list[str], list[tuple[str, list[str]]]]]:
    """team -> (channels, [(person, the channels they write in)])."""
    teams: dict[str, tuple[list[str], list[tuple[str, list[str]]]]] = {}
    for t in range(n_teams):
        channels = [f"C0{t:07d}A", f"C0{t:07d}B"]
        people = []
        for p in range(rng.randint(8, 15)):
            where = rng.choices([channels[:1], channels[1:], channels], weights=[4, 2, 4])[0]
            people.append((pseudonym(f"{t}/{p}"), where))
        teams[f"team-{t:04d}"] = (channels, people)
    names = list(teams)
    for t, name in enumerate(names[1:], 1):
        (shared, own), people = teams[name]
        before_channels, before_people = teams[names[t - 1]]
        if t % 10 == 0:  # a person who also writes in the team before
            people.append((before_people[0][0], [shared]))
        if t % 50 == 49:  # a project team: the team before's main channel, plus 3 people
            channels = [before_channels[0], own]
            people[:] = [(p, [channels[0]]) for p, where in before_people if channels[0] in where]
            people += [(pseudonym(f"{t}/extra{i}"), [own]) for i in range(3)]
            teams[name] = (channels, people)
    return teams


def fill(db_path: Path, n_scores: int, n_teams: int, weeks: list[str], seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    teams = build_teams(rng, n_teams)
    channels = {name: chans for name, (chans, _) in teams.items()}
    if db_path.exists():
        return channels
    monday = week_start(weeks[0])
    n_days = 7 * len(weeks)
    team_list = list(teams.values())
    rows = []
    labels = ("negative", "neutral", "positive")
    for i in range(n_scores):
        _, people = rng.choice(team_list)
        author, where = rng.choice(people)
        channel = rng.choice(where)
        day = (monday + dt.timedelta(days=rng.randrange(n_days))).isoformat()
        a, b, c = rng.random(), rng.random(), rng.random()
        s = a + b + c
        probs = (a / s, b / s, c / s)
        label = labels[max(range(3), key=probs.__getitem__)]
        rows.append((f"m{i:08d}", "T0001", channel, author, day, label, *probs, rng.random(), "lexicon", "1"))
    rows.sort(key=lambda row: row[4])  # scores arrive day by day
    db = connect(db_path)
    with db.conn:
        db.conn.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.conn.execute("ANALYZE")
    db.close()
    return channels


def timed(fn: Callable[[], T], repeat: int) -> tuple[T, list[float]]:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def show(what: str, times: list[float]) -> None:
    print(f"{what:<46} median {statistics.median(times):6.2f} s   min {min(times):6.2f} s   ({len(times)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--last-week", default="2026-W47")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="keep the generated database here and reuse it")
    args = parser.parse_args()
    weeks = previous_weeks(args.last_week, args.weeks)
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        start = time.perf_counter()
        teams = fill(path, args.scores, args.teams, weeks, args.seed)
        print(f"{args.scores:,} scores, {len(teams)} teams, {len(weeks)} weeks ({weeks[0]}..{weeks[-1]}); "
              f"built in {time.perf_counter() - start:.0f} s")
        db = connect(path)
        sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'scores%' GROUP BY name").fetchall())
        print("MiB on disk: " + ", ".join(f"{name} {size / 2**20:.0f}" for name, size in sizes.items()))
        first = iso_week(week_start(weeks[0]) - dt.timedelta(weeks=1))

        def query() -> dict[str, list[PersonWeek]]:
            return {team: person_weeks(db, channels, first, weeks[-1], THRESHOLD)
                    for team, channels in teams.items()}

        def everything(epsilon: float | None = None) -> dict[str, list[TeamWeek]]:
            return team_weeks(db, teams, weeks, k=K, stress_threshold=THRESHOLD, stress_reporting=True,
                              epsilon=epsilon, rng=random.Random(1))

        result, times = timed(everything, args.repeat)
        show(f"team_weeks, {len(teams)} teams x {len(weeks)} weeks", times)
        _, times = timed(lambda: everything(1.0), args.repeat)
        show("  the same with epsilon=1", times)
        rows, times = timed(query, args.repeat)
        show("  its queries alone (person_weeks per team)", times)
        _, times = timed(lambda: aggregate(rows, weeks, k=K, stress_reporting=True), args.repeat)
        show("  its statistics alone (aggregate)", times)
        digest = weeks[-9:]
        _, times = timed(lambda: team_weeks(db, teams, digest, k=K, stress_threshold=THRESHOLD,
                                            stress_reporting=True), args.repeat)
        show(f"team_weeks, {len(teams)} teams x 9 weeks (a digest)", times)
        print(f"person-week rows: {sum(map(len, rows.values())):,}")
        states = collections.Counter(tw.suppressed.value if tw.suppressed else "published"
                                     for series in result.values() for tw in series)
        print("team-weeks: " + ", ".join(f"{n:,} {state}" for state, n in states.most_common()))
        print("plan: " + "; ".join(query_plan(db)))

        db.conn.execute(f"DROP INDEX {INDEX}")
        db.close()
        db = connect(path)  # a fresh statement cache, so the plan below is the new one
        _, times = timed(everything, 1)
        show("team_weeks without the index", times)
        print("plan: " + "; ".join(query_plan(db)))
        if args.db:
            db.conn.executescript(INDEX_SQL)
        db.close()


if __name__ == "__main__":
    main()
