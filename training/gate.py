"""The promotion gate of a retraining round: promote the challenger, or keep the champion.

Pure logic over metric dicts (fractions in [0, 1], as :mod:`sklearn.metrics` gives them); the
measuring is :mod:`training.retrain`'s. The challenger is promoted only when both hold:

1. **Better on the held-out reviewer labels.** The *held-out score* is the mean, over the
   tasks present, of ``sentiment_macro_recall`` (mean recall of the sentiment classes the
   held-out labels hold) and ``stress_f1`` (F1 of the stressed class). A task is present when
   both models were measured on it (a task without held-out labels, or stress without a
   stressed example, is left out, and the reason says so). The challenger must score higher
   than the champion, by at least ``margin``.
2. **No regression on the regression set.** Every quality metric the champion has there
   (the keys ending in ``_sentiment_macro_recall`` or ``_stress_f1``, e.g. the bootstrap val
   splits' ``tweeteval_sentiment_macro_recall``) may drop by at most ``tolerance``; a metric
   the challenger lacks counts as a regression. With no regression metrics at all the gate
   refuses (it cannot check that the challenger did not forget).

:func:`decide` returns a :class:`GateResult` with the numbers and a one-line reason.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Mapping

__all__ = ["GateResult", "GateSettings", "HELD_OUT_METRICS", "REGRESSION_SUFFIXES", "decide",
           "held_out_score", "regression_metrics"]

#: task -> the held-out metric that scores it.
HELD_OUT_METRICS: Final[Mapping[str, str]] = {
    "sentiment": "sentiment_macro_recall",
    "stress": "stress_f1",
}
#: The regression set's quality metrics end in one of these.
REGRESSION_SUFFIXES: Final = ("_sentiment_macro_recall", "_stress_f1")


@dataclass(frozen=True)
class GateSettings:
    """What the challenger must show to replace the champion."""

    margin: float = 0.01
    """How much higher (fraction, 0.01 = one point) the challenger's held-out score must be
    than the champion's; it must be higher in any case."""
    tolerance: float = 0.02
    """How much (fraction) any regression-set metric may drop below the champion's. Two points:
    on the 229-message workplace val split one message moves a class's recall by about one."""

    def __post_init__(self) -> None:
        for name in ("margin", "tolerance"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value < 1.0):
                raise ValueError(f"invalid GateSettings: {name} must be in [0, 1), not {value!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GateResult:
    """The gate's decision with its numbers (fractions)."""

    passed: bool
    reason: str
    tasks: tuple[str, ...]
    """The held-out tasks compared."""
    champion_score: float | None
    challenger_score: float | None
    improvement: float | None
    """challenger_score - champion_score."""
    drops: Mapping[str, float] = field(default_factory=dict)
    """Per regression metric: champion - challenger (positive: the challenger is worse;
    ``inf`` when the challenger lacks it)."""
    settings: GateSettings = GateSettings()

    @property
    def decision(self) -> str:
        return "promoted" if self.passed else "rejected"

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "decision": self.decision, "reason": self.reason,
                "tasks": list(self.tasks), "champion_score": self.champion_score,
                "challenger_score": self.challenger_score, "improvement": self.improvement,
                "drops": {k: (None if math.isinf(v) else v) for k, v in self.drops.items()},
                "margin": self.settings.margin, "tolerance": self.settings.tolerance}


def held_out_score(metrics: Mapping[str, float],
                   tasks: tuple[str, ...] | None = None) -> float | None:
    """Mean of the held-out metrics of ``tasks`` (default: every task ``metrics`` has);
    None when there are none."""
    names = tuple(HELD_OUT_METRICS) if tasks is None else tasks
    values = [metrics[HELD_OUT_METRICS[t]] for t in names if HELD_OUT_METRICS[t] in metrics]
    return sum(values) / len(values) if values else None


def regression_metrics(metrics: Mapping[str, float]) -> dict[str, float]:
    """The quality metrics among a regression-set metric dict (no counts, no ECE)."""
    return {k: v for k, v in metrics.items() if k.endswith(REGRESSION_SUFFIXES)}


def _points(x: float) -> str:
    return f"{100 * x:+.1f}"


def decide(settings: GateSettings, champion_held_out: Mapping[str, float],
           challenger_held_out: Mapping[str, float], champion_regression: Mapping[str, float],
           challenger_regression: Mapping[str, float]) -> GateResult:
    """Apply the gate (see the module docstring) to the two models' metrics."""
    tasks = tuple(t for t, key in HELD_OUT_METRICS.items()
                  if key in champion_held_out and key in challenger_held_out)
    missing = [t for t in HELD_OUT_METRICS if t not in tasks]
    before = held_out_score(champion_held_out, tasks) if tasks else None
    after = held_out_score(challenger_held_out, tasks) if tasks else None
    improvement = None if before is None or after is None else after - before

    reference = regression_metrics(champion_regression)
    drops = {k: v - challenger_regression[k] if k in challenger_regression else math.inf
             for k, v in reference.items()}

    problems: list[str] = []
    if improvement is None:
        problems.append("no held-out reviewer labels to compare the models on")
    elif improvement <= 0 or improvement < settings.margin:
        problems.append(f"held-out score {_points(improvement)} points against the champion "
                        f"(needs at least +{100 * settings.margin:.1f} and more than 0)")
    if not reference:
        problems.append("no regression-set metrics to check for forgetting")
    for key, drop in drops.items():
        if math.isinf(drop):
            problems.append(f"{key} was not measured for the challenger")
        elif drop > settings.tolerance:
            problems.append(f"{key} fell {100 * drop:.1f} points on the regression set "
                            f"(tolerance {100 * settings.tolerance:.1f})")
    note = f" ({', '.join(missing)}: no held-out labels to score)" if missing and tasks else ""
    if problems:
        return GateResult(False, "; ".join(problems) + note, tasks, before, after, improvement,
                          drops, settings)
    assert improvement is not None
    worst = max(drops.items(), key=lambda kv: kv[1])
    reason = (f"held-out score {_points(improvement)} points against the champion (margin "
              f"{100 * settings.margin:.1f}) on {', '.join(tasks)}; no regression-set metric fell "
              f"more than {100 * settings.tolerance:.1f} points (largest change: {worst[0]} "
              f"{_points(-worst[1])})") + note
    return GateResult(True, reason, tasks, before, after, improvement, drops, settings)
