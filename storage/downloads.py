"""One-time links to download one's own data ("my data", issue [mytraining]).

A token is 32 random bytes, URL-safe base64 (43 characters). Only its SHA-256 is stored, so
neither the database file nor a backup of it can be used to fetch anyone's data; a token is
good once, until it expires. Callers own the transaction (``with db.conn:``): nothing here
commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlite_utils

__all__ = ["TOKEN_BYTES", "issue", "redeem", "erase"]

TOKEN_BYTES = 32
# What secrets.token_urlsafe(TOKEN_BYTES) returns: unpadded URL-safe base64.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{%d}" % len(secrets.token_urlsafe(TOKEN_BYTES)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(db: sqlite_utils.Database, person: str, workspace: str, now: float, ttl_s: float = 600.0) -> str:
    """A new one-time token for the person's data, good for ``ttl_s`` seconds; expired tokens
    (anyone's) are deleted on the way. Only the token's hash is stored: hand the returned
    token to the person and keep no copy."""
    db.conn.execute("DELETE FROM download_tokens WHERE expires_at <= ?", (now,))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.conn.execute(
        "INSERT INTO download_tokens (token_hash, person, workspace, expires_at) VALUES (?, ?, ?, ?)",
        (_digest(token), person, workspace, now + ttl_s),
    )
    return token


def redeem(db: sqlite_utils.Database, token: str, now: float) -> tuple[str, str] | None:
    """(person, workspace) for a valid token, once: the token is deleted. None for an unknown,
    already used, expired or malformed token (anything that is not one of ours, of any type or
    length: this never raises on bad input)."""
    if not isinstance(token, str) or _TOKEN.fullmatch(token) is None:
        return None
    digest = _digest(token)
    row = db.execute(
        "SELECT person, workspace, expires_at FROM download_tokens WHERE token_hash = ?", (digest,)
    ).fetchone()
    if row is None:
        return None
    # Deleting is what redeems: of two connections redeeming the same token, one deletes it.
    if db.conn.execute("DELETE FROM download_tokens WHERE token_hash = ?", (digest,)).rowcount != 1:
        return None
    person, workspace, expires_at = row
    if float(expires_at) <= now:
        return None
    return str(person), str(workspace)


def erase(db: sqlite_utils.Database, person: str) -> int:
    """Delete the person's unused tokens; how many."""
    return db.conn.execute("DELETE FROM download_tokens WHERE person = ?", (person,)).rowcount
