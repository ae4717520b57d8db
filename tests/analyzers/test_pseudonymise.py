"""The pseudonymiser: keyed pseudonyms, and what text() replaces and what it leaves.

text() reads the core's neutral text; Slack markup is converted before it (tests/slack/test_markup.py).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import operator
import re
import string
import threading
import time
from dataclasses import dataclass
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzers.names import FUNCTION_WORDS, common_words
from analyzers.pseudonymise import (
    EMAIL, IP, NUMBER, PERSON, PHONE, URL, Member, Placeholder, Pseudonymiser,
)

KEY = b"0123456789abcdef-test-key"
MEMBERS = [
    Member("U0AMARA001", ("Amara Okafor", "amara.o", "")),
    Member("U0WILL0001", ("Will Smith", "wsmith")),
    Member("U0BOB00001", ("Bob Okonkwo", "bobo")),
]


@pytest.fixture
def p() -> Pseudonymiser:
    return Pseudonymiser(KEY, MEMBERS)


# --- keyed pseudonyms ------------------------------------------------------------------------


def test_author_and_message_key_are_truncated_keyed_hmacs(p: Pseudonymiser) -> None:
    expected = hmac.new(KEY, b"T1:U1", hashlib.sha256).hexdigest()[:32]
    assert p.author("T1", "U1") == expected == p.author("T1", "U1")
    expected = hmac.new(KEY, b"msg:T1:C1:1763900000.000100", hashlib.sha256).hexdigest()[:32]
    assert p.message_key("T1", "C1", "1763900000.000100") == expected
    assert re.fullmatch(r"[0-9a-f]{32}", p.author("T1", "U2"))


def test_pseudonyms_depend_on_key_input_and_domain(p: Pseudonymiser) -> None:
    other = Pseudonymiser(KEY + b"!")
    assert other.author("T1", "U1") != p.author("T1", "U1")
    assert p.author("T1", "U1") != p.author("T1", "U2") != p.author("T2", "U2")
    assert p.author("T1", "C1:1.0") != p.message_key("T1", "C1", "1.0")


def test_key_must_have_16_bytes() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonymiser(b"x" * 15)
    Pseudonymiser(b"x" * 16)


def test_repr_hides_the_key(p: Pseudonymiser) -> None:
    for shown in (repr(p), str(p), f"{p}", f"{p!r}"):
        assert "hidden" in shown
        assert KEY.decode() not in shown and KEY.hex() not in shown and str(KEY) not in shown


# --- text(): each placeholder -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("copy U012ABCDEF from the profile, cc W0ENTERPRISE1", f"copy {PERSON} from the profile, cc {PERSON}"),
        ("thanks Amara Okafor and bobo", f"thanks {PERSON} and {PERSON}"),
        ("Amara's PR, ping amara.o", f"{PERSON}'s PR, ping {PERSON}"),
        ("will you review, Will?", f"will you review, {PERSON}?"),
        ("mail amara.okafor@corp.example", f"mail {EMAIL}"),
        ("write to jo.smith+tw@corp.example.", f"write to {EMAIL}."),
        ("see https://git.example.com/org/repo/pull/4412.", f"see {URL}."),
        ("(http://intranet.corp/amara) and ftp://files.corp.example/x", f"({URL}) and {URL}"),
        ("on www.example.com, or example.com/foo?a=1", f"on {URL}, or {URL}"),
        ("host 10.0.0.17:8080 and 192.168.1.1.", f"host {IP}:8080 and {IP}."),
        ("v6 2001:db8::8a2e:370:7334 fe80::1 ::ffff:192.0.2.1", f"v6 {IP} {IP} {IP}"),
        ("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334!", f"full {IP}!"),
        ("call +44 20 7946 0958 or +1-202-555-0143", f"call {PHONE} or {PHONE}"),
        ("call (555) 123-4567, 555-123-4567 or 555.123.4567", f"call {PHONE}, {PHONE} or {PHONE}"),
        ("call 0171 496 0000 or 07700 900123", f"call {PHONE} or {PHONE}"),
        ("call +44 (0)20 7946 0958", f"call {PHONE}"),
        ("ticket 48213377 and INC-123456", f"ticket {NUMBER} and INC-{NUMBER}"),
        ("card 4111 1111 1111 1111, iban 1234-5678-9012", f"card {NUMBER}, iban {NUMBER}"),
        ("#12345 and ticket48213", f"#{NUMBER} and ticket{NUMBER}"),
        ("on 2026-11-23 12345", f"on 2026-11-23 {NUMBER}"),
        ("phone 12 34 56 78 90, Q3 2026-11-23, 12345 10:30",
         f"phone {NUMBER}, Q3 2026-11-23, {NUMBER} 10:30"),
    ],
)
def test_names_contacts_and_numbers(p: Pseudonymiser, text: str, expected: str) -> None:
    assert p.text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "standup at 10:30, 3 bugs left, release v2.13.0 on 2026-11-23",
        "99.5% uptime, 12,500 users, 1.234.567 rows, $12345.67, 2019-2026, 100-200 ms",
        "deploy 2026-11-23 10:30 – 11:45, 23-11-2026, 23/11/2026, Q3, x2, #42, PR 4412",
        "1 2 3 4 5 6, 12 34, 3 2026, 10:30:15, 10:30 2026-11-23, sprint 12 2026-11-23",
        "🎉🎉🎉 :tada: :+1::skin-tone-3: <3 &lt;3 ¯\\_(ツ)_/¯",
        "a < b & c > d, R&D, <b>bold</b>, &amp; &quot;",  # neutral text: typed, not markup
        "<person> and <channel> told <usergroup> @here on <url>, <email> <phone> <ip> <number>",
        "  Mixed CASE,   spacing\tand\nnewlines!!  ",
        "I hope Will is fine... will do, may be late; Hope springs eternal",  # no member Hope
        "example.com is down, see the status page",
        "",
    ],
)
def test_what_must_survive(text: str) -> None:
    p = Pseudonymiser(KEY, [Member("U1", ("Amara Okafor",))])
    assert p.text(text) == text


def test_placeholders_enum_and_constants() -> None:
    assert [str(x) for x in Placeholder] == [
        "<person>", "<channel>", "<usergroup>", "<email>", "<phone>", "<url>", "<ip>", "<number>",
    ]
    assert PERSON == "<person>" and f"{NUMBER}" == "<number>"


def test_a_40000_character_message_is_fast_and_complete(p: Pseudonymiser) -> None:
    sentence = "thanks Amara Okafor, see https://x.example/a and call +44 20 7946 0958 re 48213377. "
    text = (sentence * (40_000 // len(sentence) + 1))[:40_000]
    start = time.perf_counter()
    out = p.text(text)
    assert time.perf_counter() - start < 1.0
    assert "Amara" not in out and "x.example" not in out and "7946" not in out and "48213377" not in out


@pytest.mark.parametrize(
    "text",
    ["a." * 20_000, "1 " * 20_000, "<@" * 20_000, "@" * 40_000, "x" * 40_000, ":" * 40_000,
     "1." * 20_000, "a-" * 20_000, "+(" * 20_000, "amara " * 6_000, "w" * 39_996 + "www."],
)
def test_pathological_input_takes_linear_time(p: Pseudonymiser, text: str) -> None:
    start = time.perf_counter()
    p.text(text)
    assert time.perf_counter() - start < 1.0


# --- set_members ------------------------------------------------------------------------------


def test_set_members_swaps_the_names(p: Pseudonymiser) -> None:
    assert p.text("ask Amara and Zedekiah") == f"ask {PERSON} and Zedekiah"
    p.set_members([Member("U9", ("Zedekiah Quist",))])
    assert p.text("ask Amara and Zedekiah") == f"ask Amara and {PERSON}"
    p.set_members([])
    assert p.text("ask Amara and Zedekiah") == "ask Amara and Zedekiah"


def test_each_source_replaces_only_its_own_names(p: Pseudonymiser) -> None:
    # The constructor's members are the default source; Slack and Teams keep their own.
    p.set_members([Member("slack-1", ("Zedekiah Quist",))], source="slack")
    p.set_members([Member("0b9c5c2e-0000-4000-8000-000000000001", ("Megan Bowen",))], source="msteams")
    assert p.text("Amara, Zedekiah and Megan") == f"{PERSON}, {PERSON} and {PERSON}"
    p.set_members([], source="slack")  # Slack's refresh: Teams' names stay
    assert p.text("Amara, Zedekiah and Megan") == f"{PERSON}, Zedekiah and {PERSON}"
    p.set_members([Member("U9", ("Will",))])  # the old call replaces the default source only
    assert p.text("Amara, Will and Megan") == f"Amara, {PERSON} and {PERSON}"


def test_sources_set_at_once_on_two_threads_keep_both(p: Pseudonymiser) -> None:
    slack, teams = [Member("U1", ("Zedekiah Quist",))], [Member("g1", ("Megan Bowen",))]
    threads = [threading.Thread(target=p.set_members, args=(members, source))
               for _ in range(20) for members, source in ((slack, "slack"), (teams, "msteams"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert p.text("Zedekiah and Megan") == f"{PERSON} and {PERSON}"


def test_text_sees_whole_matchers_while_set_members_runs(p: Pseudonymiser) -> None:
    old, new = [Member("U1", ("Amara Okafor",))], [Member("U2", ("Zedekiah Quist",))]
    allowed = {f"{PERSON} met Zedekiah Quist", f"Amara Okafor met {PERSON}"}
    seen: set[str] = set()
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            p.set_members(old)
            p.set_members(new)

    thread = threading.Thread(target=swap)
    thread.start()
    try:
        for _ in range(2_000):
            seen.add(p.text("Amara Okafor met Zedekiah Quist"))
    finally:
        stop.set()
        thread.join()
    assert seen <= allowed


# --- properties -------------------------------------------------------------------------------

VOCAB = ("deploy is done thanks for the review looks good great work today we ship it please "
         "check again happy friday sorry late swamped tired ok yes :tada: 🎉 will hope").split()
PLACEHOLDER_WORDS = {"person", "channel", "usergroup", "email", "phone", "url", "number"}
_EXCLUDED = common_words() | FUNCTION_WORDS | set(VOCAB) | PLACEHOLDER_WORDS


def word(first: str, rest: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """A word: one character from ``first``, then ``min_size``-``max_size`` from ``rest``."""
    rests = st.text(rest, min_size=min_size, max_size=max_size)
    return st.builds(operator.add, st.sampled_from(first), rests)


LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
name_part = word(UPPER, LOWER, 3, 9).filter(lambda w: w.lower() not in _EXCLUDED)
digit = st.sampled_from(DIGITS)
user_id = st.builds(lambda first, rest, d: first + rest + d, st.sampled_from("UW"),
                    st.text(UPPER + DIGITS, min_size=7, max_size=9), digit)  # a bare id has a digit
label = word(LOWER, LOWER + DIGITS, 1, 10)
host = st.builds(
    lambda labels, tld: ".".join(labels) + "." + tld,
    st.lists(label, min_size=1, max_size=3), st.text(LOWER, min_size=2, max_size=6),
)
path = st.lists(
    st.text(LOWER + UPPER + DIGITS + "_-", min_size=1, max_size=10), min_size=1, max_size=3
).map(lambda parts: "/" + "/".join(parts))
email = st.builds(
    lambda local, domain: f"{local}@{domain}",
    word(LOWER + DIGITS, LOWER + DIGITS + "._+-", 0, 15), host,
)
url = st.one_of(
    st.builds(lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["http", "https", "ftp"]), host, path),
    st.builds(lambda h: f"https://{h}", host),
    st.builds(lambda h, p: f"www.{h}{p}", host, path),
    st.builds(lambda h, p: f"{h}{p}", host, path),
)
ipv4 = st.lists(st.integers(0, 255), min_size=4, max_size=4).map(lambda o: ".".join(map(str, o)))
ipv6 = st.builds(
    lambda address, exploded: address.exploded if exploded else str(address),
    st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address), st.booleans(),
).filter(lambda a: sum(1 for g in a.split(":") if g) >= 2)  # "::1" and "1::" are not matched


def _fill(template: str, draws: list[str]) -> str:
    return re.sub("#", lambda _: draws.pop(), template)


phone = st.builds(
    _fill,
    st.sampled_from([
        "+44 ## #### ####", "+1-###-###-####", "(###) ###-####", "###-###-####", "###.###.####",
        "0### ### ####", "+33 # ## ## ## ##", "+1 (###) ###-####",
    ]),
    st.lists(digit, min_size=12, max_size=12),
)
number = st.one_of(
    st.builds(lambda first, rest: first + rest, st.sampled_from("123456789"),
              st.text("0123456789", min_size=4, max_size=15)),
    st.builds(
        lambda first, groups, sep: sep.join([first + groups[0], *groups[1:]]),
        st.sampled_from("123456789"),
        st.lists(st.text("0123456789", min_size=2, max_size=4), min_size=2, max_size=4),
        st.sampled_from([" ", "-"]),
    ).filter(lambda n: sum(c.isdigit() for c in n) >= 5)
    # kept by design: "1234-5678" reads as a range, "1000-00-00" as a date
    .filter(lambda n: n.count("-") != 1 and not re.fullmatch(r"\d{4}-\d\d-\d\d", n)),
)


@dataclass(frozen=True)
class Item:
    """A sensitive thing put into a message: the text, what must vanish, what must appear."""

    text: str
    secrets: tuple[str, ...]  # substrings that must not survive
    words: tuple[str, ...]  # words (any case) that must not survive
    placeholders: tuple[str, ...]  # one of them must appear


Person = tuple[str, str]  # first name, last name
MakeItem = Callable[[list[Person]], Item]  # picks its person from the message's members


def fixed(item: Item) -> MakeItem:
    """An item that is the same whoever the members are."""
    return lambda _: item


def about(make: Callable[[Person], Item]) -> st.SearchStrategy[MakeItem]:
    """Items about one of the members, chosen when the message's members are known."""
    return st.integers(0, 5).map(lambda i: lambda people: make(people[i % len(people)]))


