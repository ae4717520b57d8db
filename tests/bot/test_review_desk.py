"""The review desk: review posts, presses by reviewers and others, and posting pending flags."""

from __future__ import annotations

from typing import Any, Mapping

import pytest

from analyzers.pseudonymise import Pseudonymiser
from bot import texts
from bot.report import Buttons, Report, Link, plain_lines
from bot.review import ACTION, ReviewDesk, parse_value, post_pending, BadAction
from domain.errors import PlatformUnavailable
from storage import connect, review

KEY = b"k" * 32
GUIDE = "https://tw.example/review/guidelines"


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "t.db")
    yield database
    database.close()


def desk(db, clock=lambda: 5000.0) -> ReviewDesk:
    return ReviewDesk(db, Pseudonymiser(KEY), reviewers=("slack:UREV1", "slack:UREV2", "msteams:guid-3"),
                      guidelines_url=GUIDE, retention_days=365, clock=clock)


def flagged(db, text: str = "hey <person>, the deploy failed again", author: str = "pAUTHOR") -> int:
    with db.conn:
        flag_id = review.add(db, message_key="mk1", workspace="T1", author=author, day="2026-11-20", text=text,
                             policy="uncertain", policy_detail={"margin": 0.04}, sentiment="negative",
                             probs=(0.48, 0.44, 0.08), stress=0.52, model_version="minilm:v1", now=1000.0,
                             ttl_s=14 * 86400)
    assert flag_id is not None
    return flag_id


def test_the_post_shows_text_predictions_reason_guidelines_and_every_choice(db):
    f = flagged(db)
    report = desk(db).report(review.get(db, f))
    lines = "\n".join(plain_lines(report))
    assert "hey <person>, the deploy failed again" in lines
    assert "negative 48%" in lines and "stress 52%" in lines
    assert texts.REVIEW_WHY["uncertain"] in lines
    assert "pAUTHOR" not in lines
    links = [p for part in report.parts if hasattr(part, "lines") for line in part.lines
             for p in getattr(line, "parts", ()) if isinstance(p, Link)]
    assert [link.url for link in links] == [GUIDE]
    values = [b.value for part in report.parts if isinstance(part, Buttons) for b in part.buttons]
    assert values == [f"{f}:{c}" for c in texts.REVIEW_CHOICES]
    assert {b.action for part in report.parts if isinstance(part, Buttons) for b in part.buttons} == {ACTION}


def test_a_reviewer_label_is_stored_under_their_pseudonym_and_shown(db):
    f = flagged(db)
    result = desk(db).act("slack", "T1", "UREV1", f"{f}:sentiment:negative")
    assert result.refusal is None
    [label] = review.labels_for(db, f)
    assert label.reviewer == Pseudonymiser(KEY).reviewer("T1", "UREV1") and label.reviewer != "UREV1"
    assert label.reviewer != Pseudonymiser(KEY).author("T1", "UREV1")  # not joinable to their own messages
    assert label.sentiment == "negative" and label.stress is None
    assert result.thread == texts.REVIEW_THREAD_LABEL.format(n=1, what="sentiment negative")
    assert "Reviewer 1: negative" in "\n".join(plain_lines(result.report))


def test_a_second_reviewer_confirming_or_disagreeing_is_said_in_the_thread_and_both_are_kept(db):
    f = flagged(db)
    d = desk(db)
    d.act("slack", "T1", "UREV1", f"{f}:stress:yes")
    same = d.act("slack", "T1", "UREV2", f"{f}:stress:yes")
    assert same.thread == texts.REVIEW_THREAD_CONFIRM.format(n=2, what="stressed")
    d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative")
    other = d.act("slack", "T1", "UREV2", f"{f}:sentiment:neutral")
    assert other.thread == texts.REVIEW_THREAD_DISAGREE.format(n=2, what="sentiment neutral", other=1, theirs="negative")
    assert sorted(label.sentiment for label in review.labels_for(db, f)) == ["negative", "neutral"]
    assert review.reviewer_pairs(db, "sentiment") == [("negative", "neutral")]


def test_anyone_not_a_reviewer_is_refused_and_nothing_is_stored(db):
    f = flagged(db)
    for platform, user in (("slack", "UOTHER"), ("msteams", "UREV1"), ("slack", "guid-3")):
        result = desk(db).act(platform, "T1", user, f"{f}:sentiment:positive")
        assert result.refusal == texts.REVIEW_NOT_REVIEWER and result.report is None
    assert review.labels_for(db, f) == []
    assert review.get(db, f).status == "open"


@pytest.mark.parametrize("value", [None, 17, "", "x:sentiment:negative", "1:sentiment:angry", "1", "1:",
                                   "-1:skip", "1:skip:extra", "9" * 80 + ":skip", ["1:skip"]])
def test_a_malformed_value_is_refused(db, value):
    flagged(db)
    with pytest.raises(BadAction):
        parse_value(value)
    result = desk(db).act("slack", "T1", "UREV1", value)
    assert result.refusal == texts.REVIEW_BAD_ACTION
    assert review.labelled_flags(db) == []


