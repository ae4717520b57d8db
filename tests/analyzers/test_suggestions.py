"""Suggestions for a manager: chosen from what moved in the week, each linked to its own item."""

from __future__ import annotations

import itertools
from dataclasses import replace
import re
from typing import AbstractSet, Sequence

import pytest

from analyzers.catalog import Catalog, CatalogItem, load_catalog
from analyzers.suggestions import ADVICE, STRESS_HIGH, VARIANTS, situations, suggest, volume_collapsed
from domain.teamweek import Alert, Estimate, Suggestion, Suppressed, TeamWeek, previous_weeks

TEAM, WEEK = "Platform", "2026-W47"
CATALOG = load_catalog()
STRESS_SITUATIONS = {"stress_rise", "stress_high", "stress_up", "stress_still_high"}

#: Each advice and the catalog item whose title says what the advice asks for.
EXPECTED_ITEMS = {
    "mood_drop": "listening-when-mood-drops",
    "mood_drop_tension": "working-through-disagreement",
    "stress_rise": "noticing-team-stress",
    "stress_rise_workload": "workload-conversations",
    "decline": "retrospectives-that-change-things",
    "decline_pace": "sustainable-pace",
    "mood_still_low": "retrospectives-that-change-things",
    "mood_still_low_one_to_ones": "one-to-ones-that-matter",
    "stress_still_high": "workload-conversations",
    "stress_still_high_pace": "sustainable-pace",
    "mood_dip": "one-to-ones-that-matter",
    "mood_dip_listen": "listening-when-mood-drops",
    "stress_high": "noticing-team-stress",
    "stress_high_meetings": "fewer-better-meetings",
    "stress_up": "noticing-team-stress",
    "stress_up_workload": "workload-conversations",
    "volume_drop": "when-a-team-goes-quiet",
    "volume_drop_check_in": "team-check-ins",
    "good": "recognising-good-work",
    "good_retro": "retrospectives-that-change-things",
    "steady": "one-to-ones-that-matter",
    "steady_meetings": "fewer-better-meetings",
    "too_few": "team-check-ins",
    "too_few_one_to_ones": "one-to-ones-that-matter",
    "overlap": "team-check-ins",
    "overlap_one_to_ones": "one-to-ones-that-matter",
    "no_data": "team-check-ins",
    "no_data_one_to_ones": "one-to-ones-that-matter",
}


def week(mood: float = 5.0, change: float | None = None, stress: float | None = 0.3, *,
         messages: int = 90, name: str = WEEK, team: str = TEAM) -> TeamWeek:
    """A published week; intervals are ±3 mood points and ±0.03 stress."""
    return TeamWeek(
        team, name, None, contributors=7, messages=messages,
        mood=Estimate(mood, mood - 3, mood + 3),
        negative=Estimate(0.2, 0.15, 0.25),
        stress=None if stress is None else Estimate(stress, stress - 0.03, stress + 0.03),
        stressed=None if stress is None else Estimate(stress, stress - 0.03, stress + 0.03),
        mood_change=None if change is None else Estimate(change, change - 3, change + 3),
    )


def suppressed(reason: Suppressed, name: str = WEEK, team: str = TEAM) -> TeamWeek:
    return TeamWeek(team, name, reason)


def prior(*weeks: TeamWeek | int | None) -> list[TeamWeek]:
    """Weeks before WEEK, oldest first: a message count makes a published week with that
    count, None a suppressed week, a TeamWeek is renamed into place."""
    names = previous_weeks(WEEK, len(weeks) + 1)[:-1]
    out = []
    for name, w in zip(names, weeks):
        if isinstance(w, TeamWeek):
            out.append(replace(w, week=name))
        elif w is None:
            out.append(suppressed(Suppressed.TOO_FEW, name))
        else:
            out.append(week(messages=w, name=name))
    return out


def alert(rule: str) -> Alert:
    return Alert(TEAM, WEEK, rule, f"{rule} fired", value=1.0, baseline=2.0)


def run(current: TeamWeek, rules: Sequence[str] = (), *, before: list[TeamWeek] | None = None,
        stress_reporting: bool = True, recent: AbstractSet[str] = frozenset(), limit: int = 2,
        catalog: Catalog = CATALOG, earlier: Sequence[Alert] = ()) -> tuple[Suggestion, ...]:
    return suggest(current, [*(before or []), current], [alert(r) for r in rules], catalog,
                   stress_reporting=stress_reporting, recent=recent, limit=limit, earlier=earlier)


