"""Team-week statistics: what a manager may see of a team's week, and nothing more.

From each team's per-person weekly sums (``storage.weekly.PersonWeek``, one row per person
and week over all the team's channels) to one ``TeamWeek`` per team and week:

1. Contributors are the distinct people with a message in the team's channels that week.
2. Fewer than ``k`` contributors: suppressed (``TOO_FEW``), no numbers at all.
3. Differencing: of two teams whose contributor sets differ by 1..k-1 people, only one is
   published. Teams are taken largest first (ties: name order) and one that conflicts with
   a team already published is suppressed (``OVERLAP``): of a conflicting pair the smaller
   (tie: the later name) goes, and only when the other is itself published.
4. Each value is a mean over people of that person's weekly mean. Mood gets a 95% Student-t
   interval over the per-person means, clipped to −100..100. Shares (negative, stress
   index, stressed) get a Wilson score interval with the Korn–Graubard effective sample size
   over people (``_share_intervals``): it never collapses to zero width at 0% or 100%, where
   a t interval claims certainty that a few people cannot give.
5. With ``epsilon``, Laplace noise is added to each published value (see ``_figures``); a mood
   interval keeps its half-width and is centred on the noisy value, a share's Wilson interval
   is taken around the noisy value.
6. Weeks before a team's channels had any scored message are ``NO_DATA`` rather than
   ``TOO_FEW`` when ``team_weeks`` is told when each team started (it always is).

No SQL here: ``team_weeks`` reads its rows through ``storage.weekly``.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import datetime as dt
import gc
import hashlib
import itertools
import math
import operator
import random
from dataclasses import dataclass
from typing import Collection, Iterable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import sqlite_utils

from scipy import stats

from domain.teamweek import Estimate, Suppressed, TeamWeek, iso_week, week_start
from storage.weekly import PersonWeek, first_scored_week, person_weeks

MOOD = (-100.0, 100.0)
SHARE = (0.0, 1.0)
CHANGE = (-200.0, 200.0)
# Per-person means, in this order, of sums over that person's messages: mood, negative,
# stress, stressed. Column 0 of a person's sums is the message count.
_BOUNDS = (MOOD, SHARE, SHARE, SHARE)
_Z975: float = float(stats.norm.ppf(0.975))
# With noise, a person's messages count at most this many times in a week's total, so one
# person moves the total by at most this much (its Laplace sensitivity). In opt-in team
# channels most people write a few to a few dozen messages a week.
MESSAGE_CAP = 50

_Key = tuple[str, str]  # (team, week)


def _laplace(seed: int, keys: Sequence[_Key], n: int) -> npt.NDArray[np.float64]:
    """``n`` standard Laplace draws for each (team, week) of ``keys``.

    Each key's draws come from a hash of the seed, team and week (counter-mode, like a
    stream cipher), so they do not depend on which other keys are drawn: a team-week gets
    the same noise whichever weeks are asked for.
    """
    digests = b"".join(
        hashlib.blake2b(f"{seed}/{team}/{week}".encode(), digest_size=8 * n).digest()
        for team, week in keys
    )
    bits = np.frombuffer(digests, dtype=">u8").reshape(len(keys), n)
    centred = (bits + 0.5) / 2.0**64 - 0.5  # uniform on (-1/2, 1/2)
    draws: npt.NDArray[np.float64] = -np.sign(centred) * np.log1p(-2 * np.abs(centred))
    return draws


@dataclass(frozen=True, slots=True)
class _Figures:
    """A published team-week before ``mood_change``, with what the change needs."""

    contributors: int
    messages: int
    estimates: tuple[Estimate, ...]  # in _BOUNDS order
    mood_se: float
    n: int


def _group(
    teams: Mapping[str, Iterable[PersonWeek]], weeks: Collection[str]
) -> dict[_Key, list[PersonWeek]]:
    """(team, week) -> one row per person, for the wanted ``weeks``."""
    wanted = set(weeks)
    groups: dict[_Key, list[PersonWeek]] = {}
    for team, rows in teams.items():
        for row in rows:
            if row.week in wanted:
                rows_of = groups.get((team, row.week))
                if rows_of is None:
                    groups[team, row.week] = [row]
                else:
                    rows_of.append(row)
    for key, rows_of in groups.items():
        if len({row.author for row in rows_of}) < len(rows_of):
            groups[key] = _merged(rows_of)  # counting a person twice would undercut k
    return groups


def _merged(rows: Iterable[PersonWeek]) -> list[PersonWeek]:
    """One row per author, adding up the sums of rows that share one."""
    merged: dict[str, PersonWeek] = {}
    for row in rows:
        seen = merged.get(row.author)
        merged[row.author] = row if seen is None else seen._replace(
            messages=seen.messages + row.messages,
            mood_sum=seen.mood_sum + row.mood_sum,
            negatives=seen.negatives + row.negatives,
            stress_sum=seen.stress_sum + row.stress_sum,
            stressed=seen.stressed + row.stressed,
        )
    return list(merged.values())


def _overlapping(members: Mapping[str, Collection[str]], k: int) -> set[str]:
    """Of ``members`` (team -> contributors, one week), the teams to suppress so that no two
    published teams differ by 1..k-1 contributors."""
    # Teams that share nobody differ by at least 2k people: only sharers can conflict.
    counts = collections.Counter(itertools.chain.from_iterable(members.values()))
    shared = {author for author, count in counts.items() if count > 1}
    kept: list[frozenset[str]] = []
    by_author: dict[str, list[int]] = {}
    suppressed: set[str] = set()
    for team in sorted(members, key=lambda t: (-len(members[t]), t)):
        if shared.isdisjoint(members[team]):
            continue
        these = frozenset(members[team])
        near = {i for a in these for i in by_author.get(a, ())}
        if any(0 < len(kept[i] ^ these) < k for i in near):
            suppressed.add(team)
            continue
        for a in these:
            by_author.setdefault(a, []).append(len(kept))
        kept.append(these)
    return suppressed


def _suppression(
    groups: Mapping[_Key, Sequence[PersonWeek]],
    teams: Collection[str],
    weeks: Iterable[str],
    k: int,
) -> dict[_Key, Suppressed | None]:
    """Why each (team, week) is suppressed, or None where it is published."""
    why: dict[_Key, Suppressed | None] = {}
    for week in weeks:
        enough = {}
        for team in teams:
            rows = groups.get((team, week), ())
            if len(rows) >= k:
                enough[team] = [row.author for row in rows]
            else:
                why[team, week] = Suppressed.TOO_FEW
        overlap = _overlapping(enough, k)
        for team in enough:
            why[team, week] = Suppressed.OVERLAP if team in overlap else None
    return why


def _figures(
    groups: Mapping[_Key, Sequence[PersonWeek]],
    keys: Sequence[_Key],
    k: int,
    epsilon: float | None,
    seed: int,
) -> dict[_Key, _Figures]:
    """Means of per-person means with t intervals, and counts, for the published ``keys``:
    vectorised over all of them, since a year of 500 teams is 26,000 team-weeks.

    Noise scales are sensitivity/epsilon, the contributor count n taken as public: a mean of
    n per-person means in a range of width w moves by at most w/n when one person's messages
    change (mood: 200/n; shares and stress: 1/n); the head count by 1; the message total,
    each person clipped to ``MESSAGE_CAP``, by ``MESSAGE_CAP``. Each published value spends
    ``epsilon`` once.
    """
    if not keys:
        return {}
    sizes = [len(groups[key]) for key in keys]
    rows = itertools.chain.from_iterable(groups[key] for key in keys)
    just_sums = map(operator.itemgetter(slice(2, None)), rows)
    sums = np.fromiter(itertools.chain.from_iterable(just_sums), float, 5 * sum(sizes))
    sums = sums.reshape(-1, 5)  # per person: messages, mood, negatives, stress, stressed
    per_person = sums[:, 1:] / sums[:, :1]
    starts = np.cumsum([0, *sizes[:-1]])
    n = np.array(sizes, float)[:, None]
    means = np.add.reduceat(per_person, starts) / n
    deviations = per_person - np.repeat(means, sizes, axis=0)
    se = np.sqrt(np.add.reduceat(deviations**2, starts) / (n - 1) / n)
    t_quantile = np.array([_t975(size - 1) for size in sizes])
    half = t_quantile * se[:, 0]
    share_means, share_se = means[:, 1:], se[:, 1:]
    contributors = n[:, 0]
    messages = np.add.reduceat(sums[:, 0], starts)
    n_eff = _effective_n(share_means, share_se, n, messages[:, None], t_quantile)
    if epsilon is not None:
        unit = _laplace(seed, keys, 6)
        widths = np.array([bound[1] - bound[0] for bound in _BOUNDS])
        means = means + unit[:, :4] * widths / n / epsilon
        contributors = np.maximum(k, np.rint(contributors + unit[:, 4] / epsilon))
        clipped = np.add.reduceat(np.minimum(sums[:, 0], MESSAGE_CAP), starts)
        messages = np.maximum(contributors, np.rint(clipped + unit[:, 5] * MESSAGE_CAP / epsilon))
    low, high = np.array(_BOUNDS).T
    values = np.clip(means, low, high)
    lows, highs = values.copy(), values.copy()
    lows[:, 0] = np.clip(values[:, 0] - half, *MOOD)
    highs[:, 0] = np.clip(values[:, 0] + half, *MOOD)
    lows[:, 1:], highs[:, 1:] = _wilson(values[:, 1:], n_eff)

    out: dict[_Key, _Figures] = {}
    columns = (contributors, messages, values, lows, highs, se[:, 0])
    for key, size, heads, total, value, lo, hi, mood_se in zip(
        keys, sizes, *(column.tolist() for column in columns)
    ):
        estimates = tuple(map(Estimate, value, lo, hi))
        out[key] = _Figures(int(heads), int(total), estimates, mood_se, size)
    return out


@functools.lru_cache(maxsize=None)
def _t975(df: int) -> float:
    """The multiplier of a 95% Student-t interval; cached, since a year of teams asks for a
    few dozen distinct ``df`` some 50,000 times and each scipy call costs tens of µs."""
    return float(stats.t.ppf(0.975, df))


def _effective_n(
    p: npt.NDArray[np.float64],
    se: npt.NDArray[np.float64],
    people: npt.NDArray[np.float64],
    messages: npt.NDArray[np.float64],
    t_quantile: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """The Korn–Graubard effective sample size of a mean of per-person shares: the number of
    independent yes/no draws that would give the same standard error, ``p(1−p)/se²``, at most
    the message count; the head count where that is undefined (a share of 0 or 1, or every
    person alike). Scaled by ``(z/t)²`` with ``people − 1`` degrees of freedom, so that few
    people give a wider interval, as the t interval of the means does."""
    spread = p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = np.where((se > 0) & (spread > 0), spread / se**2, people)
    draws = np.minimum(draws, messages)
    scaled: npt.NDArray[np.float64] = draws * (_Z975 / t_quantile[:, None]) ** 2
    return scaled


def _wilson(
    p: npt.NDArray[np.float64], n: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The 95% Wilson score interval of share ``p`` from ``n`` draws, elementwise: inside
    0..1, and of non-zero width even at 0 and 1."""
    z2 = _Z975**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z975 / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n**2))
    return np.clip(centre - half, 0.0, p), np.clip(centre + half, p, 1.0)


