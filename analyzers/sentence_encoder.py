"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (``/mytraining`` goal matching).

The verified base encoder (:mod:`analyzers.base_model`, loaded as :mod:`analyzers.classifier`
loads it), mean pooling over the attention mask and L2 normalisation: the way the model was
trained for sentence similarity, so the dot product of two embeddings is their cosine
similarity. Texts are truncated at 128 tokens, sorted by length and run in batches of at most
64, each padded only to its longest text, under ``torch.inference_mode`` on the CPU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from transformers import AutoTokenizer, PreTrainedModel

from analyzers.base_model import BASE_NAME, BASE_SHA256, verified_dir
from analyzers.batching import by_length, padded, token_ids
from analyzers.classifier import _base_encoder

__all__ = ["DIM", "SentenceEncoder"]

DIM = 384  # all-MiniLM-L6-v2's hidden size


class SentenceEncoder:
    """``SentenceEncoder.load()``, then ``embed(texts)``: one unit vector per text."""

    def __init__(self, encoder: PreTrainedModel, tokenizer: Any, version: str, *,
                 max_tokens: int = 128, batch_size: int = 64) -> None:
        module: torch.nn.Module = encoder
        module.eval()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.version = version  # changes whenever the vectors would: cache keys include it
        self.max_tokens = max_tokens
        self.batch_size = batch_size

    @classmethod
    def load(cls, base_dir: Path | None = None, *, threads: int | None = None) -> SentenceEncoder:
        """The bundled base encoder (or the one in ``base_dir``), checked against its sha256;
        ModelError if it is missing or altered. ``threads`` sets torch's CPU threads."""
        if threads is not None:
            torch.set_num_threads(threads)
        directory = verified_dir(base_dir)
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        return cls(_base_encoder(directory), tokenizer, f"{BASE_NAME}:{BASE_SHA256[:12]}")

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length embeddings [len(texts), 384] in input order."""
        out = np.zeros((len(texts), DIM), np.float32)
        if not texts:
            return out
        ids = token_ids(self.tokenizer, texts, self.max_tokens)
        order = by_length(ids)
        pad = int(self.tokenizer.pad_token_id or 0)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                batch, mask = padded(ids, rows, pad)
                attention = torch.from_numpy(mask)
                hidden = self.encoder(input_ids=torch.from_numpy(batch),
                                      attention_mask=attention).last_hidden_state
                weights = attention.unsqueeze(-1).to(torch.float32)
                pooled = (hidden.float() * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                out[rows] = torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out
