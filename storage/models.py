"""The model registry: classifier versions, their metrics, and which one is active.

At most one version is active (a partial unique index enforces it). Promoting a version
records the one it replaces in ``previous``, so :func:`rollback` can step back (repeatedly:
each rollback re-activates the version that was active before the current one was promoted).
Like the other storage modules, callers own the transaction (``with db.conn:``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sqlite_utils

from domain.errors import ModelError

__all__ = ["ModelVersion", "RegistryError", "register", "get", "list_all", "active", "promote", "rollback"]

_COLUMNS = "version, path, tasks, metrics, created_at, active, activated_at, previous"


class RegistryError(ModelError):
    """A registry operation that cannot be done (unknown version, nothing to roll back to)."""


@dataclass(frozen=True)
class ModelVersion:
    """One registered classifier version."""

    version: str
    path: str
    tasks: tuple[str, ...]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    active: bool = False
    activated_at: float | None = None
    previous: str | None = None


def _row(row: Sequence[Any]) -> ModelVersion:
    version, path, tasks, metrics, created_at, is_active, activated_at, previous = row
    return ModelVersion(
        version=str(version),
        path=str(path),
        tasks=tuple(t for t in str(tasks).split(",") if t),
        metrics=json.loads(metrics) if metrics else {},
        created_at=float(created_at),
        active=bool(is_active),
        activated_at=None if activated_at is None else float(activated_at),
        previous=None if previous is None else str(previous),
    )


def register(
    db: sqlite_utils.Database,
    version: str,
    path: str,
    tasks: Sequence[str],
    metrics: Mapping[str, Any],
    now: float,
) -> ModelVersion:
    """Record a new (inactive) version; RegistryError if the id is already registered
    (versions are immutable: a retrained model gets a new id)."""
    if not version:
        raise RegistryError("a model version needs a non-empty id")
    existing = get(db, version)
    if existing is not None:
        raise RegistryError(
            f"model version {version} is already registered (at {existing.path}); "
            "versions are never overwritten, give the new model another version id"
        )
    db.conn.execute(
        "INSERT INTO models (version, path, tasks, metrics, created_at, active) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        (version, path, ",".join(tasks), json.dumps(dict(metrics), sort_keys=True), now),
    )
    return ModelVersion(version, path, tuple(tasks), dict(metrics), now)


def get(db: sqlite_utils.Database, version: str) -> ModelVersion | None:
    """The version with this id, or None."""
    row = db.execute(f"SELECT {_COLUMNS} FROM models WHERE version = ?", (version,)).fetchone()
    return None if row is None else _row(row)


def list_all(db: sqlite_utils.Database) -> list[ModelVersion]:
    """Every registered version, oldest first."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM models ORDER BY created_at, version").fetchall()
    return [_row(r) for r in rows]


def active(db: sqlite_utils.Database) -> ModelVersion | None:
    """The active version, or None when none is (the bundled model runs)."""
    row = db.execute(f"SELECT {_COLUMNS} FROM models WHERE active = 1").fetchone()
    return None if row is None else _row(row)


def _activate(db: sqlite_utils.Database, version: str, now: float, previous: str | None) -> None:
    db.conn.execute("UPDATE models SET active = 0 WHERE active = 1")
    db.conn.execute(
        "UPDATE models SET active = 1, activated_at = ?, previous = ? WHERE version = ?",
        (now, previous, version),
    )


def promote(db: sqlite_utils.Database, version: str, now: float) -> ModelVersion:
    """Make ``version`` the active one, remembering the version it replaces; promoting the
    active version changes nothing. RegistryError if it is not registered."""
    target = get(db, version)
    if target is None:
        known = ", ".join(m.version for m in list_all(db)) or "none registered"
        raise RegistryError(f"no model version {version!r} (known: {known})")
    current = active(db)
    if current is not None and current.version == version:
        return target
    _activate(db, version, now, None if current is None else current.version)
    promoted = get(db, version)
    assert promoted is not None
    return promoted


def rollback(db: sqlite_utils.Database, now: float) -> ModelVersion | None:
    """Re-activate the version that was active before the current one was promoted and
    return it, or, when the current one replaced none, deactivate it and return None (the
    bundled model scores again); RegistryError if no version is active."""
    current = active(db)
    if current is None:
        raise RegistryError("no model version is active (the bundled model scores messages), "
                            "so there is nothing to roll back")
    if current.previous is None:
        db.conn.execute("UPDATE models SET active = 0 WHERE active = 1")
        return None
    target = get(db, current.previous)
    if target is None:  # cannot happen unless a row was deleted by hand
        raise RegistryError(f"the previous version {current.previous} is no longer registered")
    # The restored version keeps its own ``previous``, so a second rollback goes further back.
    _activate(db, target.version, now, target.previous)
    restored = get(db, target.version)
    assert restored is not None
    return restored
