"""The training catalog: short courses and guides that digests suggest to managers and
``/mytraining`` suggests to employees.

The bundled catalog is ``analyzers/catalog.yaml`` (its URLs are placeholders to replace with
an organisation's own learning platform); a deployment may load its own file in the same
format instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Generic, Iterable, Iterator, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.yaml_files import parse_yaml

__all__ = ["AUDIENCES", "TAGS", "Catalog", "CatalogError", "CatalogItem", "load_catalog"]

#: The topics an item can be tagged with; a tag outside this list is a typo, not a new topic.
TAGS = frozenset({
    "stress", "workload", "feedback", "recognition", "meetings", "focus", "conflict",
    "onboarding", "wellbeing",
})
AUDIENCES = ("manager", "employee", "both")
BUNDLED = "analyzers/catalog.yaml"
_STRESS = re.compile(r"stress", re.IGNORECASE)


class CatalogError(ValueError):
    """A catalog file is missing, unreadable or malformed; the message names the file and item."""


class CatalogItem(BaseModel):
    """One course or guide."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
    title: str = Field(min_length=1, max_length=120)
    url: str = Field(pattern=r"^https?://[^\s<>|\"']+$", max_length=500)
    duration_minutes: int = Field(ge=1, le=480)
    tags: tuple[str, ...] = Field(min_length=1)
    audience: Literal["manager", "employee", "both"] = Field(alias="for")
    summary: str = Field("", max_length=300)

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(tags) - TAGS)
        if unknown:
            known = ", ".join(sorted(TAGS))
            raise ValueError(f"unknown tag(s) {', '.join(map(repr, unknown))} (known: {known})")
        return tuple(dict.fromkeys(tags))

    @model_validator(mode="after")
    def _stress_is_tagged(self) -> CatalogItem:
        # Deployments with stress reporting off filter on the tag alone.
        said = (self.id, self.title, self.url, self.summary)
        if "stress" not in self.tags and any(_STRESS.search(text) for text in said):
            raise ValueError("mentions stress in its id, title, url or summary, so it needs the stress tag")
        return self

    def is_for(self, audience: Literal["manager", "employee"]) -> bool:
        """Whether the item is meant for ``audience``."""
        return self.audience in (audience, "both")


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


class Items(Generic[T]):
    """What every catalog is: its ``items`` in file order, iterable and found by id."""

    __slots__ = ()
    items: tuple[T, ...]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> T:
        """The item with this id; KeyError if there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True, slots=True)
class Catalog(Items[CatalogItem]):
    """The items of one catalog file, in file order; ``source`` names the file."""

    items: tuple[CatalogItem, ...]
    source: str = BUNDLED

    def matching(
        self,
        tags: Iterable[str],
        audience: Literal["manager", "employee"],
        *,
        exclude_tags: Iterable[str] = (),
        exclude_ids: Iterable[str] = (),
    ) -> list[CatalogItem]:
        """Items for ``audience`` sharing at least one of ``tags``, most shared tags first
        (ties in file order), leaving out items carrying any of ``exclude_tags``."""
        wanted, banned, skip = set(tags), set(exclude_tags), set(exclude_ids)
        found = [
            item for item in self.items
            if item.is_for(audience) and item.id not in skip
            and wanted & set(item.tags) and not banned & set(item.tags)
        ]
        return sorted(found, key=lambda item: -len(wanted & set(item.tags)))


def _where(loc: tuple[int | str, ...], raw: list[object]) -> str:
    """``item 3 (id 'x'): tags`` for a pydantic location under ``items``."""
    index, rest = loc[1], loc[2:]
    entry = raw[index] if isinstance(index, int) and index < len(raw) else None
    item_id = entry.get("id") if isinstance(entry, dict) else None
    name = f"item {index + 1 if isinstance(index, int) else index}"
    if item_id:
        name += f" (id {item_id!r})"
    return f"{name}: {'.'.join(map(str, rest))}" if rest else name


M = TypeVar("M", bound=BaseModel)


def validated_items(data: object, source: str, model: type[M]) -> list[M]:
    """The ``items`` of a parsed catalog file, each validated as ``model``, ids unique; a
    problem becomes a CatalogError naming ``source``, the item and the field (one line)."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CatalogError(f"{source}: the file must hold a mapping with a list under 'items'")
    if set(data) != {"items"}:
        extra = ", ".join(sorted(map(str, set(data) - {"items"})))
        raise CatalogError(f"{source}: unknown top-level key(s): {extra}")
    raw: list[object] = data["items"]
    if not raw:
        raise CatalogError(f"{source}: the catalog has no items")
    items: list[M] = []
    for index, entry in enumerate(raw):
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = _where(("items", index, *err["loc"]), raw)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field"
            raise CatalogError(f"{source}: {where}: {message}") from None
    seen: set[str] = set()
    for index, item in enumerate(items):
        item_id = getattr(item, "id")
        if item_id in seen:
            raise CatalogError(f"{source}: item {index + 1} (id {item_id!r}): id used twice")
        seen.add(item_id)
    return items


def read_catalog(path: Path | None, bundled: str) -> tuple[str, str]:
    """``(text, source)`` of a catalog file, or of the bundled ``analyzers/<bundled>`` when
    ``path`` is None; CatalogError (one line) when it cannot be read."""
    source = f"analyzers/{bundled}" if path is None else str(path)
    try:
        if path is None:
            text = resources.files("analyzers").joinpath(bundled).read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{source}: no such file") from None
    except OSError as exc:
        raise CatalogError(f"{source}: cannot read it ({exc.strerror})") from None
    return text, source


def parse_catalog(data: object, source: str) -> Catalog:
    """Validate a parsed catalog; a problem becomes a CatalogError naming ``source`` and the item."""
    return Catalog(tuple(validated_items(data, source, CatalogItem)), source)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file; the bundled ``analyzers/catalog.yaml`` by default."""
    text, source = read_catalog(path, "catalog.yaml")
    return parse_catalog(parse_yaml(text, source, CatalogError), source)
