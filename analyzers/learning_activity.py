"""A team's learning activity for the weekly digest: items completed per skill, under the same
k-anonymity rule as every other team number (issue [mytraining])."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from domain.teamweek import SkillActivity

__all__ = ["skill_activity"]


def skill_activity(
    completions: Iterable[tuple[str, str]], skills_of: Mapping[str, Iterable[str]], k: int,
) -> tuple[SkillActivity, ...]:
    """Per skill, the items completed and the people who completed them, from ``(person, item
    id)`` pairs; only skills that at least ``k`` different people worked on, most items first
    (ties by name). Items no longer in the catalog count for no skill."""
    items: dict[str, int] = defaultdict(int)
    people: dict[str, set[str]] = defaultdict(set)
    for person, item_id in completions:
        for skill in skills_of.get(item_id, ()):
            items[skill] += 1
            people[skill].add(person)
    shown = [SkillActivity(skill, items[skill], len(who)) for skill, who in people.items() if len(who) >= k]
    return tuple(sorted(shown, key=lambda a: (-a.items, a.skill)))
