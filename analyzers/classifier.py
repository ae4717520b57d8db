"""Fine-tuned sentiment and stress classifiers on the bundled all-MiniLM-L6-v2 (inference).

One :class:`MultiTaskModel` (the BERT encoder, mean pooling over the attention mask, a
3-logit sentiment head and a 1-logit stress head) scores both tasks in one encoder pass.
:class:`Classifier` wraps it with the tokenizer and the calibrated settings and implements
the :class:`~analyzers.analyzer.Analyzer` protocol. Model versions are directories in the
format of :mod:`analyzers.model_dir` (heads + optional fp16 encoder deltas, <= 10 MB).

Inference (:meth:`Classifier.logits`): texts arrive as the core's neutral text (plain, unescaped:
the platform adapter converted its markup, :mod:`analyzers.pseudonymise`); all texts are
tokenised in one call of the fast (Rust) tokenizer, truncated at ``max_tokens`` tokens
(default 128, [CLS] and [SEP] included; a chat message rarely reaches 60); then sorted by length
and split into batches of at most ``batch_size`` texts (default 64) that minimise the padded
tokens computed (:meth:`Classifier._batches`), each padded only to its longest text, under
``torch.inference_mode``. Results come back in input order. On CUDA the encoder runs in fp16
and the logits stay on the GPU until the last batch, so padding the next batch on the CPU
overlaps the GPU's work; on CPU it is fp32. Probabilities are ``softmax(logits / T_sentiment)``
and ``sigmoid(logit / T_stress)`` with temperatures fitted on val by training.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, cast

import numpy as np
import torch
from numpy.typing import NDArray
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer, PreTrainedModel
from transformers.utils import logging as hf_logging

from analyzers.analyzer import SENTIMENT_LABELS, Analysis
from analyzers.base_model import WEIGHTS, verified_dir
from analyzers.batching import by_length, padded, token_ids
from analyzers.model_dir import (
    DELTA_FILE,
    ModelCard,
    ModelConfig,
    decode_delta,
    encode_delta,
    read_model_dir,
    write_model_dir,
)
from domain.errors import ModelError

__all__ = ["Classifier", "MultiTaskModel", "ModelCard", "Prediction"]

#: A batch costs at least this many padded tokens' worth of compute (measured on the 2-core
#: CPU: smaller products lose their efficiency), so batching does not shatter into tiny ones.
MIN_BATCH_TOKENS = 512


def _base_encoder(base_dir: Path) -> PreTrainedModel:
    """The BERT encoder (no pooler) with the verified base weights.

    ``from_pretrained`` maps the safetensors file instead of initialising random weights and
    copying over them: loading peaks about 130 MB lower. Parameters that a model version
    changes are copied on write; the file is never modified."""
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity(logging.ERROR)  # the unused pooler weights are expected
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        encoder, info = AutoModel.from_pretrained(
            str(base_dir), local_files_only=True, add_pooling_layer=False,
            attn_implementation="sdpa", output_loading_info=True,
        )
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
    missing = info["missing_keys"]
    if missing:
        raise ModelError(f"{base_dir / WEIGHTS} lacks encoder weights: {', '.join(sorted(missing))}")
    return cast(PreTrainedModel, encoder)


class MultiTaskModel(torch.nn.Module):
    """Encoder + mean pooling + sentiment (3 logits) and stress (1 logit) heads."""

    def __init__(self, encoder: PreTrainedModel) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.sentiment = torch.nn.Linear(hidden, len(SENTIMENT_LABELS))
        self.stress = torch.nn.Linear(hidden, 1)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sentiment logits [batch, 3] and stress logits [batch], both fp32."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(torch.float32)
        pooled = (hidden.to(torch.float32) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        head_dtype = self.sentiment.weight.dtype
        pooled = pooled.to(head_dtype)
        return self.sentiment(pooled).float(), self.stress(pooled).float().squeeze(-1)

    def heads_state(self) -> dict[str, torch.Tensor]:
        """The two heads' weights, named as in ``heads.safetensors``."""
        return {f"{head}.{p}": getattr(getattr(self, head), p).detach()
                for head in ("sentiment", "stress") for p in ("weight", "bias")}


@dataclass(frozen=True, slots=True)
class Prediction:
    """An :class:`Analysis` plus the thresholded stress decision."""

    analysis: Analysis
    stressed: bool


