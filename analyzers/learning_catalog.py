"""The learning catalog for ``/mytraining``: the courses, videos, articles, workshops,
exercises and books a personal learning plan is built from (issue [mytraining]).

The bundled catalog is ``analyzers/learning_catalog.yaml`` (its URLs are placeholders for an
organisation's own learning platform; its header documents the format); a deployment may load
its own file in the same format instead. Roles (``analyzers/learning_roles.example.yaml``) map
a role name to the skill levels it targets; :func:`check_roles` checks them against a catalog.

Every problem is a :class:`~analyzers.catalog.CatalogError` on one line naming the file, the
item and the field, as for the training catalog (:mod:`analyzers.catalog`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Iterator, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from analyzers.catalog import CatalogError, Items, read_catalog, validated_items
from domain.yaml_files import parse_yaml

__all__ = [
    "FORMATS", "LearningCatalog", "LearningItem", "QuizQuestion", "check_roles",
    "load_learning_catalog", "parse_learning_catalog",
]

FORMATS = ("article", "video", "course", "workshop", "exercise", "book")
BUNDLED = "analyzers/learning_catalog.yaml"
_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Name = Annotated[str, Field(pattern=_NAME, max_length=80)]
Level = Annotated[int, Field(ge=1, le=5)]
Choice = Annotated[str, Field(min_length=1, max_length=200)]


class QuizQuestion(BaseModel):
    """One multiple-choice question; ``answer`` is the 0-based index of the right choice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, max_length=300)
    choices: tuple[Choice, ...] = Field(min_length=2, max_length=5)
    answer: int

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, choices: tuple[str, ...]) -> tuple[str, ...]:
        if any(not choice.strip() for choice in choices):
            raise ValueError("a choice is blank")
        if len({choice.strip().casefold() for choice in choices}) != len(choices):
            raise ValueError("the choices must be distinct")
        return choices

    @field_validator("answer")
    @classmethod
    def _answer_is_a_choice(cls, answer: int, info: ValidationInfo) -> int:
        choices = info.data.get("choices")
        if choices is not None and not 0 <= answer < len(choices):
            raise ValueError(f"{answer} is not the index of a choice (0 to {len(choices) - 1})")
        return answer


class LearningItem(BaseModel):
    """One course, video, article, workshop, exercise or book."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=600)
    skills: dict[Name, Level] = Field(min_length=1)  # skill -> the level completing the item brings
    level: Level  # the item's own difficulty
    minutes: int = Field(ge=1, le=1440)
    format: Literal["article", "video", "course", "workshop", "exercise", "book"]
    url: str = Field(pattern=r"^https?://[^\s<>|\"']+$", max_length=500)
    prerequisites: tuple[Name, ...] = ()
    tags: tuple[Name, ...] = ()
    quiz: tuple[QuizQuestion, ...] = ()

    @field_validator("quiz")
    @classmethod
    def _quiz_size(cls, quiz: tuple[QuizQuestion, ...]) -> tuple[QuizQuestion, ...]:
        if quiz and not 3 <= len(quiz) <= 5:
            raise ValueError(f"a quiz has 3 to 5 questions, not {len(quiz)}")
        return quiz

    @field_validator("prerequisites", "tags")
    @classmethod
    def _no_repeats(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(names))

    def text(self) -> str:
        """What is embedded to match goals against: title and description."""
        return f"{self.title}. {self.description}"


@dataclass(frozen=True, slots=True)
class LearningCatalog(Items[LearningItem]):
    """The items of one learning catalog file, in file order; ``source`` names the file."""

    items: tuple[LearningItem, ...]
    source: str = BUNDLED

    def skills(self) -> frozenset[str]:
        """Every skill some item teaches."""
        return frozenset(skill for item in self.items for skill in item.skills)

    def tagged(self, tag: str) -> list[LearningItem]:
        """The items carrying ``tag``, in file order."""
        return [item for item in self.items if tag in item.tags]


def _cycle(items: list[LearningItem]) -> list[str] | None:
    """One prerequisite cycle as ids (first id repeated at the end), or None."""
    by_id = {item.id: item for item in items}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in items:
        if root.id in state:
            continue
        path: list[str] = [root.id]
        stack: list[Iterator[str]] = [iter(root.prerequisites)]
        state[root.id] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(by_id[nxt].prerequisites))
    return None


def parse_learning_catalog(data: object, source: str) -> LearningCatalog:
    """Validate a parsed learning catalog; a problem becomes a one-line CatalogError naming
    ``source``, the item and the field."""
    items = validated_items(data, source, LearningItem)
    index_of = {item.id: index for index, item in enumerate(items)}
    for index, item in enumerate(items):
        for prerequisite in item.prerequisites:
            if prerequisite not in index_of:
                raise CatalogError(f"{source}: item {index + 1} (id {item.id!r}): prerequisites: "
                                   f"no item has the id {prerequisite!r}")
    cycle = _cycle(items)
    if cycle is not None:
        raise CatalogError(f"{source}: item {index_of[cycle[0]] + 1} (id {cycle[0]!r}): prerequisites: "
                           f"they loop back on themselves ({' -> '.join(cycle)})")
    return LearningCatalog(tuple(items), source)


def load_learning_catalog(path: Path | None = None) -> LearningCatalog:
    """Load and validate a learning catalog file; the bundled one by default."""
    text, source = read_catalog(path, "learning_catalog.yaml")
    return parse_learning_catalog(parse_yaml(text, source, CatalogError), source)


def check_roles(roles: Mapping[str, Mapping[str, int]], catalog: LearningCatalog) -> None:
    """CatalogError naming the role and the skill if a role targets a skill no item of
    ``catalog`` teaches, or a level that is not an integer 1 to 5."""
    taught = catalog.skills()
    for role, targets in roles.items():
        for skill, level in targets.items():
            if skill not in taught:
                raise CatalogError(f"role {role!r}: {skill}: no item of {catalog.source} teaches this skill")
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
                raise CatalogError(f"role {role!r}: {skill}: the target level must be an integer 1 to 5, "
                                   f"not {level!r}")
