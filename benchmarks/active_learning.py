"""Does the review loop learn? Uncertainty sampling against random labels, simulated on the
workplace data with the encoder frozen (issue [review]).

    nice .venv/bin/python benchmarks/active_learning.py [--data ../shared/data] [--seeds 5]
        [--budgets 50,100,200,400] [--cache DIR] [--round-size 25] [--mix-share 0.2]
        [--weight 10] [--threads 2] [--no-shipped]

Reviewers are simulated by revealing the labels of examples a strategy chooses from a pool.

* **Encoder frozen.** A full fine-tuning run takes about 45 minutes on the 2-core CPU, so every
  text is embedded once with the untouched base all-MiniLM-L6-v2 (mean pooling over the
  attention mask, at most 128 tokens, as :class:`analyzers.classifier.MultiTaskModel` pools;
  texts as :mod:`training.data` loads them, emoji as codes). The embeddings are cached in
  ``--cache`` (default: a folder in the system temp dir, never the repository), one ``.npy``
  per file, keyed by the texts and the base weights' sha256. Only the two heads are trained:
  sentiment as 3-class softmax regression, stress as logistic regression (scikit-learn
  ``LogisticRegression``, C = 1, lbfgs, one BLAS thread, on embeddings standardised with the
  bootstrap's mean and sd).
* **Starting model**: the heads fitted on TweetEval sentiment train and Dreaddit stress train
  only, no workplace data.
* **Pool**: ``workplace/train.tsv`` plus ``workplace/train_more.tsv`` (when present), labels
  hidden until chosen. **Measure**: ``workplace/val.tsv``: sentiment macro-recall, stress F1
  (stressed when p >= 0.5) and their mean (``sklearn.metrics``). Test splits are never read.
* **Refit**: the heads are refitted on the bootstrap plus the chosen workplace examples, each
  chosen example with ``sample_weight = --weight`` (default 10) in both heads, bootstrap
  examples with 1; the same for every strategy and budget.
* **Strategies**, each reporting after every budget (budgets are nested: the 100 contain the 50):
  ``random`` (a seeded random order of the pool, its first ``budget``; ``--seeds`` seeds);
  ``uncertainty`` (rounds of ``--round-size``, as weekly retraining would: refit, then choose the
  unchosen examples with the smallest :func:`analyzers.flagging.margin`; deterministic, one
  run); ``mix`` (the same rounds, ``--mix-share`` of each round chosen at random from the
  unchosen, the rest by margin, like the production policy's uncertain + audit flags; seeded).
  ``all`` (the whole pool labelled) is the ceiling, ``none`` the starting model.
* **Thresholds**: the margins of the pool under the starting model (quantiles, and the margin
  below which each budget's share of the pool falls), and, unless ``--no-shipped``, the margins
  the shipped classifier gives (calibrated, as the flagging sees them) on
  ``workplace/train_more.tsv``, which it was not trained on.

Paired bootstrap over the val examples (2,000 resamples) gives a 95% interval for uncertainty
minus the random mean. Prints markdown tables; writes nothing but the cache. Results:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.analyzer import SENTIMENT_LABELS  # noqa: E402
from analyzers.batching import by_length, padded, token_ids  # noqa: E402
from analyzers.flagging import FlagPolicy, margin  # noqa: E402
from training.data import Example, load_dataset, load_workplace  # noqa: E402

MAX_TOKENS = 128
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


# ---------------------------------------------------------------- embedding (frozen encoder)

def embed(texts: Sequence[str], threads: int, desc: str) -> NDArray[np.float32]:
    """Mean-pooled base MiniLM embeddings [n, 384], in input order, as the classifier pools."""
    import torch
    from tqdm import tqdm

    from analyzers.classifier import Classifier

    clf = Classifier.fresh("embed", max_tokens=MAX_TOKENS, device="cpu", threads=threads)
    ids = token_ids(clf.tokenizer, texts, MAX_TOKENS)
    order = by_length(ids)
    pad = int(clf.tokenizer.pad_token_id or 0)
    out = np.zeros((len(ids), int(clf.model.encoder.config.hidden_size)), np.float32)
    with torch.inference_mode(), tqdm(total=len(ids), desc=desc, unit="text") as bar:
        for rows in clf._batches(order, [len(x) for x in ids]):
            batch, mask = padded(ids, rows, pad)
            hidden = clf.model.encoder(input_ids=torch.from_numpy(batch),
                                       attention_mask=torch.from_numpy(mask)).last_hidden_state
            m = torch.from_numpy(mask).unsqueeze(-1).to(torch.float32)
            pooled = (hidden.to(torch.float32) * m).sum(1) / m.sum(1).clamp(min=1.0)
            out[np.asarray(rows)] = pooled.numpy()
            bar.update(len(rows))
    return out


def cached_embeddings(name: str, texts: Sequence[str], cache: Path, threads: int) -> NDArray[np.float32]:
    """``embed(texts)``, from ``cache`` when the same texts were embedded with the same weights."""
    from analyzers.base_model import BASE_SHA256

    digest = hashlib.sha256()
    digest.update(f"{BASE_SHA256}|{MAX_TOKENS}|mean|".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache / f"{name}-{digest.hexdigest()[:16]}.npy"
    if path.is_file():
        x: NDArray[np.float32] = np.load(path)
        if x.shape[0] == len(texts):
            return x
    x = embed(texts, threads, name)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, x)
    tmp.replace(path)
    return x


# ---------------------------------------------------------------- data and heads

@dataclass(frozen=True)
class Labelled:
    """Embeddings with their labels; -1 where a task's label is absent."""

    x: Floats
    sentiment: Ints
    stress: Ints
    source: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.x.shape[0])


