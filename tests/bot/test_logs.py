"""The log redaction: whatever any logger writes, no request body, message text, email, phone
number or id reaches a log line, and no one record can write more than a few kilobytes."""

from __future__ import annotations

import re

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import logs

ROOT = Path(__file__).parents[2]
EMAIL = "priya.raman@bigcorp.example"
PHONE = "+44 7700 900461"
USER = "UPRIYA7731"
SENTENCE = "I cannot cope with this workload any more"
SECRETS = [EMAIL, PHONE, USER, SENTENCE, "Priya", "workload"]
TEXT = f"{SENTENCE}, ring me on {PHONE} or write to {EMAIL}"
BODY = json.dumps({
    "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "team_id": "T0123ABCDE", "api_app_id": "A0123ABCDE",
    "event": {"type": "message", "user": USER, "text": TEXT, "ts": "1764577200.000100", "channel": "C0123ABCDE"},
    "type": "event_callback", "event_id": "Ev0123ABCDEF", "event_time": 1764577200,
})
FORM = urlencode({"command": "/teamweather", "text": TEXT, "user_id": USER, "team_id": "T0123ABCDE"})
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
BOLT = "slack_bolt.teamweather"  # a library's logger, though named after us


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    """What the root handler writes, with :func:`logs.setup` run (and undone afterwards)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter(logs.FORMAT))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", *logs.LIBRARIES, "apscheduler.executors")}
    root.addHandler(handler)  # pytest's handlers are there too, so basicConfig adds none
    try:
        logs.setup("DEBUG")
        root.setLevel(logging.DEBUG)
        yield buffer
    finally:
        logs.uninstall()
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def message_part(line: str, logger: str) -> str:
    """The message of one formatted line (after "LEVEL logger: ")."""
    return line.split(f" {logger}: ", 1)[1]


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} reached the log"


# --- the signature-failure line and other request dumps ---------------------------------------


@pytest.mark.parametrize("line", [
    f"Invalid request signature detected (signature: {SIGNATURE}, timestamp: 1764577200, body: {BODY})",
    f"Invalid request signature detected (signature: {SIGNATURE}, timestamp: 1764577200, body: {FORM})",
    f"Invalid request signature detected (signature: {SIGNATURE}, timestamp: 1764577200, body: {BODY.encode()!r})",
    f"Unhandled request ({json.loads(BODY)})\n---\n[Suggestion] You can handle this type of event",
    f"Failed to parse the request: {FORM}",
    f"Unexpected payload {BODY}",
    f"posting {json.loads(BODY)['event']!r} to https://hooks.slack.com/services/T0123ABCDE/B0123ABCDE/x?user={USER}",
    f"retrying with {BODY.replace(' ', '')}",
    f"event from {USER} <{EMAIL}> {PHONE} {json.dumps(TEXT)}",
    f"Failed to run listener function (error: '{TEXT}')",
    f"text={TEXT}",
])
def test_library_lines_keep_no_body_text_or_identifier(out: io.StringIO, line: str) -> None:
    logging.getLogger(BOLT).info(line)
    written = out.getvalue()
    assert_clean(written)
    assert "1764577200" not in written and "T0123ABCDE" not in written and SIGNATURE[3:] not in written
    assert written.count("\n") == 1  # one line, whatever the message held


def test_the_signature_failure_line_still_says_what_happened(out: io.StringIO) -> None:
    logging.getLogger(BOLT).info(
        f"Invalid request signature detected (signature: {SIGNATURE}, timestamp: 1764577200, body: {BODY})")
    assert message_part(out.getvalue(), BOLT).startswith("Invalid request signature detected (signature: ")


def test_bolts_unused_token_warning_still_matches_the_filter_that_hides_it() -> None:
    """bot/slack/app.py hides this line by its start; the redacted record still has it."""
    message = "As you gave `client` as well, `token` will be unused."
    assert logs.redact_message(message, own=False) == message


def test_our_loggers_redact_identifiers_and_sentences_too(out: io.StringIO) -> None:
    log = logging.getLogger("bot.worker")
    log.info("user %s wrote %r", USER, TEXT)
    log.info("event %s", json.loads(BODY))
    log.warning("mail %s or call %s; form %s", EMAIL, PHONE, FORM)
    log.error("body: %s", BODY)
    assert_clean(out.getvalue())
    assert len(out.getvalue().splitlines()) == 4


def test_percent_encoded_identifiers_are_decoded_first(out: io.StringIO) -> None:
    logging.getLogger("aiohttp.server").warning("bad request line GET /x?u=%s&e=%s", USER, EMAIL.replace("@", "%40"))
    logging.getLogger("bot.server").warning("odd path /x/%s", EMAIL.replace("@", "%40"))
    assert "priya.raman" not in out.getvalue() and USER not in out.getvalue()


# --- what must survive ----------------------------------------------------------------------


@pytest.mark.parametrize(("logger", "line"), [
    ("bot.worker", "scored 64 messages in 0.41 s"),
    ("bot.runtime", "job weekly_digest: next run 2026-12-07 09:00:00+00:00"),
    ("bot.runtime", "job retention_purge: next run 2026-12-02 03:30:00.250000+01:00"),
    ("bot.runtime", "Teamweather serving Slack over HTTP at /slack/events"),
    ("bot.runtime", "Teamweather serving Slack in Socket Mode"),
    ("bot.runtime", "web server on ('127.0.0.1', 3000) (/healthz)"),
    ("bot.jobs", "weekly digest 2026-W49: {'sent': 3, 'suppressed': 1}"),
    ("bot.jobs", "retention purge before 2026-09-01: {'scores': 1204, 'audit': 0}"),
    ("bot.slack.endpoint", "refused Slack requests: {'bad signature': 12, 'too large': 1} (next summary in 60 s at most)"),
    ("bot.model_watch", "switched to model version v2.13.0 (was bundled-1.0)"),
    ("storage.db", "database: cannot open /var/lib/teamweather/tw.db (unable to open database file)"),
    ("bot.slack.directory", "member directory loaded: 30 people"),
    ("bot.config", "TEAMWEATHER_PSEUDONYM_KEY is not set; SLACK_SIGNING_SECRET neither"),
    ("apscheduler.scheduler", "Scheduler started"),
    ("aiohttp.client", "Cannot connect to host slack.com:443 ssl:default"),
])
def test_useful_lines_survive_intact(out: io.StringIO, logger: str, line: str) -> None:
    logging.getLogger(logger).warning(line)
    assert message_part(out.getvalue(), logger) == line + "\n"


@pytest.mark.parametrize(("logger", "fmt", "args", "expected"), [
    ("bot.runtime", "web server on %s (/healthz)", (("127.0.0.1", 3000),),
     "web server on ('127.0.0.1', 3000) (/healthz)"),
    ("bot.runtime", "job %s: next run %s", ("weekly_digest", datetime(2026, 12, 7, 9, tzinfo=UTC)),
     "job weekly_digest: next run 2026-12-07 09:00:00+00:00"),
    ("bot.worker", "scored %d messages in %.2f s", (64, 0.41), "scored 64 messages in 0.41 s"),
    ("bot.jobs", "weekly digest %s: %s", ("2026-W49", {"sent": 3, "failed": 0}),
     "weekly digest 2026-W49: {'sent': 3, 'failed': 0}"),
    ("bot.slack.endpoint", "%s: %s (next summary in %.0f s at most)",
     ("refused Slack requests", "3 × bad signature, 12 × stale, 2 × not JSON or a form", 60.0),
     "refused Slack requests: 3 × bad signature, 12 × stale, 2 × not JSON or a form (next summary in 60 s at most)"),
    ("bot.model_watch", "model registry unreadable, keeping %s: %s",
     ("v2", OSError("database is locked")), "model registry unreadable, keeping v2: database is locked"),
    ("bot.slack.app", "could not join channel %s: %s", ("C0123ABCDE", "not_in_channel"),
     "could not join channel <id>: not_in_channel"),
])
def test_our_log_calls_read_as_written(
        out: io.StringIO, logger: str, fmt: str, args: tuple[object, ...], expected: str) -> None:
    logging.getLogger(logger).info(fmt, *args)
    assert message_part(out.getvalue(), logger) == expected + "\n"


def test_what_fills_in_our_format_strings_is_held_to_the_library_rules(out: io.StringIO) -> None:
    class Event:
        def __str__(self) -> str:
            return TEXT

    log = logging.getLogger("bot.slack.app")
    log.info("ignored a malformed message event (%s)", ValueError(TEXT))
    log.info("event %s", Event())
    log.info("event %s from %s", TEXT, USER)
    log.info("event %(text)s", {"text": TEXT})
    assert_clean(out.getvalue())
    assert out.getvalue().count("\n") == 4


def test_a_url_keeps_its_scheme_and_host_only(out: io.StringIO) -> None:
    logging.getLogger("slack_sdk.web").warning(
        f"Failed to reach https://user:pw@slack.com:443/api/chat.postMessage?channel={USER}, retrying")
    assert message_part(out.getvalue(), "slack_sdk.web") == "Failed to reach https://slack.com:443/..., retrying\n"


# --- caps -----------------------------------------------------------------------------------


@pytest.mark.parametrize("logger", [BOLT, "bot.worker"])
@pytest.mark.parametrize("message", [
    "x" * 2_000_000,
    (TEXT + " ") * 50_000,
    "[" * 1_000_000 + TEXT + "]" * 1_000_000,
    "\n".join([TEXT] * 100_000),
    "body: " + BODY * 1_000,
    "é" * 2_000_000,
])
def test_a_huge_message_writes_at_most_one_capped_line(out: io.StringIO, logger: str, message: str) -> None:
    logging.getLogger(logger).warning("got %s", message)
    written = out.getvalue()
    assert len(written.encode()) <= logs.RECORD_BYTES
    assert written.count("\n") == 1
    assert_clean(written)


def test_a_huge_traceback_is_capped_keeping_its_end(out: io.StringIO) -> None:
    def deep(n: int) -> None:
        if n == 0:
            raise ValueError("x" * 2_000_000)
        deep(n - 1)

    try:
        deep(500)
    except ValueError:
        logging.getLogger("bot.worker").exception("failed " + "y" * 10_000)
    written = out.getvalue()
    assert len(written.encode()) <= logs.RECORD_BYTES
    assert written.rstrip().splitlines()[-1].startswith("ValueError")  # the end is what is kept


# --- exceptions -----------------------------------------------------------------------------


def raise_with_text(text: str) -> None:
    raise ValueError(text)


def test_a_library_exception_keeps_its_type_and_place_but_not_its_message(out: io.StringIO) -> None:
    try:
        raise_with_text(TEXT)
    except ValueError:
        logging.getLogger(BOLT).exception("Failed to run listener function")
    written = out.getvalue()
    assert_clean(written)
    assert "Traceback (most recent call last):" in written and "in raise_with_text" in written
    assert written.rstrip().splitlines()[-1] == "ValueError"


@pytest.mark.parametrize("make", [
    lambda: KeyError(TEXT),
    lambda: ValueError(f"could not score {TEXT!r}"),
    lambda: ValueError(f"bad event\n{TEXT}"),
    lambda: ValueError(f"bad event {json.loads(BODY)}"),
    lambda: RuntimeError(f"body: {BODY}"),
])
def test_our_exception_keeps_a_redacted_first_line(out: io.StringIO, make: object) -> None:
    try:
        try:
            raise make()  # type: ignore[operator]
        except Exception as exc:
            raise RuntimeError(f"scoring failed for {USER}") from exc
    except RuntimeError:
        logging.getLogger("bot.worker").exception("scoring a batch of %d failed; retrying one by one", 3)
    written = out.getvalue()
    assert_clean(written)
    assert "The above exception was the direct cause of the following exception:" in written
    assert written.rstrip().splitlines()[-1] == "RuntimeError: scoring failed for <id>"


def test_a_useful_exception_message_of_ours_survives(out: io.StringIO) -> None:
    import sqlite3

    try:
        sqlite3.connect(":memory:").execute("select * from nothere")
    except sqlite3.Error:
        logging.getLogger("storage.db").exception("query failed")
    assert out.getvalue().rstrip().splitlines()[-1] == "sqlite3.OperationalError: no such table: nothere"


def test_exc_info_is_consumed_so_no_handler_can_format_the_raw_exception(out: io.StringIO) -> None:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        try:
            raise_with_text(TEXT)
        except ValueError:
            logging.getLogger(BOLT).error("failed", exc_info=True, stack_info=True)
    finally:
        logging.getLogger().removeHandler(handler)
    [record] = seen
    assert record.exc_info is None and record.args == ()
    assert record.exc_text and record.stack_info and TEXT not in record.exc_text


# --- every handler --------------------------------------------------------------------------


def test_a_handler_added_later_on_a_library_logger_gets_redacted_records(out: io.StringIO) -> None:
    """The guarantee: every record made after setup() is redacted when it is made, so any
    handler, added at any time, on any logger, propagating or not, writes redacted lines."""
    late = io.StringIO()
    bolt = logging.getLogger("slack_bolt")
    handler = logging.StreamHandler(late)
    bolt.addHandler(handler)
    bolt.propagate = False
    try:
        logging.getLogger(BOLT).info(f"Invalid request signature detected (body: {BODY})")
        logging.getLogger(BOLT).info("event %s", TEXT)
    finally:
        bolt.removeHandler(handler)
        bolt.propagate = True
    assert late.getvalue().count("\n") == 2
    assert_clean(late.getvalue())
    assert out.getvalue() == ""  # it did not propagate


def test_the_last_resort_handler_writes_redacted_lines(out: io.StringIO, capsys: pytest.CaptureFixture[str]) -> None:
    lonely = logging.getLogger("somelib.lonely")
    lonely.propagate = False  # no handler anywhere: logging.lastResort prints to stderr
    try:
        lonely.warning("got %s", BODY)
    finally:
        lonely.propagate = True
    err = capsys.readouterr().err
    assert "got {...}" in err
    assert_clean(err)


def test_guard_puts_the_factory_back_and_filters_new_handlers(out: io.StringIO) -> None:
    previous = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)  # a library replaced it
    late = io.StringIO()
    handler = logging.StreamHandler(late)
    logging.getLogger("botbuilder").addHandler(handler)
    try:
        logs.guard()
        logs.guard()  # idempotent
        assert sum(isinstance(f, logs.Redactor) for f in handler.filters) == 1
        logging.getLogger("botbuilder.core").warning("activity %s", TEXT)
    finally:
        logging.getLogger("botbuilder").removeHandler(handler)
        logging.setLogRecordFactory(previous)
    assert late.getvalue() and TEXT not in late.getvalue()


def test_a_record_made_by_hand_is_redacted_by_the_handler_filter(out: io.StringIO) -> None:
    record = logging.makeLogRecord({"name": BOLT, "levelno": logging.INFO, "levelname": "INFO",
                                    "msg": "body: %s", "args": (BODY,)})
    logging.getLogger(BOLT).handle(record)
    by_hand = logging.LogRecord(BOLT, logging.INFO, __file__, 1, "user %s said %r", (USER, TEXT), None)
    by_hand.__dict__.pop(logs._MARK, None)  # as if made before setup()
    logging.getLogger(BOLT).handle(by_hand)
    traceback_text = (f'Traceback (most recent call last):\n  File "/app/x.py", line 3, in handle\n'
                      f'    raise ValueError({TEXT!r})\nValueError: {TEXT}\n{BODY}')
    logging.getLogger(BOLT).handle(logging.makeLogRecord(
        {"name": BOLT, "levelno": logging.ERROR, "levelname": "ERROR", "msg": "failed", "exc_text": traceback_text}))
    written = out.getvalue()
    assert_clean(written)
    assert written.count(" slack_bolt.teamweather: ") == 3
    assert written.rstrip().splitlines()[-2:] == ['  File "/app/x.py", line 3, in handle', "ValueError"]


def test_extra_attributes_are_scrubbed_for_formatters_that_print_them(out: io.StringIO) -> None:
    late = io.StringIO()
    handler = logging.StreamHandler(late)
    handler.setFormatter(logging.Formatter("%(message)s | %(body)s | %(user)s | %(status)s"))
    logging.getLogger().addHandler(handler)
    logs.guard()
    try:
        logging.getLogger("aiohttp.access").info("request", extra={"body": TEXT, "user": USER, "status": 200})
    finally:
        logging.getLogger().removeHandler(handler)
    assert late.getvalue() == "request | <redacted> | <id> | 200\n"


def test_setup_to_stderr_end_to_end() -> None:
    """The real thing: ``setup`` in a fresh interpreter, everything to stderr (what
    teamweather.log receives), an uncaught exception last."""
    script = f"""
