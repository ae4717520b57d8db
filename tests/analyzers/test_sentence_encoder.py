"""Sentence embeddings from the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzers.base_model import BASE_SHA256, packaged_dir
from analyzers.sentence_encoder import DIM, SentenceEncoder
from domain.errors import ModelError


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load(threads=1)


def test_embeddings_are_unit_vectors_in_input_order(encoder: SentenceEncoder) -> None:
    texts = ["short", "a somewhat longer sentence about deploying services on Kubernetes", "mid length text"]
    vectors = encoder.embed(texts)
    assert vectors.shape == (3, DIM) == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Sorting by length and batching do not change what each text gets.
    for text, vector in zip(texts, vectors):
        np.testing.assert_allclose(encoder.embed([text])[0], vector, atol=1e-5)


def test_empty_input_gives_no_rows(encoder: SentenceEncoder) -> None:
    assert encoder.embed([]).shape == (0, 384)


def test_batches_and_truncation(encoder: SentenceEncoder) -> None:
    long = "word " * 400  # far over 128 tokens: truncated, not an error
    texts = [f"text number {i}" for i in range(70)] + [long]  # two batches
    vectors = encoder.embed(texts)
    assert vectors.shape == (71, 384)
    np.testing.assert_allclose(vectors[5], encoder.embed(["text number 5"])[0], atol=1e-5)
    np.testing.assert_allclose(vectors[70], encoder.embed(["word " * 200])[0], atol=1e-5)


def test_similar_meanings_are_closer(encoder: SentenceEncoder) -> None:
    query, k8s, feedback = encoder.embed([
        "deploy the app on Kubernetes",
        "Kubernetes fundamentals: pods and deployments",
        "Giving feedback to your manager",
    ])
    assert float(query @ k8s) > float(query @ feedback) + 0.3


def test_the_version_names_the_base_weights(encoder: SentenceEncoder) -> None:
    assert encoder.version == f"all-MiniLM-L6-v2:{BASE_SHA256[:12]}"


def test_altered_base_weights_are_refused(tmp_path: Path) -> None:
    for name in ("config.json", "tokenizer.json", "vocab.txt"):
        (tmp_path / name).write_bytes((packaged_dir() / name).read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelError, match="sha256"):
        SentenceEncoder.load(tmp_path)
