"""The ack path of each platform side by side: one server with Slack and Teams enabled, the
same messages sent to both in turn, each request timed from send to answer.

    python benchmarks/ack_path.py [--messages 500]

In one process (the client shares the event loop with the server, equally for both), with a
recording analyzer (scoring runs on the worker's thread and is not on the ack path). The Teams
side goes through the endpoint's checks, the SDK's CloudAdapter (authentication off: there is
no Microsoft to issue tokens on loopback) and the bot; the Slack side through the signature
check and Bolt. Prints p50 / p99 per platform and their ratio. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot.demo import sample_texts  # noqa: E402
from conftest import TEAMS_ADMIN, TEAMS_CHANNEL, message_event, running_teams_bot  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(messages: int) -> None:
    texts = sample_texts()
    with tempfile.TemporaryDirectory() as folder:
        async with running_teams_bot(Path(folder), with_slack=True) as teams:
            slack = teams.slack
            assert slack is not None
            status, _ = await slack.command("optin")
            assert status == 200 and await teams.command("optin", user=TEAMS_ADMIN, channel=TEAMS_CHANNEL) == 200
            timings: dict[str, list[float]] = {"slack": [], "msteams": []}
            for i in range(messages):
                text = texts[i % len(texts)]
                started = time.perf_counter()
                assert await slack.event(message_event(text, ts=f"1700000000.{i:06d}")) == 200
                timings["slack"].append(time.perf_counter() - started)
                started = time.perf_counter()
                assert await teams.say(text, activity_id=str(1763900000000 + i)) == 200
                timings["msteams"].append(time.perf_counter() - started)
            await teams.drained(timeout=60)
    for name, values in timings.items():
        print(f"{name:8} ack p50 {statistics.median(values) * 1000:6.2f} ms   p99 {percentile(values, 0.99) * 1000:6.2f} ms"
              f"   ({len(values)} messages)")
    ratio = statistics.median(timings["msteams"]) / statistics.median(timings["slack"])
    print(f"Teams / Slack, median: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    asyncio.run(run(parser.parse_args().messages))


if __name__ == "__main__":
    main()
