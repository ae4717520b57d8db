"""The member-name matcher: which names it finds in chat text, and which words it leaves."""

from __future__ import annotations

import pytest

from analyzers.names import FUNCTION_WORDS, NameMatcher, common_words, name_pieces

P = "<person>"


def replace(names: list[str], text: str) -> str:
    return NameMatcher(names).replace(text, P)


def test_name_pieces_drop_asides_and_split_on_punctuation() -> None:
    assert name_pieces("Amara Okafor (she/her)") == ("amara", "okafor")
    assert name_pieces("amara.o") == ("amara", "o")
    assert name_pieces("Jean-Luc  PICARD [OOO]") == ("jean", "luc", "picard")
    assert name_pieces("🌻") == ()


@pytest.mark.parametrize(
    "text",
    ["Amara Okafor", "amara okafor", "AMARA   OKAFOR", "Amara\tOkafor", "amara\n okafor"],
)
def test_multi_piece_name_matches_any_case_and_whitespace_as_one(text: str) -> None:
    assert replace(["Amara Okafor"], f"thanks {text}!") == f"thanks {P}!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks Okafor", f"thanks {P}"),
        ("ping amara about it", f"ping {P} about it"),
        ("cc amara.o", f"cc {P}"),
        ("cc @jdoe, please", f"cc @{P}, please"),
        ("J. Doe said so", f"{P} said so"),
        ("Amara's PR and Okafor’s review", f"{P}'s PR and {P}’s review"),
        ("was it amara?", f"was it {P}?"),
        ("Amara.Okafor", f"{P}"),
        ("Okafor, Amara", f"{P}, {P}"),
    ],
)
def test_pieces_handles_possessives_and_punctuation(text: str, expected: str) -> None:
    assert replace(["Amara Okafor", "amara.o", "jdoe", "J. Doe"], text) == expected


def test_longest_name_wins() -> None:
    names = ["Mary Ann", "Mary Ann Evans", "Evans"]
    assert replace(names, "ask Mary Ann Evans or mary ann") == f"ask {P} or {P}"


def test_common_word_names_match_only_with_an_initial_capital() -> None:
    names = ["Will Smith", "Hope", "Mark"]
    assert replace(names, "will you review? I hope so") == "will you review? I hope so"
    assert replace(names, "Will you review? Hope said yes, MARK too") == (
        f"{P} you review? {P} said yes, {P} too"
    )
    assert replace(names, "will smith is out") == f"{P} is out"  # a full name: any case


def test_short_pieces_digits_and_function_words_never_match_alone() -> None:
    names = ["Al Li", "the.boss", "Amara (she/her) 2", "she her"]
    text = "Al and Li, the plan: she said her 2 cents. The boss"
    assert replace(names, text) == text.replace("The boss", P)
    assert replace(names, "ask Al Li") == f"ask {P}"
    assert replace(names, "ask the.boss") == f"ask {P}"


def test_names_inside_longer_words_survive() -> None:
    assert replace(["Ann", "Tom"], "Annual planning, tomorrow, Tomas") == (
        "Annual planning, tomorrow, Tomas"
    )


def test_placeholders_are_never_names() -> None:
    assert replace(["Person Number"], f"{P} and <number> met Person") == f"{P} and <number> met {P}"


def test_non_ascii_names_and_text() -> None:
    names = ["Zoë Ødegaard", "Łukasz", "İlkay Gündoğan"]
    text = "danke Zoë, ZOË and ødegaard 🎉 — łukasz, İlkay"
    assert replace(names, text) == f"danke {P}, {P} and {P} 🎉 — {P}, {P}"


def test_text_without_names_is_returned_unchanged() -> None:
    text = "nothing to see here 🎉"
    assert replace([], text) is text
    assert replace(["Amara"], text) is text
    assert replace(["Amara"], "") == ""


def test_word_lists() -> None:
    words = common_words()
    assert {"will", "hope", "joy", "grace", "may", "mark", "ship"} <= words  # VADER + hand list
    assert "okafor" not in words and "amara" not in words
    assert {"the", "she", "with"} <= FUNCTION_WORDS and "will" not in FUNCTION_WORDS


def test_len_counts_what_it_matches() -> None:
    assert len(NameMatcher([])) == 0
    # anycase: amara, okafor; capitalised: hope; phrase: (amara, okafor)
    assert len(NameMatcher(["Amara Okafor", "Hope", "Al"])) == 4
