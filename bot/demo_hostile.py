"""The demo's hostile round: requests nobody shaped for us, sent to the live HTTP endpoint.

Each carries a sentence, an email address, a phone number and a user id. The demo shows
what the endpoint answers, that nothing was stored, and that no log line kept any of them.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import sqlite_utils
from aiohttp import web

from bot import logs
from bot.metrics import Metrics

SENTENCE = "I honestly cannot take another week like this"
EMAIL = "sam.okafor@example.org"
PHONE = "+1 415 555 0137"
USER = "U0SAMOKAF1"
SECRETS = (SENTENCE, EMAIL, PHONE, USER)
TABLES = ("inbox", "scores", "seen_events")


@dataclass
class HostileReport:
    """What the endpoint did with the hostile requests."""

    statuses: Counter[int] = field(default_factory=Counter)
    stored_before: dict[str, int] = field(default_factory=dict)
    stored_after: dict[str, int] = field(default_factory=dict)
    log_lines: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def leaked(self) -> list[str]:
        """The secrets found in any log line."""
        return [s for s in SECRETS if any(s in line for line in self.log_lines)]


def _sign(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def hostile_requests(secret: str, team_id: str, channel: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """(what, body, headers) of each request: forged, stale, unsigned and malformed ones."""
    now = int(time.time())
    text = f"{SENTENCE}. Call me on {PHONE} or write to {EMAIL}"

    def event(**fields: object) -> bytes:
        base = {"type": "message", "channel": channel, "user": USER, "text": text, "ts": f"{now}.000100"}
        return json.dumps({"type": "event_callback", "team_id": team_id, "event_id": f"EvH{len(fields)}",
                           "event": {**base, **fields}}).encode()

    good = event()
    signed = {"Content-Type": "application/json"}
    return [
        ("forged signature", good, {**signed, **_sign("not-the-secret", good, now)}),
        ("stale timestamp", good, {**signed, **_sign(secret, good, now - 900)}),
        ("unsigned", good, signed),
        ("not UTF-8", text.encode("utf-16"), {**signed, **_sign(secret, text.encode("utf-16"), now)}),
        ("text a number", event(text=404), {**signed, **_sign(secret, event(text=404), now)}),
        ("user an object", event(user={"id": USER, "email": EMAIL}), {
            **signed, **_sign(secret, event(user={"id": USER, "email": EMAIL}), now)}),
        ("ts nan", event(ts="nan"), {**signed, **_sign(secret, event(ts="nan"), now)}),
        ("top-level array", json.dumps([text]).encode(), {**signed, **_sign(secret, json.dumps([text]).encode(), now)}),
        ("nested 20,000 deep", b"[" * 20_000 + b"]" * 20_000, {
            **signed, **_sign(secret, b"[" * 20_000 + b"]" * 20_000, now)}),
    ]


async def hostile_round(
    web_app: web.Application, db: sqlite_utils.Database, secret: str, team_id: str, channel: str,
    metrics: Metrics,
) -> HostileReport:
    """Serve ``web_app`` (the events endpoint, counting into ``metrics``) on a loopback port,
    send the hostile requests, and report."""
    report = HostileReport(stored_before={t: db[t].count for t in TABLES})
    before = metrics.snapshot()
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.addFilter(logs.Redactor())  # what `teamweather run` puts on every handler
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        async with aiohttp.ClientSession() as session:
            for _, body, headers in hostile_requests(secret, team_id, channel):
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp:
                    report.statuses[resp.status] += 1
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        await runner.cleanup()
    report.stored_after = {t: db[t].count for t in TABLES}
    report.log_lines = [line for line in captured.getvalue().splitlines() if line]
    report.counters = {k: v - before.get(k, 0) for k, v in metrics.snapshot().items() if v - before.get(k, 0)}
    return report


def describe(report: HostileReport) -> list[str]:
    """The demo's lines about the round."""
    refused, acked = report.statuses.get(401, 0), report.statuses.get(200, 0)
    errors = sum(n for status, n in report.statuses.items() if status >= 500)
    unchanged = report.stored_after == report.stored_before
    return [
        f"  {refused} refused with 401 (forged, stale, unsigned); {acked} signed but malformed (not UTF-8, wrong types, "
        f"not an object, nested too deep), "
        f"acked with 200 so Slack stops retrying, and ignored; {errors} server errors",
        f"  stored: {'nothing' if unchanged else 'SOMETHING'} (inbox, scores and event ids unchanged); "
        f"counted: {', '.join(f'{k} {v}' for k, v in report.counters.items())}",
        f"  logged: {len(report.log_lines)} line(s), holding the sentence, email, phone or user id: "
        + (", ".join(report.leaked) if report.leaked else "none"),
    ]
