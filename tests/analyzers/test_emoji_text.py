"""Emoji in neutral text: one code each, whatever form they came in, and cheap for text without."""

from __future__ import annotations

import emoji
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzers import emoji_text
from analyzers.emoji_text import emoji_as_codes


def test_every_emoji_and_every_name_of_the_package_is_seen_by_the_quick_checks() -> None:
    assert all(emoji_text._MAYBE_CHARACTER.search(e) for e in emoji.EMOJI_DATA)
    names = [n for data in emoji.EMOJI_DATA.values() for n in [data["en"], *data.get("alias", [])]]
    assert all(emoji_text._CODE.fullmatch(n) for n in names)


@pytest.mark.parametrize(("text", "codes"), [
    ("👍 and :+1: and :thumbsup:", ":thumbsup: and :thumbsup: and :thumbsup:"),
    ("ugh 😩", "ugh :weary:"), (":clap::skin-tone-4:", ":clapping_hands_medium_skin_tone:"),
    (":our-custom-emoji:", ":our-custom-emoji:"), ("at 10:30, 2:1", "at 10:30, 2:1"),
])
def test_emoji_take_one_code(text: str, codes: str) -> None:
    assert emoji_as_codes(text) == codes


def package(text: str) -> str:
    """What the ``emoji`` package alone makes of ``text``: any code to its character, then
    every character to its code."""
    slow = emoji.emojize(emoji_text._SKIN_TONE.sub(lambda m: chr(0x1F3FB + int(m[1]) - 2), text), language="alias")
    return emoji.demojize(slow, language="alias")


def test_every_name_takes_the_code_the_package_gives_it() -> None:
    names = [n for data in emoji.EMOJI_DATA.values() for n in [data["en"], *data.get("alias", [])]]
    for name in names[::4]:
        assert emoji_as_codes(f"x {name} y") == package(f"x {name} y"), name


@given(st.text())
def test_the_quick_checks_change_nothing_the_package_would_not(text: str) -> None:
    assert emoji_as_codes(text) == package(text)
