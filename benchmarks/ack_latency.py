"""Ack latency of the HTTP endpoint under a steady event stream, while the worker scores.

Starts the real ``teamweather run`` in a subprocess (HTTP mode, fake Slack Web API on
loopback), enrols a channel, sends N signed message events at a fixed rate from this
process, then waits for the worker to drain and checks that every event is accounted for
(inbox + scores = events sent).

    python benchmarks/ack_latency.py [--events 2000] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot_process import free_port, start_bot, wait_healthy  # noqa: E402
from conftest import ADMIN, CHANNEL, SLACK_USERS, event_body, message_event, signed_headers  # noqa: E402
from slack_fake import TEAM_ID, FakeSlack, start_fake_slack  # noqa: E402
from storage import connect  # noqa: E402

TEXTS = [
    "morning all, standup in 5 <@UBOBBY0001>",
    "the deploy to staging failed again, looking into it now",
    "great work on the release everyone :tada:",
    "can someone review https://git.example.com/org/repo/pull/4412 please?",
    "I'm swamped today, might miss the retro",
    "ticket 48213377 is resolved, customer confirmed by email jo@client.example",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(events: int, rate: float) -> None:
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS))
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_bot(tmp, fake.api_url, port)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await wait_healthy(session, url, proc)
            form = (f"command=/teamweather&text=optin&user_id={ADMIN}&channel_id={CHANNEL}"
                    f"&team_id={TEAM_ID}&response_url={fake.response_url()}")
            async with session.post(f"{url}/slack/events", data=form, headers={
                    "Content-Type": "application/x-www-form-urlencoded", **signed_headers(form)}) as resp:
                assert resp.status == 200
            base = int(time.time()) + 1
            bodies = [json.dumps(event_body(message_event(TEXTS[i % len(TEXTS)], ts=f"{base}.{i:06d}"), f"Ev{i}"))
                      for i in range(events)]

            async def send(body: str) -> None:
                started = time.perf_counter()
                async with session.post(f"{url}/slack/events", data=body, headers={
                        "Content-Type": "application/json", **signed_headers(body)}) as resp:
                    await resp.read()
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1

            start = time.perf_counter()
            tasks = []
            for i, body in enumerate(bodies):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(body)))
            await asyncio.gather(*tasks)
            sent_for = time.perf_counter() - start
            drain_start = time.perf_counter()
            while (health := await wait_healthy(session, url, proc))["inbox_depth"]:
                await asyncio.sleep(0.05)
            drained_after = time.perf_counter() - drain_start
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        assert fake.server is not None
        await fake.server.close()

    db = connect(tmp / "teamweather.db")
    scored = db["scores"].count
    pending = db["inbox"].count
    print(f"events sent: {events} at {rate:.0f}/s (took {sent_for:.1f}s), statuses: {statuses}")
    print(f"ack latency ms: p50 {percentile(latencies, 0.50):.1f}  p95 {percentile(latencies, 0.95):.1f}  "
          f"p99 {percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}")
    print(f"accounted for: scores {scored} + inbox {pending} = {scored + pending} of {events} "
          f"({'OK' if scored + pending == events else 'MISSING'}); inbox drained {drained_after:.2f}s after the last ack")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    args = parser.parse_args()
    asyncio.run(run(args.events, args.rate))


if __name__ == "__main__":
    main()
