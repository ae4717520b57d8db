"""The selection functions of the review-loop simulation (``benchmarks/active_learning.py``),
on synthetic embeddings: no encoder, no data files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from analyzers.flagging import margin

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "active_learning.py"


@pytest.fixture(scope="module")
def al() -> ModuleType:
    spec = importlib.util.spec_from_file_location("active_learning_sim", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def synthetic(al: ModuleType, n: int, seed: int, task: str = "both") -> object:
    """Gaussian 'embeddings' whose labels follow two linear rules."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    sentiment = np.digitize(x[:, 0] + 0.5 * rng.normal(size=n), [-0.5, 0.5]).astype(np.int64)
    stress = (x[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    if task == "sentiment":
        stress[:] = -1
    elif task == "stress":
        sentiment[:] = -1
    return al.Labelled(x, sentiment, stress)


@pytest.fixture(scope="module")
def problem(al: ModuleType) -> tuple[object, object]:
    bootstrap = al.concat([synthetic(al, 300, 1, "sentiment"), synthetic(al, 200, 2, "stress")])
    return bootstrap, synthetic(al, 120, 3)


def test_margins_are_the_flagging_margin(al: ModuleType) -> None:
    rng = np.random.default_rng(0)
    p_sent, p_stress = rng.dirichlet([1, 1, 1], size=50), rng.random(50)
    expected = [margin(tuple(map(float, p)), float(s)) for p, s in zip(p_sent, p_stress)]  # type: ignore[arg-type]
    assert al.margins(p_sent, p_stress) == pytest.approx(expected)


def test_uncertain_selector_picks_the_lowest_margins_not_yet_taken(al: ModuleType) -> None:
    rng = np.random.default_rng(1)
    m = rng.random(40)
    taken = {int(i) for i in np.argsort(m)[:3]}  # the three least certain are already labelled
    picked = al.select_uncertain(m, taken, 5)
    assert picked == [int(i) for i in np.argsort(m)[3:8]]
    assert al.select_uncertain(np.zeros(6), set(), 3) == [0, 1, 2]  # ties: lower index first


def test_first_round_is_the_starting_models_least_certain(al: ModuleType, problem: tuple[object, object]) -> None:
    bootstrap, pool = problem
    start = al.fit_heads(bootstrap, pool, [], weight=5.0)
    lowest = [int(i) for i in np.argsort(al.margins(*start.probs(pool.x)), kind="stable")[:10]]

    def score(chosen: list[int]) -> np.ndarray:
        return al.margins(*al.fit_heads(bootstrap, pool, chosen, weight=5.0).probs(pool.x))

    chosen = al.active_selection(score, len(pool), [10, 30], round_size=10)
    assert chosen[:10] == lowest
    assert len(chosen) == 30


@pytest.mark.parametrize("share", [0.0, 0.3])
def test_active_selection_never_repeats_an_example(al: ModuleType, problem: tuple[object, object],
                                                   share: float) -> None:
    bootstrap, pool = problem

    def score(chosen: list[int]) -> np.ndarray:
        return al.margins(*al.fit_heads(bootstrap, pool, chosen, weight=5.0).probs(pool.x))

    chosen = al.active_selection(score, len(pool), [15, 40, 70], round_size=25, random_share=share,
                                 rng=np.random.default_rng(7))
    assert len(chosen) == 70 == len(set(chosen))
    assert all(0 <= i < len(pool) for i in chosen)
    # all at random: the random picks exclude what earlier rounds took
    at_random = al.active_selection(lambda c: np.zeros(len(pool)), len(pool), [50, 110], round_size=10,
                                    random_share=1.0, rng=np.random.default_rng(7))
    assert len(at_random) == 110 == len(set(at_random))
    # a budget larger than the pool takes the whole pool, each example once
    everything = al.active_selection(lambda c: np.zeros(25), 25, [10, 100], round_size=10)
    assert sorted(everything) == list(range(25))


def test_rounds_stop_at_every_budget(al: ModuleType) -> None:
    seen: list[int] = []

    def score(chosen: list[int]) -> np.ndarray:
        seen.append(len(chosen))
        return np.arange(50, dtype=np.float64)

    chosen = al.active_selection(score, 50, [5, 30], round_size=10)
    assert seen == [0, 5, 15, 25]  # rounds of 5, 10, 10, 5: refitted when each budget is reached
    assert chosen == list(range(30))


def test_random_selection_is_seeded(al: ModuleType) -> None:
    assert al.random_order(100, 3) == al.random_order(100, 3)
    assert al.random_order(100, 3) != al.random_order(100, 4)
    assert sorted(al.random_order(100, 3)) == list(range(100))
    taken = set(range(0, 100, 2))
    a = al.select_random(100, taken, 20, np.random.default_rng(5))
    assert a == al.select_random(100, taken, 20, np.random.default_rng(5))
    assert len(set(a)) == 20 and not set(a) & taken


def test_mix_is_seeded(al: ModuleType) -> None:
    m = np.random.default_rng(2).random(60)

    def run(seed: int) -> list[int]:
        return al.active_selection(lambda c: m, 60, [20], round_size=10, random_share=0.5,
                                   rng=np.random.default_rng(seed))

    assert run(1) == run(1)
    assert run(1) != run(2)
    with pytest.raises(ValueError):
        al.active_selection(lambda c: m, 60, [20], round_size=10, random_share=0.5)
