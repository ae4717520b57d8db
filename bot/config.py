"""Configuration: ``teamweather.yaml`` for settings, the environment for secrets.

The environment is read only here (by ``load``, and by ``configured_pseudonym_key`` for
``teamweather analyze``); everything else receives a ``Config``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analyzers.alerts import AlertRules
from analyzers.flagging import FlagPolicy
from training.gate import GateSettings
from bot.platform_ids import GUID, Kind, bare, platform_of, qualified
from domain.yaml_files import parse_yaml
from domain.errors import ConfigError

DEFAULT_PATH = Path("teamweather.yaml")
MIN_KEY_BYTES = 16
SLACK_USER_ID = r"^[UW][A-Z0-9]{2,}$"
MIN_K = 5


def _ids(values: tuple[str, ...], pattern: str, what: str) -> tuple[str, ...]:
    import re

    bad = [v for v in values if not re.match(pattern, v)]
    if bad:
        raise ValueError(f"not a Slack {what} id: {', '.join(map(repr, bad))}")
    return values


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _qualified(values: tuple[str, ...], kind: Kind) -> tuple[str, ...]:
    return tuple(qualified(value, kind) for value in values)


class ServerSettings(_Section):
    """The web server every platform shares (its HTTP endpoints, and ``/healthz``)."""

    port: int = Field(3000, ge=0, le=65535)  # 0: any free port (tests)
    host: str = "0.0.0.0"
    public_url: str | None = Field(None, pattern=r"^https?://[^\s]+$")  # how people reach it (links)


class SlackSettings(_Section):
    enabled: bool = True
    events_path: str = Field("/slack/events", pattern=r"^/")
    admins: tuple[str, ...] = ()
    directory_refresh_minutes: int = Field(360, ge=5)
    api_base_url: str = Field("https://slack.com/api/", pattern=r"^https?://.+/$")

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, admins: tuple[str, ...]) -> tuple[str, ...]:
        return _ids(admins, SLACK_USER_ID, "user")

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("host", "port"):
                if key in data:
                    raise ValueError(f"{key} moved to server.{key} (the web server is shared by every platform)")
        return data


class MsTeamsSettings(_Section):
    """Microsoft Teams: the Bot Framework messaging endpoint on the shared web server. The
    app's credentials come from the environment (``MICROSOFT_APP_ID``…, see ``load``)."""

    enabled: bool = False
    messages_path: str = Field("/api/messages", pattern=r"^/")
    # Who may run optin/optout: AAD object ids (GUIDs), as Teams sends them in from.aadObjectId.
    admins: tuple[str, ...] = ()
    directory_refresh_minutes: int = Field(360, ge=5)

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, admins: tuple[str, ...]) -> tuple[str, ...]:
        import re

        bad = [a for a in admins if not re.fullmatch(GUID, a)]
        if bad:
            raise ValueError(
                f"not a Microsoft Teams user id (the AAD object id, a GUID): {', '.join(map(repr, bad))}"
            )
        return tuple(a.lower() for a in admins)


class PrivacySettings(_Section):
    pseudonym_key_file: Path | None = None
    max_text_chars: int = Field(4000, ge=200)
    k: int = Field(MIN_K, ge=MIN_K)  # fewest distinct people behind a published number
    epsilon: float | None = Field(None, gt=0)  # Laplace noise on published values; None: off
    stress_reporting: Literal["team", "off"] = "team"
    retention_days: int = Field(400, ge=63)  # scores older than this are purged daily
    uninstall_grace_days: int = Field(30, ge=0)  # a removed workspace's data is purged after this