LAST_WEEK = previous_weeks(WEEK, 2)[0]
#: Alerts of last week: mood fell to −7 from +12, the stress index rose to 25% from 10%.
EARLIER = {
    "mood_still_low": [Alert(TEAM, LAST_WEEK, "mood_drop", "Mood fell.", value=-7.0, baseline=12.0)],
    "stress_still_high": [Alert(TEAM, LAST_WEEK, "stress_rise", "Stress rose.", value=0.25, baseline=0.10)],
}


def keys(suggestions: tuple[Suggestion, ...]) -> list[str]:
    return [s.key for s in suggestions]


#: One week per situation in which it is the first (most pressing) one.
CASES: dict[str, tuple[TeamWeek, list[str], list[TeamWeek]]] = {
    "mood_drop": (week(-20, change=-18), ["mood_drop"], []),
    "stress_rise": (week(change=0, stress=0.45), ["stress_rise"], []),
    "decline": (week(-5, change=-4), ["decline"], []),
    "mood_still_low": (week(-7, change=0), [], []),
    "stress_still_high": (week(20, change=0, stress=0.23), [], []),
    "mood_dip": (week(5, change=-10), [], []),
    "stress_high": (week(0, change=0, stress=STRESS_HIGH + 0.03), [], []),
    "stress_up": (week(0, change=0, stress=0.4), [], prior(week(stress=0.3))),
    "volume_drop": (week(0, change=0, messages=40), [], prior(90, 90, 90)),
    "good": (week(12, change=1), [], []),
    "steady": (week(2, change=-2), [], []),
    "too_few": (suppressed(Suppressed.TOO_FEW), [], []),
    "overlap": (suppressed(Suppressed.OVERLAP), [], []),
    "no_data": (suppressed(Suppressed.NO_DATA), [], []),
}


# -- The advice table -----------------------------------------------------------------------


def test_every_situation_has_two_variants_each_with_its_own_advice_and_item() -> None:
    assert set(VARIANTS) == set(CASES)
    assert sorted(itertools.chain(*VARIANTS.values())) == sorted(ADVICE) == sorted(EXPECTED_ITEMS)
    for situation, variants in VARIANTS.items():
        assert len(variants) == 2 and variants[0] == situation
        assert len({ADVICE[k].text for k in variants}) == len({ADVICE[k].item for k in variants}) == 2


@pytest.mark.parametrize("key", sorted(EXPECTED_ITEMS))
def test_each_advice_names_its_own_manager_item_of_the_bundled_catalog(key: str) -> None:
    advice = ADVICE[key]
    assert advice.item == EXPECTED_ITEMS[key]
    item = CATALOG.get(advice.item)
    assert item.is_for("manager")
    about_stress = any(key in VARIANTS[s] for s in STRESS_SITUATIONS)
    assert "stress" not in item.tags or about_stress
    assert ("stress" in advice.text.lower()) == about_stress
    assert set(advice.tags) & set(item.tags)  # the fallback topics fit the item
    assert not re.search(r"\d", advice.text)


@pytest.mark.parametrize(("situation", "variant"), [(s, i) for s in sorted(VARIANTS) for i in (0, 1)])
def test_each_situation_links_each_variant_to_its_own_item(situation: str, variant: int) -> None:
    current, rules, before = CASES[situation]
    key = VARIANTS[situation][variant]
    result = run(current, rules, before=before, recent=set(VARIANTS[situation][:variant]),
                 earlier=EARLIER.get(situation, ()))
    item = CATALOG.get(EXPECTED_ITEMS[key])
    assert (result[0].key, result[0].text, result[0].title, result[0].url) == (
        key, ADVICE[key].text, item.title, item.url)


# -- Situations -------------------------------------------------------------------------------


def test_situations_come_most_pressing_first() -> None:
    current = week(-20, change=-18, stress=0.6, messages=30)
    history = [*prior(90, 80, 100), current]
    rules = [alert("decline"), alert("stress_rise"), alert("mood_drop")]
    assert situations(current, history, rules, stress_reporting=True) == [
        "mood_drop", "stress_rise", "decline", "volume_drop"]
    assert situations(current, history, [], stress_reporting=True) == ["mood_dip", "stress_high", "volume_drop"]
    assert situations(current, history, rules, stress_reporting=False) == ["mood_drop", "decline", "volume_drop"]


def test_at_most_two_suggestions_by_default_and_never_more_than_the_limit() -> None:
    current, before = week(-20, change=-18, stress=0.6, messages=30), prior(90, 80, 100)
    rules = ["mood_drop", "stress_rise", "decline"]
    assert keys(run(current, rules, before=before)) == ["mood_drop", "stress_rise"]
    for limit, count in [(0, 0), (1, 1), (3, 3), (4, 4), (9, 4)]:
        assert len(run(current, rules, before=before, limit=limit)) == count


