"""Removed workspaces and erasing everything stored from one workspace."""

from __future__ import annotations

import sqlite_utils

from storage import consent, conversations, events, inbox, review, scores, workspaces

GONE, STAYS = "TGONE00001", "TSTAYS0001"


def plant(db: sqlite_utils.Database, workspace: str, n: int = 2) -> None:
    with db.conn:
        consent.enroll(db, workspace, f"C{workspace}", by="admin-pseudonym", at=1.0)
        for i in range(n):
            scores.save(db, scores.Score(
                f"{workspace}-{i}", workspace, f"C{workspace}", f"author-{workspace}-{i}", "2026-11-17",
                "neutral", 0.2, 0.6, 0.2, 0.1, "test", "1",
            ))
        inbox.put(db, message_key=f"{workspace}-pending", workspace=workspace, channel=f"C{workspace}",
                  author=f"author-{workspace}-0", day="2026-11-18", text="<person> shipped it", now=2.0)
        consent.set_person_status(db, f"author-{workspace}-1", "forgotten", at=3.0)
        events.first_sighting(db, f"Ev-{workspace}", now=4.0)
        conversations.save(db, f"msteams:manager-of-{workspace}", {"conversation": {"id": "a:1"}}, workspace=workspace)
        flag = review.add(db, message_key=f"{workspace}-flagged", workspace=workspace, author=f"author-{workspace}-0",
                          day="2026-11-18", text="<person> is swamped", policy="audit", policy_detail={},
                          sentiment="negative", probs=(0.6, 0.3, 0.1), stress=0.7, model_version="m", now=5.0, ttl_s=1e9)
        assert flag is not None
        review.label(db, flag, "reviewer", now=6.0, keep_until=1e9, sentiment="negative")


def test_a_removal_is_recorded_once_and_keeps_the_first_reason(db: sqlite_utils.Database) -> None:
    with db.conn:
        assert workspaces.mark_removed(db, GONE, "tokens_revoked", 100.0) is True
        assert workspaces.mark_removed(db, GONE, "app_uninstalled", 105.0) is False
    assert workspaces.removal(db, GONE) == workspaces.Removal(GONE, 100.0, "tokens_revoked", None)
    assert workspaces.removal(db, STAYS) is None
    assert [r.workspace for r in workspaces.removed(db)] == [GONE]


def test_purged_and_cleared_removals(db: sqlite_utils.Database) -> None:
    with db.conn:
        workspaces.mark_removed(db, GONE, "app_uninstalled", 100.0)
        workspaces.mark_removed(db, STAYS, "app_uninstalled", 200.0)
        assert workspaces.mark_purged(db, GONE, 300.0) is True
        assert workspaces.mark_purged(db, "TNEVER0001", 300.0) is False
    assert [r.workspace for r in workspaces.removed(db, purged=True)] == [GONE]
    assert [r.workspace for r in workspaces.removed(db, purged=False)] == [STAYS]
    assert workspaces.due_for_purge(db, removed_before=1000.0) == [STAYS]  # GONE is purged already
    assert workspaces.due_for_purge(db, removed_before=200.0) == []  # not strictly before
    with db.conn:
        assert workspaces.clear(db, STAYS) is True
        assert workspaces.clear(db, STAYS) is False
    assert workspaces.removal(db, STAYS) is None


NO_LEARNING = {"download_tokens": 0, "learning_items": 0, "learning_profiles": 0, "quiz_results": 0}


def test_purge_deletes_every_row_of_the_workspace_and_nothing_else(db: sqlite_utils.Database) -> None:
    plant(db, GONE)
    plant(db, STAYS)
    before = {t: db[t].count for t in db.table_names()}
    with db.conn:
        counts = workspaces.purge_workspace(db, GONE)
    assert counts == {"channels": 1, "conversations": 1, "flags": 1, "inbox": 1, "scores": 2, **NO_LEARNING}
    # Every table with a workspace column is covered, so a table added later is too.
    tables = [t for t in db.table_names() if "workspace" in db[t].columns_dict and t != workspaces.TABLE]
    assert sorted(counts) == sorted(tables)
    for table in tables:
        assert db.execute(f"SELECT count(*) FROM {table} WHERE workspace = ?", (GONE,)).fetchone()[0] == 0
    assert workspaces.row_counts(db, STAYS) == {"channels": 1, "conversations": 1, "flags": 1, "inbox": 1, "scores": 2,
                                                **NO_LEARNING}
    assert [f.text for f in review.labelled_flags(db)] == ["<person> is swamped"]  # STAYS's; GONE's label went too
    assert conversations.get(db, f"msteams:manager-of-{GONE}") is None
    assert conversations.get(db, f"msteams:manager-of-{STAYS}") is not None
    # Pause/forget-me records (pseudonyms), event ids and the audit log are kept.
    assert db["people"].count == before["people"] == 2
    assert db["seen_events"].count == before["seen_events"]
    assert consent.person_status(db, f"author-{GONE}-1") == "forgotten"


def test_a_table_added_later_with_a_workspace_column_is_purged_too(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE later_notes (id INTEGER PRIMARY KEY, workspace TEXT, text TEXT)")
    db.table("later_notes").insert_all([{"workspace": GONE, "text": "<person> x"}, {"workspace": STAYS, "text": "y"}])
    with db.conn:
        counts = workspaces.purge_workspace(db, GONE)
    assert counts["later_notes"] == 1
    assert [r["workspace"] for r in db["later_notes"].rows] == [STAYS]


def test_known_and_unenrolling_a_workspace(db: sqlite_utils.Database) -> None:
    assert workspaces.known(db, GONE) is False
    plant(db, GONE)
    assert workspaces.known(db, GONE) is True
    with db.conn:
        workspaces.mark_removed(db, STAYS, "app_uninstalled", 1.0)
        assert workspaces.unenroll_channels(db, GONE) == 1
    assert consent.enrolled_channels(db) == []
    assert workspaces.known(db, STAYS) is True  # a removal record alone is enough