class DigestSettings(_Section):
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = "09:00"  # local time, HH:MM
    stress_threshold: float = Field(0.5, gt=0, lt=1)  # a message counts as stressed above this
    misfire_grace_hours: int = Field(12, ge=1)

    @field_validator("time", mode="before")
    @classmethod
    def _unquoted_time(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted 9:00 as the base-60 integer 540.
        if isinstance(value, int) and not isinstance(value, bool):
            hours, minutes = divmod(value, 60)
            if 60 <= value < 24 * 60:
                raise ValueError(
                    f"write the time in quotes, as '{hours:02d}:{minutes:02d}' (unquoted, YAML "
                    f"reads {hours}:{minutes:02d} as the number {value})"
                )
            raise ValueError(f"write the time of day in quotes as 'HH:MM', such as '09:00', not {value}")
        return value

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            raise ValueError(f"not a time of day as HH:MM: {value!r}")
        return value


class AlertSettings(_Section):
    enabled: bool = True
    mood_drop: float = Field(10.0, gt=0)  # fewest mood-index points that count as a drop
    stress_rise: float = Field(0.08, gt=0, lt=1)  # smallest rise in mean stress probability
    p_value: float = Field(0.01, gt=0, lt=0.5)
    cooldown_weeks: int = Field(2, ge=1)
    hr_recipients: tuple[str, ...] = ()

    @field_validator("hr_recipients")
    @classmethod
    def _hr_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _qualified(ids, "user")

    def rules(self) -> AlertRules:
        """The rules :func:`analyzers.alerts.evaluate` applies."""
        return AlertRules(self.enabled, self.mood_drop, self.stress_rise, self.p_value, self.cooldown_weeks)


class TeamSettings(_Section):
    """A team: the channels it talks in and who receives its digest and alerts, each id
    qualified by its platform (``slack:C0123ABCD``; a bare id is a Slack id)."""

    name: str = Field(min_length=1, max_length=80)
    channels: tuple[str, ...] = Field(min_length=1)
    managers: tuple[str, ...] = Field(min_length=1)
    usergroup: str | None = None  # its members also receive the digest
    hr: tuple[str, ...] = ()  # alert recipients in addition to alerts.hr_recipients

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _qualified(ids, "channel")

    @field_validator("managers", "hr")
    @classmethod
    def _user_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _qualified(ids, "user")

    @field_validator("usergroup")
    @classmethod
    def _usergroup_id(cls, group: str | None) -> str | None:
        return None if group is None else qualified(group, "usergroup")

    def channel_ids(self, platform: str | None = None) -> tuple[str, ...]:
        """The team's channels as their platform names them (and as scores store them),
        of every platform or only of ``platform``."""
        return tuple(bare(c) for c in self.channels if platform is None or platform_of(c) == platform)

    def hr_recipients(self, alerts: AlertSettings) -> tuple[str, ...]:
        return tuple(dict.fromkeys(alerts.hr_recipients + self.hr))


class WorkerSettings(_Section):
    batch_size: int = Field(64, ge=1, le=4096)
    max_wait_ms: int = Field(250, ge=0)
    threads: int | None = Field(None, ge=1, le=256)
    # "process": the model runs in a child process (no shared interpreter lock with the server,
    # restarted if it dies), lowered by ``nice``; "thread": in the server's own process.
    # docs/benchmarks.md: nice 10 starves scoring whenever other work shares the machine.
    mode: Literal["process", "thread"] = "process"
    nice: int = Field(0, ge=0, le=19)


class FlaggingSettings(_Section):
    """Which scored messages reviewers see (analyzers/flagging.py explains each policy; the
    defaults are its ``FlagPolicy``'s)."""

    high_risk_stress: float = Field(FlagPolicy.high_risk_stress, gt=0, le=1)
    high_risk_negative: float = Field(FlagPolicy.high_risk_negative, gt=0, le=1)
    uncertainty_margin: float = Field(FlagPolicy.uncertainty_margin, ge=0, le=1)
    audit_rate: float = Field(FlagPolicy.audit_rate, ge=0, le=1)
    daily_cap: int = Field(FlagPolicy.daily_cap, ge=0)  # per workspace, in any 24 hours
    author_weekly_cap: int = Field(FlagPolicy.author_weekly_cap, ge=0, le=2)  # per author, in any 7 days; never more than 2


class RetrainSettings(_Section):
    """When the scheduled retraining runs, and what the promotion gate asks."""

    enabled: bool = True
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "sat"
    time: str = Field("02:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    after_new_labels: int = Field(200, ge=1)  # also run once this many new labels arrived
    # never retrain on fewer labelled messages; more than the 20 the gate always holds out
    # (training.retrain.RetrainSettings.min_holdout)
    min_labels: int = Field(50, ge=21)
    margin: float = Field(GateSettings.margin, ge=0, lt=1)  # the challenger must beat the champion by this
    tolerance: float = Field(GateSettings.tolerance, ge=0, lt=1)  # largest drop allowed on any regression-set metric
    regression_data: Path | None = None  # val splits to guard (default: the bootstrap data)


class ReviewSettings(_Section):
    """HR review of flagged, pseudonymised messages (issue [review]): off unless enabled."""

    enabled: bool = False
    channel: str | None = None  # the private review channel, e.g. slack:C0123ABCD or msteams:19:…
    reviewers: tuple[str, ...] = ()  # who may label (platform-qualified user ids)
    guidelines_url: str | None = None  # default: the guidelines page on Teamweather's own server
    unlabelled_ttl_days: int = Field(14, ge=1, le=90)
    retention_days: int = Field(365, ge=1)
    flagging: FlaggingSettings = FlaggingSettings()
    retrain: RetrainSettings = RetrainSettings()

    @field_validator("channel")
    @classmethod
    def _channel_id(cls, channel: str | None) -> str | None:
        return None if channel is None else qualified(channel, "channel")

    @field_validator("reviewers")
    @classmethod
    def _reviewer_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _qualified(ids, "user")

    @model_validator(mode="after")
    def _complete(self) -> ReviewSettings:
        if self.enabled and (self.channel is None or not self.reviewers):
            raise ValueError("review.enabled needs review.channel and at least one of review.reviewers")
        return self

    def policy(self) -> FlagPolicy:
        """The flagging policy :func:`analyzers.flagging.maybe_flag` applies."""
        f = self.flagging
        return FlagPolicy(f.high_risk_stress, f.high_risk_negative, f.uncertainty_margin, f.audit_rate,
                          f.daily_cap, f.author_weekly_cap, float(self.unlabelled_ttl_days))


class LearningSettings(_Section):
    """``learning:`` — ``/mytraining``'s catalog, role profiles and the private wellbeing nudge.
    The catalog is loaded and checked against the roles at start-up (:func:`learning_setup`)."""

    enabled: bool = True
    catalog: Path | None = None  # default: the bundled analyzers/learning_catalog.yaml
    #: role -> skill -> target level (1–5); default: the bundled analyzers/learning_roles.example.yaml
    roles: dict[str, dict[str, int]] | None = None
    vector_cache: Path | None = None  # item vectors; default: beside the database
    wellbeing_nudge: bool = True  # a deployment may switch the private nudge off for everyone

    @field_validator("roles")
    @classmethod
    def _role_names(cls, roles: dict[str, dict[str, int]] | None) -> dict[str, dict[str, int]] | None:
        if roles is None:
            return None
        for role, targets in roles.items():
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", role):
                raise ValueError(f"role {role!r}: use lower-case letters, digits and dashes")
            if not targets:
                raise ValueError(f"role {role!r}: give at least one skill and its target level")
            for skill, level in targets.items():
                if not 1 <= level <= 5:
                    raise ValueError(f"role {role!r}: {skill}: the target level must be 1 to 5")
        return roles


class Settings(_Section):
    """The contents of ``teamweather.yaml``."""

    database: Path = Path("teamweather.db")
    timezone: str = "UTC"
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    server: ServerSettings = ServerSettings()
    slack: SlackSettings = SlackSettings()
    msteams: MsTeamsSettings = MsTeamsSettings()
    privacy: PrivacySettings = PrivacySettings()
    worker: WorkerSettings = WorkerSettings()
    digest: DigestSettings = DigestSettings()
    alerts: AlertSettings = AlertSettings()
    review: ReviewSettings = ReviewSettings()
    learning: LearningSettings = LearningSettings()
    teams: tuple[TeamSettings, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {zone!r}") from None
        return zone

    @field_validator("teams")
    @classmethod
    def _unique_names(cls, teams: tuple[TeamSettings, ...]) -> tuple[TeamSettings, ...]:
        names = [t.name.casefold() for t in teams]
        twice = sorted({t.name for t in teams if names.count(t.name.casefold()) > 1})
        if twice:
            raise ValueError(f"team names must be unique: {', '.join(map(repr, twice))}")
        return teams

    def recipients(self, platform: str) -> frozenset[str]:
        """The people of ``platform`` who may be sent a digest or an alert (managers, HR),
        as that platform names them."""
        everyone = [*self.alerts.hr_recipients, *(p for t in self.teams for p in (*t.managers, *t.hr))]
        return frozenset(bare(p) for p in everyone if platform_of(p) == platform)

    def team(self, name: str) -> TeamSettings:
        """The team called ``name`` (any case); ConfigError if there is none."""
        for team in self.teams:
            if team.name.casefold() == name.casefold():
                return team
        known = ", ".join(t.name for t in self.teams) or "none configured"
        raise ConfigError(f"no team called {name!r} (teams: {known})")


@dataclass(frozen=True)
class Secrets:
    """Secrets, from the environment only; they never enter the database or logs."""

    pseudonym_key: bytes
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # Microsoft Teams (Bot Framework): the app (bot) id, and a client secret or a certificate.
    msteams_app_id: str | None = None
    msteams_app_password: str | None = None
    msteams_certificate_thumbprint: str | None = None
    msteams_certificate_key_file: str | None = None
    msteams_certificate_key: str | None = None  # the key file's contents; None if unreadable
    msteams_tenant_id: str | None = None
    msteams_app_type: str = "MultiTenant"  # SingleTenant when a tenant is given, unless set

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


def _key(loc: tuple[int | str, ...], data: dict[str, object]) -> str:
    """A pydantic error location as a dotted key; list items of ``teams`` carry the team name."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int) and i > 0 and loc[i - 1] == "teams":
            teams = data.get("teams")
            item = teams[part] if isinstance(teams, list) and part < len(teams) else None
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(f"{part} ({name})" if name else str(part))
        else:
            parts.append(str(part))
    return ".".join(parts)


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
        key = _key(err["loc"], data) or "(top level)"
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
    return parse_settings(parse_yaml(text, str(path), ConfigError), str(path))


def configured_pseudonym_key(
    settings: Settings, env: Mapping[str, str] | None, source: str
) -> bytes | None:
    """The HMAC key: TEAMWEATHER_PSEUDONYM_KEY in ``env`` (default: the process environment),
    or the file named by privacy.pseudonym_key_file; None when neither is configured,
    ConfigError when the one configured cannot be used."""
    env = os.environ if env is None else env
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
            return None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{origin}: the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
    return key


def _key_not_set(source: str) -> str:
    return (
        "TEAMWEATHER_PSEUDONYM_KEY is not set (the pseudonym key: generate one with teamweather "
        f"keygen, or name a key file in privacy.pseudonym_key_file in {source})"
    )


def pseudonym_key(settings: Settings, env: Mapping[str, str], source: str) -> bytes:
    """The configured HMAC key (see ``configured_pseudonym_key``); ConfigError if there is none."""
    key = configured_pseudonym_key(settings, env, source)
    if key is None:
        raise ConfigError(_key_not_set(source))
    return key


_BOT_TOKEN_NOT_SET = (
    "SLACK_BOT_TOKEN is not set (the bot token, xoxb-…, from the Slack app's OAuth & Permissions page)"
)


def _slack_problems(secrets: Secrets) -> list[str]:
    """What is missing or malformed among the Slack secrets, in a fixed order."""
    problems: list[str] = []
    if not secrets.slack_bot_token:
        problems.append(_BOT_TOKEN_NOT_SET)
    if secrets.slack_app_token:
        if not secrets.slack_app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    elif not secrets.slack_signing_secret:
        problems.append(
            "SLACK_SIGNING_SECRET is not set (from the Slack app's Basic Information page; needed "
            "in HTTP mode, or set SLACK_APP_TOKEN for Socket Mode)"
        )
    return problems


def _read_key_file(path: str | None) -> str | None:
    """The certificate's private key (PEM) named by MICROSOFT_APP_CERTIFICATE_KEY_FILE."""
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _teams_app_type(env: Mapping[str, str]) -> str:
    """MICROSOFT_APP_TYPE as given, else SingleTenant when a tenant is given, else MultiTenant."""
    given = env.get("MICROSOFT_APP_TYPE") or ""
    if given:
        return {"singletenant": "SingleTenant", "multitenant": "MultiTenant"}.get(given.lower(), given)
    return "SingleTenant" if env.get("MICROSOFT_APP_TENANT_ID") else "MultiTenant"


def _teams_problems(secrets: Secrets) -> list[str]:
    """What is missing or malformed among the Teams secrets, in a fixed order. The app id is
    always required: Bot Framework authentication cannot be turned off by configuration."""
    import re

    problems: list[str] = []
    if not secrets.msteams_app_id:
        problems.append("MICROSOFT_APP_ID is not set (the bot's Microsoft App ID, from its Azure Bot resource)")
    elif not re.fullmatch(GUID, secrets.msteams_app_id):
        problems.append("MICROSOFT_APP_ID must be the bot's Microsoft App ID (a GUID)")
    thumbprint, key_file = secrets.msteams_certificate_thumbprint, secrets.msteams_certificate_key_file
    if thumbprint or key_file:
        if not thumbprint:
            problems.append("MICROSOFT_APP_CERTIFICATE_THUMBPRINT is not set (needed with MICROSOFT_APP_CERTIFICATE_KEY_FILE)")
        if not key_file:
            problems.append("MICROSOFT_APP_CERTIFICATE_KEY_FILE is not set (needed with MICROSOFT_APP_CERTIFICATE_THUMBPRINT)")
        elif secrets.msteams_certificate_key is None:
            problems.append(f"MICROSOFT_APP_CERTIFICATE_KEY_FILE: cannot read {key_file}")
    elif not secrets.msteams_app_password:
        problems.append(
            "MICROSOFT_APP_PASSWORD is not set (the bot's client secret; or use a certificate: "
            "MICROSOFT_APP_CERTIFICATE_THUMBPRINT and MICROSOFT_APP_CERTIFICATE_KEY_FILE)"
        )
    tenant = secrets.msteams_tenant_id
    if secrets.msteams_app_type not in ("SingleTenant", "MultiTenant"):
        problems.append("MICROSOFT_APP_TYPE must be SingleTenant or MultiTenant")
    elif tenant is None and secrets.msteams_app_type == "SingleTenant":
        problems.append("MICROSOFT_APP_TENANT_ID is not set (needed when MICROSOFT_APP_TYPE is SingleTenant)")
    if tenant is not None and not re.fullmatch(GUID, tenant):
        problems.append("MICROSOFT_APP_TENANT_ID must be the Azure AD tenant id (a GUID)")
    return problems


def load(path: Path = DEFAULT_PATH, env: Mapping[str, str] | None = None, *, platforms: bool = False) -> Config:
    """Read settings from ``path`` and secrets from ``env`` (default: the process environment).

    With ``platforms`` the enabled platforms' secrets are required too (``teamweather run`` and
    ``check``): one ConfigError names every secret that is missing or malformed, always in
    the same order, or says that no platform is enabled."""
    env = os.environ if env is None else env
    source = str(path)
    settings = read_settings(path)
    problems: list[str] = []
    key: bytes | None = None
    try:
        key = configured_pseudonym_key(settings, env, source)
    except ConfigError as exc:
        problems.append(str(exc))
    else:
        if key is None:
            problems.append(_key_not_set(source))
    secrets = Secrets(
        pseudonym_key=key or b"",
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        slack_app_token=env.get("SLACK_APP_TOKEN") or None,
        msteams_app_id=env.get("MICROSOFT_APP_ID") or None,
        msteams_app_password=env.get("MICROSOFT_APP_PASSWORD") or None,
        msteams_certificate_thumbprint=env.get("MICROSOFT_APP_CERTIFICATE_THUMBPRINT") or None,
        msteams_certificate_key_file=env.get("MICROSOFT_APP_CERTIFICATE_KEY_FILE") or None,
        msteams_certificate_key=_read_key_file(env.get("MICROSOFT_APP_CERTIFICATE_KEY_FILE")),
        msteams_tenant_id=env.get("MICROSOFT_APP_TENANT_ID") or None,
        msteams_app_type=_teams_app_type(env),
    )
    if platforms:
        problems.extend(platform_problems(settings, secrets, source))
    if problems:
        raise ConfigError("; ".join(problems))
    return Config(settings=settings, secrets=secrets, source=source)


def require_slack_token(config: Config) -> None:
    """Check that the bot token is present (enough to send messages)."""
    if not config.secrets.slack_bot_token:
        raise ConfigError(_BOT_TOKEN_NOT_SET)


def require_platforms(config: Config) -> None:
    """Check that at least one platform is enabled and that the secrets each enabled one
    needs are present, naming every missing one."""
    problems = platform_problems(config.settings, config.secrets, config.source)
    if problems:
        raise ConfigError("; ".join(problems))


def platform_problems(settings: Settings, secrets: Secrets, source: str) -> list[str]:
    """What stops the enabled platforms from running: no platform enabled, or missing secrets
    (Slack's, then Teams')."""
    if not settings.slack.enabled and not settings.msteams.enabled:
        return [f"{source}: no platform is enabled: set slack.enabled: true or msteams.enabled: true"]
    problems: list[str] = []
    if settings.slack.enabled:
        problems.extend(_slack_problems(secrets))
    if settings.msteams.enabled:
        problems.extend(_teams_problems(secrets))
    return problems
