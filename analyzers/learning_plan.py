"""Personal learning plans for ``/mytraining`` (issue [mytraining]): which catalog items to do
next, and why.

Items are matched to a free-text goal by the cosine similarity of sentence embeddings
(:class:`~analyzers.sentence_encoder.SentenceEncoder`): :func:`item_vectors` embeds each
item's :meth:`~analyzers.learning_catalog.LearningItem.text` once and caches the vectors in an
``.npz`` file keyed per item by ``sha256(version + text)``, so only new or changed items are
embedded again. :class:`Planner` embeds the goal once per plan and ranks with numpy over the
whole catalog (5,000 items plan in a few ms plus the goal's embedding).

Ranking rules (:meth:`Planner.plan`):

* **Never** an item already completed (a passed quiz counts as completed). ``started`` items
  are ranked like any other.
* **Eligible** items only: every prerequisite completed, and the item's level at most one above
  the person's current level in its main skill (its highest-level skill, the first listed on a
  tie). The current level in a skill is the highest level the completed items bring it to
  (:func:`skill_levels`), 0 when none.
* **With a role** (:class:`UnknownRole` if the roles lack it): first the eligible items that
  close a gap, that is teach some skill ``s`` the role targets at level ``t`` above the
  current level ``c``, at a level above ``c``; among them, those that lead to the goal come
  first (a strong goal match, or the eligible bottom of a strong match's prerequisite chain,
  which gets ``Reason("prerequisite", words=(that match's title,))``). The gap an item closes is the sum of
  ``min(its level in s, t) - c`` over those skills; the bigger first, then the items whose own
  level is ``c + 1`` for one of those skills (the next step), then goal similarity. Each such
  skill gives a ``Reason("skill_gap", skill, target, current)``, the biggest first. (An item
  with unmet prerequisites does not rank here by the gap it would close: the prerequisites
  that close a gap rank by their own.)
* **With a goal**: then the items whose cosine similarity to the goal is at least
  :data:`GOAL_SIMILARITY`, most similar first. Here an item with an unmet prerequisite is
  **replaced**, at its place, by its first uncompleted prerequisite that is eligible, looked
  for depth first through the prerequisites' own prerequisites, so a chain is followed from
  its bottom ("Kubernetes in production" brings "Linux command line" to someone who has done
  none of the chain); none eligible, and the item is left out. Then the other eligible items,
  most similar first.
* **Without a role's gaps or a goal**, the plan is filled with the other eligible items,
  lowest level first. With no role and no goal that is the whole plan.
* **Reasons**: every entry has at least one. An item gets ``Reason("goal", words=...)`` when
  goal words appear in its title, description or skills (the words as the goal wrote them)
  and its similarity is at least :data:`WORD_SIMILARITY` (0.3: below it a shared word is a
  coincidence, "lead" in "leads"), or ``Reason("goal")`` without words when its similarity
  is at least :data:`GOAL_SIMILARITY`.
  Goal words have at least 3 letters and are not stop words (English function words and goal
  filler such as "get", "better", "learn"); they are compared case-insensitively after a
  simple suffix strip (-s, -ies, -ing, -ed, -er(s), a final -e), so "tests" matches
  "testing"; synonyms ("k8s") are not matched. An entry with no gap or goal reason (filler, or
  a prerequisite standing in for a goal match) gets ``Reason("next_step")``.
* **Wellbeing**: items tagged ``wellbeing`` are left out unless the goal asks for them
  (similarity at least :data:`GOAL_SIMILARITY`; then they rank as above, and so do the
  prerequisites standing in for them). With ``wellbeing=True`` exactly one more wellbeing item
  is added as the plan's last entry, taking the last place when the plan is full, with
  ``Reason("wellbeing")`` first among its reasons: the one most similar to the goal (without
  a goal, the lowest level), or the eligible prerequisite standing in for it; it does not
  appear earlier in that plan.
* **Deterministic**: ties are broken by catalog order. At most ``size`` entries.

:data:`GOAL_SIMILARITY` (0.45) was chosen on the bundled catalog with 26 realistic goals
("get better at Kubernetes", "write better SQL", "learn React", "become a tech lead", "avoid
burnout", "manage my workload", ...). The items a person would pick score 0.45 to 0.8 (the
SQL items 0.36 to 0.44 for "write better SQL", which they match by the word instead); the
best-scoring unrelated items reach 0.40 ("be a better on-call engineer" and "Product
thinking"), most stay below 0.3. Wellbeing items reach at most 0.41 for work-skill goals
("lead my first team" and "Sustainable pace for leads") but 0.51 to 0.77 for goals such as
"avoid burnout", "manage my workload", "mindfulness" or "I'm stressed and can't focus";
vaguer ones ("work-life balance" 0.42, "sleep better" 0.30) stay under it, and get a
wellbeing item through ``wellbeing=True``.

A goal is the person's free text (already pseudonymised): it is never logged and
:class:`LearnerProfile`'s repr leaves it out.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from analyzers.learning_catalog import LearningCatalog, LearningItem, check_roles

__all__ = [
    "GOAL_SIMILARITY", "Embed", "LearnerProfile", "PlanEntry", "Planner", "Reason", "UnknownRole",
    "item_vectors", "skill_levels",
]

log = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], NDArray[np.float32]]

#: Cosine similarity from which an item counts as matching the goal without sharing a word,
#: and from which a goal asks for wellbeing items (see the module docstring).
GOAL_SIMILARITY = 0.45

_STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
get gets getting got better best learn learning learnt improve improving want wants like
become becoming good great much new really skill skills know knowing understand give make
first start starting able way ways work working role job
""".split())
#: Below this similarity a goal word found in an item is a coincidence ("lead" in "leads"),
#: not a reason to show.
WORD_SIMILARITY = 0.3
_TOKEN = re.compile(r"\w+")


