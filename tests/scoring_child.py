"""Picklable pieces for the scoring-process tests (a spawned child imports them by name)."""

from analyzers.analyzer import Analyzer
from analyzers.lexicon import LexiconAnalyzer
from bot.errors import ModelError
from bot.scoring_process import ScoringSettings
from bot.worker import BatchPolicy


def settings_for(db_path: str) -> ScoringSettings:
    return ScoringSettings(db_path, BatchPolicy(), threads=1, nice=5, log_level="WARNING",
                           analyzer_factory=LexiconAnalyzer)


def damaged_model() -> Analyzer:
    raise ModelError("the model files are damaged (model.safetensors: sha256 mismatch)")
