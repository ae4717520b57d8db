"""Multi-task fine-tuning of the sentiment and stress heads (and optionally encoder layers).

:func:`train` does, in order:

1. **Data**: the three ``train`` splits (:mod:`training.data`); each workplace example is
   repeated ``workplace_repeat`` times. All examples go into one shuffled stream, so batches
   mix tasks (with ``length_bucketing`` examples of similar token length are grouped within
   shuffled chunks of 50 batches and the batch order is shuffled again, which keeps long
   Reddit posts from padding short tweets).
2. **Model**: :meth:`Classifier.fresh` (the verified base encoder plus seeded heads); the
   parameters named by ``TrainSettings.encoder`` train, the rest are frozen (no gradient
   flows below the lowest trained layer). One encoder pass per batch feeds both heads.
3. **Loss**: class-weighted cross-entropy over the batch's examples with a sentiment label
   plus class-weighted binary cross-entropy over those with a stress label (each a weighted
   mean; a task absent from a batch adds 0). Weights are inverse class frequencies over the
   training stream (``n / (classes * count)``), or 1 with ``class_weighting=False``.
4. **Optimiser**: AdamW (heads at ``head_lr``, encoder at ``lr``; no decay on biases and
   LayerNorms), linear warm-up over ``warmup_ratio`` of the steps, then linear decay to 0.
5. **Compress** the encoder to what will be saved (:meth:`Classifier.compress`: fp16
   deltas, SVD-truncated at ``delta_rank``), so calibration and metrics measure the shipped
   weights, not the untruncated ones.
6. **Calibration on val** (one model serves every register, so the val sets are pooled per
   task, each set weighted equally): the sentiment temperature minimises the NLL on TweetEval
   val + workplace val (each example weighted 1 / its set's size); the stress temperature
   likewise on Dreaddit val + workplace val; the stress threshold then maximises the *mean* of
   the Dreaddit and workplace stress F1s on the calibrated probabilities.
7. **Metrics** per val set (:func:`training.evaluate.metrics_from_probs`) and **save** with
   :meth:`Classifier.save` and a model card (data sources and citations, settings, metrics,
   base sha256, the command).

Command line (records itself in the model card)::

    python -m training.train --data ../shared/data --out /tmp/model [--epochs 1 --encoder top-2 ...]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shlex
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, cast

import numpy as np
import torch
from numpy.typing import NDArray

from analyzers.base_model import BASE_NAME, BASE_SHA256
from analyzers.classifier import Classifier, ModelCard
from training.data import Example, load_split
from training.evaluate import metrics_from_probs, render_gates
from training.metrics import choose_threshold, fit_temperature, sigmoid, softmax
from training.settings import NUM_LAYERS, TrainSettings, field_help

__all__ = ["DATA_SOURCES", "FitResult", "ProgressEvent", "TrainReport", "calibrate_logits", "fit", "main",
           "train"]

DATA_SOURCES: tuple[str, ...] = (
    "Sentiment (tweets): SemEval-2017 Task 4 subtask A English data (Rosenthal, Farra and "
    "Nakov, 'SemEval-2017 Task 4: Sentiment Analysis in Twitter', SemEval 2017), "
    "de-duplicated, minus the validation tweets; validation on the TweetEval sentiment "
    "validation split (Barbieri, Camacho-Collados, Espinosa-Anke and Neves, 'TweetEval: "
    "Unified Benchmark and Comparative Evaluation for Tweet Classification', Findings of "
    "EMNLP 2020). Released for research; the tweets remain their authors'.",
    "Stress (Reddit): Dreaddit (Turcan and McKeown, 'Dreaddit: A Reddit Dataset for Stress "
    "Analysis in Social Media', LOUHI workshop at EMNLP 2019), its training split divided "
    "85/15 by post. Released for research; the posts remain their authors'.",
    "Workplace chat (both tasks): synthetic Slack/Teams-style messages written and labelled "
    "for the Teamweather project (no real person's messages; one annotator; labelling rules "
    "in the data's GUIDELINES.md). Part of the training text of these weights is synthetic.",
)

_DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class ProgressEvent:
    """What :func:`train` reports to its ``progress`` callback: ``stage`` is ``"train"``
    (after each optimiser step), ``"calibrate"`` or ``"save"``;
    :func:`training.retrain.retrain` adds ``"evaluate_champion"`` (first) and
    ``"evaluate_challenger"`` (after ``"calibrate"``)."""

    stage: str
    step: int
    total_steps: int
    loss: float | None
    elapsed_s: float


@dataclass
class TrainReport:
    """The outcome of :func:`train`."""

    out_dir: Path
    version: str
    steps: int
    examples_per_epoch: int
    train_seconds: float
    losses: list[float]
    metrics: dict[str, float]
    sentiment_temperature: float
    stress_temperature: float
    stress_threshold: float
    settings: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[ProgressEvent], None]


def _class_weights(examples: Sequence[Example], enabled: bool,
                   device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Sentiment weights [3] and stress weights [negative, positive] (inverse frequency)."""
    sentiment = np.array([e.sentiment_index for e in examples if e.sentiment is not None])
    stress = np.array([bool(e.stress) for e in examples if e.stress is not None])
    w_sent = np.ones(3)
    w_stress = np.ones(2)
    if enabled:
        if len(sentiment):
            counts = np.bincount(sentiment, minlength=3).astype(np.float64)
            w_sent = np.where(counts > 0, len(sentiment) / (3 * np.maximum(counts, 1)), 0.0)
        if len(stress):
            counts = np.bincount(stress.astype(np.int64), minlength=2).astype(np.float64)
            w_stress = np.where(counts > 0, len(stress) / (2 * np.maximum(counts, 1)), 0.0)
    return (torch.tensor(w_sent, dtype=torch.float32, device=device),
            torch.tensor(w_stress, dtype=torch.float32, device=device))


