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

import re
from typing import Final

import emoji

__all__ = ["emoji_as_codes"]

# Slack writes a skin tone as a second code after the emoji; Unicode as a modifier character.
_SKIN_TONE: Final = re.compile(r":skin-tone-([2-6]):")


def emoji_as_codes(text: str) -> str:
    """Every emoji, written as a character or as any of its codes, as its one code."""
    if ":" in text:  # a code: to the character first, so that every name of it ends the same
        text = emoji.emojize(_SKIN_TONE.sub(lambda m: chr(0x1F3FB + int(m[1]) - 2), text), language="alias")
    if emoji.emoji_count(text):
        text = emoji.demojize(text, language="alias")
    return text
