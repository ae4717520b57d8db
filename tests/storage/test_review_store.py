"""Flags and labels in SQLite: consensus, pairs, expiry, retention and erasure."""

from __future__ import annotations

import pytest

from storage import connect, consent, review

DAY = 86_400.0


def flag(db, key: str, *, author: str = "p1", now: float = 1000.0, ttl: float = 14 * DAY) -> int:
    flag_id = review.add(db, message_key=key, workspace="T1", author=author, day="2026-11-20", text=f"text {key}",
                         policy="uncertain", policy_detail={"margin": 0.05}, sentiment="neutral",
                         probs=(0.3, 0.4, 0.3), stress=0.5, model_version="m:v1", now=now, ttl_s=ttl)
    assert flag_id is not None
    return flag_id


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "t.db")
    yield database
    database.close()


def test_a_reviewer_answers_both_tasks_in_two_presses(db):
    with db.conn:
        f = flag(db, "m1")
        review.label(db, f, "r1", now=2000.0, keep_until=9e9, sentiment="negative")
        review.label(db, f, "r1", now=2001.0, keep_until=9e9, stress=True)
    [label] = review.labels_for(db, f)
    assert (label.reviewer, label.sentiment, label.stress) == ("r1", "negative", True)
    got = review.get(db, f)
    assert got is not None and got.status == "labelled" and got.expires_at is None


def test_consensus_is_the_majority_and_a_tie_goes_to_the_latest(db):
    with db.conn:
        a, b = flag(db, "a"), flag(db, "b")
        review.label(db, a, "r1", now=1, keep_until=9e9, sentiment="negative", stress=True)
        review.label(db, a, "r2", now=2, keep_until=9e9, sentiment="neutral", stress=True)
        review.label(db, a, "r3", now=3, keep_until=9e9, sentiment="negative", stress=False)
        review.label(db, b, "r1", now=4, keep_until=9e9, sentiment="positive")
        review.label(db, b, "r2", now=5, keep_until=9e9, sentiment="neutral")
    got = {f.flag_id: f for f in review.labelled_flags(db)}
    assert (got[a].sentiment, got[a].stress) == ("negative", True)
    assert (got[b].sentiment, got[b].stress) == ("neutral", None)
    assert got[a].reviewers == ("r1", "r2", "r3")


def test_reviewer_pairs_take_the_first_two_answers_per_flag(db):
    with db.conn:
        a, b, c = flag(db, "a"), flag(db, "b"), flag(db, "c")
        review.label(db, a, "r1", now=1, keep_until=9e9, sentiment="negative")
        review.label(db, a, "r2", now=2, keep_until=9e9, sentiment="neutral")
        review.label(db, b, "r2", now=3, keep_until=9e9, sentiment="positive", stress=False)
        review.label(db, b, "r1", now=4, keep_until=9e9, sentiment="positive")
        review.label(db, c, "r1", now=5, keep_until=9e9, sentiment="neutral")
    assert review.reviewer_pairs(db, "sentiment") == [("negative", "neutral"), ("positive", "positive")]
    assert review.reviewer_pairs(db, "stress") == []


def test_unlabelled_flags_expire_and_labelled_ones_are_kept_for_their_retention(db):
    with db.conn:
        old = flag(db, "old", now=0.0, ttl=10.0)
        kept = flag(db, "kept", now=0.0, ttl=10.0)
        review.label(db, kept, "r1", now=5.0, keep_until=100.0, sentiment="neutral")
        fresh = flag(db, "fresh", now=0.0, ttl=1000.0)
        assert review.purge(db, 50.0) == {"flags_expired": 1, "labels_retired": 0}
    assert review.get(db, old) is None and review.get(db, kept) is not None and review.get(db, fresh) is not None
    with db.conn:
        assert review.purge(db, 101.0) == {"flags_expired": 0, "labels_retired": 1}
    assert review.get(db, kept) is None and review.labels_for(db, kept) == []


def test_forget_me_erases_the_persons_flags_and_their_labels(db):
    with db.conn:
        mine = flag(db, "mine", author="p1")
        theirs = flag(db, "theirs", author="p2")
        review.label(db, mine, "r1", now=1, keep_until=9e9, sentiment="neutral")
        erased = consent.erase_person(db, "p1")
    assert erased["flags"] == 1
    assert review.get(db, mine) is None and review.labels_for(db, mine) == []
    assert review.get(db, theirs) is not None


def test_a_deleted_message_takes_its_flag_with_it(db):
    with db.conn:
        f = flag(db, "m1")
        assert review.delete_message(db, "m1")
    assert review.get(db, f) is None


def test_deleting_the_text_blanks_it_drops_labels_and_refuses_new_ones(db):
    with db.conn:
        f = flag(db, "m1")
        review.label(db, f, "r1", now=1, keep_until=9e9, sentiment="neutral")
        assert review.erase_text(db, f)
        assert not review.label(db, f, "r2", now=2, keep_until=9e9, sentiment="negative")
    got = review.get(db, f)
    assert got is not None and (got.text, got.status) == ("", "deleted")
    assert review.labels_for(db, f) == []
    assert review.labelled_flags(db) == []


def test_an_imported_example_is_labelled_and_never_posted(db):
    with db.conn:
        f = review.add_imported(db, text="so tired of this", sentiment="negative", stress=True,
                                source="import:old.csv", now=10.0, keep_until=9e9)
    assert review.unposted(db) == []
    [example] = review.labelled_flags(db)
    assert (example.flag_id, example.sentiment, example.stress, example.source) == (f, "negative", True, "import:old.csv")


def test_unposted_flags_are_open_ones_not_yet_posted(db):
    with db.conn:
        a, b, c = flag(db, "a"), flag(db, "b"), flag(db, "c")
        review.mark_posted(db, a, {"channel": "C1", "ts": "1.2"}, 5.0)
        review.skip(db, c)
    assert [f.id for f in review.unposted(db)] == [b]
    posted = review.get(db, a)
    assert posted is not None and posted.post == {"channel": "C1", "ts": "1.2"}


def test_a_flag_never_shows_its_text_in_repr(db):
    with db.conn:
        f = flag(db, "secret")
    assert "text secret" not in repr(review.get(db, f))


def test_every_way_a_posted_flag_goes_leaves_its_post_to_withdraw(db):
    """The review channel must not keep words the database erased: each posted flag deleted,
    however, leaves where its post is (ids only), and an unposted one leaves nothing."""
    with db.conn:
        ids = {key: flag(db, key, author=f"a-{key}", ttl=DAY) for key in ("deleted", "forgotten", "expired", "unposted")}
        for key in ("deleted", "forgotten", "expired"):
            review.mark_posted(db, ids[key], {"channel": "CREVIEW", "ts": f"1.{ids[key]}"}, 5.0)
        review.delete_message(db, "deleted")
        consent.erase_person(db, "a-forgotten")
        review.purge(db, 1000.0 + 2 * DAY)  # "expired" and "unposted" expire
    posts = review.withdrawn(db)
    assert [post for _, post in posts] == [{"channel": "CREVIEW", "ts": f"1.{ids[k]}"}
                                          for k in ("deleted", "forgotten", "expired")]
    assert "text " not in str(db.execute("SELECT * FROM retractions").fetchall())
    first, _ = posts[0]
    with db.conn:
        review.retracted(db, first)
        assert not review.retraction_failed(db, posts[1][0], max_attempts=2)
        assert review.retraction_failed(db, posts[1][0], max_attempts=2)  # given up
    assert [post for _, post in review.withdrawn(db)] == [posts[2][1]]
