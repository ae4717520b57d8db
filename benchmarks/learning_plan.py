"""``/mytraining`` plans on a 5,000-item catalog: vector build, cache hit and plan latency.

Usage::

    .venv/bin/python benchmarks/learning_plan.py [--items 5000] [--profiles 50] [--threads 2]
        [--cache FILE]

It builds a synthetic catalog of ``--items`` items from the bundled
``analyzers/learning_catalog.yaml`` (copies of its 105 items with their ids, titles and
descriptions varied deterministically so every text differs, prerequisites kept within each
copy), validates it, and embeds it with the bundled all-MiniLM-L6-v2 through
:func:`analyzers.learning_plan.item_vectors` (cache file ``--cache``, default a temporary
one): the time that takes, then that a second call embeds nothing. Then it times
``Planner.plan`` for ``--profiles`` profiles (the roles of
``analyzers/learning_roles.example.yaml`` or none, goals such as "get better at Kubernetes"
or none, 0 to 30 completed items; half with ``wellbeing=True``) and prints the median and
p95 milliseconds (embedding the goal included, and the part of it that is the goal's
embedding), and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from analyzers.learning_catalog import LearningCatalog, load_learning_catalog, parse_learning_catalog  # noqa: E402
from analyzers.learning_plan import LearnerProfile, Planner, item_vectors  # noqa: E402
from analyzers.sentence_encoder import SentenceEncoder  # noqa: E402
from domain.yaml_files import parse_yaml  # noqa: E402

ANGLES = ["in practice", "a refresher", "deep dive", "for busy people", "hands-on lab",
          "the essentials", "case studies", "step by step"]
SETTINGS = [
    "", "Examples come from a payments company.", "Run as a cohort over four weeks.",
    "Includes a take-home exercise with feedback.", "Recorded in our Berlin office.",
    "Designed for distributed teams across time zones.", "With a short reading list.",
    "Taught by two senior engineers.", "Adapted for the healthcare sector.",
    "Each module ends with a discussion.", "Comes with slides you can reuse.",
]
GOALS = [
    "get better at Kubernetes", "lead my first team", "write better SQL", "learn React",
    "become a tech lead", "avoid burnout", "improve my presentations", "security",
    "be a better on-call engineer", "data analysis with python", "design better APIs",
    "manage my workload", "give better feedback", "learn Terraform", "write clearer docs",
    "understand our product metrics", "testing", "grow into staff engineer",
]


def synthetic_catalog(size: int) -> LearningCatalog:
    """``size`` items: copies of the bundled ones, each copy's texts varied."""
    base = load_learning_catalog()
    raw: list[dict[str, object]] = []
    copy = 0
    while len(raw) < size:
        angle = ANGLES[copy % len(ANGLES)]
        setting = SETTINGS[(copy // len(ANGLES)) % len(SETTINGS)]
        suffix = f"-c{copy}" if copy else ""
        for item in base:
            if len(raw) == size:
                break
            data = item.model_dump(mode="python")
            data["id"] = item.id + suffix
            data["prerequisites"] = [p + suffix for p in item.prerequisites]
            if copy:
                data["title"] = f"{item.title} ({angle})"
                data["description"] = f"{item.description} {setting}".strip()
            data["url"] = f"https://learning.example.com/{data['id']}"
            raw.append(data)
        copy += 1
    # A copy cut short may lack some prerequisites: drop those references.
    ids = {str(entry["id"]) for entry in raw}
    for entry in raw:
        entry["prerequisites"] = [p for p in entry["prerequisites"] if p in ids]  # type: ignore[attr-defined]
    return parse_learning_catalog({"items": raw}, f"synthetic ({size} items)")


def profiles(catalog: LearningCatalog, roles: Sequence[str], n: int, seed: int = 0) -> list[tuple[LearnerProfile, bool]]:
    rng = random.Random(seed)
    ids = [item.id for item in catalog]
    out = []
    for k in range(n):
        role = rng.choice([*roles, None])
        goal = rng.choice([*GOALS, None]) if k % 5 else None
        completed = frozenset(rng.sample(ids, rng.choice([0, 0, 3, 10, 30])))
        out.append((LearnerProfile(role=role, goal=goal, completed=completed), k % 2 == 0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--profiles", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()

    catalog = synthetic_catalog(args.items)
    assert len({item.text() for item in catalog}) == len(catalog), "texts must all differ"
    roles_text = (REPO_ROOT / "analyzers" / "learning_roles.example.yaml").read_text(encoding="utf-8")
    roles = parse_yaml(roles_text, "learning_roles.example.yaml", ValueError)
    assert isinstance(roles, dict)
    encoder = SentenceEncoder.load(threads=args.threads)
    calls = [0]

    def counted(texts: Sequence[str]) -> NDArray[np.float32]:
        calls[0] += len(texts)
        return encoder.embed(texts)

    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp) / "vectors.npz"
        start = time.perf_counter()
        vectors = item_vectors(catalog, counted, encoder.version, cache)
        built = time.perf_counter() - start
        print(f"catalog: {len(catalog)} items; vectors {vectors.shape}: {built:.1f} s "
              f"({calls[0]} texts embedded, {calls[0] / max(built, 1e-9):.0f} texts/s), "
              f"cache {cache.stat().st_size / 1e6:.1f} MB")
        calls[0] = 0
        start = time.perf_counter()
        again = item_vectors(catalog, counted, encoder.version, cache)
        print(f"second call: {(time.perf_counter() - start) * 1000:.0f} ms, {calls[0]} texts embedded "
              f"(cache hit: {calls[0] == 0 and bool(np.array_equal(again, vectors))})")

    goal_ms = [0.0]

    def timed(texts: Sequence[str]) -> NDArray[np.float32]:
        start = time.perf_counter()
        out = encoder.embed(texts)
        goal_ms[0] += (time.perf_counter() - start) * 1000
        return out

    start = time.perf_counter()
    planner = Planner(catalog, roles, timed, vectors)
    print(f"planner: built in {(time.perf_counter() - start) * 1000:.0f} ms")
    cases = profiles(catalog, sorted(roles), args.profiles)
    planner.plan(cases[0][0], wellbeing=cases[0][1])  # warm-up
    totals, embeds = [], []
    for profile, wellbeing in cases:
        goal_ms[0] = 0.0
        start = time.perf_counter()
        plan = planner.plan(profile, wellbeing=wellbeing)
        totals.append((time.perf_counter() - start) * 1000)
        embeds.append(goal_ms[0])
        assert 1 <= len(plan) <= 5
    with_goal = [t for t, (p, _) in zip(totals, cases) if p.goal]

    def p95(values: list[float]) -> float:
        return float(np.percentile(values, 95))

    print(f"plan, {len(cases)} profiles ({len(with_goal)} with a goal), threads={args.threads}: "
          f"median {statistics.median(totals):.1f} ms, p95 {p95(totals):.1f} ms, max {max(totals):.1f} ms")
    print(f"  with a goal: median {statistics.median(with_goal):.1f} ms, p95 {p95(with_goal):.1f} ms; "
          f"of which embedding the goal: median {statistics.median([e for e in embeds if e]):.1f} ms")
    ranking = [t - e for t, e in zip(totals, embeds)]
    print(f"  ranking alone: median {statistics.median(ranking):.1f} ms, p95 {p95(ranking):.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
