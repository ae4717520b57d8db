"""The demo's review queue (issue [review]): the sample's flagged messages, posted as reviewers
see them, labelled by two simulated reviewers through the review desk, then one retraining round
and its report.

The simulated reviewers label what each message was written to express: the sample's
generator records it (``bot/demo_data/intended.jsonl``; the pipeline never reads it). Reviewer A
labels every flag; reviewer B labels every third one too, and disagrees on one in five of those,
so the report has an agreement figure to show.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import sqlite_utils

from analyzers.pseudonymise import Pseudonymiser
from bot.report import Payload, Report, plain_lines
from bot.review import ReviewDesk, post_pending
from domain.teamweek import iso_week
from storage import review

#: The sample generator's moods as a careful reviewer would label them (sentiment, stressed).
MOOD_LABELS: Mapping[str, tuple[str, bool]] = {
    "pos": ("positive", False), "neu": ("neutral", False), "neg": ("negative", False), "str": ("negative", True),
}
OTHER_SENTIMENT = {"positive": "neutral", "neutral": "negative", "negative": "neutral"}
REVIEWER_A, REVIEWER_B = "UDEMOREVA", "UDEMOREVB"
DEMO_REVIEW_CHANNEL = "CDEMOREVIEW"


def intended_labels(pseudonymiser: Pseudonymiser, workspace: str) -> dict[str, tuple[str, bool]]:
    """Each sample message's intended labels, by the message key the pipeline stores."""
    text = (resources.files("bot") / "demo_data" / "intended.jsonl").read_text(encoding="utf-8")
    labels = {}
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            labels[pseudonymiser.message_key(workspace, row["channel"], row["ts"])] = MOOD_LABELS[row["mood"]]
    return labels


@dataclass
class FolderBoard:
    """The demo's review channel: each post as the platform's JSON under ``root``."""

    root: Path
    render: Payload
    posts: list[Report] = field(default_factory=list)

    def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
        self.root.mkdir(parents=True, exist_ok=True)
        self.posts.append(report)
        n = len(self.posts)
        (self.root / f"{n:03d}.json").write_text(json.dumps(self.render(report, text), ensure_ascii=False, indent=2),
                                                 encoding="utf-8")
        return {"channel": channel, "ts": f"{n}.000000"}

    def update(self, post: Mapping[str, Any], report: Report, text: str) -> None:
        n = int(str(post["ts"]).split(".")[0])
        (self.root / f"{n:03d}.json").write_text(json.dumps(self.render(report, text), ensure_ascii=False, indent=2),
                                                 encoding="utf-8")

    def reply(self, post: Mapping[str, Any], text: str) -> None:
        n = int(str(post["ts"]).split(".")[0])
        with (self.root / f"{n:03d}.thread.txt").open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")


@dataclass
class ReviewRound:
    """What the demo's review queue did."""

    flagged: Counter[str]
    authors: int
    most_per_author_week: int
    posted: int
    labelled: int
    double: int
    first_post: list[str]
    first_thread: list[str]


def review_queue(db: sqlite_utils.Database, pseudonymiser: Pseudonymiser, workspace: str, out: Path,
                 render: Payload, clock: Callable[[], float]) -> ReviewRound:
    """Post every flag to the demo's review channel (files under ``out``) and label them as two
    simulated reviewers would, each press going through :meth:`ReviewDesk.act`."""
    desk = ReviewDesk(db, pseudonymiser, reviewers=(f"slack:{REVIEWER_A}", f"slack:{REVIEWER_B}"),
                      guidelines_url="http://localhost:3000/review/guidelines", clock=clock)
    flags = review.unposted(db, limit=10_000)
    board = FolderBoard(out, render)
    posted = post_pending(db, desk, {"slack": board}, f"slack:{DEMO_REVIEW_CHANNEL}", limit=10_000)
    intended = intended_labels(pseudonymiser, workspace)
    per_author_week = Counter((f.author, iso_week(date.fromisoformat(f.day))) for f in flags)
    labelled = double = 0
    first_post: list[str] = []
    first_thread: list[str] = []
    for n, flag in enumerate(flags):
        label = intended.get(flag.message_key or "")
        if label is None:
            continue
        sentiment, stressed = label
        presses = [(REVIEWER_A, sentiment, stressed)]
        if n % 3 == 0:
            disagree = n % 15 == 0
            presses.append((REVIEWER_B, OTHER_SENTIMENT[sentiment] if disagree else sentiment, stressed))
            double += 1
        for reviewer, s, b in presses:
            for choice in (f"sentiment:{s}", f"stress:{'yes' if b else 'no'}"):
                result = desk.act("slack", workspace, reviewer, f"{flag.id}:{choice}")
                if result.report is not None and result.post is not None:
                    board.update(result.post, result.report, result.text)
                    if result.thread:
                        board.reply(result.post, result.thread)
                        if n == 0:
                            first_thread.append(result.thread)
        labelled += 1
        if n == 0:
            stored = review.get(db, flag.id)
            assert stored is not None
            first_post = plain_lines(desk.report(stored))
    return ReviewRound(Counter(f.policy for f in flags), len({f.author for f in flags}),
                       max(per_author_week.values(), default=0), posted, labelled, double, first_post, first_thread)




def retraining_round(db: sqlite_utils.Database, models_dir: Path) -> str:
    """One retraining round on the demo's labels (the champion is the bundled model), with the
    bootstrap data beside the checkout when it is there; returns the round's report as text."""
    from training.retrain import DEFAULT_DATA, RetrainSettings, retrain

    data = DEFAULT_DATA if DEFAULT_DATA.is_dir() else None
    # Heads only and a short replay, so it takes about a minute on two cores (the scheduled
    # job's defaults also train the top two encoder layers: benchmarks/retrain.py).
    settings = RetrainSettings(encoder="heads", epochs=3.0, replay_examples=300, head_lr=2e-3)
    report = retrain(db, models_dir=models_dir, data_dir=data, settings=settings,
                     version="demo-retrain-1", command="teamweather demo")
    return report.as_text()
