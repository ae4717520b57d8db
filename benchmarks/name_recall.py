"""Recall of members' names in chat text, beside ordinary words wrongly removed as names.

Builds a 25-member directory (13 of whose first names are common English words: Will, Grace,
Mark, Hope, Joy, May, Bill, Frank, Rose, June, Max, Drew, Dawn), writes directory names into
chat sentences the ways colleagues write them (greetings, "@name" without platform markup,
cc lists, "ping/ask/tell/dm name", possessives, vocatives, "name:" at the start, lists), in
lower, title and upper case, as full names and handles, and runs :class:`NameMatcher` over
them. Beside that it runs the matcher over ordinary sentences that use the same common words
as words ("I will look at it", "mark this as done", "the grace period", "rose by 5%"), and
counts the words wrongly removed. Both sets are data below, written before the context rules
were tuned; sentences that a careful reader could take either way are in a third list,
printed with what the matcher did but counted in neither figure. Three held-out sets, not
gated, check how far the rules fit their own test sets: A (written after the first tuning),
B (written after A, before the rules were widened for A and B: greetings with fillers,
interjections, cc lists of every shape, upper case) and C (written after that widening, run
once before the last fixes) and D (short praise, agreement, apology and hand-over phrases
before a name, "good call mark", written and run once before rule 3 k was written for it);
each set's first figures are in the comment above it.

    python benchmarks/name_recall.py [--seed 7] [--per-template 3] [--members 10000]

Prints recall (overall, per form, per way of writing the name), the ordinary words removed,
every miss and wrong removal, and the same figures with the context rules off (common-word
names only with an initial capital, none in lower case or all in capitals), then the matcher's speed on ordinary
text with the rules on and off. Exits 1 if recall < 99% or more than 0.5% of the ordinary
words are removed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).parents[1]))

from analyzers.names import NameMatcher, common_words, name_pieces  # noqa: E402

P = "<person>"
MIN_RECALL = 0.99
MAX_OVER_REMOVAL = 0.005

#: (real name, handle): first names first, then the non-common-word names.
DIRECTORY: tuple[tuple[str, str], ...] = (
    ("Will Turner", "wturner"), ("Grace Okafor", "grace.okafor"), ("Mark Chen", "markc"),
    ("Hope Adeyemi", "hadeyemi"), ("Joy Nakamura", "joy.n"), ("May Lin", "maylin"),
    ("Bill Novak", "bnovak"), ("Frank Osei", "frank.osei"), ("Rose Martin", "rmartin"),
    ("June Park", "junep"), ("Max Weber", "mweber"), ("Drew Patel", "drew.p"),
    ("Dawn Kowalski", "dkowalski"),
    ("Amara Eze", "amara.e"), ("Priya Sharma", "psharma"), ("Lukas Becker", "lukas.b"),
    ("Siobhan Walsh", "swalsh"), ("Kenji Tanaka", "kenji"), ("Ngozi Obi", "ngozi.obi"),
    ("Mateo Garcia", "mgarcia"), ("Ingrid Lindberg", "ingrid.l"), ("Tariq Haddad", "thaddad"),
    ("Olga Ivanova", "oivanova"), ("Yusuf Diallo", "ydiallo"), ("Chiara Rossi", "chiara"),
)

#: Sentences with names, by form; ``{n}``, ``{m}``, ``{o}`` are mentions of three different
#: members. Every mention counts once, under its sentence's form.
NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "hey {n}, can you look at this?", "hey {n} can you look at this?", "hi {n}!",
        "hi {n} 👋", "hello {n}, quick question about the deploy", "morning {n}",
        "good morning {n}!", "thanks {n}!", "thanks {n} for the quick fix", "thx {n}",
        "ty {n} 🙏", "cheers {n}", "bye {n}, have a good weekend", "thanks {n}, that fixed it",
        "thank you {n}!", "hey {n} are you around?", "hi {n} do you have a sec?",
        "morning {n} how was the trip?", "thanks {n} great work", "thx {n}, merged",
        "ty {n}!! saved my day", "cheers {n}, see you friday", "bye {n} 👋",
        "hello {n} and {m}!", "hey {n} quick one: is staging down?",
    ),
    "at": (
        "@{n} you around?", "@{n} can you review the PR?", "can you check this @{n}",
        "@{n} @{m} standup in 5", "thanks @{n}!", "@{n}: done", "fixed, @{n} please retest",
        "@{n} any news on the ticket?", "looping in @{n}",
    ),
    "cc": (
        "cc {n}", "cc: {n}", "cc {n}, {m} and {o}", "cc {n} and {m}",
        "fixed the typo, cc {n}", "cc {n} for visibility", "cc: {n}, {m}",
        "deploy is done (cc {n})", "CC {n}",
    ),
    "ping/ask/tell/dm": (
        "ping {n} about it", "ask {n}", "can you ask {n} for the keys?",
        "tell {n} the build is green", "dm {n} if you're stuck", "I'll ping {n}",
        "let me ask {n} tomorrow", "maybe ask {n}?", "ping {n} when you're done",
        "ask {n} or {m}", "dm {n} the link", "I'll tell {n}", "pls ping {n} re the outage",
        "could you dm {n}?", "ask {n} to review", "tell {n} thanks from me",
    ),
    "possessive": (
        "{n}'s PR is up", "waiting on {n}'s review", "{n}’s tests are flaky",
        "is this {n}'s branch?", "blocked on {n}'s change", "see {n}'s comment above",
        "merged {n}'s fix", "{n}'s laptop died again",
    ),
    "vocative": (
        "can you look, {n}?", "{n}, can you review?", "nice work, {n}!", "thanks for this, {n}.",
        "{n}, are you around?", "good catch, {n}", "any update, {n}?",
        "{n}, the build is red again", "what do you think, {n}?", "welcome back, {n}!",
        "{n}, quick question", "sorry {n}, my bad",
    ),
    "start": (
        "{n}: done", "{n}: see above", "{n}: can you take this one?", "{n}: 👍",
        "{n}: merged, thanks", "{n} - ready for review",
    ),
    "list": (
        "{n} and {m} are out today", "{m} and {n} will pair on it", "{n}, {m} and {o} approved",
        "{m} or {n} can take it", "thanks {m} and {n}!", "{n} & {m} are on call",
        "{m}, {n} - standup?",
    ),
}

#: Forms beyond those the goal names: a name with nothing in its context that marks it as
#: one (as subject, after a preposition). Printed beside the goal's figures, not gated.
UNMARKED_TEMPLATES: dict[str, tuple[str, ...]] = {
    "unmarked": (
        "{n} said it's fine", "talked to {n} yesterday", "waiting for {n}", "{n} is out today",
        "pairing with {n} on it", "great demo by {n}", "{n} fixed it", "I think {n} knows",
    ),
}

#: Ordinary sentences that use the directory's common words as words. None holds a name.
ORDINARY: tuple[str, ...] = (
    # will
    "I will look at it", "will do", "will do!", "thanks, will do!", "thanks will do",
    "ok will do, thanks", "sure, will do it after lunch", "it will, eventually",
    "hey, will this work?", "will this work on staging?", "will you be at standup?",
    "i will check tomorrow", "we will ship on friday", "that will take a while",
    "this will break prod", "will it scale?", "who will review the PR?",
    "the ping will time out if the host is down", "the ask will be smaller next sprint",
    "my dm will have the details", "tomorrow morning will be busy",
    "this morning will be all meetings", "i think it will.", "yes it will", "it will, trust me",
    "hopefully it will!", "we'll see if it will work", "free will is a myth lol",
    "where there's a will there's a way", "cc the list, will send notes later",
    "thanks all, will follow up", "bye, will catch up tomorrow", "morning all, will be late today",
    "hi, will there be a retro?", "hello! will the demo be recorded?", "will the build pass?",
    "hmm will check", "ok, will ask", "will ask around", "will ping them", "will tell them",
    "sorry, will fix", "np, will do", "sounds good, will merge", "i will, thanks",
    "you will love this", "it will be fine", "what will we do about the flaky test?",
    "they said it will land next week", "the tests will, hopefully, pass", "if it will help, sure",
    "nobody will notice", "will have a look", "thanks will have a look", "cheers, will test it",
    "hey will you be around later?", "ty! will do", "ty will do", "thx, will check",
    "ping me if it will slip", "ask them if it will fit", "tell me when it will be ready",
    "will dm you", "will ping you later", "hey all, will the standup move?",
    # may
    "may I ask a question?", "hi, may I ask something?", "hello may i ask who owns this?",
    "it may rain", "this may take a while", "you may want to restart", "that may be it",
    "we may need more time", "may be related to the outage", "in may we ship v2",
    "q2 is april, may, june.", "may or may not work", "come what may",
    "be that as it may, ship it", "the may release", "may 5th works for me",
    "thanks, may try that", "the ask may be too big this sprint", "that may, or may not, help",
    "cheers, may the force be with you", "it may, but I doubt it", "you may, yes",
    "thanks may try that later",
    # mark
    "mark this as done", "please mark the ticket resolved", "can you mark it as blocked?",
    "mark as read", "hey, mark this as done pls", "I'll mark it", "the halfway mark",
    "on your mark", "question mark in the title", "we hit the 1000 user mark",
    "mark the PR as draft", "let me mark that down", "check mark emoji", "mark it wontfix",
    "thanks, mark it done", "just mark it", "mark and sweep gc", "mark both as dupes",
    "hi all, mark your calendars", "hey mark your calendars for friday",
    "thanks mark it as done please", "ask them to mark it", "tell them to mark it as done",
    # hope
    "let's hope so", "I hope so", "hope this helps", "thanks, hope this helps",
    "cheers hope that helps", "thanks hope you feel better", "hope you're well",
    "hope all is good", "hope it works", "fingers crossed, hope it holds",
    "no hope for this build", "lost hope in that test", "there's hope", "hope not",
    "hope so!", "i hope we ship", "the hope is we ship friday",
    "morning! hope you had a good weekend", "hi all, hope the week is going well",
    "bye, hope to see you friday", "thx hope it works", "ty, hope so", "hey hope you're well",
    "dm me, hope it helps", "hope's not a plan",
    # grace
    "the grace period ends friday", "with grace", "handled it with grace",
    "a 30-day grace period", "saving grace is the cache", "grace period for the license",
    "fall from grace", "the only saving grace", "extend the grace period?",
    "grace time is 5 minutes", "no grace period left", "thanks for the grace period",
    "ask for a grace period", "any grace period on the quota?",
    # joy
    "what a joy", "no joy on the fix", "still no joy", "tried again, no joy", "pure joy",
    "brings me joy", "any joy with the vpn?", "thanks, no joy yet", "this code sparks joy",
    "full of hope and joy", "the joy of yaml",
    # bill
    "bill the client", "the bill's paid", "aws bill went up", "the bill is due",
    "who pays the bill?", "can we bill this to the project?", "bill it to ops", "fits the bill",
    "cloud bill for march", "bill of materials", "split the bill", "ask finance to bill them",
    "our bill doubled",
    # frank
    "frank feedback", "to be frank", "thanks for the frank feedback", "let me be frank",
    "a frank discussion", "frank answers only", "frank and honest", "being frank, it's late",
    "ask frank questions in the retro",
    # rose
    "rose by 5%", "latency rose again", "costs rose", "errors rose overnight",
    "a rose emoji", "rose gold laptop", "p99 rose to 2s", "traffic rose, then fell",
    "usage rose and fell", "memory rose, cpu too",
    # june
    "in june we ship", "june is busy", "early june", "june 3rd?", "by june", "since june",
    "june release", "ship in may or june", "june, july or august?", "end of june",
    "q2 ends in june", "last june", "see you in june!",
    # max
    "max retries is 3", "set max to 10", "max out the cpu", "to the max", "max 5 mins",
    "max. 2 people", "at max capacity", "min and max", "the max is 100",
    "max connections reached", "max: 10, min: 1",
    # drew
    "drew a diagram", "she drew the architecture", "drew up a plan",
    "I drew it on the whiteboard", "drew attention to the bug", "we drew straws",
    # dawn
    "at dawn", "from dawn till dusk", "the dawn of a new era", "up at dawn for the release",
    "dawn patrol for the migration",
    # the cue words themselves, beside no name
    "cc the list", "cc everyone on the thread", "ping me when it's done", "ask around",
    "tell them thanks", "dm me", "thanks all!", "hey, quick question",
)

#: Held out A: written after the context rules were tuned on the sets above, and run once:
#: 139/147 = 94.6% of the mentions found, no ordinary word removed. The rules were widened for
#: its misses afterwards, with set B's forms, so it no longer predicts an independent set (C
#: does). Printed beside the figures above; not gated.
HELD_OUT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "held out": (
        "hiya {n}!", "yo {n}, got a minute?", "thanks a lot {n}", "morning {n} 🙂",
        "hey {n} - is the deploy done?", "thank you so much {n}!", "cheers {n}!!",
        "hi {n}, hope you're well", "ty {n} :)", "thanks {n} and {m} for the help",
        "@{n} ptal", "hey @{n}", "@{n}, thoughts?", "done @{n} 👍", "cc {n} {m}",
        "cc: {n} and {m}", "(cc: {n})", "+cc {n}", "you could ask {n}", "ping {n}?",
        "tell {n} I said hi", "remind {n} about the retro", "ask {n} and {m}", "dm {n} on slack",
        "{n}'s idea was better", "pls check {n}'s notes", "is that {n}'s laptop?",
        "{n}'s on holiday", "ok {n}, merging now", "see you tomorrow, {n}!", "great point, {n}",
        "{n}, got a sec?", "{n}, ping me when free", "thoughts, {n}?", "{n}: lgtm", "{n}: yes",
        "{n}: on it", "{n}, {m}: standup moved to 10", "{n} and {m} - can you sync?",
        "{n} + {m} are pairing", "both {n} and {m} approved",
    ),
}
HELD_OUT_ORDINARY: tuple[str, ...] = (
    "will check and get back to you", "thanks, will look into it", "hey, may I join the call?",
    "we may have a problem", "mark it as a duplicate", "the mark-up is wrong",
    "hope you had a nice weekend!", "ok, hope it's fine", "with any luck and some grace we ship",
    "no joy with the restart", "bill it to the platform team", "the bar rose",
    "traffic rose sharply at 9", "june planning doc", "max heap size", "max it out",
    "drew a blank", "dawn of the release", "will it blend?", "hi all, will be ooo tomorrow",
    "thanks all, may need another pass", "cheers, will merge after lunch",
    "thanks for the frank chat", "ping will fail on that host", "tell me if it will help",
    "cc the whole team, will you?", "may the best PR win", "in may or june, we'll see",
    "rose 3% week on week", "morning all, hope the deploy went ok", "yo, will the demo run long?",
    "sorry, will be 5 min late", "thanks! will do", "thanks!! hope it helps",
    "bye all, will be back monday", "hey hope all good", "it may, it may not", "grace note",
    "it's a joy to review", "my max is 3 meetings a day", "will they ship?",
    "what will it cost?", "dawn raid on the backlog lol",
)

#: Held out B: written after set A had shown where the rules fall short, and run once before
#: any rule was changed: 223/273 = 81.7% of the mentions found (33/83 of the common-word names
#: written in lower case), 12/87 ordinary words removed (all in capitals: "I WILL do it").
#: The rules were then widened for these forms, so it no longer predicts an independent set.
#: The goal's forms written the many ways people write them: greetings and thanks with
#: intensifiers and fillers, an interjection before a vocative, "@" without markup, cc lists
#: of every shape, possessives, vocatives, and whole messages in upper case (the form "upper
#: case": names written in upper case too). Members are drawn with the common-word names
#: twice as often. Printed on its own; not gated.
HELD_OUT_B_TEMPLATES: dict[str, tuple[str, ...]] = {
    "greeting, thanks": (
        "thanks so much {n}!", "thx a ton {n}", "hey there {n}", "hi again {n}",
        "morning all, and thanks {n} for the fix", "thank you very much {n}",
        "thanks a bunch {n} 🙏", "many thanks {n}", "thanks again {n}!", "ty so much {n}",
        "hello again {n}, one more thing", "hey hey {n}", "hi there {n}, got a sec?",
        "good evening {n}", "morning all and welcome {n}!", "welcome aboard {n}!",
        "big thanks to {n}", "thanks heaps {n}, merged", "cheers again {n}",
        "night {n}, see you tomorrow", "thank you both, {n} and {m}",
    ),
    "interjection": (
        "yes {n}, that's the one", "sure {n}", "sure {n}, on it", "okay {n}, merging",
        "ok {n} thanks", "yeah {n}, agreed", "right {n}, let's ship it", "cool {n}, thanks!",
        "great {n}, thank you", "oh {n}, good catch", "no worries {n}", "np {n}!",
        "yep {n}, done",
    ),
    "at": (
        "@{n} ptal when free", "@{n} ^", "/cc @{n}", "thx @{n}", "@{n}?", "sorry @{n}, my bad",
        "@{n} @{m} thoughts?", "+1 @{n}",
    ),
    "cc": (
        "cc {n} {m}", "cc: {n}, {m}", "+ {n}", "+{n} for review", "looping in {n}",
        "looping in {n} and {m}", "adding {n}", "adding {n} for visibility", "cc {n} {m} {o}",
        "cc {n}/{m}", "/cc {n}", "fyi {n}", "cc'ing {n}", "adding {n} to the thread",
    ),
    "possessive": (
        "{n}'s call", "this is {n}'s area", "per {n}'s note", "{n}'s PR broke main",
        "using {n}'s script", "{n}’s fix works",
    ),
    "vocative": (
        "good call {n}", "nice one {n}!", "you're right {n}", "agreed, {n}", "lgtm {n}",
        "done, {n}", "fair point {n}", "my bad {n}",
    ),
    "upper case": (
        "HEY {n}!", "CC {n}", "THANKS {n}!!", "@{n} URGENT", "{n}'S PR IS UP", "PING {n}",
        "THANK YOU SO MUCH {n}", "OK {n}, DONE", "{n}: DONE", "GOOD MORNING {n}",
        "CC: {n}, {m}", "SORRY {n}",
    ),
}
#: Held out B's ordinary sentences: the same common words as words, in the same places (after
#: an interjection, a thanks with fillers, "adding", "cc", "+"), and messages in upper case.
HELD_OUT_B_ORDINARY: tuple[str, ...] = (
    # will
    "ok will do", "okay will do, thx", "yes will do", "yeah will check", "sure will",
    "sure, will do", "great, will merge", "cool will test it", "right, will fix",
    "thanks so much, will check", "thanks a lot, will try it", "thx a ton, will look later",
    "thanks again, will do", "hi again, will the demo run?", "hey there, will you join?",
    "cc the will template", "i think adding will help", "ok will have a look",
    "yep will ping them", "noted, will do", "thanks so much will do",
    # may
    "ok may be later", "yes, may work", "sure, may I?", "thanks a lot, may try it",
    "hi again, may I ask?", "yeah may be a dns thing", "right, may need a restart",
    "ok may as well",
    # mark
    "sure, mark it done", "ok mark it resolved", "yes mark it", "right, mark that down",
    "thanks a lot, mark it fixed", "adding a mark to the chart", "cool, mark as read",
    "sure mark it as done",
    # hope
    "thanks so much, hope it helps", "thanks again hope it works", "ok hope so",
    "yeah hope not", "sure, hope it helps", "cool hope you're well",
    "great hope to see you there", "hey there hope all is well", "hi again hope this helps",
    "thx a ton hope that's ok", "thanks a lot! hope it's fine",
    # grace
    "ok grace period it is", "sure, a grace period of a week", "adding grace period logic",
    "adding a grace period", "cc the grace period doc",
    # june
    "ok june it is", "sure, june works", "yes june 5", "thanks, june is fine",
    "adding june to the roadmap",
    # drew, frank, max, rose, bill, joy, dawn
    "ok drew up the plan", "yes drew it already", "ok frank question:",
    "sure, frank answers please", "thanks for being frank", "ok max 3 retries",
    "sure, max it out", "yes max is 10", "adding max retries", "+ max retries to the config",
    "ok it rose again", "great, costs rose again", "ok bill them", "sure, bill it to ops",
    "yeah no joy", "ok no joy", "ok dawn deploy it is",
    # upper case
    "I WILL do it", "WILL DO", "OK WILL DO", "THIS WILL BREAK PROD", "THANKS, WILL CHECK",
    "WE MAY SHIP LATE", "HOPE THIS HELPS", "MARK IT DONE", "NO JOY", "GRACE PERIOD ENDS FRIDAY",
    "MAX 5 MINS", "IN JUNE WE SHIP",
)

#: Held out C: written after the rules were widened for sets A and B, and run once: 166/177 =
#: 93.8% of the mentions found (46/56 of the common-word names in lower case, 21/22 in
#: capitals), 1/65 ordinary words removed ("cc: grace period ..."): the estimate of what an
#: independent set would show. Its misses were then fixed ("hey all, hey grace", "thank u",
#: "cc joy dawn for review", "+ june Priya"), so its later figures are fit to it too.
HELD_OUT_C_TEMPLATES: dict[str, tuple[str, ...]] = {
    "greeting, thanks": (
        "hey {n}, you free at 3?", "hiya {n} 👋", "thanks loads {n}", "thank u {n}!",
        "thanks a million {n}", "many many thanks {n}", "gm {n}", "good afternoon {n}, quick one",
        "evening {n}!", "ty ty {n}", "thx so much {n}!", "cheers for that {n}", "hey all, hey {n}",
        "sorry again {n}", "congrats {n}!! 🎉", "welcome {n}!", "hi hi {n}", "thanks {n} & {m}",
    ),
    "interjection": (
        "ok {n}, sounds good", "yeah {n}, i saw", "yes {n}!", "cool {n} 👍", "right {n}, one sec",
        "okay {n} thx",
    ),
    "at": ("@{n} pls take a look", "ping @{n}", "@{n}, you there?", "@{n} @{m} @{o}"),
    "cc": (
        "cc {n} {m} for review", "cc: {n} {m}", "cc {n}, {m}, {o}", "+ {n} {m}", "looping in {n} here",
        "adding {n} and {m}", "fyi {n}, the job failed", "cc {n} pls",
    ),
    "possessive": ("{n}'s branch is stale", "pinging re {n}'s question", "{n}’s doc", "per {n}'s review"),
    "vocative": ("nice, {n}!", "thank you, {n}", "on it, {n}"),
    "upper case": ("HI {n}", "THX {n}!", "CC {n} {m}", "@{n} PLS", "{n}'S TURN", "THANKS SO MUCH {n}"),
}
HELD_OUT_C_ORDINARY: tuple[str, ...] = (
    "ok will ping you", "yes will merge", "yeah will do later", "cool, will try", "great will be there",
    "sure will do", "right will take a look", "thanks a million, will check", "thank u will do",
    "ty ty will fix", "thx so much will try", "cheers for that will merge", "hey all, will be late",
    "adding will be easy", "fyi will be offline tomorrow", "cc will follow", "looping in will take a while",
    "+ will need approval", "no worries will do", "np will fix", "lgtm will merge",
    "ok may need a bit", "yes may be", "fyi may is our busiest month", "adding may to the calendar",
    "thanks, may be a while", "cc may help", "np may take a day",
    "ok mark as done", "yes mark them all", "lgtm mark it approved", "np, mark it closed", "ok mark it",
    "ok hope it helps", "yeah hope so", "thanks loads, hope it works", "no worries hope it helps",
    "np hope it's fixed", "cool hope to see you", "lgtm hope it ships", "thanks a million hope that's fine",
    "ok grace period then", "fyi grace period ends soon", "adding grace time", "cc: grace period details attached",
    "ok june then", "fyi june is booked", "adding june dates", "cool june works",
    "ok max 2", "fyi max is 100", "adding max to the query", "cool, max it",
    "ok frank feedback it is", "yeah no joy", "np, bill it", "costs rose, thanks", "she drew it, thanks",
    "WILL DO, THANKS", "OK WILL MERGE", "HOPE SO", "MAY BE", "THANKS, MARK IT DONE", "NO JOY YET", "MAX IS 10",
)

#: Held out D: written after set C's fixes and before any rule for it, to weigh the misses
#: left in B and C: short praise, agreement, apology and hand-over phrases with a name at the
#: end of the clause ("good call mark", "over to you rose"), beside greetings, thanks, cc, "@",
#: possessives and upper case. First run, before any rule was changed for
#: it: 126/195 = 64.6% of the mentions found (14/60 of the common-word names in lower case,
#: 4/27 in capitals; every other way of writing 100%), 0/67 ordinary words removed: the
#: estimate for such forms. Rule 3 k was then written for its misses, so its later figures
#: are fit to it.
#: Printed on its own; not gated.
HELD_OUT_D_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise, agreement, apology": (
        "good call {n}", "well said {n}", "spot on {n}", "agreed, {n}", "same here {n}",
        "my bad {n}", "you rock {n}", "nice one {n}!", "fair point {n}", "you're right {n}",
        "well done {n}!", "good catch {n} 👀", "great work {n}", "nice work {n} 👏",
        "good point {n}, let's do that", "totally agree {n}", "good idea {n}!", "makes sense {n}",
        "exactly {n}!", "fair enough {n}", "my mistake {n}, fixing now", "sounds good {n}",
        "got it {n}, thanks", "nice catch {n}", "good stuff {n}", "well played {n}",
        "true that {n}", "agreed {n}, let's ship", "good call {n}, thanks", "well done {n} thanks",
        "you're the best {n}", "my bad {n}, will fix",
    ),
    "hand-over": (
        "all yours {n}", "over to you {n}", "your turn {n}", "back to you {n}",
        "over to you {n}, thanks", "all yours now {n}",
    ),
    "greeting, thanks": (
        "cheers for that {n}", "thanks for that {n}!", "thank you both, {n} and {m}",
        "thanks for the review {n}", "thank you kindly {n}", "yo {n}", "heya {n} 🙂",
        "night all, night {n}", "thanks heaps {n}!!", "cheers for the help {n}",
    ),
    "cc, at, possessive": (
        "cc {n} fyi", "@{n} thoughts?", "{n}'s take?", "as per {n}'s msg", "cc @{n}",
        "adding {n} too", "ping {n} too", "ok {n} thanks",
    ),
    "upper case": (
        "GOOD CALL {n}", "NICE ONE {n}!", "SPOT ON {n}", "OK {n} THANKS", "YOU ROCK {n}",
        "MY BAD {n}", "WELL SAID {n}!", "OVER TO YOU {n}",
    ),
}
#: Held out D's ordinary sentences: the same phrases before the same common words as words.
HELD_OUT_D_ORDINARY: tuple[str, ...] = (
    "good call, will do", "good call will do", "well said, mark my words", "spot on, may I add",
    "over to you, hope that helps", "my bad, will fix", "my bad will fix now", "same here, will check",
    "same here will check later", "you rock, frank feedback though", "nice one, will merge",
    "nice one will merge", "agreed, will do", "agreed will do", "agreed, may be worth it",
    "fair point, may need a rethink", "fair point will fix", "you're right will fix",
    "you're right, max is 10", "spot on, max it out", "my bad, mark it resolved",
    "all yours, will be offline", "over to you will review later", "well done! hope it holds",
    "well done, hope you're proud", "good call, june works better", "nice one, june it is",
    "cheers for that, will check", "cheers for that will merge", "thanks for that, hope it helps",
    "thank you both, will do", "you rock, will buy you a coffee", "same here, hope it's fixed soon",
    "good catch, mark it as a bug", "great work, will share it", "sounds good will do",
    "got it, will do", "got it will do", "all good, may take a day", "makes sense, will fix",
    "exactly, may be the cache", "fair enough, will revert", "good idea, will try",
    "you're right, it will", "agreed, it may", "same here, I hope", "well said, you will",
    "agreed, we will", "spot on, latency rose", "same here, costs rose", "agreed, no joy",
    "my bad, wrong bill", "good call on the grace period", "fair point, to be frank",
    "nice one, we hit the mark", "your turn, may I suggest a fix?", "back to you, will check later",
    "well played, may the best PR win", "true that, will do", "all yours, hope it goes well",
    "GOOD CALL, WILL DO", "MY BAD, WILL FIX", "SPOT ON, MAY I ADD", "NICE ONE WILL MERGE",
    "SAME HERE, HOPE IT HELPS", "over to you. will be back at 3", "good call, hope so",
)

#: Sentences a careful reader could take either way, with the two readings; printed with what
#: the matcher did, counted in neither figure.
AMBIGUOUS: tuple[tuple[str, str], ...] = (
    ("hey will this work?", "'hey, will this work?' or 'hey Will, this work?'"),
    ("hey will you around?", "'hey Will, you around?' or a dropped 'be'"),
    ("will, for sure", "a reply '(I) will, for sure' or 'Will, for sure'"),
    ("april, may and june were busy", "three months, or a list ending in May and June"),
    ("may and june are out today", "two people, or two months (with an odd verb)"),
    ("june's release is big", "the month's release or June's"),
    ("hope and joy!", "two words or two people"),
    ("ok will, thanks", "'ok, will (do), thanks' or 'ok Will, thanks'"),
    ("sure will, once it lands", "'(I) sure will, ...' or 'sure Will, ...'"),
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One member's name as written in a sentence."""

    text: str
    common: bool  # the member's first name is a common word
    way: str  # how it is written: lower, title, upper, full name, handle


