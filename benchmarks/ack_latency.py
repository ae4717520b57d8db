"""Ack latency of the HTTP endpoint under a steady event stream, while the shipped model scores.

For each worker mode and rate, starts the real ``teamweather run`` in a subprocess (HTTP mode,
fake Slack Web API on loopback, the bundled classifier), enrols a channel, sends signed
message events at a fixed rate for a fixed time, samples ``/healthz`` for the inbox depth,
then waits for the inbox to drain and checks that every event is accounted for
(scores = events acked). Prints ack p50/p99, the scoring rate while events arrive and while
draining, the peak inbox depth and the time to drain, beside the model's own batched rate
measured in the same run.

    python benchmarks/ack_latency.py [--rates 100,200,400] [--seconds 10] [--modes process,thread] [--busy 0]

``--busy N`` keeps N other processes spinning on the CPU during each run (a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import statistics
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
from bot.demo import sample_texts  # noqa: E402
from storage import connect  # noqa: E402

TEXTS = sample_texts()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def spin() -> None:
    while True:
        pass


def model_batched_rate(n: int = 512) -> float:
    """Messages per second of the bundled classifier scoring in worker-sized batches of 64."""
    from bot.runtime import default_analyzer

    analyzer = default_analyzer()
    texts = [TEXTS[i % len(TEXTS)] + f" #{i}" for i in range(n)]
    analyzer.analyze(texts[:64])  # warm-up
    started = time.perf_counter()
    for i in range(0, n, 64):
        analyzer.analyze(texts[i:i + 64])
    return n / (time.perf_counter() - started)


async def one_run(mode: str, rate: float, seconds: float, busy: int, nice: int) -> dict[str, float | int | str]:
    fake = await start_fake_slack(FakeSlack(users=SLACK_USERS))
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_bot(tmp, fake.api_url, port, settings={"worker": {"max_wait_ms": 250, "mode": mode, "nice": nice}})
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(busy)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    depths: list[int] = []
    events = int(rate * seconds)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await wait_healthy(session, url, proc)
            form = (f"command=/teamweather&text=optin&user_id={ADMIN}&channel_id={CHANNEL}"
                    f"&team_id={TEAM_ID}&response_url={fake.response_url()}")
            async with session.post(f"{url}/slack/events", data=form, headers={
                    "Content-Type": "application/x-www-form-urlencoded", **signed_headers(form)}) as resp:
                assert resp.status == 200
            for spinner in spinners:
                spinner.start()
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

            async def sample() -> None:
                while True:
                    async with session.get(f"{url}/healthz") as resp:
                        depths.append(int((await resp.json())["inbox_depth"] or 0))
                    await asyncio.sleep(0.1)

            sampler = asyncio.create_task(sample())
            start = time.perf_counter()
            tasks = []
            for i, body in enumerate(bodies):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(body)))
            await asyncio.gather(*tasks)
            sent_for = time.perf_counter() - start
            depth_at_end = (await wait_healthy(session, url, proc))["inbox_depth"]
            drain_start = time.perf_counter()
            while (await wait_healthy(session, url, proc))["inbox_depth"]:
                await asyncio.sleep(0.05)
            drained_after = time.perf_counter() - drain_start
            sampler.cancel()
    finally:
        for spinner in spinners:
            spinner.kill()
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        assert fake.server is not None
        await fake.server.close()
    db = connect(tmp / "teamweather.db")
    scored, pending = db["scores"].count, db["inbox"].count
    db.close()
    acked = statuses.get(200, 0)
    return {
        "mode": mode, "rate": rate, "events": events, "acked": acked, "statuses": json.dumps(statuses),
        "p50": percentile(latencies, 0.50), "p99": percentile(latencies, 0.99), "max": max(latencies),
        "mean": statistics.fmean(latencies), "sent_for": sent_for,
        "rate_while_sending": (events - depth_at_end) / sent_for,
        "drain_rate": depth_at_end / drained_after if drained_after > 0.05 else float("nan"),
        "peak_depth": max(depths, default=0), "drained_after": drained_after,
        "accounted": "OK" if scored == acked and pending == 0 else f"MISSING ({scored} scored, {pending} pending)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="100,200,400", help="events per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each rate is sent")
    parser.add_argument("--modes", default="process,thread", help="worker.mode values to compare")
    parser.add_argument("--busy", type=int, default=0, help="other processes spinning on the CPU meanwhile")
    parser.add_argument("--nice", type=int, default=10, help="worker.nice for process mode")
    args = parser.parse_args()
    reference = model_batched_rate()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; busy spinners: {args.busy}")
    print(f"model batched rate (bundled classifier, batches of 64, this process alone): {reference:.0f} messages/s")
    print(f"{'mode':8} {'rate/s':>6} {'acked':>11} {'p50 ms':>7} {'p99 ms':>8} {'max ms':>8} "
          f"{'scored/s sending':>16} {'peak depth':>10} {'drain s':>8} {'drain/s':>8} {'of model':>8}  check")
    for rate in [float(r) for r in args.rates.split(",")]:
        for mode in args.modes.split(","):
            r = asyncio.run(one_run(mode, rate, args.seconds, args.busy, args.nice))
            share = float(r["drain_rate"]) / reference
            print(f"{r['mode']:8} {r['rate']:6.0f} {r['acked']:>5}/{r['events']:<5} {r['p50']:7.1f} {r['p99']:8.1f} "
                  f"{r['max']:8.1f} {r['rate_while_sending']:16.0f} {r['peak_depth']:10d} {r['drained_after']:8.1f} "
                  f"{r['drain_rate']:8.0f} {share:8.0%}  {r['accounted']} {r['statuses']}", flush=True)


if __name__ == "__main__":
    main()
