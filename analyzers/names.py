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
     below: "will", "may", "mark", "hope", "grace", "park", "turner", ...) match alone only
     where their case or the words around them mark them as a name, so "will" and "hope" in
     ordinary text ("Will do", "hope this helps", "let's park that") survive and keep their
     sentiment:

     a. ``@`` right before, written without the platform's markup: "@grace";
     b. a possessive ``'s`` after: "will's review", but not after an article or a possessive
        ("the bill's paid"), nor where ``'s`` stands for "is" or "has", that is before "not",
        "been", "just", a determiner, ... ("hope's not a plan");
     c. a cue word right before, with only spaces between: a greeting, thanks or reply ("hey",
        "hi", "morning", "thanks", "thank you", "thx", "ty", "cheers", "sorry", "no worries",
        "lgtm", "np", ...), a verb that takes a person ("ping", "ask", "tell", "dm", "remind",
        ...), or "cc" ("cc:"); not where a determiner comes right before the cue ("the ping
        will fail"), and only if what follows fits a name. After a greeting: punctuation,
        "and"/"or", a preposition, "please", a time or wh-word, a finite verb ("hey grace are
        you ...", "hi grace do you ..."), or another word unless the candidate is a modal
        ("will", "may", "can"): so not "thanks will do", "hey will you be around?", "thanks
        hope it helps", "hey mark your calendars". After a verb: the same but no other word
        ("ask frank questions"), and also a determiner ("tell will the build is green") or a
        subject after a candidate that is no modal ("tell grace you're up"). After cc: as after
        a greeting but a finite verb only after a candidate that is no modal, and no other
        word unless names separated by spaces run to the end of the clause ("cc will hope");
        not "cc may be needed", "cc grace period doc";
     d. a greeting with up to three fillers between ("thanks a lot will", "thank you so much
        grace", "hey there mark", "hi again june", "welcome back will", "big thanks to joy":
        "to" after thanks only), followed by punctuation, "and"/"or", a preposition, "please",
        a time or wh-word: not "thanks again hope it works", "thanks a lot will do", "welcome
        to june";
     e. an interjection that starts its clause ("ok", "okay", "yes", "yeah", "yep", "sure",
        "right", "cool", "great") right before, and a comma after ("ok grace, merging now"),
        or, for a candidate that is no modal, the end or "thanks" ("sure june", "ok frank
        thanks"; not "sure will", "ok will do");
     f. a weak cc cue right before: "adding", "fyi", "looping in", or "+" at the start of a
        line; followed by the end of the clause, ":", "and"/"or" and a name ("looping in may
        and Priya", not "adding june and july"), "for", "please", "here", ... ("adding grace
        for visibility", not "adding june to the roadmap"), or names separated by spaces;
     g. the start of a line, followed by ":" ("grace: done"), by "," ("will, can you ...")
        unless a list follows whose items are not all names ("june, july or august?"), or by
        "and"/"or" and another such word that a finite verb follows ("mark and grace are
        out");
     h. after a comma and at the end of a clause (before ``.``, ``!``, ``?``, an emoji or the
        end): "can you look, will?", but not "it will, eventually" nor a list ("april, may,
        june.");
     i. joined by ",", "and", "or", "&", "+" or "/" to a name found by any rule, or to the
        placeholder: "cc Priya, grace and will", "<person> and will are out", "will & Priya".
        After the joiner the word must not be followed by a subject or determiner, nor a
        modal by a word ("Priya and will look into it"), and after a bare comma only by
        punctuation or another joiner ("Priya, grace period ends ..." keeps "grace"); before
        the joiner, the word must start its clause or follow "both"/"either"/"neither"
        ("both drew and Priya approved"; not "latency rose and Priya paged me");
     j. in a cc list (after a cue of c or f), separated by spaces only from the name before
        it, with only names after it up to the end of the clause: "cc Priya drew", "cc june
        @rmartin rose", "+ Priya bill" (at most eight names in a row).
     k. at the end of a clause that a short phrase of praise, agreement, apology, hand-over or
        thanks starts (:data:`_PHRASES`, at most four words: "good call", "nice one", "well
        said", "spot on", "you're right", "agreed", "same here", "my bad", "over to you", "all
        yours", "cheers for that", "you rock", ...; or thanks "for" a determiner and one or two
        words: "thanks for the review"), with only spaces or a comma between: "good call mark",
        "you're right drew", "nice one june!", "over to you rose, thanks", "thanks for the
        review may". The name must be followed by the end of the clause, a comma, or, for a
        candidate that is no modal, "thanks"/"thx"/"ty"/"too" ("my bad frank too"; not "ok will
        thanks"); a list only after "thank you both"/"thanks both" ("thank you both, max and
        mark"). Not "good call will do", "my bad, mark it resolved", "same here, costs rose".

     l. written with an initial capital inside a sentence ("thanks to Will", "talked to Grace
        yesterday"), unless it is a month's ("in May", "by June", "June 30", "May or June"),
        after a determiner ("the Grace period") or after a capitalised word that is no name
        ("Central Park"); or at the start of a sentence before ",", ":", "-", "'s", the end,
        "and" and a name, or a finite verb ("Grace is out"; not a month: "May is busy"). Any
        other capital at the start of a sentence says nothing, and rules a–k decide as for lower
        case: "Hope this helps", "Will do", "Mark as resolved" keep their words.

     The cues are English closed-class words. These checks read only the few words around a
     candidate, and only for candidates (pieces that the prefilter found).

4. **Possessives and punctuation** need no special case: "Amara's" is the pieces ``amara``
   and ``s``, so it becomes "<person>'s"; "@amara," becomes "@<person>,".
5. **Placeholders are left alone**: a piece written as ``<piece>`` (such as ``<person>`` or
   ``<url>``) is never matched.
6. **Recall first, for text a person reads** (``replace(..., recall_first=True)``: what
   reviewers see). Everything rules 1–5 find goes, and a common word that is a member's name
   goes too unless its context marks it as the word: a modal before a word or after a
   subject ("will do", "I will", "may I"); after a determiner or a number ("the penny
   dropped", "200 miles"); a month or time of day as a date ("in April", "at dawn"); a verb
   (:data:`_VERBS`) after a subject ("we hope") or before its object or particle, starting its
   clause or after "to", "pls", a modal, ... ("mark this as done", "let's park that", "max
   out"); part of a longer proper noun ("Robin Hood"). So "dawn fixed the build" and "talked
   to ray" lose the name, which rules 1–5 keep (no cue), and ordinary uses that fit none of
   these go too ("my python is a bit <person>"): the price of recall, paid only where a
   person reads; the classifier reads text made by rules 1–5.

Known limits: names written without spaces inside longer words ("AmaraOkafor", or CJK
names inside unsegmented text) are not found. A name that is a common word, written in lower
case or in capitals with no cue of rule 3 around it, is missed ("talked to will", "mark fixed
it", "adding may to the thread", "ok will thanks"; after a phrase not in rule 3 k's list,
or not at the start of its clause: "all yours now drew", "haha nice one june"); and a few
ordinary uses fit a cue and are removed ("max: 10" at the start of a line; "may and june are
out" reads as two people; "ok will, thanks", "all good will" as vocatives; "Hope is not a
plan" as a name before a verb). A capitalised name at the start of a sentence before any
other word is missed ("Frank fixed it", "Drew said so"); rule 6 finds most of these. Figures:
``benchmarks/name_recall.py`` and ``benchmarks/name_recall_blind.py``.
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
_MAX_CC_RUN: Final = 8  # names separated by spaces only, after "cc" ("cc will hope grace")

#: Articles, pronouns, prepositions, conjunctions, auxiliaries: never a name on their own.
#: Words that are also first names ("Will", "May", "Can", "Per", "Even", "Else", "Till")
#: are not here but in the common words, so they still match where rule 3 marks them.
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
    park turner cooper miller smith fisher carter porter potter butler mills marsh moss bond
    cross booth barber glass short north south west east church bridge ford brooks pond lake
    summers winters chambers judge law light english french gardener shepherd farmer weaver
    carpenter painter woods bird crane hawk finch sparrow bull castle tower rock flint steel
    iron sterling lord prince duke baron monk bacon holly ivy lily iris daisy heather olive
    hazel pearl jade ginger violet poppy sage basil willow cherry berry melody destiny bob
    rocky brandy stormy eve lance pierce gale carol van ken dot chip ace kit mat archer
    chandler sawyer
"""


# Context (rule 3): closed-class English words that tell a name written as a common word in
# lower case or capitals ("thanks will") from the word itself ("thanks, will do"). Only the few words around
# a candidate are read, and only for candidates, so ordinary text pays almost nothing.

#: Before a name: greetings, thanks and replies ("hey will", "lgtm grace"), verbs that take a
#: person ("ping will"), and cc ("cc will", "cc: will").
_GREETINGS: Final = frozenset("""
    hey hi hello heya hiya yo morning gm evening afternoon night thanks thank thx ty tysm
    cheers bye congrats welcome sorry lgtm np
""".split())
#: Greetings of two words, by their second word: "thank you will", "no worries grace".
_SECOND_WORDS: Final = {"you": "thank", "u": "thank", "worries": "no"}
_PERSON_VERBS: Final = frozenset("ping ask tell dm pm remind nudge poke".split())
_CC: Final = frozenset(("cc", "bcc"))
#: Between a greeting and a name: intensifiers and fillers ("thanks a lot will", "thank you so
#: much grace", "hey there mark", "hi again june").
_FILLERS: Final = frozenset("""
    a lot so much very ton tons bunch heaps loads whole again all there both back aboard to
""".split())
_THANKS: Final = frozenset(("thanks", "thx", "ty"))  # "big thanks to will", "ok grace thanks"
#: At the start of a clause, before a name and a comma: "ok grace, merging now".
_INTERJECTIONS: Final = frozenset("ok okay yes yeah yep yup sure right cool great".split())
#: Weaker than cc: "adding grace", "fyi mark", "looping in will" (and "+ will" at a line's start).
_ADDING: Final = frozenset(("adding", "fyi"))
_LOOPING: Final = frozenset(("looping", "loop", "looped"))
#: The words that may follow a name after such a weak cue ("adding grace for visibility"; not
#: "adding june to the roadmap").
_ADDING_FOLLOW: Final = frozenset("for here please pls plz re too thanks thx ty fyi".split())
_CUES: Final = _GREETINGS | _PERSON_VERBS | _CC | _SECOND_WORDS.keys()
_CONTEXT: Final = _CUES | _FILLERS | _INTERJECTIONS | _ADDING | {"in"}
#: Short phrases of praise, agreement, apology, hand-over or thanks that start a clause and
#: may end with a name (rule 3 k: "good call mark", "over to you rose", "you're right drew"),
#: as pieces ("you're" is ``you re``). At most four words; "thank you both" takes a list.
_PHRASES: Final = frozenset(tuple(phrase.split()) for phrase in """
    good call|good catch|nice catch|good point|fair point|great point|good idea|great idea
    good stuff|great stuff|nice one|good one|nice work|great work|good work|great job|good job
    nice job|well done|well said|well played|spot on|you re right|you are right|so true|true that
    exactly|agreed|totally agree|i agree|same here|me too|makes sense|fair enough|sounds good
    all good|got it|my bad|my mistake|sorry about that|over to you|back to you|all yours|your turn
    cheers for that|thanks for that|thank you for that|thanks for this|thank you both|thanks both
    you rock|you re the best|you re a star|you re a legend|nice|perfect|noted|legend
""".replace("\n", "|").split("|") if phrase.strip())
_PHRASE_LAST: Final = frozenset(phrase[-1] for phrase in _PHRASES)
_MAX_PHRASE: Final = 6  # pieces back from a name: "thank you for the quick review grace"
#: "thanks for the review june": thanks, "for", one of these, then one or two words.
_THANKS_FOR: Final = frozenset(("the", "your", "all", "that", "this"))
_THANKS_HEADS: Final = frozenset((("thanks",), ("thank", "you"), ("thank", "u"), ("thx",), ("ty",), ("cheers",)))
#: What may follow a name after such a phrase, besides the end of the clause and a comma.
_PHRASE_FOLLOW: Final = frozenset(("thanks", "thx", "ty", "too"))
#: Months, and the words before one that make it a date: "in May", "by June", "last April".
_MONTHS: Final = frozenset("""
    january february march april may june july august september october november december
""".split())
_WHEN: Final = frozenset("""
    in by since until till from to during early mid late last next this that of before after
    through due end around until
""".split())
_LAST_NEXT: Final = frozenset("last next early late mid".split())
_TIMES_OF_DAY: Final = frozenset("dawn dusk noon midnight summer autumn winter spring".split())
#: Rule 6 (recall first): words before a modal used as one ("it will", "who may"), before a
#: number's unit ("a few miles"), before a verb used as one ("to chase", "pls mark"), and
#: after it (its object or particle: "mark this", "max out").
_MODAL_AFTER: Final = frozenset("it who which what that this there and or but so also still".split())
_NUMBER_BEFORE: Final = frozenset("few several many couple dozen hundred thousand".split())
_VERB_BEFORE: Final = frozenset("""
    to pls please lets let s ll will would can could should must might gonna wanna gotta don
    didn doesn just also then
""".split())
_OBJECTS: Final = frozenset("""
    it this that these those them him her me us you u ya we so as yourself everyone everybody
    all both one
""".split())
#: Names that are also English verbs, the only ones rule 6 reads as a verb ("mark this").
_VERBS: Final = frozenset("""
    mark hope park chase bill max drew jack pat rob sue wade grant cook bob rush lance pierce
    rose page price chip hunt bank banks star bear ace cash frost storm wolf crane dot kit love
    trust dawn rob walk ship
""".split())
_PARTICLES: Final = frozenset("up out off down back over away".split())
#: What ends a sentence, so that a capital after it says nothing (rule 3 l).
_SENTENCE_ENDS: Final = frozenset(".!?:;(\"'*_>")
#: Before a list of two that starts no clause: "both drew and Priya approved".
_BOTH: Final = frozenset(("both", "either", "neither"))
_CLAUSE_ENDS: Final = frozenset(",.!?;:(")
#: Modal verbs that are also names: "will do", "will you", "may I" are not names.
_MODALS: Final = frozenset(("will", "may", "can", "shall"))
#: Words that follow a name and rarely a common word: prepositions, "please", time, wh-words.
_FOLLOW: Final = frozenset("""
    about for to re please pls plz if when once on in at from with as too again here now
    today tomorrow tonight later asap thanks thx ty fyi how what where why who which whether
""".split())
#: Finite verbs: they may follow a name ("hey grace are you ...", "mark and grace are out"),
#: never a modal ("will are"). "do" and "have" count when a subject follows ("grace do you").
_FINITE: Final = frozenset("""
    am is are was were can could would should will shall may might must does did has had
    isn aren wasn weren won don doesn didn hasn haven hadn couldn wouldn shouldn cant wont
""".split())
_DO_HAVE: Final = frozenset(("do", "have"))
_ASKED: Final = frozenset(("you", "u", "ya", "we", "they"))
_DETERMINERS: Final = frozenset("""
    the a an my your our their his her its this that these those some any no every each all
""".split())
_SUBJECTS: Final = frozenset("""
    i you u ya yall we they he she it this that these those there someone anyone everyone
    somebody anybody everybody nobody
""".split())
#: Before a word's own possessive: "the bill's paid", "our bill's due".
_NOT_BEFORE_POSSESSIVE: Final = frozenset("the a an my your our their his her its every each no whose".split())
#: After "'s" meaning "is" or "has", not a possessive: "hope's not a plan", "may's been busy".
_AFTER_IS: Final = frozenset("not been got gone going gonna just still also already probably never always".split())
#: What joins names in a list, on one line: "mark, grace and will", "mark & grace", "mark or grace".
_JOINED: Final = re.compile(r"[^\S\n]*(?:,[^\S\n]*(?:(?:and|or)[^\S\n]+)?|[&+/][^\S\n]*|(?:and|or)[^\S\n]+)")
#: One more item of a list, on the same line: ", july", " or august", " & grace".
_LIST_ITEM: Final = re.compile(r"(?:" + _JOINED.pattern + r")([^\W_]+)")
#: What follows a candidate (:func:`_after`), from the most name-like to the least; the
#: rules accept a prefix of this order, plus :data:`_WORD` for a candidate that is no modal.
_END, _COMMA, _COLON, _AND, _POSSESSIVE, _FOLLOWER, _VERB, _DETERMINER, _SUBJECT, _WORD = range(10)


def _before(lowered: str, start: int) -> tuple[str, str]:
    """The characters between the piece before ``start`` and ``start``, and that piece."""
    gap_start = start
    while gap_start and not lowered[gap_start - 1].isalnum():
        gap_start -= 1
    word_start = gap_start
    while word_start and lowered[word_start - 1].isalnum():
        word_start -= 1
    return lowered[gap_start:start], lowered[word_start:gap_start]


def _after(lowered: str, end: int) -> tuple[int, str]:
    """What follows the piece that ends at ``end``: its kind and, if a word, the word."""
    following = _NEXT_PIECE.match(lowered, end)
    raw, word = following.groups() if following else (lowered[end:], "")
    gap = raw.strip()
    if "\n" in raw or (not gap and not word):
        return _END, ""
    if gap:
        first = gap[0]
        if first == ",":
            return _COMMA, ""
        if first == ":":
            return _COLON, ""
        if first in "&+/":
            return _AND, ""
        if word == "s" and gap in ("'", "’"):
            return _POSSESSIVE, ""
        return _END, ""
    if word in ("and", "or"):
        return _AND, word
    if word in _FOLLOW:
        return _FOLLOWER, word
    if word in _FINITE:
        return _VERB, word
    if word in _DO_HAVE and following and _after(lowered, following.end())[1] in _ASKED:
        return _VERB, word
    if word in _DETERMINERS:
        return _DETERMINER, word
    if word in _SUBJECTS:
        return _SUBJECT, word
    return _WORD, word


def _starts_line(gap: str, word: str) -> bool:
    """Whether a piece after ``gap`` and ``word`` (as :func:`_before` gives them) starts a line."""
    return (not word or "\n" in gap) and not gap.rpartition("\n")[2].strip()


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

    def replace(self, text: str, placeholder: str, *, recall_first: bool = False) -> str:
        """``text`` with every member name replaced by ``placeholder``; the rest verbatim.

        ``recall_first`` is for text a person will read (rule 6): a common word that is a
        member's name goes unless its context marks it as the word (:meth:`_ordinary`), where
        by default it stays unless its case or context marks it as a name (rule 3)."""
        lowered = _lower(text)
        if lowered.isascii():  # the common case, at C speed: bytes.translate and split
            found = self._first_ascii.intersection(lowered.encode().translate(_SEPARATE).split())
            keys = [key.decode() for key in found]
        else:
            keys = list(self._first.intersection(_PIECE.findall(lowered)))
        if not keys:
            return text
        spans: list[tuple[int, int]] = []  # (start, -end) of every name found
        candidates: list[tuple[int, int]] = []  # (start, end): common words, in any case
        for key in keys:
            start = lowered.find(key)
            while start != -1:
                end = start + len(key)
                whole_piece = not (
                    lowered[start - 1 : start].isalnum() or lowered[end : end + 1].isalnum()
                )
                placeholder_word = text[start - 1 : start] == "<" and text[end : end + 1] == ">"
                if whole_piece and not placeholder_word:
                    name_end = self._match_end(text, lowered, start, key)
                    if name_end:
                        spans.append((start, -name_end))
                    elif key in self._capitalised:
                        candidates.append((start, end))
                start = lowered.find(key, start + 1)
        if candidates:
            named = self._named_by_context(text, lowered, candidates, spans, placeholder)
            if recall_first:
                marked = set(named)
                named += [(start, end) for start, end in candidates
                          if (start, end) not in marked and not self._ordinary(text, lowered, start, end)]
            spans += [(start, -end) for start, end in named]
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

    def _named_by_context(
        self, text: str, lowered: str, candidates: list[tuple[int, int]],
        spans: list[tuple[int, int]], placeholder: str,
    ) -> list[tuple[int, int]]:
        """Which ``candidates`` (``(start, end)`` of common words, in any case) their case or
        context marks as names (rule 3). ``spans`` holds ``(start, -end)`` of the
        names already found; ``placeholder`` in ``text`` stands for a name too."""
        named: list[tuple[int, int]] = []
        undecided: list[tuple[int, int]] = []
        for start, end in candidates:
            title = text[start].isupper() and not text[start + 1 : end].isupper()
            marked = (title and self._title_marked(text, lowered, start, end)) or (
                self._marked(lowered, start, end, candidates)
            )
            (named if marked else undecided).append((start, end))
        if not undecided or not (spans or named or placeholder in text):
            return named
        undecided.sort()
        # Lists: a candidate joined to a name ("cc Priya, grace and will", "<person> or will").
        # Where each name's first piece begins and its last piece ends -> where the name does;
        # where each name ends -> where it begins; the ends of names in a cc list.
        begins: dict[int, int] = {}
        ends: dict[int, int] = {}
        starts: dict[int, int] = {}
        in_cc: set[int] = set()
        for start, end in [(start, -negative) for start, negative in spans] + named:
            begins[start], ends[end], starts[end] = start, end, min(start, starts.get(end, start))
        inner = placeholder.strip("<>[]{}()")
        if inner and placeholder in text:
            head = placeholder.index(inner)
            at = text.find(placeholder)
            while at != -1:
                begins[at + head], ends[at + head + len(inner)] = at, at + len(placeholder)
                starts[at + len(placeholder)] = at
                at = text.find(placeholder, at + len(placeholder))
        # Left to right, each name found can mark the next; then right to left.
        for after_name in (True, False):
            still: list[tuple[int, int]] = []
            for start, end in undecided if after_name else reversed(undecided):
                if _joined(lowered, start, end, begins, ends, after_name) or (
                    after_name and self._cc_listed(lowered, start, end, starts, in_cc)
                ):
                    named.append((start, end))
                    begins[start], ends[end], starts[end] = start, end, start
                else:
                    still.append((start, end))
            undecided = still  # (the second pass's order no longer matters)
        return named

    def _marked(self, lowered: str, start: int, end: int, candidates: list[tuple[int, int]]) -> bool:
        """Whether the words right around the common word at ``start:end`` mark it as a name."""
        character = lowered[start - 1 : start]
        if character == "@":  # "@will", written without the platform's markup
            return True
        gap, word = " ", ""
        if character == " " and lowered[start - 2 : start - 1].isalnum():  # the usual case, in C
            word = lowered[lowered.rfind(" ", 0, start - 1) + 1 : start - 1]
        if not word.isalnum():
            gap, word = _before(lowered, start)
        if (
            lowered[end : end + 1] in ("'", "’") and lowered[end + 1 : end + 2] == "s"
            and not lowered[end + 2 : end + 3].isalnum()
        ):  # "will's review", not "the bill's paid" nor "hope's not a plan"
            kind, following = _after(lowered, end + 2)
            month = lowered[start:end] in _MONTHS and word in _LAST_NEXT  # "last may's release"
            return not (
                word in _NOT_BEFORE_POSSESSIVE or month or kind == _DETERMINER or following in _AFTER_IS
            )
        if (word in _PHRASE_LAST or "for" in lowered[max(0, start - 40) : start]) and (
            gap.strip(" \t") in ("", ",") and self._after_phrase(lowered, start, end, gap, word)
        ):
            return True  # "good call mark", "you're right drew", "thanks for that june!"
        if gap == " " and word not in _CONTEXT:  # "I will", "the grace period": most candidates
            return False
        between = gap.strip()
        if word in _CONTEXT and ((not between and "\n" not in gap) or (between == ":" and word in _CC)):
            cue_start = start - len(gap) - len(word)
            before_gap, before = _before(lowered, cue_start)
            # Back over fillers to the greeting: "thanks a lot will", "thank you so much grace".
            fillers, to = 0, word == "to"
            while word in _FILLERS and fillers < 3 and before and not before_gap.strip(" \t"):
                word, cue_start, fillers = before, cue_start - len(before_gap) - len(before), fillers + 1
                before_gap, before = _before(lowered, cue_start)
            kind, following = _after(lowered, end)
            modal = lowered[start:end] in _MODALS
            pair = _SECOND_WORDS.get(word) == before  # "thank you", "no worries"
            if before in _DETERMINERS and not pair and not before_gap.strip():  # "the ping will fail"
                return False
            greeting = word in _GREETINGS or (pair and not before_gap.strip())
            if fillers:  # "thanks a lot hope", "hey there grace, ..."; not "thanks again hope it works"
                return greeting and kind <= _FOLLOWER and (not to or word in _THANKS)  # not "welcome to june"
            if greeting:
                # "hey will, ...", "thanks will!", "hi grace are you ...", "thanks drew great
                # work"; not "hey will you be ...", "thanks will do", "thanks hope it helps"
                return kind <= _VERB or (kind == _WORD and not modal)
            if word in _PERSON_VERBS:  # "ask will", "tell will the ...", not "ask frank questions"
                return kind <= _DETERMINER or (kind == _SUBJECT and not modal)
            if word in _CC:  # "cc will", "cc will hope"; not "cc may be needed", "cc grace period doc"
                return kind <= _FOLLOWER or (kind == _VERB and not modal) or (
                    self._names_to_clause_end(lowered, end)
                )
            if word in _INTERJECTIONS:  # "ok grace, merging now", "sure june"; not "sure will"
                starts = not before or "\n" in before_gap or before_gap.strip()[-1:] in _CLAUSE_ENDS
                return starts and (kind == _COMMA or (
                    not modal and (kind == _END or (kind == _FOLLOWER and following in _THANKS))
                ))
            if word in _ADDING or (word == "in" and before in _LOOPING):
                return self._adding_follow(lowered, end, kind, following)
            return False
        if between == "+" and _starts_line(gap.replace("+", " "), word):  # "+ will", "+mark for it"
            return self._adding_follow(lowered, end, *_after(lowered, end))
        if _starts_line(gap, word):
            kind, _ = _after(lowered, end)
            if kind == _COLON:  # "grace: done"
                return True
            if kind == _COMMA:  # "will, can you ...", "will, grace and mark: ...", not "june, july or august?"
                items, at = 0, end
                while (item := _LIST_ITEM.match(lowered, at)) is not None:
                    items, at = items + 1, item.end()
                    if item.group(1) not in self._first:  # a list of words, or a clause
                        return items == 1 and _LIST_ITEM.match(lowered, at) is None
                return True
            if kind == _AND:  # "mark and grace are out": a list that is a verb's subject
                joined = _JOINED.match(lowered, end)
                if joined is None or all(other != joined.end() for other, _ in candidates):
                    return False
                other = _NEXT_PIECE.match(lowered, joined.end())
                return other is not None and _after(lowered, other.end())[0] == _VERB
            return False
        if between == ",":  # "can you look, will?", not "it will, eventually", "april, may, june."
            before_gap, _ = _before(lowered, start - len(gap) - len(word))
            return before_gap.strip() != "," and _after(lowered, end)[0] == _END
        return False

    def _title_marked(self, text: str, lowered: str, start: int, end: int) -> bool:
        """Whether the common word at ``start:end``, written with an initial capital, is a name
        by its capital (rule 3 l): inside a sentence ("thanks Will", "ask Grace about it"),
        unless a month's ("in May", "June 30", "May or June"), after a determiner ("the Grace
        period") or after a capitalised word that is no name ("Central Park"); at the start of a
        sentence, only before ",", ":", "-", the end, "'s" or a finite verb ("Grace is out"; not
        a month: "May is busy"), otherwise as in lower case ("Hope this helps", "Will do")."""
        gap, word = _before(lowered, start)
        kind, following = _after(lowered, end)
        piece = lowered[start:end]
        month = piece in _MONTHS
        between = gap.strip()
        opens = _starts_line(gap, word) or (
            between[-1:] in _SENTENCE_ENDS or (between and not between[-1].isascii())
        )
        if opens:  # "Grace, ...", "Grace: done", "Grace - see above", "Grace is out", "Mark and Grace"
            if kind == _AND:
                item = _LIST_ITEM.match(lowered, end)
                return item is not None and item.group(1) in self._first
            return kind <= _POSSESSIVE or (kind == _VERB and not month) or (
                kind == _END and lowered[end : end + 1] != "."
            )
        if _dated(lowered, start, end, gap, word, kind, following):
            return False  # "in May", "30 June", "June 30", "May 5th", "May or June"
        if word in _DETERMINERS and not between:
            return False  # "the Grace period", "a Frank talk"
        if self._in_proper_noun(text, lowered, start, end, gap, word):
            return False  # "Robin Hood", "Central Park", "Release Notes"
        return not (between == "," and piece in _MODALS and kind >= _DETERMINER)  # "thanks, Will do"

    def _ordinary(self, text: str, lowered: str, start: int, end: int) -> bool:
        """Whether the words around the common word at ``start:end`` mark it as the word, not
        a name (rule 6): a modal before a word or after a subject ("will do", "I will", "may
        I"); after a determiner or a number ("the penny dropped", "200 miles"); a month or a
        time of day as a date ("in April", "at dawn", "June 30"); a verb after a subject ("we
        hope", "i mark"), or starting its clause or after "to", "pls", a modal, ... and before
        its object ("mark this as done", "let's park that", "have to chase the vendor", "hope
        you're well"); part of a longer proper noun ("Robin Hood", "Central Park")."""
        gap, word = _before(lowered, start)
        kind, following = _after(lowered, end)
        piece = lowered[start:end]
        spaced = gap == " "
        if piece in _MODALS:
            return kind >= _VERB or (spaced and (word in _SUBJECTS or word in _MODAL_AFTER))
        if spaced and (word in _DETERMINERS or word in _NUMBER_BEFORE or word.isdigit()):
            return True
        if _dated(lowered, start, end, gap, word, kind, following):
            return True
        opens = _starts_line(gap, word) or gap.strip()[-1:] in _CLAUSE_ENDS
        if piece not in _VERBS:
            pass  # only a verb has a subject or an object: "rusty my sql is ..." is a name
        elif spaced and word in _SUBJECTS - {"this", "that", "these", "those", "there"}:
            return True  # "we hope", "i mark it"
        elif (opens or (spaced and word in _VERB_BEFORE)) and (
            following in _OBJECTS or kind == _DETERMINER or following in _PARTICLES
        ):
            return True  # "mark this as done", "let's park that", "hope you're well", "max out"
        title = text[start].isupper() and not text[start + 1 : end].isupper()
        return title and self._in_proper_noun(text, lowered, start, end, gap, word)  # "Robin Hood"

    def _in_proper_noun(self, text: str, lowered: str, start: int, end: int, gap: str, word: str) -> bool:
        """Whether the capitalised piece at ``start:end`` (after ``gap`` and ``word``, as
        :func:`_before` gives them) is part of a longer proper noun or a heading: a capitalised
        word that is no name follows it ("Robin Hood"), or precedes it inside a sentence
        ("Central Park"; not "Pinged Dawn", whose capital only starts the sentence)."""
        after = _NEXT_PIECE.match(text, end)
        if after is not None and after.group(1) == " " and after.group(2)[:1].isupper() and (
            not after.group(2).isupper() and after.group(2).lower() not in self._first
        ):
            return True
        word_start = start - len(gap) - len(word)
        if not word or gap.strip() or not text[word_start].isupper() or word in self._first or word in _CONTEXT:
            return False
        before_gap, before = _before(lowered, word_start)
        return not (_starts_line(before_gap, before) or before_gap.strip()[-1:] in _SENTENCE_ENDS)

    def _after_phrase(self, lowered: str, start: int, end: int, gap: str, word: str) -> bool:
        """Whether the common word at ``start:end`` (after ``gap`` and ``word``, as
        :func:`_before` gives them) ends a clause that a short phrase of praise, agreement,
        apology, hand-over or thanks starts (rule 3 k): "good call mark", "my bad frank,
        fixing", "nice one june!", "over to you rose thanks", "thanks for the review may".
        Not "good call will do", "my bad, mark it resolved", "same here, costs rose"."""
        if not word or "\n" in gap:
            return False
        kind, following = _after(lowered, end)
        modal = lowered[start:end] in _MODALS
        if kind == _AND:  # "thank you both, max and mark"; not "agreed, may and june are busy"
            item = _LIST_ITEM.match(lowered, end)
            if item is None or item.group(1) not in self._first:
                return False
        elif not (kind <= _COMMA or (kind == _FOLLOWER and following in _PHRASE_FOLLOW and not modal)):
            return False  # "good call will do", "spot on, max it out", "ok will thanks" (a modal)
        pieces, at = [word], start - len(gap) - len(word)
        for _ in range(_MAX_PHRASE):
            before_gap, before = _before(lowered, at)
            opens = not before or "\n" in before_gap or (
                before_gap.strip()[-1:] in _CLAUSE_ENDS or not before_gap.strip()[-1:].isascii()
            )  # the phrase starts its clause: a line, after ".", "!", ",", an emoji, ...
            if opens:
                phrase = tuple(reversed(pieces))
                if kind == _AND:
                    return phrase[-1] == "both" and phrase in _PHRASES
                return phrase in _PHRASES or _thanks_for(phrase)
            if before_gap not in (" ", "'", "’") or (word not in _PHRASE_LAST and len(pieces) > 3):
                return False
            pieces.append(before)
            at -= len(before_gap) + len(before)
        return False

    def _cc_listed(
        self, lowered: str, start: int, end: int, starts: dict[int, int], in_cc: set[int],
    ) -> bool:
        """Whether the common word at ``start:end`` ends a run of names separated by spaces
        (or "@") that starts right after "cc", and only names follow it to the end of the
        clause: "cc will hope", "cc Priya drew", "cc june @rmartin rose". ``starts`` maps where
        names end to where they begin; ``in_cc`` holds the ends of names so found, and this one
        is added to it."""
        at = start
        for _ in range(_MAX_CC_RUN):  # back over the names before it, to "cc"
            name_end = at
            while name_end and lowered[name_end - 1] in " @":
                name_end -= 1
            at = starts.get(name_end, -1) if name_end < at else -1
            if at < 0:
                return False
            if name_end in in_cc:
                break
            if _cc_cue(lowered, at):
                break
        else:
            return False
        if not self._names_to_clause_end(lowered, end):
            return False
        in_cc.add(end)
        return True

    def _adding_follow(self, lowered: str, end: int, kind: int, following: str) -> bool:
        """Whether what follows a candidate after a weak cue ("adding", "fyi", "looping in",
        "+") fits a name: the end of the clause, a list with a name next, or a few words."""
        if kind == _AND:  # "looping in may and Priya", not "adding june and july"
            item = _LIST_ITEM.match(lowered, end)
            return item is not None and item.group(1) in self._first
        if kind == _WORD:  # "+ june Priya"
            return following in self._first and self._names_to_clause_end(lowered, end)
        return kind <= _COLON or (kind == _FOLLOWER and following in _ADDING_FOLLOW)

    def _names_to_clause_end(self, lowered: str, end: int) -> bool:
        """Whether, after the piece ending at ``end``, only name pieces separated by spaces
        come before the end of the clause: "cc will hope", "cc will hope, grace"."""
        kind, following = _after(lowered, end)
        for _ in range(_MAX_CC_RUN):  # a bound, so that long runs of names take linear time
            if kind != _WORD or following not in self._first:
                break
            end = lowered.index(following, end) + len(following)
            kind, following = _after(lowered, end)
        # "cc will hope", "cc will hope, grace", "cc will hope for review"
        return kind <= _AND or (kind == _FOLLOWER and following in _ADDING_FOLLOW)

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
        return end if key in self._anycase else 0  # common words go through the context rules


def _dated(lowered: str, start: int, end: int, gap: str, word: str, kind: int, following: str) -> bool:
    """Whether the month or time of day at ``start:end`` (after ``gap`` and ``word``; followed
    by ``kind`` and ``following``, as :func:`_before` and :func:`_after` give them) is used as a
    date: "in May", "at dawn", "30 June", "June 30", "May 5th", "May or June", "April, May"."""
    piece = lowered[start:end]
    if piece not in _MONTHS and piece not in _TIMES_OF_DAY:
        return False
    if word in _WHEN or word == "at" or word.isdigit() or word in _MONTHS:
        return True
    if following.isdigit() or following in _MONTHS or _ordinal(lowered, end):
        return True
    if word in ("and", "or") and _before(lowered, start - len(gap) - len(word))[1] in _MONTHS:
        return True
    item = _LIST_ITEM.match(lowered, end) if kind == _AND else None
    return item is not None and item.group(1) in _MONTHS


def _ordinal(lowered: str, end: int) -> bool:
    """Whether a day of the month follows the piece ending at ``end``: "May 5th", "June 30"."""
    following = re.match(r"[^\S\n]+\d{1,2}(?:st|nd|rd|th)?\b", lowered[end:])
    return following is not None


def _thanks_for(phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` is thanks for something, in at most two words after a determiner:
    "thanks for the review", "thank you for your help", "cheers for that"; not "thanks for the
    love and", "thanks for"."""
    for head in _THANKS_HEADS:
        rest = phrase[len(head):]
        if phrase[: len(head)] == head and len(rest) >= 2 and rest[0] == "for" and rest[1] in _THANKS_FOR:
            things = rest[2:]
            return len(things) <= 2 and (bool(things) or rest[1] in ("that", "this")) and not any(
                thing in FUNCTION_WORDS or thing in _DETERMINERS or thing == "or" for thing in things
            )
    return False


def _cc_cue(lowered: str, start: int) -> bool:
    """Whether a cc cue comes right before the name at ``start``: "cc", "cc:", "adding", "fyi",
    "looping in", or "+" at the start of a line ("@" may come between)."""
    gap, word = _before(lowered, start)
    between = gap.replace("@", "").strip()
    if between == "+":
        return _starts_line(gap.replace("+", " "), word)
    if "\n" in gap or between not in ("", ":"):
        return False
    if word in _CC:
        return True
    return not between and (
        word in _ADDING or (word == "in" and _before(lowered, start - len(gap) - 2)[1] in _LOOPING)
    )


def _joined(
    lowered: str, start: int, end: int, begins: dict[int, int], ends: dict[int, int],
    after_name: bool,
) -> bool:
    """Whether the common word at ``start:end`` is in a list with a name before it
    (``after_name``) or after it; ``begins`` and ``ends`` map where names' first pieces begin
    and last pieces end to where the names do."""
    if after_name:
        gap, word = _before(lowered, start)
        piece_end = start - len(gap)
        if word in ("and", "or"):
            piece_end -= len(word) + len(_before(lowered, piece_end - len(word))[0])
        name_end = ends.get(piece_end)
        if name_end is None or name_end > start:
            return False
        joiner = lowered[name_end:start]
        if _JOINED.fullmatch(joiner) is None:
            return False
        kind, _ = _after(lowered, end)
        if joiner.strip() == ",":  # "Priya, grace and will"; not "Priya, grace period is ..."
            return kind <= _POSSESSIVE
        # "Priya and will are", "Priya and grace approved"; not "Priya and will look into it"
        return kind <= _VERB or (kind == _WORD and lowered[start:end] not in _MODALS)
    following = _NEXT_PIECE.match(lowered, end)
    if following is not None and following.group(2) in ("and", "or"):
        following = _NEXT_PIECE.match(lowered, following.end())
    name_start = None if following is None else begins.get(following.start(2))
    if name_start is None or name_start < end or _JOINED.fullmatch(lowered, end, name_start) is None:
        return False
    # The list starts a clause: "will and Priya are out", "thanks frank and Max"; not
    # "latency rose and Priya paged me".
    gap, word = _before(lowered, start)
    return (
        _starts_line(gap, word) or gap.strip()[-1:] in _CLAUSE_ENDS
        or word in _CUES or word in ("and", "or") or word in _BOTH
    )
