"""Validation metrics, temperature scaling and the stress threshold (numpy only).

All scores are fractions in [0, 1]; :mod:`training.evaluate` reports them as percentages.

* :func:`macro_recall`: mean over classes of per-class recall (TweetEval's official metric);
  a class absent from the gold labels counts as recall 0. ``benchmarks/lexicon_val.py`` uses
  it, :func:`precision_recall_f1` and :func:`f1_positive` for the lexicon baseline's figures.
* :func:`f1_positive`: F1 of the positive (stressed) class (Dreaddit's official metric).
* :func:`expected_calibration_error`: 15 equal-width bins. For a 2-D probability matrix it is
  the top-label ECE of Guo et al. (2017): confidence = max probability, correct = argmax is the
  gold class. For a 1-D vector of positive-class probabilities it is the reliability of that
  probability itself (bins over ``p``, |mean p - share of positives| per bin), which is what a
  digest averaging stress probabilities relies on.
* :func:`fit_temperature`: the T > 0 minimising the mean negative log-likelihood of
  ``softmax(logits / T)`` (or ``sigmoid(logit / T)`` for 1-D logits), optionally weighted per
  example, by golden-section search on log T in [0.05, 20] (the NLL is convex in 1/T).
* :func:`choose_threshold`: the probability threshold maximising F1 (or the mean F1 over
  groups, e.g. one per val set) when predicting positive for ``p >= threshold``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ECE_BINS",
    "choose_threshold",
    "expected_calibration_error",
    "f1_positive",
    "fit_temperature",
    "macro_recall",
    "nll",
    "precision_recall_f1",
    "sigmoid",
    "softmax",
]

ECE_BINS = 15
_T_MIN, _T_MAX = 0.05, 20.0


def softmax(logits: ArrayLike, temperature: float = 1.0) -> NDArray[np.float64]:
    """Row-wise softmax of ``logits / temperature``."""
    z = np.asarray(logits, np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
    return out


def sigmoid(logits: ArrayLike, temperature: float = 1.0) -> NDArray[np.float64]:
    """Element-wise logistic of ``logits / temperature`` (numerically stable)."""
    z = np.asarray(logits, np.float64) / temperature
    out: NDArray[np.float64] = np.exp(-np.logaddexp(0.0, -z))
    return out


def macro_recall(gold: ArrayLike, predicted: ArrayLike, num_classes: int = 3) -> float:
    """Mean over ``num_classes`` class indices of the share of that class predicted
    correctly (a class with no gold examples counts 0)."""
    g = np.asarray(gold, np.int64)
    p = np.asarray(predicted, np.int64)
    if g.shape != p.shape:
        raise ValueError(f"gold {g.shape} and predicted {p.shape} differ in shape")
    recalls = []
    for c in range(num_classes):
        total = int((g == c).sum())
        recalls.append(float(((g == c) & (p == c)).sum()) / total if total else 0.0)
    return float(np.mean(recalls))


def precision_recall_f1(gold: ArrayLike, predicted: ArrayLike) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class (all 0 when there is no true
    positive)."""
    g = np.asarray(gold, bool)
    p = np.asarray(predicted, bool)
    if g.shape != p.shape:
        raise ValueError(f"gold {g.shape} and predicted {p.shape} differ in shape")
    tp = int((g & p).sum())
    fp = int((~g & p).sum())
    fn = int((g & ~p).sum())
    if not tp:
        return 0.0, 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def f1_positive(gold: ArrayLike, predicted: ArrayLike) -> float:
    """F1 of the positive class."""
    return precision_recall_f1(gold, predicted)[2]


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike,
                               bins: int = ECE_BINS) -> float:
    """ECE with ``bins`` equal-width bins: top-label for a [n, k] matrix, positive-class
    reliability for a [n] vector of probabilities (see the module docstring)."""
    p = np.asarray(probs, np.float64)
    y = np.asarray(labels)
    if p.ndim == 2:
        confidence = p.max(axis=1)
        outcome = (p.argmax(axis=1) == y.astype(np.int64)).astype(np.float64)
    elif p.ndim == 1:
        confidence = p
        outcome = y.astype(np.float64)
    else:
        raise ValueError("probs must be [n] or [n, k]")
    if len(confidence) != len(outcome):
        raise ValueError("probs and labels differ in length")
    n = len(confidence)
    if n == 0:
        return 0.0
    # bin b holds (b/bins, (b+1)/bins]; 0 goes to the first bin
    index = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        if count:
            total += count / n * abs(float(confidence[members].mean() - outcome[members].mean()))
    return total


