"""The retraining loop: fine-tune a challenger from the champion on reviewers' labels, gate it.

One round (:func:`retrain`), in order:

1. **Labels**: :func:`storage.review.labelled_flags` (each flag's consensus labels; imported
   examples included), ordered by their latest answer. With fewer than ``min_labels`` the
   round is skipped. The most recent ``holdout_share`` of them (at least ``min_holdout``) are
   *held out* for the gate; the rest train. Reviewer agreement is Cohen's kappa per task over
   :func:`storage.review.reviewer_pairs` (sklearn), reported once there are
   :data:`MIN_KAPPA_PAIRS` double-labelled flags.
2. **Champion**: the active registry version's directory, or the bundled model when none is
   active. It is measured on the held-out labels and on the regression set.
3. **Challenger**: the champion's directory loaded again (:meth:`Classifier.load`, in fp32,
   then moved to CUDA when ``device`` is None and a GPU is present), trained by
   :func:`training.train.fit` (the loop :func:`training.train.train` runs on fresh heads) on
   the training labels, each repeated ``label_repeat`` times, mixed with a *replay* sample of
   the bootstrap data's train splits (``replay_examples``, split evenly over the three sets,
   drawn with the seed, leaving out any text a reviewer labelled) so that it does not forget.
   The encoder parameters named by ``encoder`` train; the others keep the champion's values.
4. **Saved form**: encoder parameters that did not train keep the champion's stored deltas
   byte for byte; those that trained are stored as fp16 deltas from the base, 2-D ones
   truncated to rank ``delta_rank`` by SVD (dense with None). The challenger is set to exactly
   those weights before it is measured. Calibration (temperatures, stress threshold) is
   :func:`training.train.calibrate_logits` on the bootstrap val splits, as for the champion;
   without bootstrap data, on the regression set; with neither, the champion's values stay.
5. **Gate** (:mod:`training.gate`) on held-out labels and the regression set (by default the
   bootstrap val splits the bootstrap model was chosen on; ``regression_dir`` for a
   deployment's own directory of the same layout). Metrics are sklearn's: sentiment
   macro-recall and stressed-class F1, as fractions.
6. **Record**: the challenger goes into ``models_dir/<version>`` (never the champion's
   directory) and into the registry with its val metrics plus ``decision`` (promoted or
   rejected), ``reason`` and the gate's numbers (``gate``, ``held_out``, ``regression``,
   ``labels``); it is promoted only if it passed. Audit rows as ``teamweather models`` writes
   them (actor ``retrain``). ``teamweather models rollback`` undoes a promotion.

The round returns a :class:`RetrainReport` whose :meth:`~RetrainReport.as_text` is plain text
for the review channel. Nothing here holds a database transaction while it trains: labels are
read first, the registry written last, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Mapping, Sequence

import numpy as np
import sqlite_utils
import torch
from numpy.typing import NDArray
from safetensors.torch import load_file
from sklearn.metrics import cohen_kappa_score, f1_score, recall_score

from analyzers.analyzer import SENTIMENT_LABELS
from analyzers.base_model import WEIGHTS, verified_dir
from analyzers.bundled import BUNDLED_DIR
from analyzers.classifier import Classifier
from analyzers.model_dir import (
    CONFIG_FILE,
    DELTA_FILE,
    ModelCard,
    ModelConfig,
    decode_delta,
    encode_delta,
    write_model_dir,
)
from domain.errors import ModelError
from storage import audit, review
from storage import models as registry
from training.data import Example, Task, load_split
from training.evaluate import PREFIX
from training.gate import GateResult, GateSettings, decide
from training.metrics import sigmoid
from training.settings import TrainSettings
from training.train import DATA_SOURCES, Progress, ProgressEvent, calibrate_logits, fit

__all__ = ["DEFAULT_DATA", "MIN_KAPPA_PAIRS", "TASKS", "Agreement", "LabelCounts", "RetrainReport",
           "RetrainSettings", "agreement", "champion_of", "label_metrics", "regression_metrics",
           "replay_sample", "retrain", "split_labels", "start_challenger"]

#: The bootstrap data, as ``training.train`` finds it (``../shared/data`` beside the checkout).
DEFAULT_DATA: Final = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Fewer double-labelled flags than this: no kappa, "not enough double-labelled flags".
MIN_KAPPA_PAIRS: Final = 10
TASKS: Final = ("sentiment", "stress")
ACTOR: Final = "retrain"


@dataclass(frozen=True)
class RetrainSettings:
    """Settings of one retraining round (the optimiser's follow ``TrainSettings``)."""

    min_labels: int = 50
    """Skip the round when fewer flags than this are labelled."""
    holdout_share: float = 0.2
    """Share of the most recently labelled flags held out for the gate."""
    min_holdout: int = 20
    """Hold out at least this many labelled flags."""
    label_repeat: int = 3
    """How many times each training label appears per epoch."""
    replay_examples: int = 900
    """Bootstrap train examples mixed in, split evenly over the three data sets (0: none)."""
    encoder: str = "top-2"
    """Which encoder parameters train: "heads", "top-K" or "full" (as for train)."""
    delta_rank: int | None = 128
    """Store the trained encoder matrices' deltas at this SVD rank (None, or 0 on the command
    line: dense). Untrained ones keep the champion's stored deltas."""
    epochs: float = 3.0
    """Passes over the labels and the replay sample."""
    max_steps: int | None = None
    """Stop after this many optimiser steps (tiny runs, tests)."""
    batch_size: int = 16
    """Training examples per optimiser step."""
    lr: float = 5e-5
    """Peak AdamW learning rate of the encoder parameters that train."""
    head_lr: float = 1e-3
    """Peak learning rate of the two heads (already trained: lower than for fresh heads)."""
    warmup_ratio: float = 0.1
    """Share of the steps with linear warm-up; linear decay to 0 afterwards."""
    weight_decay: float = 0.01
    """AdamW decoupled weight decay on weight matrices."""
    class_weighting: bool = True
    """Inverse-frequency class weights in both losses."""
    length_bucketing: bool = True
    """Group examples of similar length into batches (as for train)."""
    seed: int = 0
    """Seed of the replay sample, the shuffling and torch."""
    device: str | None = None
    """"cpu", "cuda" or None (CUDA when available)."""
    threads: int | None = None
    """torch CPU threads (None: torch's default)."""
    eval_batch_size: int = 64
    """Texts per forward pass when measuring."""
    limit_val_examples: int | None = None
    """Use at most this many examples of each calibration and regression set (tests)."""

    def __post_init__(self) -> None:
        problems = []
        if self.min_holdout < 1 or self.min_labels <= self.min_holdout:
            problems.append("min_holdout must be >= 1 and min_labels > min_holdout")
        if not 0.0 < self.holdout_share < 1.0:
            problems.append("holdout_share must be in (0, 1)")
        if self.label_repeat < 1 or self.replay_examples < 0:
            problems.append("label_repeat must be >= 1 and replay_examples >= 0")
        if self.limit_val_examples is not None and self.limit_val_examples < 1:
            problems.append("limit_val_examples must be >= 1 or None")
        if problems:
            raise ValueError("invalid RetrainSettings: " + "; ".join(problems))
        self.train_settings(128)  # the optimiser's settings must be valid too

    def train_settings(self, max_tokens: int, version: str | None = None) -> TrainSettings:
        """The :class:`TrainSettings` the loop runs with (``max_tokens``: the champion's)."""
        return TrainSettings(
            epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, head_lr=self.head_lr,
            warmup_ratio=self.warmup_ratio, weight_decay=self.weight_decay,
            max_tokens=max_tokens, workplace_repeat=1, class_weighting=self.class_weighting,
            seed=self.seed, encoder=self.encoder, delta_rank=self.delta_rank,
            max_steps=self.max_steps, length_bucketing=self.length_bucketing,
            device=self.device, threads=self.threads, eval_batch_size=self.eval_batch_size,
            version=version)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa between the first two reviewers of each double-labelled flag."""

    task: str
    pairs: int
    kappa: float | None

    @property
    def text(self) -> str:
        if self.pairs < MIN_KAPPA_PAIRS:
            return (f"{self.task}: not enough double-labelled flags ({self.pairs}, "
                    f"{MIN_KAPPA_PAIRS} needed)")
        if self.kappa is None:
            return f"{self.task}: undefined over {self.pairs} double-labelled flags (one answer only)"
        return f"{self.task}: kappa {self.kappa:.2f} over {self.pairs} double-labelled flags"


@dataclass(frozen=True)
class LabelCounts:
    """How many labelled flags trained and were held out, per task and per source."""

    train: int = 0
    held_out: int = 0
    train_tasks: Mapping[str, int] = field(default_factory=dict)
    held_out_tasks: Mapping[str, int] = field(default_factory=dict)
    train_sources: Mapping[str, int] = field(default_factory=dict)
    held_out_sources: Mapping[str, int] = field(default_factory=dict)


@dataclass
class RetrainReport:
    """The outcome of one :func:`retrain` round. Metric dicts hold fractions in [0, 1] (and
    ``n_*`` counts)."""

    started_at: float
    decision: str
    """``promoted``, ``rejected`` or ``skipped`` (too few labels: nothing trained)."""
    reason: str
    champion: str
    champion_path: str
    challenger: str | None = None
    challenger_path: str | None = None
    labels: LabelCounts = LabelCounts()
    agreement: tuple[Agreement, ...] = ()
    replay: Mapping[str, int] = field(default_factory=dict)
    held_out_before: Mapping[str, float] = field(default_factory=dict)
    held_out_after: Mapping[str, float] = field(default_factory=dict)
    regression_before: Mapping[str, float] = field(default_factory=dict)
    regression_after: Mapping[str, float] = field(default_factory=dict)
    gate: GateResult | None = None
    steps: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: ``evaluate_champion``, ``train``, ``evaluate_challenger``,
    ``save``, ``total``."""
    settings: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``text``: :meth:`as_text`)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("gate", "agreement", "labels")}
        out["labels"] = asdict(self.labels)
        out["agreement"] = [{**asdict(a), "text": a.text} for a in self.agreement]
        out["gate"] = None if self.gate is None else self.gate.to_dict()
        out["text"] = self.as_text()
        plain: dict[str, Any] = _plain(out)
        return plain

    def as_text(self) -> str:
        """The round as plain text lines (simple Markdown: a title and "- " items)."""
        when = dt.datetime.fromtimestamp(self.started_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if self.decision == "promoted":
            title = f"Retraining {when}: promoted {self.challenger} (replaces {self.champion})"
        elif self.decision == "rejected":
            title = f"Retraining {when}: kept {self.champion} (challenger {self.challenger} rejected)"
        else:
            title = f"Retraining {when}: skipped, {self.champion} stays"
        lines = [title, "", f"- Decision: {self.decision}. {_sentence(self.reason)}"]
        c = self.labels
        lines.append(f"- Labels: {c.train} for training, {c.held_out} held out (the most recent)"
                     + _tasks_text(c.train_tasks, c.held_out_tasks)
                     + _sources_text(c.train_sources, c.held_out_sources))
        lines.append("- Reviewer agreement (Cohen's kappa): "
                     + "; ".join(a.text for a in self.agreement) + ".")
        if self.held_out_before:
            lines.append(f"- Held-out labels, {self.champion} → {self.challenger}: "
                         + _compare(self.held_out_before, self.held_out_after, _HELD_OUT_NAMES))
            if self.gate is not None and self.gate.improvement is not None:
                lines.append(f"- Held-out score (mean over {', '.join(self.gate.tasks)}): "
                             f"{_pct(self.gate.champion_score)} → {_pct(self.gate.challenger_score)} "
                             f"({100 * self.gate.improvement:+.1f} points; needs at least "
                             f"+{100 * self.gate.settings.margin:.1f})")
        if self.regression_before:
            lines.append(f"- Regression set, {self.champion} → {self.challenger}: "
                         + _compare(self.regression_before, self.regression_after, None)
                         + (f" (tolerance {100 * self.gate.settings.tolerance:.1f} points)"
                            if self.gate is not None else ""))
        if self.steps:
            replayed = ", ".join(f"{n} {name}" for name, n in self.replay.items()) or "none"
            lines.append(f"- Training: {self.steps} steps from {self.champion}; replayed "
                         f"bootstrap examples: {replayed}.")
        if self.timings:
            lines.append("- Time: " + ", ".join(f"{k.replace('_', ' ')} {v:.0f} s"
                                                for k, v in self.timings.items()) + ".")
        return "\n".join(lines)


_HELD_OUT_NAMES: Final = {"sentiment_macro_recall": "sentiment macro-recall",
                          "stress_f1": "stress F1"}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _compare(before: Mapping[str, float], after: Mapping[str, float],
             names: Mapping[str, str] | None) -> str:
    keys = [k for k in before if not k.startswith("n_")]
    parts = []
    for key in keys:
        name = names.get(key, key) if names else key
        parts.append(f"{name} {_pct(before[key])} → {_pct(after.get(key))}")
    return "; ".join(parts) + "."


def _tasks_text(train: Mapping[str, int], held: Mapping[str, int]) -> str:
    return " (" + "; ".join(f"{t}: {train.get(t, 0)} + {held.get(t, 0)}" for t in TASKS) + ")"


def _sources_text(train: Mapping[str, int], held: Mapping[str, int]) -> str:
    total = Counter(dict(train)) + Counter(dict(held))
    return "; sources: " + ", ".join(f"{s} {n}" for s, n in sorted(total.items())) + "."


# -- pieces -------------------------------------------------------------------------------

def agreement(db: sqlite_utils.Database) -> tuple[Agreement, ...]:
    """Cohen's kappa per task over the double-labelled flags (None below
    :data:`MIN_KAPPA_PAIRS` pairs, or when every answer was the same)."""
    out = []
    for task in TASKS:
        pairs = review.reviewer_pairs(db, task)
        kappa: float | None = None
        if len(pairs) >= MIN_KAPPA_PAIRS:
            first = [str(a) for a, _ in pairs]
            second = [str(b) for _, b in pairs]
            if len(set(first) | set(second)) > 1:
                value = float(cohen_kappa_score(first, second))
                kappa = value if math.isfinite(value) else None
        out.append(Agreement(task, len(pairs), kappa))
    return tuple(out)


def split_labels(flags: Sequence[review.LabelledFlag], settings: RetrainSettings
                 ) -> tuple[list[review.LabelledFlag], list[review.LabelledFlag]]:
    """(train, held out): the most recent ``holdout_share`` (at least ``min_holdout``) of
    ``flags`` (ordered by their latest answer, as :func:`storage.review.labelled_flags`
    gives them) are held out."""
    ordered = sorted(flags, key=lambda f: (f.labelled_at, f.flag_id))
    held = min(len(ordered), max(settings.min_holdout, math.ceil(settings.holdout_share * len(ordered))))
    cut = len(ordered) - held
    return ordered[:cut], ordered[cut:]


def _example(flag: review.LabelledFlag) -> Example:
    task: Task = ("both" if flag.sentiment is not None and flag.stress is not None
                  else "sentiment" if flag.sentiment is not None else "stress")
    return Example(flag.text, task, flag.sentiment, flag.stress, flag.source)


def replay_sample(train_sets: Mapping[str, Sequence[Example]], n: int, seed: int,
                  exclude: frozenset[str] = frozenset()) -> dict[str, list[Example]]:
    """``n`` examples drawn without replacement, split evenly over the sets (the first sets
    take the remainder; a set with too few gives all it has), none whose text is in
    ``exclude``."""
    rng = random.Random(seed)
    names = list(train_sets)
    out: dict[str, list[Example]] = {}
    for i, name in enumerate(names):
        quota = n // len(names) + (1 if i < n % len(names) else 0) if names else 0
        pool = [e for e in train_sets[name] if e.text not in exclude]
        out[name] = rng.sample(pool, min(quota, len(pool)))
    return out


def _predict(classifier: Classifier, sentiment_logits: NDArray[np.float32],
             stress_logits: NDArray[np.float32]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Sentiment class indices and stress decisions at the classifier's calibration."""
    sentiment = np.asarray(sentiment_logits).argmax(axis=1).astype(np.int64) if len(sentiment_logits) \
        else np.zeros(0, np.int64)
    stressed = sigmoid(stress_logits, classifier.stress_temperature) >= classifier.stress_threshold
    return sentiment, np.asarray(stressed, bool)


def label_metrics(examples: Sequence[Example], sentiment: Sequence[int],
                  stressed: Sequence[bool]) -> dict[str, float]:
    """Held-out metrics (fractions, sklearn): ``sentiment_macro_recall`` (mean recall over the
    sentiment classes among the labels) when any example has a sentiment label,
    ``stress_f1`` (stressed class) when any has stress labelled 1; with their counts."""
    out: dict[str, float] = {}
    s_rows = [i for i, e in enumerate(examples) if e.sentiment is not None]
    if s_rows:
        gold = [examples[i].sentiment_index for i in s_rows]
        out["sentiment_macro_recall"] = float(recall_score(
            gold, [int(sentiment[i]) for i in s_rows], labels=sorted(set(gold)),
            average="macro", zero_division=0))
        out["n_sentiment"] = float(len(s_rows))
    b_rows = [i for i, e in enumerate(examples) if e.stress is not None]
    if b_rows and any(examples[i].stress for i in b_rows):
        out["stress_f1"] = float(f1_score([bool(examples[i].stress) for i in b_rows],
                                          [bool(stressed[i]) for i in b_rows], zero_division=0))
        out["n_stress"] = float(len(b_rows))
    return out


def regression_metrics(sets: Mapping[str, Sequence[Example]],
                       sentiment: Mapping[str, Sequence[int]],
                       stressed: Mapping[str, Sequence[bool]]) -> dict[str, float]:
    """Regression-set metrics (fractions, sklearn) per set, named as
    :mod:`training.evaluate` names them: ``<prefix>_sentiment_macro_recall`` (over all three
    classes, the TweetEval metric) and ``<prefix>_stress_f1``, with ``n_<prefix>``."""
    out: dict[str, float] = {}
    for name, rows in sets.items():
        prefix = PREFIX.get(name, name)
        if not rows:
            continue
        out[f"n_{prefix}"] = float(len(rows))
        if rows[0].sentiment is not None:
            out[f"{prefix}_sentiment_macro_recall"] = float(recall_score(
                [r.sentiment_index for r in rows], list(sentiment[name]),
                labels=list(range(len(SENTIMENT_LABELS))), average="macro", zero_division=0))
        if rows[0].stress is not None:
            out[f"{prefix}_stress_f1"] = float(f1_score(
                [bool(r.stress) for r in rows], list(stressed[name]), zero_division=0))
    return out


def champion_of(db: sqlite_utils.Database, bundled_dir: Path = BUNDLED_DIR) -> tuple[str | None, Path]:
    """(active version id or None, its directory): the registry's active version, else the
    bundled model."""
    current = registry.active(db)
    return (None, bundled_dir) if current is None else (current.version, Path(current.path))


def start_challenger(champion_dir: Path, *, device: str | None = None,
                     threads: int | None = None) -> Classifier:
    """The champion loaded again to train: fp32 weights (loaded on the CPU, then moved to
    ``device``; None: CUDA when available), so it starts exactly where the champion is."""
    classifier = Classifier.load(champion_dir, device="cpu", threads=threads)
    target = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if target.type != "cpu":
        classifier.model.to(target)
        classifier.device = target
    return classifier


def _parameter(key: str) -> str:
    """The encoder parameter a delta file key belongs to."""
    return key.removesuffix(".lora_A").removesuffix(".lora_B")


def _saved_delta(classifier: Classifier, champion_dir: Path,
                 rank: int | None) -> dict[str, torch.Tensor]:
    """The challenger's encoder delta (see the module docstring, step 4), after setting its
    trained parameters to exactly what is stored."""
    params = dict(classifier.model.encoder.named_parameters())
    trained = {name: p for name, p in params.items() if p.requires_grad}
    kept: dict[str, torch.Tensor] = {}
    if (champion_dir / DELTA_FILE).is_file():
        kept = {k: v for k, v in load_file(str(champion_dir / DELTA_FILE)).items()
                if _parameter(k) not in trained}
    if not trained:
        return kept
    base = load_file(str(verified_dir() / WEIGHTS))
    fresh = encode_delta(trained, base, rank)
    diffs = decode_delta(fresh)
    with torch.no_grad():
        for name, p in trained.items():
            value = base[name].to(torch.float32)
            if name in diffs:
                value = value + diffs[name]
            p.copy_(value.to(p.device, p.dtype))
    return {**kept, **fresh}


def _logits(classifier: Classifier, sets: Mapping[str, Sequence[Example]]
            ) -> tuple[dict[str, NDArray[np.float32]], dict[str, NDArray[np.float32]]]:
    sentiment: dict[str, NDArray[np.float32]] = {}
    stress: dict[str, NDArray[np.float32]] = {}
    for name, rows in sets.items():
        sentiment[name], stress[name] = classifier.logits([r.text for r in rows])
    return sentiment, stress


def _measure(classifier: Classifier, held_out: Sequence[Example],
             regression: Mapping[str, Sequence[Example]],
             cached: tuple[Mapping[str, NDArray[np.float32]], Mapping[str, NDArray[np.float32]]] | None = None,
             ) -> tuple[dict[str, float], dict[str, float]]:
    """(held-out metrics, regression metrics) at the classifier's calibration; ``cached``:
    its logits on ``regression`` when already computed."""
    s_logits, b_logits = classifier.logits([e.text for e in held_out])
    sentiment, stressed = _predict(classifier, s_logits, b_logits)
    held = label_metrics(held_out, list(sentiment), list(stressed))
    r_sent, r_stress = cached if cached is not None else _logits(classifier, regression)
    predictions = {name: _predict(classifier, r_sent[name], r_stress[name]) for name in regression}
    reg = regression_metrics(regression, {n: list(p[0]) for n, p in predictions.items()},
                             {n: list(p[1]) for n, p in predictions.items()})
    return held, reg


def _version_of(model_dir: Path) -> str:
    """A model directory's version id, from its config (the weights are checked when loaded)."""
    try:
        return str(json.loads((model_dir / CONFIG_FILE).read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{model_dir} is not a readable Teamweather model ({exc})") from None


def _new_version(db: sqlite_utils.Database, models_dir: Path, now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    version, n = f"retrain-{stamp}", 1
    while registry.get(db, version) is not None or (models_dir / version).exists():
        n += 1
        version = f"retrain-{stamp}-{n}"
    return version


def _limit(sets: dict[str, list[Example]], limit: int | None) -> dict[str, list[Example]]:
    return sets if limit is None else {k: v[:limit] for k, v in sets.items()}


# -- the round ----------------------------------------------------------------------------

def retrain(db: sqlite_utils.Database, *, models_dir: Path, data_dir: Path | None = DEFAULT_DATA,
            regression_dir: Path | None = None, settings: RetrainSettings = RetrainSettings(),
            gate: GateSettings = GateSettings(), now: float | None = None,
            progress: Progress | None = None, version: str | None = None,
            bundled_dir: Path = BUNDLED_DIR, command: str = "") -> RetrainReport:
    """Run one retraining round (see the module docstring) and return its report.

    ``db``: an open connection (not inside a transaction); ``models_dir``: where the
    challenger's directory is created; ``data_dir``: the bootstrap data (replay, calibration,
    default regression set), None for none; ``regression_dir``: a directory of the same
    layout whose val splits are the regression set (default ``data_dir``); ``version``: the
    challenger's id (default ``retrain-<UTC time>``). Raises ``training.data.DataError`` for a
    malformed data file and ``domain.errors.ModelError`` for a damaged champion."""
    clock = time.perf_counter()
    started = time.time() if now is None else now
    _, champion_dir = champion_of(db, bundled_dir)
    flags = review.labelled_flags(db)
    kappas = agreement(db)
    train_flags, held_flags = split_labels(flags, settings)
    counts = LabelCounts(
        train=len(train_flags), held_out=len(held_flags),
        train_tasks={t: sum(getattr(f, t) is not None for f in train_flags) for t in TASKS},
        held_out_tasks={t: sum(getattr(f, t) is not None for f in held_flags) for t in TASKS},
        train_sources=dict(Counter(f.source for f in train_flags)),
        held_out_sources=dict(Counter(f.source for f in held_flags)))
    champion_version = _version_of(champion_dir)
    report = RetrainReport(started, "skipped", "", champion_version, str(champion_dir),
                           labels=counts, agreement=kappas, settings={
                               **settings.to_dict(), **{f"gate_{k}": v for k, v in gate.to_dict().items()}})
    if len(flags) < settings.min_labels:
        report.reason = (f"{len(flags)} labelled flags, fewer than the {settings.min_labels} a "
                         "round needs")
        report.timings["total"] = time.perf_counter() - clock
        return report

    def emit(stage: str, step: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(ProgressEvent(stage, step, total, None, time.perf_counter() - clock))

    if version is not None and registry.get(db, version) is not None:
        raise registry.RegistryError(f"model version {version} is already registered; give the "
                                     "challenger another version id")

    # data: labels, replay, calibration and regression sets
    held_out = [_example(f) for f in held_flags]
    labelled = [_example(f) for f in train_flags]
    calibration: dict[str, list[Example]] = {}
    replay: dict[str, list[Example]] = {}
    if data_dir is not None:
        exclude = frozenset(f.text for f in flags)
        if settings.replay_examples:
            replay = replay_sample(load_split(data_dir, "train"), settings.replay_examples,
                                   settings.seed, exclude)
        calibration = _limit(load_split(data_dir, "val"), settings.limit_val_examples)
    same_sets = regression_dir is None or (
        data_dir is not None and Path(regression_dir).resolve() == Path(data_dir).resolve())
    regression = calibration if same_sets else _limit(
        load_split(Path(regression_dir or "."), "val"), settings.limit_val_examples)
    if not calibration:
        calibration = regression
    report.replay = {name: len(rows) for name, rows in replay.items()}

    # the champion, measured
    emit("evaluate_champion")
    phase = time.perf_counter()
    champion = Classifier.load(champion_dir, device=settings.device, threads=settings.threads)
    champion.batch_size = settings.eval_batch_size
    report.held_out_before, report.regression_before = _measure(champion, held_out, regression)
    report.timings["evaluate_champion"] = time.perf_counter() - phase
    max_tokens = champion.max_tokens
    del champion

    # the challenger, trained
    phase = time.perf_counter()
    challenger_version = version or _new_version(db, models_dir, started)
    out_dir = models_dir / challenger_version
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} already holds files; model versions are never overwritten")
    train_settings = settings.train_settings(max_tokens, challenger_version)
    torch.manual_seed(settings.seed)
    challenger = start_challenger(champion_dir, device=settings.device, threads=settings.threads)
    challenger.version = challenger_version
    challenger.batch_size = settings.eval_batch_size
    examples = [e for e in labelled for _ in range(settings.label_repeat)]
    examples += [e for rows in replay.values() for e in rows]
    fitted = fit(challenger, examples, train_settings, progress=progress, started=clock)
    delta = _saved_delta(challenger, champion_dir, settings.delta_rank)
    if challenger.device.type == "cuda":  # measured as it will serve (Classifier: fp16 on CUDA)
        encoder: torch.nn.Module = challenger.model.encoder
        encoder.half()
    report.steps = fitted.steps
    report.timings["train"] = time.perf_counter() - phase

    # the challenger, calibrated and measured
    emit("calibrate", fitted.steps, fitted.steps)
    phase = time.perf_counter()
    val_metrics: dict[str, float] = {}
    cached = None
    if calibration:
        c_sent, c_stress = _logits(challenger, calibration)
        t_sent, t_stress, threshold, val_metrics = calibrate_logits(calibration, c_sent, c_stress)
        challenger.sentiment_temperature = t_sent
        challenger.stress_temperature = t_stress
        challenger.stress_threshold = threshold
        if calibration is regression:
            cached = (c_sent, c_stress)
    emit("evaluate_challenger", fitted.steps, fitted.steps)
    report.held_out_after, report.regression_after = _measure(challenger, held_out, regression, cached)
    report.timings["evaluate_challenger"] = time.perf_counter() - phase

    result = decide(gate, report.held_out_before, report.held_out_after,
                    report.regression_before, report.regression_after)
    report.gate = result
    report.decision = result.decision
    report.reason = result.reason
    report.challenger = challenger_version
    report.challenger_path = str(out_dir.resolve())

    # saved and recorded
    emit("save", fitted.steps, fitted.steps)
    phase = time.perf_counter()
    recorded = {
        "decision": result.decision,
        "reason": result.reason,
        "champion": champion_version,
        "gate": result.to_dict(),
        "held_out": {"champion": report.held_out_before, "challenger": report.held_out_after,
                     "score_champion": result.champion_score,
                     "score_challenger": result.challenger_score},
        "regression": {"champion": report.regression_before,
                       "challenger": report.regression_after},
        "labels": asdict(counts),
    }
    registry_metrics: dict[str, Any] = {**val_metrics, **_plain(recorded)}
    card_metrics: dict[str, Any] = {  # flat, for the card's table; the registry has the rest
        **val_metrics, "decision": result.decision, "champion": champion_version,
        "held_out_score": result.challenger_score, "held_out_score_champion": result.champion_score}
    card = ModelCard(
        data_sources=(*DATA_SOURCES, "Reviewer labels: pseudonymised messages labelled by this "
                      "deployment's HR reviewers (and any imported labelled examples), "
                      f"{counts.train} used for training, {counts.held_out} held out."),
        training={"method": f"retrained from {champion_version} (training/retrain.py)",
                  "train_steps": fitted.steps, "replay": report.replay,
                  **settings.to_dict(), "delta": "untrained encoder parameters keep the "
                  f"champion's stored deltas; trained ones at rank {settings.delta_rank}"},
        metrics=card_metrics, command=command,
        notes="Round report:\n\n" + report.as_text())
    challenger.metrics = dict(card_metrics)
    config = ModelConfig(challenger_version, challenger.max_tokens, challenger.sentiment_temperature,
                         challenger.stress_temperature, challenger.stress_threshold,
                         metrics=card_metrics)
    models_dir.mkdir(parents=True, exist_ok=True)
    write_model_dir(out_dir, config, challenger.model.heads_state(), delta, card)
    when = time.time() if now is None else now
    with db.conn:
        entry = registry.register(db, challenger_version, str(out_dir.resolve()), TASKS,
                                  registry_metrics, when)
        audit.record(db, "model_registered", actor=ACTOR, subject=entry.version,
                     detail={"path": entry.path, "decision": result.decision,
                             "champion": champion_version}, at=when)
        if result.passed:
            previous = registry.active(db)
            registry.promote(db, entry.version, when)
            audit.record(db, "model_promoted", actor=ACTOR, subject=entry.version,
                         detail={"previous": previous.version if previous else None}, at=when)
    report.timings["save"] = time.perf_counter() - phase
    report.timings["total"] = time.perf_counter() - clock
    return report

