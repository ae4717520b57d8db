"""Schema migrations and connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import connect
from storage.migrations import MIGRATIONS, migrate, schema_version


def test_new_database_gets_every_migration_and_pragmas(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    assert schema_version(db) == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"channels", "people", "inbox", "scores", "seen_events", "audit"} <= set(db.table_names())


def test_reopening_does_not_reapply(tmp_path: Path) -> None:
    connect(tmp_path / "a.db")["audit"].insert({"at": 1, "action": "x"})
    db = connect(tmp_path / "a.db")
    assert db["audit"].count == 1
    assert migrate(db) == len(MIGRATIONS)


def test_scores_table_has_no_text_column(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    assert "text" not in db["scores"].columns_dict
    assert "ts" not in db["scores"].columns_dict


def test_failed_migration_rolls_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = connect(tmp_path / "a.db")
    monkeypatch.setattr(
        "storage.migrations.MIGRATIONS",
        [*MIGRATIONS, "CREATE TABLE half (x); CREATE TABLE broken (;"],
    )
    import sqlite3

    with pytest.raises(sqlite3.Error):
        migrate(db)
    assert "half" not in db.table_names()
    assert schema_version(db) == len(MIGRATIONS)


def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        connect(tmp_path / "a.db")
