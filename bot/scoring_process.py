"""The scoring worker in a child process at low CPU priority, so scoring never starves the acks.

The classifier keeps every core busy while it scores. Run on a thread of the server's own
process it competes with the event loop for the CPU and for Python's global lock, and acks
wait (p99 in seconds on a busy 2-core machine). In a child process lowered with ``nice``, the
kernel gives the server the CPU whenever it needs it, and the classifier takes every idle
cycle, so the inbox still drains at the model's full batched rate once arrivals stop.

:class:`ScoringProcess` offers the parent what :class:`bot.worker.ScoringWorker` offers
(``start``, ``stop``, ``notify``, ``alive``, ``last_beat``, ``scored``, ``storage_error``);
the child runs an ordinary ``ScoringWorker`` and copies its state into shared memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized, SynchronizedString
from typing import Any, Callable

from analyzers.analyzer import Analyzer
from bot.errors import TeamweatherError
from bot.worker import BatchPolicy

log = logging.getLogger(__name__)

STATE_INTERVAL = 0.2  # seconds between the child's state reports (and parent checks)
READY_TIMEOUT = 900.0  # loading the model on a very busy machine; only a guard
ERROR_BYTES = 240


@dataclass(frozen=True)
class ScoringSettings:
    """What the child needs to build its worker (picklable)."""

    db_path: str
    policy: BatchPolicy
    threads: int | None
    nice: int
    log_level: str
    # A picklable callable making the analyzer (tests); None: the registry's or the bundled model.
    analyzer_factory: Callable[[], Analyzer] | None = None


class _Shared:
    """State the child writes and the parent reads."""

    def __init__(self, ctx: Any) -> None:
        self.beat: Synchronized[float] = ctx.Value("d", 0.0)
        self.scored: Synchronized[int] = ctx.Value("q", 0)
        self.error: SynchronizedString = ctx.Array("c", ERROR_BYTES)
        self.wake = ctx.Event()
        self.stop = ctx.Event()


class ScoringProcess:
    """A :class:`bot.worker.ScoringWorker` in a child process (``spawn``), lowered by ``nice``."""

    def __init__(self, settings: ScoringSettings) -> None:
        self.settings = settings
        self._ctx = multiprocessing.get_context("spawn")
        self._shared = _Shared(self._ctx)
        self._process: multiprocessing.process.BaseProcess | None = None
        self.model = ""  # the analyzer's name and version, once started

    def start(self) -> None:
        """Start the child and wait until its model is loaded; TeamweatherError if it fails."""
        receive, send = self._ctx.Pipe(duplex=False)
        self._shared.beat.value = time.monotonic()
        self._process = self._ctx.Process(
            target=_child_main, args=(self.settings, self._shared, send, os.getpid()),
            name="teamweather-scorer", daemon=True,
        )
        self._process.start()
        send.close()
        if not receive.poll(READY_TIMEOUT):
            self.stop(timeout=1)
            raise TeamweatherError("the scoring process did not start in time")
        try:
            kind, detail = receive.recv()
        except EOFError:
            kind, detail = "error", f"the scoring process exited (status {self._process.exitcode})"
        receive.close()
        if kind != "ready":
            self.stop(timeout=1)
            raise TeamweatherError(detail)
        self.model = detail
        log.info("scoring with %s in process %d at nice %d", detail, self._process.pid, self.settings.nice)

    def restart_if_dead(self) -> bool:
        """Start a new child if the last one died (killed for memory, say); True if it did.
        Messages wait safely in the inbox meanwhile."""
        if self._process is None or self._process.is_alive() or self._shared.stop.is_set():
            return False
        log.error("the scoring process exited (status %s); starting a new one", self._process.exitcode)
        self._shared = _Shared(self._ctx)
        self.start()
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Let the child finish the batch in hand, then end it."""
        self._shared.stop.set()
        self._shared.wake.set()
        if self._process is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1)

    def notify(self) -> None:
        """Tell the worker a message arrived."""
        self._shared.wake.set()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def last_beat(self) -> float:
        return float(self._shared.beat.value)

    @property
    def scored(self) -> int:
        return int(self._shared.scored.value)

    @property
    def storage_error(self) -> str | None:
        raw = bytes(self._shared.error.value)
        return raw.decode("utf-8", "replace") or None


def _child_main(
    settings: ScoringSettings, shared: _Shared, ready: multiprocessing.connection.Connection, parent: int
) -> None:
    """The child: lower its priority, load the model, run the worker until told to stop or
    orphaned (the parent killed: a SIGKILLed server must not leave a scorer behind)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    os.nice(settings.nice)
    from bot import logs
    from bot.runtime import scoring_worker

    logs.setup(settings.log_level)
    try:
        factory = settings.analyzer_factory
        worker = scoring_worker(settings.db_path, settings.policy, threads=settings.threads,
                                analyzer=factory() if factory is not None else None)
    except TeamweatherError as exc:
        ready.send(("error", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        ready.send(("error", f"the scoring process failed to start ({type(exc).__name__}: {exc})"))
        return
    worker.start()
    ready.send(("ready", f"{worker.analyzer.name} {worker.analyzer.version}"))
    ready.close()
    try:
        while not shared.stop.is_set() and os.getppid() == parent and worker.alive:
            if shared.wake.wait(STATE_INTERVAL):
                shared.wake.clear()
                worker.notify()
            shared.beat.value = worker.last_beat
            shared.scored.value = worker.scored
            shared.error.value = (worker.storage_error or "").encode("utf-8")[: ERROR_BYTES - 1]
    except Exception:  # through logging (redacted), not multiprocessing's raw traceback on stderr
        log.exception("the scoring process failed")
        raise SystemExit(1) from None
    finally:
        worker.stop()
