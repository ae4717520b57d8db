"""The classifier in a child process at low priority: same answers as in-process, a clear
error when it cannot start, a new child when one dies (nothing lost, nothing counted against
the messages), and no child outliving a killed parent."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable

import pytest

from analyzers.analyzer import AnalyzerUnavailable
from analyzers.lexicon import LexiconAnalyzer
from domain.errors import TeamweatherError
from bot.scoring_process import ClassifierProcess, ClassifierSettings
from bot.worker import BatchPolicy, ScoringWorker
from scoring_child import CrashesOnce, damaged_model
from storage import connect, inbox

ROOT = Path(__file__).parents[2]
TEXTS = ["thanks, that was a great demo", "the build is broken again and I am exhausted", "ok"]


def settings(db_path: Path, factory: Callable[[], object] = LexiconAnalyzer, nice: int = 7) -> ClassifierSettings:
    return ClassifierSettings(str(db_path), threads=1, nice=nice, log_level="INFO",
                              analyzer_factory=factory)  # type: ignore[arg-type]


def wait_until(condition: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    """Poll ``condition``; the limit only guards against a hang (it is not a timing claim)."""
    give_up = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < give_up, what
        time.sleep(0.02)


def test_the_child_answers_like_the_model_in_process_at_lower_priority(tmp_path: Path) -> None:
    classifier = ClassifierProcess(settings(tmp_path / "teamweather.db"))
    classifier.start()
    try:
        assert os.getpriority(os.PRIO_PROCESS, classifier.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 7
        assert classifier.analyze(TEXTS) == LexiconAnalyzer().analyze(TEXTS)
        assert (classifier.name, classifier.version) == (LexiconAnalyzer.name, LexiconAnalyzer().version)
    finally:
        classifier.stop()
    assert not classifier.alive


def test_a_child_that_cannot_start_says_why_in_one_line(tmp_path: Path) -> None:
    classifier = ClassifierProcess(settings(tmp_path / "teamweather.db", damaged_model))
    with pytest.raises(TeamweatherError, match="sha256 mismatch") as error:
        classifier.start()
    assert "\n" not in str(error.value) and not classifier.alive


def test_a_dead_child_is_replaced_on_the_next_batch(tmp_path: Path) -> None:
    classifier = ClassifierProcess(settings(tmp_path / "teamweather.db"))
    classifier.start()
    try:
        first = classifier.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: not classifier.alive, "the child did not die")
        assert classifier.analyze(TEXTS) == LexiconAnalyzer().analyze(TEXTS)
        assert classifier.alive and classifier.pid != first
    finally:
        classifier.stop()


def test_a_child_dying_mid_batch_costs_no_message_and_no_attempt(tmp_path: Path) -> None:
    db_path = tmp_path / "teamweather.db"
    db = connect(db_path)
    with db.conn:
        for i in range(10):
            inbox.put(db, message_key=f"k{i}", workspace="T1", channel="C1", author="a", day="2026-11-30",
                      text=TEXTS[i % 3])
    marker = tmp_path / "crashed"
    classifier = ClassifierProcess(settings(db_path, functools.partial(CrashesOnce, str(marker))))
    classifier.start()
    worker = ScoringWorker(db_path, classifier, BatchPolicy(size=64, max_wait=0), backoff_start=0.05)
    worker.start()
    try:
        wait_until(lambda: worker.scored == 10, "the worker did not score everything after the crash")
    finally:
        worker.stop()
        classifier.stop()
    assert marker.exists()  # the first child really died mid-batch
    assert db["scores"].count == 10 and db["inbox"].count == 0
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'message_unscorable'").fetchone()[0] == 0
    assert worker.scoring_error is None


def test_a_child_that_died_says_so_until_one_starts_again(tmp_path: Path) -> None:
    classifier = ClassifierProcess(settings(tmp_path / "teamweather.db"))
    classifier.start()
    try:
        assert classifier._conn is not None
        classifier._conn.send(("stop",))  # it exits between our send and its answer
        classifier._conn.send(("analyze", TEXTS))
        with pytest.raises(AnalyzerUnavailable, match="classifier process is unavailable"):
            classifier._receive(30)
    finally:
        classifier.stop()


def test_the_child_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
        from bot.scoring_process import ClassifierProcess
        from scoring_child import settings_for
        classifier = ClassifierProcess(settings_for({str(tmp_path / 'teamweather.db')!r}))
        classifier.start()
        print(classifier.pid, flush=True)
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
        stat = Path(f"/proc/{child}/stat")
        return not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")

    wait_until(gone, "the classifier process outlived its killed parent")


def test_a_model_error_crosses_to_the_server_without_the_text(tmp_path: Path) -> None:
    from scoring_child import QuotesItsInput

    classifier = ClassifierProcess(settings(tmp_path / "teamweather.db", QuotesItsInput))
    classifier.start()
    try:
        with pytest.raises(RuntimeError) as error:
            classifier.analyze(["my manager shouted at me again"])
    finally:
        classifier.stop()
    assert "ValueError" in str(error.value) and "shouted" not in str(error.value)
    assert not isinstance(error.value, AnalyzerUnavailable)  # the messages' failure, counted as such
