"""The platform-neutral core: consent, pseudonymisation, inbox, personal controls."""

from __future__ import annotations

import sqlite_utils

from bot import texts
from bot.core import Command, Message, Outcome, Teamweather
from conftest import ADMIN, ALICE, BOB, CHANNEL, OTHER_CHANNEL
from storage import audit, inbox, scores

WS = "T0TEST0001"


def msg(text: str, *, user: str = ALICE, channel: str = CHANNEL, ts: str = "1763900000.000100",
        event_id: str | None = None, edited: bool = False) -> Message:
    return Message(WS, channel, user, ts, float(ts), text, event_id=event_id, edited=edited)


def cmd(text: str, user: str = ALICE, channel: str = CHANNEL) -> Command:
    return Command(WS, channel, user, text)


def enroll(core: Teamweather, channel: str = CHANNEL) -> None:
    core.clock = lambda: 1763800000.0
    assert core.command(cmd("optin", user=ADMIN, channel=channel)).public


def all_rows(db: sqlite_utils.Database) -> dict[str, int]:
    return {t: db[t].count for t in ("inbox", "scores", "seen_events", "people")}


def test_message_in_enrolled_channel_is_pseudonymised_into_the_inbox(core: Teamweather) -> None:
    enroll(core)
    outcome = core.receive(msg("thanks UBOBBY0001 and Bob Okonkwo, mail me at alice@corp.example"))
    assert outcome is Outcome.STORED
    [item] = inbox.oldest(core.db, 10)
    assert "Bob" not in item.text and "UBOBBY0001" not in item.text and "alice@" not in item.text
    assert "<person>" in item.text and "<email>" in item.text
    assert item.author != ALICE and len(item.author) == 32
    assert item.day == "2025-11-23"


def test_channel_not_enrolled_leaves_no_trace(core: Teamweather) -> None:
    enroll(core)
    before = all_rows(core.db)
    assert core.receive(msg("hello", channel=OTHER_CHANNEL, event_id="Ev1")) is Outcome.NOT_ENROLLED
    assert all_rows(core.db) == before


def test_message_sent_before_enrolment_is_not_collected(core: Teamweather) -> None:
    enroll(core)  # enrolled at 1763800000
    assert core.receive(msg("old news", ts="1763700000.000100")) is Outcome.NOT_ENROLLED
    assert inbox.depth(core.db) == 0


def test_paused_person_leaves_no_trace_until_resumed(core: Teamweather) -> None:
    enroll(core)
    assert core.command(cmd("pause")).text == texts.PAUSED
    before = all_rows(core.db)
    assert core.receive(msg("hello", event_id="Ev9")) is Outcome.NOT_COLLECTING
    assert all_rows(core.db) == before
    assert core.command(cmd("resume")).text == texts.RESUMED
    assert core.receive(msg("hello again", ts="1763900001.000100")) is Outcome.STORED


def test_pause_twice_and_resume_twice_say_so(core: Teamweather) -> None:
    assert core.command(cmd("resume")).text == texts.ALREADY_COLLECTING
    core.command(cmd("pause"))
    assert core.command(cmd("pause")).text == texts.ALREADY_PAUSED


def test_retry_with_same_event_id_or_same_ts_is_stored_once(core: Teamweather) -> None:
    enroll(core)
    assert core.receive(msg("ship it", event_id="Ev1")) is Outcome.STORED
    assert core.receive(msg("ship it", event_id="Ev1")) is Outcome.DUPLICATE
    assert core.receive(msg("ship it", event_id="Ev2")) is Outcome.DUPLICATE  # same channel + ts
    assert inbox.depth(core.db) == 1


def test_edit_replaces_pending_text_and_bumps_revision(core: Teamweather) -> None:
    enroll(core)
    core.receive(msg("this is terrible"))
    [before] = inbox.oldest(core.db, 1)
    assert core.receive(msg("this is great", edited=True, event_id="Ev2")) is Outcome.UPDATED
    [after] = inbox.oldest(core.db, 1)
    assert after.text == "this is great" and after.revision == before.revision + 1


