"""Tiny, trivially separable data in the layout of ../shared/data, for training and eval tests."""

from __future__ import annotations

from pathlib import Path

POSITIVE = ["great great wonderful", "love it so happy", "amazing fantastic great"]
NEGATIVE = ["awful terrible horrible", "hate this so bad", "worst awful disaster"]
NEUTRAL = ["the meeting is at noon", "the report is in the folder", "room four on tuesday"]
STRESSED = ["so stressed and overwhelmed", "panic anxiety can't cope", "exhausted overloaded"]
CALM = ["relaxed calm weekend", "calm quiet easy day", "rested peaceful evening"]


def write_toy_data(root: Path) -> Path:
    """About 24 short, trivially separable training examples and a small val split."""
    for split in ("train", "val"):
        (root / "sentiment").mkdir(parents=True, exist_ok=True)
        (root / "stress").mkdir(parents=True, exist_ok=True)
        (root / "workplace").mkdir(parents=True, exist_ok=True)
        rows = [("positive", t) for t in POSITIVE] + [("negative", t) for t in NEGATIVE] + [
            ("neutral", t) for t in NEUTRAL]
        (root / "sentiment" / f"{split}.tsv").write_text(
            "label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows))
        stress = [(1, t) for t in STRESSED] + [(0, t) for t in CALM]
        (root / "stress" / f"{split}.csv").write_text(
            "id,subreddit,post_id,text,label,confidence\n"
            + "".join(f"{i},x,p{i},{text},{label},1.0\n" for i, (label, text) in enumerate(stress)))
        work = [("positive", 0, POSITIVE[0]), ("negative", 1, STRESSED[0] + " awful"),
                ("neutral", 0, NEUTRAL[0]), ("neutral", 1, STRESSED[2]),
                ("negative", 0, NEGATIVE[1]), ("positive", 0, CALM[0] + " great"),
                ("positive", 0, POSITIVE[2]), ("negative", 1, STRESSED[1] + " terrible"),
                ("neutral", 0, NEUTRAL[2])]
        (root / "workplace" / f"{split}.tsv").write_text(
            "sentiment\tstress\tsector\ttext\n"
            + "".join(f"{s}\t{b}\ttech\t{t}\n" for s, b, t in work))
    return root
