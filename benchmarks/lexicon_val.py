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

Throughput is messages per second of one ``analyze()`` call over each whole split, on one
core, best of ``--repeat`` runs. For context the table also shows plain VADER 3.3.2 (raw text,
the usual +-0.05 rule) and the all-stressed baseline for F1. The figures and the command are
recorded in ``docs/lexicon-baseline.md``.
"""

from __future__ import annotations

import argparse
import csv
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


def macro_recall(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean over the three sentiment classes of the share of that class predicted correctly."""
    recalls = []
    for label in SENTIMENT_LABELS:
        total = sum(1 for g in gold if g == label)
        hits = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        recalls.append(hits / total if total else 0.0)
    return sum(recalls) / len(recalls)


def precision_recall_f1(
    gold: Sequence[bool], predicted: Sequence[bool]
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive (stressed) class."""
    tp = sum(1 for g, p in zip(gold, predicted) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted) if not g and p)
    fn = sum(1 for g, p in zip(gold, predicted) if g and not p)
    if not tp:
        return 0.0, 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def f1_positive(gold: Sequence[bool], predicted: Sequence[bool]) -> float:
    """F1 of the positive (stressed) class."""
    return precision_recall_f1(gold, predicted)[2]


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


def _read_tsv(path: Path, quoted: bool) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        quoting = csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE
        return list(csv.DictReader(f, delimiter="\t", quoting=quoting))


def _check_labels(rows: list[dict[str, str]], column: str, allowed: set[str], path: Path) -> None:
    bad = {row[column] for row in rows} - allowed
    if bad:
        raise SystemExit(f"{path}: unexpected {column} values {sorted(bad)}")


def evaluate(data: Path, repeat: int) -> list[Row]:
    """Compute the figures on the three val splits under ``data``."""
    analyzer = LexiconAnalyzer()
    rows: list[Row] = []

    path = data / "sentiment" / "val.tsv"
    records = _read_tsv(path, quoted=True)
    _check_labels(records, "label", set(SENTIMENT_LABELS), path)
    texts, gold = [r["text"] for r in records], [r["label"] for r in records]
    results, speed = timed_analyze(analyzer, texts, repeat)
    rows.append(Row(
        "sentiment/val (TweetEval)", len(texts),
        macro_recall(gold, [r.sentiment for r in results]), None, None, None, speed,
        macro_recall(gold, plain_vader_labels(texts)), None,
    ))

    path = data / "stress" / "val.csv"
    with path.open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    _check_labels(records, "label", {"0", "1"}, path)
    texts, stressed = [r["text"] for r in records], [r["label"] == "1" for r in records]
    results, speed = timed_analyze(analyzer, texts, repeat)
    precision, recall, f1 = precision_recall_f1(stressed, [r.stress >= 0.5 for r in results])
    rows.append(Row(
        "stress/val (Dreaddit)", len(texts), None, f1, precision, recall, speed,
        None, f1_positive(stressed, [True] * len(texts)),
    ))

    path = data / "workplace" / "val.tsv"
    records = _read_tsv(path, quoted=False)
    _check_labels(records, "sentiment", set(SENTIMENT_LABELS), path)
    _check_labels(records, "stress", {"0", "1"}, path)
    texts = [r["text"] for r in records]
    gold, stressed = [r["sentiment"] for r in records], [r["stress"] == "1" for r in records]
    results, speed = timed_analyze(analyzer, texts, repeat)
    precision, recall, f1 = precision_recall_f1(stressed, [r.stress >= 0.5 for r in results])
    rows.append(Row(
        "workplace/val", len(texts),
        macro_recall(gold, [r.sentiment for r in results]), f1, precision, recall, speed,
        macro_recall(gold, plain_vader_labels(texts)), f1_positive(stressed, [True] * len(texts)),
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

    rows = evaluate(args.data, args.repeat)
    print(render(rows, LexiconAnalyzer.version))
    if args.json is not None:
        payload = {"analyzer": "lexicon", "version": LexiconAnalyzer.version,
                   "rows": [asdict(r) for r in rows]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
