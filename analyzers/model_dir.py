"""The on-disk format of a Teamweather classifier version (read and written here only).

A model version is a directory holding what it adds on top of the pinned base encoder
(all-MiniLM-L6-v2, weights sha256 ``analyzers.base_model.BASE_SHA256``); never the base itself:

``teamweather-model.json``
    ``format`` (``"teamweather-model"``), ``format_version`` (1), ``version`` (the id stored
    with every score), ``base`` (``name``, ``sha256``), ``max_tokens`` (truncation, counting
    [CLS] and [SEP]), ``pooling`` (``"mean"``), ``sentiment_labels`` (logit order),
    ``sentiment_temperature``, ``stress_temperature``, ``stress_threshold``, ``encoder``
    (``"base"`` when the encoder is the untouched base, ``"delta"`` when
    ``encoder_delta.safetensors`` is present), ``files`` (name -> sha256 of every weights file,
    checked at load) and ``metrics`` (the model card's, for the registry).
``heads.safetensors``
    fp32 ``sentiment.weight`` [3, 384], ``sentiment.bias`` [3], ``stress.weight`` [1, 384],
    ``stress.bias`` [1]: 6.2 kB.
``encoder_delta.safetensors`` (only when fine-tuning changed the encoder)
    fp16 differences from the base weights, per changed parameter ``P``, either dense (key
    ``P``: trained - base) or low rank (keys ``P.lora_B`` [m, r] and ``P.lora_A`` [r, n], the
    difference being ``lora_B @ lora_A``: a LoRA adapter merged and re-factored, or a full
    fine-tuning delta truncated to rank r by SVD). Deltas are added to the base at load, so
    inference costs the same as the base model.
``MODEL_CARD.md``
    data sources and citations, training command and settings, val metrics, base sha256.

Size arithmetic (fp16 = 2 bytes/parameter; budget :data:`SIZE_BUDGET` = 10 MB per version):
word embeddings are 30,522 x 384 = 11.7M parameters (23.4 MB dense); each of the 6 layers has
1.77M (Q, K, V, O 384 x 384 and the FFN 1536 x 384 and 384 x 1536, 3.5 MB dense); biases and
LayerNorms of the whole encoder are 60k (0.12 MB). So dense deltas fit for all biases and
LayerNorms plus at most two whole layers; low rank r costs 2r(m + n) bytes per matrix, i.e.
221 kB per layer at r = 16 (1.3 MB for all 36 linear matrices; 5.3 MB at r = 64) and 0.99 MB
for the word embeddings at r = 16. :func:`write_model_dir` refuses to exceed the budget.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from analyzers.analyzer import SENTIMENT_LABELS
from analyzers.base_model import BASE_NAME, BASE_SHA256, sha256_of
from domain.errors import ModelError

__all__ = [
    "CONFIG_FILE",
    "HEADS_FILE",
    "DELTA_FILE",
    "CARD_FILE",
    "FORMAT_VERSION",
    "SIZE_BUDGET",
    "ModelCard",
    "ModelConfig",
    "directory_size",
    "encode_delta",
    "decode_delta",
    "read_model_dir",
    "write_model_dir",
]

CONFIG_FILE = "teamweather-model.json"
HEADS_FILE = "heads.safetensors"
DELTA_FILE = "encoder_delta.safetensors"
CARD_FILE = "MODEL_CARD.md"
FORMAT = "teamweather-model"
FORMAT_VERSION = 1
SIZE_BUDGET = 10_000_000
HEAD_SHAPES: Mapping[str, tuple[int, ...]] = {
    "sentiment.weight": (3, 384),
    "sentiment.bias": (3,),
    "stress.weight": (1, 384),
    "stress.bias": (1,),
}


@dataclass(frozen=True)
class ModelConfig:
    """The settings in ``teamweather-model.json`` (see the module docstring)."""

    version: str
    max_tokens: int = 128
    sentiment_temperature: float = 1.0
    stress_temperature: float = 1.0
    stress_threshold: float = 0.5
    base_sha256: str = BASE_SHA256
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelCard:
    """What ``MODEL_CARD.md`` says besides the config: where the data came from (with
    citations), how the model was trained (command and settings) and its val metrics."""

    data_sources: Sequence[str] = ()
    training: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    command: str = ""
    notes: str = ""


def encode_delta(
    trained: Mapping[str, torch.Tensor], base: Mapping[str, torch.Tensor], rank: int | None = None
) -> dict[str, torch.Tensor]:
    """fp16 differences of the parameters that changed; 2-D ones factored to ``rank`` by SVD
    when a rank is given and that is smaller than storing them dense."""
    out: dict[str, torch.Tensor] = {}
    for name, value in trained.items():
        reference = base[name].to(torch.float32)
        diff = value.detach().to("cpu", torch.float32) - reference
        if not diff.any():
            continue
        if rank is not None and diff.ndim == 2 and rank * sum(diff.shape) < diff.numel():
            u, s, vh = torch.linalg.svd(diff, full_matrices=False)
            root = s[:rank].sqrt()
            out[f"{name}.lora_B"] = (u[:, :rank] * root).to(torch.float16).contiguous()
            out[f"{name}.lora_A"] = (root[:, None] * vh[:rank]).to(torch.float16).contiguous()
        else:
            out[name] = diff.to(torch.float16).contiguous()
    return out


def decode_delta(tensors: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The fp32 differences per parameter name, low-rank pairs multiplied out."""
    out: dict[str, torch.Tensor] = {}
    for key, value in tensors.items():
        if key.endswith(".lora_A"):
            continue
        if key.endswith(".lora_B"):
            name = key.removesuffix(".lora_B")
            out[name] = value.to(torch.float32) @ tensors[f"{name}.lora_A"].to(torch.float32)
        else:
            out[key] = value.to(torch.float32)
    return out