def _change(now: _Figures, before: _Figures) -> Estimate:
    """This week's published mood minus last week's; interval from both standard errors,
    with Welch-Satterthwaite degrees of freedom rounded down."""
    diff = now.estimates[0].value - before.estimates[0].value
    v1, v2 = now.mood_se**2, before.mood_se**2
    if v1 + v2 == 0:
        return Estimate(diff, diff, diff)
    df = (v1 + v2) ** 2 / (v1**2 / (now.n - 1) + v2**2 / (before.n - 1))
    half = _t975(max(1, math.floor(df))) * math.sqrt(v1 + v2)
    return Estimate(diff, max(diff - half, CHANGE[0]), min(diff + half, CHANGE[1]))


def aggregate(
    teams: Mapping[str, Iterable[PersonWeek]],
    weeks: Sequence[str],
    *,
    k: int,
    stress_reporting: bool,
    epsilon: float | None = None,
    rng: random.Random | None = None,
    started: Mapping[str, str | None] | None = None,
) -> dict[str, list[TeamWeek]]:
    """One ``TeamWeek`` per team and entry of ``weeks``, in order, from each team's person-weeks
    (``storage.weekly.person_weeks`` over the team's channels: one row per person and week).

    Pass every team that is reported at all: differencing protection compares the teams of
    one call. ``mood_change`` compares with the week before; its rows are used when given
    (``team_weeks`` queries them), else the first week's ``mood_change`` is ``None``.

    With ``epsilon``, noise is seeded by one draw from ``rng`` (default: a fresh
    ``random.Random()``), and a team-week's noise depends only on that seed, the team and
    the week: seed ``rng`` the same way for every digest and each week keeps its noise in
    every history it appears in, so it cannot be averaged away.

    ``started`` maps a team to the first ISO week with any scored message in its channels
    (None: none yet); its weeks before that are ``NO_DATA`` instead of ``TOO_FEW``.
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    previous = {week: _previous(week) for week in weeks}
    needed = list(dict.fromkeys([*previous.values(), *weeks]))
    groups = _group(teams, needed)
    why = _suppression(groups, teams, needed, k)
    seed = (rng or random.Random()).getrandbits(128) if epsilon is not None else 0
    figures = _figures(groups, [key for key, w in why.items() if w is None], k, epsilon, seed)

    out: dict[str, list[TeamWeek]] = {}
    for team in teams:
        series: list[TeamWeek] = []
        for week in weeks:
            now = figures.get((team, week))
            if now is None:
                reason = why[team, week]
                if started is not None and team in started and _before(week, started[team]):
                    reason = Suppressed.NO_DATA
                series.append(TeamWeek(team, week, reason))
                continue
            before = figures.get((team, previous[week]))
            mood, negative, stress, stressed = now.estimates
            series.append(
                TeamWeek(
                    team, week, None, now.contributors, now.messages, mood, negative,
                    stress if stress_reporting else None,
                    stressed if stress_reporting else None,
                    None if before is None else _change(now, before),
                )
            )
        out[team] = series
    return out


def _before(week: str, first: str | None) -> bool:
    """Whether ``week`` comes before ``first`` (every week does when there is no first)."""
    return first is None or week_start(week) < week_start(first)


def _previous(week: str) -> str:
    return iso_week(week_start(week) - dt.timedelta(weeks=1))


def team_weeks(
    db: sqlite_utils.Database,
    teams: Mapping[str, Collection[str]],
    weeks: Sequence[str],
    *,
    k: int,
    stress_threshold: float,
    stress_reporting: bool,
    epsilon: float | None = None,
    rng: random.Random | None = None,
) -> dict[str, list[TeamWeek]]:
    """``aggregate`` over the scores of ``teams`` (name -> its channel ids) from the week before
    the first of ``weeks`` (for its ``mood_change``) to the last."""
    if not weeks:
        return {team: [] for team in teams}
    first = _previous(min(weeks, key=week_start))
    last = max(weeks, key=week_start)
    with _collector_paused():
        rows = {
            team: person_weeks(db, channels, first, last, stress_threshold)
            for team, channels in teams.items()
        }
        started = {team: first_scored_week(db, channels) for team, channels in teams.items()}
        return aggregate(
            rows, weeks, k=k, stress_reporting=stress_reporting, epsilon=epsilon, rng=rng,
            started=started,
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a year of 500 teams is about a million small
    objects and no reference cycles, and its full passes over them took a tenth of the time
    (docs/benchmarks-aggregate.md). Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
