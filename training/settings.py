"""Training settings (:class:`TrainSettings`), in the spirit of setfit's ``TrainingArguments``.

Which encoder parameters train (``encoder``):

``"heads"``
    only the two linear heads; the encoder stays the base (the saved version has no delta).
``"top-K"`` (``"top-1"`` ... ``"top-6"``)
    the top K transformer layers plus the heads; lower layers and embeddings stay frozen, so
    backpropagation stops at layer ``6 - K``. Each layer's dense fp16 delta is 3.5 MB, so
    K <= 2 fits the 10 MB budget without ``delta_rank``.
``"full"``
    every encoder parameter (embeddings included); needs ``delta_rank`` (e.g. 16) so the
    saved delta fits the budget (the SVD truncation then approximates the trained weights).
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

__all__ = ["TrainSettings", "DENSE_LAYER_LIMIT", "NUM_LAYERS", "field_help"]

NUM_LAYERS = 6
#: Dense fp16 deltas of more layers than this exceed the 10 MB budget.
DENSE_LAYER_LIMIT = 2
_TOP = re.compile(r"top-([1-9][0-9]*)")


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters and run settings for :func:`training.train.train`."""

    epochs: float = 1.0
    """Passes over the (mixed, workplace-repeated) training set; fractions allowed."""
    batch_size: int = 16
    """Training examples per optimiser step."""
    lr: float = 5e-5
    """Peak AdamW learning rate of the encoder parameters that train."""
    head_lr: float = 1e-3
    """Peak learning rate of the two freshly initialised heads."""
    warmup_ratio: float = 0.1
    """Share of the steps with linear warm-up from 0; linear decay to 0 afterwards."""
    weight_decay: float = 0.01
    """AdamW decoupled weight decay on weight matrices (not biases or LayerNorm)."""
    max_tokens: int = 128
    """Truncation in tokens ([CLS] and [SEP] included), in training and in the saved model."""
    workplace_repeat: int = 3
    """How many times each workplace train example appears per epoch."""
    class_weighting: bool = True
    """Inverse-frequency ("balanced") class weights in both losses."""
    seed: int = 0
    """Seed of the head initialisation, the shuffling and torch."""
    encoder: str = "top-2"
    """Which encoder parameters train: ``"heads"``, ``"top-K"`` or ``"full"``."""
    delta_rank: int | None = None
    """Save 2-D encoder deltas at this SVD rank (None: dense)."""
    limit_examples: int | None = None
    """Use at most this many examples of each train and val set (tiny runs, tests)."""
    max_steps: int | None = None
    """Stop after this many optimiser steps (the schedule is planned for them)."""
    length_bucketing: bool = True
    """Group examples of similar length into batches (within shuffled chunks of 50 batches,
    batch order shuffled) so long Reddit posts do not pad short tweets; batches still mix
    tasks wherever lengths overlap."""
    device: str | None = None
    """``"cpu"``, ``"cuda"`` or None (CUDA when available)."""
    threads: int | None = None
    """torch CPU threads (None: torch's default)."""
    eval_batch_size: int = 64
    """Texts per forward pass when calibrating and measuring on val."""
    version: str | None = None
    """Model version id (default: the output directory's name)."""

    def __post_init__(self) -> None:
        problems = []
        if not self.epochs > 0:
            problems.append("epochs must be > 0")
        if self.batch_size < 1 or self.eval_batch_size < 1:
            problems.append("batch sizes must be >= 1")
        if not (self.lr >= 0 and self.head_lr > 0):
            problems.append("learning rates must be >= 0 (heads: > 0)")
        if not 0.0 <= self.warmup_ratio < 1.0:
            problems.append("warmup_ratio must be in [0, 1)")
        if self.weight_decay < 0:
            problems.append("weight_decay must be >= 0")
        if self.max_tokens < 8:
            problems.append("max_tokens must be >= 8")
        if self.workplace_repeat < 0:
            problems.append("workplace_repeat must be >= 0")
        if self.delta_rank is not None and self.delta_rank < 1:
            problems.append("delta_rank must be >= 1 or None")
        if self.limit_examples is not None and self.limit_examples < 1:
            problems.append("limit_examples must be >= 1 or None")
        if self.max_steps is not None and self.max_steps < 1:
            problems.append("max_steps must be >= 1 or None")
        if self.threads is not None and self.threads < 1:
            problems.append("threads must be >= 1 or None")
        try:
            layers = self.trainable_layers
        except ValueError as exc:
            problems.append(str(exc))
        else:
            if self.delta_rank is None and (layers > DENSE_LAYER_LIMIT or self.trains_embeddings):
                problems.append(f"encoder={self.encoder!r} needs delta_rank (e.g. 16): dense "
                                f"deltas of more than {DENSE_LAYER_LIMIT} layers exceed the "
                                "10 MB budget")
        if problems:
            raise ValueError("invalid TrainSettings: " + "; ".join(problems))

    @property
    def trainable_layers(self) -> int:
        """How many of the top transformer layers train (0 for heads only)."""
        if self.encoder == "heads":
            return 0
        if self.encoder == "full":
            return NUM_LAYERS
        match = _TOP.fullmatch(self.encoder)
        if match is None or not 1 <= int(match.group(1)) <= NUM_LAYERS:
            raise ValueError(f"encoder must be 'heads', 'full' or 'top-K' with 1 <= K <= "
                             f"{NUM_LAYERS}, not {self.encoder!r}")
        return int(match.group(1))

    @property
    def trains_embeddings(self) -> bool:
        """Whether the embedding layer trains (only with ``encoder="full"``)."""
        return self.encoder == "full"

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for the model card and JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainSettings:
        """Settings from a dict; unknown keys raise ValueError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown TrainSettings field(s): {', '.join(unknown)}")
        return cls(**dict(values))


def field_help(cls: type = TrainSettings) -> dict[str, str]:
    """Each field's docstring (the string under it in the dataclass ``cls``, by default
    :class:`TrainSettings`) as plain text on one line, for ``--help``; empty when the source
    is not available."""
    try:
        tree = ast.parse(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    texts: dict[str, str] = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            texts[node.target.id] = " ".join(following.value.value.replace("``", "").split())
    return texts
