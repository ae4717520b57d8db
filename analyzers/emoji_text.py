"""Emoji in the neutral text the classifier reads: as codes, ``:weary:``, never characters.

Slack sends most emoji as codes (``:disappointed:``, ``:+1:``, ``:clap::skin-tone-4:``), Teams
and the training data as characters. The classifier's tokenizer knows no emoji character (each
is one unknown token), while a code's words carry meaning the encoder learnt in pretraining.
Measured on val (``benchmarks/emoji_form.py``, docs/benchmarks.md), codes score as well as
characters everywhere and better on workplace stress, so both adapters and the training data
loader write emoji as codes, with one name for each (the ``emoji`` package's aliases, which
are mostly Slack's: ``:+1:`` becomes ``:thumbsup:``). A code that names no emoji (a
workspace's custom emoji) stays as it is.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import emoji

__all__ = ["emoji_as_codes"]

# Slack writes a skin tone as a second code after the emoji; Unicode as a modifier character.
_SKIN_TONE: Final = re.compile(r":skin-tone-([2-6]):")
_CODE: Final = re.compile(r":[^\s:]+:")  # every name of the package has this shape (tests check)
# The first character of every emoji of the package lies in these ranges (tests check).
_MAYBE_CHARACTER: Final = re.compile("[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff]")


@functools.cache
def _one_code() -> dict[str, str]:
    """Every name of every emoji (``:+1:``, ``:thumbs_up:``, ``:thumbsup:``) -> its one code,
    the one ``emoji.demojize(..., language="alias")`` writes. A name two emoji share (``:dog:``)
    goes where ``emoji.emojize`` takes it."""
    candidates: dict[str, set[str]] = {}
    for data in emoji.EMOJI_DATA.values():
        code = data["alias"][0] if data.get("alias") else data["en"]
        for name in (data["en"], *data.get("alias", ())):
            candidates.setdefault(name, set()).add(code)
    return {
        name: next(iter(codes)) if len(codes) == 1 else emoji.demojize(emoji.emojize(name, language="alias"), language="alias")
        for name, codes in candidates.items()
    }


def emoji_as_codes(text: str) -> str:
    """Every emoji, written as a character or as any of its codes, as its one code.

    This runs on every message on the ack path, and the ``emoji`` package's functions take
    some 40 µs a message, emoji or not: characters (Teams', and some of Slack's) go through
    the package, which knows every sequence; codes are looked up in a table built once."""
    if _MAYBE_CHARACTER.search(text):
        text = emoji.demojize(text, language="alias")
    if ":" not in text:
        return text
    if _SKIN_TONE.search(text):  # a tone applies to the emoji before it: the package joins them
        text = emoji.emojize(_SKIN_TONE.sub(lambda m: chr(0x1F3FB + int(m[1]) - 2), text), language="alias")
        return emoji.demojize(text, language="alias")
    codes = _one_code()
    return _CODE.sub(lambda m: codes.get(m[0], m[0]), text)
