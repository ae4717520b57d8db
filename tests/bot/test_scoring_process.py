"""Scoring in a child process at low priority: it scores what the inbox holds, reports its
state to the parent, starts with a clear error, and never outlives a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from analyzers.lexicon import LexiconAnalyzer
from bot.errors import TeamweatherError
from bot.scoring_process import ScoringProcess, ScoringSettings
from bot.worker import BatchPolicy
from storage import connect, inbox

ROOT = Path(__file__).parents[2]


def settings(db_path: Path, **changes: object) -> ScoringSettings:
    values: dict[str, object] = dict(db_path=str(db_path), policy=BatchPolicy(size=8, max_wait=0.01), threads=1,
                                     nice=7, log_level="INFO", analyzer_factory=LexiconAnalyzer)
    values.update(changes)
    return ScoringSettings(**values)  # type: ignore[arg-type]


def put(db_path: Path, n: int) -> None:
    db = connect(db_path)
    with db.conn:
        for i in range(n):
            inbox.put(db, message_key=f"k{i}", workspace="T1", channel="C1", author="a", day="2026-11-30",
                      text="thanks, that was a great demo")
    db.close()


def wait_until(condition, what: str, limit: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    """Poll ``condition``; the limit only guards against a hang (it is not a timing claim)."""
    give_up = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < give_up, what
        time.sleep(0.02)


def test_the_child_scores_the_inbox_at_lower_priority_and_reports_its_state(tmp_path: Path) -> None:
    db_path = tmp_path / "teamweather.db"
    connect(db_path).close()
    scorer = ScoringProcess(settings(db_path))
    scorer.start()
    try:
        assert scorer.alive and scorer.model.startswith("lexicon")
        child = scorer._process.pid  # type: ignore[union-attr]
        assert os.getpriority(os.PRIO_PROCESS, child) == os.getpriority(os.PRIO_PROCESS, 0) + 7
        put(db_path, 20)
        scorer.notify()
        wait_until(lambda: scorer.scored == 20, "the child did not score the inbox")
        assert scorer.storage_error is None
        assert time.monotonic() - scorer.last_beat < 30
    finally:
        scorer.stop()
    assert not scorer.alive
    db = connect(db_path)
    assert db["scores"].count == 20 and db["inbox"].count == 0


def test_a_child_that_cannot_start_says_why_in_one_line(tmp_path: Path) -> None:
    from scoring_child import damaged_model

    scorer = ScoringProcess(settings(tmp_path / "teamweather.db", analyzer_factory=damaged_model))
    with pytest.raises(TeamweatherError, match="sha256 mismatch") as error:
        scorer.start()
    assert "\n" not in str(error.value) and not scorer.alive


def test_the_child_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    db_path = tmp_path / "teamweather.db"
    connect(db_path).close()
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
        from bot.scoring_process import ScoringProcess
        from scoring_child import settings_for
        scorer = ScoringProcess(settings_for({str(db_path)!r}))
        scorer.start()
        print(scorer._process.pid, flush=True)
        time.sleep(600)
    """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()

    def gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        return _zombie(child)

    wait_until(gone, "the scoring process outlived its killed parent")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


def test_a_dead_child_is_replaced_and_scoring_goes_on(tmp_path: Path) -> None:
    db_path = tmp_path / "teamweather.db"
    connect(db_path).close()
    scorer = ScoringProcess(settings(db_path))
    scorer.start()
    try:
        assert scorer.restart_if_dead() is False
        first = scorer._process.pid  # type: ignore[union-attr]
        os.kill(first, signal.SIGKILL)  # the kernel's OOM killer, say
        wait_until(lambda: not scorer.alive, "the child did not die")
        assert scorer.restart_if_dead() is True
        assert scorer.alive and scorer._process.pid != first  # type: ignore[union-attr]
        put(db_path, 5)
        scorer.notify()
        wait_until(lambda: scorer.scored == 5, "the new child did not score")
    finally:
        scorer.stop()
    assert scorer.restart_if_dead() is False  # a stopped scorer stays stopped
