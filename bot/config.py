"""Configuration: ``teamweather.yaml`` for settings, the environment for secrets.

The environment is read only here, by ``load``; everything else receives a ``Config``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import ConfigError

DEFAULT_PATH = Path("teamweather.yaml")
MIN_KEY_BYTES = 16
SLACK_USER_ID = r"^[UW][A-Z0-9]{2,}$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlackSettings(_Section):
    port: int = Field(3000, ge=0, le=65535)  # 0: any free port (tests)
    host: str = "0.0.0.0"
    events_path: str = Field("/slack/events", pattern=r"^/")
    admins: tuple[str, ...] = ()
    directory_refresh_minutes: int = Field(360, ge=5)
    api_base_url: str = Field("https://slack.com/api/", pattern=r"^https?://.+/$")

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, admins: tuple[str, ...]) -> tuple[str, ...]:
        import re

        bad = [a for a in admins if not re.match(SLACK_USER_ID, a)]
        if bad:
            raise ValueError(f"not a Slack user id: {', '.join(map(repr, bad))}")
        return admins


class PrivacySettings(_Section):
    pseudonym_key_file: Path | None = None
    max_text_chars: int = Field(4000, ge=200)


class WorkerSettings(_Section):
    batch_size: int = Field(64, ge=1, le=4096)
    max_wait_ms: int = Field(250, ge=0)


class Settings(_Section):
    """The contents of ``teamweather.yaml``."""

    database: Path = Path("teamweather.db")
    timezone: str = "UTC"
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    slack: SlackSettings = SlackSettings()
    privacy: PrivacySettings = PrivacySettings()
    worker: WorkerSettings = WorkerSettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {zone!r}") from None
        return zone


@dataclass(frozen=True)
class Secrets:
    """Secrets, from the environment only; they never enter the database or logs."""

    pseudonym_key: bytes
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None

    def __repr__(self) -> str:
        return "Secrets(<hidden>)"


@dataclass(frozen=True)
class Config:
    """Everything Teamweather needs to start; ``source`` names the file for messages."""

    settings: Settings
    secrets: Secrets
    source: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)


def parse_settings(data: object, source: str) -> Settings:
    """Validate parsed YAML; a problem becomes one ConfigError naming the key and the file."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must hold a mapping of settings")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown setting (check the spelling against teamweather.example.yaml)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{source}: {key}: {message}{more}") from None


def read_settings(path: Path) -> Settings:
    """Read and validate a settings file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (copy teamweather.example.yaml to start one)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    return parse_settings(data, str(path))


def pseudonym_key(settings: Settings, env: Mapping[str, str], source: str) -> bytes:
    """The HMAC key: TEAMWEATHER_PSEUDONYM_KEY, or the file named by privacy.pseudonym_key_file."""
    key_file = settings.privacy.pseudonym_key_file
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(
                f"{source}: privacy.pseudonym_key_file: cannot read {key_file} ({exc.strerror})"
            ) from None
        origin = f"{source}: privacy.pseudonym_key_file ({key_file})"
    else:
        key = env.get("TEAMWEATHER_PSEUDONYM_KEY", "").encode()
        origin = "TEAMWEATHER_PSEUDONYM_KEY"
        if not key:
            raise ConfigError(
                "TEAMWEATHER_PSEUDONYM_KEY is not set and no privacy.pseudonym_key_file is "
                f"configured in {source} (generate one with: teamweather keygen)"
            )
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{origin}: the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
    return key


def load(path: Path = DEFAULT_PATH, env: Mapping[str, str] | None = None) -> Config:
    """Read settings from ``path`` and secrets from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    settings = read_settings(path)
    secrets = Secrets(
        pseudonym_key=pseudonym_key(settings, env, str(path)),
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        slack_app_token=env.get("SLACK_APP_TOKEN") or None,
    )
    return Config(settings=settings, secrets=secrets, source=str(path))


def require_slack(config: Config) -> None:
    """Check that the secrets the Slack app needs are present, naming the first missing one."""
    s = config.secrets
    if not s.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…, from the Slack app page)")
    if s.slack_app_token:
        if not s.slack_app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    elif not s.slack_signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; set SLACK_APP_TOKEN for Socket Mode)"
        )
