"""Versioned schema migrations, tracked in SQLite's ``user_version``.

Append new migrations to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

V1_INITIAL = """
CREATE TABLE channels (
    workspace TEXT NOT NULL,
    channel TEXT NOT NULL,
    enrolled_by TEXT NOT NULL,      -- pseudonym of the admin
    enrolled_at REAL NOT NULL,      -- unix seconds
    PRIMARY KEY (workspace, channel)
);
-- People who paused collection or asked to be forgotten (pseudonyms only).
CREATE TABLE people (
    author TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('paused', 'forgotten')),
    since REAL NOT NULL
);
-- Pseudonymised messages waiting to be scored. Rows live seconds, not days.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_key TEXT NOT NULL UNIQUE,   -- keyed hash of workspace, channel and ts
    revision INTEGER NOT NULL DEFAULT 1,
    workspace TEXT NOT NULL,
    channel TEXT NOT NULL,
    author TEXT NOT NULL,
    day TEXT NOT NULL,                  -- local date of the message, YYYY-MM-DD
    text TEXT NOT NULL,                 -- pseudonymised, never raw
    enqueued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_author ON inbox (author);
-- One row per scored message. No text, no exact time: a day is enough to aggregate
-- by week and too coarse to find the message again in the channel.
CREATE TABLE scores (
    message_key TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    channel TEXT NOT NULL,
    author TEXT NOT NULL,
    day TEXT NOT NULL,
    sentiment TEXT NOT NULL CHECK (sentiment IN ('negative', 'neutral', 'positive')),
    p_negative REAL NOT NULL,
    p_neutral REAL NOT NULL,
    p_positive REAL NOT NULL,
    stress REAL NOT NULL,
    analyzer TEXT NOT NULL,
    analyzer_version TEXT NOT NULL
);
CREATE INDEX scores_author ON scores (author);
CREATE INDEX scores_channel_day ON scores (workspace, channel, day);
-- Platform event ids already handled, so retries are dropped early.
CREATE TABLE seen_events (
    event_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    action TEXT NOT NULL,
    actor TEXT,                        -- pseudonym, or 'system'
    subject TEXT,
    detail TEXT                        -- JSON
);
"""

V2_DIGESTS = """
-- Every digest or alert sent, one row per (team, ISO week, recipient, kind): the row is
-- claimed before sending and marked sent after, so nothing is sent twice.
CREATE TABLE deliveries (
    team TEXT NOT NULL,
    week TEXT NOT NULL,                 -- ISO week, e.g. 2026-W47
    recipient TEXT NOT NULL,            -- keyed hash of the recipient's platform user id
    kind TEXT NOT NULL CHECK (kind IN ('digest', 'alert')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_at REAL NOT NULL,
    sent_at REAL,
    error TEXT,
    PRIMARY KEY (team, week, recipient, kind)
);
-- Alerts that fired (team-level numbers only), for the cooldown and the audit.
CREATE TABLE alerts (
    team TEXT NOT NULL,
    week TEXT NOT NULL,
    rule TEXT NOT NULL,
    value REAL NOT NULL,
    baseline REAL NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (team, week, rule)
);
-- storage/weekly.py reads a channel's weeks from this index alone; the week is its WEEK_NUMBER.
CREATE INDEX scores_channel_week ON scores (
    channel, CAST((julianday(day) - 2451546.5) / 7 AS INTEGER), author,
    day, sentiment, p_positive, p_negative, stress
);
"""

V3_MODELS = """
-- Classifier versions (the model registry). A version's files stay in its directory; this
-- table says where they are, what they do and how they measured, and which one is active.
CREATE TABLE models (
    version TEXT PRIMARY KEY,           -- the id stored with every score
    path TEXT NOT NULL,                 -- the model directory
    tasks TEXT NOT NULL,                -- comma-separated, e.g. 'sentiment,stress'
    metrics TEXT NOT NULL DEFAULT '{}', -- JSON, the model card's val metrics
    created_at REAL NOT NULL,           -- unix seconds, when registered
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    activated_at REAL,                  -- when last promoted
    previous TEXT                       -- the version active before this one was promoted
);
-- At most one active version.
CREATE UNIQUE INDEX models_one_active ON models (active) WHERE active = 1;
"""

V4_WORKSPACES = """
-- Workspaces that removed the app (app_uninstalled, or its bot token revoked). The row stays
-- after the workspace's data is purged (purged_at), and goes when the app is seen working
-- there again. Only the workspace id: no person, no text.
CREATE TABLE removed_workspaces (
    workspace TEXT PRIMARY KEY,
    removed_at REAL NOT NULL,           -- unix seconds, when Teamweather was told
    reason TEXT NOT NULL CHECK (reason IN ('app_uninstalled', 'tokens_revoked')),
    purged_at REAL                      -- when its data was purged; NULL until then
);
"""

V5_SUGGESTIONS = """
-- The advice keys (analyzers/suggestions.py) each team's weekly digest carried, so that the
-- next digests do not repeat them. Team names, ISO weeks and keys only: nothing about a person.
CREATE TABLE suggestions (
    team TEXT NOT NULL,
    week TEXT NOT NULL,                 -- ISO week, e.g. 2026-W47
    advice TEXT NOT NULL,               -- a key of analyzers.suggestions.ADVICE
    PRIMARY KEY (team, week, advice)
);
"""

V6_CONVERSATIONS = """
-- Where the bot can reach a person privately on a platform that needs a conversation to exist
-- first (Teams: the personal chat's conversation reference), for digests and alerts. Keyed by
-- the platform-qualified user id; the reference is the platform's JSON (ids and the service
-- address: no message text, no name). workspace (the Teams tenant) lets a workspace purge
-- remove it.
CREATE TABLE conversations (
    user TEXT PRIMARY KEY,              -- platform-qualified, e.g. msteams:<aad object id>
    workspace TEXT NOT NULL,
    reference TEXT NOT NULL,            -- JSON
    updated_at REAL NOT NULL            -- unix seconds
);
CREATE INDEX conversations_workspace ON conversations (workspace);
"""

V7_CHANNEL_TEAMS = """
-- The Teams team an enrolled channel belongs to (storage/team_channels.py), so that removing
-- the app from a team turns off that team's channels and no other. A column of the enrolment,
-- not a table: it goes with the row at an opt-out, a workspace removal or a purge. NULL on
-- Slack, and for a Teams channel enrolled before this version until its team is seen.
ALTER TABLE channels ADD COLUMN team TEXT;
"""

V8_REVIEW = """
-- Messages flagged for HR review (issue [review]): the pseudonymised text a reviewer reads,
-- the model's predictions and the policy that chose it. Never raw text; author is the
-- pseudonym (per-author caps, forget-me), never shown to a reviewer. An unlabelled flag
-- expires (expires_at); a labelled one is kept until keep_until (retention), then purged.
-- Imported labels (labels import) are flags with policy 'import' and no author.
CREATE TABLE flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_key TEXT UNIQUE,            -- NULL for imported examples
    workspace TEXT NOT NULL,
    author TEXT,                        -- pseudonym; NULL for imported examples
    day TEXT NOT NULL,                  -- local date of the message, YYYY-MM-DD
    text TEXT NOT NULL,                 -- pseudonymised, never raw ('' once deleted)
    policy TEXT NOT NULL,               -- high_risk, uncertain, audit or import
    policy_detail TEXT NOT NULL,        -- JSON: the thresholds or rate that chose it
    sentiment TEXT,                     -- the model's prediction when flagged
    p_negative REAL, p_neutral REAL, p_positive REAL, stress REAL,
    model_version TEXT,
    source TEXT NOT NULL,               -- 'review' or 'import:<file name>'
    flagged_at REAL NOT NULL,
    expires_at REAL,                    -- unlabelled flags are deleted after this
    keep_until REAL,                    -- labelled ones after this
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'labelled', 'skipped', 'deleted')),
    post TEXT,                          -- JSON: where the review post is (platform ids)
    posted_at REAL
);
CREATE INDEX flags_author ON flags (author);
CREATE INDEX flags_workspace_time ON flags (workspace, flagged_at);
CREATE INDEX flags_unposted ON flags (posted_at) WHERE posted_at IS NULL;
-- One reviewer's labels for one flag (a second reviewer adds a row; the same reviewer
-- changing their mind updates theirs). reviewer is the reviewer's pseudonym; NULL when
-- imported.
CREATE TABLE labels (
    flag_id INTEGER NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    reviewer TEXT NOT NULL,             -- pseudonym, or 'import'
    sentiment TEXT CHECK (sentiment IN ('negative', 'neutral', 'positive')),
    stress INTEGER CHECK (stress IN (0, 1)),
    labelled_at REAL NOT NULL,
    PRIMARY KEY (flag_id, reviewer)
);
"""

V9_LEARNING = """
-- /mytraining (issue [mytraining]): a person's learning profile, the catalog items they started
-- or completed, their quiz results, and the one-time links to download their data. Keyed by
-- the author pseudonym the core already uses (never a platform id or a name); goal is free
-- text the caller pseudonymised. All of it goes with forget-me (storage/consent.erase_person)
-- and, through the workspace column, with a workspace purge.
CREATE TABLE learning_profiles (
    person TEXT PRIMARY KEY,            -- author pseudonym
    workspace TEXT NOT NULL,
    role TEXT,                          -- a role key of the learning roles file
    goal TEXT,                          -- pseudonymised free text, never raw
    wellbeing INTEGER NOT NULL DEFAULT 1 CHECK (wellbeing IN (0, 1)),  -- private nudges on (1) or off
    updated_at REAL NOT NULL            -- unix seconds
);
CREATE TABLE learning_items (
    person TEXT NOT NULL,
    workspace TEXT NOT NULL,
    item_id TEXT NOT NULL,              -- an id of the learning catalog
    status TEXT NOT NULL CHECK (status IN ('started', 'completed')),
    started_at REAL,                    -- NULL when completed without a start
    completed_at REAL,
    PRIMARY KEY (person, item_id)
);
CREATE INDEX learning_items_completed ON learning_items (workspace, completed_at);
CREATE TABLE quiz_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    workspace TEXT NOT NULL,
    item_id TEXT NOT NULL,
    correct INTEGER NOT NULL,
    total INTEGER NOT NULL,
    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
    at REAL NOT NULL
);
CREATE INDEX quiz_results_person ON quiz_results (person);
-- One-time links to download one's own data: only the SHA-256 of the token is stored, so the
-- database alone cannot be used to fetch anyone's data.
CREATE TABLE download_tokens (
    token_hash TEXT PRIMARY KEY,        -- sha256 hex of the token
    person TEXT NOT NULL,
    workspace TEXT NOT NULL,
    expires_at REAL NOT NULL            -- unix seconds
);
CREATE INDEX download_tokens_person ON download_tokens (person);
"""

V10_RETRACTIONS = """
-- A posted flag deleted for any reason (the message deleted or edited, forget-me, expiry, a
-- workspace purge) leaves where its review post is, so the review job can withdraw the post's
-- text from the review channel too. Ids of the post only (channel and ts, or conversation and
-- activity): no text, no person.
CREATE TABLE retractions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post TEXT NOT NULL,
    since REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER flags_posted_deleted AFTER DELETE ON flags WHEN OLD.post IS NOT NULL
BEGIN
    INSERT INTO retractions (post, since) VALUES (OLD.post, (julianday('now') - 2440587.5) * 86400.0);
END;
"""

MIGRATIONS: list[str] = [
    V1_INITIAL, V2_DIGESTS, V3_MODELS, V4_WORKSPACES, V5_SUGGESTIONS, V6_CONVERSATIONS, V7_CHANNEL_TEAMS,
    V8_REVIEW, V9_LEARNING, V10_RETRACTIONS,
]


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of migrations applied to ``db``."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> int:
    """Apply pending migrations, each in its own transaction; return the new version."""
    current = schema_version(db)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {current} is newer than this Teamweather "
            f"({len(MIGRATIONS)}); upgrade Teamweather"
        )
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        # executescript() commits any open transaction first, so the transaction (and the
        # version bump that marks the migration applied) is part of the script itself.
        try:
            db.conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise
    return len(MIGRATIONS)
