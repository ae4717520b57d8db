"""A fake platform server on an event loop of its own thread, for code that calls it from
synchronous threads (the sync Slack WebClient, the digest scheduler's couriers)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any, Awaitable, Callable, Iterator


@contextlib.contextmanager
def serving_in_thread(
    start: Callable[[], Awaitable[Any]], stop: Callable[[], Awaitable[Any]], name: str
) -> Iterator[asyncio.AbstractEventLoop]:
    """Run ``start()`` on a new loop in a thread, yield the loop, run ``stop()`` on leaving."""
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"{name} did not start")
    try:
        yield loop
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
