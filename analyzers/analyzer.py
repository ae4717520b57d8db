"""The one interface every classifier implements, whatever model sits behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

SENTIMENT_LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What an analyzer says about one (pseudonymised) message.

    ``sentiment_probs`` are the probabilities of negative, neutral and positive, in that
    order, summing to 1; ``stress`` is the probability that the writer expresses stress.
    """

    sentiment: str
    sentiment_probs: tuple[float, float, float]
    stress: float

    def __post_init__(self) -> None:
        if self.sentiment not in SENTIMENT_LABELS:
            raise ValueError(f"unknown sentiment label {self.sentiment!r}")
        if abs(sum(self.sentiment_probs) - 1.0) > 1e-6:
            raise ValueError("sentiment probabilities must sum to 1")
        if not 0.0 <= self.stress <= 1.0:
            raise ValueError("stress must be a probability")


@runtime_checkable
class Analyzer(Protocol):
    """Scores batches of messages; ``name`` and ``version`` are stored with every score."""

    name: str
    version: str

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Return one Analysis per text, in input order."""
        ...


class AnalyzerUnavailable(RuntimeError):
    """The analyzer cannot run at the moment (its process died or hung): no message's fault.

    A scoring worker waits and tries again; it never counts this against the messages."""