def nll(logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0,
        weights: ArrayLike | None = None) -> float:
    """Mean (optionally weighted) negative log-likelihood of the labels under
    ``softmax(logits / T)`` for [n, k] logits or ``sigmoid(logits / T)`` for [n] logits."""
    z = np.asarray(logits, np.float64) / temperature
    y = np.asarray(labels)
    if z.ndim == 2:
        shifted = z - z.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses = -log_probs[np.arange(len(z)), y.astype(np.int64)]
    elif z.ndim == 1:
        t = y.astype(np.float64)
        losses = t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)
    else:
        raise ValueError("logits must be [n] or [n, k]")
    w = np.ones(len(losses)) if weights is None else np.asarray(weights, np.float64)
    return float((losses * w).sum() / w.sum())


def fit_temperature(logits: ArrayLike, labels: ArrayLike,
                    weights: ArrayLike | None = None, iterations: int = 80) -> float:
    """Temperature T in [0.05, 20] minimising :func:`nll` (golden-section search on log T);
    1.0 when there are no examples."""
    z = np.asarray(logits, np.float64)
    if len(z) == 0:
        return 1.0
    lo, hi = math.log(_T_MIN), math.log(_T_MAX)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0

    def cost(log_t: float) -> float:
        return nll(z, labels, math.exp(log_t), weights)

    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = cost(a), cost(b)
    for _ in range(iterations):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = cost(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = cost(b)
    return math.exp((lo + hi) / 2.0)


def choose_threshold(probs: ArrayLike, labels: ArrayLike,
                     groups: Sequence[int] | NDArray[np.int64] | None = None) -> float:
    """The threshold t maximising F1 of ``p >= t`` (with ``groups``: the unweighted mean of
    the per-group F1s). Candidates are midpoints between consecutive distinct probabilities
    (and the ends); ties go to the candidate closest to 0.5. 0.5 when there are no examples."""
    p = np.asarray(probs, np.float64)
    y = np.asarray(labels, bool)
    if p.ndim != 1 or p.shape != y.shape:
        raise ValueError("probs and labels must be equal-length vectors")
    if len(p) == 0:
        return 0.5
    g = np.zeros(len(p), np.int64) if groups is None else np.asarray(groups, np.int64)
    distinct = np.unique(p)
    candidates = np.concatenate([[0.0], (distinct[:-1] + distinct[1:]) / 2.0,
                                 [min(1.0, float(distinct[-1]) + 1e-9)]])
    scores = np.zeros(len(candidates))
    group_ids = np.unique(g)
    for gid in group_ids:
        members = g == gid
        gp, gy = p[members], y[members]
        predicted = gp[None, :] >= candidates[:, None]
        tp = (predicted & gy[None, :]).sum(axis=1)
        fp = (predicted & ~gy[None, :]).sum(axis=1)
        fn = (~predicted & gy[None, :]).sum(axis=1)
        denominator = 2 * tp + fp + fn
        scores += np.where(tp > 0, 2 * tp / np.maximum(denominator, 1), 0.0)
    scores /= len(group_ids)
    best = scores.max()
    ties = candidates[np.isclose(scores, best, rtol=0.0, atol=1e-12)]
    return float(ties[np.argmin(np.abs(ties - 0.5))])
