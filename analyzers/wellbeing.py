"""Is a person's own stress signal clearly above their own baseline? (issue [mytraining])

Only ever computed for the person who asks for their plan, from their own message scores, and
only ever shown to them. Two conditions, both needed: enough messages in each window for the
comparison to mean anything, and a rise that is both large (``min_rise`` in mean stress
probability) and unlikely to be chance (Welch's one-sided t-test, ``scipy.stats.ttest_ind``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

__all__ = ["NudgeSettings", "stress_raised"]


@dataclass(frozen=True, slots=True)
class NudgeSettings:
    """When the private wellbeing nudge shows: ``recent_days`` (the last two weeks) against the
    ``baseline_days`` before them."""

    recent_days: int = 14
    baseline_days: int = 56
    min_recent: int = 10  # messages in the last two weeks
    min_baseline: int = 20  # messages in the weeks before
    min_rise: float = 0.10  # in mean stress probability
    alpha: float = 0.05


def stress_raised(recent: Sequence[float], baseline: Sequence[float], settings: NudgeSettings = NudgeSettings()) -> bool:
    """Whether ``recent`` stress probabilities are clearly above ``baseline`` ones."""
    if len(recent) < settings.min_recent or len(baseline) < settings.min_baseline:
        return False
    now, before = np.asarray(recent, float), np.asarray(baseline, float)
    if now.mean() - before.mean() < settings.min_rise:
        return False
    if now.std() == 0 and before.std() == 0:  # no spread at all: the rise is certain
        return True
    result = stats.ttest_ind(now, before, equal_var=False, alternative="greater")
    return bool(result.pvalue < settings.alpha)
