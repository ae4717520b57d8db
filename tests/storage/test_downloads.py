"""One-time download tokens: stored only as hashes, good once, until they expire."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import connect, downloads
from storage.db import checkpoint

ME, YOU = "author-me", "author-you"
WS = "T0TEST0001"


def rows(db: sqlite_utils.Database) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute("SELECT token_hash, person, workspace, expires_at FROM download_tokens")]


def test_a_token_is_redeemed_once_for_its_person_and_workspace(db: sqlite_utils.Database) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=1000.0)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    with db.conn:
        assert downloads.redeem(db, token, now=1001.0) == (ME, WS)
    assert rows(db) == []  # the row goes on redeem
    with db.conn:
        assert downloads.redeem(db, token, now=1002.0) is None


def test_tokens_are_random_and_independent(db: sqlite_utils.Database) -> None:
    with db.conn:
        first, second = downloads.issue(db, ME, WS, now=0.0), downloads.issue(db, ME, WS, now=0.0)
        yours = downloads.issue(db, YOU, "T0OTHER001", now=0.0)
    assert len({first, second, yours}) == 3
    with db.conn:
        assert downloads.redeem(db, second, now=1.0) == (ME, WS)
        assert downloads.redeem(db, yours, now=1.0) == (YOU, "T0OTHER001")
        assert downloads.redeem(db, first, now=1.0) == (ME, WS)


@pytest.mark.parametrize("late", [0.0, 0.001, 3600.0])
def test_an_expired_token_is_refused_and_deleted(db: sqlite_utils.Database, late: float) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=1000.0, ttl_s=60.0)
        assert downloads.redeem(db, token, now=1060.0 + late) is None
    assert rows(db) == []


def test_a_token_is_good_until_just_before_its_expiry(db: sqlite_utils.Database) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=1000.0, ttl_s=60.0)
        assert downloads.redeem(db, token, now=1059.999) == (ME, WS)


def test_issuing_deletes_expired_tokens_of_anyone(db: sqlite_utils.Database) -> None:
    with db.conn:
        downloads.issue(db, YOU, WS, now=0.0, ttl_s=10.0)
        alive = downloads.issue(db, YOU, WS, now=0.0, ttl_s=1000.0)
        downloads.issue(db, ME, WS, now=100.0)
    assert sorted(r[1] for r in rows(db)) == [ME, YOU]
    assert downloads.redeem(db, alive, now=101.0) == (YOU, WS)


def test_the_default_lifetime_is_ten_minutes(db: sqlite_utils.Database) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=0.0)
    assert rows(db)[0][3] == 600.0
    assert downloads.redeem(db, token, now=600.0) is None


def test_only_the_tokens_hash_is_stored_not_the_token(tmp_path: Path, db: sqlite_utils.Database) -> None:
    path = tmp_path / "teamweather.db"  # the conftest ``db``
    with db.conn:
        tokens = [downloads.issue(db, ME, WS, now=0.0) for _ in range(5)]
    hashes = {r[0] for r in rows(db)}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    on_disk = b"".join(f.read_bytes() for f in tmp_path.glob("teamweather.db*"))
    assert tokens and not any(t.encode() in on_disk for t in tokens)  # neither in the file nor its log
    assert checkpoint(db)
    assert not any(t.encode() in path.read_bytes() for t in tokens)
    assert all(h.encode() in path.read_bytes() for h in hashes)  # the read does see what is stored


GARBAGE: list[Any] = [
    None, 0, 1.5, b"bytes", bytearray(b"x" * 43), ["list"], {"a": 1}, object(), True,
    "", " ", "x", "A" * 42, "A" * 44, "A" * 43 + "\n", "\n" + "A" * 42, "A" * 42 + "=", "A" * 42 + "+",
    "A" * 42 + "/", "\ud800" * 43, "é" * 43, "\x00" * 43, "A" * 10_000_000, "' OR 1=1 --",
    "%" * 43,
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: f"{type(g).__name__}:{len(g) if hasattr(g, '__len__') else '-'}")
def test_garbage_is_refused_without_raising(db: sqlite_utils.Database, garbage: Any) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=0.0)
    assert downloads.redeem(db, garbage, now=1.0) is None
    assert downloads.redeem(db, token, now=1.0) == (ME, WS)  # the real one still works


def test_a_near_miss_of_a_real_token_is_refused(db: sqlite_utils.Database) -> None:
    with db.conn:
        token = downloads.issue(db, ME, WS, now=0.0)
    flipped = ("B" if token[0] == "A" else "A") + token[1:]
    for near in (flipped, token.upper() if token.upper() != token else token.lower(), token[:-1], token + "A",
                 f" {token}", f"{token} ", hashlib.sha256(token.encode()).hexdigest()):
        assert downloads.redeem(db, near, now=1.0) is None
    assert downloads.redeem(db, token, now=1.0) == (ME, WS)


@pytest.fixture(scope="module")
def garbage_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    """One database for every generated example (hypothesis runs the test many times)."""
    db = connect(tmp_path_factory.mktemp("garbage") / "t.db")
    with db.conn:
        downloads.issue(db, ME, WS, now=0.0, ttl_s=1e9)
    yield db
    db.close()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="ABCxyz019_-", min_size=43, max_size=43), st.binary(),
                 st.integers(), st.floats(), st.none(), st.lists(st.text())))
def test_any_input_is_refused_without_raising(garbage_db: sqlite_utils.Database, garbage: Any) -> None:
    assert downloads.redeem(garbage_db, garbage, now=1.0) is None


def test_erase_deletes_only_the_persons_tokens(db: sqlite_utils.Database) -> None:
    with db.conn:
        mine = [downloads.issue(db, ME, WS, now=0.0) for _ in range(2)]
        yours = downloads.issue(db, YOU, WS, now=0.0)
        assert downloads.erase(db, ME) == 2
        assert downloads.erase(db, ME) == 0
    assert all(downloads.redeem(db, t, now=1.0) is None for t in mine)
    assert downloads.redeem(db, yours, now=1.0) == (YOU, WS)


def test_nothing_commits_on_its_own(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError), db.conn:
        token = downloads.issue(db, ME, WS, now=0.0)
        raise RuntimeError("the caller's transaction fails")
    assert rows(db) == []
    assert downloads.redeem(db, token, now=1.0) is None
    with db.conn:
        token = downloads.issue(db, ME, WS, now=0.0)
    with pytest.raises(RuntimeError), db.conn:
        assert downloads.redeem(db, token, now=1.0) == (ME, WS)
        raise RuntimeError("the download failed before the caller committed")
    assert downloads.redeem(db, token, now=1.0) == (ME, WS)  # rolled back: still good once
