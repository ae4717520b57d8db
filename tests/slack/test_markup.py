"""Slack markup -> the core's neutral text, alone and followed by the pseudonymiser."""

from __future__ import annotations

import re
import string
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzers.pseudonymise import CHANNEL, EMAIL, PERSON, PHONE, URL, USERGROUP, Member, Pseudonymiser
from bot.core import Message
from bot.slack.convert import from_message_event
from bot.slack.markup import to_plain

KEY = b"0123456789abcdef-test-key"
MEMBERS = [Member("U0AMARA001", ("Amara Okafor", "amara.o")), Member("U0BOB00001", ("Bob Okonkwo", "bobo"))]
SLACK_TOKENS = ("<@", "<#", "<!", "&amp;")


def slack_escape(text: str) -> str:
    """What Slack sends for text a person typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture
def p() -> Pseudonymiser:
    return Pseudonymiser(KEY, MEMBERS)


# --- to_plain: each token -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("thanks <@U012ABCDEF>!", f"thanks {PERSON}!"),
        ("cc <@U012ABCDEF|amara> <@W0ENTERPRISE>", f"cc {PERSON} {PERSON}"),
        ("posted in <#C0123ABC|general> and <#C0456DEF>", f"posted in {CHANNEL} and {CHANNEL}"),
        ("ask <!subteam^S0123|@platform-team> or <!subteam^S0456>", f"ask {USERGROUP} or {USERGROUP}"),
        ("<!here> <!channel|@channel> <!everyone> <!HERE> standup", "@here @channel @everyone @here standup"),
        ("see <https://wiki.corp.example/Amara|Amara's notes>", f"see {URL}"),
        ("see <https://x.example/a?b=1&amp;c=2>", f"see {URL}"),
        ("see <https://x.example|R&amp;D &lt;3>", f"see {URL}"),
        ("mail <mailto:jo@corp.example|jo@corp.example>", f"mail {EMAIL}"),
        ("call <tel:+442079460958|+44 20 7946 0958>", f"call {PHONE}"),
        ("due <!date^1763900000^{date_short}|Nov 23>", "due 2025-11-23"),
        ("due <!date^1763900000^{date}^https://x.example|Nov 23>", "due 2025-11-23"),
        ("due <!date^soon^{date}|whenever> <!date^99999999999999999999|x>", "due  "),
        ("odd <!foo^bar|label> markup", "odd  markup"),
    ],
)
def test_markup_tokens(raw: str, plain: str) -> None:
    assert to_plain(raw) == plain


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("R&amp;D &lt;3 it &gt; all", "R&D <3 it > all"),
        ("a &lt; b", "a < b"),
        ("&amp;lt; is how you write &lt;", "&lt; is how you write <"),  # typed "&lt;" stays
        ("&amp;amp; &amp;gt;", "&amp; &gt;"),
        ("&lt;@U012ABCDEF&gt; &lt;#C1&gt; &lt;!here&gt;", "<@U012ABCDEF> <#C1> <!here>"),  # typed, not markup
        ("&gt; quoted line", "> quoted line"),
        ("&quot;x&quot; &nbsp; &#60; & ; &amp", "&quot;x&quot; &nbsp; &#60; & ; &amp"),  # only Slack's three
        ("a <b and <x-y> stay", "a <b and <x-y> stay"),  # a "<" that starts no token
        ("", ""),
        ("no markup at all 🎉", "no markup at all :tada:"),
    ],
)
def test_escapes_are_undone_once_and_typed_text_stays_text(raw: str, plain: str) -> None:
    assert to_plain(raw) == plain


# Emphasis marks, code, emoji codes and emoji characters are the text that changes form.
TYPED = st.text(alphabet=st.characters(blacklist_characters="*_~`:", blacklist_categories=("So", "Sk", "Cs")))


@given(TYPED)
def test_what_a_person_typed_comes_back_as_typed(typed: str) -> None:
    assert to_plain(slack_escape(typed)) == typed


@pytest.mark.parametrize(("raw", "plain"), [
    ("*bold* and _italic_ and ~struck~", "bold and italic and struck"),
    ("`code` and ```\nblock\n```", "code and block"),
    ("*_both_*", "both"),
    ("snake_case_name, 2*3*4 and a * b", "snake_case_name, 2*3*4 and a * b"),
    (":+1: and 👍 and :thumbsup:", ":thumbsup: and :thumbsup: and :thumbsup:"),
    (":clap::skin-tone-4:", ":clapping_hands_medium_skin_tone:"),
    (":our-custom-emoji: stays", ":our-custom-emoji: stays"),
    ("at 10:30:15", "at 10:30:15"),
])
def test_emphasis_marks_go_and_emoji_take_one_form(raw: str, plain: str) -> None:
    assert to_plain(raw) == plain


@pytest.mark.parametrize(
    "raw", ["<@" * 20_000, "<" * 40_000, "&" * 40_000, "&amp;" * 8_000, "<!" * 20_000, "<a:" * 13_000],
)
def test_pathological_input_takes_linear_time(raw: str) -> None:
    start = time.perf_counter()
    to_plain(raw)
    assert time.perf_counter() - start < 1.0


# --- followed by the pseudonymiser --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("thanks <@U0AMARA001|amara.o> and Bob Okonkwo, see <https://wiki.example/Amara|Amara's notes>",
         f"thanks {PERSON} and {PERSON}, see {URL}"),
        ("bobo &amp; amara.o wrote to jo@corp.example &lt;3", f"{PERSON} & {PERSON} wrote to {EMAIL} <3"),
        ("&lt;@U012ABCDEF&gt; typed out", f"<@{PERSON}> typed out"),  # the bare id still goes
        ("R&amp;D call +44 20 7946 0958 re 48213377", f"R&D call {PHONE} re <number>"),
        ("&gt; quoted: Amara Okafor said a &lt; b", f"> quoted: {PERSON} said a < b"),
    ],
)
def test_to_plain_then_pseudonymised(p: Pseudonymiser, raw: str, expected: str) -> None:
    assert p.text(to_plain(raw)) == expected


def test_neutral_text_is_stable_under_both(p: Pseudonymiser) -> None:
    text = p.text(to_plain("<@U012ABCDEF> in <#C1|x>, <!subteam^S1> <!here> <mailto:a@b.example|a> a &lt; b"))
    assert text == f"{PERSON} in {CHANNEL}, {USERGROUP} @here {EMAIL} a < b"
    assert p.text(text) == text


LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
user_id = st.builds(lambda first, rest: first + rest, st.sampled_from("UW"), st.text(UPPER + DIGITS, min_size=8, max_size=10))
label = st.text(st.characters(codec="utf-8", exclude_characters="<>|", exclude_categories=("Cs",)), max_size=20).map(slack_escape)
MARKUP = st.one_of(
    user_id.map(lambda u: f"<@{u}>"),
    st.builds(lambda u, lbl: f"<@{u}|{lbl}>", user_id, label),
    st.builds(lambda c, lbl: f"<#C{c}|{lbl}>", st.text(UPPER + DIGITS, min_size=6, max_size=10), label),
    st.builds(lambda s, lbl: f"<!subteam^S{s}|{lbl}>", st.text(UPPER + DIGITS, min_size=6, max_size=10), label),
    st.sampled_from(["<!here>", "<!channel>", "<!everyone>", "<!here|@here>", "<!foo>", "<!date^oops|x>"]),
    st.builds(lambda ts, lbl: f"<!date^{ts}^{{date_short}}|{lbl}>", st.integers(0, 2**34), label),
    st.builds(lambda scheme, rest, lbl: f"<{scheme}:{slack_escape(rest)}|{lbl}>",
              st.sampled_from(["https", "http", "mailto", "tel", "ftp", "slack"]),
              st.text(st.characters(codec="utf-8", exclude_characters="<>|", exclude_categories=("Cs",)), max_size=20),
              label),
)
TOKEN_PREFIXES = ("<", "&", "&a", "&am", "&amp")
typed = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list("<>&;@#!|amplgt ")), max_size=20,
).filter(lambda s: not any(t in s for t in SLACK_TOKENS) and not s.endswith(TOKEN_PREFIXES))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(typed, MARKUP), max_size=6), typed)
def test_no_slack_token_reaches_the_core(parts: list[tuple[str, str]], last: str) -> None:
    """Whatever the markup, the neutral text holds no Slack token that the person did not type
    (the typed pieces hold none, and none ends with the start of one)."""
    raw = "".join(slack_escape(text) + markup for text, markup in parts) + slack_escape(last)
    out = Pseudonymiser(KEY, MEMBERS).text(to_plain(raw))
    assert not any(token in out for token in SLACK_TOKENS), (raw, out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["thanks", "see", "ok", "cc", "🎉"]), user_id,
                          st.sampled_from(["Amara", "Okafor", "Bob Okonkwo", "amara.o"])), min_size=1, max_size=5))
def test_no_marked_up_identifier_survives(items: list[tuple[str, str, str]]) -> None:
    raw = " ".join(f"{word} <@{uid}|{name}> in <#C0123ABC|{name}> <https://x.example/{uid}|{name}> "
                   f"<mailto:{name.replace(' ', '.')}@corp.example|{name}> <!subteam^S0123|@{name}>"
                   for word, uid, name in items)
    out = Pseudonymiser(KEY, MEMBERS).text(to_plain(raw))
    for _, uid, name in items:
        assert uid not in out and "C0123ABC" not in out and "S0123" not in out and "x.example" not in out
        assert not re.search(rf"\b{re.escape(name)}\b", out), (name, out)


# --- the adapter hands the core neutral text ---------------------------------------------------


BODY = {"team_id": "T0123ABC", "event_id": "Ev1"}


def test_message_events_reach_the_core_as_neutral_text() -> None:
    event: dict[str, Any] = {"type": "message", "channel": "C0123ABC", "user": "U0AMARA001",
                             "ts": "1763900000.000100", "text": "hi <@U0BOB00001|bob> R&amp;D &lt;3"}
    message = from_message_event(event, BODY)
    assert isinstance(message, Message) and message.text == f"hi {PERSON} R&D <3"
    blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": "a < b & "}, {"type": "user", "user_id": "U0BOB00001"}]}]}]
    message = from_message_event({**event, "blocks": blocks}, BODY)
    assert isinstance(message, Message) and message.text == f"a < b & {PERSON}"


def test_edits_reach_the_core_as_neutral_text() -> None:
    previous = {"user": "U0AMARA001", "ts": "1763900000.000100", "text": "old &amp; gone"}
    event = {"type": "message", "subtype": "message_changed", "channel": "C0123ABC",
             "message": {**previous, "text": "new &lt;3 <!here>"}, "previous_message": previous}
    message = from_message_event(event, BODY)
    assert isinstance(message, Message) and message.edited and message.text == "new <3 @here"
