"""The model registry: register, promote (recording the previous version), rollback."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from storage import models
from storage.models import RegistryError

METRICS = {"sentiment_macro_recall": 0.72, "stress_f1": 0.81}


def add(db: sqlite_utils.Database, version: str, now: float) -> None:
    with db.conn:
        models.register(db, version, f"/models/{version}", ("sentiment", "stress"), METRICS, now)


def test_register_and_list_round_trip(db: sqlite_utils.Database) -> None:
    add(db, "v2", 20.0)
    add(db, "v1", 10.0)
    listed = models.list_all(db)
    assert [m.version for m in listed] == ["v1", "v2"]  # oldest first
    first = listed[0]
    assert first.path == "/models/v1" and first.tasks == ("sentiment", "stress")
    assert first.metrics == METRICS and first.created_at == 10.0
    assert not first.active and first.activated_at is None and first.previous is None
    assert models.active(db) is None


def test_a_version_id_is_registered_once(db: sqlite_utils.Database) -> None:
    add(db, "v1", 10.0)
    with pytest.raises(RegistryError, match="already registered"):
        add(db, "v1", 11.0)


def test_promote_records_the_previous_version(db: sqlite_utils.Database) -> None:
    for i, v in enumerate(["v1", "v2"]):
        add(db, v, float(i))
    with db.conn:
        first = models.promote(db, "v1", 100.0)
    assert first.active and first.previous is None and first.activated_at == 100.0
    with db.conn:
        second = models.promote(db, "v2", 200.0)
    assert second.previous == "v1"
    active = models.active(db)
    assert active is not None and active.version == "v2"
    assert [m.active for m in models.list_all(db)] == [False, True]


def test_promoting_the_active_version_changes_nothing(db: sqlite_utils.Database) -> None:
    add(db, "v1", 1.0)
    add(db, "v2", 2.0)
    with db.conn:
        models.promote(db, "v1", 10.0)
        models.promote(db, "v2", 20.0)
        again = models.promote(db, "v2", 30.0)
    assert again.previous == "v1" and again.activated_at == 20.0


def test_promote_unknown_version_names_the_known_ones(db: sqlite_utils.Database) -> None:
    add(db, "v1", 1.0)
    with pytest.raises(RegistryError, match="no model version 'v9' \\(known: v1\\)"):
        models.promote(db, "v9", 1.0)


def test_rollback_steps_back_through_promotions(db: sqlite_utils.Database) -> None:
    for i, v in enumerate(["v1", "v2", "v3"]):
        add(db, v, float(i))
    with db.conn:
        for i, v in enumerate(["v1", "v2", "v3"]):
            models.promote(db, v, 10.0 + i)
    with db.conn:
        back = models.rollback(db, 50.0)
    assert back is not None and back.version == "v2" and back.active and back.activated_at == 50.0
    with db.conn:
        again = models.rollback(db, 60.0)
        assert again is not None and again.version == "v1"
    with db.conn:  # v1 replaced no version: rolling it back leaves none active (the bundled model)
        assert models.rollback(db, 70.0) is None
    assert models.active(db) is None
    assert [m.version for m in models.list_all(db)] == ["v1", "v2", "v3"]
    with pytest.raises(RegistryError, match="nothing to roll back"):
        models.rollback(db, 80.0)


def test_rollback_with_nothing_active_is_a_clear_error(db: sqlite_utils.Database) -> None:
    with pytest.raises(RegistryError, match="no model version is active"):
        models.rollback(db, 1.0)


def test_schema_allows_one_active_row_only(db: sqlite_utils.Database) -> None:
    add(db, "v1", 1.0)
    add(db, "v2", 2.0)
    with db.conn:
        db.conn.execute("UPDATE models SET active = 1 WHERE version = 'v1'")
    with pytest.raises(sqlite3.IntegrityError):
        with db.conn:
            db.conn.execute("UPDATE models SET active = 1 WHERE version = 'v2'")
