"""A small learning catalog and a planner with a deterministic fake encoder, for the
``/mytraining`` end-to-end tests of both adapters (the ranking itself is tested with the real
catalog elsewhere). :func:`use_fake_learning` makes ``serve()`` build its LearningDesk from them
instead of loading the bundled catalog and the sentence encoder."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from analyzers.learning_catalog import LearningCatalog, parse_learning_catalog
from analyzers.learning_plan import Planner
from bot.learning_setup import Learning
from storage import connect, learning

DIM = 384

#: Four items: a chain (linux-basics, with a three-question quiz, before k8s-fundamentals), an
#: unrelated one, and a wellbeing one.
CATALOG_DATA: dict[str, Any] = {"items": [
    {"id": "linux-basics", "title": "Linux command line basics",
     "description": "Shells, files, processes and permissions on the Linux command line.",
     "skills": {"cloud-infra": 1}, "level": 1, "minutes": 60, "format": "course",
     "url": "https://learning.example.com/linux-basics",
     "quiz": [
         {"question": "Which command lists files?", "choices": ["ls", "cd", "rm"], "answer": 0},
         {"question": "Which command changes directory?", "choices": ["pwd", "cd", "cat"], "answer": 1},
         {"question": "Which command shows the current directory?", "choices": ["mv", "cp", "pwd"], "answer": 2},
     ]},
    {"id": "k8s-fundamentals", "title": "Kubernetes fundamentals",
     "description": "Pods, deployments and services: running containers on Kubernetes.",
     "skills": {"cloud-infra": 2}, "level": 2, "minutes": 120, "format": "course",
     "url": "https://learning.example.com/k8s-fundamentals", "prerequisites": ["linux-basics"]},
    {"id": "sql-basics", "title": "SQL basics", "description": "Select, join and group rows in SQL databases.",
     "skills": {"data": 1}, "level": 1, "minutes": 45, "format": "article",
     "url": "https://learning.example.com/sql-basics"},
    {"id": "calm-focus", "title": "Calm focus", "description": "Short breaks and boundaries against stress.",
     "skills": {"wellbeing": 1}, "level": 1, "minutes": 15, "format": "video",
     "url": "https://learning.example.com/calm-focus", "tags": ["wellbeing"]},
]}
CATALOG: LearningCatalog = parse_learning_catalog(CATALOG_DATA, "tests/learning_fake.py")
ROLES = {"platform-engineer": {"cloud-infra": 2}, "data-analyst": {"data": 1}}
QUIZ_ITEM = "linux-basics"
RIGHT_ANSWERS = "012"


def embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """Bag of words hashed into 384 dimensions, each row of unit length."""
    out = np.zeros((len(texts), DIM), np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            out[row, int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIM] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


PLANNER = Planner(CATALOG, ROLES, embed, embed([item.text() for item in CATALOG]))


def use_fake_learning(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve()`` builds its LearningDesk (``learning.enabled``) on this catalog and planner."""
    monkeypatch.setattr("bot.runtime.load_learning", lambda settings, database, source="", encoder_threads=1:
                        Learning(CATALOG, ROLES, None, _planner=PLANNER))


def learning_rows(database: Any) -> dict[str, list[dict[str, Any]]]:
    """Everything /mytraining stores (to compare before and after a refused request)."""
    db = connect(database)
    try:
        return {table: [dict(r) for r in db[table].rows]
                for table in ("learning_profiles", "learning_items", "quiz_results", "audit")}
    finally:
        db.close()


def stored_profile(database: Any, person: str) -> learning.StoredProfile:
    db = connect(database)
    try:
        return learning.profile(db, person)
    finally:
        db.close()


def stored_progress(database: Any, person: str) -> dict[str, str]:
    db = connect(database)
    try:
        return learning.progress(db, person)
    finally:
        db.close()
