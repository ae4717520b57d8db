"""Learning plans on a small catalog whose right answers are obvious, and the vector cache."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from analyzers.catalog import CatalogError
from analyzers.learning_catalog import LearningCatalog, load_learning_catalog, parse_learning_catalog
from analyzers.learning_plan import (
    GOAL_SIMILARITY,
    LearnerProfile,
    PlanEntry,
    Planner,
    Reason,
    UnknownRole,
    item_vectors,
    skill_levels,
)
from analyzers.sentence_encoder import SentenceEncoder


def entry(id: str, title: str, description: str, skills: dict[str, int], level: int,
          prerequisites: Sequence[str] = (), tags: Sequence[str] = ()) -> dict[str, object]:
    return {"id": id, "title": title, "description": description, "skills": skills, "level": level,
            "minutes": 60, "format": "course", "url": f"https://learning.example.com/{id}",
            "prerequisites": list(prerequisites), "tags": list(tags)}


SMALL = [
    entry("k8s-intro", "Kubernetes basics", "Containers, pods and kubectl for people new to Kubernetes.",
          {"cloud-infra": 1}, 1),
    entry("k8s-deploy", "Deploying services on Kubernetes",
          "Deployments, services, config maps and rolling updates on a Kubernetes cluster.",
          {"cloud-infra": 2}, 2, ["k8s-intro"]),
    entry("k8s-operate", "Running Kubernetes in production",
          "Autoscaling, monitoring and upgrading production Kubernetes clusters.", {"cloud-infra": 3}, 3,
          ["k8s-deploy"]),
    entry("writing", "Clear technical writing",
          "Write design documents, emails and tickets that colleagues understand on first read.",
          {"communication": 1}, 1),
    entry("presenting", "Presenting to an audience",
          "Structure a talk, design slides and handle questions when you present to a room.",
          {"communication": 2}, 2),
    entry("postmortems", "Writing incident postmortems",
          "Turn an outage on the cluster into a blameless written postmortem with action items.",
          {"communication": 2, "cloud-infra": 2}, 2, ["writing", "k8s-intro"]),
    entry("burnout", "Recovering from stress and avoiding burnout",
          "Notice the signs of stress and exhaustion early, rest properly and prevent burnout.",
          {"wellbeing": 1}, 1, tags=["wellbeing"]),
    entry("focus", "Protecting your focus time",
          "Block time for deep work, batch notifications and keep meetings from eating your day.",
          {"wellbeing": 1}, 1, tags=["wellbeing"]),
]
ROLES = {"sre": {"cloud-infra": 3}, "writer": {"communication": 2}}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load(threads=1)


@pytest.fixture(scope="module")
def catalog() -> LearningCatalog:
    return parse_learning_catalog({"items": SMALL}, "small.yaml")


@pytest.fixture(scope="module")
def planner(encoder: SentenceEncoder, catalog: LearningCatalog) -> Planner:
    return Planner(catalog, ROLES, encoder.embed, item_vectors(catalog, encoder.embed, encoder.version, None))


def ids(plan: Sequence[PlanEntry]) -> list[str]:
    return [e.item.id for e in plan]


def test_without_role_or_goal_the_lowest_level_eligible_items_come_first(planner: Planner) -> None:
    plan = planner.plan(LearnerProfile())
    assert ids(plan) == ["k8s-intro", "writing"]  # nothing else is eligible; no wellbeing item
    assert all(e.reasons == (Reason("next_step"),) and e.score == 0.0 for e in plan)
    done = planner.plan(LearnerProfile(completed=frozenset({"k8s-intro", "writing"})))
    assert ids(done) == ["k8s-deploy", "presenting", "postmortems"]


def test_a_role_gap_comes_first_with_its_reason(planner: Planner) -> None:
    plan = planner.plan(LearnerProfile(role="sre"))
    assert ids(plan) == ["k8s-intro", "writing"]
    assert plan[0].reasons == (Reason("skill_gap", "cloud-infra", 3, 0),)
    assert plan[1].reasons == (Reason("next_step"),)
    writer = planner.plan(LearnerProfile(role="writer"))
    assert writer[0].item.id == "writing"
    assert writer[0].reasons == (Reason("skill_gap", "communication", 2, 0),)


def test_the_biggest_gap_closed_comes_first(planner: Planner) -> None:
    profile = LearnerProfile(role="sre", completed=frozenset({"k8s-intro", "writing"}))
    plan = planner.plan(profile)
    # Both close one level of cloud-infra and are the next step (level 2 = 1 + 1): catalog order.
    assert ids(plan)[:2] == ["k8s-deploy", "postmortems"]
    assert plan[0].reasons == (Reason("skill_gap", "cloud-infra", 3, 1),)
    assert ids(plan)[2:] == ["presenting"] and plan[2].reasons == (Reason("next_step"),)
    both = {"sre-writer": {"cloud-infra": 3, "communication": 2}}
    mixed = Planner(planner.catalog, both, planner._embed, planner._vectors)
    plan = mixed.plan(LearnerProfile(role="sre-writer", completed=frozenset({"k8s-intro", "writing"})))
    assert ids(plan)[0] == "postmortems"  # closes a gap in two skills
    assert plan[0].reasons == (Reason("skill_gap", "communication", 2, 1), Reason("skill_gap", "cloud-infra", 3, 1))


def test_the_next_step_is_preferred_among_equal_gaps() -> None:
    steps = parse_learning_catalog({"items": [
        entry("basics", "Basics", "The basics.", {"communication": 1}, 1),
        entry("cheat-sheet", "Cheat sheet", "A quick reference.", {"communication": 2}, 1),
        entry("course", "Course", "The full course.", {"communication": 2}, 2),
    ]}, "steps.yaml")

    def no_goal(texts: Sequence[str]) -> NDArray[np.float32]:
        raise AssertionError("no goal to embed")

    planner = Planner(steps, {"writer": {"communication": 2}}, no_goal, np.eye(3, 4, dtype=np.float32))
    plan = planner.plan(LearnerProfile(role="writer", completed=frozenset({"basics"})))
    assert ids(plan) == ["course", "cheat-sheet"]
    assert all(e.reasons == (Reason("skill_gap", "communication", 2, 1),) for e in plan)


def test_a_goal_brings_the_matching_item_with_the_goal_words(planner: Planner) -> None:
    profile = LearnerProfile(goal="get better at Kubernetes", completed=frozenset({"k8s-intro"}))
    plan = planner.plan(profile)
    assert plan[0].item.id == "k8s-deploy"
    assert plan[0].reasons == (Reason("goal", words=("Kubernetes",)),)
    assert plan[0].score >= GOAL_SIMILARITY
    assert [e.score for e in plan] == sorted((e.score for e in plan), reverse=True)
    writing = planner.plan(LearnerProfile(goal="write clearer design documents"))
    assert writing[0].item.id == "writing"
    assert writing[0].reasons == (Reason("goal", words=("write", "clearer", "design", "documents")),)


def test_a_chain_is_followed_from_its_bottom(planner: Planner) -> None:
    plan = planner.plan(LearnerProfile(goal="operate Kubernetes clusters in production"))
    assert plan[0].item.id == "k8s-intro"
    assert not {"k8s-deploy", "k8s-operate"} & set(ids(plan))
    plan = planner.plan(LearnerProfile(goal="operate Kubernetes clusters in production",
                                       completed=frozenset({"k8s-intro"})))
    assert plan[0].item.id == "k8s-deploy" and "k8s-operate" not in ids(plan)


def test_role_and_goal_together(planner: Planner) -> None:
    plan = planner.plan(LearnerProfile(role="writer", goal="Kubernetes", completed=frozenset({"writing"})))
    # The gap first (communication 1 -> 2), then the goal.
    assert ids(plan)[:2] == ["presenting", "k8s-intro"]
    assert plan[0].reasons == (Reason("skill_gap", "communication", 2, 1),)
    assert plan[1].reasons == (Reason("goal", words=("Kubernetes",)),)
    # Two items closing the same gap, both next steps: the one closer to the goal first.
    done = frozenset({"writing", "k8s-intro"})
    assert ids(planner.plan(LearnerProfile(role="writer", completed=done)))[:2] == ["presenting", "postmortems"]
    plan = planner.plan(LearnerProfile(role="writer", goal="learn from outages on our cluster", completed=done))
    assert ids(plan)[:2] == ["postmortems", "presenting"]
    assert plan[0].reasons[0] == Reason("skill_gap", "communication", 2, 1)


def test_completed_items_never_return(planner: Planner, catalog: LearningCatalog) -> None:
    every = [item.id for item in catalog]
    for n in range(len(every) + 1):
        done = frozenset(every[:n])
        for role in (None, "sre", "writer"):
            for goal in (None, "Kubernetes", "stress"):
                plan = planner.plan(LearnerProfile(role, goal, done), size=10, wellbeing=True)
                assert not done & set(ids(plan))
                assert len(ids(plan)) == len(set(ids(plan)))
                for e in plan:
                    assert set(e.item.prerequisites) <= done
                    assert e.reasons


def test_levels_are_respected(planner: Planner) -> None:
    # presenting (communication level 2) only once communication is at 1.
    assert "presenting" not in ids(planner.plan(LearnerProfile(role="writer"), size=10))
    assert "presenting" in ids(planner.plan(LearnerProfile(role="writer", completed=frozenset({"writing"}))))
    # Not even a goal that asks for it brings it earlier.
    assert "presenting" not in ids(planner.plan(LearnerProfile(goal="presenting to an audience"), size=10))


def test_wellbeing_items_only_on_request_and_then_last(planner: Planner) -> None:
    profile = LearnerProfile(role="sre", goal="Kubernetes")
    assert not {"burnout", "focus"} & set(ids(planner.plan(profile, size=10)))
    plan = planner.plan(profile, wellbeing=True)
    assert ids(plan)[-1] in {"burnout", "focus"} and len({"burnout", "focus"} & set(ids(plan))) == 1
    assert plan[-1].reasons[0] == Reason("wellbeing")
    full = planner.plan(profile, size=1, wellbeing=True)
    assert ids(full) == [ids(plan)[-1]]
    # Without a goal: the lowest level, then catalog order; with one: the most similar.
    assert ids(planner.plan(LearnerProfile(), wellbeing=True))[-1] == "burnout"
    assert ids(planner.plan(LearnerProfile(goal="fewer meetings, more deep work"), wellbeing=True))[-1] == "focus"
    done = planner.plan(LearnerProfile(completed=frozenset({"burnout", "focus"})), wellbeing=True)
    assert not {"burnout", "focus"} & set(ids(done))


def test_a_goal_that_asks_for_wellbeing_brings_it(planner: Planner) -> None:
    plan = planner.plan(LearnerProfile(goal="I am exhausted and want to avoid burnout"))
    assert plan[0].item.id == "burnout"
    assert plan[0].reasons == (Reason("goal", words=("avoid", "burnout")),)  # "avoiding" matches
    assert "focus" not in ids(plan)


def test_an_unknown_role_is_refused(planner: Planner) -> None:
    with pytest.raises(UnknownRole, match="'astronaut'"):
        planner.plan(LearnerProfile(role="astronaut"))


def test_size_and_determinism(planner: Planner) -> None:
    profile = LearnerProfile(role="sre", goal="writing", completed=frozenset({"k8s-intro"}))
    assert planner.plan(profile, size=0) == []
    assert len(planner.plan(profile, size=1)) == 1
    assert planner.plan(profile) == planner.plan(profile)


def test_prerequisite_to_review(planner: Planner) -> None:
    def review(item_id: str, *completed: str) -> str | None:
        item = planner.prerequisite_to_review(item_id, frozenset(completed))
        return None if item is None else item.id

    assert review("k8s-operate") == "k8s-deploy"
    assert review("postmortems") == "writing"  # the first not completed
    assert review("postmortems", "writing") == "k8s-intro"
    assert review("postmortems", "writing", "k8s-intro") == "writing"  # all done: the first
    assert review("k8s-intro") is None
    with pytest.raises(KeyError):
        review("missing")


def test_skill_levels(catalog: LearningCatalog) -> None:
    assert skill_levels(catalog, []) == {}
    assert skill_levels(catalog, ["k8s-intro", "postmortems", "gone"]) == {"cloud-infra": 2, "communication": 2}


def test_the_profile_repr_leaves_the_goal_out() -> None:
    assert "secret plan" not in repr(LearnerProfile(goal="my secret plan"))


def test_the_planner_checks_its_inputs(encoder: SentenceEncoder, catalog: LearningCatalog) -> None:
    with pytest.raises(ValueError, match="vectors"):
        Planner(catalog, ROLES, encoder.embed, np.zeros((3, 384), np.float32))
    with pytest.raises(CatalogError, match="'chef'"):
        Planner(catalog, {"chef": {"cooking": 2}}, encoder.embed, np.zeros((len(catalog), 384), np.float32))


class Counting:
    """The real encoder, counting the texts it embeds."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.texts.extend(texts)
        return self.encoder.embed(texts)