ITEMS: st.SearchStrategy[MakeItem] = st.one_of(
    email.map(lambda e: fixed(Item(e, (e,), (), (EMAIL,)))),
    url.map(lambda u: fixed(Item(u, (u,), (), (URL,)))),
    ipv4.map(lambda a: fixed(Item(a, (a,), (), (IP,)))),
    ipv6.map(lambda a: fixed(Item(a, (a,), (), (IP,)))),
    phone.map(lambda n: fixed(Item(n, (n,), (), (PHONE,)))),
    number.map(lambda n: fixed(Item(n, (n,), (), (NUMBER, PHONE)))),  # "100 000 0000": a phone
    user_id.map(lambda u: fixed(Item(u, (u,), (), (PERSON,)))),
    about(lambda m: Item(f"{m[0]} {m[1]}", (), m, (PERSON,))),
    about(lambda m: Item(f"{m[0].lower()}  {m[1].upper()}", (), m, (PERSON,))),
    about(lambda m: Item(m[0], (), (m[0],), (PERSON,))),
    about(lambda m: Item(m[1], (), (m[1],), (PERSON,))),
    about(lambda m: Item(m[0].lower(), (), (m[0],), (PERSON,))),
    about(lambda m: Item(f"{m[0]}'s", (), (m[0],), (PERSON,))),
    about(lambda m: Item(f"{m[0].lower()}.{m[1][0].lower()}", (), (m[0],), (PERSON,))),
)


