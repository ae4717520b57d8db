"""The worker's model follower: reloads when the registry's active version changes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import pytest

from analyzers.analyzer import Analysis
from domain.errors import ModelError
from bot.model_watch import ActiveModelWatcher
from storage import connect
from storage import models as registry


class FakeAnalyzer:
    name = "fake"

    def __init__(self, version: str) -> None:
        self.version = version

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        return [Analysis("neutral", (0.0, 1.0, 0.0), 0.0) for _ in texts]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.broken: set[str] = set()

    def __call__(self, path: str) -> FakeAnalyzer:
        self.calls.append(path)
        if path in self.broken:
            raise ModelError(f"{path}/heads.safetensors has been altered")
        return FakeAnalyzer(Path(path).name)


Setup = tuple[Path, Loader, Clock, FakeAnalyzer, ActiveModelWatcher]


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    db_path = tmp_path / "tw.db"
    db = connect(db_path)
    with db.conn:
        for i, version in enumerate(["v1", "v2"]):
            registry.register(db, version, f"/models/{version}", ("sentiment", "stress"), {}, i)
    db.close()
    loader, clock, fallback = Loader(), Clock(), FakeAnalyzer("lexicon")
    watcher = ActiveModelWatcher(db_path, loader, fallback, interval=30.0, clock=clock)
    return db_path, loader, clock, fallback, watcher


def set_active(db_path: Path, version: str, rollback: bool = False) -> None:
    db = connect(db_path)
    with db.conn:
        if rollback:
            registry.rollback(db, 1.0)
        else:
            registry.promote(db, version, 1.0)
    db.close()


def test_fallback_until_promoted_then_reload_after_the_interval(setup: Setup) -> None:
    db_path, loader, clock, fallback, watcher = setup
    assert watcher.current() is fallback and watcher.active_version is None
    set_active(db_path, "v1")
    clock.now += 29.0
    assert watcher.current() is fallback  # not looked up again yet
    clock.now += 1.0
    first = watcher.current()
    assert first.version == "v1" and watcher.active_version == "v1"
    assert loader.calls == ["/models/v1"]
    clock.now += 30.0
    assert watcher.current() is first and loader.calls == ["/models/v1"]  # unchanged: no reload
    set_active(db_path, "v2")
    clock.now += 30.0
    assert watcher.current().version == "v2"
    set_active(db_path, "", rollback=True)
    clock.now += 30.0
    assert watcher.current().version == "v1"
    assert loader.calls == ["/models/v1", "/models/v2", "/models/v1"]


def test_a_version_that_fails_to_load_is_skipped_not_retried(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    db_path, loader, clock, fallback, watcher = setup
    set_active(db_path, "v1")
    v1 = watcher.current()
    loader.broken.add("/models/v2")
    set_active(db_path, "v2")
    clock.now += 30.0
    with caplog.at_level(logging.ERROR, logger="bot.model_watch"):
        assert watcher.current() is v1
    assert "v2" in caplog.text and "failed to load" in caplog.text
    assert watcher.active_version == "v1"
    clock.now += 30.0
    assert watcher.current() is v1
    assert loader.calls == ["/models/v1", "/models/v2"]  # the broken one was tried once


def test_no_active_version_goes_back_to_the_fallback(setup: Setup) -> None:
    db_path, loader, clock, fallback, watcher = setup
    set_active(db_path, "v1")
    assert watcher.current().version == "v1"
    db = connect(db_path)
    with db.conn:
        db.conn.execute("UPDATE models SET active = 0")
    db.close()
    clock.now += 30.0
    assert watcher.current() is fallback and watcher.active_version is None


def test_unreadable_registry_keeps_the_analyzer(tmp_path: Path) -> None:
    fallback = FakeAnalyzer("lexicon")
    watcher = ActiveModelWatcher(tmp_path / "no" / "such" / "dir" / "x.db", Loader(), fallback,
                                 clock=Clock())
    (tmp_path / "no").write_text("a file where a folder should be")
    assert watcher.current() is fallback