def test_item_vectors_are_cached_per_item(encoder: SentenceEncoder, catalog: LearningCatalog, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "vectors.npz"
    embed = Counting(encoder)
    first = item_vectors(catalog, embed, encoder.version, cache)
    assert first.shape == (len(catalog), 384) and len(embed.texts) == len(catalog)
    stamp = cache.stat().st_mtime_ns
    embed.texts.clear()
    again = item_vectors(catalog, embed, encoder.version, cache)
    assert embed.texts == [] and np.array_equal(again, first)
    assert cache.stat().st_mtime_ns == stamp  # nothing changed, nothing written

    changed = [dict(e) for e in SMALL]
    changed[3]["description"] = "Write short status updates people read to the end."
    edited = parse_learning_catalog({"items": changed}, "edited.yaml")
    vectors = item_vectors(edited, embed, encoder.version, cache)
    assert embed.texts == [edited.items[3].text()]
    assert np.array_equal(np.delete(vectors, 3, axis=0), np.delete(first, 3, axis=0))
    assert not np.allclose(vectors[3], first[3])

    embed.texts.clear()
    item_vectors(edited, embed, "another-encoder:1", cache)  # a new version embeds everything
    assert len(embed.texts) == len(edited)
    assert [p.name for p in cache.parent.iterdir()] == ["vectors.npz"]  # no temporary file left


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04 truncated"])
def test_a_corrupt_cache_is_rebuilt(encoder: SentenceEncoder, catalog: LearningCatalog, tmp_path: Path,
                                    caplog: pytest.LogCaptureFixture, content: bytes) -> None:
    cache = tmp_path / "vectors.npz"
    expected = item_vectors(catalog, encoder.embed, encoder.version, None)
    cache.write_bytes(content)
    embed = Counting(encoder)
    with caplog.at_level(logging.WARNING, logger="analyzers.learning_plan"):
        vectors = item_vectors(catalog, embed, encoder.version, cache)
    assert len(embed.texts) == len(catalog)
    np.testing.assert_allclose(vectors, expected, atol=1e-5)
    assert "unreadable" in caplog.text and "Kubernetes" not in caplog.text
    embed.texts.clear()
    item_vectors(catalog, embed, encoder.version, cache)
    assert embed.texts == []  # rebuilt: the next call hits it


def test_a_cache_with_other_arrays_is_rebuilt(encoder: SentenceEncoder, catalog: LearningCatalog, tmp_path: Path) -> None:
    cache = tmp_path / "vectors.npz"
    np.savez(cache, keys=np.arange(3), vectors=np.zeros((2, 384)))
    embed = Counting(encoder)
    assert item_vectors(catalog, embed, encoder.version, cache).shape == (len(catalog), 384)
    assert len(embed.texts) == len(catalog)


def test_the_bundled_catalog_plans_sensibly(encoder: SentenceEncoder, tmp_path: Path) -> None:
    bundled = load_learning_catalog()
    vectors = item_vectors(bundled, encoder.embed, encoder.version, tmp_path / "v.npz")
    planner = Planner(bundled, {}, encoder.embed, vectors)
    done = frozenset({"linux-command-line", "docker-basics"})
    plan = planner.plan(LearnerProfile(goal="get better at Kubernetes", completed=done))
    assert plan[0].item.id == "k8s-fundamentals"
    assert plan[0].reasons == (Reason("goal", words=("Kubernetes",)),)
    assert planner.plan(LearnerProfile(goal="get better at Kubernetes"))[0].item.id == "linux-command-line"
    assert planner.plan(LearnerProfile(goal="write better SQL"))[0].item.id == "sql-basics"
    assert "wellbeing" not in {t for e in planner.plan(LearnerProfile(goal="lead my first team"), size=10)
                               for t in e.item.tags}
