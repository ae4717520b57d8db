"""The classifier version shipped inside the package, the default analyzer.

``analyzers/bundled_model/`` is a model directory (format: :mod:`analyzers.model_dir`) trained
with the command in its ``MODEL_CARD.md``. It scores messages whenever no registered version is
active (``teamweather models``), so a fresh install works without training anything, and it is
what ``teamweather models rollback`` returns to after the first promoted version.
"""

from __future__ import annotations

import json
from pathlib import Path

from domain.errors import ModelError

__all__ = ["BUNDLED_DIR", "bundled_version"]

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled_model"


def bundled_version() -> str:
    """The shipped version's id, read from its config without loading any weights (which
    :meth:`analyzers.classifier.Classifier.load` does, checking them, from ``BUNDLED_DIR``)."""
    from analyzers.model_dir import CONFIG_FILE

    path = BUNDLED_DIR / CONFIG_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"the bundled model is missing or damaged ({path}: {exc}); "
                         "reinstall Teamweather") from None

