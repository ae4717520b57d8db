"""Picklable pieces for the classifier-process tests (a spawned child imports them by name)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from analyzers.analyzer import Analysis, Analyzer
from analyzers.lexicon import LexiconAnalyzer
from domain.errors import ModelError
from bot.scoring_process import ClassifierSettings


def settings_for(db_path: str) -> ClassifierSettings:
    return ClassifierSettings(db_path, threads=1, nice=5, log_level="WARNING", analyzer_factory=LexiconAnalyzer)


def damaged_model() -> Analyzer:
    raise ModelError("the model files are damaged (model.safetensors: sha256 mismatch)")


class CrashesOnce:
    """The lexicon, in a process that dies on its first batch (the marker file says it did)."""

    name, version = "lexicon", "crashes-once"

    def __init__(self, marker: str) -> None:
        self.marker = Path(marker)
        self.inner = LexiconAnalyzer()

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        if not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os._exit(9)  # the kernel's OOM killer, say
        return self.inner.analyze(texts)


class QuotesItsInput:
    """A model whose error quotes the text it failed on, as tokenizers sometimes do."""

    name, version = "quoting", "1"

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        raise ValueError(f"cannot tokenize {texts[0]!r}")