@st.composite
def messages(draw: st.DrawFn) -> tuple[list[Member], str, list[Item]]:
    """Members, and a message mixing ordinary words with sensitive items."""
    people = draw(st.lists(st.tuples(name_part, name_part), min_size=1, max_size=6))
    members = [
        Member(f"U{n:09d}", (f"{first} {last}", f"{first.lower()}.{last[0].lower()}"))
        for n, (first, last) in enumerate(people)
    ]
    inserted = [make(people) for make in draw(st.lists(ITEMS, min_size=1, max_size=6))]
    parts: list[str] = []
    for item in inserted:
        parts += draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3))
        parts.append(item.text)
    parts += draw(st.lists(st.sampled_from(VOCAB), max_size=3))
    return members, " ".join(parts), inserted


@settings(max_examples=100, deadline=None)
@given(messages())
def test_no_inserted_identifier_survives(case: tuple[list[Member], str, list[Item]]) -> None:
    members, text, inserted = case
    p = Pseudonymiser(KEY, members)
    out = p.text(text)
    out_words = {w.lower() for w in re.findall(r"[^\W_]+", out)}
    for item in inserted:
        assert any(placeholder in out for placeholder in item.placeholders), (item, out)
        for secret in item.secrets:
            assert secret not in out, (secret, out)
        for word in item.words:
            assert word.lower() not in out_words, (word, out)
    assert p.text(out) == out  # placeholders and survivors are stable


@settings(max_examples=100, deadline=None)
@given(
    st.lists(name_part, min_size=1, max_size=5),
    st.lists(
        st.sampled_from(VOCAB + ["10:30", "3", "v2.13.0", "2026-11-23", "45%", "12,500", "Q3",
                                 "Will", "Hope", "may", "(ok)", "—", "\n", "👍🏽"]),
        max_size=30,
    ),
)
def test_text_without_identifiers_is_unchanged(names: list[str], words: list[str]) -> None:
    p = Pseudonymiser(KEY, [Member(f"U{n}", (name,)) for n, name in enumerate(names)])
    text = " ".join(words)
    assert p.text(text) == text
