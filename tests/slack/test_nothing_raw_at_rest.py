"""Raw identifiers never reach the database files or the logs, even at DEBUG."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from conftest import ADMIN, BOB, BotUnderTest, message_event

SECRETS = ["Zedekiah", "Quist", "Fernsby", "alice.f", BOB, "jo.smith@corp.example",
           "+44 20 7946 0958", "https://wiki.corp.example/payroll", "4111111111111111"]


async def test_identifiers_never_touch_disk_or_logs(bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # our own loggers at their most verbose
    await bot.command("optin", user=ADMIN)
    texts = [
        f"Zedekiah Quist and Alice Fernsby (alice.f) met <@{BOB}>",
        "call me on +44 20 7946 0958 or mail jo.smith@corp.example",
        "payroll doc: <https://wiki.corp.example/payroll|payroll> card 4111111111111111",
    ]
    for n, text in enumerate(texts):
        assert await bot.event(message_event(text, ts=f"{int(time.time()) + 1}.00000{n}")) == 200
    await bot.drained()
    assert len(bot.scores()) == 3
    bot.checkpoint()
    db_path = Path(bot.runtime.config.settings.database)
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    logs = caplog.text
    for secret in SECRETS:
        assert secret.encode() not in blob, f"{secret!r} reached the database"
        assert secret not in logs, f"{secret!r} reached the logs"