def test_an_edit_drops_the_flag_holding_the_old_words(core: Teamweather) -> None:
    """Reviewers may only ever read what the author's message says now: an edited message's
    flag (old text, and any labels on it) goes; the new text is scored and may be flagged anew."""
    import random

    from analyzers.flagging import FlagPolicy
    from analyzers.lexicon import LexiconAnalyzer
    from bot.runtime import review_flagger
    from bot.worker import BatchPolicy, ScoringWorker
    from storage import review

    enroll(core)
    core.receive(msg("the deploy broke again, I give up"))
    path = core.db.execute("PRAGMA database_list").fetchone()[2]
    flag_all = review_flagger(FlagPolicy(uncertainty_margin=1.0), random.Random(0))
    worker = ScoringWorker(path, LexiconAnalyzer(), BatchPolicy(size=8, max_wait=0.0), flagger=flag_all)
    assert worker.drain(core.db) == 1
    [flag] = review.unposted(core.db)
    with core.db.conn:
        review.label(core.db, flag.id, "reviewer", now=1.0, keep_until=9e9, sentiment="negative")
    assert core.receive(msg("all good now", edited=True, event_id="Ev9")) is Outcome.UPDATED
    assert review.get(core.db, flag.id) is None and review.labels_for(core.db, flag.id) == []
    assert core.db.execute("SELECT count(*) FROM flags WHERE text LIKE '%give up%'").fetchone()[0] == 0


def test_a_flag_holds_the_text_made_for_reviewers(core: Teamweather) -> None:
    """What reviewers read loses members' names that are common words even with no cue
    ("dawn fixed it"), where the text the classifier reads keeps an uncued common word."""
    import random

    from analyzers.flagging import FlagPolicy
    from analyzers.lexicon import LexiconAnalyzer
    from analyzers.pseudonymise import Member
    from bot.runtime import review_flagger
    from bot.worker import BatchPolicy, ScoringWorker
    from storage import review

    core.pseudonymiser.set_members([Member("U0DAWN0001", ("Dawn Fisher", "dfisher"))])
    enroll(core)
    core.receive(msg("dawn fixed the deploy but it broke again, I give up"))
    [item] = inbox.oldest(core.db, 1)
    assert item.text.startswith("dawn fixed")  # precise: no cue, so the word stays for scoring
    path = core.db.execute("PRAGMA database_list").fetchone()[2]
    flag_all = review_flagger(FlagPolicy(uncertainty_margin=1.0), random.Random(0),
                              for_reviewers=core.pseudonymiser.for_reviewers)
    worker = ScoringWorker(path, LexiconAnalyzer(), BatchPolicy(size=8, max_wait=0.0), flagger=flag_all)
    assert worker.drain(core.db) == 1
    [flag] = review.unposted(core.db)
    assert flag.text == "<person> fixed the deploy but it broke again, I give up"


def test_edit_of_message_never_collected_is_ignored(core: Teamweather) -> None:
    enroll(core)
    assert core.receive(msg("edited", edited=True)) is Outcome.UNKNOWN_ORIGINAL
    assert inbox.depth(core.db) == 0


def test_empty_message_is_dropped(core: Teamweather) -> None:
    enroll(core)
    assert core.receive(msg("   \n")) is Outcome.EMPTY
    assert inbox.depth(core.db) == 0


def test_long_message_is_cut_after_pseudonymisation(core: Teamweather) -> None:
    enroll(core)
    core.receive(msg("word " * 8000 + "alice@corp.example"))
    [item] = inbox.oldest(core.db, 1)
    assert len(item.text) == core.max_text_chars


def test_delete_removes_pending_message(core: Teamweather) -> None:
    enroll(core)
    core.receive(msg("oops"))
    assert core.delete(WS, CHANNEL, "1763900000.000100")
    assert inbox.depth(core.db) == 0
    assert not core.delete(WS, CHANNEL, "1763900000.000100")


def test_optin_is_for_admins_only(core: Teamweather) -> None:
    reply = core.command(cmd("optin", user=BOB))
    assert reply.text == texts.ADMINS_ONLY and not reply.public
    assert core.receive(msg("hi")) is Outcome.NOT_ENROLLED


