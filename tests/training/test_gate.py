"""The promotion gate's pure logic: margin, tolerance, missing tasks and metrics."""

from __future__ import annotations

import math

import pytest

from training.gate import GateSettings, decide, held_out_score, regression_metrics

REGRESSION = {"n_tweeteval": 2000.0, "tweeteval_sentiment_macro_recall": 0.70,
              "tweeteval_sentiment_ece": 0.04, "dreaddit_stress_f1": 0.83,
              "workplace_sentiment_macro_recall": 0.86, "workplace_stress_f1": 0.94}


def held(sentiment: float | None, stress: float | None) -> dict[str, float]:
    out = {}
    if sentiment is not None:
        out["sentiment_macro_recall"] = sentiment
    if stress is not None:
        out["stress_f1"] = stress
    return out


def test_a_clearly_better_challenger_that_forgets_nothing_passes() -> None:
    after = {**REGRESSION, "tweeteval_sentiment_macro_recall": 0.695}
    result = decide(GateSettings(margin=0.01, tolerance=0.01), held(0.70, 0.80), held(0.75, 0.82),
                    REGRESSION, after)
    assert result.passed and result.decision == "promoted"
    assert result.tasks == ("sentiment", "stress")
    assert result.champion_score == pytest.approx(0.75)
    assert result.challenger_score == pytest.approx(0.785)
    assert result.improvement == pytest.approx(0.035)
    assert result.drops["tweeteval_sentiment_macro_recall"] == pytest.approx(0.005)
    assert "tweeteval_sentiment_ece" not in result.drops  # only quality metrics are guarded
    assert "+3.5 points" in result.reason


def test_the_margin() -> None:
    before, after = held(0.70, None), held(0.705, None)
    small = decide(GateSettings(margin=0.01), before, after, REGRESSION, REGRESSION)
    assert not small.passed and "needs at least +1.0" in small.reason
    assert decide(GateSettings(margin=0.005), before, after, REGRESSION, REGRESSION).passed
    # "beat" means better: a tie never passes, even with no margin
    tie = decide(GateSettings(margin=0.0), before, before, REGRESSION, REGRESSION)
    assert not tie.passed and tie.improvement == 0.0
    worse = decide(GateSettings(margin=0.0), before, held(0.6, None), REGRESSION, REGRESSION)
    assert not worse.passed and "-10.0 points" in worse.reason


def test_the_tolerance_on_each_regression_metric() -> None:
    forgot = {**REGRESSION, "dreaddit_stress_f1": 0.80}
    result = decide(GateSettings(tolerance=0.02), held(0.5, None), held(0.9, None), REGRESSION, forgot)
    assert not result.passed
    assert result.drops["dreaddit_stress_f1"] == pytest.approx(0.03)
    assert "dreaddit_stress_f1 fell 3.0 points on the regression set (tolerance 2.0)" in result.reason
    assert decide(GateSettings(tolerance=0.05), held(0.5, None), held(0.9, None), REGRESSION, forgot).passed
    # an improvement on the regression set is no drop
    better = {**REGRESSION, "dreaddit_stress_f1": 0.9}
    assert decide(GateSettings(tolerance=0.0), held(0.5, None), held(0.9, None), REGRESSION, better).passed


def test_both_reasons_are_given_when_both_fail() -> None:
    forgot = {**REGRESSION, "workplace_stress_f1": 0.5}
    result = decide(GateSettings(), held(0.7, None), held(0.6, None), REGRESSION, forgot)
    assert not result.passed
    assert "held-out score" in result.reason and "workplace_stress_f1 fell" in result.reason


def test_missing_tasks_and_metrics() -> None:
    # a task the held-out labels lack is left out of the score, and the reason says so
    only_stress = decide(GateSettings(), held(None, 0.6), held(None, 0.7), REGRESSION, REGRESSION)
    assert only_stress.passed and only_stress.tasks == ("stress",)
    assert "sentiment: no held-out labels" in only_stress.reason
    # no held-out task at all: nothing to compare, the champion stays
    nothing = decide(GateSettings(), {}, {}, REGRESSION, REGRESSION)
    assert not nothing.passed and nothing.tasks == () and nothing.improvement is None
    assert "no held-out reviewer labels" in nothing.reason
    # a regression metric the challenger was not measured on counts as a regression
    lacking = {k: v for k, v in REGRESSION.items() if k != "workplace_stress_f1"}
    result = decide(GateSettings(), held(0.5, None), held(0.9, None), REGRESSION, lacking)
    assert not result.passed and math.isinf(result.drops["workplace_stress_f1"])
    assert "workplace_stress_f1 was not measured" in result.reason
    assert result.to_dict()["drops"]["workplace_stress_f1"] is None  # JSON has no infinity
    # without a regression set the gate cannot check forgetting: it refuses
    blind = decide(GateSettings(), held(0.5, None), held(0.9, None), {}, {})
    assert not blind.passed and "no regression-set metrics" in blind.reason


def test_helpers_and_settings() -> None:
    assert held_out_score(held(0.6, 0.8)) == pytest.approx(0.7)
    assert held_out_score(held(0.6, 0.8), ("stress",)) == pytest.approx(0.8)
    assert held_out_score({}) is None
    assert set(regression_metrics(REGRESSION)) == {
        "tweeteval_sentiment_macro_recall", "dreaddit_stress_f1",
        "workplace_sentiment_macro_recall", "workplace_stress_f1"}
    for bad in ({"margin": -0.1}, {"tolerance": 1.0}, {"margin": math.nan}):
        with pytest.raises(ValueError, match="GateSettings"):
            GateSettings(**bad)
    result = decide(GateSettings(margin=0.02, tolerance=0.03), held(0.5, None), held(0.9, None),
                    REGRESSION, REGRESSION)
    assert result.to_dict()["margin"] == 0.02 and result.to_dict()["decision"] == "promoted"