class Classifier:
    """The fine-tuned analyzer: ``Classifier.load(dir)`` for a trained version,
    ``Classifier.fresh(version)`` for untrained heads on the base (training, tests)."""

    name = "minilm-multitask"

    def __init__(self, model: MultiTaskModel, config: ModelConfig, *, base_dir: Path,
                 device: str | None = None,
                 threads: int | None = None, batch_size: int = 64) -> None:
        if threads is not None:
            torch.set_num_threads(threads)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = model.to(self.device).eval()
        if self.device.type == "cuda":
            encoder: torch.nn.Module = self.model.encoder
            encoder.half()
        self.tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
        self.version = config.version
        self.max_tokens = config.max_tokens
        self.sentiment_temperature = config.sentiment_temperature
        self.stress_temperature = config.stress_temperature
        self.stress_threshold = config.stress_threshold
        self.metrics = dict(config.metrics)
        self.batch_size = batch_size

    @classmethod
    def fresh(cls, version: str, *, seed: int = 0, max_tokens: int = 128,
              device: str | None = None, threads: int | None = None) -> Classifier:
        """Randomly initialised heads (seeded) on the untouched base encoder."""
        base_dir = verified_dir()
        encoder = _base_encoder(base_dir)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = MultiTaskModel(encoder)
        return cls(model, ModelConfig(version=version, max_tokens=max_tokens), base_dir=base_dir,
                   device=device, threads=threads)

    @classmethod
    def load(cls, directory: Path, *, device: str | None = None,
             threads: int | None = None) -> Classifier:
        """A saved model version; ModelError naming the file if it is missing, malformed,
        altered or made for other base weights."""
        config, heads, delta = read_model_dir(directory)
        base_dir = verified_dir()
        encoder = _base_encoder(base_dir)
        params = dict(encoder.named_parameters())
        with torch.no_grad():
            for name, diff in delta.items():
                if name not in params or params[name].shape != diff.shape:
                    raise ModelError(f"{directory / DELTA_FILE} holds {name!r}, which is not a "
                                     "base encoder parameter of that shape")
                params[name].add_(diff)
            model = MultiTaskModel(encoder)
            for key, value in heads.items():
                head, param = key.split(".")
                getattr(getattr(model, head), param).copy_(value)
        return cls(model, config, base_dir=base_dir, device=device, threads=threads)

    def config(self) -> ModelConfig:
        """The current settings, as :meth:`save` records them."""
        return ModelConfig(self.version, self.max_tokens, self.sentiment_temperature,
                           self.stress_temperature, self.stress_threshold, metrics=self.metrics)

    def compress(self, delta_rank: int | None = None) -> None:
        """Set the encoder to exactly the weights :meth:`save` with this ``delta_rank`` will
        store (base + fp16 deltas, truncated by SVD when a rank is given), so that metrics
        measured afterwards are those of the saved version."""
        encoder = self.model.encoder
        base = load_file(str(verified_dir() / WEIGHTS))
        params = dict(encoder.named_parameters())
        delta = decode_delta(encode_delta(params, base, delta_rank))
        with torch.no_grad():
            for name, diff in delta.items():
                value = base[name].to(torch.float32) + diff
                params[name].copy_(value.to(params[name].device, params[name].dtype))

    def save(self, directory: Path, *, card: ModelCard, delta_rank: int | None = None) -> None:
        """Write this version (heads, encoder changes as fp16 deltas, low rank ``delta_rank``
        for matrices when given, config and ``MODEL_CARD.md``); ModelError over 10 MB."""
        self.metrics = dict(card.metrics) or self.metrics
        trained = dict(self.model.encoder.named_parameters())
        base = load_file(str(verified_dir() / WEIGHTS))  # not kept resident: 90 MB
        delta = encode_delta(trained, base, delta_rank)
        write_model_dir(directory, self.config(), self.model.heads_state(), delta, card)

    def _batches(self, order: Sequence[int], lengths: Sequence[int]) -> list[list[int]]:
        """Split ``order`` (shortest first) into consecutive batches of at most ``batch_size``
        texts that minimise the padded tokens computed, each batch counted as at least
        ``MIN_BATCH_TOKENS`` (smaller matrix products run far below the CPU's peak). Dynamic
        programming over the sorted lengths: O(n * batch_size)."""
        n = len(order)
        widths = [lengths[i] for i in order]
        best = [0.0] + [math.inf] * n  # best[j]: cost of the first j texts
        cut = [0] * (n + 1)
        for j in range(1, n + 1):
            width = widths[j - 1]  # the longest of any batch ending at j
            for i in range(max(0, j - self.batch_size), j):
                cost = best[i] + max((j - i) * width, MIN_BATCH_TOKENS)
                if cost < best[j]:
                    best[j], cut[j] = cost, i
        batches: list[list[int]] = []
        j = n
        while j > 0:
            batches.append(list(order[cut[j]:j]))
            j = cut[j]
        return batches[::-1]

    def logits(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Raw sentiment [n, 3] and stress [n] logits in input order (for calibration)."""
        if not texts:
            return np.zeros((0, 3), np.float32), np.zeros((0,), np.float32)
        ids = token_ids(self.tokenizer, texts, self.max_tokens)
        order = by_length(ids)
        pad = int(self.tokenizer.pad_token_id or 0)
        outputs: list[tuple[torch.Tensor, torch.Tensor]] = []
        with torch.inference_mode():
            for rows in self._batches(order, [len(x) for x in ids]):
                batch, mask = padded(ids, rows, pad)
                outputs.append(self.model(torch.from_numpy(batch).to(self.device),
                                          torch.from_numpy(mask).to(self.device)))
            sentiment = torch.cat([s for s, _ in outputs]).cpu().numpy()
            stress = torch.cat([t for _, t in outputs]).cpu().numpy()
        inverse = np.empty(len(order), np.int64)
        inverse[np.asarray(order)] = np.arange(len(order))
        return sentiment[inverse], stress[inverse]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One :class:`Prediction` per text, in input order."""
        sentiment, stress = self.logits(texts)
        scaled = sentiment.astype(np.float64) / self.sentiment_temperature
        probs = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        p_stress = 1.0 / (1.0 + np.exp(-stress.astype(np.float64) / self.stress_temperature))
        out = []
        for row, p in zip(probs, p_stress):
            triple = (float(row[0]), float(row[1]), float(row[2]))
            p = min(max(float(p), 0.0), 1.0)
            label = SENTIMENT_LABELS[int(np.argmax(row))]
            out.append(Prediction(Analysis(label, triple, p), p >= self.stress_threshold))
        return out

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """One Analysis per text, in input order (the Analyzer protocol)."""
        return [p.analysis for p in self.predict(texts)]
