"""The retraining loop on a real SQLite database, the bundled model and tiny settings.

Reviewers here label a toy "organisation language" in which the bundled model is always
wrong (cheerful, calm messages are its bad news; see :func:`add_labels`), so a challenger
that learnt the reviewers' labels is measurably better on the held-out labels, and one
trained on the opposite labels is measurably worse.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlite_utils
import torch

from analyzers.analyzer import SENTIMENT_LABELS
from analyzers.bundled import BUNDLED_DIR, bundled_version
from analyzers.classifier import Classifier
from storage import audit, connect, review
from storage import models as registry
from training.gate import GateSettings
from training.retrain import (
    MIN_KAPPA_PAIRS,
    RetrainSettings,
    agreement,
    label_metrics,
    regression_metrics,
    replay_sample,
    retrain,
    split_labels,
    start_challenger,
)
from training.data import Example, load_split
from training.evaluate import evaluate
from toy_data import CALM, NEGATIVE, POSITIVE, STRESSED, write_toy_data

T0 = 1_780_000_000.0
HAPPY = [f"{p}, {c}" for p in POSITIVE for c in CALM]  # the bundled model: positive, calm
GRIM = [f"{n}, {s}" for n in NEGATIVE for s in STRESSED]  # the bundled model: negative, stressed
TINY = RetrainSettings(min_labels=20, min_holdout=8, holdout_share=0.2, encoder="top-1",
                       max_steps=16, batch_size=8, lr=1e-4, head_lr=2e-2, warmup_ratio=0.0,
                       replay_examples=6, threads=1, eval_batch_size=32)
LENIENT = GateSettings(margin=0.05, tolerance=0.99)  # the toy regression set disagrees with the labels


def add_labels(db: sqlite_utils.Database, n: int = 40, *, bundled_view_from: int | None = None,
               start: float = T0, reviewer: str = "rev-a") -> list[int]:
    """``n`` flags labelled one a minute, alternating HAPPY and GRIM texts. Labelled as this
    organisation means them: HAPPY texts are negative and stressed, GRIM ones positive and
    calm (the bundled model gets every one wrong). With ``bundled_view_from`` the flags from
    that index on get the opposite labels instead (the bundled model's view)."""
    ids = []
    with db.conn:
        for i in range(n):
            happy = i % 2 == 0
            text = (HAPPY if happy else GRIM)[(i // 2) % 9] + f" (week {i})"
            at = start + 60 * i
            flag_id = review.add(
                db, message_key=f"m-{start}-{i}", workspace="T1", author=f"a{i % 7}", day="2026-06-01",
                text=text, policy="uncertain", policy_detail={"margin": 0.1}, sentiment="neutral",
                probs=(0.3, 0.4, 0.3), stress=0.5, model_version="x", now=at, ttl_s=86400)
            assert flag_id is not None
            ours = bundled_view_from is None or i < bundled_view_from
            grim_label = happy if ours else not happy
            review.label(db, flag_id, reviewer, now=at, keep_until=at + 365 * 86400,
                         sentiment="negative" if grim_label else "positive", stress=grim_label)
            ids.append(flag_id)
    return ids


def sha(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_toy_data(tmp_path / "data")


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return connect(tmp_path / "tw.db")


def test_the_most_recent_labels_are_held_out(db: sqlite_utils.Database) -> None:
    ids = add_labels(db, 40)
    train, held = split_labels(review.labelled_flags(db), TINY)
    assert [f.flag_id for f in held] == ids[-8:]  # 20% of 40, the latest
    assert [f.flag_id for f in train] == ids[:-8]
    many = RetrainSettings(min_labels=21, min_holdout=20)
    assert len(split_labels(review.labelled_flags(db), many)[1]) == 20  # the minimum wins


def test_replay_is_stratified_seeded_and_skips_labelled_texts(data: Path) -> None:
    sets = load_split(data, "train")
    taken = replay_sample(sets, 7, seed=3, exclude=frozenset({sets["sentiment"][0].text}))
    assert {k: len(v) for k, v in taken.items()} == {"sentiment": 3, "stress": 2, "workplace": 2}
    assert sets["sentiment"][0] not in taken["sentiment"]
    assert taken == replay_sample(sets, 7, seed=3, exclude=frozenset({sets["sentiment"][0].text}))
    assert sum(map(len, replay_sample(sets, 100, seed=0).values())) == 24  # all there is


def test_the_challenger_starts_as_the_champion() -> None:
    champion = Classifier.load(BUNDLED_DIR, device="cpu", threads=1)
    challenger = start_challenger(BUNDLED_DIR, device="cpu", threads=1)
    mine, theirs = challenger.model.state_dict(), champion.model.state_dict()
    assert mine.keys() == theirs.keys()
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    assert challenger.stress_threshold == champion.stress_threshold


def test_agreement_needs_enough_double_labelled_flags(db: sqlite_utils.Database) -> None:
    ids = add_labels(db, MIN_KAPPA_PAIRS - 1)
    [sentiment, stress] = agreement(db)
    assert sentiment.pairs == 0 and sentiment.kappa is None
    assert "not enough double-labelled flags" in sentiment.text
    for flag_id in ids:  # a second reviewer agrees on all but the first
        first = review.labels_for(db, flag_id)[0]
        with db.conn:
            review.label(db, flag_id, "rev-b", now=T0 + 10_000, keep_until=T0 + 1e8,
                         sentiment=first.sentiment if flag_id != ids[0] else "neutral",
                         stress=first.stress)
    assert agreement(db)[0].pairs == MIN_KAPPA_PAIRS - 1 and agreement(db)[0].kappa is None
    extra = add_labels(db, 1, start=T0 + 50_000)
    with db.conn:
        review.label(db, extra[0], "rev-b", now=T0 + 60_000, keep_until=T0 + 1e8,
                     sentiment=review.labels_for(db, extra[0])[0].sentiment, stress=True)
    [sentiment, stress] = agreement(db)
    assert sentiment.pairs == MIN_KAPPA_PAIRS and 0.5 < (sentiment.kappa or 0) < 1.0
    assert "kappa 0." in sentiment.text
    assert stress.kappa == pytest.approx(1.0)


def test_held_out_metrics_are_sklearns() -> None:
    rows = [Example("a", "both", "negative", True), Example("b", "both", "positive", False),
            Example("c", "sentiment", "positive", None), Example("d", "stress", None, True)]
    metrics = label_metrics(rows, [0, 0, 2, 1], [True, True, False, False])
    assert metrics["sentiment_macro_recall"] == pytest.approx(0.75)  # negative 1/1, positive 1/2
    assert metrics["stress_f1"] == pytest.approx(0.5)  # tp 1, fp 1, fn 1
    assert metrics["n_sentiment"] == 3 and metrics["n_stress"] == 3
    calm_only = label_metrics([Example("b", "both", "positive", False)], [2], [False])
    assert "stress_f1" not in calm_only  # no stressed example: the task is not scored


def test_regression_metrics_agree_with_training_evaluate(data: Path) -> None:
    champion = Classifier.load(BUNDLED_DIR, device="cpu", threads=1)
    sets = load_split(data, "val")
    predictions = {name: champion.predict([r.text for r in rows]) for name, rows in sets.items()}
    ours = regression_metrics(
        sets, {n: [SENTIMENT_LABELS.index(p.analysis.sentiment) for p in ps] for n, ps in predictions.items()},
        {n: [p.stressed for p in ps] for n, ps in predictions.items()})
    theirs = evaluate(champion, data)
    for key in ("tweeteval_sentiment_macro_recall", "dreaddit_stress_f1",
                "workplace_sentiment_macro_recall", "workplace_stress_f1"):
        assert 100 * ours[key] == pytest.approx(theirs[key], abs=0.01), key


def test_a_better_challenger_is_promoted_and_rollback_undoes_it(
        tmp_path: Path, db: sqlite_utils.Database, data: Path) -> None:
    add_labels(db, 40)
    bundled = sha(BUNDLED_DIR)
    models = tmp_path / "models"
    report = retrain(db, models_dir=models, data_dir=data, settings=TINY, gate=LENIENT, now=T0 + 7200)

    assert report.decision == "promoted", report.reason
    assert report.champion == bundled_version() and report.challenger is not None
    assert report.labels.train == 32 and report.labels.held_out == 8
    assert report.labels.held_out_sources == {"review": 8}
    assert report.held_out_before["sentiment_macro_recall"] <= 0.25  # the champion: (nearly) always wrong
    assert report.held_out_after["sentiment_macro_recall"] > 0.5
    assert report.gate is not None and report.gate.tasks == ("sentiment", "stress")
    assert set(report.regression_before) == set(report.regression_after) >= {
        "tweeteval_sentiment_macro_recall", "dreaddit_stress_f1", "workplace_stress_f1"}
    assert report.steps == 16 and report.replay == {"sentiment": 2, "stress": 2, "workplace": 2}
    assert {"evaluate_champion", "train", "evaluate_challenger"} <= set(report.timings)

    # saved in a new directory under models/, the champion's untouched
    assert sha(BUNDLED_DIR) == bundled
    assert Path(report.challenger_path or "") == (models / report.challenger).resolve()
    saved = Classifier.load(models / report.challenger, device="cpu", threads=1)
    champion = Classifier.load(BUNDLED_DIR, device="cpu", threads=1)
    ours, theirs = saved.model.state_dict(), champion.model.state_dict()
    frozen = [k for k in ours if k.startswith("encoder.") and ".layer.5." not in k]
    assert all(torch.equal(ours[k], theirs[k]) for k in frozen)  # the champion's, not the base's
    assert not torch.equal(ours["encoder.encoder.layer.5.output.dense.weight"],
                           theirs["encoder.encoder.layer.5.output.dense.weight"])

    # recorded, promoted, audited
    entry = registry.active(db)
    assert entry is not None and entry.version == report.challenger and entry.previous is None
    assert entry.metrics["decision"] == "promoted" and entry.metrics["reason"] == report.reason
    assert entry.metrics["gate"]["improvement"] == pytest.approx(report.gate.improvement)
    assert entry.metrics["held_out"]["champion"]["sentiment_macro_recall"] <= 0.25
    assert entry.metrics["labels"]["held_out"] == 8
    actions = [(e["action"], e["actor"]) for e in audit.entries(db) if e["action"].startswith("model_")]
    assert actions == [("model_registered", "retrain"), ("model_promoted", "retrain")]

    text = report.as_text()
    assert text.splitlines()[0].startswith("Retraining 2026-05-28 ") and "promoted" in text
    for fragment in ("32 for training, 8 held out", "review 40",
                     "not enough double-labelled flags", "sentiment macro-recall "):
        assert fragment in text
    assert "<" not in text and "*" not in text  # no platform markup

    # rollback: the bundled model scores again
    with db.conn:
        assert registry.rollback(db, T0 + 9000) is None
    assert registry.active(db) is None


def test_a_worse_challenger_is_rejected_and_the_champion_stays(
        tmp_path: Path, db: sqlite_utils.Database, data: Path) -> None:
    # the 32 oldest flags (training) are labelled the organisation's way, the 8 latest
    # (held out) as the bundled model sees them: the challenger learns the opposite of what
    # the held-out labels say
    add_labels(db, 40, bundled_view_from=32)
    report = retrain(db, models_dir=tmp_path / "models", data_dir=data, settings=TINY,
                     gate=LENIENT, now=T0 + 7200)
    assert report.decision == "rejected", report.reason
    assert report.gate is not None and (report.gate.improvement or 0) < 0
    assert "held-out score -" in report.reason
    assert registry.active(db) is None  # the bundled champion stays
    [entry] = registry.list_all(db)
    assert entry.version == report.challenger and not entry.active
    assert entry.metrics["decision"] == "rejected" and entry.metrics["reason"] == report.reason
    assert (tmp_path / "models" / entry.version / "teamweather-model.json").is_file()
    assert "kept " + bundled_version() in report.as_text()


def test_too_few_labels_skip_the_round(tmp_path: Path, db: sqlite_utils.Database, data: Path) -> None:
    add_labels(db, 12)
    report = retrain(db, models_dir=tmp_path / "models", data_dir=data, settings=TINY, now=T0)
    assert report.decision == "skipped" and "12 labelled flags, fewer than the 20" in report.reason
    assert report.challenger is None and registry.list_all(db) == []
    assert not (tmp_path / "models").exists()
    assert "skipped" in report.as_text() and report.to_dict()["gate"] is None


def test_settings_validation() -> None:
    with pytest.raises(ValueError, match="min_labels > min_holdout"):
        RetrainSettings(min_labels=10, min_holdout=10)
    with pytest.raises(ValueError, match="holdout_share"):
        RetrainSettings(holdout_share=1.0)
    with pytest.raises(ValueError, match="needs delta_rank"):
        RetrainSettings(encoder="top-3", delta_rank=None)
    assert RetrainSettings().train_settings(64, "v").max_tokens == 64
