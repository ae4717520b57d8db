"""Which scored messages are put in front of HR reviewers (issue [review]).

Three policies, tried in this order, each recorded with the flag:

``high_risk``
    very high stress or very negative: what a reviewer most needs to check the model on.
``uncertain``
    uncertainty sampling: the model's least certain predictions, the labels that teach a
    classifier most per label (``benchmarks/active_learning.py`` measures it). A prediction is
    uncertain when its *margin* is below ``uncertainty_margin``: the smaller of the gap between
    the two likeliest sentiment classes and the stress probability's distance from 0.5,
    doubled (both on 0..1).
``audit``
    a small random sample of everything else, so real accuracy can be estimated without the
    bias of the other two.

Caps keep review small and fair: at most ``daily_cap`` flags per workspace in any 24 hours,
and at most ``author_weekly_cap`` per author pseudonym in any 7 days, so no one person is put in
front of HR repeatedly. A message over either cap is simply not flagged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

import sqlite_utils

from storage import review
from storage.scores import Score

__all__ = ["FlagPolicy", "Decision", "decide", "margin", "maybe_flag"]

DAY_S = 86_400.0
WEEK_S = 7 * DAY_S


@dataclass(frozen=True)
class FlagPolicy:
    """The flagging thresholds, caps and lifetimes (``review.flagging`` in teamweather.yaml)."""

    high_risk_stress: float = 0.95
    high_risk_negative: float = 0.95
    uncertainty_margin: float = 0.1
    audit_rate: float = 0.02
    daily_cap: int = 20
    author_weekly_cap: int = 2
    unlabelled_ttl_days: float = 14.0


@dataclass(frozen=True)
class Decision:
    """Why a message is flagged: the policy and the figures that chose it."""

    policy: str
    detail: dict[str, Any]


def margin(probs: tuple[float, float, float], stress: float) -> float:
    """How certain a prediction is, 0 (a coin toss) to 1: the smaller of the sentiment margin
    (likeliest minus second likeliest) and the stress margin (``|2·stress − 1|``)."""
    top, second = sorted(probs, reverse=True)[:2]
    return min(top - second, abs(2.0 * stress - 1.0))


def decide(policy: FlagPolicy, probs: tuple[float, float, float], stress: float,
           rng: random.Random) -> Decision | None:
    """Whether a prediction should be reviewed, ignoring caps (see the module docstring)."""
    if stress >= policy.high_risk_stress or probs[0] >= policy.high_risk_negative:
        return Decision("high_risk", {"stress_at_least": policy.high_risk_stress,
                                      "negative_at_least": policy.high_risk_negative})
    m = margin(probs, stress)
    if m < policy.uncertainty_margin:
        return Decision("uncertain", {"margin": round(m, 4), "margin_below": policy.uncertainty_margin})
    if rng.random() < policy.audit_rate:
        return Decision("audit", {"rate": policy.audit_rate})
    return None


def maybe_flag(db: sqlite_utils.Database, policy: FlagPolicy, score: Score, text: str, now: float,
               rng: random.Random, for_reviewers: Callable[[str], str] = lambda text: text) -> int | None:
    """Flag the scored message if a policy chooses it and no cap is reached; return the flag's
    id or None. The flag keeps ``for_reviewers(text)``, made only for a message flagged. Runs
    in the caller's transaction (the worker's, with the score)."""
    probs = (score.p_negative, score.p_neutral, score.p_positive)
    decision = decide(policy, probs, score.stress, rng)
    if decision is None:
        return None
    if review.flagged_since(db, score.workspace, now - DAY_S) >= policy.daily_cap:
        return None
    if review.author_flagged_since(db, score.author, now - WEEK_S) >= policy.author_weekly_cap:
        return None
    return review.add(
        db, message_key=score.message_key, workspace=score.workspace, author=score.author,
        day=score.day, text=for_reviewers(text), policy=decision.policy, policy_detail=decision.detail,
        sentiment=score.sentiment, probs=probs, stress=score.stress,
        model_version=f"{score.analyzer}:{score.analyzer_version}", now=now,
        ttl_s=policy.unlabelled_ttl_days * DAY_S)

