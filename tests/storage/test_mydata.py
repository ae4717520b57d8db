"""The "my data" export: everything stored under one pseudonym, and nothing of anyone else's."""

from __future__ import annotations

import json
import time

import sqlite_utils

from storage import audit, consent, downloads, inbox, learning, mydata, review, scores

ME, YOU = "author-me", "author-you"
REVIEWER_A, REVIEWER_B = "reviewer-pseudonym-a", "reviewer-pseudonym-b"
WS = "T0TEST0001"


def score(db: sqlite_utils.Database, key: str, author: str, day: str, *, stress: float = 0.3,
          sentiment: str = "neutral") -> None:
    scores.save(db, scores.Score(key, WS, "C1", author, day, sentiment, 0.1, 0.7, 0.2, stress, "lexicon", "lex:1"))


def flag(db: sqlite_utils.Database, key: str, author: str, text: str, now: float) -> int:
    flag_id = review.add(db, message_key=key, workspace=WS, author=author, day="2026-11-20", text=text,
                         policy="high_risk", policy_detail={"threshold": 0.8}, sentiment="negative",
                         probs=(0.8, 0.15, 0.05), stress=0.9, model_version="m:v2", now=now, ttl_s=1e6)
    assert flag_id is not None
    return flag_id


def plant(db: sqlite_utils.Database) -> dict[str, int]:
    """Two people with a bit of everything; each reviews the other's flag."""
    with db.conn:
        score(db, "me-2", ME, "2026-11-02", stress=0.8, sentiment="negative")
        score(db, "me-1", ME, "2026-11-01")
        score(db, "me-3", ME, "2026-11-05")
        score(db, "you-1", YOU, "2026-10-01")
        inbox.put(db, message_key="me-p", workspace=WS, channel="C1", author=ME, day="2026-11-06",
                  text="my pending wordzapple", now=1.0)
        inbox.put(db, message_key="you-p1", workspace=WS, channel="C1", author=YOU, day="2026-11-06",
                  text="your pending wordquince", now=1.0)
        inbox.put(db, message_key="you-p2", workspace=WS, channel="C1", author=YOU, day="2026-11-06",
                  text="your other wordquince", now=1.0)
        mine = flag(db, "me-2", ME, "<person> is drowning in tickets", 100.0)
        mine_deleted = flag(db, "me-9", ME, "<person> said something", 90.0)
        yours = flag(db, "you-1", YOU, "your flagged wordpear", 50.0)
        review.add_imported(db, text="imported example wordplum", sentiment="neutral", stress=False,
                            source="import:x.csv", now=1.0, keep_until=9e9)
        review.label(db, mine, REVIEWER_A, now=200.0, keep_until=9e9, sentiment="negative", stress=True)
        review.label(db, mine, YOU, now=210.0, keep_until=9e9, sentiment="neutral")
        review.label(db, yours, REVIEWER_B, now=220.0, keep_until=9e9, stress=False)
        review.label(db, yours, ME, now=230.0, keep_until=9e9, sentiment="positive")
        review.erase_text(db, mine_deleted)
        learning.set_role(db, ME, WS, "backend-engineer", 10.0)
        learning.set_goal(db, ME, WS, "lead <person>'s platform team", 11.0)
        learning.start(db, ME, WS, "k8s-basics", 12.0)
        learning.complete(db, ME, WS, "sql-joins", 13.0)
        learning.start(db, ME, WS, "incident-101", 14.0)
        learning.complete(db, ME, WS, "incident-101", 15.0)
        learning.record_quiz(db, ME, WS, "sql-joins", 2, 3, True, 16.0)
        learning.set_goal(db, YOU, WS, "your goal wordfig", 11.0)
        learning.complete(db, YOU, WS, "you-only-item", 13.0)
        learning.record_quiz(db, YOU, WS, "you-only-item", 0, 3, False, 16.0)
        downloads.issue(db, ME, WS, now=1.0)
        consent.set_person_status(db, ME, "paused", 300.0)
        audit.record(db, "person_paused", actor=ME, at=300.0)
        audit.record(db, "review_label", actor=ME, subject=str(yours), detail={"choice": "positive"}, at=230.0)
        audit.record(db, "person_paused", actor=YOU, at=301.0, detail={"note": "wordkiwi"})
        audit.record(db, "channel_enrolled", actor="admin-pseudonym", subject="C1", at=1.0)
    return {"mine": mine, "yours": yours}


