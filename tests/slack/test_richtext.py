"""Slack rich_text blocks rendered back to mrkdwn, made neutral and pseudonymised from there."""

from __future__ import annotations

from typing import Any

import pytest

from analyzers.pseudonymise import CHANNEL, PERSON, URL, USERGROUP, Member, Pseudonymiser
from bot.slack.markup import to_plain
from bot.slack.richtext import rich_text_to_mrkdwn


def rich(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "rich_text", "block_id": "b1", "elements": list(elements)}]


def section(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text_section", "elements": list(elements)}


def text(value: str, **style: bool) -> dict[str, Any]:
    return {"type": "text", "text": value, **({"style": style} if style else {})}


@pytest.mark.parametrize(
    "blocks", [None, [], [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]]
)
def test_no_rich_text_blocks_gives_none(blocks: list[dict[str, Any]] | None) -> None:
    assert rich_text_to_mrkdwn(blocks) is None


def test_empty_rich_text_gives_empty_text() -> None:
    assert rich_text_to_mrkdwn(rich()) == ""


def test_inline_elements_become_mention_syntax() -> None:
    blocks = rich(section(
        text("hi "), {"type": "user", "user_id": "U012ABCDEF"},
        text(", see "), {"type": "channel", "channel_id": "C0123ABC"},
        text(" and "), {"type": "usergroup", "usergroup_id": "S0123ABC"}, text(" "),
        {"type": "broadcast", "range": "here"}, text(" "),
        {"type": "link", "url": "https://x.example/doc?a=1&b=2", "text": "the doc"}, text(" "),
        {"type": "link", "url": "https://x.example"}, text(" "),
        {"type": "emoji", "name": "tada", "unicode": "1f389"},
        {"type": "emoji", "name": "+1", "skin_tone": 3},
        {"type": "emoji", "unicode": "1f44d-1f3fd"}, text(" "),
        {"type": "date", "timestamp": 1763900000, "format": "{date_short}", "fallback": "Nov 23"},
        text(" "), {"type": "color", "value": "#FF0000"},
        {"type": "team", "team_id": "T0123"},
    ))
    assert rich_text_to_mrkdwn(blocks) == (
        "hi <@U012ABCDEF>, see <#C0123ABC> and <!subteam^S0123ABC> <!here> "
        "<https://x.example/doc?a=1&amp;b=2|the doc> <https://x.example> "
        ":tada::+1::skin-tone-3:👍🏽 <!date^1763900000^{date_short}|Nov 23> #FF0000"
    )


def test_text_is_escaped_and_styled_like_slack_mrkdwn() -> None:
    blocks = rich(section(
        text("a < b & c > d, "), text("bold ", bold=True), text("it", italic=True), text(" "),
        text("gone", strike=True), text(" "), text("x = 1", code=True), text(" "),
        text("all", bold=True, italic=True),
    ))
    assert rich_text_to_mrkdwn(blocks) == "a &lt; b &amp; c &gt; d, *bold* _it_ ~gone~ `x = 1` *_all_*"


def test_layout_one_line_per_section_item_and_quote_line() -> None:
    blocks = rich(
        section(text("Plan for today:\n")),
        {"type": "rich_text_list", "style": "bullet", "indent": 0, "elements": [
            section(text("review "), {"type": "user", "user_id": "U1"}),
            section(text("ship it")),
        ]},
        {"type": "rich_text_list", "style": "ordered", "indent": 1, "offset": 2, "elements": [
            section(text("third")), section(text("fourth")),
        ]},
        {"type": "rich_text_quote", "elements": [text("quoted\nsecond line")]},
        {"type": "rich_text_preformatted", "elements": [text("make test")]},
    )
    assert rich_text_to_mrkdwn(blocks) == (
        "Plan for today:\n"
        "• review <@U1>\n"
        "• ship it\n"
        "    3. third\n"
        "    4. fourth\n"
        "&gt; quoted\n"
        "&gt; second line\n"
        "```make test```"
    )


def test_several_rich_text_blocks_are_joined_by_lines() -> None:
    blocks = [*rich(section(text("one"))), {"type": "divider"}, *rich(section(text("two")))]
    assert rich_text_to_mrkdwn(blocks) == "one\ntwo"


@pytest.mark.parametrize(
    "elements",
    [
        [{"type": "mystery", "text": "x"}, "not a dict", None, 42],
        [{"type": "user"}, {"type": "channel", "channel_id": 5}, {"type": "link"}],
        [{"type": "broadcast", "range": "nobody"}, {"type": "emoji", "unicode": "zz-top"}],
        [{"type": "date", "timestamp": "soon"}, {"type": "text", "text": None, "style": "bold"}],
    ],
)
def test_malformed_or_unknown_elements_are_skipped(elements: list[Any]) -> None:
    blocks = rich(section(text("ok "), *elements), {"type": "rich_text_unknown"}, {"elements": 3})
    assert rich_text_to_mrkdwn(blocks) == "ok "


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "rich_text", "elements": "nope"}],
        [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": {"a": 1}}]}],
        [{"type": "rich_text", "elements": [{"type": "rich_text_list", "indent": "x", "offset": None,
                                              "elements": [None, {"elements": None}]}]}],
        [{"type": "rich_text", "elements": [{"type": "rich_text_quote"}]}],
        ["junk", None, {"type": "rich_text"}],
    ],
)
def test_malformed_structure_never_raises(blocks: Any) -> None:
    assert isinstance(rich_text_to_mrkdwn(blocks), str)


def test_rendered_text_is_pseudonymised_in_one_place() -> None:
    blocks = rich(
        section(
            text("thanks "), {"type": "user", "user_id": "U012ABCDEF"}, text(" and Amara Okafor, see "),
            {"type": "link", "url": "https://wiki.example/Amara", "text": "Amara's notes"},
            text(" in "), {"type": "channel", "channel_id": "C0123ABC"}, text(" cc "),
            {"type": "usergroup", "usergroup_id": "S0123ABC"}, text(" "),
            {"type": "broadcast", "range": "channel"},
        ),
        {"type": "rich_text_quote",
         "elements": [text("mail amara@corp.example or call +44 20 7946 0958")]},
    )
    p = Pseudonymiser(b"k" * 32, [Member("U012ABCDEF", ("Amara Okafor",))])
    assert p.text(to_plain(rich_text_to_mrkdwn(blocks) or "")) == (
        f"thanks {PERSON} and {PERSON}, see {URL} in {CHANNEL} cc {USERGROUP} @channel\n"
        "> mail <email> or call <phone>"
    )