def test_a_press_on_a_flag_that_is_gone_is_refused(db):
    f = flagged(db)
    with db.conn:
        review.delete_message(db, "mk1")
    assert desk(db).act("slack", "T1", "UREV1", f"{f}:skip").refusal == texts.REVIEW_GONE


def test_skip_keeps_the_flag_open_to_others_and_delete_blanks_it(db):
    f = flagged(db)
    d = desk(db)
    skipped = d.act("slack", "T1", "UREV1", f"{f}:skip")
    assert skipped.thread == texts.REVIEW_THREAD_SKIP.format(n=1)
    assert review.get(db, f).status == "skipped"
    deleted = d.act("slack", "T1", "UREV2", f"{f}:delete")
    assert deleted.thread == texts.REVIEW_THREAD_DELETE.format(n=1)
    stored = review.get(db, f)
    assert (stored.text, stored.status) == ("", "deleted")
    shown = "\n".join(plain_lines(deleted.report))
    assert "deploy failed" not in shown and texts.REVIEW_DELETED_TEXT in shown
    assert not any(isinstance(p, Buttons) for p in deleted.report.parts)
    assert d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative").refusal == texts.REVIEW_GONE


def test_the_same_press_twice_changes_nothing(db):
    f = flagged(db)
    d = desk(db)
    d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative")
    before = review.labels_for(db, f)
    d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative")
    after = review.labels_for(db, f)
    assert [(x.reviewer, x.sentiment, x.stress) for x in after] == [(x.reviewer, x.sentiment, x.stress) for x in before]


def test_a_press_outside_the_review_channel_is_refused_and_stores_nothing(db):
    f = flagged(db)
    d = ReviewDesk(db, Pseudonymiser(KEY), reviewers=("slack:UREV1",), guidelines_url=GUIDE, channel="slack:CREVIEW")
    for platform, channel in (("slack", "COTHER"), ("msteams", "CREVIEW"), ("slack", None)):
        result = d.act(platform, "T1", "UREV1", f"{f}:sentiment:negative", channel=channel)
        assert result.refusal == texts.REVIEW_WRONG_CHANNEL
    assert review.labels_for(db, f) == []
    assert d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative", channel="CREVIEW").refusal is None


def test_a_request_delivered_twice_is_handled_once(db):
    f = flagged(db)
    d = desk(db)
    first = d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative", delivery="slack:T1/trigger-1")
    assert not first.replayed and first.refusal is None
    d.act("slack", "T1", "UREV1", f"{f}:sentiment:positive", delivery="slack:T1/trigger-2")
    again = d.act("slack", "T1", "UREV1", f"{f}:sentiment:negative", delivery="slack:T1/trigger-1")
    assert again.replayed and again.report is None and again.thread is None
    [label] = review.labels_for(db, f)
    assert label.sentiment == "positive"  # the older press, replayed, did not undo the later answer


class RecordingBoard:
    """A review channel that keeps what is posted; ``refuse_after`` posts it refuses."""

    def __init__(self, refuse_after: int | None = None) -> None:
        self.posts: list[tuple[str, Report]] = []
        self.refuse_after = refuse_after

    def post(self, channel: str, report: Report, text: str) -> Mapping[str, Any]:
        if self.refuse_after is not None and len(self.posts) >= self.refuse_after:
            raise PlatformUnavailable("refused")
        self.posts.append((channel, report))
        return {"channel": channel, "ts": str(len(self.posts))}

    def update(self, post: Mapping[str, Any], report: Report, text: str) -> None:
        raise AssertionError("not used")

    def reply(self, post: Mapping[str, Any], text: str) -> None:
        raise AssertionError("not used")


def _more_flags(db, n: int) -> list[int]:
    ids = []
    with db.conn:
        for i in range(n):
            ids.append(review.add(db, message_key=f"k{i}", workspace="T1", author=f"a{i}", day="2026-11-20",
                                  text=f"t{i}", policy="audit", policy_detail={}, sentiment="neutral",
                                  probs=(0.1, 0.8, 0.1), stress=0.1, model_version="m", now=1.0, ttl_s=1e6))
    return ids


def test_post_pending_posts_each_flag_once_to_the_review_channel(db):
    ids = _more_flags(db, 3)
    board = RecordingBoard()
    assert post_pending(db, desk(db), {"slack": board}, "slack:CREVIEW") == 3
    assert [c for c, _ in board.posts] == ["CREVIEW"] * 3
    assert post_pending(db, desk(db), {"slack": board}, "slack:CREVIEW") == 0
    assert review.get(db, ids[0]).post == {"channel": "CREVIEW", "ts": "1"}


def test_a_refused_post_stops_the_run_and_is_tried_next_time(db):
    ids = _more_flags(db, 3)
    board = RecordingBoard(refuse_after=1)
    assert post_pending(db, desk(db), {"slack": board}, "slack:CREVIEW") == 1
    assert [f.id for f in review.unposted(db)] == ids[1:]
    board.refuse_after = None
    assert post_pending(db, desk(db), {"slack": board}, "slack:CREVIEW") == 2


def test_no_board_for_the_channels_platform_posts_nothing(db):
    _more_flags(db, 1)
    assert post_pending(db, desk(db), {"slack": RecordingBoard()}, "msteams:19:abc@thread.tacv2") == 0
    assert len(review.unposted(db)) == 1
