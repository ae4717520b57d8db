"""Learning profiles, progress and quiz results in SQLite (issue [mytraining])."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from storage import connect, consent, downloads, learning, scores

ME, YOU = "author-me", "author-you"
WS, OTHER_WS = "T0TEST0001", "T0OTHER001"


def count(db: sqlite_utils.Database, table: str, person: str | None = None) -> int:
    if person is None:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    return int(db.execute(f"SELECT count(*) FROM {table} WHERE person = ?", (person,)).fetchone()[0])


# -- profile -----------------------------------------------------------------------------------


def test_a_profile_has_defaults_when_nothing_is_stored(db: sqlite_utils.Database) -> None:
    assert learning.profile(db, ME) == learning.StoredProfile(ME, None, None, True, None)
    assert count(db, "learning_profiles") == 0  # reading creates nothing


def test_each_setter_changes_its_field_and_keeps_the_others(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.set_role(db, ME, WS, "backend-engineer", 10.0)
    assert learning.profile(db, ME) == learning.StoredProfile(ME, "backend-engineer", None, True, 10.0)
    with db.conn:
        learning.set_goal(db, ME, WS, "lead <person>'s team", 20.0)
        learning.set_wellbeing(db, ME, WS, False, 30.0)
    assert learning.profile(db, ME) == learning.StoredProfile(ME, "backend-engineer", "lead <person>'s team", False, 30.0)
    with db.conn:
        learning.set_role(db, ME, WS, None, 40.0)
        learning.set_wellbeing(db, ME, WS, True, 41.0)
    assert learning.profile(db, ME) == learning.StoredProfile(ME, None, "lead <person>'s team", True, 41.0)
    with db.conn:
        learning.set_goal(db, ME, WS, None, 50.0)
    assert learning.profile(db, ME) == learning.StoredProfile(ME, None, None, True, 50.0)
    assert learning.profile(db, YOU) == learning.StoredProfile(YOU)
    assert count(db, "learning_profiles") == 1


def test_a_new_profile_with_wellbeing_off_has_it_off(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.set_wellbeing(db, ME, WS, False, 1.0)
    assert learning.profile(db, ME).wellbeing is False
    assert learning.profile(db, ME).role is None


def test_a_profiles_repr_leaves_the_goal_out(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.set_goal(db, ME, WS, "secret-ish goal words", 1.0)
    assert "secret-ish" not in repr(learning.profile(db, ME))


# -- progress ----------------------------------------------------------------------------------


def test_start_twice_is_refused_and_keeps_the_first_time(db: sqlite_utils.Database) -> None:
    with db.conn:
        assert learning.start(db, ME, WS, "k8s-basics", 10.0) is True
        assert learning.start(db, ME, WS, "k8s-basics", 20.0) is False
    assert learning.progress(db, ME) == {"k8s-basics": "started"}
    assert db.execute("SELECT started_at, completed_at FROM learning_items").fetchone() == (10.0, None)


def test_complete_after_start_and_twice(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.start(db, ME, WS, "k8s-basics", 10.0)
        assert learning.complete(db, ME, WS, "k8s-basics", 20.0) is True
        assert learning.complete(db, ME, WS, "k8s-basics", 30.0) is False
        assert learning.start(db, ME, WS, "k8s-basics", 40.0) is False  # a completed item is not restarted
    assert learning.progress(db, ME) == {"k8s-basics": "completed"}
    assert db.execute("SELECT status, started_at, completed_at FROM learning_items").fetchone() == ("completed", 10.0, 20.0)


def test_complete_works_without_a_start(db: sqlite_utils.Database) -> None:
    with db.conn:
        assert learning.complete(db, ME, WS, "sql-joins", 5.0) is True
    assert learning.progress(db, ME) == {"sql-joins": "completed"}
    assert db.execute("SELECT started_at, completed_at FROM learning_items").fetchone() == (None, 5.0)


def test_progress_is_the_persons_own_in_the_order_moved_on(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.start(db, ME, WS, "b", 1.0)
        learning.start(db, ME, WS, "a", 2.0)
        learning.complete(db, ME, WS, "b", 3.0)
        learning.start(db, YOU, WS, "c", 1.0)
    assert list(learning.progress(db, ME).items()) == [("a", "started"), ("b", "completed")]
    assert learning.progress(db, YOU) == {"c": "started"}
    assert learning.progress(db, "nobody") == {}


def test_a_status_outside_the_two_is_refused_by_the_schema(db: sqlite_utils.Database) -> None:
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        with db.conn:
            db.conn.execute("INSERT INTO learning_items (person, workspace, item_id, status) VALUES ('p', 'w', 'i', 'done')")


# -- quizzes -----------------------------------------------------------------------------------


def test_quiz_results_are_the_persons_own_oldest_first(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.record_quiz(db, ME, WS, "k8s-basics", 2, 4, False, 20.0)
        learning.record_quiz(db, ME, WS, "k8s-basics", 4, 4, True, 30.0)
        learning.record_quiz(db, ME, WS, "sql-joins", 3, 5, True, 10.0)
        learning.record_quiz(db, YOU, WS, "sql-joins", 0, 5, False, 15.0)
    assert learning.quiz_results(db, ME) == [
        learning.QuizResult("sql-joins", 3, 5, True, 10.0),
        learning.QuizResult("k8s-basics", 2, 4, False, 20.0),
        learning.QuizResult("k8s-basics", 4, 4, True, 30.0),
    ]
    assert [q.passed for q in learning.quiz_results(db, YOU)] == [False]
    assert learning.quiz_results(db, "nobody") == []


@pytest.mark.parametrize(("correct", "total"), [(-1, 3), (4, 3), (0, -1)])
def test_an_impossible_quiz_result_is_refused(db: sqlite_utils.Database, correct: int, total: int) -> None:
    with pytest.raises(ValueError):
        learning.record_quiz(db, ME, WS, "x", correct, total, False, 1.0)
    assert count(db, "quiz_results") == 0


# -- completions -------------------------------------------------------------------------------


def test_completions_are_those_of_the_workspace_in_the_half_open_window(db: sqlite_utils.Database) -> None:
    with db.conn:
        learning.complete(db, ME, WS, "before", 99.0)
        learning.complete(db, ME, WS, "first", 100.0)  # since is included
        learning.complete(db, YOU, WS, "second", 150.0)
        learning.complete(db, ME, WS, "at-until", 200.0)  # until is not
        learning.complete(db, ME, OTHER_WS, "elsewhere", 150.0)
        learning.start(db, ME, WS, "only-started", 150.0)
    assert learning.completions(db, WS, 100.0, 200.0) == [(ME, "first"), (YOU, "second")]
    assert learning.completions(db, WS, 100.0, 200.0, people=[YOU]) == [(YOU, "second")]
    assert learning.completions(db, WS, 100.0, 200.0, people={ME, "nobody"}) == [(ME, "first")]
    assert learning.completions(db, WS, 100.0, 200.0, people=[]) == []
    assert learning.completions(db, OTHER_WS, 0.0, 1e12) == [(ME, "elsewhere")]


def test_completions_for_more_people_than_sql_has_variables(db: sqlite_utils.Database) -> None:
    people = [f"author-{i}" for i in range(40_000)]
    with db.conn:
        learning.complete(db, people[-1], WS, "item", 10.0)
        learning.complete(db, "not-asked", WS, "item", 10.0)
    assert learning.completions(db, WS, 0.0, 20.0, people=people) == [(people[-1], "item")]


# -- stress by day -----------------------------------------------------------------------------


def score(db: sqlite_utils.Database, key: str, author: str, day: str, stress: float) -> None:
    scores.save(db, scores.Score(key, WS, "C1", author, day, "neutral", 0.2, 0.6, 0.2, stress, "lexicon", "1"))


def test_stress_by_day_is_the_persons_scores_since_the_day(db: sqlite_utils.Database) -> None:
    with db.conn:
        score(db, "k1", ME, "2026-11-01", 0.9)
        score(db, "k2", ME, "2026-11-03", 0.2)
        score(db, "k3", ME, "2026-11-02", 0.4)
        score(db, "k4", ME, "2026-11-02", 0.5)
        score(db, "k5", YOU, "2026-11-03", 0.7)
    assert learning.stress_by_day(db, ME, "2026-11-02") == [("2026-11-02", 0.4), ("2026-11-02", 0.5), ("2026-11-03", 0.2)]
    assert learning.stress_by_day(db, ME, "2026-12-01") == []
    assert learning.stress_by_day(db, "nobody", "2000-01-01") == []


# -- transactions and erasure ------------------------------------------------------------------


def test_nothing_commits_on_its_own(db: sqlite_utils.Database, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), db.conn:
        learning.set_goal(db, ME, WS, "goal", 1.0)
        learning.start(db, ME, WS, "a", 1.0)
        learning.complete(db, ME, WS, "b", 1.0)
        learning.record_quiz(db, ME, WS, "b", 1, 1, True, 1.0)
        raise RuntimeError("the caller's transaction fails")
    assert learning.profile(db, ME) == learning.StoredProfile(ME)
    assert learning.progress(db, ME) == {} and learning.quiz_results(db, ME) == []
    # Written but not committed: another connection does not see it.
    learning.start(db, ME, WS, "a", 1.0)
    other = connect(tmp_path / "teamweather.db")
    try:
        assert learning.progress(other, ME) == {}
        db.conn.commit()
        assert learning.progress(other, ME) == {"a": "started"}
    finally:
        other.close()


def plant(db: sqlite_utils.Database, person: str) -> None:
    learning.set_role(db, person, WS, "backend-engineer", 1.0)
    learning.start(db, person, WS, "a", 1.0)
    learning.complete(db, person, WS, "b", 2.0)
    learning.record_quiz(db, person, WS, "b", 3, 4, True, 2.0)
    learning.record_quiz(db, person, WS, "b", 4, 4, True, 3.0)


def test_erase_deletes_the_persons_rows_in_all_three_tables_and_only_theirs(db: sqlite_utils.Database) -> None:
    with db.conn:
        plant(db, ME)
        plant(db, YOU)
        assert learning.erase(db, ME) == 1 + 2 + 2
        assert learning.erase(db, ME) == 0
    for table in ("learning_profiles", "learning_items", "quiz_results"):
        assert count(db, table, ME) == 0
        assert count(db, table, YOU) > 0
    assert learning.profile(db, ME) == learning.StoredProfile(ME)


def test_forget_me_erases_learning_rows_and_download_tokens(db: sqlite_utils.Database) -> None:
    with db.conn:
        plant(db, ME)
        plant(db, YOU)
        mine = downloads.issue(db, ME, WS, now=1.0)
        downloads.issue(db, ME, WS, now=1.0)
        yours = downloads.issue(db, YOU, WS, now=1.0)
        score(db, "k1", ME, "2026-11-01", 0.5)
        erased = consent.erase_person(db, ME)
    assert erased == {"scores": 1, "inbox": 0, "flags": 0, "learning": 5, "downloads": 2}
    assert sum(erased.values()) == 8  # what forget-me reports as the total
    for table in ("learning_profiles", "learning_items", "quiz_results", "download_tokens"):
        assert count(db, table, ME) == 0
        assert count(db, table, YOU) > 0
    assert downloads.redeem(db, mine, now=2.0) is None
    assert downloads.redeem(db, yours, now=2.0) == (YOU, WS)


def test_a_workspace_purge_takes_the_learning_tables_too(db: sqlite_utils.Database) -> None:
    from storage import workspaces

    with db.conn:
        plant(db, ME)
        downloads.issue(db, ME, WS, now=1.0)
        learning.set_role(db, YOU, OTHER_WS, "designer", 1.0)
        counts = workspaces.purge_workspace(db, WS)
    assert {t: counts[t] for t in ("learning_profiles", "learning_items", "quiz_results", "download_tokens")} == {
        "learning_profiles": 1, "learning_items": 2, "quiz_results": 2, "download_tokens": 1}
    assert learning.profile(db, YOU).role == "designer"