def test_a_steady_week_gets_one_suggestion_and_no_filler() -> None:
    # mood_change -2 ± 3 straddles zero; mood 2 ± 3 straddles zero; stress low end below STRESS_HIGH.
    result = run(week(2, change=-2, stress=STRESS_HIGH))
    assert keys(result) == ["steady"]
    assert result[0].title == CATALOG.get("one-to-ones-that-matter").title
    assert not any("meeting-free" in s.text for s in result)


def test_a_situation_comes_alone_without_fillers() -> None:
    assert keys(run(week(12, change=1))) == ["good"]
    assert keys(run(week(-20, change=-18), ["mood_drop"])) == ["mood_drop"]


@pytest.mark.parametrize(
    ("before", "messages", "collapsed"),
    [
        ([90, 90, 90], 45, True),  # exactly half the median
        ([90, 90, 90], 46, False),  # just above half
        ([60, 100, 200], 50, True),  # the median, not the mean (120)
        ([60, 100, 200], 51, False),
        ([80, 100, 120, 140], 55, True),  # median of an even count: 110
        ([80, 100, 120, 140], 56, False),
        ([90, 90], 10, False),  # two weeks are too few to know the usual volume
        ([90, None, 90], 10, False),  # a suppressed week does not count
        ([90, None, 90, 90], 45, True),
        ([], 1, False),
    ],
)
def test_volume_collapse_is_at_most_half_the_median_of_at_least_three_published_weeks(
    before: list[int | None], messages: int, collapsed: bool
) -> None:
    current = week(0, change=0, messages=messages)
    history = [*prior(*before), current]
    assert volume_collapsed(current, history) is collapsed
    assert ("volume_drop" in situations(current, history, [], stress_reporting=True)) is collapsed
    assert (keys(run(current, before=prior(*before))) == ["volume_drop"]) is collapsed


def test_a_suppressed_week_has_no_volume_collapse() -> None:
    assert not volume_collapsed(suppressed(Suppressed.TOO_FEW), [*prior(90, 90, 90)])


@pytest.mark.parametrize(
    ("last", "low", "up"),
    [
        (week(stress=0.3), 0.31, True),  # this week's interval lies above last week's 0.30
        (week(stress=0.3), 0.3, False),  # it reaches down to 0.30
        (week(stress=0.3), 0.17, False),
        (week(stress=None), 0.4, False),  # last week has no stress figure
        (suppressed(Suppressed.TOO_FEW), 0.4, False),  # nor has a suppressed one
    ],
)
def test_stress_up_when_this_weeks_interval_lies_above_last_weeks_value(last: TeamWeek, low: float, up: bool) -> None:
    current = replace(week(0, change=0), stress=Estimate(low + 0.03, low, low + 0.06))
    before = prior(last)
    assert ("stress_up" in situations(current, [*before, current], [], stress_reporting=True)) is up
    assert ("stress_up" in situations(current, [*before, current], [], stress_reporting=False)) is False


def test_stress_up_compares_with_the_week_just_before() -> None:
    current = week(0, change=0, stress=0.4)
    two_weeks_ago = prior(week(stress=0.2), None)
    assert situations(current, [*two_weeks_ago, current], [], stress_reporting=True) == ["steady"]


def test_high_stress_is_one_stress_situation_and_an_alert_replaces_both() -> None:
    current = week(0, change=0, stress=0.6)
    history = [*prior(week(stress=0.3)), current]
    assert situations(current, history, [], stress_reporting=True) == ["stress_high"]
    assert situations(current, history, [alert("stress_rise")], stress_reporting=True) == ["stress_rise"]


# -- Not repeating the previous weeks -----------------------------------------------------------


def test_a_persisting_situation_gets_its_second_variant_then_nothing() -> None:
    current = week(5, change=-10)
    assert keys(run(current)) == ["mood_dip"]
    assert keys(run(current, recent={"mood_dip"})) == ["mood_dip_listen"]
    assert keys(run(current, recent={"mood_dip", "mood_dip_listen"})) == []
    assert keys(run(current, recent={"mood_dip_listen", "good"})) == ["mood_dip"]


def test_a_steady_team_is_not_told_the_same_thing_every_week() -> None:
    sent: list[list[str]] = []
    for _ in range(6):
        recent = set(itertools.chain(*sent[-2:]))
        sent.append(keys(run(week(2, change=-2), recent=recent)))
    assert sent == [["steady"], ["steady_meetings"], [], ["steady"], ["steady_meetings"], []]