@dataclass(frozen=True, slots=True)
class NameSentence:
    form: str
    text: str
    template: str
    mentions: tuple[Mention, ...]


def directory_names() -> list[str]:
    """Every name of every member, as a directory gives them: real name, handle, first, last."""
    return [name for real, handle in DIRECTORY for name in (real, handle, *real.split())]


def _write(real: str, handle: str, rng: random.Random, upper: bool = False) -> Mention:
    first = real.split()[0]
    common = first.lower() in common_words()
    way = rng.choices(("lower", "title", "upper", "full name", "handle"), (55, 25, 8, 7, 5))[0]
    text = {
        "lower": first.lower(), "title": first, "upper": first.upper(),
        "full name": rng.choice((real, real.lower())), "handle": handle,
    }[way]
    if upper:  # a message written in upper case: the name too, whichever name it is
        return Mention(text.upper(), common, way if way in ("full name", "handle") else "upper")
    return Mention(text, common, way)


def name_sentences(
    seed: int = 7, per_template: int = 3, templates: dict[str, tuple[str, ...]] = NAME_TEMPLATES,
    directory: Sequence[tuple[str, str]] = DIRECTORY,
) -> list[NameSentence]:
    """Each template written ``per_template`` times, members taken in turn from a shuffled
    ``directory`` (so each member is named about as often as it is listed), each name written
    one of five ways; in the form "upper case", in upper case."""
    rng = random.Random(seed)
    order: list[tuple[str, str]] = []
    sentences = []
    for form, written in templates.items():
        for template in written:
            upper = form == "upper case"
            for _ in range(per_template):
                slots = re.findall(r"\{(\w)\}", template)
                members = []
                for _slot in slots:
                    if not order:
                        order = list(directory)
                        rng.shuffle(order)
                    members.append(order.pop())
                mentions = tuple(_write(real, handle, rng, upper) for real, handle in members)
                text = template.format(**{s: m.text for s, m in zip(slots, mentions)})
                sentences.append(NameSentence(form, text, template, mentions))
    return sentences


