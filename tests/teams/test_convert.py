"""Teams activities → core values: the HTML, mentions, ids, and shapes that are refused."""

from __future__ import annotations

from typing import Any

import pytest

from analyzers.pseudonymise import CHANNEL, EMAIL, PERSON, PHONE, URL
from bot.teams.convert import (
    Deletion, MalformedActivity, addressed_to_bot, channel_of, parse_activity, to_command, to_deletion,
    to_message, where_from,
)
from bot.teams.markup import to_plain
from conftest import BOT_ID, MEGAN, TEAM, TEAMS_ADMIN, TEAMS_CHANNEL, TENANT, teams_activity

SERVICE = "https://smba.trafficmanager.net/emea/"


def activity(kind: str = "message", **fields: Any) -> dict[str, Any]:
    return teams_activity(SERVICE, kind, **fields)


# -- HTML → neutral text -----------------------------------------------------------------------


@pytest.mark.parametrize(("html", "plain"), [
    ("plain words", "plain words"),
    ('<p>thanks <at id="1">Megan Bowen</at>!</p>', f"thanks {PERSON}!"),
    ("<div><div>one</div><div>two<br>three</div></div>", "one\ntwo\nthree"),
    ("<p>a</p><p></p><p>b</p>", "a\nb"),
    ('<p>see <a href="https://contoso.sharepoint.com/x?y=1">Megan&#39;s plan</a></p>', f"see {URL}"),
    ('<a href="mailto:megan@contoso.example">write</a> or <a href="tel:+4420794600">call</a>', f"{EMAIL} or {PHONE}"),
    ("fish &amp; chips &lt;3 &gt; 2&nbsp;times", "fish & chips <3 > 2 times"),
    ("a < b and c > d", "a < b and c > d"),
    ('<p>great <emoji id="smile" alt="😄" title="Smile"></emoji></p>', "great :smile:"),
    ('<p><strong>bold</strong> <em>it</em> <code>x = 1</code></p>', "bold it x = 1"),
    ('<blockquote itemtype="http://schema.skype.com/Reply" itemid="1"><strong itemprop="mri">Adele Vance</strong>'
     "<p>her words</p></blockquote><p>mine</p>", "mine"),
    ("<blockquote>quoted by me</blockquote>", "quoted by me"),
    ('<p>file <attachment id="abc"></attachment> here</p><script>alert(1)</script>', "file here"),
    ('<img src="https://x/y.png" alt="Adele Vance"> hi', "hi"),
    ("<at>never closed", PERSON),
])
def test_html_becomes_neutral_text(html: str, plain: str) -> None:
    assert to_plain(html) == plain


def test_emoji_characters_become_the_codes_slack_sends() -> None:
    assert to_plain("<p>the build broke again 😞 👍🏽</p>") == "the build broke again :disappointed: :thumbs_up_medium_skin_tone:"


def test_a_channel_mention_becomes_channel_like_on_slack() -> None:
    data = activity(text='see <at id="0">eng-platform</at>, <at id="1">Adele Vance</at>', entities=[
        {"type": "mention", "text": "<at>eng-platform</at>", "mentioned": {"id": TEAMS_CHANNEL, "name": "eng-platform"}},
        {"type": "mention", "text": "<at>Adele Vance</at>", "mentioned": {"id": "29:1adele", "name": "Adele Vance"}},
    ])
    message = to_message(parse_activity(data))
    assert message is not None and message.text == f"see {CHANNEL}, {PERSON}"


def test_the_bots_own_mention_is_dropped_others_become_person() -> None:
    html = '<p><at id="0">Teamweather</at> optin <at id="1">Megan Bowen</at></p>'
    assert to_plain(html, own_names=frozenset({"Teamweather"})) == f"optin {PERSON}"


# -- messages, edits, deletions ----------------------------------------------------------------


def test_a_channel_message_becomes_a_core_message() -> None:
    data = activity(text='hi <at id="1">Adele Vance</at>', activity_id="1763900000123")
    message = to_message(parse_activity(data))
    assert message is not None
    assert (message.workspace, message.channel, message.user, message.ts) == (TENANT, TEAMS_CHANNEL, MEGAN, "1763900000123")
    assert message.text == f"hi {PERSON}" and not message.edited
    assert abs(message.sent_at - parse_timestamp(data["timestamp"])) < 1e-3


def parse_timestamp(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value).timestamp()


def test_the_channel_is_never_a_thread() -> None:
    # channelData names the channel; without it, the conversation id loses its ";messageid=".
    data = activity(text="x")
    del data["channelData"]["channel"]
    assert channel_of(parse_activity(data)) == TEAMS_CHANNEL
    assert data["conversation"]["id"].startswith(f"{TEAMS_CHANNEL};messageid=")