def test_a_skipped_situation_lets_the_next_one_in() -> None:
    result = run(week(-20, change=-18, stress=0.6), ["mood_drop", "stress_rise", "decline"],
                 recent={"mood_drop", "mood_drop_tension", "stress_rise"})
    assert keys(result) == ["stress_rise_workload", "decline"]


def test_a_variant_whose_item_this_digest_links_already_gives_way_to_the_next() -> None:
    # This catalog lacks mood_drop's item, and the best topic match is volume_drop's own item.
    current, before = week(-20, change=-18, messages=30), prior(90, 90, 90)
    quiet = manager_item("when-a-team-goes-quiet", ["feedback", "conflict"])
    catalog = Catalog((quiet, manager_item("team-check-ins", ["meetings"])))
    result = run(current, ["mood_drop"], before=before, catalog=catalog)
    assert [(s.key, s.title) for s in result] == [
        ("mood_drop", "when-a-team-goes-quiet"), ("volume_drop_check_in", "team-check-ins")]
    # With no variant left whose link is free, the first one comes without a link.
    result = run(current, ["mood_drop"], before=before, catalog=Catalog((quiet,)))
    assert [(s.key, s.title) for s in result] == [("mood_drop", "when-a-team-goes-quiet"), ("volume_drop", None)]


# -- The Design case: a suppressed team ----------------------------------------------------------


@pytest.mark.parametrize("reason", list(Suppressed))
def test_a_suppressed_team_gets_one_suggestion_linked_to_its_own_item(reason: Suppressed) -> None:
    design = suppressed(reason, team="Design")
    result = suggest(design, [design], [], CATALOG, stress_reporting=True)
    assert keys(result) == [reason.value]
    assert (result[0].title, result[0].url) == (CATALOG.get("team-check-ins").title,
                                                CATALOG.get("team-check-ins").url)
    again = suggest(design, [design], [], CATALOG, stress_reporting=True, recent={reason.value})
    assert [(s.key, s.title) for s in again] == [
        (f"{reason.value}_one_to_ones", CATALOG.get("one-to-ones-that-matter").title)]


# -- Stress reporting off, links ------------------------------------------------------------------


def scenarios() -> list[tuple[TeamWeek, list[Alert], list[TeamWeek]]]:
    weeks = [week(-20, change=-18, stress=0.8), week(12, change=1, stress=None), week(5, change=-10),
             week(0, change=0, stress=0.4, messages=30), suppressed(Suppressed.TOO_FEW),
             suppressed(Suppressed.OVERLAP), suppressed(Suppressed.NO_DATA)]
    rule_sets = [[], ["mood_drop"], ["stress_rise"], ["decline", "stress_rise"]]
    before = prior(week(stress=0.3, messages=90), 90, 90)
    return [(w, [alert(r) for r in rules], [*before, w]) for w, rules in itertools.product(weeks, rule_sets)]


@pytest.mark.parametrize(("current", "alerts", "history"), scenarios())
def test_with_stress_reporting_off_nothing_mentions_stress(
    current: TeamWeek, alerts: list[Alert], history: list[TeamWeek]
) -> None:
    for recent in (frozenset(), frozenset(v[0] for v in VARIANTS.values())):
        result = suggest(current, history, alerts, CATALOG, stress_reporting=False, recent=recent)
        assert result
        for s in result:
            assert "stress" not in f"{s.text} {s.title} {s.url} {s.key}".lower()


@pytest.mark.parametrize(("current", "alerts", "history"), scenarios())
def test_links_go_to_distinct_manager_items_and_sentences_carry_no_figures(
    current: TeamWeek, alerts: list[Alert], history: list[TeamWeek]
) -> None:
    by_url = {item.url: item for item in CATALOG}
    for stress_reporting, recent in itertools.product(
        (True, False), (frozenset(), frozenset(v[0] for v in VARIANTS.values()))
    ):
        result = suggest(current, history, alerts, CATALOG, stress_reporting=stress_reporting, recent=recent)
        assert 1 <= len(result) <= 2
        linked = [by_url[s.url] for s in result if s.url]
        assert len(linked) == len(result)  # the bundled catalog has an item for every advice
        assert [i.id for i in linked] == [ADVICE[s.key].item for s in result]
        assert len({i.id for i in linked}) == len(linked)
        assert all(i.is_for("manager") for i in linked)
        assert [s.title for s in result] == [i.title for i in linked]
        assert not any(re.search(r"\d", s.text) for s in result)


