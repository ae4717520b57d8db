"""Storage calls of the request path, run on one thread so the event loop never waits on SQLite.

The event loop hands each call to :class:`StorageWriter`, which runs it on its own thread
with its own connection and gives up after a deadline: a request that cannot be committed
in time is answered 503 (the platform retries it, and nothing is lost), while the loop keeps
serving everything else, ``/healthz`` included.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sqlite3
import time
from typing import Callable, TypeVar

import sqlite_utils

from domain.errors import StorageBusy

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_DEADLINE_SECONDS = 2.0


class StorageWriter:
    """One thread that owns the request path's database connection.

    ``open_db`` runs on that thread, so the connection belongs to it. A call queued behind
    others counts its wait against the same deadline, and one still queued when the
    deadline passes is skipped rather than run late.
    """

    def __init__(
        self, open_db: Callable[[], sqlite_utils.Database], *, deadline: float = DEFAULT_DEADLINE_SECONDS
    ) -> None:
        self.deadline = deadline
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="teamweather-writer")
        self.db: sqlite_utils.Database = self._executor.submit(self._open, open_db).result()
        self.error: str | None = None  # the last storage failure, None once a write succeeded
        self.failing_since: float | None = None  # time.monotonic() of the first failure in a row

    def _open(self, open_db: Callable[[], sqlite_utils.Database]) -> sqlite_utils.Database:
        db = open_db()
        # The busy timeout bounds how long SQLite itself waits for another process's lock.
        db.execute(f"PRAGMA busy_timeout={int(self.deadline * 1000)}")
        return db

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the writer thread; StorageBusy if it cannot finish within the deadline."""
        due = time.monotonic() + self.deadline

        def guarded() -> T:
            if time.monotonic() > due:
                raise StorageBusy("the request waited too long for the database")
            try:
                result = fn()
            except (sqlite3.Error, OSError) as exc:
                self._failed(exc)
                raise StorageBusy(f"the database refused the write ({_short(exc)})") from exc
            self._succeeded()
            return result

        future = asyncio.get_running_loop().run_in_executor(self._executor, guarded)
        try:
            # shield: a call already running on the thread cannot be stopped; let it finish
            # (a late commit is harmless: the platform's retry is then a duplicate).
            return await asyncio.wait_for(asyncio.shield(future), self.deadline + 0.05)
        except TimeoutError:
            self._failed_wait()
            raise StorageBusy("the database stayed busy past the deadline") from None

    def close(self) -> None:
        """Close the connection on its own thread and stop the thread."""
        self._executor.submit(self.db.close).result()
        self._executor.shutdown(wait=True)

    def _failed(self, exc: BaseException) -> None:
        text = _short(exc)
        if text != self.error:
            log.warning("storage write failed: %s (answering 503 until it recovers)", text)
        self.error = text
        if self.failing_since is None:
            self.failing_since = time.monotonic()

    def _failed_wait(self) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        if self.error is None:
            log.warning("storage write took longer than %.1f s (answering 503 until it recovers)", self.deadline)
            self.error = "database busy"

    def _succeeded(self) -> None:
        if self.error is not None:
            log.info("storage writable again")
        self.error = None
        self.failing_since = None


def _short(exc: BaseException) -> str:
    """An exception as a short line (SQLite's messages hold no data, only the condition)."""
    return f"{type(exc).__name__}: {exc}"[:200]
