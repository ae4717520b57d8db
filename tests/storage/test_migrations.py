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


# -- V9: learning (issue [mytraining]) -------------------------------------------------------

LEARNING_TABLES = {
    "learning_profiles": {"person", "workspace", "role", "goal", "wellbeing", "updated_at"},
    "learning_items": {"person", "workspace", "item_id", "status", "started_at", "completed_at"},
    "quiz_results": {"id", "person", "workspace", "item_id", "correct", "total", "passed", "at"},
    "download_tokens": {"token_hash", "person", "workspace", "expires_at"},
}


def test_a_new_database_gets_the_learning_tables(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    assert schema_version(db) == len(MIGRATIONS) >= 9
    for table, columns in LEARNING_TABLES.items():
        assert set(db[table].columns_dict) == columns, table
    assert db["learning_profiles"].pks == ["person"]
    assert db["learning_items"].pks == ["person", "item_id"]
    assert db["download_tokens"].pks == ["token_hash"]
    indexes = {i.name: i.columns for t in ("learning_items", "quiz_results") for i in db[t].indexes}
    assert indexes["learning_items_completed"] == ["workspace", "completed_at"]
    assert indexes["quiz_results_person"] == ["person"]


def test_a_v8_database_migrates_to_v9_keeping_its_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import learning, review, scores

    path = tmp_path / "a.db"
    monkeypatch.setattr("storage.migrations.MIGRATIONS", MIGRATIONS[:8])
    old = connect(path)
    assert schema_version(old) == 8 and "learning_profiles" not in old.table_names()
    with old.conn:
        scores.save(old, scores.Score("k1", "T1", "C1", "a1", "2026-11-20", "neutral", .2, .6, .2, .1, "t", "1"))
        review.add(old, message_key="k1", workspace="T1", author="a1", day="2026-11-20", text="<person> hi",
                   policy="audit", policy_detail={}, sentiment="neutral", probs=(.2, .6, .2), stress=.1,
                   model_version="m", now=1.0, ttl_s=10.0)
    old.close()
    monkeypatch.undo()
    db = connect(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert set(LEARNING_TABLES) <= set(db.table_names())
    assert scores.count(db) == 1 and db["flags"].count == 1
    with db.conn:
        assert learning.start(db, "a1", "T1", "item", 2.0)
    assert learning.progress(db, "a1") == {"item": "started"}


def test_the_learning_tables_refuse_bad_values(tmp_path: Path) -> None:
    import sqlite3

    db = connect(tmp_path / "a.db")
    bad = [
        "INSERT INTO learning_items (person, workspace, item_id, status) VALUES ('p', 'w', 'i', 'finished')",
        "INSERT INTO learning_profiles (person, workspace, wellbeing, updated_at) VALUES ('p', 'w', 2, 1.0)",
        "INSERT INTO learning_profiles (person, workspace, updated_at) VALUES ('p', NULL, 1.0)",
        "INSERT INTO download_tokens (token_hash, person, workspace, expires_at) VALUES ('h', 'p', 'w', NULL)",
        "INSERT INTO quiz_results (person, workspace, item_id, correct, total, passed, at) "
        "VALUES ('p', 'w', 'i', 1, 2, 5, 1.0)",
    ]
    for statement in bad:
        with pytest.raises(sqlite3.IntegrityError):
            with db.conn:
                db.conn.execute(statement)