def _stem(word: str) -> str:
    """A crude suffix strip, enough for "tests"/"testing" and "teams"/"team"."""
    w = word.casefold()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix in ("ing", "ers", "er", "ed", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w[-2] in "siu":
                break
            w = w[:-len(suffix)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _words(text: str) -> list[tuple[str, str]]:
    """(word as written, stem) for each word of ``text`` with at least 3 letters that is not
    a stop word."""
    return [(m.group(), _stem(m.group())) for m in _TOKEN.finditer(text)
            if sum(ch.isalpha() for ch in m.group()) >= 3 and m.group().casefold() not in _STOP_WORDS]


@dataclass(frozen=True, slots=True)
class LearnerProfile:
    """What a plan is made for; ``goal`` is free text already pseudonymised."""

    role: str | None = None
    goal: str | None = None
    completed: frozenset[str] = frozenset()  # item ids (a passed quiz counts as completed)
    started: frozenset[str] = frozenset()

    def __repr__(self) -> str:  # keep the goal's text out of tracebacks and logs
        return (f"LearnerProfile(role={self.role!r}, goal={'set' if self.goal else None}, "
                f"completed={len(self.completed)}, started={len(self.started)})")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item is in a plan."""

    kind: Literal["skill_gap", "goal", "prerequisite", "wellbeing", "next_step"]
    skill: str | None = None  # skill_gap: the skill, the role's target and the current level
    target: int | None = None
    current: int | None = None
    words: tuple[str, ...] = ()  # goal: goal words found in the item, as the goal wrote them


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One item of a plan; ``score`` is its cosine similarity to the goal (0.0 without one)."""

    item: LearningItem
    reasons: tuple[Reason, ...]
    score: float


class UnknownRole(ValueError):
    """The profile's role is not one of the roles the planner knows."""


def skill_levels(catalog: LearningCatalog, completed: Iterable[str]) -> dict[str, int]:
    """The highest level the completed items bring each skill to (skills never reached are
    absent); ids not in the catalog are ignored."""
    done = set(completed)
    levels: dict[str, int] = {}
    for item in catalog:
        if item.id in done:
            for skill, level in item.skills.items():
                levels[skill] = max(levels.get(skill, 0), level)
    return levels


def _cache_key(version: str, item: LearningItem) -> str:
    return hashlib.sha256((version + item.text()).encode("utf-8")).hexdigest()


def _read_cache(path: Path) -> dict[str, NDArray[np.float32]]:
    """The cached vectors by key; empty (with a warning) when the file is unreadable."""
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        if keys.ndim != 1 or keys.dtype.kind != "U" or vectors.ndim != 2 or len(keys) != len(vectors):
            raise ValueError("unexpected arrays")
        return dict(zip(keys.tolist(), vectors.astype(np.float32)))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("item vector cache %s is unreadable (%s); rebuilding it", path, type(exc).__name__)
        return {}


def _write_cache(path: Path, keys: list[str], vectors: NDArray[np.float32]) -> None:
    """Replace ``path`` atomically (temporary file in the same folder, then os.replace)."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, keys=np.asarray(keys, dtype=str), vectors=vectors)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.warning("cannot write the item vector cache %s (%s)", path, exc.strerror or type(exc).__name__)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def item_vectors(catalog: LearningCatalog, embed: Embed, version: str,
                 cache_file: Path | None) -> NDArray[np.float32]:
    """The embedding of each item's text, rows aligned with ``catalog.items``.

    With a ``cache_file`` (``.npz``), vectors are reused per item by ``sha256(version +
    text)``: only new or changed items are embedded, and the file is rewritten atomically
    when its content would change. An unreadable cache is ignored (a warning) and rebuilt."""
    keys = [_cache_key(version, item) for item in catalog]
    cached = _read_cache(cache_file) if cache_file is not None else {}
    known = set(cached)
    text_of = {key: item.text() for key, item in zip(keys, catalog) if key not in known}
    if text_of:
        log.info("learning catalog: embedding %d new or changed item(s) of %d", len(text_of), len(keys))
        fresh = np.asarray(embed(list(text_of.values())), np.float32)
        if fresh.ndim != 2 or len(fresh) != len(text_of):
            raise ValueError(f"embed returned shape {fresh.shape} for {len(text_of)} texts")
        cached.update(zip(text_of, fresh))
    if not keys:
        return np.asarray(embed([]), np.float32)
    vectors = np.stack([cached[key] for key in keys]).astype(np.float32, copy=False)
    unique = list(dict.fromkeys(keys))
    if cache_file is not None and (text_of or known != set(unique)):
        _write_cache(cache_file, unique, np.stack([cached[key] for key in unique]))
    return vectors


def _unit(rows: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class Planner:
    """Ranks a catalog for one person at a time (see the module docstring for the rules).

    ``vectors`` are :func:`item_vectors` for ``catalog``; ``embed`` embeds the goal with the
    same encoder. The roles are checked against the catalog (CatalogError)."""

    def __init__(self, catalog: LearningCatalog, roles: Mapping[str, Mapping[str, int]],
                 embed: Embed, vectors: NDArray[np.float32]) -> None:
        check_roles(roles, catalog)
        vectors = np.asarray(vectors, np.float32)
        if vectors.ndim != 2 or len(vectors) != len(catalog):
            raise ValueError(f"vectors of shape {vectors.shape} for {len(catalog)} items")
        self.catalog = catalog
        self.roles = {role: dict(targets) for role, targets in roles.items()}
        self._embed = embed
        self._vectors = _unit(vectors)
        items = catalog.items
        self._skills = sorted(catalog.skills())
        self._column = column = {skill: k for k, skill in enumerate(self._skills)}
        self._index = {item.id: i for i, item in enumerate(items)}
        self._teach = np.zeros((len(items), len(self._skills)), np.int64)  # level brought per skill
        for i, item in enumerate(items):
            for skill, level in item.skills.items():
                self._teach[i, column[skill]] = level
        self._level = np.array([item.level for item in items], np.int64)
        self._main = np.array([column[max(item.skills, key=item.skills.__getitem__)] for item in items], np.int64)
        self._wellbeing = np.array(["wellbeing" in item.tags for item in items], bool)
        self._prerequisites = [tuple(self._index[p] for p in item.prerequisites) for item in items]
        edges = [(i, p) for i, prereqs in enumerate(self._prerequisites) for p in prereqs]
        self._edge_item = np.array([i for i, _ in edges], np.int64)
        self._edge_prerequisite = np.array([p for _, p in edges], np.int64)
        self._stems: list[frozenset[str]] = []
        by_stem: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            text = " ".join((item.title, item.description, *item.skills))
            stems = frozenset(stem for _, stem in _words(text))
            self._stems.append(stems)
            for stem in stems:
                by_stem.setdefault(stem, []).append(i)
        self._by_stem = {stem: np.array(rows, np.int64) for stem, rows in by_stem.items()}

    def plan(self, profile: LearnerProfile, *, size: int = 5, wellbeing: bool = False) -> list[PlanEntry]:
        """At most ``size`` entries, best first; UnknownRole for a role the planner lacks."""
        targets = np.zeros(len(self._skills), np.int64)
        if profile.role is not None:
            if profile.role not in self.roles:
                raise UnknownRole(f"unknown role {profile.role!r}")
            for skill, level in self.roles[profile.role].items():
                targets[self._column[skill]] = level
        if size <= 0:
            return []
        n = len(self.catalog)
        done = np.zeros(n, bool)
        done[[self._index[i] for i in profile.completed if i in self._index]] = True
        current = self._teach[done].max(axis=0, initial=0)

        goal = (profile.goal or "").strip()
        goal_words = _words(goal)
        sim = np.zeros(n, np.float32)
        if goal:
            vector = _unit(np.asarray(self._embed([goal]), np.float32))
            if vector.shape != (1, self._vectors.shape[1]):
                raise ValueError(f"embed returned shape {vector.shape} for one goal")
            sim = self._vectors @ vector[0]
        asks = sim >= GOAL_SIMILARITY if goal else np.zeros(n, bool)

        unmet = np.zeros(n, bool)
        unmet[self._edge_item[~done[self._edge_prerequisite]]] = True
        open_ = ~done & (~self._wellbeing | asks)  # not done, and not a wellbeing item unasked
        ready = ~done & ~unmet & (self._level <= current[self._main] + 1)  # eligible, any tag
        eligible = ready & open_
        closed = np.maximum(np.minimum(self._teach, targets) - current, 0)
        gap = closed.sum(axis=1)
        next_step = ((closed > 0) & (self._level[:, None] == current[None, :] + 1)).any(axis=1)
        # 0: an eligible item closing a gap, 1: a strong goal match (an item with unmet
        # prerequisites stands for its bottom one), 2: any other eligible item
        # 0: an eligible item that closes a gap and leads to the goal (it matches the goal, or
        # is the bottom of a matching item's chain), 1: any other eligible item closing a gap,
        # 2: a strong goal match (an item with unmet prerequisites stands for its bottom one),
        # 3: any other eligible item
        toward = asks.copy()
        leads_to: dict[int, int] = {}  # a prerequisite -> the most similar goal match it leads to
        bottoms: dict[int, int | None] = {}
        for i in np.flatnonzero(asks & unmet & open_).tolist():
            j = self._bottom(i, done, eligible, unmet, bottoms)
            if j is not None:
                toward[j] = True
                if j not in leads_to or sim[i] > sim[leads_to[j]]:
                    leads_to[j] = i
        closes = eligible & (gap > 0)
        section = np.where(closes & toward, 0, np.where(closes, 1, np.where(asks, 2, 3)))
        if goal:
            secondary = -sim.astype(np.float64)
        else:
            secondary = np.where(section == 3, self._level, 0).astype(np.float64)
        first = section <= 1
        order = np.lexsort((np.arange(n), secondary, ~(next_step & first), -(gap * first), section))
        order = order[(eligible | (open_ & unmet & asks))[order]]

        pick: int | None = None
        if wellbeing:
            pool = np.flatnonzero(self._wellbeing & ~done & (ready | unmet))
            key = -sim[pool].astype(np.float64) if goal else self._level[pool].astype(np.float64)
            for i in pool[np.lexsort((pool, key))].tolist():
                pick = i if ready[i] else self._bottom(i, done, ready & self._wellbeing, unmet, {})
                if pick is not None:
                    break
        room = size - (pick is not None)
        chosen: list[int] = []
        memo: dict[int, int | None] = {}
        for i in order.tolist():
            if len(chosen) >= room:
                break
            j = i if eligible[i] else self._bottom(i, done, ready, unmet, memo)
            if j is not None and j != pick and j not in chosen:
                chosen.append(j)

        def reasons(j: int) -> list[Reason]:
            out: list[Reason] = []
            columns = [self._column[skill] for skill in self.catalog.items[j].skills]
            for k in sorted((k for k in columns if closed[j, k] > 0), key=lambda k: -closed[j, k]):
                out.append(Reason("skill_gap", self._skills[k], int(targets[k]), int(current[k])))
            if goal:
                words = tuple(dict.fromkeys(w for w, stem in goal_words if stem in self._stems[j]))
                if asks[j] or (words and sim[j] >= WORD_SIMILARITY):
                    out.append(Reason("goal", words=words))
                elif j in leads_to:  # "a first step towards Kubernetes fundamentals"
                    out.append(Reason("prerequisite", words=(self.catalog.items[leads_to[j]].title,)))
            return out

        entries = [PlanEntry(self.catalog.items[j], tuple(reasons(j) or [Reason("next_step")]), float(sim[j]))
                   for j in chosen]
        if pick is not None:
            entries.append(PlanEntry(self.catalog.items[pick],
                                     (Reason("wellbeing"), *reasons(pick)), float(sim[pick])))
        return entries

    def _bottom(self, i: int, done: NDArray[np.bool_], accept: NDArray[np.bool_],
                unmet: NDArray[np.bool_], memo: dict[int, int | None]) -> int | None:
        """The first uncompleted prerequisite of ``i`` that ``accept`` allows, depth first
        through the prerequisites' own unmet prerequisites; None when there is none."""
        if i in memo:
            return memo[i]
        found: int | None = None
        for p in self._prerequisites[i]:
            if done[p]:
                continue
            if accept[p]:
                found = p
            elif unmet[p]:
                found = self._bottom(p, done, accept, unmet, memo)
            if found is not None:
                break
        memo[i] = found
        return found

    def prerequisite_to_review(self, item_id: str, completed: frozenset[str]) -> LearningItem | None:
        """After a failed quiz on ``item_id``: its first prerequisite not completed, else its
        first prerequisite; None when it has none. KeyError for an unknown item."""
        prerequisites = self.catalog.items[self._index[item_id]].prerequisites
        if not prerequisites:
            return None
        todo = next((p for p in prerequisites if p not in completed), prerequisites[0])
        return self.catalog.items[self._index[todo]]
