"""Throughput of ``Classifier.analyze`` against scoring one message at a time, side by side.

Usage::

    python benchmarks/classifier_throughput.py [--n 2000] [--pipeline-n 300] [--threads N]
        [--device cpu|cuda] [--batch-size 64] [--model DIR]

On ``--n`` generated short chat messages (seeded) it measures, in one process with the same
weights (``--model``, default the bundled model ``analyzers/bundled_model``):

* ``batched``: ``Classifier.analyze`` (length-sorted, dynamically padded batches).
* ``per-message loop``: tokenise one message, run the same model, softmax and sigmoid, for
  each message in turn (what a hand-written loop does; the stricter baseline).
* ``pipeline``: a transformers ``text-classification`` pipeline called once per message, on
  a BertForSequenceClassification carrying the same encoder weights and sentiment head, over
  the first ``--pipeline-n`` messages (0 to skip).

It prints messages/s of each, the ratios, the process's peak resident memory after loading
the model and scoring with ``analyze`` (before the two baselines, which build their own
copies), and the fraction of the machine's measured fp32 matmul throughput the batched
encoder achieves (encoder FLOPs counted on the padded batches:
24 h^2 per token per layer for the linear layers plus 4 h L for attention).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import torch  # noqa: E402

from analyzers.bundled import BUNDLED_DIR  # noqa: E402
from analyzers.classifier import Classifier  # noqa: E402

OPENERS = ["", "hey team, ", "fyi ", "ugh, ", "quick one: ", "thanks all! ", "honestly ", "lol "]
BODIES = [
    "the deploy went out fine", "staging is down again", "can someone review my PR",
    "I'm swamped with tickets this week", "great job on the release", "lunch at noon?",
    "the build is broken on main", "who is on call tonight", "meeting moved to 3pm",
    "I haven't slept properly since the migration started", "nice catch on that bug",
    "customer escalation incoming, need help", "docs are updated", "killed the flaky test",
    "running late, start without me", "this sprint is way too much",
]
CLOSERS = ["", " :tada:", " :(", " & thanks", "!", " asap", " :+1:", " again..."]


def messages(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct short chat messages (distinct, so no cache could help)."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        body = " and ".join(rng.sample(BODIES, rng.choice([1, 1, 2, 2, 3])))
        out[rng.choice(OPENERS) + body + rng.choice(CLOSERS)] = None
    return list(out)


def matmul_gflops(threads_note: str) -> float:
    """Best fp32 GFLOP/s of a 1024^3 matmul on this machine (CPU)."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    best = float("inf")
    for _ in range(10):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    print(f"matmul peak ({threads_note}): {2 * 1024**3 / best / 1e9:.1f} GFLOP/s")
    return 2 * 1024**3 / best / 1e9


def encoder_flops(clf: Classifier, texts: list[str]) -> float:
    """FLOPs of the encoder over the padded batches ``analyze`` builds."""
    cfg = clf.model.encoder.config
    h, layers = int(cfg.hidden_size), int(cfg.num_hidden_layers)
    ids = clf.tokenizer(texts, truncation=True, max_length=clf.max_tokens)["input_ids"]
    lengths = sorted(len(x) for x in ids)
    total = 0.0
    for start in range(0, len(lengths), clf.batch_size):
        chunk = lengths[start:start + clf.batch_size]
        width = chunk[-1]
        total += len(chunk) * width * layers * (24 * h * h + 4 * h * width)
    return total


def per_message(clf: Classifier, texts: list[str]) -> None:
    """Tokenise and run one message at a time through the same model."""
    with torch.inference_mode():
        for text in texts:
            enc = clf.tokenizer(text, truncation=True, max_length=clf.max_tokens, return_tensors="pt")
            s, t = clf.model(enc["input_ids"].to(clf.device), enc["attention_mask"].to(clf.device))
            s.softmax(-1).tolist()
            t.sigmoid().tolist()


def pipeline_loop(clf: Classifier, texts: list[str]) -> None:
    """A transformers text-classification pipeline, once per message, same weights."""
    from transformers import BertForSequenceClassification, pipeline

    cfg = clf.model.encoder.config
    cfg.num_labels = 3
    model = BertForSequenceClassification(cfg).eval()
    model.bert.load_state_dict(clf.model.encoder.state_dict(), strict=False)
    model.classifier.load_state_dict(clf.model.sentiment.state_dict())
    pipe = pipeline("text-classification", model=model, tokenizer=clf.tokenizer,
                    device=clf.device)
    for text in texts:
        pipe(text, truncation=True, max_length=clf.max_tokens)


def timed(label: str, n: int, fn: object) -> float:
    assert callable(fn)
    t = time.perf_counter()
    fn()
    rate = n / (time.perf_counter() - t)
    print(f"{label:>18}: {n:6d} messages, {rate:9.1f} messages/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--pipeline-n", type=int, default=300)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default=None)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", type=Path, default=BUNDLED_DIR)
    args = parser.parse_args()

    clf = Classifier.load(args.model, device=args.device, threads=args.threads)
    clf.batch_size = args.batch_size
    texts = messages(args.n)
    print(f"device {clf.device}, torch threads {torch.get_num_threads()}, batch {clf.batch_size}")
    clf.analyze(texts[:64])  # warm-up
    per_message(clf, texts[:16])

    batched = timed("batched", len(texts), lambda: clf.analyze(texts))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"model {clf.version}; peak resident memory after loading and scoring: "
          f"{peak_rss_mb:.0f} MB")
    looped = timed("per-message loop", len(texts), lambda: per_message(clf, texts))
    print(f"ratio batched / per-message loop: {batched / looped:.1f}x")
    if args.pipeline_n:
        sub = texts[: args.pipeline_n]
        piped = timed("pipeline", len(sub), lambda: pipeline_loop(clf, sub))
        print(f"ratio batched / pipeline: {batched / piped:.1f}x")
    if clf.device.type == "cpu":
        peak = matmul_gflops(f"{torch.get_num_threads()} threads")
        achieved = encoder_flops(clf, texts) * batched / len(texts) / 1e9
        print(f"batched encoder: {achieved:.1f} GFLOP/s = {achieved / peak:.0%} of matmul peak")


if __name__ == "__main__":
    main()