def _slot_pattern(template: str) -> re.Pattern[str]:
    """Matches the matcher's output for ``template``: each slot a group, and each word of the
    template's own text either itself or the placeholder (so wrong removals are seen too)."""
    parts = []
    for chunk in re.split(r"(\{\w\})", template):
        if re.fullmatch(r"\{\w\}", chunk):
            parts.append(r"(?P<slot%d>.*?)" % len(parts))
        else:
            for piece in re.split(r"([^\W_]+)", chunk):
                if re.fullmatch(r"[^\W_]+", piece):
                    parts.append(r"(?P<word%d>%s|%s)" % (len(parts), re.escape(piece), re.escape(P)))
                else:
                    parts.append(re.escape(piece))
    return re.compile("".join(parts), re.DOTALL)


_REMOVED = re.compile(rf"(?:{re.escape(P)}|[\W_])*{re.escape(P)}(?:{re.escape(P)}|[\W_])*", re.DOTALL)


@dataclass
class Recall:
    found: int = 0
    total: int = 0
    misses: list[str] | None = None
    by_form: dict[str, list[int]] | None = None
    by_way: dict[str, list[int]] | None = None
    words_removed: int = 0  # the templates' own words wrongly removed

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


def recall(replace: Callable[[str], str], sentences: Iterable[NameSentence]) -> Recall:
    """How many mentions ``replace`` removed whole; per form and per way of writing."""
    result = Recall(misses=[], by_form=defaultdict(lambda: [0, 0]), by_way=defaultdict(lambda: [0, 0]))
    assert result.misses is not None and result.by_form is not None and result.by_way is not None
    for sentence in sentences:
        out = replace(sentence.text)
        match = _slot_pattern(sentence.template).fullmatch(out)
        groups = match.groupdict() if match else {}
        slots = [v for k, v in groups.items() if k.startswith("slot")]
        result.words_removed += sum(v == P for k, v in groups.items() if k.startswith("word"))
        for i, mention in enumerate(sentence.mentions):
            found = bool(slots) and _REMOVED.fullmatch(slots[i]) is not None
            way = f"{'common-word' if mention.common else 'other'} name, {mention.way}"
            for key, table in ((sentence.form, result.by_form), (way, result.by_way)):
                table[key][0] += found
                table[key][1] += 1
            result.found += found
            result.total += 1
            if not found:
                result.misses.append(f"{sentence.form}, {mention.text!r}: {sentence.text!r} -> {out!r}")
    return result


