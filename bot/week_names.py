"""How digests, alerts and charts name an ISO week, the same way everywhere.

The CLI takes ISO weeks (``2026-W47``); a manager reads "week 47 (16–22 Nov 2026)" in a title
and "W47" over "16 Nov" under a chart, so the two can be matched at a glance.
"""

from __future__ import annotations

import datetime as dt

from domain.teamweek import week_start
from bot import texts as t

__all__ = ["week_name", "week_number", "week_short", "week_tick"]


def week_number(week: str) -> int:
    """47 for ``"2026-W47"``."""
    return week_start(week).isocalendar().week


def week_short(week: str) -> str:
    """``"W47"``."""
    return t.WEEK_SHORT.format(number=week_number(week))


def week_tick(week: str) -> str:
    """A chart's label for a week: ``"W47"`` over its Monday, ``"16 Nov"``."""
    monday = week_start(week)
    return f"{week_short(week)}\n{monday.day} {monday:%b}"


def week_name(week: str) -> str:
    """``"week 47 (16–22 Nov 2026)"``, ``"week 49 (30 Nov – 6 Dec 2026)"`` across months."""
    monday = week_start(week)
    sunday = monday + dt.timedelta(days=6)
    if monday.month == sunday.month:
        days = f"{monday.day}–{sunday.day} {sunday:%b} {sunday.year}"
    elif monday.year == sunday.year:
        days = f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b} {sunday.year}"
    else:
        days = f"{monday.day} {monday:%b} {monday.year} – {sunday.day} {sunday:%b} {sunday.year}"
    return t.WEEK_NAME.format(number=monday.isocalendar().week, days=days)