import logging, threading, warnings
from bot import logs
logs.setup("DEBUG")
logging.getLogger("bot.runtime").info("job weekly_digest: next run 2026-12-07 09:00:00+00:00")
logging.getLogger({BOLT!r}).info("Invalid request signature detected (body: %s)", {BODY!r})
logging.getLogger("slack_bolt.teamweather").debug("debug lines of libraries stay off")
warnings.warn({TEXT!r})

def fail(text):
    raise ValueError(text)

thread = threading.Thread(target=fail, args=({TEXT!r},))
thread.start()
thread.join()
raise RuntimeError({TEXT!r})
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    err = result.stderr
    assert_clean(err)
    assert "INFO bot.runtime: job weekly_digest: next run 2026-12-07 09:00:00+00:00" in err
    assert f"INFO {BOLT}: Invalid request signature detected (body: <redacted>" in err
    assert "debug lines" not in err
    assert "WARNING py.warnings:" in err
    assert "ERROR teamweather.uncaught: uncaught exception in thread" in err
    assert "CRITICAL teamweather.uncaught: uncaught exception" in err
    assert err.rstrip().splitlines()[-1] == "RuntimeError: <text> <phone> or write to <email>"


# --- floods and failures --------------------------------------------------------------------


def test_one_place_in_a_library_cannot_flood_the_log(out: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(logs._flood, "clock", lambda: now[0])
    log = logging.getLogger("aiohttp.server")

    def handle_a_request() -> None:
        log.error("Error handling request")  # one place in the code

    for _ in range(1_000):
        handle_a_request()
    lines = out.getvalue().splitlines()
    assert len(lines) == logs.LIBRARY_BURST
    now[0] += logs.LIBRARY_EVERY_S
    handle_a_request()
    assert out.getvalue().splitlines()[-1].endswith(
        f"Error handling request ({1_000 - logs.LIBRARY_BURST} similar lines suppressed)")
    logging.getLogger("aiohttp.server").error("another place in the code")  # its own budget
    assert out.getvalue().splitlines()[-1].endswith("another place in the code")


def test_a_failing_redaction_writes_a_fixed_line_and_never_raises(
        out: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(logs, "redact_message", broken)
    logging.getLogger(BOLT).info("body: %s", BODY)
    assert message_part(out.getvalue(), BOLT) == logs.FALLBACK + "\n"


def test_a_message_that_cannot_be_formatted_does_not_leak_its_arguments(out: io.StringIO) -> None:
    class Exploding:
        def __str__(self) -> str:
            raise ValueError(TEXT)

    logging.getLogger(BOLT).info("value %s", Exploding())
    logging.getLogger(BOLT).info("two %s %s", TEXT)  # wrong number of arguments
    assert out.getvalue().count(logs.UNFORMATTABLE) == 2
    assert_clean(out.getvalue())


# --- properties -----------------------------------------------------------------------------

SEPARATORS = st.sampled_from([" ", ", ", ": ", "=", "\"", "'", "(", ")", "<@", ">", "|", "[", "{", "/", "\t", "\n"])
USER_IDS = st.from_regex(r"[UWCGTBEADS][A-Z0-9]{8,11}", fullmatch=True)
PHONES = st.from_regex(
    r"\+[1-9]\d{1,2} \d{2,4} \d{3,4} \d{3,4}|\(\d{3}\) \d{3}-\d{4}|\d{3}-\d{3}-\d{4}|0\d{3} \d{3} \d{4}"
    r"|\d{7,16}|\d{4} \d{4} \d{4} \d{4}", fullmatch=True)
SECRET = st.one_of(st.emails(), USER_IDS, PHONES,
                   st.uuids().map(str), st.from_regex(r"(?:29|19|a):[0-9A-Za-z_-]{12,30}", fullmatch=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.text(max_size=80), sep1=SEPARATORS, secret=SECRET, sep2=SEPARATORS,
       after=st.text(max_size=80), own=st.booleans())
def test_an_identifier_anywhere_in_any_text_never_survives(
        before: str, sep1: str, secret: str, sep2: str, after: str, own: bool) -> None:
    redacted = logs.redact_message(f"{before}{sep1}{secret}{sep2}{after}", own=own)
    if own and is_workspace_id(secret):
        return  # our own lines keep workspace ids (see the next test)
    assert secret not in redacted


def is_workspace_id(secret: str) -> bool:
    return secret[0] in "TE" and secret.isalnum() and secret.isupper() and not secret.isalpha()


def test_our_lines_keep_workspace_ids_and_library_lines_do_not() -> None:
    line = "removed from workspace T0TEST0001 (enterprise E0ORG00001); user U0ALICE001 in C0CHAN0001"
    assert logs.redact_message(line, own=True) == (
        "removed from workspace T0TEST0001 (enterprise E0ORG00001); user <id> in <id>")
    assert "T0TEST0001" not in logs.redact_message(line, own=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.text(max_size=40), secret=st.one_of(st.emails(), USER_IDS, PHONES, st.uuids().map(str)),
       after=st.text(max_size=40), own=st.booleans())
def test_emails_ids_and_phones_glued_to_any_text_never_survive(before: str, secret: str, after: str, own: bool) -> None:
    """Teams ids ("29:…", "a:…") are the exception: they are found only as separate words."""
    text = before + secret + after
    # The id the redactor reads is the run of capitals and digits around the secret ("E" + "A0…" +
    # "a" reads as the workspace id "EA0…" followed by "a").
    glued = re.search(r"[A-Z0-9]*" + re.escape(secret) + r"[A-Z0-9]*", text)
    if own and (is_workspace_id(secret) or (glued is not None and is_workspace_id(glued[0]))):
        return  # our own lines keep workspace ids, also one that text glued onto an id makes ("T" + "A0…")
    assert secret not in logs.redact_message(text, own=own)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=3_000), own=st.booleans())
def test_any_text_gives_one_capped_line(text: str, own: bool) -> None:
    redacted = logs.redact_message(text, own=own)
    assert "\n" not in redacted and "\r" not in redacted
    assert len(redacted) <= (logs.OWN_MESSAGE_CHARS if own else logs.LIBRARY_MESSAGE_CHARS)


@settings(max_examples=200, deadline=None)
@given(when=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
       port=st.integers(1, 65535), count=st.integers(0, 999_999), seconds=st.floats(0, 9_999, allow_nan=False))
def test_dates_times_ports_and_counts_are_not_mistaken_for_phones(
        when: datetime, port: int, count: int, seconds: float) -> None:
    line = (f"job weekly_digest: next run {when}; listening on ('127.0.0.1', {port}); "
            f"scored {count} messages in {seconds:.2f} s; week {when:%G-W%V}, {when.date()}, {when:%H:%M}")
    assert logs.redact_message(line, own=True) == line


def test_redaction_is_cheap() -> None:
    """It runs on every log line: a typical one costs tens of microseconds (about 20 on the
    development machine); the bound here is loose, for busy CI machines."""
    import time

    lines = ["scored 64 messages in 0.41 s", "job weekly_digest: next run 2026-12-07 09:00:00+00:00",
             f"Invalid request signature detected (signature: {SIGNATURE}, timestamp: 1764577200, body: {BODY})"]
    start = time.perf_counter()
    for _ in range(1_000):
        for line in lines:
            logs.redact_message(line, own=True)
            logs.redact_message(line, own=False)
    assert (time.perf_counter() - start) / 6_000 < 0.002
