"""``/mytraining``'s pieces from ``learning:`` in the config: the catalog, the roles, and the
planner (built on first use: it loads the sentence encoder and the item vectors).

A malformed catalog, or a role aiming at a skill no item teaches, stops start-up with one line
naming the file, the item (or role) and the field.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Mapping

from analyzers.catalog import CatalogError
from analyzers.learning_catalog import LearningCatalog, check_roles, load_learning_catalog
from analyzers.learning_plan import Planner, item_vectors
from bot.config import LearningSettings
from domain.errors import ConfigError
from domain.yaml_files import parse_yaml

__all__ = ["Learning", "bundled_roles", "load_learning"]

BUNDLED_ROLES = "learning_roles.example.yaml"

log = logging.getLogger(__name__)


def bundled_roles() -> dict[str, dict[str, int]]:
    """The example role profiles shipped beside the bundled catalog."""
    text = resources.files("analyzers").joinpath(BUNDLED_ROLES).read_text(encoding="utf-8")
    data = parse_yaml(text, f"analyzers/{BUNDLED_ROLES}", ConfigError)
    if not isinstance(data, dict):
        raise ConfigError(f"analyzers/{BUNDLED_ROLES}: expected a mapping of roles")
    return {str(role): {str(s): int(level) for s, level in targets.items()} for role, targets in data.items()}


@dataclass
class Learning:
    """The catalog, the roles, and a planner made once (thread-safe) when first asked for."""

    catalog: LearningCatalog
    roles: Mapping[str, Mapping[str, int]]
    vector_cache: Path | None
    #: torch's CPU threads for the encoder (a process-wide setting): 1 where the bot's process
    #: holds nothing else of torch's (the classifier in its own process); None leaves it.
    encoder_threads: int | None = 1
    _planner: Planner | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # held while the planner is built
    _start: threading.Lock = field(default_factory=threading.Lock)  # starting the build: never waits on it
    _warming: threading.Thread | None = None

    def ready(self) -> bool:
        """Whether the planner is built (then :meth:`planner` returns at once). The first call
        starts building it on a thread of its own, so the encoder's memory (about 0.5 GB with
        PyTorch) is spent only once someone uses ``/mytraining``, and never on the request path."""
        if self._planner is not None:
            return True
        with self._start:
            if self._warming is None:
                self._warming = threading.Thread(target=self._warm, name="learning-planner", daemon=True)
                self._warming.start()
        return False

    def _warm(self) -> None:
        try:
            self.planner()
        except Exception as exc:  # the type only; the next ready() tries again
            log.error("the learning planner could not be built (%s)", type(exc).__name__)
            with self._start:
                self._warming = None

    def planner(self) -> Planner:
        """The planner; the first call loads the encoder and embeds new or changed items."""
        with self._lock:
            if self._planner is None:
                from analyzers.sentence_encoder import SentenceEncoder

                encoder = SentenceEncoder.load(threads=self.encoder_threads)
                vectors = item_vectors(self.catalog, encoder.embed, encoder.version, self.vector_cache)
                self._planner = Planner(self.catalog, self.roles, encoder.embed, vectors)
            return self._planner


def load_learning(settings: LearningSettings, database: Path, source: str = "teamweather.yaml", *,
                  encoder_threads: int | None = 1) -> Learning:
    """The learning catalog and roles that ``settings`` name, checked; ConfigError (one line)
    if the catalog is malformed or a role targets a skill no item teaches."""
    try:
        catalog = load_learning_catalog(settings.catalog)
        roles = settings.roles if settings.roles is not None else bundled_roles()
        check_roles(roles, catalog)
    except CatalogError as exc:
        raise ConfigError(f"{source}: learning: {exc}") from None
    cache = settings.vector_cache or database.with_name(database.name + ".learning-vectors.npz")
    return Learning(catalog, roles, cache, encoder_threads)