def labelled(x: NDArray[np.floating], examples: Sequence[Example], source: str = "") -> Labelled:
    return Labelled(
        np.asarray(x, np.float64),
        np.array([e.sentiment_index for e in examples], np.int64),
        np.array([-1 if e.stress is None else int(e.stress) for e in examples], np.int64),
        (source,) * len(examples))


def concat(parts: Iterable[Labelled]) -> Labelled:
    parts = list(parts)
    return Labelled(np.concatenate([p.x for p in parts]), np.concatenate([p.sentiment for p in parts]),
                    np.concatenate([p.stress for p in parts]), sum((p.source for p in parts), ()))


@dataclass
class Heads:
    """The two fitted heads: ``probs(x)`` gives sentiment probabilities [n, 3] (negative,
    neutral, positive) and the stress probability [n]."""

    sentiment: object
    stress: object

    def probs(self, x: Floats) -> tuple[Floats, Floats]:
        p_sent = np.asarray(self.sentiment.predict_proba(x), np.float64)  # type: ignore[attr-defined]
        p_stress = np.asarray(self.stress.predict_proba(x), np.float64)[:, 1]  # type: ignore[attr-defined]
        return p_sent, p_stress


def fit_heads(bootstrap: Labelled, pool: Labelled, chosen: Sequence[int], weight: float,
              c: float = 1.0) -> Heads:
    """Both heads on the bootstrap (weight 1) plus the chosen pool examples (``weight`` each)."""
    from sklearn.linear_model import LogisticRegression

    idx = np.asarray(list(chosen), np.int64)
    heads = []
    for task in ("sentiment", "stress"):
        y_boot, y_pool = getattr(bootstrap, task), getattr(pool, task)[idx]
        keep_boot, keep_pool = y_boot >= 0, y_pool >= 0
        x = np.concatenate([bootstrap.x[keep_boot], pool.x[idx][keep_pool]])
        y = np.concatenate([y_boot[keep_boot], y_pool[keep_pool]])
        w = np.concatenate([np.ones(int(keep_boot.sum())), np.full(int(keep_pool.sum()), weight)])
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(x, y, sample_weight=w)
        heads.append(model)
    return Heads(heads[0], heads[1])


def margins(p_sent: Floats, p_stress: Floats) -> Floats:
    """:func:`analyzers.flagging.margin` of every row (the flagging's own function)."""
    return np.array([margin((float(p[0]), float(p[1]), float(p[2])), float(s))
                     for p, s in zip(p_sent, p_stress)], np.float64)


@dataclass(frozen=True)
class Scores:
    sentiment_recall: float
    stress_f1: float
    sentiment_pred: Ints = field(repr=False)
    stress_pred: Ints = field(repr=False)

    @property
    def mean(self) -> float:
        return (self.sentiment_recall + self.stress_f1) / 2


def measure(heads: Heads, val: Labelled) -> Scores:
    from sklearn.metrics import f1_score, recall_score

    p_sent, p_stress = heads.probs(val.x)
    sent_pred = p_sent.argmax(axis=1).astype(np.int64)
    stress_pred = (p_stress >= 0.5).astype(np.int64)
    return Scores(float(recall_score(val.sentiment, sent_pred, labels=[0, 1, 2], average="macro", zero_division=0)),
                  float(f1_score(val.stress, stress_pred, pos_label=1, zero_division=0)),
                  sent_pred, stress_pred)


# ---------------------------------------------------------------- selection