def test_ids_are_folded_to_lower_case() -> None:
    data = activity(text="x")
    data["from"]["aadObjectId"] = MEGAN.upper()
    data["conversation"]["tenantId"] = TENANT.upper()
    message = to_message(parse_activity(data))
    assert message is not None and (message.user, message.workspace) == (MEGAN, TENANT)


def test_an_edit_keeps_the_day_it_was_sent() -> None:
    data = activity("messageUpdate", text="better words", activity_id="1763900000123", event_type="editMessage")
    message = to_message(parse_activity(data))
    assert message is not None and message.edited and message.sent_at == 1763900000.123
    undelete = activity("messageUpdate", text="back", event_type="undeleteMessage")
    assert to_message(parse_activity(undelete)) is None


def test_a_soft_delete_becomes_a_deletion() -> None:
    data = activity("messageDelete", activity_id="1763900000123", event_type="softDeleteMessage")
    assert to_deletion(parse_activity(data)) == Deletion(TENANT, TEAMS_CHANNEL, "1763900000123")
    assert to_deletion(parse_activity(activity("messageDelete", channel=None))) is None  # a personal chat


@pytest.mark.parametrize("change", [
    {"from": {"id": "28:another-bot", "name": "Other bot"}},  # no AAD object id: not a person
    {"conversation": {"conversationType": "groupChat", "id": "19:meeting_x@thread.v2", "tenantId": TENANT}},
])
def test_what_is_not_a_persons_channel_message_is_ignored(change: dict[str, Any]) -> None:
    data = activity(text="hello") | change
    data["channelData"] = {"tenant": {"id": TENANT}}
    assert to_message(parse_activity(data)) is None


# -- commands ----------------------------------------------------------------------------------


def test_a_mention_of_the_bot_is_a_command_not_a_message() -> None:
    parsed = parse_activity(activity(text="Optin now", user=TEAMS_ADMIN, mention_bot=True))
    assert addressed_to_bot(parsed) and to_message(parsed) is None and where_from(parsed) == "channel"
    command = to_command(parsed)
    assert command is not None
    assert (command.platform, command.workspace, command.channel, command.user) == ("msteams", TENANT, TEAMS_CHANNEL, TEAMS_ADMIN)
    assert command.text == "Optin now" and command.qualified_user == f"msteams:{TEAMS_ADMIN}"


def test_anything_in_the_personal_chat_is_a_command() -> None:
    parsed = parse_activity(activity(text="/teamweather status", channel=None))
    command = to_command(parsed)
    assert command is not None and command.text == "status" and where_from(parsed) == "personal"
    assert command.channel == f"a:1personal-{MEGAN}"
    assert to_command(parse_activity(activity(text="just chatting"))) is None  # in a channel, no mention


# -- shapes ------------------------------------------------------------------------------------


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(("change", "field"), [
    ({"type": 5}, "type"),
    ({"text": ["a"]}, "text"),
    ({"from": "29:1megan"}, "from"),
    ({"from": {"id": 12}}, "from.id"),
    ({"from": {"id": "29:1x", "aadObjectId": "not-a-guid"}}, "from.aadObjectId"),
    ({"conversation": {"id": "19:x@thread.tacv2", "tenantId": 7}}, "conversation.tenantId"),
    ({"conversation": {"id": "has spaces in it"}}, "conversation.id"),
    ({"serviceUrl": "ftp://evil"}, "serviceUrl"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"timestamp": "2026-13-45T10:00:00Z"}, "timestamp"),
    ({"channelData": {"channel": {"id": {"$gt": ""}}}}, "channelData.channel.id"),
    ({"entities": {"type": "mention"}}, "entities"),
    ({"attachments": [{"content": "<p>x</p>"}]}, "attachments.0.contentType"),
    ({"conversation": {"id": "a:1", "isGroup": "yes"}}, "conversation.isGroup"),
])
def test_malformed_shapes_are_refused_naming_the_field_not_the_value(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedActivity) as err:
        parse_activity(activity(text="secret words") | change)
    assert field in str(err.value) and "secret" not in str(err.value)


@pytest.mark.parametrize("key", ["type", "serviceUrl", "from", "recipient", "conversation", "channelId"])
def test_the_envelope_must_be_complete(key: str) -> None:
    with pytest.raises(MalformedActivity):
        parse_activity(_without(activity(text="x"), key))


@pytest.mark.parametrize("data", [None, [], "message", 3])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(MalformedActivity, match="not an object"):
        parse_activity(data)


def test_unknown_fields_are_teams_business() -> None:
    parsed = parse_activity(activity(text="x", locale="en-GB", newField={"a": [1, 2]}))
    assert parsed.recipient.id == BOT_ID and parsed.team == TEAM
