"""The advice keys each team's digests carried, and the migration that adds their table."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from storage import connect
from storage import suggestions as store
from storage.migrations import MIGRATIONS, V5_SUGGESTIONS, migrate, schema_version


def test_recent_returns_the_keys_of_the_two_weeks_before(db: sqlite_utils.Database) -> None:
    with db.conn:
        store.save(db, "Platform", "2026-W44", ["good"])
        store.save(db, "Platform", "2026-W45", ["mood_dip", "volume_drop"])
        store.save(db, "Platform", "2026-W46", ["mood_dip_listen"])
        store.save(db, "Platform", "2026-W47", ["steady"])  # the week itself does not count
        store.save(db, "Design", "2026-W46", ["too_few"])  # nor another team
    assert store.recent(db, "Platform", "2026-W47") == {"mood_dip", "volume_drop", "mood_dip_listen"}
    assert store.recent(db, "Platform", "2026-W47", weeks=1) == {"mood_dip_listen"}
    assert store.recent(db, "Platform", "2026-W47", weeks=3) == {"good", "mood_dip", "volume_drop", "mood_dip_listen"}
    assert store.recent(db, "Platform", "2026-W47", weeks=0) == frozenset()
    assert store.recent(db, "Design", "2026-W47") == {"too_few"}
    assert store.recent(db, "Ops", "2026-W47") == frozenset()


def test_recent_crosses_the_year_boundary(db: sqlite_utils.Database) -> None:
    with db.conn:
        store.save(db, "Platform", "2025-W51", ["good"])
        store.save(db, "Platform", "2025-W52", ["steady"])
        store.save(db, "Platform", "2026-W01", ["steady_meetings"])
    assert store.recent(db, "Platform", "2026-W02") == {"steady", "steady_meetings"}
    assert store.recent(db, "Platform", "2026-W01") == {"good", "steady"}


def test_a_rerun_of_the_same_team_week_replaces_its_keys(db: sqlite_utils.Database) -> None:
    with db.conn:
        store.save(db, "Platform", "2026-W46", ["mood_drop", "stress_rise"])
        store.save(db, "Platform", "2026-W45", ["decline"])
    with db.conn:
        store.save(db, "Platform", "2026-W46", ["mood_drop_tension", "mood_drop_tension"])
    assert store.recent(db, "Platform", "2026-W47") == {"mood_drop_tension", "decline"}
    with db.conn:
        store.save(db, "Platform", "2026-W46", [])
    assert store.recent(db, "Platform", "2026-W47") == {"decline"}


def test_the_table_holds_team_week_and_advice_only(db: sqlite_utils.Database) -> None:
    assert list(db["suggestions"].columns_dict) == ["team", "week", "advice"]


def test_migration_five_adds_the_table_to_a_version_four_database(tmp_path: Path) -> None:
    assert MIGRATIONS[4] is V5_SUGGESTIONS and len(MIGRATIONS) >= 5
    db = sqlite_utils.Database(tmp_path / "old.db")
    for version, script in enumerate(MIGRATIONS[:4], start=1):
        db.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={version};\nCOMMIT;")
    with db.conn:
        db.conn.execute("INSERT INTO alerts VALUES ('Platform', '2026-W46', 'decline', 1.0, 2.0, 'sliding')")
    assert "suggestions" not in db.table_names()
    db.conn.close()
    db = connect(tmp_path / "old.db")
    assert schema_version(db) == len(MIGRATIONS)
    assert "suggestions" in db.table_names()
    assert db["alerts"].count == 1
    with db.conn:
        store.save(db, "Platform", "2026-W46", ["decline"])
    assert store.recent(db, "Platform", "2026-W47") == {"decline"}
    assert migrate(db) == len(MIGRATIONS)