def _batches(lengths: Sequence[int], batch_size: int, bucketing: bool,
             rng: random.Random) -> list[list[int]]:
    """One epoch's batches of example indices (see the module docstring)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if bucketing:
        chunk = batch_size * 50
        order = [i for s in range(0, len(order), chunk)
                 for i in sorted(order[s:s + chunk], key=lambda j: lengths[j])]
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def _freeze(classifier: Classifier, settings: TrainSettings) -> None:
    """requires_grad on exactly the parameters that train."""
    encoder = classifier.model.encoder
    for p in encoder.parameters():
        p.requires_grad_(False)
    layers = settings.trainable_layers
    blocks = cast(torch.nn.ModuleList, getattr(encoder, "encoder").layer)
    for index in range(NUM_LAYERS - layers, NUM_LAYERS):
        for p in blocks[index].parameters():
            p.requires_grad_(True)
    if settings.trains_embeddings:
        for p in encoder.parameters():
            p.requires_grad_(True)


def _optimizer(classifier: Classifier, settings: TrainSettings) -> torch.optim.AdamW:
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, p in classifier.model.encoder.named_parameters():
        if p.requires_grad:
            (decay if p.ndim == 2 and "LayerNorm" not in name else no_decay).append(p)
    heads = classifier.model
    groups: list[dict[str, Any]] = [
        {"params": [heads.sentiment.weight, heads.stress.weight], "lr": settings.head_lr,
         "weight_decay": settings.weight_decay},
        {"params": [heads.sentiment.bias, heads.stress.bias], "lr": settings.head_lr,
         "weight_decay": 0.0},
    ]
    if decay:
        groups.append({"params": decay, "lr": settings.lr, "weight_decay": settings.weight_decay})
    if no_decay:
        groups.append({"params": no_decay, "lr": settings.lr, "weight_decay": 0.0})
    return torch.optim.AdamW(groups)


def _schedule(total: int, warmup_ratio: float) -> Callable[[int], float]:
    warmup = int(math.ceil(total * warmup_ratio))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def _pad(ids: Sequence[Sequence[int]], pad: int,
         device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(x) for x in ids)
    batch = np.full((len(ids), width), pad, np.int64)
    mask = np.zeros((len(ids), width), np.int64)
    for r, row in enumerate(ids):
        batch[r, :len(row)] = row
        mask[r, :len(row)] = 1
    return torch.from_numpy(batch).to(device), torch.from_numpy(mask).to(device)


def _calibrate(classifier: Classifier, val: dict[str, list[Example]]
               ) -> tuple[float, float, float, dict[str, float]]:
    """Fit temperatures and the stress threshold on val (see the module docstring) and return
    them with the val metrics."""
    sentiment_logits: dict[str, NDArray[np.float32]] = {}
    stress_logits: dict[str, NDArray[np.float32]] = {}
    for name, rows in val.items():
        sentiment_logits[name], stress_logits[name] = classifier.logits([r.text for r in rows])
    return calibrate_logits(val, sentiment_logits, stress_logits)


def calibrate_logits(val: Mapping[str, Sequence[Example]],
                     sentiment_logits: Mapping[str, NDArray[np.float32]],
                     stress_logits: Mapping[str, NDArray[np.float32]]
                     ) -> tuple[float, float, float, dict[str, float]]:
    """Step 6 of the module docstring from a model's raw logits on the val sets: the
    sentiment temperature, the stress temperature, the stress threshold and the val metrics
    (:func:`training.evaluate.metrics_from_probs`)."""
    def pooled(task: str) -> tuple[list[str], NDArray[np.float64]]:
        names = [n for n, rows in val.items() if rows and getattr(rows[0], task) is not None]
        weights = np.concatenate([np.full(len(val[n]), 1.0 / len(val[n])) for n in names]
                                 ) if names else np.zeros(0)
        return names, weights

    s_names, s_weights = pooled("sentiment")
    t_sent = fit_temperature(
        np.concatenate([sentiment_logits[n] for n in s_names]) if s_names else np.zeros((0, 3)),
        np.concatenate([[r.sentiment_index for r in val[n]] for n in s_names]
                       ) if s_names else np.zeros(0, np.int64),
        s_weights if s_names else None)
    b_names, b_weights = pooled("stress")
    stress_gold = [np.array([bool(r.stress) for r in val[n]]) for n in b_names]
    t_stress = fit_temperature(
        np.concatenate([stress_logits[n] for n in b_names]) if b_names else np.zeros(0),
        np.concatenate(stress_gold) if b_names else np.zeros(0),
        b_weights if b_names else None)
    stress_probs = {n: sigmoid(stress_logits[n], t_stress) for n in val}
    threshold = choose_threshold(
        np.concatenate([stress_probs[n] for n in b_names]) if b_names else np.zeros(0),
        np.concatenate(stress_gold) if b_names else np.zeros(0, bool),
        np.concatenate([np.full(len(val[n]), i) for i, n in enumerate(b_names)]
                       ) if b_names else None)
    sentiment_probs = {n: softmax(sentiment_logits[n], t_sent) for n in val}
    metrics = metrics_from_probs(val, sentiment_probs, stress_probs, threshold)
    return t_sent, t_stress, threshold, metrics


@dataclass
class FitResult:
    """What :func:`fit` did: optimiser steps taken and the loss after each."""

    steps: int
    losses: list[float]


def fit(classifier: Classifier, examples: Sequence[Example], settings: TrainSettings, *,
        progress: Progress | None = None, started: float | None = None) -> FitResult:
    """The optimisation loop (steps 2-4 of the module docstring) on ``classifier`` as it is:
    fresh heads on the base for :func:`train`, a loaded champion for
    :func:`training.retrain.retrain`. Trains in fp32 on ``classifier.device``; the parameters
    named by ``settings.encoder`` train (``requires_grad`` stays set on exactly those
    afterwards) and the model is left in eval mode. Batches are shuffled with a
    ``random.Random(settings.seed)``; torch's generator (dropout) is the caller's to seed.
    ``started`` (a ``time.perf_counter()`` value) is where the progress events' elapsed
    time counts from."""
    if not examples:
        raise ValueError("no training examples")
    started = time.perf_counter() if started is None else started
    rng = random.Random(settings.seed)
    device = classifier.device
    model = classifier.model
    model.float()
    _freeze(classifier, settings)
    optimizer = _optimizer(classifier, settings)

    ids: list[list[int]] = classifier.tokenizer(
        [e.text for e in examples], truncation=True,
        max_length=settings.max_tokens, return_attention_mask=False,
        return_token_type_ids=False)["input_ids"]
    lengths = [len(x) for x in ids]
    pad = int(classifier.tokenizer.pad_token_id or 0)
    sentiment_targets = torch.tensor([e.sentiment_index for e in examples], dtype=torch.long)
    stress_targets = torch.tensor([-1.0 if e.stress is None else float(e.stress)
                                   for e in examples])
    w_sent, w_stress = _class_weights(examples, settings.class_weighting, device)

    per_epoch = math.ceil(len(examples) / settings.batch_size)
    planned = max(1, int(math.ceil(per_epoch * settings.epochs)))
    total = min(planned, settings.max_steps) if settings.max_steps else planned
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer,
                                                  _schedule(total, settings.warmup_ratio))
    losses: list[float] = []
    model.train()
    step = 0
    while step < total:
        for batch in _batches(lengths, settings.batch_size, settings.length_bucketing, rng):
            if step >= total:
                break
            input_ids, mask = _pad([ids[i] for i in batch], pad, device)
            index = torch.tensor(batch)
            s_gold = sentiment_targets[index].to(device)
            b_gold = stress_targets[index].to(device)
            s_logits, b_logits = model(input_ids, mask)
            loss = torch.zeros((), device=device)
            has_s = s_gold >= 0
            if bool(has_s.any()):
                loss = loss + torch.nn.functional.cross_entropy(
                    s_logits[has_s], s_gold[has_s], weight=w_sent)
            has_b = b_gold >= 0
            if bool(has_b.any()):
                target = b_gold[has_b]
                weights = w_stress[target.long()]
                per_example = torch.nn.functional.binary_cross_entropy_with_logits(
                    b_logits[has_b], target, reduction="none")
                loss = loss + (per_example * weights).sum() / weights.sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            scheduler.step()
            step += 1
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(ProgressEvent("train", step, total, losses[-1],
                                       time.perf_counter() - started))
    model.eval()
    return FitResult(step, losses)


def train(settings: TrainSettings, data_dir: Path, out_dir: Path, *,
          progress: Progress | None = None, command: str | None = None) -> TrainReport:
    """Fine-tune on ``data_dir``'s train splits, calibrate on its val splits and save the
    model version to ``out_dir`` (which must not exist or be empty); see the module
    docstring for the method. ``command`` is recorded in the model card (default: this
    process's command line)."""
    started = time.perf_counter()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} already holds files; choose a new output directory")
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)

    train_sets = load_split(data_dir, "train")
    val_sets = load_split(data_dir, "val")
    if settings.limit_examples is not None:
        train_sets = {k: v[:settings.limit_examples] for k, v in train_sets.items()}
        val_sets = {k: v[:settings.limit_examples] for k, v in val_sets.items()}
    examples: list[Example] = [
        e for name, rows in train_sets.items()
        for e in (rows * settings.workplace_repeat if name == "workplace" else rows)]
    if not examples:
        raise ValueError(f"no training examples under {data_dir}")

    version = settings.version or out_dir.name
    classifier = Classifier.fresh(version, seed=settings.seed, max_tokens=settings.max_tokens,
                                  device=settings.device, threads=settings.threads)
    classifier.batch_size = settings.eval_batch_size
    fitted = fit(classifier, examples, settings, progress=progress, started=started)
    step, total, losses = fitted.steps, fitted.steps, fitted.losses
    train_seconds = time.perf_counter() - started
    classifier.compress(settings.delta_rank)

    if progress is not None:
        progress(ProgressEvent("calibrate", step, total, None, time.perf_counter() - started))
    t_sent, t_stress, threshold, metrics = _calibrate(classifier, val_sets)
    classifier.sentiment_temperature = t_sent
    classifier.stress_temperature = t_stress
    classifier.stress_threshold = threshold

    settings_dict = settings.to_dict()
    training_info: dict[str, Any] = {
        "base": f"{BASE_NAME} (model.safetensors sha256 {BASE_SHA256})",
        **{k: v for k, v in settings_dict.items()},
        "train_examples": {k: len(v) for k, v in train_sets.items()},
        "examples_per_epoch": len(examples),
        "steps": step,
        "train_seconds": round(train_seconds, 1),
        "final_loss_mean_last_50": round(float(np.mean(losses[-50:])), 4),
        "calibration": "temperatures by weighted NLL on pooled val sets per task (each set "
                       "weighted equally); stress threshold maximises the mean of the Dreaddit "
                       "and workplace val F1s",
    }
    notes = ("Validation metrics are on the val splits used for calibration and for choosing "
             "settings, so they are optimistic estimates; the test splits are held out.\n\n"
             "Quality gates ([classifiers] issue):\n\n" + render_gates(metrics))
    card = ModelCard(
        data_sources=DATA_SOURCES,
        training=training_info,
        metrics=metrics,
        command=command if command is not None else shlex.join(sys.argv),
        notes=notes,
    )
    if progress is not None:
        progress(ProgressEvent("save", step, total, None, time.perf_counter() - started))
    classifier.save(out_dir, card=card, delta_rank=settings.delta_rank)
    return TrainReport(out_dir=out_dir, version=version, steps=step,
                       examples_per_epoch=len(examples), train_seconds=train_seconds,
                       losses=losses, metrics=metrics, sentiment_temperature=t_sent,
                       stress_temperature=t_stress, stress_threshold=threshold,
                       settings=settings_dict)