def test_collect_holds_the_persons_rows(db: sqlite_utils.Database) -> None:
    plant(db)
    before = time.time()
    data = mydata.collect(db, ME)
    assert data["schema"] == "teamweather-mydata/1"
    assert before <= data["generated_at"] <= time.time()
    assert [s["day"] for s in data["scores"]] == ["2026-11-01", "2026-11-02", "2026-11-05"]
    assert data["scores"][1] == {
        "day": "2026-11-02", "workspace": WS, "channel": "C1", "sentiment": "negative", "p_negative": 0.1,
        "p_neutral": 0.7, "p_positive": 0.2, "stress": 0.8, "analyzer": "lexicon", "analyzer_version": "lex:1"}
    assert data["pending"] == 1
    deleted, flagged = data["flags"]  # by flag time
    assert flagged == {
        "flagged_at": 100.0, "day": "2026-11-20", "workspace": WS, "text": "<person> is drowning in tickets",
        "policy": "high_risk", "status": "labelled",
        "model": {"sentiment": "negative", "p_negative": 0.8, "p_neutral": 0.15, "p_positive": 0.05, "stress": 0.9,
                  "version": "m:v2"},
        "labels": [{"sentiment": "negative", "stress": True, "at": 200.0},
                   {"sentiment": "neutral", "stress": None, "at": 210.0}],
    }
    assert (deleted["text"], deleted["status"], deleted["labels"]) == ("", "deleted", [])
    assert data["learning"] == {
        "profile": {"role": "backend-engineer", "goal": "lead <person>'s platform team", "wellbeing": True,
                    "updated_at": 11.0},
        "progress": [
            {"item_id": "k8s-basics", "status": "started", "started_at": 12.0, "completed_at": None},
            {"item_id": "sql-joins", "status": "completed", "started_at": None, "completed_at": 13.0},
            {"item_id": "incident-101", "status": "completed", "started_at": 14.0, "completed_at": 15.0},
        ],
        "quizzes": [{"item_id": "sql-joins", "correct": 2, "total": 3, "passed": True, "at": 16.0}],
    }
    assert data["consent"] == {
        "status": "paused", "since": 300.0,
        "events": [{"event": "person_paused", "at": 300.0, "detail": {}},
                   {"event": "review_label", "at": 230.0, "detail": {"choice": "positive"}}],
    }


def test_collect_holds_nothing_of_anyone_else(db: sqlite_utils.Database) -> None:
    plant(db)
    exported = json.dumps(mydata.collect(db, ME))  # plain JSON-able data
    for someone_elses in (YOU, REVIEWER_A, REVIEWER_B, "admin-pseudonym", "wordquince", "wordpear", "wordplum",
                          "wordfig", "wordkiwi", "you-only-item", "2026-10-01"):
        assert someone_elses not in exported, someone_elses
    # Not even the person's own pending text, nor message keys (hashes that locate messages).
    for hidden in ("wordzapple", "me-1", "me-2", "me-p"):
        assert hidden not in exported, hidden
    theirs = mydata.collect(db, YOU)
    assert [s["day"] for s in theirs["scores"]] == ["2026-10-01"]
    assert theirs["pending"] == 2
    [their_flag] = theirs["flags"]
    assert their_flag["text"] == "your flagged wordpear"
    assert their_flag["labels"] == [{"sentiment": None, "stress": False, "at": 220.0},
                                    {"sentiment": "positive", "stress": None, "at": 230.0}]
    assert ME not in json.dumps(theirs) and REVIEWER_B not in json.dumps(theirs)


def test_labels_in_the_export_carry_no_reviewer(db: sqlite_utils.Database) -> None:
    plant(db)
    for person in (ME, YOU):
        for exported_flag in mydata.collect(db, person)["flags"]:
            for exported_label in exported_flag["labels"]:
                assert set(exported_label) == {"sentiment", "stress", "at"}


def test_someone_with_nothing_stored_gets_an_empty_export(db: sqlite_utils.Database) -> None:
    plant(db)
    data = mydata.collect(db, "author-nobody")
    assert (data["scores"], data["pending"], data["flags"]) == ([], 0, [])
    assert data["learning"] == {
        "profile": {"role": None, "goal": None, "wellbeing": True, "updated_at": None}, "progress": [], "quizzes": []}
    assert data["consent"] == {"status": "collecting", "since": None, "events": []}
    assert mydata.summary(data) == {
        "scores": 0, "first_day": None, "last_day": None, "flags": 0, "labels": 0, "pending": 0,
        "items_completed": 0, "items_started": 0, "quizzes": 0, "consent_status": "collecting"}


def test_summary_counts(db: sqlite_utils.Database) -> None:
    plant(db)
    assert mydata.summary(mydata.collect(db, ME)) == {
        "scores": 3, "first_day": "2026-11-01", "last_day": "2026-11-05", "flags": 2, "labels": 2, "pending": 1,
        "items_completed": 2, "items_started": 1, "quizzes": 1, "consent_status": "paused"}
    assert mydata.summary(json.loads(json.dumps(mydata.collect(db, YOU))))["labels"] == 2  # works on parsed JSON


def test_after_forget_me_only_the_consent_record_is_left(db: sqlite_utils.Database) -> None:
    plant(db)
    with db.conn:
        consent.erase_person(db, ME)
        audit.anonymise_actor(db, ME)
        consent.set_person_status(db, ME, "forgotten", 400.0)
        audit.record(db, "person_forgotten", actor=ME, at=400.0)
    data = mydata.collect(db, ME)
    assert mydata.summary(data) == {
        "scores": 0, "first_day": None, "last_day": None, "flags": 0, "labels": 0, "pending": 0,
        "items_completed": 0, "items_started": 0, "quizzes": 0, "consent_status": "forgotten"}
    assert data["consent"]["events"] == [{"event": "person_forgotten", "at": 400.0, "detail": {}}]
    assert mydata.summary(mydata.collect(db, YOU))["scores"] == 1  # the other person's data stays


def test_messages_analysed_counts_the_persons_scores_since_the_day(db: sqlite_utils.Database) -> None:
    plant(db)
    assert mydata.messages_analysed(db, ME, "2026-11-02") == 2
    assert mydata.messages_analysed(db, ME, "2000-01-01") == 3
    assert mydata.messages_analysed(db, ME, "2026-11-06") == 0
    assert mydata.messages_analysed(db, YOU, "2026-11-01") == 0
    assert mydata.messages_analysed(db, "author-nobody", "2000-01-01") == 0


def test_collect_writes_nothing(db: sqlite_utils.Database) -> None:
    plant(db)
    mydata.collect(db, ME)
    assert not db.conn.in_transaction
