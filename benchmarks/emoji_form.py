"""Which form of emoji the classifier should read: val metrics of the shipped classifier with
emoji as characters (as the training and val data hold them, and as Teams sends them) and as
Slack-style codes (``:weary:``, words the encoder knows).

    python benchmarks/emoji_form.py [--data ../shared/data]

Decided the neutral text form of emoji (bot/slack/markup.py). Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import emoji

sys.path.insert(0, str(Path(__file__).parents[1]))

from analyzers.analyzer import Analysis, Analyzer  # noqa: E402
from bot.runtime import default_analyzer  # noqa: E402
from training.evaluate import evaluate  # noqa: E402


class AsCharacters:
    """``inner``, reading every emoji as its character (the loaders give codes)."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.name, self.version = inner.name, inner.version
        self.stress_threshold = getattr(inner, "stress_threshold", 0.5)

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        return self.inner.analyze([emoji.emojize(t, language="alias") for t in texts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    args = parser.parse_args()
    analyzer = default_analyzer(threads=2)
    for form, scored in (("characters", AsCharacters(analyzer)), ("codes", analyzer)):
        metrics = evaluate(scored, args.data)  # type: ignore[arg-type]
        print(form, ", ".join(f"{k} {v:.2f}" for k, v in sorted(metrics.items()) if "f1" in k or "recall" in k))


if __name__ == "__main__":
    main()
