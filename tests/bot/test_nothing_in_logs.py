"""The live process, sent forged, stale and malformed requests that carry an email, a phone
number, a user id and a sentence: none of them reaches any file the process wrote, and no
unauthenticated request can make the log grow by more than a line."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import aiohttp

from bot_process import bot_log, free_port, start_bot, wait_healthy
from conftest import ADMIN, CHANNEL, event_body, message_event, signed_headers
from slack_fake import TEAM_ID, FakeSlack, start_fake_slack

EMAIL = "priya.raman@bigcorp.example"
PHONE = "+44 7700 900461"
USER = "UPRIYA7731"
SENTENCE = "I cannot cope with this workload any more"
SECRETS = [EMAIL, PHONE, USER, SENTENCE, "Priya", "workload"]
TEXT = f"{SENTENCE}, ring me on {PHONE} or write to {EMAIL}"


def requests_nobody_should_log() -> list[tuple[bytes, dict[str, str]]]:
    now = int(time.time())
    good = json.dumps(event_body(message_event(TEXT, user=USER, ts=f"{now + 1}.000001"), "EvSecret1"))
    json_type = {"Content-Type": "application/json"}
    malformed = [
        json.dumps(event_body(message_event(12345, user=USER, ts=f"{now + 1}.000002") | {"blocks": TEXT})),
        json.dumps(event_body(message_event(TEXT, user={"id": USER, "email": EMAIL}, ts="abc"))),
        json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event": TEXT}),
        json.dumps([TEXT, EMAIL, USER, PHONE]),
        "[" * 50_000 + json.dumps(TEXT) + "]" * 50_000,
    ]
    huge = json.dumps({"event": {"text": (TEXT + " ") * 40_000}})  # about 1.8 MB, unsigned
    return [
        (good.encode(), {**json_type, **signed_headers(good, secret="forged-secret")}),  # forged
        (good.encode(), {**json_type, **signed_headers(good, timestamp=now - 900)}),  # stale (clock skew)
        (good.encode(), json_type),  # unsigned
        (huge.encode(), json_type),
        (huge.encode(), {**json_type, **signed_headers(huge, secret="forged-secret")}),
        (TEXT.encode("utf-16"), json_type),  # not UTF-8
        (b"command=/teamweather&text=" + TEXT.encode() + b"&user_id=" + USER.encode(),
         {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": "soon",
          "X-Slack-Signature": "v0=" + EMAIL}),
    ] + [(body.encode(), {**json_type, **signed_headers(body)}) for body in malformed]


async def test_no_request_puts_text_or_identifiers_in_any_file(tmp_path: Path) -> None:
    fake = await start_fake_slack(FakeSlack())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # our own loggers at their most verbose: libraries stay capped, and the filter holds for all
    proc = start_bot(tmp_path, fake.api_url, port, settings={"log_level": "DEBUG"})
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, url, proc)
            form = f"command=/teamweather&text=optin&user_id={ADMIN}&channel_id={CHANNEL}&team_id={TEAM_ID}"
            async with session.post(f"{url}/slack/events", data=form, headers={
                    "Content-Type": "application/x-www-form-urlencoded", **signed_headers(form)}) as resp:
                assert resp.status == 200
            size_before = len(bot_log(tmp_path))
            for _ in range(20):
                for body, headers in requests_nobody_should_log():
                    async with session.post(f"{url}/slack/events", data=body, headers=headers) as resp:
                        assert resp.status < 500
            assert (await wait_healthy(session, url, proc))["inbox_depth"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        assert fake.server is not None
        await fake.server.close()
    log = bot_log(tmp_path)
    assert "Teamweather stopped" in log  # the log is really being written
    assert len(log) - size_before < 2_000, "refused requests made the log grow"
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "teamweather.yaml":
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret!r} reached {path.name}"
