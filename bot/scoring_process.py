"""The classifier in a child process at low CPU priority, so scoring never starves the acks.

The model keeps every core busy while it scores. In a child process lowered with ``nice``,
the kernel gives the server the CPU whenever it needs it, and the model takes every idle
cycle, so the inbox still drains at the model's full batched rate once arrivals stop.

The child only classifies: texts in, analyses out, over a pipe. The database stays with the
parent's scoring thread, so the low-priority process never holds SQLite's write lock (a
preempted lock holder would make the server's inserts wait behind it).

:class:`ClassifierProcess` is an :class:`analyzers.analyzer.Analyzer`. If the child dies or
hangs, ``analyze`` raises :class:`AnalyzerUnavailable` (the worker backs off and calls again,
which starts a new child); the messages meanwhile wait safely in the inbox.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from analyzers.analyzer import Analysis, Analyzer, AnalyzerUnavailable
from domain.errors import TeamweatherError

log = logging.getLogger(__name__)

READY_TIMEOUT = 900.0  # loading the model on a very busy machine; only a guard
ANSWER_TIMEOUT = 600.0  # one batch; a child silent this long is taken for hung


@dataclass(frozen=True)
class ClassifierSettings:
    """What the child needs to choose and load its model (picklable)."""

    db_path: str  # read for the registry's active version
    threads: int | None
    nice: int
    log_level: str
    # A picklable callable making the analyzer (tests); None: the registry's or the bundled model.
    analyzer_factory: Callable[[], Analyzer] | None = None


class ClassifierProcess:
    """An Analyzer whose model runs in a child process (``spawn``), lowered by ``nice``.

    Not thread-safe: one scoring worker calls it, and it is stopped after that worker."""

    def __init__(self, settings: ClassifierSettings) -> None:
        self.settings = settings
        self.name = "unstarted"
        self.version = "unstarted"
        self._ctx = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child and wait until its model is loaded; TeamweatherError if it cannot."""
        parent_end, child_end = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=_child_main, args=(self.settings, child_end, os.getpid()),
            name="teamweather-classifier", daemon=True,
        )
        self._process.start()
        child_end.close()
        self._conn = parent_end
        try:
            answer = self._receive(READY_TIMEOUT)
        except AnalyzerUnavailable as exc:
            self.stop(timeout=1)
            raise TeamweatherError(f"the classifier process did not start ({exc})") from None
        if answer[0] != "ready":
            self.stop(timeout=1)
            raise TeamweatherError(str(answer[1]))
        _, self.name, self.version = answer
        log.info("classifier %s %s loaded in process %d at nice %d",
                 self.name, self.version, self._process.pid, self.settings.nice)

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Classify ``texts`` in the child (starting a new one if the last one died)."""
        if not self.alive:
            self._restart()
        assert self._conn is not None
        try:
            self._conn.send(("analyze", list(texts)))
        except OSError as exc:
            self._died(f"sending to it failed: {type(exc).__name__}")
        answer = self._receive(ANSWER_TIMEOUT)
        if answer[0] == "error":  # the model failed on these texts: the messages' business
            raise RuntimeError(str(answer[1]))
        _, self.name, self.version, results = answer
        return [Analysis(label, tuple(probs), stress) for label, probs, stress in results]

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the child to exit; kill it if it does not."""
        if self._conn is not None:
            try:
                self._conn.send(("stop",))
            except OSError:
                pass
        if self._process is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _restart(self) -> None:
        exitcode = self._process.exitcode if self._process is not None else None
        if self._process is not None:
            log.error("the classifier process exited (status %s); starting a new one", exitcode)
        self.stop(timeout=1)
        try:
            self.start()
        except TeamweatherError as exc:
            raise AnalyzerUnavailable(str(exc)) from None

    def _receive(self, timeout: float) -> tuple[Any, ...]:
        assert self._conn is not None
        try:
            if not self._conn.poll(timeout):
                self._died(f"no answer in {timeout:.0f} s")
            answer = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._died(f"it exited ({type(exc).__name__})")
        if not isinstance(answer, tuple) or not answer:
            self._died("it sent something unexpected")
        return tuple(answer)

    def _died(self, why: str) -> Any:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(1)
        raise AnalyzerUnavailable(f"the classifier process is unavailable: {why}")


def _child_main(settings: ClassifierSettings, conn: multiprocessing.connection.Connection, parent: int) -> None:
    """The child: lower its priority, load the model, answer until told to stop or orphaned
    (a SIGKILLed server must not leave a classifier behind)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    os.nice(settings.nice)
    from bot import logs
    from bot.runtime import analyzer_source

    logs.setup(settings.log_level)
    try:
        factory = settings.analyzer_factory
        source = (lambda made=factory(): made) if factory is not None else analyzer_source(
            settings.db_path, settings.threads)
        analyzer = source()
    except TeamweatherError as exc:
        conn.send(("error", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"the classifier failed to load ({type(exc).__name__}: {exc})"))
        return
    conn.send(("ready", analyzer.name, analyzer.version))
    while os.getppid() == parent:
        if not conn.poll(1.0):
            continue
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request[0] != "analyze":
            return
        try:
            analyzer = source()
            results = analyzer.analyze(request[1])
        except Exception as exc:  # noqa: BLE001 - the parent decides what it means
            log.exception("the classifier failed on a batch")  # here, through the log's redaction
            # Only the type crosses: an exception's message may quote the text it failed on.
            conn.send(("error", f"the classifier failed on a batch ({type(exc).__name__})"))
            continue
        conn.send(("ok", analyzer.name, analyzer.version,
                   [(r.sentiment, r.sentiment_probs, r.stress) for r in results]))