def _flag(value: str) -> bool:
    """An on/off option's value."""
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, not {value!r}")


def _parser(prog: str = "python -m training.train") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Fine-tune the Teamweather classifiers (sentiment and stress heads, "
        "optionally top encoder layers), calibrate on the val splits and save a model directory "
        "for 'teamweather models register'.")
    parser.add_argument("--data", type=Path, default=_DEFAULT_DATA, metavar="DIR",
                        help="bootstrap data folder holding sentiment/, stress/ and workplace/ "
                             f"(default: {_DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the new model directory (must not exist, or be empty)")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write a JSON report of the run to FILE")
    defaults = TrainSettings()
    texts = field_help()
    for f in fields(TrainSettings):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        text = (texts.get(f.name, "") + f" (default: {default})").strip().replace("%", "%%")
        if isinstance(default, bool):
            parser.add_argument(flag, type=_flag, default=default, metavar="{true,false}",
                                help=text)
        elif f.name in ("epochs", "lr", "head_lr", "warmup_ratio", "weight_decay"):
            parser.add_argument(flag, type=float, default=default, metavar="X", help=text)
        elif f.name in ("device", "encoder", "version"):
            parser.add_argument(flag, type=str, default=default, metavar="NAME", help=text)
        else:
            parser.add_argument(flag, type=int, default=default, metavar="N", help=text)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "python -m training.train") -> int:
    """Command-line entry: train, print progress to stderr and the metrics to stdout."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    values = vars(args)
    try:
        settings = TrainSettings.from_dict(
            {f.name: values[f.name] for f in fields(TrainSettings)})
    except ValueError as exc:
        parser.error(str(exc))
    command = shlex.join([*prog.split(), *(sys.argv[1:] if argv is None else argv)])

    def show(event: ProgressEvent) -> None:
        if event.stage != "train" or event.step % 25 == 0 or event.step == event.total_steps:
            loss = "" if event.loss is None else f" loss {event.loss:.4f}"
            print(f"[{event.elapsed_s:7.1f}s] {event.stage} step {event.step}/"
                  f"{event.total_steps}{loss}", file=sys.stderr, flush=True)

    report = train(settings, args.data, args.out, progress=show, command=command)
    print(render_gates(report.metrics))
    print(json.dumps(report.metrics, indent=2))
    if args.report is not None:
        payload = {k: (str(v) if isinstance(v, Path) else v)
                   for k, v in report.__dict__.items()}
        args.report.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