def common_pieces() -> frozenset[str]:
    """The directory's name pieces that are common words (those the context rules are for)."""
    common = common_words()
    return frozenset(p for name in directory_names() for p in name_pieces(name) if p in common)


def over_removal(replace: Callable[[str], str], sentences: Sequence[str]) -> tuple[int, int, list[str]]:
    """(words wrongly removed, directory common words in the sentences, the sentences changed)."""
    pieces = common_pieces()
    words = sum(p in pieces for s in sentences for p in name_pieces(s))
    removed, changed = 0, []
    for sentence in sentences:
        out = replace(sentence)
        if out != sentence:
            removed += out.count(P)
            changed.append(f"{sentence!r} -> {out!r}")
    return removed, words, changed


class CapitalisedOnly(NameMatcher):
    """The matcher with its context rules off: common-word names only with an initial capital
    (the rule before the context rules were added, but for words all in capitals, which it
    took as names and which now go through the context rules)."""

    __slots__ = ()

    def _named_by_context(self, text: str, lowered: str, candidates: list[tuple[int, int]],
                          spans: list[tuple[int, int]], placeholder: str) -> list[tuple[int, int]]:
        return [(start, end) for start, end in candidates
                if text[start].isupper() and not text[start + 1 : end].isupper()]


class RecallFirst(NameMatcher):
    """The matcher as it makes text for reviewers: ``replace(..., recall_first=True)``."""

    __slots__ = ()

    def replace(self, text: str, placeholder: str, *, recall_first: bool = True) -> str:
        return super().replace(text, placeholder, recall_first=recall_first)


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "0/0"


