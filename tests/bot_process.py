"""Running the real ``teamweather run`` in a subprocess, for crash tests and benchmarks."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from conftest import ADMIN, KEY, SIGNING_SECRET

ROOT = Path(__file__).parents[1]
# Only a guard against a bot that hangs for good: readiness is the health endpoint answering
# 200, however long the model takes to load on a busy machine.
GIVE_UP_AFTER_SECONDS = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_bot(
    tmp_path: Path, api_url: str, port: int, *, settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``teamweather run`` in HTTP mode; everything it logs goes to ``tmp_path/teamweather.log``.

    ``settings`` are merged over the defaults written to ``tmp_path/teamweather.yaml``."""
    config = tmp_path / "teamweather.yaml"
    config.write_text(json.dumps({
        "database": str(tmp_path / "teamweather.db"),
        "server": {"host": "127.0.0.1", "port": port},
        "slack": {"admins": [ADMIN], "api_base_url": api_url},
        "worker": {"max_wait_ms": 250},
        **(settings or {}),
    }))
    full_env = {**os.environ, "TEAMWEATHER_PSEUDONYM_KEY": KEY.decode(), "SLACK_BOT_TOKEN": "xoxb-test",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": "", **(env or {})}
    with open(tmp_path / "teamweather.log", "ab") as log:  # a file, not a pipe nobody reads
        return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"], cwd=ROOT,
                                env=full_env, stdout=log, stderr=subprocess.STDOUT)


def bot_log(tmp_path: Path) -> str:
    """What the bot started by ``start_bot`` has written so far."""
    path = tmp_path / "teamweather.log"
    return path.read_text(errors="replace") if path.exists() else ""


async def wait_healthy(session: aiohttp.ClientSession, url: str, proc: subprocess.Popen[bytes]) -> dict:
    """Wait until ``/healthz`` answers 200; fail at once if the process exits."""
    give_up = time.monotonic() + GIVE_UP_AFTER_SECONDS
    while True:
        assert proc.poll() is None, f"the bot exited with status {proc.returncode}"
        try:
            async with session.get(f"{url}/healthz") as resp:
                if resp.status == 200:
                    return await resp.json()
        except aiohttp.ClientConnectionError:
            pass
        assert time.monotonic() < give_up, "the bot did not become healthy"
        await asyncio.sleep(0.05)
