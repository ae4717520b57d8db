"""The flagging policy: which scored messages reviewers see, and the caps."""

from __future__ import annotations

import random

import pytest

from analyzers.flagging import DAY_S, WEEK_S, FlagPolicy, decide, margin, maybe_flag
from storage import connect, review
from storage.scores import Score

NEVER = random.Random(0)


class Always(random.Random):
    def random(self) -> float:
        return 0.0


class Never(random.Random):
    def random(self) -> float:
        return 0.999999


def score(key: str, *, author: str = "p1", workspace: str = "T1", probs=(0.2, 0.6, 0.2),
          stress: float = 0.1) -> Score:
    return Score(key, workspace, "C1", author, "2026-11-20", "neutral", *probs, stress, "minilm", "v1")


def test_margin_is_the_smaller_of_the_sentiment_gap_and_the_stress_distance():
    assert margin((0.5, 0.3, 0.2), 0.9) == pytest.approx(0.2)
    assert margin((0.9, 0.05, 0.05), 0.55) == pytest.approx(0.1)


@pytest.mark.parametrize("probs, stress, policy", [
    ((0.95, 0.03, 0.02), 0.1, "high_risk"),
    ((0.1, 0.1, 0.8), 0.96, "high_risk"),
    ((0.1, 0.1, 0.8), 0.93, None),
    ((0.45, 0.40, 0.15), 0.05, "uncertain"),
    ((0.05, 0.90, 0.05), 0.52, "uncertain"),
])
def test_each_policy_chooses_what_it_says(probs, stress, policy):
    decision = decide(FlagPolicy(), probs, stress, Never())
    assert (decision.policy if decision else None) == policy


def test_a_certain_ordinary_prediction_is_flagged_only_by_the_audit_sample():
    probs, stress = (0.05, 0.9, 0.05), 0.05
    assert decide(FlagPolicy(), probs, stress, Never()) is None
    audit = decide(FlagPolicy(audit_rate=0.01), probs, stress, Always())
    assert audit is not None and audit.policy == "audit" and audit.detail == {"rate": 0.01}
    assert decide(FlagPolicy(audit_rate=0.0), probs, stress, Always()) is None


def test_the_audit_sample_is_about_its_rate():
    rng = random.Random(7)
    hits = sum(decide(FlagPolicy(audit_rate=0.05), (0.05, 0.9, 0.05), 0.05, rng) is not None
               for _ in range(20_000))
    assert 800 < hits < 1200


def test_a_flag_stores_the_pseudonymised_text_predictions_policy_and_ttl(tmp_path):
    db = connect(tmp_path / "t.db")
    with db.conn:
        flag_id = maybe_flag(db, FlagPolicy(), score("m1", probs=(0.95, 0.03, 0.02)), "hi <person>", 1000.0, NEVER)
    flag = review.get(db, flag_id)
    assert flag is not None
    assert (flag.text, flag.policy, flag.status, flag.author) == ("hi <person>", "high_risk", "open", "p1")
    assert flag.expires_at == pytest.approx(1000.0 + 14 * DAY_S)
    assert flag.p_negative == pytest.approx(0.95) and flag.model_version == "minilm:v1"


def test_an_author_is_flagged_at_most_twice_a_week(tmp_path):
    db = connect(tmp_path / "t.db")
    risky = (0.95, 0.03, 0.02)
    with db.conn:
        ids = [maybe_flag(db, FlagPolicy(), score(f"m{i}", probs=risky), "x", 1000.0 + i, NEVER) for i in range(4)]
        other = maybe_flag(db, FlagPolicy(), score("o1", author="p2", probs=risky), "x", 1010.0, NEVER)
        later = maybe_flag(db, FlagPolicy(), score("m9", probs=risky), "x", 1000.0 + WEEK_S + 5, NEVER)
    assert [i is not None for i in ids] == [True, True, False, False]
    assert other is not None and later is not None


def test_a_workspace_gets_at_most_the_daily_cap(tmp_path):
    db = connect(tmp_path / "t.db")
    policy = FlagPolicy(daily_cap=3)
    risky = (0.95, 0.03, 0.02)
    with db.conn:
        ids = [maybe_flag(db, policy, score(f"m{i}", author=f"p{i}", probs=risky), "x", 1000.0 + i, NEVER)
               for i in range(5)]
        elsewhere = maybe_flag(db, policy, score("w1", author="q", workspace="T2", probs=risky), "x", 1006.0, NEVER)
        next_day = maybe_flag(db, policy, score("n1", author="r", probs=risky), "x", 1000.0 + DAY_S + 1, NEVER)
    assert sum(i is not None for i in ids) == 3
    assert elsewhere is not None and next_day is not None


def test_an_edited_message_is_not_flagged_twice(tmp_path):
    db = connect(tmp_path / "t.db")
    risky = score("m1", probs=(0.95, 0.03, 0.02))
    with db.conn:
        first = maybe_flag(db, FlagPolicy(), risky, "x", 1000.0, NEVER)
        again = maybe_flag(db, FlagPolicy(), risky, "x edited", 1001.0, NEVER)
    assert first is not None and again is None


def test_the_reviewers_text_is_made_only_for_a_message_flagged(tmp_path):
    db = connect(tmp_path / "t.db")
    made = []

    def for_reviewers(text):
        made.append(text)
        return text.replace("dawn", "<person>")

    with db.conn:
        ordinary = maybe_flag(db, FlagPolicy(), score("m0"), "dawn is fine", 1000.0, NEVER, for_reviewers)
        risky = maybe_flag(db, FlagPolicy(), score("m1", probs=(0.95, 0.03, 0.02)), "dawn gave up", 1000.0, NEVER,
                           for_reviewers)
    assert ordinary is None and made == ["dawn gave up"]
    assert review.get(db, risky).text == "<person> gave up"
