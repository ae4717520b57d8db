"""manifest.yaml asks for exactly what the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
# Web API methods → the bot scopes each needs.
SCOPES_OF_METHOD: dict[str, set[str]] = {
    "auth_test": set(),  # at start-up: is the token accepted? (needs no scope)
    "conversations_join": {"channels:join"},
    "users_list": {"users:read"},
    "conversations_info": {"channels:read", "groups:read"},  # teams' channels, public or private
    "conversations_open": {"im:write"},
    "conversations_history": {"im:history"},  # only the app's own DMs, after a crash mid-send
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},  # a review post, updated in place after a press
    "chat_postEphemeral": {"chat:write"},  # /mytraining's setup form answered privately
    "views_open": set(),  # /mytraining's setup form as a modal (needs no scope)
    "views_publish": set(),  # /mytraining's plan on the App Home (needs no scope)
    "files_upload_v2": {"files:write"},
    "usergroups_users_list": {"usergroups:read"},
}
# Events the code listens to → the bot events and scopes that deliver them.
MESSAGE_EVENTS = {"message.channels": "channels:history", "message.groups": "groups:history"}
# Lifecycle events need no scope; each has its own listener (bot/slack/lifecycle.py).
LIFECYCLE_EVENTS = {"app_uninstalled", "tokens_revoked"}
# The Home tab opened (needs no scope): /mytraining's plan published there (bot/slack/app.py).
HOME_EVENTS = {"app_home_opened"}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yaml").read_text())


def code() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))


def test_scopes_are_exactly_those_the_code_uses() -> None:
    source = code()
    called = {m for m in re.findall(r"client\.(\w+)\(", source)}
    assert called == set(SCOPES_OF_METHOD), f"update SCOPES_OF_METHOD and manifest.yaml for {called}"
    needed = set().union(*(SCOPES_OF_METHOD[m] for m in called)) | set(MESSAGE_EVENTS.values()) | {"commands"}
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_events_and_commands_match_the_listeners() -> None:
    source = code()
    m = manifest()
    listeners = re.findall(r'@app\.event\("(\w+)"\)', source)
    assert sorted(listeners) == sorted({"message"} | LIFECYCLE_EVENTS | HOME_EVENTS)
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == set(MESSAGE_EVENTS) | LIFECYCLE_EVENTS | HOME_EVENTS
    commands = {c["command"] for c in m["features"]["slash_commands"]}
    assert commands == set(re.findall(r'COMMAND = "(/\w+)"', source))
    assert "app.shortcut(" not in source and "app.options(" not in source


def test_interactivity_goes_to_the_events_endpoint_for_the_review_and_learning_buttons_only() -> None:
    source = code()
    m = manifest()["settings"]
    assert m["interactivity"] == {"is_enabled": True, "request_url": m["event_subscriptions"]["request_url"]}
    assert re.findall(r"app\.action\(([^)]*\))", source) == [
        're.compile(f"^{REVIEW_ACTION}:")', 're.compile(f"^{LEARN_ACTION}:")']
    assert re.findall(r"app\.view\(([^)]*)\)", source) == ["SETUP_ACTION"]  # /mytraining's setup modal


def test_the_home_tab_is_on_because_the_app_publishes_it() -> None:
    home = manifest()["features"]["app_home"]
    assert "views_publish(" in code()
    # the Home tab shows the plan; the Messages tab stays writable, so /mytraining can be run there
    assert home == {"home_tab_enabled": True, "messages_tab_enabled": True, "messages_tab_read_only_enabled": False}