def select_uncertain(pool_margins: Floats, taken: set[int], k: int) -> list[int]:
    """The ``k`` examples not in ``taken`` with the smallest margins (ties: lower index first)."""
    order = np.argsort(pool_margins, kind="stable")
    return [int(i) for i in order if int(i) not in taken][:k]


def select_random(n: int, taken: set[int], k: int, rng: np.random.Generator) -> list[int]:
    """``k`` examples not in ``taken``, uniformly at random (seeded by ``rng``)."""
    free = np.array([i for i in range(n) if i not in taken], np.int64)
    return [int(i) for i in rng.choice(free, size=min(k, len(free)), replace=False)]


def random_order(n: int, seed: int) -> list[int]:
    """The random strategy: a seeded permutation of the pool; budget b takes its first b."""
    return select_random(n, set(), n, np.random.default_rng(seed))


def active_selection(score: Callable[[list[int]], Floats], n: int, budgets: Sequence[int],
                     round_size: int, random_share: float = 0.0,
                     rng: np.random.Generator | None = None) -> list[int]:
    """Examples chosen in rounds, in order, up to ``max(budgets)``: before each round
    ``score(chosen)`` refits on the examples chosen so far and returns the margins of the whole
    pool [n]; the round takes ``round(random_share * size)`` unchosen examples at random and the
    rest of its size by smallest margin. A round never crosses a budget, so the first b chosen
    are exactly what the loop had labelled when its budget reached b."""
    if random_share > 0 and rng is None:
        raise ValueError("a random share needs an rng")
    chosen: list[int] = []
    taken: set[int] = set()
    stops = sorted(set(b for b in budgets if b > 0))
    end = min(stops[-1], n) if stops else 0
    while len(chosen) < end:
        next_stop = min([b for b in stops if b > len(chosen)] + [end])
        size = min(round_size, next_stop - len(chosen))
        pool_margins = score(list(chosen))
        n_random = int(round(random_share * size))
        picked = select_random(n, taken, n_random, rng) if n_random and rng is not None else []
        taken.update(picked)
        picked += select_uncertain(pool_margins, taken, size - len(picked))
        taken.update(picked)
        chosen += picked
    return chosen


# ---------------------------------------------------------------- statistics and printing

def paired_interval(val: Labelled, a: Sequence[Scores], b: Sequence[Scores], resamples: int = 2000,
                    seed: int = 0) -> tuple[float, float, float]:
    """Mean score of runs ``a`` minus that of runs ``b`` (mean of sentiment macro-recall and
    stress F1), with a 95% paired bootstrap interval over val examples."""
    rng = np.random.default_rng(seed)
    n = len(val)
    idx = np.concatenate([np.arange(n)[None], rng.integers(0, n, size=(resamples, n))])

    def score(runs: Sequence[Scores]) -> Floats:
        ys, yt = val.sentiment[idx], val.stress[idx]
        total = np.zeros(idx.shape[0])
        for run in runs:
            sp, tp = run.sentiment_pred[idx], run.stress_pred[idx]
            recalls = [((ys == c) & (sp == c)).sum(1) / np.maximum((ys == c).sum(1), 1) for c in range(3)]
            true_pos = ((yt == 1) & (tp == 1)).sum(1)
            f1 = 2 * true_pos / np.maximum((yt == 1).sum(1) + (tp == 1).sum(1), 1)
            total += (np.mean(recalls, axis=0) + f1) / 2
        return total / len(runs)

    diff = score(a) - score(b)
    low, high = np.percentile(diff[1:], [2.5, 97.5])
    return float(diff[0]), float(low), float(high)


def cell(values: Sequence[float]) -> str:
    pct = [100 * v for v in values]
    if len(pct) == 1:
        return f"{pct[0]:.1f}"
    return f"{np.mean(pct):.1f} ± {np.std(pct, ddof=1):.1f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def shipped_workplace_examples() -> int | None:
    """How many workplace examples the shipped model was trained on, from its model card."""
    from analyzers.bundled import BUNDLED_DIR

    card = BUNDLED_DIR / "MODEL_CARD.md"
    found = re.search(r"train_examples: .*'workplace': (\d+)", card.read_text(encoding="utf-8")) if card.is_file() else None
    return int(found.group(1)) if found else None


def shipped_margins(texts: Sequence[str], threads: int) -> Floats:
    """Margins of the shipped classifier's calibrated predictions (what the flagging sees)."""
    from bot.runtime import default_analyzer

    analyses = default_analyzer(threads=threads).analyze(list(texts))
    return np.array([margin(a.sentiment_probs, a.stress) for a in analyses], np.float64)


# ---------------------------------------------------------------- main

