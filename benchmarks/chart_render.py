"""Time to render one digest's chart (``bot.digest_render.chart_png``) and its size.

    python benchmarks/chart_render.py [--repeat 20]

An 8-week digest with every week published and stress reporting on: the largest chart a
manager gets. Prints the median render time and the PNG's size. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from domain.teamweek import Digest, Estimate, TeamWeek, previous_weeks  # noqa: E402
from bot import digest_render  # noqa: E402


def sample_digest() -> Digest:
    """Eight published weeks of a team whose mood slides by 3 points a week."""
    weeks = previous_weeks("2026-W47", 8)
    history = tuple(
        TeamWeek("Platform", week, None, 9, 100, Estimate(10 - 3 * i, -2 - 3 * i, 22 - 3 * i),
                 Estimate(0.2, 0.15, 0.25), Estimate(0.2, 0.15, 0.26), Estimate(0.2, 0.1, 0.3))
        for i, week in enumerate(weeks)
    )
    return Digest("Platform", weeks[-1], history[-1], history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    digest = sample_digest()
    png = digest_render.chart_png(digest)  # warm-up: imports matplotlib, loads fonts
    assert png is not None
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        digest_render.chart_png(digest)
        times.append(time.perf_counter() - started)
    print(f"chart_png: median {statistics.median(times) * 1000:.0f} ms over {args.repeat} renders, "
          f"{len(png) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
