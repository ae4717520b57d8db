"""Validation figures of the lexicon baseline (``analyzers.lexicon.LexiconAnalyzer``).

Usage::

    python benchmarks/lexicon_val.py [--data ../shared/data] [--repeat 3] [--json out.json]

Reads only the ``val`` splits of the bootstrap data (see ``<data>/README.md``):

* ``sentiment/val.tsv`` (TweetEval sentiment validation; columns ``label``, ``text``; CSV-quoted):
  macro-averaged recall over negative / neutral / positive, the task's official metric.
* ``stress/val.csv`` (Dreaddit; columns include ``text``, ``label``): F1 of the stressed class,
  predicting "stressed" when the stress probability is >= 0.5.
* ``workplace/val.tsv`` (synthetic work chat; columns ``sentiment``, ``stress``, ``sector``,
  ``text``; raw, unquoted TSV): both metrics.

The splits are read and checked by :func:`training.data.load_dataset` (which strips
surrounding whitespace from each text; a malformed row stops the script with the file and
line); macro recall and precision / recall / F1 are those of :mod:`training.metrics`.

Throughput is messages per second of one ``analyze()`` call over each whole split, on one
core, best of ``--repeat`` runs. For context the table also shows plain VADER 3.3.2 (raw text,
the usual +-0.05 rule) and the all-stressed baseline for F1. The figures and the command are
recorded in ``docs/lexicon-baseline.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from analyzers.analyzer import SENTIMENT_LABELS, Analysis  # noqa: E402
from analyzers.lexicon import LexiconAnalyzer  # noqa: E402
from training.data import DataError, Example, load_dataset  # noqa: E402
from training.metrics import f1_positive, macro_recall, precision_recall_f1  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Row:
    """Figures for one data set; ``None`` where the set has no such label."""

    dataset: str
    n: int
    sentiment_macro_recall: float | None
    stress_f1: float | None
    stress_precision: float | None
    stress_recall: float | None
    messages_per_s: float
    plain_vader_macro_recall: float | None
    all_stressed_f1: float | None


def sentiment_indices(labels: Sequence[str]) -> list[int]:
    """Positions of sentiment labels in ``SENTIMENT_LABELS``, as :func:`macro_recall` wants."""
    return [SENTIMENT_LABELS.index(label) for label in labels]


def stress_gold(examples: Sequence[Example]) -> list[bool]:
    """The stress labels of examples whose task includes stress."""
    return [ex.stress is True for ex in examples]


def plain_vader_labels(texts: Sequence[str]) -> list[str]:
    """VADER 3.3.2 as shipped, on the raw text, with its conventional 3-way rule."""
    vader = SentimentIntensityAnalyzer()
    labels = []
    for text in texts:
        c = vader.polarity_scores(text)["compound"]
        labels.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return labels


def timed_analyze(
    analyzer: LexiconAnalyzer, texts: list[str], repeat: int
) -> tuple[list[Analysis], float]:
    """Results of one batch and the best messages-per-second over ``repeat`` runs."""
    best = float("inf")
    results: list[Analysis] = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        results = analyzer.analyze(texts)
        best = min(best, time.perf_counter() - start)
    return results, len(texts) / best


def evaluate(data: Path, repeat: int) -> list[Row]:
    """Compute the figures on the three val splits under ``data``."""
    analyzer = LexiconAnalyzer()
    rows: list[Row] = []
    n_classes = len(SENTIMENT_LABELS)

    examples = load_dataset(data, "sentiment", "val")
    texts, gold = [ex.text for ex in examples], [ex.sentiment_index for ex in examples]
    results, speed = timed_analyze(analyzer, texts, repeat)
    rows.append(Row(
        "sentiment/val (TweetEval)", len(texts),
        macro_recall(gold, sentiment_indices([r.sentiment for r in results]), n_classes),
        None, None, None, speed,
        macro_recall(gold, sentiment_indices(plain_vader_labels(texts)), n_classes), None,
    ))

    examples = load_dataset(data, "stress", "val")
    texts, stressed = [ex.text for ex in examples], stress_gold(examples)
    results, speed = timed_analyze(analyzer, texts, repeat)
    precision, recall, f1 = precision_recall_f1(stressed, [r.stress >= 0.5 for r in results])
    rows.append(Row(
        "stress/val (Dreaddit)", len(texts), None, f1, precision, recall, speed,
        None, f1_positive(stressed, [True] * len(texts)),
    ))

    examples = load_dataset(data, "workplace", "val")
    texts = [ex.text for ex in examples]
    gold, stressed = [ex.sentiment_index for ex in examples], stress_gold(examples)
    results, speed = timed_analyze(analyzer, texts, repeat)
    precision, recall, f1 = precision_recall_f1(stressed, [r.stress >= 0.5 for r in results])
    rows.append(Row(
        "workplace/val", len(texts),
        macro_recall(gold, sentiment_indices([r.sentiment for r in results]), n_classes),
        f1, precision, recall, speed,
        macro_recall(gold, sentiment_indices(plain_vader_labels(texts)), n_classes),
        f1_positive(stressed, [True] * len(texts)),
    ))
    return rows


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def render(rows: Sequence[Row], version: str) -> str:
    """A Markdown table of the figures (percentages, as in the brief's reference points)."""
    lines = [
        f"analyzer: lexicon {version}",
        "",
        "| val split | n | sentiment macro-recall | stress F1 (p>=0.5) | stress P / R "
        "| messages/s | plain VADER macro-recall | all-stressed F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pr = "—" if r.stress_f1 is None else f"{_pct(r.stress_precision)} / {_pct(r.stress_recall)}"
        lines.append(
            f"| {r.dataset} | {r.n} | {_pct(r.sentiment_macro_recall)} | {_pct(r.stress_f1)} "
            f"| {pr} | {r.messages_per_s:,.0f} | {_pct(r.plain_vader_macro_recall)} "
            f"| {_pct(r.all_stressed_f1)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, evaluate, print the table (and optionally write JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"bootstrap data folder (default: {DEFAULT_DATA})")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timing runs per split; the fastest counts (default: 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    try:
        rows = evaluate(args.data, args.repeat)
    except DataError as exc:
        raise SystemExit(str(exc)) from None
    print(render(rows, LexiconAnalyzer.version))
    if args.json is not None:
        payload = {"analyzer": "lexicon", "version": LexiconAnalyzer.version,
                   "rows": [asdict(r) for r in rows]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
