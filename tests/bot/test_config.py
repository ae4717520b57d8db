"""Configuration: clear one-line errors naming the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import configured_pseudonym_key, load, require_platforms
from domain.errors import ConfigError

KEY_ENV = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "teamweather.yaml"
    path.write_text(text)
    return path


def test_example_file_is_valid(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "teamweather.example.yaml"
    config = load(example, KEY_ENV)
    assert config.settings.server.port == 3000
    assert config.settings.worker.batch_size == 64


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    config = load(write(tmp_path, ""), KEY_ENV)
    assert config.settings.timezone == "UTC"
    assert config.secrets.pseudonym_key == b"k" * 32


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("server:\n  port: abc\n", "server.port:"),
        ("server:\n  port: 70000\n", "server.port:"),
        ("slack:\n  port: 3000\n", "slack: port moved to server.port"),
        ("timezone: Mars/Olympus\n", "timezone: unknown IANA time zone"),
        ("slack:\n  admins: [bob]\n", "slack.admins: not a Slack user id: 'bob'"),
        ("slakc:\n  port: 3000\n", "slakc: unknown setting"),
        ("worker:\n  batch_size: 0\n", "worker.batch_size:"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("slack: [unclosed\n", "not valid YAML at line"),
    ],
)
def test_bad_setting_names_key_and_file(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as err:
        load(path, KEY_ENV)
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


TEAM = "teams:\n  - name: Platform\n    channels: [{channel}]\n    managers: [{manager}]\n"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (TEAM.format(channel="general", manager="U0123456789"), "teams.0 (Platform).channels: not a Slack channel id: 'general'"),
        (TEAM.format(channel="C0123456789", manager="bob"), "teams.0 (Platform).managers: not a Slack user id: 'bob'"),
        (TEAM.format(channel="C0123456789", manager="U0123456789") + "  - name: platform\n    channels: [C0000000001]\n    managers: [U0000000001]\n",
         "teams: team names must be unique"),
        ("privacy:\n  k: 3\n", "privacy.k: Input should be greater than or equal to 5"),
        ("privacy:\n  stress_reporting: managers\n", "privacy.stress_reporting:"),
        ("digest:\n  time: 9am\n", "digest.time: not a time of day as HH:MM: '9am'"),
        ("alerts:\n  hr_recipients: [hr]\n", "alerts.hr_recipients: not a Slack user id: 'hr'"),
        (TEAM.format(channel="C0123456789", manager="slack:bob"), "teams.0 (Platform).managers: not a Slack user id: 'bob'"),
        (TEAM.format(channel="chat:C0123456789", manager="U0123456789"),
         "teams.0 (Platform).channels: 'chat:C0123456789' names an unknown platform 'chat' (known: slack:, msteams:)"),
    ],
)
def test_bad_team_and_digest_settings_name_the_key(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as err:
        load(path, KEY_ENV)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


def test_a_channel_may_belong_to_several_teams(tmp_path: Path) -> None:
    text = TEAM.format(channel="C0123456789", manager="U0123456789")
    text += "  - name: Everyone\n    channels: [C0123456789, C0999999999]\n    managers: [U0123456789]\n"
    config = load(write(tmp_path, text), KEY_ENV)
    assert [t.name for t in config.settings.teams] == ["Platform", "Everyone"]
    assert config.settings.team("everyone").channel_ids() == ("C0123456789", "C0999999999")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "nope.yaml", KEY_ENV)


def test_missing_or_short_key(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="TEAMWEATHER_PSEUDONYM_KEY is not set"):
        load(path, {})
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        load(path, {"TEAMWEATHER_PSEUDONYM_KEY": "short"})


def test_key_from_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("f" * 40 + "\n")
    path = write(tmp_path, f"privacy:\n  pseudonym_key_file: {tmp_path / 'key'}\n")
    assert load(path, {}).secrets.pseudonym_key == b"f" * 40
    path = write(tmp_path, f"privacy:\n  pseudonym_key_file: {tmp_path / 'missing'}\n")
    with pytest.raises(ConfigError, match="privacy.pseudonym_key_file: cannot read"):
        load(path, {})


def test_slack_secrets_are_required_to_run(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        require_platforms(load(path, KEY_ENV))
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        require_platforms(load(path, KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1"}))
    with pytest.raises(ConfigError, match="xapp-"):
        require_platforms(load(path, KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "nope"}))
    require_platforms(load(path, KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}))


def test_every_missing_secret_is_named_in_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError) as err:
        load(path, {}, platforms=True)
    message = str(err.value)
    order = ["TEAMWEATHER_PSEUDONYM_KEY is not set", "SLACK_BOT_TOKEN is not set", "SLACK_SIGNING_SECRET is not set"]
    assert [message.index(name) for name in order] == sorted(message.index(name) for name in order)
    assert "\n" not in message
    # A malformed secret is named beside the missing ones.
    with pytest.raises(ConfigError) as err:
        load(path, {"TEAMWEATHER_PSEUDONYM_KEY": "short", "SLACK_APP_TOKEN": "nope"}, platforms=True)
    assert "at least 16 bytes" in str(err.value) and "SLACK_BOT_TOKEN is not set" in str(err.value)
    assert "xapp-" in str(err.value)
    with pytest.raises(ConfigError) as err:
        require_platforms(load(path, KEY_ENV))
    assert "SLACK_BOT_TOKEN is not set" in str(err.value) and "SLACK_SIGNING_SECRET is not set" in str(err.value)
    assert load(path, KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, platforms=True)


def test_no_configured_key_is_none_not_an_error(tmp_path: Path) -> None:
    settings = load(write(tmp_path, ""), KEY_ENV).settings
    assert configured_pseudonym_key(settings, {}, "t.yaml") is None
    assert configured_pseudonym_key(settings, KEY_ENV, "t.yaml") == b"k" * 32
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        configured_pseudonym_key(settings, {"TEAMWEATHER_PSEUDONYM_KEY": "short"}, "t.yaml")


@pytest.mark.parametrize(("value", "expected"), [
    ("9:00", "digest.time: write the time in quotes, as '09:00' (unquoted, YAML reads 9:00 as the number 540)"),
    ("21:30", "digest.time: write the time in quotes, as '21:30'"),
    ("9", "digest.time: write the time of day in quotes as 'HH:MM'"),
])
def test_unquoted_time_says_to_quote_it(tmp_path: Path, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, f"digest:\n  time: {value}\n"), KEY_ENV)
    assert expected in str(err.value) and "valid string" not in str(err.value)
    assert load(write(tmp_path, "digest:\n  time: '09:00'\n"), KEY_ENV).settings.digest.time == "09:00"


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("slack: [unclosed\n", "at line 2, column 1: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence started at line 1)"),
    ("slack:\n\tport: 3000\n", "at line 2, column 1: found character '\\t' that cannot start any token"),
    ("timezone: Europe/Paris: summer\n", "at line 1, column 23: mapping values are not allowed here; a value containing ': ' must be quoted"),
])
def test_yaml_error_names_the_line_and_the_reason(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as err:
        load(path, KEY_ENV)
    assert str(err.value).startswith(f"{path}: not valid YAML ") and expected in str(err.value)
    assert "\n" not in str(err.value)


def test_secrets_repr_hides_values(tmp_path: Path) -> None:
    config = load(write(tmp_path, ""), KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-secret"})
    assert "xoxb-secret" not in repr(config) and "kkkk" not in repr(config)


def test_ids_name_their_platform_and_a_bare_id_is_slack(tmp_path: Path) -> None:
    text = ("alerts:\n  hr_recipients: [UHR0000001]\n"
            "teams:\n  - name: Platform\n    channels: [C0000000001, slack:C0000000002]\n"
            "    managers: [slack:U0000000001]\n    usergroup: S0000000001\n")
    s = load(write(tmp_path, text), KEY_ENV).settings
    [team] = s.teams
    assert team.channels == ("slack:C0000000001", "slack:C0000000002")
    assert team.channel_ids() == team.channel_ids("slack") == ("C0000000001", "C0000000002")
    assert team.channel_ids("msteams") == ()
    assert team.managers == ("slack:U0000000001",) and team.usergroup == "slack:S0000000001"
    assert s.alerts.hr_recipients == ("slack:UHR0000001",)


def test_a_config_with_no_platform_enabled_cannot_run(tmp_path: Path) -> None:
    path = write(tmp_path, "slack:\n  enabled: false\n")
    with pytest.raises(ConfigError, match="no platform is enabled: set slack.enabled: true"):
        load(path, KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, platforms=True)
    assert load(path, KEY_ENV).settings.slack.enabled is False  # previews and purges still work


# -- Microsoft Teams ---------------------------------------------------------------------------

APP_ID = "11111111-2222-4333-8444-555555555555"
TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
AAD = "7FAF080D-1C55-4F5A-A3BC-D2A4A6A1E1B2"
TEAMS_ON = "slack:\n  enabled: false\nmsteams:\n  enabled: true\n"


def test_teams_is_off_by_default_and_serves_api_messages(tmp_path: Path) -> None:
    s = load(write(tmp_path, ""), KEY_ENV).settings
    assert s.msteams.enabled is False and s.msteams.messages_path == "/api/messages"
    assert s.msteams.admins == () and s.msteams.directory_refresh_minutes == 360
    require_platforms(load(write(tmp_path, ""), KEY_ENV | {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}))


def test_teams_admins_are_aad_object_ids(tmp_path: Path) -> None:
    s = load(write(tmp_path, f"msteams:\n  admins: [{AAD}]\n"), KEY_ENV).settings
    assert s.msteams.admins == (AAD.lower(),)  # Teams sends them lower-case
    with pytest.raises(ConfigError, match=r"msteams.admins: not a Microsoft Teams user id \(the AAD object id, a GUID\): '29:1abc'"):
        load(write(tmp_path, "msteams:\n  admins: ['29:1abc']\n"), KEY_ENV)
    with pytest.raises(ConfigError, match="msteams.messages_path"):
        load(write(tmp_path, "msteams:\n  messages_path: api/messages\n"), KEY_ENV)


def test_teams_ids_in_teams_settings(tmp_path: Path) -> None:
    text = (f"alerts:\n  hr_recipients: [msteams:{AAD}]\n"
            "teams:\n  - name: Platform\n    channels: [C0000000001, 'msteams:19:a1b2c3_d-4@thread.tacv2', "
            "'msteams:19:old@thread.skype']\n"
            f"    managers: [msteams:{AAD}]\n")
    s = load(write(tmp_path, text), KEY_ENV).settings
    [team] = s.teams
    assert team.channel_ids("msteams") == ("19:a1b2c3_d-4@thread.tacv2", "19:old@thread.skype")
    assert team.managers == (f"msteams:{AAD.lower()}",) and s.alerts.hr_recipients == (f"msteams:{AAD.lower()}",)
    bad = [
        ("channels: ['msteams:19:abc@thread.tacv2;messageid=1']", "not a Microsoft Teams channel id: '19:abc@thread.tacv2;messageid=1'"),
        ("channels: [C0000000001]\n    usergroup: msteams:S0000000001", "Microsoft Teams has no user groups"),
        ("channels: [C0000000001]\n    managers: ['msteams:29:1abc']", "not a Microsoft Teams user id: '29:1abc'"),
    ]
    for fields, expected in bad:
        body = "teams:\n  - name: P\n    " + fields + ("" if "managers" in fields else f"\n    managers: [msteams:{AAD}]") + "\n"
        with pytest.raises(ConfigError) as err:
            load(write(tmp_path, body), KEY_ENV)
        assert expected in str(err.value), str(err.value)


def test_teams_needs_its_app_id_and_a_password_or_certificate(tmp_path: Path) -> None:
    path = write(tmp_path, TEAMS_ON)
    with pytest.raises(ConfigError) as err:
        load(path, KEY_ENV, platforms=True)
    message = str(err.value)
    assert "MICROSOFT_APP_ID is not set" in message and "MICROSOFT_APP_PASSWORD is not set" in message
    assert message.index("MICROSOFT_APP_ID") < message.index("MICROSOFT_APP_PASSWORD") and "SLACK" not in message
    # A password alone never disables authentication: the app id is always required.
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID is not set"):
        load(path, KEY_ENV | {"MICROSOFT_APP_PASSWORD": "secret"}, platforms=True)
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID must be the bot's Microsoft App ID"):
        load(path, KEY_ENV | {"MICROSOFT_APP_ID": "teamweather", "MICROSOFT_APP_PASSWORD": "secret"}, platforms=True)
    config = load(path, KEY_ENV | {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "pa55word"}, platforms=True)
    assert config.secrets.msteams_app_id == APP_ID and config.secrets.msteams_app_type == "MultiTenant"
    assert "pa55word" not in repr(config)


def test_teams_single_tenant_and_certificate(tmp_path: Path) -> None:
    path = write(tmp_path, TEAMS_ON)
    base = KEY_ENV | {"MICROSOFT_APP_ID": APP_ID}
    config = load(path, base | {"MICROSOFT_APP_PASSWORD": "s", "MICROSOFT_APP_TENANT_ID": TENANT}, platforms=True)
    assert config.secrets.msteams_app_type == "SingleTenant" and config.secrets.msteams_tenant_id == TENANT
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID is not set"):
        load(path, base | {"MICROSOFT_APP_PASSWORD": "s", "MICROSOFT_APP_TYPE": "SingleTenant"}, platforms=True)
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TYPE must be SingleTenant or MultiTenant"):
        load(path, base | {"MICROSOFT_APP_PASSWORD": "s", "MICROSOFT_APP_TYPE": "UserAssignedMSI"}, platforms=True)
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID must be the Azure AD tenant id"):
        load(path, base | {"MICROSOFT_APP_PASSWORD": "s", "MICROSOFT_APP_TENANT_ID": "contoso"}, platforms=True)
    # A certificate instead of the password: both halves, and a readable key file.
    with pytest.raises(ConfigError) as err:
        load(path, base | {"MICROSOFT_APP_CERTIFICATE_THUMBPRINT": "AB12"}, platforms=True)
    assert "MICROSOFT_APP_CERTIFICATE_KEY_FILE is not set" in str(err.value) and "PASSWORD" not in str(err.value)
    with pytest.raises(ConfigError, match="MICROSOFT_APP_CERTIFICATE_KEY_FILE: cannot read"):
        load(path, base | {"MICROSOFT_APP_CERTIFICATE_THUMBPRINT": "AB12",
                           "MICROSOFT_APP_CERTIFICATE_KEY_FILE": str(tmp_path / "missing.pem")}, platforms=True)
    key = tmp_path / "bot.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMII…\n-----END PRIVATE KEY-----\n")
    config = load(path, base | {"MICROSOFT_APP_CERTIFICATE_THUMBPRINT": "AB12",
                                "MICROSOFT_APP_CERTIFICATE_KEY_FILE": str(key)}, platforms=True)
    assert config.secrets.msteams_certificate_key is not None and "PRIVATE" not in repr(config)


def test_both_platforms_name_every_missing_secret_slack_first(tmp_path: Path) -> None:
    path = write(tmp_path, "msteams:\n  enabled: true\n")
    with pytest.raises(ConfigError) as err:
        load(path, KEY_ENV, platforms=True)
    message = str(err.value)
    order = ["SLACK_BOT_TOKEN is not set", "SLACK_SIGNING_SECRET is not set", "MICROSOFT_APP_ID is not set"]
    assert [message.index(name) for name in order] == sorted(message.index(name) for name in order)


def test_no_platform_enabled_names_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="set slack.enabled: true or msteams.enabled: true"):
        load(write(tmp_path, "slack:\n  enabled: false\n"), KEY_ENV, platforms=True)


def test_the_recipients_of_a_platform_are_its_managers_and_hr(tmp_path: Path) -> None:
    text = ("alerts:\n  hr_recipients: [UHR0000001, 'msteams:AAAAAAAA-0000-4000-8000-000000000009']\n"
            "teams:\n  - name: Platform\n    channels: [C0000000001]\n    managers: [U0000000001, "
            "'msteams:bbbbbbbb-0000-4000-8000-000000000002']\n    hr: [U0000000002]\n")
    s = load(write(tmp_path, text), KEY_ENV).settings
    assert s.recipients("slack") == {"UHR0000001", "U0000000001", "U0000000002"}
    assert s.recipients("msteams") == {"aaaaaaaa-0000-4000-8000-000000000009", "bbbbbbbb-0000-4000-8000-000000000002"}


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("review:\n  enabled: true\n", "review.enabled needs review.channel"),
        ("review:\n  enabled: true\n  channel: C0123ABCD\n", "at least one of review.reviewers"),
        ("review:\n  flagging:\n    author_weekly_cap: 3\n", "review.flagging.author_weekly_cap:"),
        ("review:\n  flagging:\n    audit_rate: 1.5\n", "review.flagging.audit_rate:"),
        ("review:\n  retrain:\n    weekday: someday\n", "review.retrain.weekday:"),
        ("review:\n  colour: blue\n", "review.colour:"),
        ("server:\n  public_url: not a url\n", "server.public_url:"),
    ],
)
def test_review_settings_are_checked(tmp_path: Path, yaml_text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(write(tmp_path, yaml_text), KEY_ENV)
    assert expected in str(raised.value)


def test_review_ids_are_platform_qualified_and_build_the_flag_policy(tmp_path: Path) -> None:
    text = ("review:\n  enabled: true\n  channel: C0123ABCD\n  reviewers: [U0123ABCD, 'msteams:00000000-0000-0000-0000-0000000000aa']\n"
            "  unlabelled_ttl_days: 7\n  flagging:\n    daily_cap: 5\n")
    review = load(write(tmp_path, text), KEY_ENV).settings.review
    assert review.channel == "slack:C0123ABCD"
    assert review.reviewers == ("slack:U0123ABCD", "msteams:00000000-0000-0000-0000-0000000000aa")
    policy = review.policy()
    assert (policy.daily_cap, policy.unlabelled_ttl_days, policy.author_weekly_cap) == (5, 7.0, 2)


def test_review_posts_link_the_guidelines_on_the_public_url(tmp_path: Path) -> None:
    from bot.runtime import guidelines_url

    config = load(write(tmp_path, "server:\n  public_url: https://tw.example.com/\n"), KEY_ENV)
    assert guidelines_url(config) == "https://tw.example.com/review/guidelines"
    config = load(write(tmp_path, "review:\n  guidelines_url: https://wiki.example.com/labelling\n"), KEY_ENV)
    assert guidelines_url(config) == "https://wiki.example.com/labelling"