def speeds(matchers: dict[str, NameMatcher], messages: Sequence[str], passes: int = 15) -> dict[str, float]:
    """µs per message of each matcher's ``replace`` over ``messages``: the best of ``passes``
    passes, the matchers taking turns (so a busy machine slows both alike), after a warm-up."""
    best = dict.fromkeys(matchers, float("inf"))
    for _ in range(passes + 1):
        for label, matcher in matchers.items():
            start = time.perf_counter()
            for message in messages:
                matcher.replace(message, P)
            best[label] = min(best[label], (time.perf_counter() - start) / len(messages) * 1e6)
    return best


def typical_messages(members: int, count: int, seed: int) -> tuple[list[str], list[str]]:
    """(names of a generated directory, typical messages) from benchmarks/pseudonymise.py."""
    from benchmarks.pseudonymise import make_members, make_message
    from bot.slack.markup import to_plain

    rng = random.Random(seed)
    directory = make_members(members, rng)
    names = [name for member in directory for name in member.names if name]
    return names, [to_plain(make_message(directory, rng)) for _ in range(count)]


def _print_held_out(
    name: str, matchers: dict[str, NameMatcher], held: Sequence[NameSentence],
    removals: dict[str, tuple[int, int, list[str]]], row: Callable[[str, Iterable[str]], None],
) -> None:
    """A held-out set's figures: recall per form and per way of writing, words wrongly removed."""
    ordinary = {"B": HELD_OUT_B_ORDINARY, "C": HELD_OUT_C_ORDINARY, "D": HELD_OUT_D_ORDINARY}[name]
    results = {label: recall(lambda t, m=m: m.replace(t, P), held) for label, m in matchers.items()}
    print(f"\nnot gated, held out {name}: {len(held)} sentences with {sum(len(s.mentions) for s in held)} "
          f"mentions ({sum(m.common for s in held for m in s.mentions)} of common-word names); "
          f"{len(ordinary)} ordinary sentences")
    row(f"held out {name}: recall, all mentions", (_percent(r.found, r.total) for r in results.values()))
    first = next(iter(results.values()))
    assert first.by_form is not None and first.by_way is not None
    for form in first.by_form:
        row(f"  {form}", (_percent(*r.by_form[form]) for r in results.values() if r.by_form))
    for way in sorted(first.by_way):
        row(f"  {way}", (_percent(*r.by_way[way]) for r in results.values() if r.by_way))
    row(f"held out {name}: ordinary words removed", (_percent(r[0], r[1]) for r in removals.values()))
    upper = [s for s in ordinary if not any(c.islower() for c in s)]
    row("  of which in all-caps messages", (_percent(*over_removal(lambda t, m=m: m.replace(t, P), upper)[:2])
                                            for m in matchers.values()))
    row(f"held out {name}: template words removed", (str(r.words_removed) for r in results.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-template", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000, help="directory size for the speed figures")
    parser.add_argument("--messages", type=int, default=20_000, help="typical messages for the speed figures")
    args = parser.parse_args()

    names = directory_names()
    matchers = {"context rules": NameMatcher(names), "capitalised only": CapitalisedOnly(names),
                "recall first": RecallFirst(names)}
    sentences = name_sentences(args.seed, args.per_template)
    unmarked = name_sentences(args.seed, args.per_template, UNMARKED_TEMPLATES)
    held_out = name_sentences(args.seed, args.per_template, HELD_OUT_TEMPLATES)
    common_twice = [*DIRECTORY, *(m for m in DIRECTORY if m[0].split()[0].lower() in common_words())]
    held_out_b = name_sentences(args.seed, args.per_template, HELD_OUT_B_TEMPLATES, common_twice)
    common = sum(m.common for s in sentences for m in s.mentions)
    print(f"directory: {len(DIRECTORY)} members, {len(names)} names; "
          f"{len(sentences)} sentences with {sum(len(s.mentions) for s in sentences)} mentions "
          f"({common} of common-word names); {len(ORDINARY)} ordinary sentences")

    results = {label: recall(lambda t, m=m: m.replace(t, P), sentences) for label, m in matchers.items()}
    unmarked_results = {label: recall(lambda t, m=m: m.replace(t, P), unmarked) for label, m in matchers.items()}
    removals = {label: over_removal(lambda t, m=m: m.replace(t, P), ORDINARY) for label, m in matchers.items()}
    held_out_results = {label: recall(lambda t, m=m: m.replace(t, P), held_out) for label, m in matchers.items()}
    held_out_removals = {label: over_removal(lambda t, m=m: m.replace(t, P), HELD_OUT_ORDINARY)
                         for label, m in matchers.items()}
    held_out_c = name_sentences(args.seed, args.per_template, HELD_OUT_C_TEMPLATES, common_twice)
    held_out_d = name_sentences(args.seed, args.per_template, HELD_OUT_D_TEMPLATES, common_twice)
    held_out_sets = {
        name: (held, {label: over_removal(lambda t, m=m: m.replace(t, P), ordinary) for label, m in matchers.items()})
        for name, held, ordinary in (
            ("B", held_out_b, HELD_OUT_B_ORDINARY), ("C", held_out_c, HELD_OUT_C_ORDINARY),
            ("D", held_out_d, HELD_OUT_D_ORDINARY),
        )
    }
    capitalised = [s[0].upper() + s[1:] for s in ORDINARY]
    capital_removals = {label: over_removal(lambda t, m=m: m.replace(t, P), capitalised)
                        for label, m in matchers.items()}

    width = 44
    print(f"\n{'':{width}} | {' | '.join(f'{label:>18}' for label in matchers)}")

    def row(label: str, cells: Iterable[str]) -> None:
        print(f"{label:{width}} | {' | '.join(f'{c:>18}' for c in cells)}")

    row("recall, all mentions", (_percent(r.found, r.total) for r in results.values()))
    first = next(iter(results.values()))
    assert first.by_form is not None and first.by_way is not None
    for form in first.by_form:
        row(f"  {form}", (_percent(*r.by_form[form]) for r in results.values() if r.by_form))
    for way in sorted(first.by_way):
        row(f"  {way}", (_percent(*r.by_way[way]) for r in results.values() if r.by_way))
    row("ordinary words removed", (_percent(r[0], r[1]) for r in removals.values()))
    row("ordinary sentences changed", (_percent(len(r[2]), len(ORDINARY)) for r in removals.values()))
    row("template words removed in name sentences", (str(r.words_removed) for r in results.values()))
    row("not gated: unmarked names (recall)", (_percent(r.found, r.total) for r in unmarked_results.values()))
    row("not gated: ordinary, capital first letter", (_percent(r[0], r[1]) for r in capital_removals.values()))
    row("not gated: held-out names (recall)", (_percent(r.found, r.total) for r in held_out_results.values()))
    row("not gated: held-out ordinary words removed", (_percent(r[0], r[1]) for r in held_out_removals.values()))

    for name, (found, removed_b) in held_out_sets.items():
        _print_held_out(name, matchers, found, removed_b, row)

    on = results["context rules"]
    print(f"\nmisses with the context rules ({len(on.misses or [])}):")
    for miss in on.misses or []:
        print(f"  {miss}")
    print(f"ordinary sentences changed with the context rules ({len(removals['context rules'][2])}):")
    for change in removals["context rules"][2]:
        print(f"  {change}")
    print("not gated, held-out misses and wrong removals with the context rules:")
    for line in (held_out_results["context rules"].misses or []) + held_out_removals["context rules"][2]:
        print(f"  {line}")
    for name, (held, removed_held) in held_out_sets.items():
        print(f"not gated, held out {name}: misses and wrong removals with the context rules:")
        for line in (recall(lambda t: matchers["context rules"].replace(t, P), held).misses or []) + removed_held[
            "context rules"
        ][2]:
            print(f"  {line}")
    print("ambiguous sentences (counted in neither figure):")
    for sentence, readings in AMBIGUOUS:
        outs = [m.replace(sentence, P) for m in matchers.values()]
        print(f"  {sentence!r}: {readings}\n    context rules -> {outs[0]!r}; capitalised only -> {outs[1]!r}")
    missed = {label: r.total - r.found for label, r in unmarked_results.items()}
    print(f"not gated, unmarked names missed: {missed['context rules']} with the context rules, "
          f"{missed['capitalised only']} capitalised only")

    print("\nspeed, µs per message (best of 15 passes, one thread):")
    typical_names, typical = typical_messages(args.members, args.messages, args.seed)
    big = {"context rules": NameMatcher(typical_names), "capitalised only": CapitalisedOnly(typical_names),
           "recall first": RecallFirst(typical_names)}
    for label, texts, by in (
        (f"typical messages, {args.members} members", typical, big),
        ("ordinary sentences above, 25 members", list(ORDINARY), matchers),
        ("name sentences above, 25 members", [s.text for s in sentences], matchers),
    ):
        row(f"  {label}", (f"{us:.2f}" for us in speeds(by, texts).values()))

    removed, words, _ = removals["context rules"]
    ok = on.rate >= MIN_RECALL and removed <= MAX_OVER_REMOVAL * words
    print(f"\nscoring: recall {on.rate:.1%} (goal >= {MIN_RECALL:.0%}), ordinary words removed "
          f"{removed / words:.2%} (goal <= {MAX_OVER_REMOVAL:.1%}): {'PASS' if ok else 'FAIL'}")
    first_rate = results["recall first"].rate
    first_removed, _, _ = removals["recall first"]
    reviewers_ok = first_rate >= MIN_RECALL
    print(f"reviewers (recall first): recall {first_rate:.1%} (goal >= {MIN_RECALL:.0%}), ordinary words "
          f"removed {first_removed / words:.2%} (not gated): {'PASS' if reviewers_ok else 'FAIL'}")
    return 0 if ok and reviewers_ok else 1


if __name__ == "__main__":
    sys.exit(main())
