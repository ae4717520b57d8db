"""Find workspace members' names in message text, fast enough for 10,000 members.

No regex alternation of thousands of names: names and messages are both split into
*pieces* (maximal runs of letters and digits; ``_``, ``.``, ``-``, apostrophes, spaces and
everything else separate them), and pieces are looked up in sets and dicts. A message's
pieces are first intersected with the set of pieces a name can start with (for ASCII text
with ``bytes.translate`` and ``split``, at C speed); most messages stop there. Only the
pieces found are then located with ``str.find`` and extended into multi-piece names.

Rules, for a matcher built from a list of names (display names, real names, handles):

1. **Names become pieces.** A name is NFC-normalised, asides in brackets are dropped
   ("Amara Okafor (she/her)" -> "Amara Okafor"), and it is split into lower-cased pieces:
   "Amara Okafor" -> ``amara okafor``, "amara.o" -> ``amara o``, "Jean-Luc" -> ``jean luc``.
2. **Multi-piece names** match as a whole, case-insensitively, longest first, where the
   message's pieces are separated by whitespace of any kind and length, or by a single
   ``.``, ``-``, ``_``, ``'`` or ``’`` (with optional whitespace around it): "amara  okafor",
   "Amara\\tOkafor", "amara.o", "Jean-Luc", "J. Doe". The whole name becomes one placeholder.
3. **Every piece of a name is a name alone** (first names, last names, the parts of a
   handle: "thanks Okafor", "ping amara"), with three exceptions:

   - pieces of one or two characters ("J", "Al", "Li") and pieces of digits only are never
     matched alone, only inside a multi-piece name: as initials they would hit everywhere;
   - English function words (:data:`FUNCTION_WORDS`: "the", "she", "with", ...) are never
     matched alone: they reach names through handles ("the.boss") and pronoun suffixes;
   - common English words (:func:`common_words`: VADER's lexicon plus the hand-written list
     below: "will", "may", "mark", "hope", "grace", "ship", ...) match alone only when written
     with an initial capital. "Will you review?" loses its "Will" (over-redaction, accepted),
     but "will" and "hope" in ordinary text survive and keep their sentiment.

4. **Possessives and punctuation** need no special case: "Amara's" is the pieces ``amara``
   and ``s``, so it becomes "<person>'s"; "@amara," becomes "@<person>,".
5. **Placeholders are left alone**: a piece written as ``<piece>`` (such as ``<person>`` or
   ``<url>``) is never matched.

Known limits: names written without spaces inside longer words ("AmaraOkafor", or CJK
names inside unsegmented text) are not found; a name that is a common word is missed when
written in lower case ("thanks mark").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from typing import Final, Iterable

__all__ = ["FUNCTION_WORDS", "NameMatcher", "common_words", "name_pieces"]

_PIECE: Final = re.compile(r"[^\W_]+")
_NEXT_PIECE: Final = re.compile(r"([\W_]*)([^\W_]+)")  # the gap to the next piece, the piece
#: ``bytes.translate`` table for ASCII text: every byte but a letter or digit becomes a space.
_SEPARATE: Final = bytes(b if chr(b).isascii() and chr(b).isalnum() else 32 for b in range(256))
_ASIDE: Final = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: What may separate two pieces of a multi-piece name in a message (after stripping spaces).
_JOINERS: Final = frozenset(("", ".", "-", "_", "'", "’"))
_MIN_ALONE: Final = 3

#: Articles, pronouns, prepositions, conjunctions, auxiliaries: never a name on their own.
#: Words that are also first names ("Will", "May", "Can", "Per", "Even", "Else", "Till")
#: are not here but in the common words, so they still match with an initial capital.
FUNCTION_WORDS: Final = frozenset("""
    about above across after against along also although among and another any anyone
    anything are around because been before behind being below beside besides between both
    but could did does doing done down during each either ever every everyone everything few
    for from had has have having her here hers herself him himself his how however into its
    itself just many might more most much must myself neither nor not now off once only onto
    other others our ours ourselves out over own same she should since some someone something
    such than that the their theirs them themselves then there these they this those though
    through thus too toward towards under unless until upon very was were what whatever when
    whenever where whether which while who whoever whom whose why with within without would
    yet you your yours yourself yourselves
