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

import aiohttp

from conftest import ADMIN, KEY, SIGNING_SECRET

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_bot(tmp_path: Path, api_url: str, port: int) -> subprocess.Popen[bytes]:
    config = tmp_path / "teamweather.yaml"
    config.write_text(json.dumps({
        "database": str(tmp_path / "teamweather.db"),
        "slack": {"host": "127.0.0.1", "port": port, "admins": [ADMIN], "api_base_url": api_url},
        "worker": {"max_wait_ms": 250},
    }))
    env = {**os.environ, "TEAMWEATHER_PSEUDONYM_KEY": KEY.decode(), "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": ""}
    return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_healthy(session: aiohttp.ClientSession, url: str, proc: subprocess.Popen[bytes]) -> dict:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "bot exited"
        try:
            async with session.get(f"{url}/healthz") as resp:
                if resp.status == 200:
                    return await resp.json()
        except aiohttp.ClientConnectionError:
            pass
        assert time.monotonic() < deadline, "the bot did not come up"
        await asyncio.sleep(0.05)
