"""A tiny end-to-end training run on toy data, settings validation and evaluate()."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analyzers.classifier import Classifier
from analyzers.lexicon import LexiconAnalyzer
from analyzers.model_dir import CARD_FILE, CONFIG_FILE, DELTA_FILE
from training.evaluate import GATES, evaluate
from training.settings import TrainSettings
from training.train import ProgressEvent, train
from toy_data import write_toy_data

def test_tiny_end_to_end_run(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    out = tmp_path / "model"
    events: list[ProgressEvent] = []
    settings = TrainSettings(epochs=3, max_steps=9, batch_size=8, encoder="top-1", lr=1e-4,
                             head_lr=2e-2, warmup_ratio=0.0, workplace_repeat=1, threads=2,
                             max_tokens=16, version="toy-1")
    report = train(settings, data, out, progress=events.append, command="pytest toy run")

    # 9 + 6 + 9 = 24 examples -> 3 batches of 8 per epoch, 9 steps
    assert report.examples_per_epoch == 24
    assert report.steps == len(report.losses) == 9
    assert [e.step for e in events if e.stage == "train"] == list(range(1, 10))
    assert {e.stage for e in events} == {"train", "calibrate", "save"}
    # the loop learns: loss falls clearly on a trivially separable set
    assert np.mean(report.losses[-3:]) < 0.6 * np.mean(report.losses[:3])

    assert (out / DELTA_FILE).is_file()  # top layer trained -> encoder delta saved
    loaded = Classifier.load(out, threads=2)
    assert loaded.version == "toy-1"
    assert loaded.max_tokens == 16
    assert loaded.sentiment_temperature == pytest.approx(report.sentiment_temperature)
    assert loaded.stress_threshold == pytest.approx(report.stress_threshold)
    assert 0.0 <= report.stress_threshold <= 1.0
    card = (out / CARD_FILE).read_text()
    config = json.loads((out / CONFIG_FILE).read_text())
    for key, _goal in GATES:
        assert key in report.metrics
        assert f"| {key} |" in card
        assert config["metrics"][key] == report.metrics[key]
    for fragment in ("Barbieri", "Turcan", "synthetic", "pytest toy run", "top-1",
                     "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"):
        assert fragment in card
    # after training the toy sentiment val set (= train) is learnt
    assert report.metrics["tweeteval_sentiment_macro_recall"] >= 66.0

    metrics = evaluate(loaded, data)
    assert set(metrics) == set(report.metrics)


def test_refuses_non_empty_output(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        train(TrainSettings(max_steps=1), tmp_path / "data", tmp_path / "model")


def test_settings_validation() -> None:
    assert TrainSettings().trainable_layers == 2
    assert TrainSettings(encoder="heads").trainable_layers == 0
    assert TrainSettings(encoder="full", delta_rank=16).trains_embeddings
    with pytest.raises(ValueError, match="needs delta_rank"):
        TrainSettings(encoder="full")
    with pytest.raises(ValueError, match="needs delta_rank"):
        TrainSettings(encoder="top-3")
    with pytest.raises(ValueError, match="encoder must be"):
        TrainSettings(encoder="top-7", delta_rank=8)
    with pytest.raises(ValueError, match="warmup_ratio"):
        TrainSettings(warmup_ratio=1.0)
    round_trip = TrainSettings.from_dict(TrainSettings(seed=3).to_dict())
    assert round_trip.seed == 3 and round_trip.workplace_repeat == 3
    with pytest.raises(ValueError, match="unknown"):
        TrainSettings.from_dict({"epochz": 1})


def test_evaluate_any_analyzer(tmp_path: Path) -> None:
    metrics = evaluate(LexiconAnalyzer(), write_toy_data(tmp_path))
    assert metrics["n_tweeteval"] == 9 and metrics["n_workplace"] == 9
    for key in ("tweeteval_sentiment_macro_recall", "dreaddit_stress_f1",
                "workplace_sentiment_macro_recall", "workplace_stress_f1",
                "tweeteval_sentiment_ece", "dreaddit_stress_ece"):
        assert 0.0 <= metrics[key] <= 100.0
    # VADER gets the obvious toy sentiment right
    assert metrics["tweeteval_sentiment_macro_recall"] >= 66.0