def directory_size(directory: Path) -> int:
    """Bytes of all files in a model directory: what a version costs on top of the base."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _card_markdown(config: ModelConfig, card: ModelCard, files: Mapping[str, int]) -> str:
    lines = [
        f"# Teamweather classifier {config.version}",
        "",
        f"Sentiment ({', '.join(SENTIMENT_LABELS)}) and stress heads with mean pooling on "
        f"{BASE_NAME} (`model.safetensors` sha256 `{config.base_sha256}`).",
        "",
        "## Data sources",
        "",
        *(f"- {source}" for source in card.data_sources or ["(not recorded)"]),
        "",
        "## Training",
        "",
        f"Command: `{card.command}`" if card.command else "Command: (not recorded)",
        "",
        *(f"- {key}: {value}" for key, value in card.training.items()),
        "",
        "## Inference settings",
        "",
        f"- max_tokens: {config.max_tokens}",
        f"- sentiment_temperature: {config.sentiment_temperature}",
        f"- stress_temperature: {config.stress_temperature}",
        f"- stress_threshold: {config.stress_threshold}",
        "",
        "## Validation metrics",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in card.metrics.items()),
        "",
        "## Files",
        "",
        *(f"- `{name}`: {size:,} bytes" for name, size in files.items()),
    ]
    if card.notes:
        lines += ["", "## Notes", "", card.notes]
    return "\n".join(lines) + "\n"


def write_model_dir(
    directory: Path,
    config: ModelConfig,
    heads: Mapping[str, torch.Tensor],
    delta: Mapping[str, torch.Tensor],
    card: ModelCard,
) -> None:
    """Write a model version to ``directory`` (which must not exist or be empty), complete or
    not at all; ModelError if it would exceed :data:`SIZE_BUDGET`."""
    if directory.exists() and any(directory.iterdir()):
        raise ModelError(f"{directory} already holds files; model versions are never overwritten")
    staging = directory.with_name(directory.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        save_file({k: v.detach().to("cpu", torch.float32).contiguous() for k, v in heads.items()},
                  str(staging / HEADS_FILE))
        if delta:
            save_file(dict(delta), str(staging / DELTA_FILE))
        names = [HEADS_FILE] + ([DELTA_FILE] if delta else [])
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": config.version,
            "base": {"name": BASE_NAME, "sha256": config.base_sha256},
            "max_tokens": config.max_tokens,
            "pooling": "mean",
            "sentiment_labels": list(SENTIMENT_LABELS),
            "sentiment_temperature": config.sentiment_temperature,
            "stress_temperature": config.stress_temperature,
            "stress_threshold": config.stress_threshold,
            "encoder": "delta" if delta else "base",
            "files": {name: sha256_of(staging / name) for name in names},
            "metrics": dict(card.metrics),
        }
        (staging / CONFIG_FILE).write_text(json.dumps(document, indent=2) + "\n")
        sizes = {name: (staging / name).stat().st_size for name in [CONFIG_FILE, *names]}
        (staging / CARD_FILE).write_text(_card_markdown(config, card, sizes))
        size = directory_size(staging)
        if size > SIZE_BUDGET:
            raise ModelError(
                f"model version {config.version} would take {size:,} bytes, over the "
                f"{SIZE_BUDGET:,}-byte budget on top of the base: store fewer encoder "
                "parameters or save with a (smaller) delta rank"
            )
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _load_tensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise ModelError(f"cannot read {path}: {exc}") from None


def read_model_dir(
    directory: Path,
) -> tuple[ModelConfig, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Config, heads and fp32 encoder deltas of a model version, after checking the config, the
    base sha256 and every weights file's sha256; ModelError naming the file otherwise."""
    path = directory / CONFIG_FILE
    if not path.is_file():
        raise ModelError(f"{directory} is not a Teamweather model: {path} is missing")
    try:
        doc = json.loads(path.read_text())
        if doc.get("format") != FORMAT or doc.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format {doc.get('format')!r} version {doc.get('format_version')!r}"
                             f" is not {FORMAT!r} version {FORMAT_VERSION}")
        if list(doc["sentiment_labels"]) != list(SENTIMENT_LABELS) or doc["pooling"] != "mean":
            raise ValueError("unsupported sentiment labels or pooling")
        config = ModelConfig(
            version=str(doc["version"]),
            max_tokens=int(doc["max_tokens"]),
            sentiment_temperature=float(doc["sentiment_temperature"]),
            stress_temperature=float(doc["stress_temperature"]),
            stress_threshold=float(doc["stress_threshold"]),
            base_sha256=str(doc["base"]["sha256"]),
            metrics=dict(doc.get("metrics", {})),
        )
        files = {str(k): str(v) for k, v in doc["files"].items()}
        checks = (config.max_tokens >= 2, config.sentiment_temperature > 0,
                  config.stress_temperature > 0, 0.0 <= config.stress_threshold <= 1.0,
                  HEADS_FILE in files, set(files) <= {HEADS_FILE, DELTA_FILE},
                  (doc["encoder"] == "delta") == (DELTA_FILE in files),
                  all(math.isfinite(x) for x in (config.sentiment_temperature,
                                                 config.stress_temperature)))
        if not all(checks):
            raise ValueError("settings out of range or inconsistent file list")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path} is malformed: {exc}") from None
    if config.base_sha256 != BASE_SHA256:
        raise ModelError(
            f"{path} records base weights sha256 {config.base_sha256}, but the installed base "
            f"{BASE_NAME} has {BASE_SHA256}: this model was trained on other base weights"
        )
    for name, expected in files.items():
        if not (directory / name).is_file():
            raise ModelError(f"{directory / name} is missing (listed in {path})")
        if sha256_of(directory / name) != expected:
            raise ModelError(f"{directory / name} has been altered: its sha256 is not the one "
                             f"recorded in {path}")
    heads = _load_tensors(directory / HEADS_FILE)
    if {k: tuple(v.shape) for k, v in heads.items()} != dict(HEAD_SHAPES):
        raise ModelError(f"{directory / HEADS_FILE} does not hold the expected head shapes")
    try:
        delta = decode_delta(_load_tensors(directory / DELTA_FILE)) if DELTA_FILE in files else {}
    except (KeyError, RuntimeError) as exc:
        raise ModelError(f"{directory / DELTA_FILE} holds an incomplete low-rank pair: {exc}"
                         ) from None
    return config, heads, delta
