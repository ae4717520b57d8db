"""Texts to padded batches of token ids, for the encoders that run MiniLM (the classifier, the
sentence encoder, the active-learning benchmark): tokenised once, ordered by length, and each
batch padded only to its longest text."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["by_length", "padded", "token_ids"]


def token_ids(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Each text's token ids ([CLS] and [SEP] included), truncated at ``max_tokens``, in one
    call of the fast tokenizer."""
    ids: list[list[int]] = tokenizer(list(texts), truncation=True, max_length=max_tokens,
                                     return_attention_mask=False, return_token_type_ids=False)["input_ids"]
    return ids


def by_length(ids: Sequence[Sequence[int]]) -> list[int]:
    """The indices of ``ids``, shortest first (ties in input order)."""
    return sorted(range(len(ids)), key=lambda i: len(ids[i]))


def padded(ids: Sequence[Sequence[int]], rows: Sequence[int], pad: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The ids of ``rows`` as one ``(len(rows), longest)`` batch padded with ``pad``, and its
    attention mask (1 on real tokens)."""
    width = max(len(ids[i]) for i in rows)
    batch = np.full((len(rows), width), pad, np.int64)
    mask = np.zeros((len(rows), width), np.int64)
    for r, i in enumerate(rows):
        batch[r, :len(ids[i])] = ids[i]
        mask[r, :len(ids[i])] = 1
    return batch, mask
