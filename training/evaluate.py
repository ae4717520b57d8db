"""Val metrics of any :class:`~analyzers.analyzer.Analyzer` and the [classifiers] quality gates.

:func:`evaluate` runs the analyzer on the three val splits (``training.data``) and returns,
as percentages (0-100, like the issue's gates and the lexicon baseline's table):

``tweeteval_sentiment_macro_recall``, ``tweeteval_sentiment_ece``
    TweetEval sentiment val (2,000 tweets): macro-averaged recall; top-label ECE (15 bins).
``dreaddit_stress_f1``, ``dreaddit_stress_precision``, ``dreaddit_stress_recall``,
``dreaddit_stress_ece``
    Dreaddit val (445 segments): stressed-class F1 etc. at the analyzer's ``stress_threshold``
    (0.5 when it has none); ECE of the stress probability itself (15 bins over p).
``workplace_sentiment_macro_recall``, ``workplace_sentiment_ece``, ``workplace_stress_f1``,
``workplace_stress_precision``, ``workplace_stress_recall``, ``workplace_stress_ece``
    the synthetic workplace val split, both tasks.

plus ``n_tweeteval``, ``n_dreaddit``, ``n_workplace`` (counts). :func:`metrics_from_probs`
computes the same dict from probabilities (training uses it on its calibrated val logits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from analyzers.analyzer import SENTIMENT_LABELS, Analyzer
from training.data import Example, load_split
from training.metrics import expected_calibration_error, macro_recall, precision_recall_f1

__all__ = ["GATES", "PREFIX", "Gate", "evaluate", "gates", "metrics_from_probs", "render_gates"]

#: (metric key, goal): the [classifiers] issue's quality gates on the shared val splits.
GATES: Final[tuple[tuple[str, float], ...]] = (
    ("tweeteval_sentiment_macro_recall", 70.0),
    ("dreaddit_stress_f1", 78.0),
    ("workplace_sentiment_macro_recall", 84.0),
    ("workplace_stress_f1", 90.0),
)

Gate = tuple[str, float | None, float, bool]

#: Data set name in ``training.data`` -> metric prefix.
PREFIX: Final = {"sentiment": "tweeteval", "stress": "dreaddit", "workplace": "workplace"}


def _pct(x: float) -> float:
    return round(100.0 * x, 2)


def metrics_from_probs(
    examples: Mapping[str, Sequence[Example]],
    sentiment_probs: Mapping[str, NDArray[np.float64]],
    stress_probs: Mapping[str, NDArray[np.float64]],
    stress_threshold: float,
) -> dict[str, float]:
    """The metric dict (see the module docstring) from per-set probabilities: sentiment
    [n, 3] in ``SENTIMENT_LABELS`` order and stress [n], aligned with ``examples``."""
    out: dict[str, float] = {}
    for name, rows in examples.items():
        prefix = PREFIX.get(name, name)
        out[f"n_{prefix}"] = float(len(rows))
        if rows and rows[0].sentiment is not None:
            gold = np.array([r.sentiment_index for r in rows])
            probs = sentiment_probs[name]
            out[f"{prefix}_sentiment_macro_recall"] = _pct(
                macro_recall(gold, probs.argmax(axis=1), len(SENTIMENT_LABELS)))
            out[f"{prefix}_sentiment_ece"] = _pct(expected_calibration_error(probs, gold))
        if rows and rows[0].stress is not None:
            stressed = np.array([bool(r.stress) for r in rows])
            p = stress_probs[name]
            precision, recall, f1 = precision_recall_f1(stressed, p >= stress_threshold)
            out[f"{prefix}_stress_f1"] = _pct(f1)
            out[f"{prefix}_stress_precision"] = _pct(precision)
            out[f"{prefix}_stress_recall"] = _pct(recall)
            out[f"{prefix}_stress_ece"] = _pct(expected_calibration_error(p, stressed))
    return out


def evaluate(analyzer: Analyzer, data_dir: Path,
             limit_examples: int | None = None) -> dict[str, float]:
    """Val metrics (percentages) of ``analyzer`` on the three val splits under ``data_dir``;
    stress is thresholded at ``analyzer.stress_threshold`` when it has one, else 0.5."""
    examples = load_split(Path(data_dir), "val")
    if limit_examples is not None:
        examples = {k: v[:limit_examples] for k, v in examples.items()}
    sentiment: dict[str, NDArray[np.float64]] = {}
    stress: dict[str, NDArray[np.float64]] = {}
    for name, rows in examples.items():
        results = analyzer.analyze([r.text for r in rows])
        sentiment[name] = np.array([r.sentiment_probs for r in results],
                                   np.float64).reshape(len(rows), len(SENTIMENT_LABELS))
        stress[name] = np.array([r.stress for r in results], np.float64)
    threshold = float(getattr(analyzer, "stress_threshold", 0.5))
    return metrics_from_probs(examples, sentiment, stress, threshold)


def gates(metrics: Mapping[str, float]) -> list[Gate]:
    """(name, value, goal, passed) for each quality gate; a missing metric fails."""
    out: list[Gate] = []
    for name, goal in GATES:
        value = metrics.get(name)
        out.append((name, value, goal, value is not None and value >= goal))
    return out


def render_gates(metrics: Mapping[str, float]) -> str:
    """A Markdown table of the gates."""
    lines = ["| gate | value | goal | passed |", "|---|---:|---:|---|"]
    for name, value, goal, passed in gates(metrics):
        shown = "—" if value is None else f"{value:.1f}"
        lines.append(f"| {name} | {shown} | ≥ {goal:.0f} | {'yes' if passed else 'NO'} |")
    return "\n".join(lines)