""".split())

#: Common English words that are also names or handles, and everyday work-chat vocabulary.
#: Together with VADER's lexicon they form :func:`common_words`.
_COMMON_WORDS: Final = """
    will may can per even else till mark bill hope joy grace max frank chase june april august
    summer autumn winter spring dawn rose amber ruby crystal faith charity patience honor
    honour rich drew rob pat sue don jack nick ray dean earl lane wade cliff dale glen miles
    norm page reed rod rusty sandy misty candy honey penny cash sunny star sky river storm
    rain brook ocean forest bear wolf fox robin jay wren lark dove swan art guy gene angel young
    white brown green black grey gray long little hill wood stone king price hall ward bell
    banks burns cook rice lamb hunt hunter mason baker walker sharp strong swift sweet gold
    golden silver love best frost snow field fields street wall bush rivers waters day knight
    bishop major ship build builds deploy deploys release review reviews merge test tests
    testing fix fixed bug bugs issue issues ticket tickets sprint standup retro demo design
    product team teams meeting meetings call calls sync lunch coffee office remote today
    tomorrow yesterday morning afternoon evening night week weekend monday tuesday wednesday
    thursday friday saturday sunday month year quarter time work job task tasks project plan
    update status thanks thank please sorry hello hey welcome great good nice cool awesome
    okay yes yeah yep nope sure right left back next last first new old big small late early
    soon later still again maybe all folks people data code server client api app docs doc
    link file files folder repo branch main master prod staging dev ops admin support sales
    marketing finance legal get got make made take took going come see look know think want
    need like feel say said tell ask try use find give keep let put run set show start stop
    turn wait check read write send share join leave move open close change learn play watch
    win lose pay buy sell meet way thing things days life world hand part place case point
    home school house room car city water story fact word words line lines end side head face
    eye eyes money food power war music book game body mind heart friend family group kind
    sort lot bit person channel usergroup email phone url number
"""


@functools.cache
def common_words() -> frozenset[str]:
    """Lower-cased common English words: VADER's lexicon words plus a hand-written list."""
    lexicon = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
    entries = (line.split("\t", 1)[0] for line in lexicon.read_text(encoding="utf-8").splitlines())
    return frozenset(w.lower() for w in entries if w.isalpha()) | frozenset(_COMMON_WORDS.split())


def _lower(text: str) -> str:
    """``text.lower()``, keeping any character whose lower case is longer (so offsets hold)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def name_pieces(name: str) -> tuple[str, ...]:
    """The lower-cased pieces of a name, as the matcher sees them (rule 1)."""
    return tuple(_PIECE.findall(_lower(unicodedata.normalize("NFC", _ASIDE.sub(" ", name)))))


class NameMatcher:
    """Replaces members' names in text; immutable once built, so safe to share between threads."""

    __slots__ = ("_anycase", "_capitalised", "_phrases", "_phrase_len", "_first", "_first_ascii")

    def __init__(self, names: Iterable[str]) -> None:
        common = common_words()
        anycase: set[str] = set()
        capitalised: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        phrase_len: dict[str, int] = {}
        for name in names:
            pieces = name_pieces(name)
            if len(pieces) > 1:
                phrases.add(pieces)
                phrase_len[pieces[0]] = max(phrase_len.get(pieces[0], 0), len(pieces))
            for piece in pieces:
                if len(piece) < _MIN_ALONE or piece.isdigit() or piece in FUNCTION_WORDS:
                    continue
                (capitalised if piece in common else anycase).add(piece)
        self._anycase = frozenset(anycase)
        self._capitalised = frozenset(capitalised)
        self._phrases = frozenset(phrases)
        self._phrase_len = phrase_len
        #: Every piece a match can start with: a cheap test that most messages fail.
        self._first = self._anycase | self._capitalised | frozenset(phrase_len)
        self._first_ascii = frozenset(key.encode() for key in self._first if key.isascii())

    def __len__(self) -> int:
        """How many distinct single pieces and multi-piece names the matcher knows."""
        return len(self._anycase) + len(self._capitalised) + len(self._phrases)

    def replace(self, text: str, placeholder: str) -> str:
        """``text`` with every member name replaced by ``placeholder``; the rest verbatim."""
        lowered = _lower(text)
        if lowered.isascii():  # the common case, at C speed: bytes.translate and split
            found = self._first_ascii.intersection(lowered.encode().translate(_SEPARATE).split())
            keys = [key.decode() for key in found]
        else:
            keys = list(self._first.intersection(_PIECE.findall(lowered)))
        if not keys:
            return text
        spans: list[tuple[int, int]] = []  # (start, -end) of every name found
        for key in keys:
            start = lowered.find(key)
            while start != -1:
                end = start + len(key)
                whole_piece = not (
                    lowered[start - 1 : start].isalnum() or lowered[end : end + 1].isalnum()
                )
                placeholder_word = text[start - 1 : start] == "<" and text[end : end + 1] == ">"
                if whole_piece and not placeholder_word:
                    end = self._match_end(text, lowered, start, key)
                    if end:
                        spans.append((start, -end))
                start = lowered.find(key, start + 1)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        done = 0  # text[:done] is already in out
        for start, negative_end in spans:  # leftmost first, then longest
            if start >= done:
                out += (text[done:start], placeholder)
                done = -negative_end
        out.append(text[done:])
        return "".join(out)

    def _match_end(self, text: str, lowered: str, start: int, key: str) -> int:
        """Where the longest name starting with piece ``key`` at ``start`` ends (0: none)."""
        end = start + len(key)
        longest = self._phrase_len.get(key, 0)
        if longest:
            pieces, ends = [key], [end]
            while len(pieces) < longest:
                following = _NEXT_PIECE.match(lowered, ends[-1])
                if following is None or following.group(1).strip() not in _JOINERS:
                    break
                pieces.append(following.group(2))
                ends.append(following.end())
            for width in range(len(pieces), 1, -1):
                if tuple(pieces[:width]) in self._phrases:
                    return ends[width - 1]
        if key in self._anycase or (key in self._capitalised and text[start].isupper()):
            return end
        return 0
