"""One retraining round on 500 simulated reviewer labels, timed per phase (issue [review]).

Usage::

    nice .venv/bin/python benchmarks/retrain.py [--data ../shared/data] [--labels 500]
        [--threads 2] [--json out.json] [--keep DIR]

The labels are workplace chat from ``<data>/workplace/train.tsv`` and ``train_more.tsv``, as
if HR reviewers had labelled them: ``--labels`` rows drawn with a fixed seed, stored as
flags in a fresh SQLite database and labelled one per minute by one of three reviewers
(every sixth flag by a second reviewer too, who disagrees on about one answer in ten, so the
round has an agreement figure). Then :func:`training.retrain.retrain` runs once with the
default :class:`~training.retrain.RetrainSettings` and :class:`~training.gate.GateSettings`
from the bundled model (the champion), on this machine's CPU unless CUDA is present. It
prints the wall time of each phase (train, evaluate champion, evaluate challenger, save),
the decision and the round's report.

Note: a champion trained on ``train.tsv`` (the bundled model's card lists its data) has seen the
held-out labels that come from that file, which favours it over the challenger.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from storage import connect, review  # noqa: E402
from training.data import load_workplace  # noqa: E402
from training.gate import GateSettings  # noqa: E402
from training.retrain import DEFAULT_DATA, RetrainSettings, retrain  # noqa: E402
from training.train import ProgressEvent  # noqa: E402

START = 1_780_000_000.0  # the first label's time (2026-05-28); one label a minute after it
REVIEWERS = ("reviewer-a", "reviewer-b", "reviewer-c")


def simulate_labels(db_path: Path, data: Path, n: int, seed: int = 0) -> int:
    """Store ``n`` workplace examples as labelled flags; returns how many were double-labelled."""
    rows = load_workplace(data / "workplace" / "train.tsv") + load_workplace(
        data / "workplace" / "train_more.tsv")
    rng = random.Random(seed)
    chosen = rng.sample(rows, n)
    db = connect(db_path)
    doubles = 0
    try:
        with db.conn:
            for i, example in enumerate(chosen):
                at = START + 60 * i
                flag_id = review.add(
                    db, message_key=f"bench-{i}", workspace="TBENCH", author=f"author-{i % 40}",
                    day="2026-05-28", text=example.text, policy="uncertain", policy_detail={},
                    sentiment="neutral", probs=(0.3, 0.4, 0.3), stress=0.5,
                    model_version="bench", now=at, ttl_s=14 * 86400)
                assert flag_id is not None
                first = REVIEWERS[i % 3]
                review.label(db, flag_id, first, now=at, keep_until=at + 365 * 86400,
                             sentiment=example.sentiment, stress=example.stress)
                if i % 6 == 0:
                    doubles += 1
                    sentiment, stress = example.sentiment, example.stress
                    if rng.random() < 0.1:
                        sentiment = rng.choice([s for s in ("negative", "neutral", "positive")
                                                if s != sentiment])
                    if rng.random() < 0.1:
                        stress = not stress
                    review.label(db, flag_id, REVIEWERS[(i + 1) % 3], now=at + 1,
                                 keep_until=at + 365 * 86400, sentiment=sentiment, stress=stress)
    finally:
        db.close()
    return doubles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tw-retrain-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db_path = work / "bench.db"
        phase = time.perf_counter()
        doubles = simulate_labels(db_path, args.data, args.labels)
        print(f"stored {args.labels} labelled flags ({doubles} double-labelled) in "
              f"{time.perf_counter() - phase:.1f} s", file=sys.stderr)
        settings = RetrainSettings(threads=args.threads)
        last = [0.0]

        def show(event: ProgressEvent) -> None:
            if event.stage != "train" or event.step % 25 == 0 or event.step == event.total_steps:
                loss = "" if event.loss is None else f" loss {event.loss:.4f}"
                print(f"[{event.elapsed_s:6.1f}s] {event.stage} {event.step}/{event.total_steps}{loss}",
                      file=sys.stderr, flush=True)
            last[0] = event.elapsed_s

        db = connect(db_path)
        try:
            report = retrain(db, models_dir=work / "models", data_dir=args.data,
                             settings=settings, gate=GateSettings(), now=START + 60 * args.labels + 3600,
                             progress=show, command="benchmarks/retrain.py")
        finally:
            db.close()
    print("| phase | seconds |")
    print("|---|---:|")
    for name, seconds in report.timings.items():
        print(f"| {name.replace('_', ' ')} | {seconds:.1f} |")
    print()
    print(f"decision: {report.decision} ({report.reason})")
    print()
    print(report.as_text())
    if args.json is not None:
        args.json.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
