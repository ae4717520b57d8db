"""How often the alert rules fire on noise, and how often they catch a planted shift.

Simulates team-years of weekly figures from person-level noise (each person has their own
level; each week and each message add noise; 90% of people write in a given week), runs the
rules week by week as the scheduler would (with the cooldown), and prints per team-year:
chance alerts by rule, and the share of planted shifts caught in the week they happen.

    .venv/bin/python benchmarks/alert_rates.py --people 8 --messages 10-30 --years 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
from collections import Counter

from analyzers.alerts import evaluate
from domain.teamweek import Alert, Estimate, Suppressed, TeamWeek, iso_week
from analyzers.alerts import AlertRules

FIRST_MONDAY = dt.date(2025, 1, 6)
SHIFT_WEEK = 40


def simulate(seed: int, people: int, messages: tuple[int, int], *, mood_shift: float = 0.0,
             stress_shift: float = 0.0, weeks: int = 52) -> list[TeamWeek]:
    """One team-year of published weekly figures (k = 5)."""
    rng = random.Random(seed)
    levels = [(rng.gauss(0, 15), rng.gauss(0, 0.05)) for _ in range(people)]
    out = []
    for i in range(weeks):
        shifted = i >= SHIFT_WEEK
        moods, stresses = [], []
        for mood_level, stress_level in levels:
            if rng.random() > 0.9:
                continue
            weekly = rng.gauss(0, 5)
            n = rng.randint(*messages)
            moods.append(statistics.fmean(
                max(-100.0, min(100.0, 20 + mood_level + weekly + mood_shift * shifted + rng.gauss(0, 45)))
                for _ in range(n)))
            stresses.append(statistics.fmean(
                max(0.0, min(1.0, 0.3 + stress_level + stress_shift * shifted + rng.gauss(0, 0.2)))
                for _ in range(n)))
        week = iso_week(FIRST_MONDAY + dt.timedelta(weeks=i))
        if len(moods) < 5:
            out.append(TeamWeek("team", week, Suppressed.TOO_FEW))
            continue
        mood, stress = statistics.fmean(moods), statistics.fmean(stresses)
        out.append(TeamWeek("team", week, None, len(moods), 0, Estimate(mood, mood, mood),
                            stress=Estimate(stress, stress, stress)))
    return out


def run(weeks: list[TeamWeek]) -> list[Alert]:
    """The rules applied week by week, each week seeing the alerts fired before it."""
    fired: list[Alert] = []
    for i in range(len(weeks)):
        fired += evaluate(weeks[max(0, i - 8): i + 1], fired, AlertRules(), stress_reporting=True)
    return fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--messages", default="10-30", help="messages per person per week, LOW-HIGH")
    parser.add_argument("--years", type=int, default=200, help="simulated team-years (seeds)")
    args = parser.parse_args()
    low, high = (int(x) for x in args.messages.split("-"))
    chance: Counter[str] = Counter()
    spreads = []
    for seed in range(args.years):
        weeks = simulate(seed, args.people, (low, high))
        spreads.append(statistics.stdev([w.mood.value for w in weeks if w.mood is not None]))
        chance.update(a.rule for a in run(weeks))
    shift_week = iso_week(FIRST_MONDAY + dt.timedelta(weeks=SHIFT_WEEK))
    caught = Counter()
    for seed in range(args.years):
        for rule, shift in (("mood_drop", {"mood_shift": -20.0}), ("stress_rise", {"stress_shift": 0.15})):
            fired = run(simulate(seed, args.people, (low, high), **shift))
            caught[rule] += any(a.rule == rule and a.week == shift_week for a in fired)
    print(f"{args.people} people, {low}-{high} messages each a week, {args.years} team-years; "
          f"weekly mood spread {statistics.fmean(spreads):.1f} points")
    rates = ", ".join(f"{rule} {chance[rule] / args.years:.2f}" for rule in ("mood_drop", "stress_rise", "decline"))
    print(f"chance alerts per team-year: {rates}")
    print(f"caught in the week it happens: mood -20 {caught['mood_drop'] / args.years:.0%}, "
          f"stress +0.15 {caught['stress_rise'] / args.years:.0%}")


if __name__ == "__main__":
    main()
