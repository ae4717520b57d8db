"""Scheduled retraining: when a round is due, one at a time, and its report in the review channel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import jobs, retrain_job
from bot.cli import cli
from bot.config import Config, Secrets, parse_settings
from bot.jobs import JobContext
from slack_fake import FakeSlack, fake_slack_in_thread
from storage import connect, review
from toy_data import CALM, NEGATIVE, POSITIVE, STRESSED, write_toy_data

KEY = "k" * 32
REVIEW = {"enabled": True, "channel": "slack:CREVIEW01", "reviewers": ["slack:UREVIEW01"],
          "retrain": {"after_new_labels": 3, "min_labels": 21}}


def config(tmp_path: Path, **more: Any) -> Config:
    settings = parse_settings({"database": str(tmp_path / "tw.db"), "review": REVIEW, **more}, "test.yaml")
    connect(settings.database).close()
    return Config(settings, Secrets(pseudonym_key=KEY.encode()), str(tmp_path / "teamweather.yaml"))


def label(db, n: int, now: float) -> None:
    with db.conn:
        for i in range(n):
            flag = review.add(db, message_key=f"m{now}-{i}", workspace="T", author=f"a{i}", day="2026-11-20",
                              text=f"text {i}", policy="audit", policy_detail={}, sentiment="neutral",
                              probs=(0.1, 0.8, 0.1), stress=0.1, model_version="m", now=now, ttl_s=1e9)
            review.label(db, flag, "r", now=now, keep_until=1e12, sentiment="negative")


def test_a_round_is_due_once_enough_labels_arrived_since_the_last_one_started(tmp_path: Path) -> None:
    db = connect(tmp_path / "tw.db")
    label(db, 2, now=100.0)
    assert not retrain_job.due_by_labels(db, 3)
    label(db, 1, now=101.0)
    assert retrain_job.due_by_labels(db, 3)
    retrain_job.record_start(db, "labels", 200.0)
    assert not retrain_job.due_by_labels(db, 3)  # counted afresh from the round's start
    label(db, 3, now=300.0)
    assert retrain_job.due_by_labels(db, 3)


def test_the_flag_job_starts_a_round_when_labels_are_due_and_the_weekly_job_always(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    started: list[str] = []
    jobs.install_context(JobContext(cfg, courier=lambda: None,  # type: ignore[arg-type,return-value]
                                    review_boards=lambda: {}, start_round=lambda c, why: started.append(why)))
    try:
        db = connect(cfg.settings.database)
        label(db, 2, now=100.0)
        jobs.post_flags()
        assert started == []
        label(db, 1, now=101.0)
        jobs.post_flags()
        assert started == ["labels"]
        jobs.weekly_retrain()
        assert started == ["labels", "weekly"]
    finally:
        jobs.install_context(None)


def test_the_weekly_job_does_nothing_with_retraining_off(tmp_path: Path) -> None:
    cfg = config(tmp_path, review={**REVIEW, "retrain": {"enabled": False}})
    started: list[str] = []
    jobs.install_context(JobContext(cfg, courier=lambda: None,  # type: ignore[arg-type,return-value]
                                    start_round=lambda c, why: started.append(why)))
    try:
        jobs.weekly_retrain()
    finally:
        jobs.install_context(None)
    assert started == []


def test_one_round_at_a_time_across_processes(tmp_path: Path) -> None:
    database = tmp_path / "tw.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from bot.retrain_job import one_round_at_a_time\n"
         "with one_round_at_a_time(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()", str(database)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(retrain_job.RoundRunning):
            with retrain_job.one_round_at_a_time(database):
                pass
        assert retrain_job.start_round(config(tmp_path), "weekly") is None  # nothing spawned
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    with retrain_job.one_round_at_a_time(database):  # the lock went with the process
        pass


def test_retrain_post_sends_the_report_to_the_review_channel(tmp_path: Path) -> None:
    data = write_toy_data(tmp_path / "data")
    rows = ["text,sentiment,stress"]
    for i in range(24):
        text = f"{POSITIVE[i % 3]}, {CALM[i // 2 % 3]} ({i})" if i % 2 == 0 else f"{NEGATIVE[i % 3]}, {STRESSED[i % 3]} ({i})"
        rows.append(f"\"{text}\",{'negative' if i % 2 == 0 else 'positive'},{1 if i % 2 == 0 else 0}")
    (tmp_path / "ours.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with fake_slack_in_thread(FakeSlack()) as fake:
        yaml_path = tmp_path / "teamweather.yaml"
        yaml_path.write_text(json.dumps({
            "database": str(tmp_path / "tw.db"), "slack": {"api_base_url": fake.api_url},
            "review": {**REVIEW, "retrain": {"min_labels": 21, "margin": 0.0, "tolerance": 0.99}}}))
        env = {"TEAMWEATHER_PSEUDONYM_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s" * 32}
        runner = CliRunner()
        imported = runner.invoke(cli, ["--config", str(yaml_path), "labels", "import", str(tmp_path / "ours.csv")], env=env)
        assert imported.exit_code == 0, imported.output
        result = runner.invoke(cli, ["--config", str(yaml_path), "retrain", "--post", "--reason", "labels",
                                     "--data", str(data), "--nice", "0", "--min-holdout", "6", "--encoder", "heads",
                                     "--max-steps", "6", "--batch-size", "8", "--replay-examples", "6",
                                     "--threads", "1"], env=env)
        assert result.exit_code == 0, result.output
        [post] = fake.messages["CREVIEW01"]
    assert "Retraining" in post["text"]
    body = json.dumps(post["blocks"])
    assert "Decision:" in body and "Reviewer agreement" in body
    db = connect(tmp_path / "tw.db")
    [started] = db.execute("SELECT detail FROM audit WHERE action = 'retrain_started'").fetchall()
    assert json.loads(started[0]) == {"reason": "labels"}


def test_a_round_that_fails_at_once_is_not_started_again_every_minute(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The job records the start before the process: a round that dies before it gets going
    (here: --post with no Slack token) leaves the labels counted, so the job waits for new ones."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    cfg = config(tmp_path)
    (tmp_path / "teamweather.yaml").write_text(json.dumps({"database": str(tmp_path / "tw.db"), "review": REVIEW}))
    db = connect(cfg.settings.database)
    label(db, 3, now=100.0)
    assert retrain_job.due_by_labels(db, 3)
    child = retrain_job.start_round(cfg, "labels", wait=True)
    assert child is not None and child.returncode != 0  # no SLACK_BOT_TOKEN for --post
    assert not retrain_job.due_by_labels(db, 3)
    starts = db.execute("SELECT count(*) FROM audit WHERE action = ?", (retrain_job.STARTED,)).fetchone()[0]
    assert starts == 1  # recorded once, by the job; the process it started does not record it again
