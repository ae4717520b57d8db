"""The fine-tuned classifier's inference path and on-disk format (untrained heads suffice)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import torch

from analyzers.analyzer import SENTIMENT_LABELS, Analyzer
from analyzers.base_model import BASE_SHA256
from analyzers.classifier import Classifier
from analyzers.model_dir import (
    CARD_FILE,
    CONFIG_FILE,
    DELTA_FILE,
    HEADS_FILE,
    SIZE_BUDGET,
    ModelCard,
    ModelConfig,
    directory_size,
    write_model_dir,
)
from domain.errors import ModelError

CARD = ModelCard(
    data_sources=["TweetEval sentiment (Barbieri et al., 2020)", "workplace chat (synthetic)"],
    training={"epochs": 0, "seed": 0},
    metrics={"sentiment_macro_recall": 0.0},
    command="teamweather train --tiny",
)
MESSAGES = [
    "ok",
    "the deploy is green, nice work everyone :tada:",
    "I can't keep up with these tickets, third weekend in a row",
    "lunch?",
    "killed the flaky test, finally",
    "we need to talk about the on-call rota before friday, it's not sustainable",
    "thanks!",
    "PR is up for review, the migration takes about 4 minutes on staging",
]
WORDS = ["the", "build", "is", "late", "and", "we", "are", "tired", "but", "happy"]


@pytest.fixture(scope="module")
def fresh() -> Classifier:
    return Classifier.fresh("test-fresh", seed=0, device="cpu")


@pytest.fixture(scope="module")
def saved(fresh: Classifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "v1"
    fresh.save(directory, card=CARD)
    return directory


@pytest.fixture(scope="module")
def loaded(saved: Path) -> Classifier:
    return Classifier.load(saved, device="cpu")


@pytest.fixture
def small_batches(fresh: Classifier) -> Iterator[Classifier]:
    fresh.batch_size = 3
    yield fresh
    fresh.batch_size = 64


def alone(classifier: Classifier, text: str) -> tuple[np.ndarray, np.ndarray]:
    s, t = classifier.logits([text])
    return s[0], t[0]


def test_saved_and_loaded_back_gives_identical_probabilities(
    fresh: Classifier, loaded: Classifier, saved: Path
) -> None:
    assert isinstance(loaded, Analyzer) and loaded.version == "test-fresh"
    assert loaded.analyze(MESSAGES) == fresh.analyze(MESSAGES)
    assert sorted(p.name for p in saved.iterdir()) == sorted([CARD_FILE, CONFIG_FILE, HEADS_FILE])
    card = (saved / CARD_FILE).read_text()
    assert BASE_SHA256 in card and "workplace chat (synthetic)" in card
    assert "teamweather train --tiny" in card and "sentiment_macro_recall" in card


def test_outputs_are_in_input_order_and_padding_changes_nothing(
    small_batches: Classifier,
) -> None:
    texts = MESSAGES + [" ".join(MESSAGES * 3)]
    random.Random(1).shuffle(texts)
    sentiment, stress = small_batches.logits(texts)
    for i, text in enumerate(texts):
        s, t = alone(small_batches, text)
        np.testing.assert_allclose(sentiment[i], s, atol=1e-5)
        np.testing.assert_allclose(stress[i], t, atol=1e-5)
    pair_s, pair_t = small_batches.logits(["lunch?", " ".join(WORDS * 10)])
    s, t = alone(small_batches, "lunch?")
    np.testing.assert_allclose(pair_s[0], s, atol=1e-5)
    np.testing.assert_allclose(pair_t[0], t, atol=1e-5)


def test_long_texts_are_truncated_at_max_tokens(fresh: Classifier) -> None:
    assert all(len(fresh.tokenizer.tokenize(w)) == 1 for w in WORDS)
    words = [WORDS[i % len(WORDS)] for i in range(5000)]
    prefix = " ".join(words[: fresh.max_tokens - 2])  # [CLS] and [SEP] count
    s_long, t_long = fresh.logits([" ".join(words), "short one", prefix])
    np.testing.assert_allclose(s_long[0], s_long[2], atol=1e-5)
    np.testing.assert_allclose(t_long[0], t_long[2], atol=1e-5)
    s_more, _ = fresh.logits([" ".join(words[: fresh.max_tokens])])
    assert not np.allclose(s_more[0], alone(fresh, " ".join(words[:50]))[0], atol=1e-5)


def test_probabilities_are_valid_and_temperature_keeps_the_argmax(fresh: Classifier) -> None:
    base = fresh.predict(MESSAGES)
    for p in base:
        assert p.analysis.sentiment == SENTIMENT_LABELS[int(np.argmax(p.analysis.sentiment_probs))]
        assert abs(sum(p.analysis.sentiment_probs) - 1) < 1e-9
        assert all(0 < x < 1 for x in p.analysis.sentiment_probs) and 0 < p.analysis.stress < 1
        assert p.stressed == (p.analysis.stress >= fresh.stress_threshold)
    try:
        fresh.sentiment_temperature, fresh.stress_temperature = 3.0, 0.25
        scaled = fresh.predict(MESSAGES)
    finally:
        fresh.sentiment_temperature, fresh.stress_temperature = 1.0, 1.0
    for a, b in zip(base, scaled):
        assert a.analysis.sentiment == b.analysis.sentiment
        assert max(b.analysis.sentiment_probs) < max(a.analysis.sentiment_probs)
        assert abs(b.analysis.stress - 0.5) > abs(a.analysis.stress - 0.5)
        assert a.stressed == b.stressed


def test_empty_input_and_texts_read_as_they_are(fresh: Classifier) -> None:
    assert fresh.analyze([]) == [] and fresh.predict([]) == []
    assert fresh.logits([])[0].shape == (0, 3)
    # texts arrive neutral (the adapter unescaped them): an entity is what the person typed
    typed, plain = fresh.logits(["R&amp;D &lt;3 it", "R&D <3 it"])[0]
    assert not np.array_equal(typed, plain)


def test_encoder_changes_are_saved_as_small_deltas(
    saved: Path, tmp_path: Path
) -> None:
    tuned = Classifier.load(saved, device="cpu")
    params = dict(tuned.model.encoder.named_parameters())
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        params["encoder.layer.5.output.LayerNorm.weight"].mul_(1.1)  # dense delta
        query = params["encoder.layer.3.attention.self.query.weight"]
        query.add_(torch.randn(384, 2, generator=gen) @ torch.randn(2, 384, generator=gen) * 0.05)
        tuned.model.sentiment.weight.mul_(20)  # confident heads, so differences show
    tuned.version, tuned.stress_threshold = "test-tuned", 0.4
    tuned.save(tmp_path / "v2", card=CARD, delta_rank=4)
    back = Classifier.load(tmp_path / "v2", device="cpu")
    assert back.version == "test-tuned" and back.stress_threshold == 0.4
    s_tuned, t_tuned = tuned.logits(MESSAGES)
    s_back, t_back = back.logits(MESSAGES)
    np.testing.assert_allclose(s_back, s_tuned, atol=2e-3)
    np.testing.assert_allclose(t_back, t_tuned, atol=2e-3)
    assert directory_size(tmp_path / "v2") < 100_000  # 2 low-rank factors + one LayerNorm
    assert directory_size(saved) < 20_000 and directory_size(tmp_path / "v2") <= SIZE_BUDGET
    assert (tmp_path / "v2" / DELTA_FILE).is_file()


def test_batches_keep_order_and_keep_long_texts_from_padding_short_ones(fresh: Classifier) -> None:
    from analyzers.classifier import MIN_BATCH_TOKENS

    def padded(batches: list[list[int]], lengths: list[int]) -> int:
        return sum(max(len(b) * lengths[b[-1]], MIN_BATCH_TOKENS) for b in batches)

    lengths = [12] * 45 + [110] * 5  # sorted, as logits() passes them
    batches = fresh._batches(range(50), lengths)
    assert [i for b in batches for i in b] == list(range(50))  # order kept, none lost
    assert [len(b) for b in batches] == [45, 5]  # one padded batch would be 50 x 110
    rng = random.Random(0)
    lengths = sorted(rng.choice([4, 9, 15, 22, 40, 128]) for _ in range(300))
    batches = fresh._batches(range(300), lengths)
    assert max(len(b) for b in batches) <= fresh.batch_size
    fixed = [list(range(s, min(s + 64, 300))) for s in range(0, 300, 64)]
    assert padded(batches, lengths) < padded(fixed, lengths)
    assert fresh._batches([], []) == []


def test_compress_gives_the_weights_that_save_stores(saved: Path, tmp_path: Path) -> None:
    """Training measures the model after compress(rank), so it must equal the saved one."""
    tuned = Classifier.load(saved, device="cpu")
    query = dict(tuned.model.encoder.named_parameters())[
        "encoder.layer.2.attention.self.query.weight"]
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        query.add_(torch.randn(384, 384, generator=gen) * 0.02)  # full rank: rank 2 loses most
        tuned.model.sentiment.weight.mul_(20)
    before = tuned.logits(MESSAGES)[0]
    tuned.compress(delta_rank=2)
    compressed = tuned.logits(MESSAGES)[0]
    assert np.abs(compressed - before).max() > 1e-2  # the truncation changed the model
    tuned.save(tmp_path / "v3", card=CARD, delta_rank=2)
    back = Classifier.load(tmp_path / "v3", device="cpu")
    np.testing.assert_allclose(back.logits(MESSAGES)[0], compressed, atol=1e-4)


def test_over_budget_versions_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    heads = {"sentiment.weight": torch.zeros(3, 384), "sentiment.bias": torch.zeros(3),
             "stress.weight": torch.zeros(1, 384), "stress.bias": torch.zeros(1)}
    huge = {"embeddings.word_embeddings.weight": torch.ones(30522, 384, dtype=torch.float16)}
    with pytest.raises(ModelError, match="over the 10,000,000-byte budget"):
        write_model_dir(tmp_path / "big", ModelConfig("big"), heads, huge, CARD)
    assert list(tmp_path.iterdir()) == []


def edited_copy(saved: Path, tmp_path: Path, edit: dict[str, object]) -> Path:
    target = tmp_path / "edited"
    target.mkdir()
    for p in saved.iterdir():
        (target / p.name).write_bytes(p.read_bytes())
    doc = json.loads((target / CONFIG_FILE).read_text())
    doc.update(edit)
    (target / CONFIG_FILE).write_text(json.dumps(doc))
    return target


def test_other_base_weights_are_refused_naming_the_file(saved: Path, tmp_path: Path) -> None:
    other = "0" * 64
    directory = edited_copy(saved, tmp_path, {"base": {"name": "x", "sha256": other}})
    with pytest.raises(ModelError) as err:
        Classifier.load(directory)
    assert str(directory / CONFIG_FILE) in str(err.value)
    assert other in str(err.value) and BASE_SHA256 in str(err.value)


def test_missing_malformed_or_altered_files_are_named(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=f"{CONFIG_FILE} is missing"):
        Classifier.load(tmp_path)
    directory = edited_copy(saved, tmp_path, {"max_tokens": "many"})
    with pytest.raises(ModelError, match=f"{CONFIG_FILE} is malformed"):
        Classifier.load(directory)
    (directory / CONFIG_FILE).write_text("{not json")
    with pytest.raises(ModelError, match=f"{CONFIG_FILE} is malformed"):
        Classifier.load(directory)
    (directory / CONFIG_FILE).write_bytes((saved / CONFIG_FILE).read_bytes())
    (directory / HEADS_FILE).write_bytes(b"\0" * 100)
    with pytest.raises(ModelError, match=f"{HEADS_FILE} has been altered"):
        Classifier.load(directory)
    (directory / HEADS_FILE).unlink()
    with pytest.raises(ModelError, match=f"{HEADS_FILE} is missing"):
        Classifier.load(directory)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_fp16_agrees_with_cpu(saved: Path, loaded: Classifier) -> None:
    gpu = Classifier.load(saved, device="cuda")
    assert next(gpu.model.encoder.parameters()).dtype == torch.float16
    np.testing.assert_allclose(gpu.logits(MESSAGES)[0], loaded.logits(MESSAGES)[0], atol=2e-2)
