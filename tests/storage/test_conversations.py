"""Conversation references: how the bot reaches a person privately (Teams' personal chat)."""

from __future__ import annotations

import sqlite_utils

from storage import consent, conversations, workspaces
from storage.migrations import MIGRATIONS, V6_CONVERSATIONS

TENANT, OTHER = "72f988bf-86f1-41af-91ab-2d7cd011db47", "0d0b5c6e-1111-4222-8333-444455556666"
MEGAN = "msteams:7faf080d-1c55-4f5a-a3bc-d2a4a6a1e1b2"
REFERENCE = {
    "bot": {"id": "28:bot-app-id"},
    "channelId": "msteams",
    "conversation": {"conversationType": "personal", "id": "a:1xyz", "tenantId": TENANT},
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "user": {"aadObjectId": "7faf080d-1c55-4f5a-a3bc-d2a4a6a1e1b2", "id": "29:1abc"},
}


def test_the_migration_is_the_sixth() -> None:
    assert MIGRATIONS[5] is V6_CONVERSATIONS


def test_save_get_and_forget(db: sqlite_utils.Database) -> None:
    assert conversations.get(db, MEGAN) is None
    with db.conn:
        assert conversations.save(db, MEGAN, REFERENCE, workspace=TENANT, at=1.0) is True
        assert conversations.save(db, MEGAN, dict(REFERENCE), workspace=TENANT, at=2.0) is False  # unchanged
    assert conversations.get(db, MEGAN) == REFERENCE
    moved = {**REFERENCE, "serviceUrl": "https://smba.trafficmanager.net/amer/"}
    with db.conn:
        assert conversations.save(db, MEGAN, moved, workspace=TENANT) is True  # the newest wins
    assert conversations.get(db, MEGAN) == moved and db["conversations"].count == 1
    with db.conn:
        assert conversations.forget(db, MEGAN) is True
        assert conversations.forget(db, MEGAN) is False
    assert conversations.get(db, MEGAN) is None


def test_a_tenant_purge_removes_its_references_and_only_those(db: sqlite_utils.Database) -> None:
    with db.conn:
        conversations.save(db, MEGAN, REFERENCE, workspace=TENANT)
        conversations.save(db, "msteams:other", REFERENCE, workspace=OTHER)
        consent.enroll(db, TENANT, "19:abc@thread.tacv2", by="admin", at=1.0)
    assert "conversations" in workspaces.data_tables(db)
    with db.conn:
        counts = workspaces.purge_workspace(db, TENANT)
    assert counts["conversations"] == 1 and counts["channels"] == 1
    assert conversations.get(db, MEGAN) is None and conversations.get(db, "msteams:other") == REFERENCE


def test_no_message_text_column(db: sqlite_utils.Database) -> None:
    assert set(db["conversations"].columns_dict) == {"user", "workspace", "reference", "updated_at"}