def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for random and mix (default 5)")
    parser.add_argument("--budgets", default="50,100,200,400", help="comma-separated label budgets")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "teamweather-al-cache",
                        help="embedding cache folder (keep it outside the repository)")
    parser.add_argument("--round-size", type=int, default=25, help="labels per retraining round")
    parser.add_argument("--mix-share", type=float, default=0.2, help="random share of each mix round")
    parser.add_argument("--weight", type=float, default=10.0, help="sample weight of a chosen workplace example")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped model's pool margins")
    args = parser.parse_args(argv)
    budgets = sorted({int(b) for b in args.budgets.split(",") if b.strip()})
    started = time.perf_counter()

    # Data: train and val splits only.
    sets: dict[str, list[Example]] = {
        "sentiment-train": load_dataset(args.data, "sentiment", "train"),
        "stress-train": load_dataset(args.data, "stress", "train"),
        # the two workplace files read one by one: their sizes are reported apart
        "workplace-train": load_workplace(args.data / "workplace" / "train.tsv"),
        "workplace-val": load_dataset(args.data, "workplace", "val"),
    }
    more = args.data / "workplace" / "train_more.tsv"
    if more.is_file():
        sets["workplace-train_more"] = load_workplace(more)
    x = {name: cached_embeddings(name, [e.text for e in rows], args.cache, args.threads)
         for name, rows in sets.items()}
    t_embed = time.perf_counter() - started

    # Standardise with the bootstrap's statistics (a fixed linear map, no workplace data).
    boot_x = np.concatenate([x["sentiment-train"], x["stress-train"]]).astype(np.float64)
    mu, sd = boot_x.mean(0), boot_x.std(0) + 1e-6
    data = {name: labelled((x[name] - mu) / sd, rows, name) for name, rows in sets.items()}
    bootstrap = concat([data["sentiment-train"], data["stress-train"]])
    pool_names = [n for n in ("workplace-train", "workplace-train_more") if n in data]
    pool = concat([data[n] for n in pool_names])
    val = data["workplace-val"]
    n = len(pool)
    budgets = [b for b in budgets if b <= n]
    print(f"bootstrap: {len(sets['sentiment-train'])} tweets (sentiment), {len(sets['stress-train'])} "
          f"Reddit segments (stress); pool: " + ", ".join(f"{name} {len(data[name])}" for name in pool_names)
          + f" = {n}; measure: workplace val {len(val)}; chosen weight {args.weight:g}; "
          f"rounds of {args.round_size}; budgets {budgets}; seeds {args.seeds}")
    print(f"embedding (or cache) took {t_embed:.0f} s; cache: {args.cache}")

    # One BLAS thread: the small products of these fits ran several times slower on two
    # threads of this 2-core VM (thread contention), and the results are the same.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    fits: dict[tuple[int, ...], Heads] = {}

    def fitted(chosen: Sequence[int]) -> Heads:
        key = tuple(sorted(chosen))
        if key not in fits:
            fits[key] = fit_heads(bootstrap, pool, key, args.weight)
        return fits[key]

    def score(chosen: list[int]) -> Floats:
        heads = fitted(chosen)
        return margins(*heads.probs(pool.x))

    results: dict[tuple[str, int], list[Scores]] = {}
    chosen_by: dict[tuple[str, int], list[list[int]]] = {}

    def record(strategy: str, order: list[int]) -> None:
        for b in budgets:
            results.setdefault((strategy, b), []).append(measure(fitted(order[:b]), val))
            chosen_by.setdefault((strategy, b), []).append(order[:b])

    t0 = time.perf_counter()
    start_heads = fitted([])
    none = measure(start_heads, val)
    start_margins = margins(*start_heads.probs(pool.x))
    everything = measure(fitted(range(n)), val)
    print(f"starting model and full pool fitted in {time.perf_counter() - t0:.0f} s", flush=True)

    record("uncertainty", active_selection(score, n, budgets, args.round_size))
    print(f"uncertainty done ({time.perf_counter() - started:.0f} s)", flush=True)
    for seed in range(args.seeds):
        record("random", random_order(n, seed))
    print(f"random done ({time.perf_counter() - started:.0f} s)", flush=True)
    if args.mix_share > 0:
        for seed in range(args.seeds):
            record("mix", active_selection(score, n, budgets, args.round_size, args.mix_share,
                                           np.random.default_rng(1000 + seed)))
        print(f"mix done ({time.perf_counter() - started:.0f} s)", flush=True)

    # The curves.
    mix_name = f"mix ({100 * args.mix_share:g}% random)"
    names = {"random": f"random ({args.seeds} seeds)", "uncertainty": "uncertainty (1 run)",
             "mix": f"{mix_name} ({args.seeds} seeds)"}
    rows = [["none (starting model)", "0", cell([none.sentiment_recall]), cell([none.stress_f1]), cell([none.mean])]]
    for strategy in ("random", "uncertainty", "mix"):
        for b in budgets:
            runs = results.get((strategy, b))
            if runs:
                rows.append([names[strategy], str(b), cell([r.sentiment_recall for r in runs]),
                             cell([r.stress_f1 for r in runs]), cell([r.mean for r in runs])])
    rows.append(["all (whole pool)", str(n), cell([everything.sentiment_recall]), cell([everything.stress_f1]),
                 cell([everything.mean])])
    print()
    print("workplace val (%), frozen encoder, heads refitted on bootstrap + chosen labels:\n")
    print(table(["strategy", "labels", "sentiment macro-recall", "stress F1", "mean"], rows))

    rows = []
    for b in budgets:
        line = [str(b)]
        for strategy in ("uncertainty", "mix"):
            if (strategy, b) in results:
                d, lo, hi = paired_interval(val, results[(strategy, b)], results[("random", b)])
                line.append(f"{100 * d:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]")
        rows.append(line)
    print("\nmean score minus random's mean, points [95% paired bootstrap over val]:\n")
    print(table(["labels", "uncertainty − random"] + (["mix − random"] if args.mix_share > 0 else []), rows))

    # What the chosen examples look like.
    rows = []
    for strategy in ("random", "uncertainty", "mix"):
        for b in budgets:
            sel = chosen_by.get((strategy, b))
            if not sel:
                continue
            more_share = np.mean([np.mean([pool.source[i] == "workplace-train_more" for i in s]) for s in sel])
            labels = np.concatenate([pool.sentiment[s] for s in sel])
            stressed = np.concatenate([pool.stress[s] for s in sel])
            dist = " / ".join(f"{100 * np.mean(labels == k):.0f}" for k in range(3))
            rows.append([names[strategy], str(b), f"{100 * more_share:.0f}%", dist,
                         f"{100 * np.mean(stressed):.0f}%"])
    pool_dist = " / ".join(f"{100 * np.mean(pool.sentiment == k):.0f}" for k in range(3))
    rows.append(["whole pool", str(n), f"{100 * np.mean([s == 'workplace-train_more' for s in pool.source]):.0f}%",
                 pool_dist, f"{100 * np.mean(pool.stress):.0f}%"])
    print(f"\nwhat was chosen ({'/'.join(SENTIMENT_LABELS)} %):\n")
    print(table(["strategy", "labels", "from train_more", "sentiment mix", "stressed"], rows))

    # Margin thresholds.
    default = FlagPolicy().uncertainty_margin
    quantiles = [0.01, 0.05, 0.10, 0.25]
    print(f"\nmargins on the pool ({n}) under the starting model: quantiles "
          + ", ".join(f"{100 * q:g}% {np.quantile(start_margins, q):.3f}" for q in quantiles)
          + f"; below the default {default:g}: {100 * np.mean(start_margins < default):.1f}%")
    print("budget as a share of the pool -> margin below which that share falls: "
          + ", ".join(f"{b} = {100 * b / n:.1f}% -> {np.quantile(start_margins, b / n):.3f}" for b in budgets))
    final = results.get(("uncertainty", budgets[-1])) if budgets else None
    if final is not None:
        heads = fitted(chosen_by[("uncertainty", budgets[-1])][0])
        after = margins(*heads.probs(pool.x))
        print(f"after {budgets[-1]} uncertainty labels: quantiles "
              + ", ".join(f"{100 * q:g}% {np.quantile(after, q):.3f}" for q in quantiles)
              + f"; below {default:g}: {100 * np.mean(after < default):.1f}%")
    unseen = shipped_workplace_examples() == len(sets["workplace-train"])
    if not args.no_shipped and "workplace-train_more" in sets and not unseen:
        print("shipped classifier: skipped (its card does not show that it was trained without train_more)")
    if not args.no_shipped and "workplace-train_more" in sets and unseen:
        t0 = time.perf_counter()
        shipped = shipped_margins([e.text for e in sets["workplace-train_more"]], args.threads)
        print(f"shipped classifier on train_more ({len(shipped)}, not trained on), calibrated margins: quantiles "
              + ", ".join(f"{100 * q:g}% {np.quantile(shipped, q):.3f}" for q in quantiles)
              + f"; below {default:g}: {100 * np.mean(shipped < default):.1f}% "
              f"({time.perf_counter() - t0:.0f} s)")
    print(f"\n{len(fits)} fits; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
