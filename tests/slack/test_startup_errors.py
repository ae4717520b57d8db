"""Start-up failures with Slack (a rejected token, a missing scope, Slack out of reach) stop
`teamweather run` with one line naming the cause and the fix, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from analyzers.pseudonymise import Pseudonymiser
from bot.config import Config, Secrets, parse_settings
from domain.errors import ConfigError, PlatformUnavailable
from bot.slack import directory
from bot.slack.channels import check_team_channels
from bot_process import ROOT, free_port
from conftest import KEY, SIGNING_SECRET
from slack_fake import FakeSlack, fake_slack_in_thread, start_fake_slack

CHANNEL = "CKNOWN0001"


def config(tmp_path: Path, channels: list[str]) -> Config:
    teams = [{"name": "Platform", "channels": channels, "managers": ["U0000000001"]}] if channels else []
    settings = parse_settings({"database": str(tmp_path / "t.db"), "teams": teams}, "teamweather.yaml")
    return Config(settings, Secrets(pseudonym_key=b"k" * 32), "teamweather.yaml")


@dataclass
class MisconfiguredSlack(FakeSlack):
    """The fake Web API, answering as Slack does for a rejected token or a missing scope."""

    auth_error: str | None = None  # auth.test answers this error (and so would every method)
    scopes_missing: dict[str, str] = field(default_factory=dict)  # method -> the scope it needs

    def _refuse(self, method: str) -> dict[str, Any] | None:
        if self.auth_error:
            return {"ok": False, "error": self.auth_error}
        if method in self.scopes_missing:
            return {"ok": False, "error": "missing_scope", "needed": self.scopes_missing[method],
                    "provided": "commands,chat:write"}
        return None

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._refuse("auth.test") or super()._auth_test(params)

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._refuse("conversations.info") or super()._conversations_info(params)

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._refuse("users.list") or super()._users_list(params)


async def start_up_error(fake: FakeSlack, tmp_path: Path, channels: list[str]) -> Exception:
    """What the start-up calls (the channel check, then the member directory) raise."""
    await start_fake_slack(fake)
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    try:
        await check_team_channels(client, config(tmp_path, channels))
        await directory.load(client, Pseudonymiser(b"k" * 32))
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        return exc
    finally:
        await fake.server.close()  # type: ignore[union-attr]
    raise AssertionError("start-up did not fail")


@pytest.mark.parametrize("code", ["invalid_auth", "not_authed", "account_inactive", "token_revoked"])
async def test_a_rejected_token_says_which_token_and_how_to_fix_it(tmp_path: Path, code: str) -> None:
    error = await start_up_error(MisconfiguredSlack(auth_error=code, known_channels={CHANNEL}),
                                 tmp_path, [CHANNEL])
    assert isinstance(error, ConfigError)
    message = str(error)
    assert message.startswith(f"SLACK_BOT_TOKEN was rejected by Slack ({code}): ")
    assert "Bot User OAuth Token (xoxb-" in message and "\n" not in message


async def test_a_missing_scope_is_named_not_taken_for_an_unknown_channel(tmp_path: Path) -> None:
    fake = MisconfiguredSlack(known_channels={CHANNEL},
                              scopes_missing={"conversations.info": "channels:read"})
    message = str(await start_up_error(fake, tmp_path, [CHANNEL]))
    assert "unknown channel" not in message and "check the ids" not in message
    assert message.startswith("the Slack app lacks the channels:read scope that conversations.info needs")
    assert "manifest.yaml" in message and "reinstall the app" in message


async def test_a_missing_scope_for_the_member_directory_is_named(tmp_path: Path) -> None:
    fake = MisconfiguredSlack(known_channels={CHANNEL}, scopes_missing={"users.list": "users:read"})
    error = await start_up_error(fake, tmp_path, [CHANNEL])
    assert isinstance(error, ConfigError)
    assert "the Slack app lacks the users:read scope that users.list needs" in str(error)
    assert "member names must be stripped" in str(error)


async def test_any_other_directory_failure_names_slack_s_answer(tmp_path: Path) -> None:
    fake = MisconfiguredSlack(known_channels={CHANNEL}, failing={"users.list"})
    error = await start_up_error(fake, tmp_path, [CHANNEL])
    assert isinstance(error, PlatformUnavailable)
    assert str(error).startswith("could not load the member directory: Slack answered internal_error to users.list")


async def test_slack_unreachable_is_one_line_naming_the_address(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    client = AsyncWebClient(token="xoxb-test", base_url=url)
    with pytest.raises(PlatformUnavailable) as err:
        await check_team_channels(client, config(tmp_path, [CHANNEL]))
    assert str(err.value) == (
        f"cannot reach Slack at {url} (connection refused): check the network and any proxy "
        "(HTTPS_PROXY), or slack.api_base_url"
    )
    with pytest.raises(PlatformUnavailable, match=f"^could not load the member directory: cannot reach Slack at {url}"):
        await directory.load(client, Pseudonymiser(b"k" * 32))


async def test_an_address_that_is_not_the_slack_api_says_so(tmp_path: Path) -> None:
    fake = await start_fake_slack(FakeSlack())
    url = fake.api_url.replace("/api/", "/not-the-api/")
    try:
        with pytest.raises(PlatformUnavailable) as err:
            await check_team_channels(AsyncWebClient(token="xoxb-test", base_url=url), config(tmp_path, []))
    finally:
        await fake.server.close()  # type: ignore[union-attr]
    assert str(err.value) == f"{url} did not answer auth.test like the Slack Web API (HTTP 404): check slack.api_base_url"



# `teamweather run` as an operator starts it, in a process of its own, so that everything it
# writes is seen. The lexicon analyzer stands in for the bundled model, whose loading (seconds)
# would only slow the test down: Slack is checked after it.
LAUNCH = (
    "import sys, bot.runtime as runtime\n"
    "from analyzers.lexicon import LexiconAnalyzer\n"
    "runtime.default_analyzer = lambda threads=None: LexiconAnalyzer()\n"
    "from bot.cli import main\n"
    "main()\n"
)


def teamweather_run(tmp_path: Path, api_url: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "teamweather.yaml"
    path.write_text(json.dumps({
        "database": str(tmp_path / "teamweather.db"),
        "server": {"host": "127.0.0.1", "port": free_port()},
        "slack": {"api_base_url": api_url},
        "teams": [{"name": "Platform", "channels": [CHANNEL], "managers": ["U0000000001"]}],
    }))
    env = {**os.environ, "TEAMWEATHER_PSEUDONYM_KEY": KEY.decode(), "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": ""}
    return subprocess.run([sys.executable, "-c", LAUNCH, "--config", str(path), "run"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def the_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line `run` ends with; anything before it may only be log lines, no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("Error: ")
    assert not [line for line in lines[:-1] if line.startswith("Error") or " ERROR " in line], lines
    assert len(lines) <= 3, lines  # at most the retry handler's INFO line(s) before it
    return lines[-1]


def test_run_with_slack_unreachable_says_so_in_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/"
    line = the_error_line(teamweather_run(tmp_path, url))
    assert line == (f"Error: cannot reach Slack at {url} (connection refused): check the network "
                    "and any proxy (HTTPS_PROXY), or slack.api_base_url")


@pytest.mark.parametrize(("fake", "expected"), [
    (MisconfiguredSlack(auth_error="invalid_auth"), "Error: SLACK_BOT_TOKEN was rejected by Slack (invalid_auth): "),
    (MisconfiguredSlack(known_channels={CHANNEL}, scopes_missing={"conversations.info": "groups:read"}),
     "Error: the Slack app lacks the groups:read scope that conversations.info needs: add it"),
    (MisconfiguredSlack(known_channels={CHANNEL}, scopes_missing={"users.list": "users:read"}),
     "Error: could not load the member directory: the Slack app lacks the users:read scope"),
], ids=["invalid_auth", "missing_scope", "missing_scope_directory"])
def test_run_with_slack_refusing_says_why_in_one_line(tmp_path: Path, fake: FakeSlack, expected: str) -> None:
    with fake_slack_in_thread(fake):
        line = the_error_line(teamweather_run(tmp_path, fake.api_url))
    assert line.startswith(expected)