def test_stress_advice_links_a_stress_item_when_reporting_is_on() -> None:
    result = run(week(stress=0.45), ["stress_rise"])
    linked = next(i for i in CATALOG if i.url == result[0].url)
    assert "stress" in linked.tags


def manager_item(id: str, tags: list[str], audience: str = "manager") -> CatalogItem:
    return CatalogItem.model_validate({
        "id": id, "title": id, "url": f"https://learning.example.com/{id}",
        "duration_minutes": 10, "tags": tags, "for": audience,
    })


def test_without_a_matching_manager_item_a_suggestion_has_no_link() -> None:
    only_for_staff = Catalog((manager_item("focus", ["focus"], "employee"),))
    result = run(week(12, change=1), catalog=only_for_staff)
    assert result and all(s.title is None and s.url is None for s in result)


def test_a_catalog_without_the_named_item_falls_back_to_an_unused_topic_match() -> None:
    # mood_drop (feedback, conflict) and decline (workload, meetings, feedback) share "listen".
    catalog = Catalog((manager_item("listen", ["feedback", "conflict"]), manager_item("staff", ["workload"], "employee")))
    result = run(week(-20, change=-18), ["mood_drop", "decline"], catalog=catalog)
    assert [(s.key, s.title) for s in result] == [("mood_drop", "listen"), ("decline", None)]


def test_the_named_item_is_used_only_when_it_is_for_managers() -> None:
    catalog = Catalog((manager_item("listening-when-mood-drops", ["feedback"], "employee"),
                       manager_item("conflict", ["conflict"])))
    assert run(week(-20, change=-18), ["mood_drop"], catalog=catalog)[0].title == "conflict"


def test_with_stress_reporting_off_stress_tagged_items_are_never_linked() -> None:
    # The stress item shares the most topics with the decline advice, so it wins when allowed.
    catalog = Catalog((manager_item("stress-and-workload", ["stress", "workload", "meetings", "feedback"]),
                       manager_item("workload", ["workload"])))
    on = run(week(-5, change=-4), ["decline"], catalog=catalog, limit=1)
    off = run(week(-5, change=-4), ["decline"], catalog=catalog, stress_reporting=False, limit=1)
    assert (on[0].title, off[0].title) == ("stress-and-workload", "workload")


def test_with_stress_reporting_off_a_named_item_tagged_stress_is_not_linked() -> None:
    # A deployment's own catalog may tag the item an advice names with stress.
    catalog = Catalog((manager_item("one-to-ones-that-matter", ["meetings", "stress"]),
                       manager_item("check-in", ["feedback"])))
    on = run(week(2, change=-2), catalog=catalog)
    off = run(week(2, change=-2), catalog=catalog, stress_reporting=False)
    assert (on[0].title, off[0].title) == ("one-to-ones-that-matter", "check-in")


# -- After an alert ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mood", "still"), [(-7.0, True), (2.4, True), (2.5, False), (15.0, False)])
def test_a_mood_alert_stays_open_until_mood_is_back_half_way(mood: float, still: bool) -> None:
    # Alerted at −7 against +12: half way back is +2.5.
    found = situations(week(mood, change=0), [], [], stress_reporting=True, earlier=EARLIER["mood_still_low"])
    assert ("mood_still_low" in found) is still
    assert found != ["steady"] or not still  # a team still down after an alert is not "steady"


def test_an_open_stress_alert_is_a_situation_only_where_stress_is_reported() -> None:
    current = week(20, change=0, stress=0.23)
    assert "stress_still_high" in situations(current, [], [], stress_reporting=True, earlier=EARLIER["stress_still_high"])
    assert "stress_still_high" not in situations(current, [], [], stress_reporting=False,
                                                 earlier=EARLIER["stress_still_high"])
    assert "stress_still_high" not in situations(week(20, change=0, stress=0.15), [], [], stress_reporting=True,
                                                 earlier=EARLIER["stress_still_high"])


def test_a_new_alert_on_the_same_figure_replaces_the_open_one() -> None:
    found = situations(week(-20, change=-13), [], [alert("mood_drop")], stress_reporting=True,
                       earlier=EARLIER["mood_still_low"])
    assert "mood_drop" in found and "mood_still_low" not in found


def test_the_week_after_an_alert_gets_follow_up_advice_not_the_alert_again() -> None:
    # The demo's Platform: W45 alerted (its advice sent), W46 still at −7.
    result = run(week(-7, change=0, stress=0.23), recent={"mood_drop", "stress_rise"},
                 earlier=[*EARLIER["mood_still_low"], *EARLIER["stress_still_high"]])
    assert keys(result) == ["mood_still_low", "stress_still_high"]
