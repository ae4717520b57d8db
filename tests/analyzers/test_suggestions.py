"""Suggestions for a manager: chosen from the week's situation, linked to the catalog."""

from __future__ import annotations

import itertools
import re

import pytest

from analyzers.catalog import Catalog, CatalogItem, load_catalog
from analyzers.suggestions import ADVICE, STRESS_HIGH, suggest
from analyzers.teamweek import Alert, Estimate, Suggestion, Suppressed, TeamWeek

TEAM, WEEK = "Platform", "2026-W47"
CATALOG = load_catalog()


def week(mood: float = 5.0, change: float | None = None, stress: float | None = 0.3) -> TeamWeek:
    """A published week; intervals are ±3 mood points and ±0.03 stress."""
    return TeamWeek(
        TEAM, WEEK, None, contributors=7, messages=90,
        mood=Estimate(mood, mood - 3, mood + 3),
        negative=Estimate(0.2, 0.15, 0.25),
        stress=None if stress is None else Estimate(stress, stress - 0.03, stress + 0.03),
        stressed=None if stress is None else Estimate(stress, stress - 0.03, stress + 0.03),
        mood_change=None if change is None else Estimate(change, change - 3, change + 3),
    )


def alert(rule: str) -> Alert:
    return Alert(TEAM, WEEK, rule, f"{rule} fired", value=1.0, baseline=2.0)


def texts(suggestions: tuple[Suggestion, ...]) -> list[str]:
    return [s.text for s in suggestions]


@pytest.mark.parametrize(
    ("current", "rules", "first"),
    [
        (week(-20, change=-18), ["mood_drop"], "mood_drop"),
        (week(-5, change=-4), ["decline"], "decline"),
        (week(change=0, stress=0.45), ["stress_rise"], "stress_rise"),
        (TeamWeek(TEAM, WEEK, Suppressed.TOO_FEW), [], "too_few"),
        (TeamWeek(TEAM, WEEK, Suppressed.OVERLAP), [], "overlap"),
        (week(12, change=1), [], "good"),
        (week(5, change=-10), [], "mood_dip"),
        (week(0, change=0, stress=STRESS_HIGH + 0.03), [], "stress_high"),
    ],
)
def test_the_situation_decides_the_first_suggestion(current: TeamWeek, rules: list[str], first: str) -> None:
    result = suggest(current, [alert(r) for r in rules], CATALOG, stress_reporting=True)
    assert result[0].text == ADVICE[first].text


def test_alerts_come_first_in_order_of_urgency() -> None:
    result = suggest(week(-20, change=-18, stress=0.6), [alert("decline"), alert("stress_rise"), alert("mood_drop")],
                     CATALOG, stress_reporting=True)
    assert texts(result) == [ADVICE["mood_drop"].text, ADVICE["stress_rise"].text, ADVICE["decline"].text]


def test_a_change_within_its_interval_is_not_a_dip_and_a_middling_week_is_not_good() -> None:
    # mood_change -2 ± 3 straddles zero; mood 2 ± 3 straddles zero; stress low end below STRESS_HIGH.
    result = suggest(week(2, change=-2, stress=STRESS_HIGH), [], CATALOG, stress_reporting=True)
    assert texts(result) == [ADVICE["steady"].text, ADVICE["focus"].text]


@pytest.mark.parametrize(("limit", "count"), [(0, 0), (1, 1), (2, 2), (3, 3), (5, 4)])
def test_at_least_two_suggestions_and_never_more_than_the_limit(limit: int, count: int) -> None:
    # A mood drop with a decline: two situations plus two fillers, so 5 asks for more than exist.
    result = suggest(week(-20, change=-18), [alert("mood_drop"), alert("decline")], CATALOG,
                     stress_reporting=True, limit=limit)
    assert len(result) == count


def scenarios() -> list[tuple[TeamWeek, list[Alert]]]:
    weeks = [week(-20, change=-18, stress=0.8), week(12, change=1, stress=None), week(5, change=-10),
             TeamWeek(TEAM, WEEK, Suppressed.TOO_FEW), TeamWeek(TEAM, WEEK, Suppressed.OVERLAP)]
    rule_sets = [[], ["mood_drop"], ["stress_rise"], ["decline", "stress_rise"]]
    return [(w, [alert(r) for r in rules]) for w, rules in itertools.product(weeks, rule_sets)]


@pytest.mark.parametrize(("current", "alerts"), scenarios())
def test_with_stress_reporting_off_nothing_mentions_stress(current: TeamWeek, alerts: list[Alert]) -> None:
    result = suggest(current, alerts, CATALOG, stress_reporting=False)
    assert len(result) >= 2
    for s in result:
        assert "stress" not in f"{s.text} {s.title} {s.url}".lower()


@pytest.mark.parametrize(("current", "alerts"), scenarios())
def test_links_go_to_distinct_manager_items_and_sentences_carry_no_figures(
    current: TeamWeek, alerts: list[Alert]
) -> None:
    for stress_reporting in (True, False):
        result = suggest(current, alerts, CATALOG, stress_reporting=stress_reporting)
        by_url = {item.url: item for item in CATALOG}
        linked = [by_url[s.url] for s in result if s.url]
        assert len(linked) == len(result)  # the bundled catalog has an item for every situation
        assert len({i.id for i in linked}) == len(linked)
        assert all(i.is_for("manager") for i in linked)
        assert [s.title for s in result] == [i.title for i in linked]
        assert not any(re.search(r"\d", s.text) for s in result)


def test_the_link_shares_the_advice_topics() -> None:
    result = suggest(week(-20, change=-18), [alert("mood_drop")], CATALOG, stress_reporting=True)
    linked = next(i for i in CATALOG if i.url == result[0].url)
    assert set(linked.tags) & set(ADVICE["mood_drop"].tags)


def test_stress_advice_links_a_stress_item_when_reporting_is_on() -> None:
    result = suggest(week(stress=0.45), [alert("stress_rise")], CATALOG, stress_reporting=True)
    linked = next(i for i in CATALOG if i.url == result[0].url)
    assert "stress" in linked.tags


def test_without_a_matching_manager_item_a_suggestion_has_no_link() -> None:
    only_for_staff = Catalog((CatalogItem.model_validate({
        "id": "focus", "title": "Focus", "url": "https://learning.example.com/focus",
        "duration_minutes": 10, "tags": ["focus"], "for": "employee",
    }),))
    result = suggest(week(12, change=1), [], only_for_staff, stress_reporting=True)
    assert result and all(s.title is None and s.url is None for s in result)


def manager_item(id: str, tags: list[str]) -> CatalogItem:
    return CatalogItem.model_validate({
        "id": id, "title": id, "url": f"https://learning.example.com/{id}",
        "duration_minutes": 10, "tags": tags, "for": "manager",
    })


def test_with_stress_reporting_off_stress_tagged_items_are_never_linked() -> None:
    # The stress item shares the most topics with the decline advice, so it wins when allowed.
    catalog = Catalog((manager_item("stress-and-workload", ["stress", "workload", "meetings", "feedback"]),
                       manager_item("workload", ["workload"])))
    on = suggest(week(-5, change=-4), [alert("decline")], catalog, stress_reporting=True, limit=1)
    off = suggest(week(-5, change=-4), [alert("decline")], catalog, stress_reporting=False, limit=1)
    assert (on[0].title, off[0].title) == ("stress-and-workload", "workload")
