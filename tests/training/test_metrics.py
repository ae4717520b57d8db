"""Metrics, calibration and gates on small hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.evaluate import GATES, gates, render_gates
from training.metrics import (
    choose_threshold,
    expected_calibration_error,
    f1_positive,
    fit_temperature,
    macro_recall,
    nll,
    precision_recall_f1,
    sigmoid,
    softmax,
)


def test_macro_recall_by_hand() -> None:
    # recalls: class 0 1/2, class 1 2/2, class 2 1/2 -> mean 2/3
    assert macro_recall([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]) == pytest.approx(2 / 3)


def test_macro_recall_counts_absent_class_as_zero() -> None:
    assert macro_recall([0, 0, 1], [0, 0, 1]) == pytest.approx(2 / 3)


def test_precision_recall_f1_by_hand() -> None:
    # tp 2, fp 1, fn 1
    p, r, f = precision_recall_f1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    assert (p, r, f) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert f1_positive([1, 0], [0, 1]) == 0.0
    assert f1_positive([1, 1, 0], [1, 1, 1]) == pytest.approx(0.8)


def test_ece_binary_by_hand() -> None:
    # bins around 0.1 (share positive 0) and 0.9 (share positive 1): 0.5*0.1 + 0.5*0.1
    assert expected_calibration_error([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1]) == pytest.approx(0.1)
    assert expected_calibration_error([0.5, 0.5], [1, 0]) == pytest.approx(0.0)


def test_ece_top_label_by_hand() -> None:
    # confidences 0.8 (correct) and 0.6 (wrong) in different bins: 0.5*0.2 + 0.5*0.6
    probs = [[0.8, 0.1, 0.1], [0.6, 0.2, 0.2]]
    assert expected_calibration_error(probs, [0, 1]) == pytest.approx(0.4)
    assert expected_calibration_error(np.zeros((0, 3)), np.zeros(0)) == 0.0


def test_softmax_sigmoid() -> None:
    assert softmax([[0.0, 0.0]]).tolist() == [[0.5, 0.5]]
    assert softmax([[2.0, 0.0]], temperature=2.0)[0, 0] == pytest.approx(1 / (1 + math.e ** -1))
    assert sigmoid([0.0, 1000.0, -1000.0]).tolist() == pytest.approx([0.5, 1.0, 0.0])


def test_nll_by_hand() -> None:
    assert nll([[0.0, 0.0]], [1]) == pytest.approx(math.log(2))
    assert nll([0.0, 0.0], [1, 0]) == pytest.approx(math.log(2))
    assert nll([0.0, 100.0], [1, 1], weights=[1.0, 0.0]) == pytest.approx(math.log(2))


def test_fit_temperature_exact_binary_optimum() -> None:
    # every logit is 2 and 3 of 4 labels are positive: the NLL optimum has
    # sigmoid(2 / T) = 3/4, i.e. T = 2 / ln 3
    t = fit_temperature([2.0, 2.0, 2.0, 2.0], [1, 1, 1, 0])
    assert t == pytest.approx(2 / math.log(3), rel=1e-4)


def test_fit_temperature_recovers_generating_temperature() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(20000, 3))
    probs = softmax(logits, temperature=2.0)
    labels = np.array([rng.choice(3, p=p) for p in probs])
    t = fit_temperature(logits, labels)
    assert t == pytest.approx(2.0, rel=0.05)
    assert nll(logits, labels, t) <= nll(logits, labels, t * 1.05)
    assert nll(logits, labels, t) <= nll(logits, labels, t / 1.05)


def test_fit_temperature_bounds_and_empty() -> None:
    assert fit_temperature([3.0, -3.0], [1, 0]) == pytest.approx(0.05, rel=1e-3)
    assert fit_temperature([2.0, 2.0], [1, 0]) == pytest.approx(20.0, rel=1e-3)
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0)) == 1.0


def test_choose_threshold_by_hand() -> None:
    # candidates 0, .225, .375, .6, .8+; F1 .667, .8, .5, .667, 0 -> .225
    assert choose_threshold([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.225)


def test_choose_threshold_mean_over_groups() -> None:
    # group 0: [.2 neg, .6 pos]; group 1: [.3 pos, .7 neg]
    # t=.25: F1s 1 and .667 (mean .833) beat t=0 (.667) and t=.45 (.5)
    t = choose_threshold([0.2, 0.6, 0.3, 0.7], [0, 1, 1, 0], groups=[0, 0, 1, 1])
    assert t == pytest.approx(0.25)
    assert choose_threshold([], []) == 0.5


def test_gates() -> None:
    metrics = {"tweeteval_sentiment_macro_recall": 71.0, "dreaddit_stress_f1": 77.9,
               "workplace_sentiment_macro_recall": 84.0}
    result = gates(metrics)
    assert [g[0] for g in result] == [name for name, _ in GATES]
    assert [g[3] for g in result] == [True, False, True, False]
    assert result[3][1] is None
    assert "NO" in render_gates(metrics)
    assert dict(GATES) == {"tweeteval_sentiment_macro_recall": 70.0, "dreaddit_stress_f1": 78.0,
                           "workplace_sentiment_macro_recall": 84.0,
                           "workplace_stress_f1": 90.0}