def test_admins_are_platform_qualified(core: Teamweather) -> None:
    # conftest lists ADMIN bare: a bare id is a Slack id.
    assert core.admins == frozenset({f"slack:{ADMIN}"})
    guid = "7faf080d-1c55-4f5a-a3bc-d2a4a6a1e1b2"
    core.admins = frozenset({f"slack:{ADMIN}", f"msteams:{guid}"})
    # The same id on the other platform is not an admin there.
    teams_admin_on_slack = Command(WS, CHANNEL, guid, "optin")
    slack_admin_on_teams = Command(WS, CHANNEL, ADMIN, "optin", platform="msteams")
    assert core.command(teams_admin_on_slack).text == texts.ADMINS_ONLY
    assert core.command(slack_admin_on_teams).text == texts.ADMINS_ONLY
    assert core.command(Command(WS, CHANNEL, guid, "optin", platform="msteams")).public


def test_optin_posts_a_public_notice_and_is_audited(core: Teamweather) -> None:
    reply = core.command(cmd("optin", user=ADMIN))
    assert reply.public and reply.join_channel
    assert "never stores" in reply.text and "/teamweather pause" in reply.text
    assert core.command(cmd("optin", user=ADMIN)).text == texts.CHANNEL_ALREADY_ENROLLED
    [entry] = audit.entries(core.db, "channel_enrolled")
    assert entry["subject"] == CHANNEL and entry["actor"] != ADMIN


def test_optout_stops_collection(core: Teamweather) -> None:
    enroll(core)
    assert core.command(cmd("optout", user=BOB)).text == texts.ADMINS_ONLY
    assert core.command(cmd("optout", user=ADMIN)).public
    assert core.receive(msg("hi")) is Outcome.NOT_ENROLLED
    assert core.command(cmd("optout", user=ADMIN)).text == texts.CHANNEL_NOT_ENROLLED


def test_forget_me_erases_everything_derived_and_reports_the_count(core: Teamweather) -> None:
    enroll(core)
    core.receive(msg("one", ts="1763900000.000001"))
    core.receive(msg("bob's", user=BOB, ts="1763900000.000002"))
    core.receive(msg("two", ts="1763900000.000003"))
    from analyzers.lexicon import LexiconAnalyzer
    from bot.worker import score_batch

    score_batch(core.db, LexiconAnalyzer(), inbox.oldest(core.db, 2))  # Alice: 1 scored, 1 pending
    reply = core.command(cmd("forget-me"))
    assert "Erased 2 stored record(s)" in reply.text
    author = core.pseudonymiser.author(WS, ALICE)
    assert scores.count(core.db, author) == 0 and inbox.depth(core.db, author) == 0
    assert scores.count(core.db) == 1  # Bob's score is untouched
    assert core.receive(msg("three", ts="1763900000.000004")) is Outcome.NOT_COLLECTING
    [entry] = audit.entries(core.db, "person_forgotten")
    assert entry["detail"] == {"scores": 1, "inbox": 1, "flags": 0, "learning": 0, "downloads": 0,
                               "audit_rows_anonymised": 0}


def test_forget_me_anonymises_the_persons_earlier_audit_rows(core: Teamweather) -> None:
    core.command(cmd("pause"))
    core.command(cmd("resume"))
    core.command(cmd("forget-me"))
    author = core.pseudonymiser.author(WS, ALICE)
    actors = [(e["action"], e["actor"]) for e in audit.entries(core.db)]
    assert actors == [("person_paused", None), ("person_resumed", None), ("person_forgotten", author)]
    assert audit.entries(core.db, "person_forgotten")[0]["detail"]["audit_rows_anonymised"] == 2


def test_status_reports_what_is_held(core: Teamweather) -> None:
    enroll(core)
    core.receive(msg("hello"))
    text = core.command(cmd("status")).text
    assert texts.STATE_COLLECTING in text and "Waiting to be scored: 1" in text
    assert texts.CHANNEL_ON in text
    core.command(cmd("forget-me"))
    assert texts.STATE_FORGOTTEN in core.command(cmd("status")).text


def test_unknown_and_empty_commands_get_help(core: Teamweather) -> None:
    assert core.command(cmd("")).text == texts.HELP
    assert "I don't know `dance`" in core.command(cmd("dance now")).text
    assert core.command(cmd("HELP")).text == texts.HELP


def test_message_repr_hides_text() -> None:
    assert "secret words" not in repr(msg("secret words"))
