#!/usr/bin/env python3
"""Generate the sample Slack workspace that ``teamweather demo`` replays.

Everything here is fictional and was written for this project: the company, the people,
the customers and every message. No real person's messages are used.

Output (deterministic for a given version of this script, fixed seed):

* ``bot/demo_data/workspace.json`` - company, members, teams, channels, admins.
* ``bot/demo_data/intended.jsonl`` - what each person's message was written to express
  (``{"channel", "ts", "mood"}``, mood one of pos, neu, neg, str): the demo's simulated
  reviewers label flagged messages from it. Never read by the pipeline.
* ``bot/demo_data/events.jsonl``   - one JSON object per line, sorted by time:
  ``{"kind": "event", "event": {...Slack Events API inner event...}}`` or
  ``{"kind": "command", "ts": "<unix seconds>", "command": {...slash command...}}``.

Run from the repository root::

    python scripts/make_demo_workspace.py            # write files and print the check
    python scripts/make_demo_workspace.py --check    # only verify the existing files

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import math
import random
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261005
TEAM_ID = "T0DEMO00001"
TEAM_NAME = "Kestrel Route"
COMPANY = "Kestrel Route Ltd"
TIMEZONE = "Europe/London"
DOMAIN = "kestrelroute.example"  # RFC 2606 reserved TLD: nothing here points at a real site

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "bot" / "demo_data"

FIRST_DAY = dt.date(2026, 10, 5)  # Monday of ISO week 2026-W41
LAST_DAY = dt.date(2026, 11, 20)  # Friday of ISO week 2026-W47
WEEKS = [41, 42, 43, 44, 45, 46, 47]
RELEASE_DAY = dt.date(2026, 11, 12)  # Kestrel 5.0 goes live (Thursday of W46)
OUTAGE_DAY = dt.date(2026, 10, 20)  # tracking-api outage (Tuesday of W43)

# Europe/London: BST (UTC+1) until 01:00 UTC on Sunday 25 October 2026, GMT afterwards.
# Computed by hand so the output does not depend on the machine's tz database.
BST_END_UTC = dt.datetime(2026, 10, 25, 1, 0)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def slack_id(prefix: str, key: str) -> str:
    """Stable Slack-style id: prefix + 10 uppercase alphanumerics (first one '0')."""
    num = int.from_bytes(hashlib.sha256(f"teamweather-demo:{prefix}:{key}".encode()).digest(), "big")
    chars = []
    for _ in range(9):
        num, r = divmod(num, 36)
        chars.append(ALNUM[r])
    return prefix + "0" + "".join(chars)


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------


@dataclass
class Person:
    key: str
    real_name: str
    display_name: str
    title: str
    team: str
    activity: float = 1.0  # weight in the home channel
    bias: float = 0.0  # >0 sunnier than the channel, <0 gloomier
    stress_k: float = 1.0  # how much of the channel's stress shows in their messages
    style: str = "lower"  # "lower": casual lowercase; "proper": capitals and full stops
    emoji: float = 0.15  # chance of tacking an emoji on
    typo: float = 0.04  # chance of a typo
    general: float = 0.5  # weight in #general
    water: float = 0.5  # weight in #watercooler (0 = not a member)
    fixed_mood: tuple[float, float, float, float] | None = None  # ignores the channel arc
    given: str = ""  # given name when it is not simply the first word of real_name
    id: str = ""

    @property
    def first(self) -> str:
        return self.given or self.real_name.split()[0]


PEOPLE: list[Person] = [
    # Company-wide roles (#general is their channel)
    Person("maggie", "Margaret Lindqvist", "maggie", "Chief Executive Officer", "Company",
           activity=0.0, bias=0.6, style="proper", emoji=0.2, typo=0.0, general=2.2, water=0.2),
    Person("farid", "Farid Haddad", "farid.h", "IT & Security Lead", "Company",
           activity=0.0, bias=0.0, general=1.0, water=0.6, typo=0.02),
    Person("priya", "Priya Raman", "priya", "Head of People", "Company",
           activity=0.0, bias=0.5, style="proper", emoji=0.3, typo=0.01, general=2.0, water=0.8),
    Person("owen", "Owen Gallagher", "owen.g", "Finance & Office Manager", "Company",
           activity=0.0, bias=0.1, style="proper", emoji=0.1, general=1.6, water=0.5),
    # Platform (engineering)
    Person("daniel", "Daniel Mensah", "dan", "Engineering Manager", "Platform",
           activity=1.1, bias=0.2, stress_k=0.8, general=0.8, water=0.4),
    Person("sofia", "Sofia Castellanos", "sofia.c", "Tech Lead", "Platform",
           activity=1.3, bias=0.0, stress_k=1.2, general=0.4, water=0.5),
    Person("tomasz", "Tomasz Wójcik", "tomek", "Senior Backend Engineer", "Platform",
           activity=7.0, emoji=0.45, typo=0.06, general=0.9, water=1.6,
           fixed_mood=(0.52, 0.41, 0.05, 0.02)),  # the chatty, sunny one: unmoved by the crunch
    Person("amara", "Amara Okafor", "amara", "Platform Engineer", "Platform",
           activity=1.0, bias=-0.1, stress_k=1.3, general=0.4, water=0.7),
    Person("kenji", "Kenji Watanabe", "kenji", "Backend Engineer", "Platform",
           activity=0.4, bias=0.0, stress_k=1.1, emoji=0.05, typo=0.02, general=0.15, water=0.2),
    Person("chloe", "Chloe Brennan", "chloe", "Frontend Engineer", "Platform",
           activity=0.9, bias=0.1, stress_k=1.2, emoji=0.3, general=0.5, water=1.0),
    Person("arjun", "Arjun Mehta", "arjun.sre", "Site Reliability Engineer", "Platform",
           activity=0.9, bias=-0.2, stress_k=1.1, emoji=0.05, general=0.3, water=0.3),
    Person("lena", "Lena Hoffmann", "lena", "QA Engineer", "Platform",
           activity=0.7, bias=0.0, stress_k=1.2, style="proper", emoji=0.1, general=0.3, water=0.4),
    Person("yusuf", "Yusuf Demir", "yusuf", "Backend Engineer (Contract)", "Platform",
           activity=0.6, bias=0.1, stress_k=0.9, emoji=0.1, general=0.2, water=0.2),
    # Support & operations
    Person("grace", "Grace Adeyemi", "grace", "Support Manager", "Support",
           activity=1.2, bias=0.3, stress_k=0.8, style="proper", emoji=0.2, general=0.8, water=0.5),
    Person("callum", "Callum Fraser", "callum", "Senior Support Engineer", "Support",
           activity=2.8, emoji=0.25, typo=0.07, general=0.7, water=1.4,
           fixed_mood=(0.12, 0.46, 0.30, 0.12)),  # chatty and sardonic whatever the week
    Person("meilin", "Mei Lin Tan", "meilin", "Support Engineer", "Support",
           activity=1.0, bias=0.2, general=0.4, water=0.8, given="Mei Lin"),
    Person("jamal", "Jamal Bakr", "jamal", "Support Engineer", "Support",
           activity=0.9, bias=0.0, stress_k=1.2, general=0.3, water=0.6),
    Person("niamh", "Niamh O'Sullivan", "niamh", "Support Engineer", "Support",
           activity=0.45, bias=-0.1, stress_k=1.3, emoji=0.05, general=0.15, water=0.3),
    Person("rafael", "Rafael Duarte", "rafa", "Operations Analyst", "Support",
           activity=0.7, bias=0.1, stress_k=0.8, style="proper", general=0.3, water=0.4),
    Person("hana", "Hana Kowalczyk", "hana.k", "Support Engineer", "Support",
           activity=0.9, bias=0.1, stress_k=1.1, emoji=0.3, general=0.3, water=0.6),
    # Sales
    Person("victoria", "Victoria Ashworth", "vicky", "Head of Sales", "Sales",
           activity=1.2, bias=0.1, style="proper", emoji=0.2, general=0.9, water=0.3),
    Person("marcus", "Marcus Boateng", "marcus", "Senior Account Executive", "Sales",
           activity=1.6, bias=0.2, emoji=0.35, typo=0.06, general=0.8, water=1.1),
    Person("isabel", "Isabel Ferreira", "isa", "Account Executive", "Sales",
           activity=1.0, bias=0.0, emoji=0.2, general=0.4, water=0.6),
    Person("ravi", "Ravi Subramanian", "ravi", "Account Executive", "Sales",
           activity=0.6, bias=-0.2, stress_k=1.3, emoji=0.05, general=0.2, water=0.2),
    Person("ellie", "Ellie Parkinson", "ellie", "Sales Development Representative", "Sales",
           activity=1.0, bias=0.1, stress_k=1.1, emoji=0.4, typo=0.06, general=0.5, water=1.0),
    Person("kwame", "Kwame Asante", "kwame", "Customer Success Manager", "Sales",
           activity=0.9, bias=0.2, style="proper", general=0.4, water=0.4),
    # Design (four people: below the k=5 threshold on purpose)
    Person("nadia", "Nadia Petrova", "nadia", "Design Lead", "Design",
           activity=1.2, bias=0.2, style="proper", emoji=0.2, general=0.5, water=0.5),
    Person("oliver", "Oliver Chen", "ollie", "Product Designer", "Design",
           activity=1.0, bias=0.0, emoji=0.3, general=0.4, water=0.9),
    Person("zainab", "Zainab Qureshi", "zainab", "Product Designer", "Design",
           activity=1.0, bias=0.1, emoji=0.25, general=0.3, water=0.6),
    Person("matteo", "Matteo Ricci", "matteo", "UX Researcher", "Design",
           activity=0.7, bias=0.0, style="proper", emoji=0.1, general=0.2, water=0.0),
]
for _p in PEOPLE:
    _p.id = slack_id("U", _p.key)
P = {p.key: p for p in PEOPLE}
BY_ID = {p.id: p for p in PEOPLE}

ADMINS = ["farid", "priya"]
PAUSED = "chloe"  # pauses in W43, resumes in W45
FORGOTTEN = "jamal"  # forget-me in W46, resumes in W47
NEW_JOINER = "yusuf"  # contractor, starts Monday 26 October (W44)
NEW_JOINER_START = dt.date(2026, 10, 26)


@dataclass
class Bot:
    key: str
    name: str
    handle: str
    style: str  # "classic": subtype bot_message, no user; "app": bot_id + user, no subtype
    id: str = ""
    bot_id: str = ""
    app_id: str = ""


BOTS = [
    Bot("github", "GitHub", "github", "classic"),
    Bot("pagerduty", "PagerDuty", "pagerduty", "app"),
    Bot("donut", "Donut", "donut", "classic"),
]
for _b in BOTS:
    _b.id = slack_id("U", "bot-" + _b.key)
    _b.bot_id = slack_id("B", _b.key)
    _b.app_id = slack_id("A", _b.key)
BOT = {b.key: b for b in BOTS}

# --------------------------------------------------------------------------------------
# Channels, teams, weekly volume and mood arcs
# --------------------------------------------------------------------------------------

PLATFORM = [p.key for p in PEOPLE if p.team == "Platform"]
SUPPORT = [p.key for p in PEOPLE if p.team == "Support"]
SALES = [p.key for p in PEOPLE if p.team == "Sales"]
DESIGN = [p.key for p in PEOPLE if p.team == "Design"]


@dataclass
class Channel:
    name: str
    enrolled: bool
    purpose: str
    team: str | None
    weekly: list[int]  # target messages per ISO week (top-level + replies)
    arc: list[tuple[float, float, float, float]]  # (positive, neutral, negative, stressed)
    core: list[str]  # people who post here, weights from their activity
    guests: dict[str, float] = field(default_factory=dict)  # occasional posters
    silent: list[str] = field(default_factory=list)  # members who never post here
    thread_p: float = 0.28  # chance a top-level message gets replies
    id: str = ""

    def phase(self, week: int, day: dt.date) -> str:
        if self.name == "eng-platform":
            if day > RELEASE_DAY:
                return "relief"
            return "normal" if week <= 43 else ("crunch" if week <= 46 else "relief")
        if self.name == "support-ops":
            return "outage" if (week == 43 and day >= OUTAGE_DAY) else "normal"
        if self.name == "sales-deals":
            return "early" if week <= 43 else "late"
        if self.name == "design":
            return "crunch" if week in (45, 46) else "normal"
        return "any"


def _lerp(a, b, steps):
    return [tuple(round(x + (y - x) * i / (steps - 1), 3) for x, y in zip(a, b)) for i in range(steps)]


CHANNELS: list[Channel] = [
    Channel(
        "eng-platform", True,
        "Platform engineering: route engine, ETA, tracking API, releases. Stand-ups in a thread every morning.",
        "Platform",
        weekly=[62, 64, 70, 92, 108, 118, 76],
        arc=[(0.30, 0.52, 0.11, 0.07), (0.30, 0.50, 0.12, 0.08), (0.26, 0.50, 0.14, 0.10),
             (0.16, 0.42, 0.19, 0.23), (0.10, 0.35, 0.22, 0.33), (0.09, 0.33, 0.22, 0.36),
             (0.45, 0.44, 0.07, 0.04)],
        core=PLATFORM,
        guests={"grace": 0.12, "nadia": 0.08, "kwame": 0.08, "farid": 0.05},
        thread_p=0.30,
    ),
    Channel(
        "support-ops", True,
        "Customer support and operations: queue, escalations, handovers, incidents.",
        "Support",
        weekly=[50, 50, 96, 56, 52, 50, 50],
        arc=[(0.26, 0.54, 0.12, 0.08), (0.27, 0.53, 0.12, 0.08), (0.07, 0.33, 0.30, 0.30),
             (0.20, 0.55, 0.15, 0.10), (0.26, 0.54, 0.12, 0.08), (0.25, 0.54, 0.13, 0.08),
             (0.27, 0.54, 0.11, 0.08)],
        core=SUPPORT,
        guests={"arjun": 0.15, "sofia": 0.08, "kwame": 0.12},
        thread_p=0.30,
    ),
    Channel(
        "sales-deals", True,
        "Sales and customer success: pipeline, demos, proposals, renewals, wins.",
        "Sales",
        weekly=[34, 35, 36, 38, 41, 43, 46],
        arc=_lerp((0.12, 0.46, 0.28, 0.14), (0.47, 0.44, 0.06, 0.03), 7),
        core=SALES,
        guests={"maggie": 0.18, "grace": 0.05},
        thread_p=0.30,
    ),
    Channel(
        "design", True,
        "Product design and research. Figma links, crits, research sessions.",
        "Design",
        weekly=[12, 12, 13, 14, 15, 15, 12],
        arc=[(0.32, 0.52, 0.10, 0.06)] * 4 + [(0.20, 0.45, 0.15, 0.20)] * 2 + [(0.38, 0.50, 0.08, 0.04)],
        core=DESIGN,
        silent=["farid"],  # joins only to enrol the channel; never writes here
        thread_p=0.30,
    ),
    Channel(
        "general", True,
        "Company-wide announcements and chat. Everyone is here.",
        "Company",
        weekly=[30, 28, 32, 28, 28, 30, 40],
        arc=[(0.36, 0.56, 0.06, 0.02)] * 2 + [(0.22, 0.62, 0.12, 0.04)] + [(0.36, 0.56, 0.06, 0.02)] * 3
            + [(0.50, 0.45, 0.04, 0.01)],
        core=[p.key for p in PEOPLE],
        thread_p=0.30,
    ),
    Channel(
        "watercooler", False,
        "Off-topic: food, weekends, pets, the bake-off. Not enrolled in Teamweather.",
        None,
        weekly=[16, 16, 14, 16, 15, 14, 18],
        arc=[(0.40, 0.42, 0.12, 0.06)] * 7,
        core=[p.key for p in PEOPLE if p.water > 0],
        thread_p=0.35,
    ),
]
for _c in CHANNELS:
    _c.id = slack_id("C", _c.name)
CH = {c.name: c for c in CHANNELS}

TEAMS = [
    ("Platform", ["eng-platform"], ["daniel"]),
    ("Support", ["support-ops"], ["grace"]),
    ("Sales", ["sales-deals"], ["victoria"]),
    ("Design", ["design"], ["nadia"]),
    ("Company", ["general"], ["maggie"]),
]

MOODS = ("pos", "neu", "neg", "str")

# --------------------------------------------------------------------------------------
# Message pools. One template per line; "\n" inside a line is a line break in the message.
# Slots: {m} {m2} mention of a colleague in the channel, {n} {n2} a colleague's first name,
# {h} a colleague's handle, {full} a colleague's full name, {ch:NAME} a channel link,
# {jira} {jira2} issue keys, {prurl} a pull-request link, {tkt} {tkt2} support tickets
# (long digit runs), {inc} the incident id, {cust} {cust2} customers, {email} a customer
# contact's address, {phone} a phone number, {url_*} links, {bare_url} an unlinked URL,
# {ver} {rc} versions, {amt} money, {days} days to the release, {order} an order number,
# {time} {day} {num} small things, {svc} a service, {trace} a trace id.
# A line may start with "~" (daytime only: never in a late-evening session), "!" (used once:
# a life event), "[a|b]" (only these people post it: announcements) and "(before MM-DD)" or
# "(after MM-DD)" (only before or after that day in 2026). Lines with {days} are never used on or after release day.
# --------------------------------------------------------------------------------------


def _pool(text: str) -> list[str]:
    out = []
    for line in text.strip("\n").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.replace("\\n", "\n"))
    return out


POOLS: dict[tuple[str, str, str], list[str]] = {}


def pool(channel: str, phase: str, mood: str, text: str) -> None:
    POOLS.setdefault((channel, phase, mood), []).extend(_pool(text))


# ---------------------------------- eng-platform ------------------------------------

pool("eng-platform", "any", "pos", r"""
{prurl} is merged :tada: thanks for the quick review {m}
nice one {n}, the geocoder cache took p95 from 840ms to 210ms 🔥
main is green again 🙌
shoutout to {m} for pairing on the retry logic, would have taken me all day alone
deploy of route-engine {ver} went out clean, zero errors in the first 30 min :+1:
love this refactor {m}, the diff is -900 lines and everything still passes
good catch on the off by one {n}. that would've been a fun one to find in prod
ok the new CI cache is magic, build went from 14 min to 4 :rocket:
TIL you can put a partial index on a jsonb key. mind blown
the fix for {tkt} is out and the customer confirmed it works :white_check_mark:
~(before 10-23)pairing with {m} this morning was great, finally understand how the kafka consumer groups are set up
that's a really clean PR {n}, tests read like documentation
demo to product went really well, they loved the live re-routing prototype :tada:
thanks for jumping on that page last night {n}, you're a star
nice, error budget for tracking-api is back above 90% for the month
whoever wrote the new `make dev` script, thank you, onboarding my laptop took 10 minutes
the postgres upgrade on staging went perfectly, not even a blip 👌
just read {url_docs:eng/oncall-handbook}, great writeup {n}. bookmarked
we're under the infra budget for the first time this year 🎉
~really enjoyed the arch review today, good discussion
{m} you absolute legend, that flamegraph found the problem in 5 minutes
benchmarks on the new eta model look really promising, 11% better on multi-drop
feels good to finally close {jira} after 3 months 😌
""")

pool("eng-platform", "any", "neu", r"""
~morning all
~morning :wave:
going to kill the stuck migration job on staging and rerun it, shout if you're using staging right now
the build is broken because of a dependency bump — fixing
can someone review {prurl}? small one, adds a feature flag for the eta smoothing
{m} do you know who owns the billing-sync cron?
~fyi moving the weekly arch sync to thursday 2pm
~heads up: postgres minor upgrade on staging at 3pm, ~10 min downtime
anyone know why `make seed` pulls the whole osm extract? takes forever
~we need to terminate the old worker pool before friday, I'll do it after lunch
rebased, should be mergeable now
pushed a fix for the flaky test, can you rerun the pipeline {n}?
~lunch, back in 30
~off to the dentist, back around 3
wfh today, ping me here
does anyone have the link to the geocoder runbook? wiki search is useless
trace for the slow request is `{trace}` if anyone wants a look
I'll take {jira}, it's next to what I'm doing anyway
we're deprecating the v1 tracking endpoint in january, ticket is {jira}
{m} what's the status on the redis upgrade?
ack, looking
killing the process fixed it, looks like a deadlock in the old worker. raising a ticket
customer ticket {tkt} might be ours, eta-service returns 0 minutes for multi-drop routes
can we bump the integration test timeout? 30s is too tight for the routing fixtures
~merged, will deploy after standup
q: do we still need the `legacy_stops` table? nothing reads from it as far as I can tell
~heads down on the eta work till 2, dm if urgent
PSA: rotate your AWS keys, the old ones expire monday
who's on call tonight?
`curl -s https://api.kestrelroute.example/v2/health | jq .` says ok from here
{n} your PR needs a changelog entry btw
capacity review notes: primary db at 62%, we're fine until Q2
who touched the linter config :eyes:
{jira} should be done end of day tomorrow
I'll update the dashboard link in the runbook, it still points at the old grafana
dashboard for the kafka lag: {url_grafana}
dropping the `debug_routes` flag, it's been on 100% for a month
{m} can you give me access to the prod read replica? need it for {jira}
restarting the eta pods, they're holding stale config
for context: {url_gh_issue}
the support team says {cust} sees duplicate stops after import, anyone seen that before? → {ch:support-ops}
writing up the ADR for the new queue, draft in {url_docs:eng/adr-017-queue}
I've set the staging feature flags back to defaults
cpu on the geocoder is spiky but within limits, not going to touch it today
can I get a second pair of eyes on this sql? the planner does a seq scan and I don't see why
dependabot opened 14 PRs overnight, I'll batch the safe ones
the tracking map uses the old tiles on staging, that's expected until {jira} lands
git bisect says the regression came in with {prurl}
ok going to nuke my local db and start fresh
~I'll be a bit late to standup, train's stuck outside leeds
fyi the office wifi blocks our staging vpn again, use the hotspot
""")

pool("eng-platform", "any", "neg", r"""
main is broken again and nobody is looking at it. cool cool cool
staging db got wiped. again. who ran the reset script
honestly the review queue is painful, 3 days for a 10 line change
the geocoding vendor is down AGAIN, third time this month :face_with_rolling_eyes:
ugh, flaky test failed my merge for the 4th time today
another meeting that could have been a message
not thrilled that our estimates got turned into deadlines
I really don't like skipping the load test. this is how we get paged at 3am
docker desktop update broke my whole setup, half a day gone
love it when a "tiny" product change needs a schema migration. love it
that incident was avoidable tbh, we flagged exactly this in the last retro
why is the CI runner out of disk again :sob:
third time the requirements changed this week 🙃
kind of annoyed we found out about the deadline from a sales deck
the vpn dropped me 6 times this morning, I give up
this codebase has three different date libraries and all of them are wrong
we keep saying we'll fix the flaky e2e suite and we keep not doing it
not a fan of merging without review just because we're in a hurry
""")

pool("eng-platform", "any", "str", r"""
bit behind today, juggling too many things
I'm stretched pretty thin with on-call plus {jira}
sorry for the slow reviews, drowning a bit this week
~might need to skip lunch to get {jira} done
worried I won't get {jira} done before my week off
""")

pool("eng-platform", "crunch", "pos", r"""
{rc} passed the full regression suite 🎉
load test at 1200 rps with p99 under 900ms!! finally
thanks for the pizza {n} 🍕
we closed 11 bugs today, that's a record for this release
(before 11-12)migration dry run finished in 38 minutes, inside the window :tada:
honestly proud of how we're pulling together on this one
P1 count is down to 2 :muscle:
{n} found the race condition in dispatch, absolute hero
(before 11-12)the re-routing demo for northgate went great, they're really excited
staging has been stable for 48h straight 🤞
""")

pool("eng-platform", "crunch", "neu", r"""
(before 11-06)code freeze is friday 17:00, anything not merged by then goes to 5.1
release checklist is here {url_docs:eng/5-0-release-checklist}
~bug bash at 2pm, link in the calendar invite
~(before 11-12)go/no-go meeting moved to 4pm
(before 11-12)I'm taking {jira} off {n}'s plate
P1 count: 7 → 5
staging is on {rc} now
hotfix branch cut from {rc}
who's got the eta regression? need an owner for {jira}
~{m} can you pair with me on the migration script after lunch?
running the full e2e suite against {rc}, results in ~40 min
I've moved everything non-5.0 to the backlog column
load test kicked off, grafana: {url_grafana}
I'll take the release notes, send me anything customer-facing
~{days} days to release. triage at 10 tomorrow
(before 11-06)dropping {jira} from 5.0, agreed with product
reverting {prurl}, it breaks the android driver app
need a reviewer for {prurl}, release blocker
daily release sync notes: {url_docs:eng/5-0-release-sync}
(before 11-11)northgate want the release notes by wednesday, {n} can you help with wording?
""")

pool("eng-platform", "crunch", "neg", r"""
{rc} is broken, the migration fails halfway through
load test results are bad, p99 at 4s under normal traffic
product just asked for one more "small" change to 5.0. of course they did
we're cutting corners and everyone knows it
another P1 from QA, the driver app crashes on android 11 :face_palm:
the release date was never realistic and now we're paying for it
rollback of {rc} on staging because someone pushed without running the tests
this scope creep is getting ridiculous
the dispatch queue is dropping events under load and nobody knows why
we found 4 new bugs in code that was "done" last week
staging is down, again, right before the bug bash
whoever decided the release date without asking engineering owes us all a weekend
""")

pool("eng-platform", "crunch", "str", r"""
fine, I'll just do it tonight again
I've got 14 tickets on my name and release is in {days} days. not sure how that math works
~haven't had a proper lunch all week tbh
is anyone else running on 4 hours of sleep or just me
(before 11-06)I'm behind on everything and the freeze is friday :grimacing:
(before 11-12)really worried the migration won't finish inside the maintenance window
brain is mush, logging off. will pick up the flaky e2e in the morning
can't keep doing these late nights, I'm starting to make dumb mistakes
I keep waking up at 4am thinking about the dispatch race condition
(before 11-12)just cancelled my weekend plans. again. release first I guess
(before 11-12)if one more thing gets added to 5.0 I'm going to lose it
~not going to make it to the retro, still fighting the eta regression 😩
still here. the load test keeps falling over at 800 rps and I have no idea why
pretty overwhelmed tbh, can we drop something from the scope?
~(before 11-12)skipping lunch again, need the migration tested before go/no-go
my partner asked if I still work here or live here
I'm fried. three prod fixes today and the release branch won't build
not sleeping well, the release is all I think about
sorry {m}, I dropped the ball on your review, too many plates spinning
release is in {days} days and we still have 9 P1s open. I'm anxious about this one
(before 11-12)feels like we're one bad deploy away from missing it
I can't focus, every time I fix one thing two more break
my head is pounding, been staring at this migration since 7am
honestly don't know how we're going to get all of this done
~I'll be online late again tonight, ping me if the nightly build fails
three nights this week past midnight. I'm running on fumes
~doing standup from bed because I only went to sleep at 2 😵
I'm so tired I just force pushed to the wrong branch. fixed, but wow
(before 11-12)I need someone to take something off me, I can't carry {jira} and the migration
(before 11-12)dreading the go/no-go tomorrow
sorry if I'm short with people, it's the sleep
feel like I'm letting the team down, the eta bug is still there
""")

pool("eng-platform", "relief", "pos", r"""
5.0 has been live for {live_days} days and not a single P1. really proud of this team
slept 9 hours last night. highly recommend
(after 11-17)retro was actually good, nice to talk about what went wrong without blame
northgate's ops lead sent a thank-you email, forwarding it to {ch:general}
back to a normal pace feels weird but good 😌
kudos to {m} for the migration rescue on release night
error rates have been flat since release, dashboards are boring again :tada:
finally had lunch away from my desk. outside. in daylight
the tech debt week in december is approved 🙌
first on-call week in ages with zero pages
love that {cust} are already using the re-routing feature with real drivers
we shipped it. we actually shipped it 🚀
thank you all for the last few weeks, I know it was a lot
the support team says tickets are down 20% since the release, that's wild
having a quiet day of code review and it's lovely
""")

pool("eng-platform", "relief", "neu", r"""
(after 11-17)retro action items are in {url_docs:eng/retro-notes}
5.0.1 goes out at 11, just the copy fixes and the android banner
let's plan the tech debt week for december, dump ideas in the doc
post-release metrics dashboard: {url_grafana}
I'm back on {jira} now that things are calm
who wants to pick up the flaky e2e cleanup? it's finally on the roadmap
planning for 5.1 kicks off monday, no need to prep anything
removing the release freeze from the branch protection rules
taking friday off to recover, see you monday :palm_tree:
archiving the 5.0 release board
lowering the alert thresholds back to normal
can we write down the migration lessons while we still remember them? {url_docs:eng/5-0-migration-lessons}
""")

pool("eng-platform", "relief", "neg", r"""
still a bit annoyed we had to crunch at all, this can't happen again in Q1
the 5.1 scope already looks too big to me 😬
we skipped so many tests for 5.0 that I don't trust half the new code
""")

pool("eng-platform", "relief", "str", r"""
still catching up on sleep tbh
bit worried about the 5.1 date already
""")

# ---------------------------------- support-ops -------------------------------------

pool("support-ops", "any", "pos", r"""
queue at zero!! first time in weeks 🎉
{cust} just left a 5 star CSAT for {n} :star-struck:
thanks {m} for covering my shift, owe you one
the new macro for password resets is saving me so much time
customer at {cust} said we're "the only vendor who actually picks up the phone". love that
nice work on {tkt}, that was a gnarly one
{cust} renewed their support plan and mentioned {n} by name 😊
handled 40 chats today and every single one was polite. is it christmas
great callback with {cust}'s dispatch team, they're really happy with the fix
huge thanks to eng for turning {tkt} around in an hour 🙏
the knowledge base article on driver logins cut those tickets in half
first response time this week: 9 minutes. best we've ever had
{n} that reply to {cust} was perfect, saving it as a template
shoutout to {m} for staying calm with that caller, I would not have
csat for the month is 94% :tada:
""")

pool("support-ops", "any", "neu", r"""
morning! queue: {num} open, 2 P2s, nothing urgent
morning all, I'm on phones till 11
taking {tkt} ({cust}, drivers can't log in after the app update)
escalating {tkt} to eng, looks like an eta bug → {ch:eng-platform}
customer called from {phone}, wants a callback about their invoice
can someone with billing access check {email}'s account? they say they were charged twice
handover: {tkt} waiting on customer, {tkt2} needs a refund approval from {n}
kill the session and ask them to log back in, that usually clears it
if the driver app shows error 4031 it's the expired token thing, macro is "Driver app token"
{cust} want a call about their SLA, I've booked it for thursday
closing {tkt}, customer confirmed the fix
I'll be on the phones 2-4
updated the known issues page {url_docs:support/known-issues}
ticket {tkt2} is a duplicate of {tkt}, merging
{m} can you take the chat queue while I'm in the training?
who's on the late shift friday?
reminder: CSAT survey goes out automatically, don't send it manually
{cust} sent a screenshot with an order number {order}, can't find it in the system, checking with eng
new starter at {cust} needs an admin account, request from {email}
{cust} asked if we support bulk CSV import of stops. we do, sent them the guide
the phone line had a 2 min queue at 9, fine now
lunch, back at 1:30
their depot manager's direct line is {phone} if anyone needs to call back
is the tracking map slow for anyone else or is it my laptop?
bug report from {cust}: ETAs jump by 20 min when a driver pauses. logged as {jira}
{tkt} is actually a feature request, moving it to the product board
rota for next week is pinned at the top
I'm out tomorrow afternoon, {n} has my open tickets
escalated {tkt} to tier 2, logs attached
can someone remind me how to reset a depot's geofence?
killing the stuck import job for {cust} and re-running it
{cust} have a new ops contact, {email}, updating the CRM
monthly report for {cust} is in the shared drive
weekly numbers: {big} tickets in, {big} solved, median first reply 14 min
customer is asking for the API docs link, it's {bare_url} right?
""")

pool("support-ops", "any", "neg", r"""
customer at {cust} just called me useless for something that's literally their config 🙃
the refund tool timed out again, had to do it by hand
third ticket today about the same bug, can eng please prioritise {jira}
not a fan of hearing about releases after customers are already complaining
this macro is wrong and has been wrong for weeks
we promised {cust} a fix by friday and it's not happening, that's on us
the phone system dropped 3 calls in a row this morning. brilliant
{cust} threatening to leave over a bug we reported in august
the new ticket form is so much worse than the old one
why do customers always call at 16:58 with a P1
love being the last to know when the API changes
got shouted at for 20 minutes about something sales promised them
""")

pool("support-ops", "any", "str", r"""
queue is at 47 and I'm alone on chat till 11, send help
I've been on the phone for 3 hours straight, my voice is gone
can't keep up, tickets are coming in faster than I can close them
so behind on follow-ups that it's making me anxious
I've got 22 open tickets and it's only {today} 😬
no lunch again today, the queue won't stop
""")

pool("support-ops", "outage", "pos", r"""
thank you {m} for taking the angry calls, you're a saint
credits went out to everyone, at least that part was smooth
the {cust} ops director actually thanked us for the updates. small wins
eng turned the root cause around really fast to be fair
""")

pool("support-ops", "outage", "neu", r"""
status page updated: {url_status}
template reply for the outage is pinned, please use it
eng says root cause was the certificate rotation on the tracking-api load balancer
{inc} is mitigated, monitoring
logging affected customers in the sheet {url_sheet}
credits: 1 day of service for anyone on the business plan, approved by {n}
{cust} asking for an RCA, told them end of week
if a driver app still shows the red banner, force close and reopen
I've tagged all outage tickets with `inc-tracking`, {num} so far
{n} can you send me the list of accounts that got credits?
postmortem is on {day}, support is invited
customer call at 2 with {cust} about the outage, I'll take it
""")

pool("support-ops", "outage", "neg", r"""
this is bad. {cust}'s drivers have been blind since 7am
customers are furious and honestly fair enough
we had no status page update for 2 hours, that's really not ok
{cust} says they'll invoice us for the overtime their drivers did. great
the worst part is we told them last month this couldn't happen again
three customers asking for their money back and I don't blame them
this outage is going to cost us renewals, I can feel it
another complaint about the outage, this one cc'd their CEO
""")

pool("support-ops", "outage", "str", r"""
I've had 30 calls in two hours, I'm shaking
haven't been off the phone since 7. can someone take the chat queue
dreading tomorrow's follow-ups
I can't take another angry call today
my hands are actually trembling, that last caller was awful
I'm exhausted and there are still 60 tickets in the outage queue
I'm so stressed about the {cust} renewal now
barely slept, kept thinking about the callbacks I still owe
""")

# ---------------------------------- sales-deals -------------------------------------

pool("sales-deals", "any", "pos", r"""
just booked a demo with {cust} for thursday :tada:
{cust} renewed for 2 years!!
great call with {cust}'s ops team, they loved the ETA accuracy numbers
nice job on the proposal {n}, crisp and short
the new case study is working, 3 inbound leads mentioned it
{cust} said yes to a paid pilot 🙌
first meeting with {cust} went really well, second one booked already
loved the objection handling on that call {n}, learned a lot
{m} your discovery notes are so good, made the proposal easy
trial accounts converting at 40% this month :chart_with_upwards_trend:
inbound from the webinar is way higher than expected
{cust} sent over a signed order form 🖊️
""")

pool("sales-deals", "any", "neu", r"""
updated the forecast sheet {url_sheet}
{cust} asked for a security questionnaire, anyone have the latest version?
who's covering the trade show stand on wednesday?
sending the proposal to {email} this afternoon
call with {cust} moved to 3pm
their procurement wants net 60, I said I'd check with {n}
can I get a sandbox account for {cust}'s pilot?
the number on their website is dead, try {phone}
CRM notes are in, deal id {order}
pipeline review at 10 on monday, please update your stages before then
{m} do you have the pricing sheet with the multi-depot discount?
{cust} want references from another grocer, who can I ask?
{cust} use routewise today, contract ends in march
demo recording is here {url_zoom}
I'm at the {cust} depot all day tomorrow, slow replies
can someone sanity check my ROI numbers before I send them?
{cust}'s champion moved to a new company, new contact is {email}
lead from the website: {email}, 60 vans, based in york
kwame can you join the {cust} call on thursday for the onboarding bit?
do we have a one pager on the re-routing feature yet?
logging the {cust} call now
their IT wants SSO, told them it's on the enterprise plan
quote {order} sent to {cust}
{cust} asked about 5.0 dates, I said november, is that still right?
""")

pool("sales-deals", "any", "neg", r"""
lost {cust} to routewise. price, again
{cust} went dark after the demo, third follow-up with no reply
the outage came up on my {cust} call, not great
discounting to 30% just to get a meeting is not a strategy
{cust} want features we won't have until next year
legal has had the {cust} contract for 2 weeks now
{cust} pushed the decision to january. of course
the CRM ate my notes again 😤
I hate cold calling on mondays
the demo environment crashed in front of {cust}. mortifying
""")

pool("sales-deals", "any", "str", r"""
back to back calls since 8, haven't eaten
three proposals due friday and I haven't started the third
so many follow-ups I'm losing track, worried I'm dropping leads
""")

pool("sales-deals", "early", "neg", r"""
pipeline's thin for Q4 and everyone knows it
missed target for october. not fun
second deal this month lost on price
our win rate against routewise is really bad this quarter
nobody is picking up the phone this week, it's grim
{cust} said our pricing page is confusing and honestly they're right
""")

pool("sales-deals", "early", "str", r"""
I'm at 40% of quota with 9 weeks left, starting to panic a bit
forecast call with maggie tomorrow and I've got nothing new to say. dreading it
can't stop thinking about the numbers, it's keeping me up
feeling the pressure on Q4 already and it's only october
""")

pool("sales-deals", "late", "pos", r"""
closed-won: {cust}, {amt} ARR :moneybag:
pipeline for next quarter looks way healthier than I expected
the 5.0 re-routing demo is landing every time, {cust} loved it
that's 3 deals this week 🔥
{cust} signed the expansion, all 4 depots now :tada:
above target for the month, first time this year!!
{cust} asked to move the start date *forward*. never had that before
honestly this is the most fun I've had in sales in ages
{cust} want to be a case study 😍
great teamwork on {cust}, everyone pitched in
""")

pool("sales-deals", "late", "neu", r"""
{cust} contract is with legal, should be signed by friday
order form for {cust} sent, {amt} ARR
onboarding kickoff for {cust} is booked for the 23rd, {n} owns it
added the 5.0 slides to the deck, link {url_docs:sales/deck-5-0}
{cust} want a reference call with northgate, asking them now
prices go up in january, worth mentioning on calls
""")

# ---------------------------------- design ------------------------------------------

pool("design", "any", "pos", r"""
new re-routing flow is in figma {url_figma}, feedback very welcome :sparkles:
research session with two drivers this morning, so insightful
love what you did with the empty states {n}
the devs implemented the stop list pixel perfect, happy designer
crit was really good today, thanks all
{n} the new icons are gorgeous 😍
drivers in the usability test found the new banner straight away 🙌
nice, the design system docs finally have the colour tokens
""")

pool("design", "any", "neu", r"""
handoff for the driver app banner is ready for {m}
can someone review the dispatch table spacing before I send it to eng?
research notes from today: {url_docs:design/research/driver-interviews}
I'm booking 5 more driver interviews for next week
crit at 2, bring whatever you're working on
moving the onboarding flow to the new components
{m} do we have an icon for "paused route"?
figma link for the settings page: {url_figma}
recruiting screener for the dispatcher study is out
working from the leeds depot tomorrow for the shadowing session
updated the prototype, same link
heads up, the brand fonts changed in the library
who's got the latest copy for the ETA tooltip?
accessibility check on the map colours: {url_docs:design/a11y-map-colours}
""")

pool("design", "any", "neg", r"""
devs shipped the spacing wrong again 😑
product changed the flow after we finished the prototype, back to square one
the research budget got cut, down to 3 sessions
nobody reads the handoff notes, what's the point
the map colours fail contrast and it's going out like that anyway
""")

pool("design", "any", "str", r"""
bit overwhelmed with the handoffs this week
""")

pool("design", "crunch", "neu", r"""
going through the release build on my phone, notes in the sheet
{m} can you check the dark mode colours on the new banner?
eng asked for the final icon exports, sending now
marked the QA issues that block release with a red label
""")

pool("design", "any", "neu", r"""
synthesis of the dispatcher interviews is up {url_docs:design/research/dispatcher-synthesis}
new empty state illustrations are in the library
sharing my screen in the crit in 5
booking the usability lab for thursday
{m} what's the min tap target we agreed for the driver app? 44 or 48?
the persona posters are up in the kitchen 🙂
""")

pool("design", "crunch", "neu", r"""
design QA for 5.0: I'll take the driver app screens
found 14 visual bugs on staging, logged them all in {jira}
we need to agree which of the QA bugs are release blockers
""")

pool("design", "crunch", "neg", r"""
the release build looks nothing like the designs and there's no time to fix it
half the QA issues are getting closed as "won't fix"
""")

pool("design", "crunch", "str", r"""
design QA for 5.0 is 60 screens in 2 days, I'm drowning
I'm behind on everything because of the release QA
worried we'll ship the dispatch table with the broken states
can't look at another screenshot today, my eyes are done
""")

# ---------------------------------- general -----------------------------------------

pool("general", "any", "pos", r"""
there's cake in the kitchen for {n}'s birthday 🎂
the new coffee machine is here :coffee: :tada:
thank you to whoever restocked the snack drawer 🙏
!huge congrats to {m} on passing the AWS cert 🎉
welcome back {n}! hope the holiday was lovely
team lunch was great, thanks for organising {n}
the office plants are thriving thanks to {n}'s watering rota 🌱
really enjoyed the all-hands, great to hear what every team is up to
lovely email from a customer today, posting it here because it made my morning
!congratulations to {m} on the new baby 💛
!thanks everyone for the leaving card ideas, she loved it
""")

pool("general", "any", "neu", r"""
good morning everyone
[farid]wifi on the 2nd floor is being replaced tomorrow 8–9am
[owen]please submit expenses by the 25th
[owen]fire drill on wednesday at 11
[priya]benefits enrolment closes friday, details: {url_docs:people/benefits-2027}
the car park barrier is stuck open, facilities know
can whoever borrowed the HDMI adapter from meeting room 2 bring it back pls
[maggie|priya]reminder: all-hands thursday at 4, zoom link {url_zoom}
[owen]the kitchen dishwasher is out of tablets, ordered more
lost property: a blue umbrella and one glove, on the reception desk
anyone driving to the york office on friday? need a lift
[owen]payroll is going out a day early this month
[farid]IT reminder: laptop updates will be forced on friday night, please restart before then
[victoria|kwame|marcus|maggie]visitors from {cust} in the office tomorrow, meeting room 1 is booked all day
[farid|owen]the printer on 1 is fixed
[priya]new starters' lunch is on the 28th, everyone welcome
please don't leave food in the fridge over the weekend
[owen]office is open 8–6 next week, building maintenance on saturday
[priya]the shared calendar for holidays is here {url_docs:people/holiday-calendar}
{m} who do I ask about a new monitor?
[priya]quick poll for the christmas party: thursday 10th or friday 11th? react below
""")

pool("general", "any", "pos", r"""
[priya]thank you to everyone who filled in the benefits survey, 87% response rate 🙏
[maggie]Lovely note from Northgate's ops team about how quickly support picked up their calls this week. Thank you all.
!the leeds tech meetup loved {n}'s talk on route optimisation, well done 👏
congrats to the support team on the csat numbers this month 🎉
!{m} just ran their first half marathon, 1:52!! 🏃
the new standing desks on the 2nd floor are great, thanks {n}
!welcome to the world, baby Hattie 💛 congratulations {n}!
the sun is actually out today :sunny:
big thanks to {m} for fixing the meeting room screens, life changing
""")

pool("general", "any", "neu", r"""
[farid]reminder: never share your password, IT will never ask for it. if in doubt forward it to {email}
[farid]new phishing test going out this week, report anything suspicious with the button in outlook
[owen]the mail room closes at 3 on fridays now
[owen]water cooler on the 1st floor is being replaced tomorrow
[priya]mental health first aiders are listed on the wiki {url_docs:people/mental-health-first-aiders}, they're there for everyone
[priya]flu jab vouchers are available, DM me if you want one
[owen]meeting room 3 is out of action tomorrow morning, the ceiling tile is being fixed
[maggie|priya]friendly reminder to book your remaining holiday before the end of the year
[farid]2FA is now mandatory for the VPN. setup guide: {url_docs:it/vpn-2fa}
[owen]reminder that the car park is closed on saturday for resurfacing
[priya]if you haven't done the security awareness training yet, it's due by the 30th
does anyone know who organises the christmas party this year?
is there a microwave free on 2 or are they all taken again?
does anyone have a spare laptop charger I can borrow till tomorrow?
who's in the office on friday? thinking of doing pizza
anyone know the guest wifi password?
what time does the building close tonight?
taking a long lunch, back at 2:30
reminder the big room is booked all afternoon for interviews
""")

pool("general", "any", "neg", r"""
the heating is broken again, it's 16 degrees in here 🥶
the parking situation is getting ridiculous
the lifts are out again, 4 flights with a laptop bag :sob:
someone took my labelled lunch from the fridge. not cool
""")

pool("general", "any", "str", r"""
apologies for slow replies today, my calendar is wall to wall
""")

# ---------------------------------- watercooler (not enrolled) ----------------------

pool("watercooler", "any", "pos", r"""
anyone watching the bake off final tonight? 🍰
lunch at the thai place? leaving at 12:30
!my cat knocked the monitor off my desk in the middle of a client call 😂
the donut bot paired me with {n} again, third time. fate
!just got engaged!!! 💍
parkrun on saturday anyone? it's flat, I promise
!the sourdough is finally rising, 4 attempts later 🍞
!booked flights to lisbon for march, can't wait
the new ramen place on call lane is incredible, go
!my kid said his first word and it was "van". he's a logistics man
""")

pool("watercooler", "any", "neu", r"""
does anyone know a good mechanic near headingley?
what's everyone reading at the moment?
recommendations for a podcast for the commute?
is the canteen open today?
found a charger in meeting room 3, is it yours {n}?
who left the brownies in the kitchen, are they for sharing?
anyone got a spare ticket for saturday's match?
!selling my old bike if anyone wants it, £80
whose dog was in reception this morning, asking for a friend
the tram is delayed again fyi
""")

pool("watercooler", "any", "pos", r"""
!passed my driving test!!! third time lucky 🚗
!the allotment produced a pumpkin the size of a wheelbarrow 🎃
!my team won the pub quiz last night, we're insufferable now
the sun is out, everyone go outside for 5 min ☀️
!first frost this morning, the garden looks magical
!finally finished the 1000 piece puzzle, only took 3 months
!my daughter's school play was adorable, she was a sheep 🐑
anyone else absolutely loving the new series of taskmaster?
the bakery by the station does a cinnamon bun that changed my life
!adopted a rescue greyhound at the weekend, his name is biscuit 🐕
""")

pool("watercooler", "any", "neu", r"""
best place for a haircut round here?
anyone know if the christmas market opens this weekend?
what's the verdict on the new burrito place?
is anyone else's home broadband awful today?
does anyone want to split a veg box subscription?
recommendations for a kids' birthday party venue?
who's doing movember this year?
fantasy football league is up, link in the thread
which cafe does oat milk without charging extra?
!anyone got a ladder I can borrow this weekend?
is it me or is the office freezing today?
""")

pool("watercooler", "any", "neg", r"""
!bin men skipped our street again, third week running
!got a parking ticket outside my own house. my OWN house
my train home was cancelled twice last night 😤
!my boiler broke, cold showers until thursday
!the neighbours have had builders in since 7am every day for a month
""")

pool("watercooler", "any", "neg", r"""
!my landlord is putting the rent up 20%, I'm so done
the trains this week have been a joke
!my daughter has chickenpox so I'm wfh and barely sleeping
!car failed its MOT. £600. brilliant
!dentist says I need a root canal, kill me now
""")

pool("watercooler", "any", "str", r"""
!got my blood test back, doc wants to see me again. trying not to worry
!moving house on saturday and nothing is packed 😰
!my mum's in hospital again so I'm all over the place this week, sorry if I'm slow
""")

# ---------------------------------- thread replies ----------------------------------

REPLIES: dict[str, list[str]] = {
    "pos": _pool(r"""
amazing 🎉
nice!!
:tada:
legend
🙌
thank you!!
great work
love it
huge
🙏
:raised_hands:
this is so good
woo
yesss
congrats!!
🔥🔥
well done {n}
brilliant, thanks
you're a star
:clap: :clap:
best news all week
that's fantastic
"""),
    "neu": _pool(r"""
ok
👍
:+1:
ack
thanks
ty
👀
makes sense
+1
:eyes:
same here
ok cool
noted
sounds good
good to know
ty for the heads up
interesting
"""),
    "support": _pool(r"""
oof
that's rough
want me to take a few?
shout if you need a hand
I can help after lunch
ugh, sorry
I'll take the next couple
yeah, same
hang in there
fair
"""),
    "ack": _pool(r"""
on it
will do
done
looking
yep
sure, give me 5
np
✅
can do after lunch
I'll check
which one?
link?
let me have a look
good q, not sure
I think {n} knows
ping me when it's ready
sorry, missed this. looking now
👀
"""),
    "neg": _pool(r"""
ugh
oh no
not again
:face_palm:
that's annoying
😒
classic
cool cool cool
seriously?
👎
this is getting old
yeah that's not great
again??
🙄
of course it is
that's so frustrating
"""),
    "str": _pool(r"""
😩
same, I'm swamped
:sob:
I can't take another one today
I'll try but I'm maxed out
tonight again I guess
pls no
help
same. barely keeping up
I'm so tired
not sure I have the bandwidth tbh
😵‍💫
I'll look after my next three meetings 🫠
"""),
}

SOCIAL_REPLIES: dict[str, list[str]] = {
    "pos": _pool(r"""
haha amazing
😂
love this
congrats!!
🎉
aww 💛
yesss
that's brilliant
ooh nice
😍
count me in
"""),
    "neu": _pool(r"""
haha
ooh
👀
+1
ha, classic
nice
"""),
    "answer": _pool(r"""
no idea sorry
I think it's open till 2
not me sorry
I'll check and let you know
depends on the day tbh
ask {n}, they'll know
yes!
me 🙋
good q
I asked the same last week, nobody knew 😅
try the one by the station
"""),
    "neg": _pool(r"""
ugh, sorry
that's rubbish
oh no 😬
nightmare
😤
that's awful
"""),
    "str": _pool(r"""
oh no, hope it's ok 💛
take care of yourself
sending good vibes
that's a lot, shout if you need anything
"""),
}

CHANNEL_REPLIES: dict[tuple[str, str], list[str]] = {
    ("eng-platform", "ack"): _pool(r"""
after standup?
lgtm
approved
left a couple of nits, nothing blocking
rerunning CI
reverted
deployed to staging
I'll pair with you after lunch
can you add a test for the empty route case?
pushed a fix
which env?
logs?
is this behind the flag?
"""),
    ("eng-platform", "str"): _pool(r"""
I'll pick it up tonight
add it to the pile 😅
I can look at 10pm if nobody else can
we don't have time for this
"""),
    ("support-ops", "ack"): _pool(r"""
taking it
assigned to me
customer replied, closing
I'll call them back
macro sent
escalated
waiting on eng
"""),
    ("sales-deals", "ack"): _pool(r"""
I'll send you the deck
added to the CRM
booked
sent
I'll loop in kwame
"""),
}

# What visitors from other teams post (top-level) in a team's channel.
GUEST_POOLS: dict[tuple[str, str], list[str]] = {
    ("eng-platform", "grace"): _pool(r"""
hi eng, {cust} report ETAs jumping by 20 min when a driver pauses, {tkt}. could someone take a look?
thanks for the quick fix on {tkt}, the customer is really happy
heads up from support: we've had 6 tickets this morning about driver logins, collecting them in {tkt}
is there a rough date for the 5.0 release notes? support would love to read them before customers do
"""),
    ("eng-platform", "nadia"): _pool(r"""
handoff for the new route timeline is ready {url_figma}, shout if anything is unclear
could someone from eng join our crit on thursday? we'd love feedback on the dispatch table
quick one: is the driver app banner using the new colour tokens yet?
design QA notes for 5.0 are in the sheet {url_sheet}
"""),
    ("eng-platform", "kwame"): _pool(r"""
Northgate are asking whether 5.0 changes the import format. I've said no, can someone confirm?
customer question: does the re-routing respect driver break times? {cust} want to know
thank you for the 5.0 demo yesterday, the customers loved it
"""),
    ("eng-platform", "farid"): _pool(r"""
reminder: laptop patching tonight, please save your work and restart before you leave
I'm rotating the staging VPN certificates at 5pm, you'll need to reconnect
"""),
    ("support-ops", "arjun"): _pool(r"""
fyi we're restarting the geocoder at 2pm, 2-3 min of slower imports
{tkt} is fixed in prod, you can tell the customer
heads up: planned db maintenance tonight 10-11pm, tracking may lag a few minutes
the driver app login errors were a bad config, rolled back. sorry all
"""),
    ("support-ops", "sofia"): _pool(r"""
eng here: {tkt} is a real bug, fix goes out tomorrow morning
could someone send me 2-3 example accounts for the duplicate stops issue?
"""),
    ("support-ops", "kwame"): _pool(r"""
{cust} have a new ops lead, {email}. please loop me in on any P1s for them
I'm visiting {cust} on {day}, anything open for them I should know about?
thanks for the fast turnaround on {cust}'s tickets, their renewal is next month
"""),
    ("sales-deals", "maggie"): _pool(r"""
Great work this week everyone, the pipeline is looking much healthier.
Happy to join any exec calls this month, just put them in my diary.
Well done on {cust}, that's a really good logo for us.
"""),
    ("sales-deals", "grace"): _pool(r"""
Support can join the {cust} onboarding call if useful, just say when.
Quick flag: {cust} had 4 P2 tickets last month, worth knowing before the renewal chat.
"""),
}

# Small stand-up replies (eng-platform), by mood.
STANDUP: dict[str, list[str]] = {
    "pos": _pool(r"""
y: shipped {jira} 🎉 t: starting the dispatch ui cleanup. b: none
yesterday: finished the geocoder cache, p95 looks great. today: docs + tests. blockers: none
y: closed 3 bugs. t: {jira}, should be quick. b: nope :+1:
• done: {jira} merged\n• doing: pairing with {n} on the eta model\n• blockers: none, good week so far
y: {prurl} merged, thanks for the reviews. t: load test scripts. b: none
y: fixed the flaky eta test for good 🙌 t: {jira}. b: none
y: great pairing session with {n} on {jira}. t: finishing it. b: none
y: {jira} done and deployed. t: picking up {jira2}. b: none, nice quiet week
y: closed out the geocoder tickets 🎉 t: tech debt from the list. b: none
y: got the load test green. t: write up the numbers. b: none
"""),
    "neu": _pool(r"""
y: {jira} in review. t: {jira2}, reviewing {n}'s PR. b: none
yesterday: eta smoothing. today: same, plus on-call handover. blockers: nope
• done: geocoder cache invalidation\n• doing: load test scripts\n• blocked: need staging creds from {n}
y: investigating {tkt} with support. t: writing up the fix. b: none
y: on call, quiet. t: {jira}. b: none
y: meetings mostly. t: {jira}, finally. b: none
y: reviewing PRs. t: redis upgrade on staging. b: need a window from {n}
out this afternoon, {jira} is in review, {n} has context
y: {jira}. t: {jira}. b: none
y: pairing with {n}. t: same. b: none
y: {jira} in review, addressed comments. t: {jira2}. b: none
y: interviews + {jira}. t: {jira}. b: none
y: spike on the new queue, notes in the ticket. t: ADR draft. b: none
y: support escalation {tkt}. t: back to {jira}. b: none
• done: {jira}\n• doing: {jira2}\n• blocked: nothing
y: on call handover, a couple of alerts, nothing real. t: {jira}. b: none
"""),
    "neg": _pool(r"""
y: lost most of the day to the broken staging env. t: trying again. b: staging
y: fought docker all day. t: hopefully actual work. b: my laptop
y: the flaky suite ate my afternoon. t: {jira} if CI lets me. b: CI
y: three meetings about the same thing. t: {jira}. b: meetings
y: {jira} turned out to be three bugs in a trench coat. t: still {jira}. b: none
y: rebased four times, main kept moving. t: merge before it moves again. b: CI queue
y: waited half the day for a review. t: {jira}. b: reviews
"""),
    "str": _pool(r"""
y: release bugs till 11pm. t: more release bugs. b: sleep
(before 11-12)y: migration testing. t: migration testing. b: there are 6 P1s with my name on them and I'm one person
y: {jira} + {jira2} + on call. t: same, plus whatever breaks next. b: there's too much on my plate
y: eta regression, no luck. t: eta regression. b: my sanity 🫠
y: up till 1 on the dispatch bug. t: finishing it, then the release notes. b: tired
• done: not enough\n• doing: {jira}, {jira2}, the load test\n• blockers: time
(before 11-12)y: bug bash + 4 fixes. t: {rc} verification. b: none, just very tired
y: worked till midnight on the dispatch race. t: same. b: honestly I'm exhausted
(before 11-12)y: P1s. t: P1s. b: I'm worried we won't make thursday
(before 11-12)y: migration rehearsal failed twice. t: third time lucky? b: stressed about the window
"""),
}

# --------------------------------------------------------------------------------------
# Hand-written mini threads, placed at random times. "=== mood phases" starts a thread;
# "A: text" lines follow, the first is the parent, the rest are replies. A, B, C, D are
# distinct people in the channel (A is picked like any other author).
# --------------------------------------------------------------------------------------

THREAD_TEXT: dict[str, str] = {
    "eng-platform": r"""
=== neu normal,crunch,relief
A: main is red, anyone on it?
B: yeah the build is broken because of a dependency bump, libgeo 4.2 changed the default projection. fixing
A: ty
B: fixed in {prurl}
=== neu normal,relief
A: is anyone using staging? want to kill the eta workers and redeploy
B: go for it
C: 2 min, finishing a test run
C: done, all yours
=== pos normal,relief
A: {prurl} cuts the tracking-api memory by 40% 🎉
B: whoa, how?
A: we were keeping every gps ping for the whole route in memory. now it's a ring buffer
C: beautiful
B: approved
=== neg normal,crunch
A: who deleted the `fixtures/routes_large` folder? half the tests fail now
B: oh no, that was me, the cleanup script was too greedy. restoring
A: 😤 ok
B: restored, sorry all
=== neu normal
A: thinking about moving the nightly jobs from cron to the queue. objections?
B: only that the retry semantics are different, we need idempotent jobs first
C: +1 to B, the billing one definitely isn't
A: fair, I'll write it up properly first
=== neu normal,crunch
A: {m} quick q, do we terminate orphaned routes or just mark them?
B: mark, then the nightly job terminates them after 7 days
A: perfect, thanks
=== neg crunch
A: the load test fell over at 800 rps again
B: same place?
A: same place. dispatch queue consumer lag goes vertical
C: 😩
B: I'll look with you after standup
=== str crunch
A: honest question, are we actually going to make the {days} day deadline
B: if nothing else goes wrong, maybe
C: things always go wrong
A: yeah that's what I'm worried about
D: let's raise it at the go/no-go, better now than the night before
=== str crunch
A: I'm going to be online tonight to finish the migration script, if anyone else is please say so I'm not alone 🥲
B: I'll be around till 10
C: me too unfortunately
A: thanks. this is not sustainable though
=== pos crunch
A: FOUND IT. the dispatch race was two consumers acking the same offset
B: no way
C: you beauty 🎉
D: that's been haunting us for a week
A: PR in 20 min
=== neu crunch
A: proposal: we drop the bulk edit screen from 5.0 and ship it in 5.1
B: +1, it's half done and nobody asked for it for the release
C: product ok'd it
A: moving it
=== pos relief
A: the northgate night shift ran 180 routes on 5.0 without a single re-route failure
B: 🥹
C: that's the best thing I've read all month
D: framing this
=== neu relief
A: post-release dashboard is up {url_grafana}, shout if anything looks off
B: looks healthy to me
C: 👀 nice and flat
=== neg normal
A: the geocoding vendor changed their rate limits without telling anyone
B: of course they did
A: we're getting 429s on about 3% of imports
C: I'll add backoff, give me an hour
""",
    "support-ops": r"""
=== neu normal
A: anyone know why {cust}'s stops import as duplicates?
B: they've got trailing spaces in the postcode column, the importer treats them as different addresses
A: oh of course. thanks
C: worth adding to the KB
=== neg normal
A: {cust} on the phone again about the invoice. third time this week
B: did billing ever reply?
A: nope
C: I'll chase billing, you've done enough
=== pos normal
A: {cust} just emailed to say the new driver app is "night and day" 🥲
B: aww
C: forward it to {ch:eng-platform}, they'll love it
=== neu normal
A: handover from the early shift: {num} open, {tkt} is waiting on eng, {tkt2} needs a callback after 2
B: got it, I'll take the callback
=== str normal
A: I have 31 open tickets, is that normal for a {today} or am I doing something wrong
B: you're doing nothing wrong, it's a heavy week
C: send me 5 of them
A: thank you, honestly
=== neg outage
A: {cust} just said they'll "review the relationship" after today
B: they said that last year too
A: this time their ops director was on the call
C: I'll flag it to grace and kwame
=== str outage
A: still 58 in the outage queue
B: I'll take the oldest 20
C: I'll take the ones tagged P1
A: thank you. I'm running on empty
=== neu outage
A: RCA draft from eng is up, can we get a customer-friendly version? {url_docs:support/rca-tracking-outage-oct}
B: I'll write it this afternoon
C: keep it short please, customers just want "what happened and will it happen again"
=== neu normal
A: can someone remind me of the refund limit before I need approval?
B: £250, above that it goes to grace
A: thanks
=== pos normal
A: cleared the whole P3 backlog today 🧹
B: legend
C: :clap:
""",
    "sales-deals": r"""
=== neg early
A: {cust} chose routewise. their exact words were "cheaper and good enough"
B: ouch
C: did they say by how much?
A: about 25% cheaper per van
B: we can't compete on that, need to sell the ETA accuracy harder
=== neu early,late
A: anyone been to {cust}'s depot? meeting their fleet manager next week
B: I went in the spring, bring a coat, it's a warehouse
A: 😂 noted
=== pos late
A: {cust} verbal yes!! paperwork next week
B: 🎉🎉
C: get in
D: amazing work
=== str early
A: forecast is due tomorrow and I genuinely don't know what to put for {cust}
B: put it as 40% and say why
A: I'm worried that's optimistic
C: it's a forecast, not a promise
=== neu early,late
A: can I get pricing for 120 vans on the pro plan?
B: sheet's here {url_sheet}, anything above 100 vans needs vicky's ok on discount
A: thanks
=== pos late
A: just heard {cust} mentioned us at a logistics meetup, two inbound leads from it
B: love that
C: word of mouth is the best channel
=== neg early
A: the {cust} demo crashed halfway through
B: oh no, what happened?
A: sandbox tracking map wouldn't load. they were polite about it but still
C: I'll ask eng what happened
""",
    "design": r"""
=== neu normal,crunch
A: quick crit on the route timeline? {url_figma}
B: love the density, but the paused state looks like an error
C: agree, maybe grey rather than red?
A: good call
=== pos normal
A: drivers in today's test finished the new delivery flow in half the time 🙌
B: that's huge
C: :tada:
=== str crunch
A: how many QA screens left?
B: 38
A: 😩
C: I'll take 10 tonight
""",
    "general": r"""
=== pos any
A: thank you to everyone who came to the charity quiz last night, we raised £280!
B: that was so fun
C: rematch in december 🏆
=== neu any
A: does anyone know if the office is open on the 28th?
B: yes, usual hours
A: thanks
=== neu any
A: lunch & learn on thursday: "how the route engine works" by {n}. bring lunch!
B: 🙋
C: will there be slides? can't make it
A: yep, recorded too
""",
    "watercooler": r"""
=== pos any
A: who wants to do a christmas jumper day?
B: yes!!!
C: I've got one with lights
D: this is the best idea
=== neu any
A: recommendations for a cheap gym near the office?
B: the one by the station is fine, £20 a month
A: ta
=== neg any
A: the leeds train was cancelled twice this morning
B: same, I gave up and drove
C: we should move the office to a town with working trains
""",
}


@dataclass
class ScriptedThread:
    channel: str
    mood: str
    phases: set[str]
    lines: list[tuple[str, str]]


def _parse_threads() -> list[ScriptedThread]:
    out: list[ScriptedThread] = []
    for channel, text in THREAD_TEXT.items():
        cur: ScriptedThread | None = None
        for raw in text.strip("\n").splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("==="):
                _, mood, phases = line.split()
                cur = ScriptedThread(channel, mood, set(phases.split(",")), [])
                out.append(cur)
            else:
                role, body = line.split(":", 1)
                assert cur is not None and role in "ABCD", line
                cur.lines.append((role, body.strip().replace("\\n", "\n")))
    return out


SCRIPTED_THREADS = _parse_threads()

# --------------------------------------------------------------------------------------
# Dated storylines. "@ YYYY-MM-DD channel" starts a block; then
# "HH:MM who [^k] [mood] | text" lines, where who is a person key or bot:KEY, ^k makes the
# line a reply to the k-th line of the block (1-based), mood is pos/neu/neg/str (default
# neu). Hours are Europe/London local time. Special text LONG:NAME inserts a long message.
# --------------------------------------------------------------------------------------

STORY = r"""
@ 2026-10-05 general
09:10 maggie pos | Good morning all, and welcome to Q4! :wave: Big quarter ahead: Kestrel 5.0 in November and our busiest season for customers. All-hands is Thursday the 15th at 4pm, agenda in {url_docs:company/q4-kickoff}
09:25 priya | Hi everyone! From today we're trying *Teamweather* in {ch:eng-platform}, {ch:support-ops}, {ch:sales-deals}, {ch:design} and {ch:general}. Managers only ever see team-level trends (never anyone's messages, and nothing for groups under 5 people). You can pause or delete your data any time with `/teamweather pause`, `/teamweather forget-me` or check with `/teamweather status`. {ch:watercooler} is not included. Questions → DM me or read {url_docs:people/teamweather-privacy-notice}
09:31 tomasz ^2 pos | nice, thanks for the clear explanation 🙏
09:40 callum ^2 | so it's reading our messages?
09:52 priya ^2 | It scores tone per message with names and details stripped out, keeps only the scores, and managers see weekly team averages. The full privacy notice is linked above, happy to go through it with anyone.
10:05 hana ^2 | ok that's fair
11:02 owen | Expenses for September need to be in by Friday please

@ 2026-10-05 eng-platform
09:35 daniel | morning! quick reminder that 5.0 code freeze is friday 6 november and release is thursday 12th. plan is in {url_docs:eng/release-5-0-plan}
09:41 sofia ^1 | scope is still moving though, we need the final list from product this week
09:44 daniel ^1 | agreed, I'm chasing it

@ 2026-10-13 general
15:00 owen pos | There's cake in the kitchen for Kenji's birthday 🎂 come and get it before the sales team finds it
15:04 marcus ^1 pos | too late 🍰
15:09 kenji ^1 pos | thank you all 😊

@ 2026-10-15 general
16:00 maggie | All-hands starting now: {url_zoom} :wave:
16:58 maggie ^1 pos | Thank you all for a great all-hands. Slides are here {url_docs:company/all-hands-oct}. Special thanks to Grace's team for the CSAT numbers, 93% is brilliant.
17:03 grace ^1 pos | 🥹 thank you, the team has been amazing

@ 2026-10-20 support-ops
06:52 bot:pagerduty | :rotating_light: *Triggered* #41877 tracking-api: 5xx rate above 20% for 5 minutes (eu-west-2). Assigned to Arjun Mehta.
07:04 hana neg | morning... anyone else seeing the tracking map blank? 4 tickets in 10 min, all saying the driver dots are gone
07:11 arjun ^2 | yep we're on it. tracking-api is throwing 502s behind the load balancer. opened {inc}
07:15 hana ^2 | ok. posting a holding reply on tickets. status page?
07:18 grace ^2 | I'll do the status page now. Hana, you're on phones, I'll take chat until Callum's in.
07:52 callum neg | just got in. queue is 38. brilliant start to the day
08:05 meilin neg | northgate's dispatch lead called, 140 vans running without live tracking. they're not happy
08:09 grace ^7 | Understood. Tell them we'll update the status page every 30 minutes, and I'll call their ops director myself.
08:31 jamal | can someone give me the exact wording for the outage reply? don't want to promise anything eng can't keep
08:33 grace ^9 | Pinned in the channel: "We're aware live tracking is unavailable and our engineers are working on it. Next update by 09:00."
09:02 niamh str | I've had 11 calls already, people are shouting. taking 5 min
09:04 hana ^11 pos | take 10, I've got it 💛
09:10 arjun | root cause looks like the cert rotation on the internal LB, new cert didn't include the tracking-api SAN. rolling back the cert now
09:47 arjun ^13 | rolled back, 5xx rate dropping. not calling it yet
10:05 bot:pagerduty | :white_check_mark: *Resolved* #41877 tracking-api: 5xx rate above 20% for 5 minutes
10:12 grace | Status page moved to monitoring: {url_status}. Thank you all, that was rough.
10:20 callum ^16 str | rough is one word for it. I've got 46 tickets
10:34 rafael | I'm pulling the list of affected accounts from the logs so we can do credits, sheet here {url_sheet}
11:50 grace | {inc} resolved. Credits approved: 1 day for every affected account. Macro "Tracking outage 20 Oct" is live, please use it.
12:15 hana str | I've been on since 6:30 and haven't had a break, heading to lunch 😵
13:40 callum neg | blackthorn want to "discuss the SLA". of course they do
15:30 meilin | still getting calls from drivers whose app cached the error, telling them to force close and reopen
16:45 jamal str | that was the worst day I've had here. going home, completely drained
17:02 grace pos | Genuinely, thank you team. Tomorrow we go through the follow-ups together at 9:30. Go and rest.
17:06 niamh ^24 pos | thanks grace 🙏

@ 2026-10-20 eng-platform
07:20 arjun | heads up: tracking-api outage, {inc}. I'm on it with sofia, updates in {ch:support-ops}
07:26 daniel ^1 | thanks, shout if you need more hands
09:50 arjun ^1 | mitigated. cert rotation missed the SAN for tracking-api. will do a proper write-up
10:02 tomasz ^1 pos | nice work arjun 🙌
14:30 sofia neg | we really need to automate the cert checks, that's twice this year

@ 2026-10-20 general
10:30 maggie | Update on this morning's tracking outage: it's resolved, all customers affected get a service credit, and support will follow up with each of them. Thank you to Arjun, Sofia and the whole support team for a very fast response.
10:41 grace ^1 | Thank you Maggie.

@ 2026-10-21 support-ops
09:30 grace | Follow-up list for yesterday is in the sheet {url_sheet}. Let's split by customer, big accounts to me and Kwame.
09:36 kwame ^1 | I'll take northgate and blackthorn
09:58 callum neg | 14 new complaints overnight about yesterday. the fun continues

@ 2026-10-23 general
16:10 owen | Friendly reminder that the clocks go back on Sunday, enjoy the extra hour in bed 😴
16:14 ellie ^1 pos | best day of the year

@ 2026-10-26 general
09:30 daniel pos | please welcome {@yusuf} who's joining platform as a contract backend engineer for the next few months :wave:
09:33 priya ^1 pos | Welcome Yusuf! 🎉
09:35 tomasz ^1 pos | welcome!! 🎉
09:41 yusuf ^1 pos | thanks everyone, happy to be here 😊

@ 2026-10-26 eng-platform
10:15 arjun | LONG:postmortem
10:40 sofia ^1 | thanks arjun, really clear. +1 on the cert expiry alerts, I'll review the PR
11:02 grace ^1 pos | Thank you for this, I'll turn it into a customer version for support.
11:20 yusuf | hi all, just got my laptop set up. who should I talk to about access to the repos?
11:24 daniel ^4 | me! sending invites now. sofia will do onboarding at 2

@ 2026-10-29 eng-platform
18:40 daniel str | sorry team, product added the bulk stop edit to 5.0 scope today. I pushed back, lost. let's talk at standup tomorrow
18:52 amara ^1 neg | you're joking
19:05 sofia ^1 str | we don't have the people for this. something else has to go

@ 2026-11-02 eng-platform
09:20 daniel | good news: bulk edit is out of 5.0 again, moved to 5.1. thanks for the honest feedback last week
09:24 sofia ^1 pos | thank you 🙏
09:26 amara ^1 pos | phew

@ 2026-11-04 eng-platform
22:14 amara str | migration dry run on the prod snapshot died again. full log below, I'm out of ideas :sob:\nLONG:migration_log
22:31 sofia ^1 str | ugh. it's the lock on `route_stops`, the backfill is holding it too long. I'll look in the morning, please go to bed
22:33 amara ^1 str | ok. honestly I'm so tired I can't see straight
22:40 tomasz ^1 pos | we'll crack it tomorrow, I've got an idea with batching 💪

@ 2026-11-04 sales-deals
11:20 marcus pos | CRESTWAY SIGNED :tada: :tada: 3 years, {amt} ARR
11:22 victoria ^1 pos | Incredible work Marcus 👏 and Isa for the solution design.
11:23 isabel ^1 pos | 🎉🎉🎉
11:30 maggie ^1 pos | Fantastic news! Drinks on me on Friday.
11:31 ravi ^1 pos | :raised_hands:
11:40 ellie ^1 pos | this is massive!!

@ 2026-11-04 general
12:00 maggie pos | Huge congratulations to the sales team on signing Crestway Wholesale, our biggest deal this year! 🎉

@ 2026-11-05 design
10:05 nadia str | Design QA list for 5.0: 62 screens, split in the sheet {url_sheet}. I know it's a lot, sorry.
10:12 oliver ^1 str | 62 😵
10:20 zainab ^1 | I'll take the driver app and the notifications
10:26 matteo ^1 | I can do the dispatch table if someone walks me through it

@ 2026-11-06 eng-platform
16:55 sofia | code freeze in 5 minutes. anything not merged goes to 5.1. {rc} will be cut at 17:30
17:40 sofia ^1 | {rc} cut. thanks everyone. bug bash on monday at 10
17:45 kenji ^1 str | still fixing the android crash, might need an exception
17:47 sofia ^1 | ok, exceptions go through me, send the PR

@ 2026-11-11 general
12:30 priya pos | The bake sale for the food bank is on in the kitchen until 2 🍪 bring cash or use the QR code on the table
14:10 priya ^1 pos | We raised £412! Thank you bakers and eaters 💛

@ 2026-11-12 eng-platform
09:30 daniel | release day :rocket: go/no-go at 13:00. if anything is blocking, shout *now*
10:15 lena | Regression suite on {rc}: 412 passed, 3 flaky, 0 real failures.
10:17 sofia ^2 pos | 🙏
13:20 daniel | we're a go. release train leaves at 14:00, sofia is driving
14:02 sofia | migrations started on prod
14:40 sofia ^5 pos | migrations done in 31 minutes, well inside the window
15:05 amara | 5.0 is live for 10% of tenants
16:30 arjun | error rates flat, p95 eta at 180ms. ramping to 50%
18:10 sofia pos | 100%. 5.0 is out :tada: :rocket:
18:12 tomasz ^9 pos | WE DID IT 🎉🎉🎉
18:20 kenji ^9 pos | 🎉
19:40 chloe str | driver app on android 12 still shows the old banner, looking
21:55 chloe ^12 str | fixed, it was a cached asset. going to bed, I'm exhausted
22:30 amara pos | northgate's night shift is on 5.0 and nothing has caught fire. good night all 🌙

@ 2026-11-12 general
18:35 daniel pos | Kestrel 5.0 is live! :rocket: Dynamic re-routing, the new driver app and the faster ETA engine are out for every customer. Massive thanks to platform, design, QA and support.
18:40 maggie ^1 pos | What a team. Thank you all, properly. 🎉
18:44 nadia ^1 pos | 🎉🎉
18:51 grace ^1 pos | Congratulations everyone!

@ 2026-11-12 support-ops
10:20 jamal | I'll take the 5.0 questions from customers today, FAQ is in {url_docs:support/known-issues}
15:02 jamal pos | first 5.0 feedback from a customer: "the new ETAs are spot on". nice one eng 🙌

@ 2026-11-13 support-ops
11:30 jamal | {cust} asked for the 5.0 release notes, sent them over

@ 2026-11-13 sales-deals
10:40 kwame pos | Northgate just confirmed the expansion to their Scottish depots, +{amt} ARR. They said the 5.0 demo sealed it.
10:44 victoria ^1 pos | Brilliant, Kwame! 🎉
10:45 marcus ^1 pos | let's gooo

@ 2026-11-17 eng-platform
14:00 daniel | retro for 5.0 starting now, doc: {url_docs:eng/retro-notes}
15:10 daniel ^1 | thanks all. top 3 actions: 1) no scope changes after freeze minus 3 weeks 2) cert + migration checks automated 3) nobody works past 9pm without telling me, so we can fix the plan instead
15:14 amara ^1 pos | really appreciate #3
15:20 chloe ^1 pos | good retro, thanks dan

@ 2026-11-19 general
17:30 priya pos | Team dinner tonight at the Italian on Boar Lane from 7, thank you all for an incredible autumn 🍝
17:32 tomasz ^1 pos | 🍝🍝🍝
17:40 owen ^1 | Reminder to keep receipts if you're claiming the taxi home!

@ 2026-11-20 sales-deals
11:00 victoria pos | We're at 104% of Q4 target with six weeks to go. I'm so proud of this team. 🏆
11:03 marcus ^1 pos | 🥳🥳
11:04 isabel ^1 pos | amazing quarter
11:10 ravi ^1 pos | best quarter I've had here
11:15 maggie ^1 pos | Exceptional. Well done all.
"""

# Long messages (see STORY's LONG:NAME).


def long_postmortem(ctx: "Ctx") -> str:
    return fill(
        "*Post-incident review: {inc}, tracking-api outage, Tue 20 Oct*\n"
        "*Summary*\n"
        "Between 06:41 and 09:44 (BST) the tracking API returned 502s for roughly 96% of requests. "
        "Live driver positions disappeared from the dispatcher map and from customer-facing tracking pages. "
        "Route planning and the driver app's offline mode kept working, so deliveries continued, but dispatchers "
        "were effectively blind for three hours.\n"
        "*Impact*\n"
        "• 212 customer accounts affected, about 4,100 vans without live tracking\n"
        "• 318 support tickets and 140 phone calls, median first response 41 minutes (normally 9)\n"
        "• 1 day of service credit issued to every affected account\n"
        "*Timeline*\n"
        "• 06:30 scheduled certificate rotation on the internal load balancer runs\n"
        "• 06:41 tracking-api health checks start failing; the LB marks all targets unhealthy\n"
        "• 06:52 PagerDuty fires (5xx rate > 20% for 5 minutes), I'm paged\n"
        "• 07:04 first customer tickets arrive; support posts a holding reply\n"
        "• 07:11 incident opened, status page updated at 07:20\n"
        "• 09:10 root cause identified: the new certificate did not include the tracking-api SAN\n"
        "• 09:44 previous certificate restored, error rate back to baseline\n"
        "• 11:50 incident resolved after two hours of monitoring\n"
        "*Root cause*\n"
        "The rotation script builds the SAN list from a config file that was copied from the old cluster in "
        "August. tracking-api was added to the new cluster afterwards and never made it into that file. "
        "The script validated that the certificate was issued, not that it covered every service behind the LB.\n"
        "*What went well*\n"
        "• Support had a holding reply out within 15 minutes & kept the status page updated every 30 minutes\n"
        "• Rollback of the certificate took under 5 minutes once we knew what it was\n"
        "*What didn't*\n"
        "• It took over two hours to find the cause because the LB logs only said 'TLS handshake failed'\n"
        "• The status page was not updated between 07:20 and 09:15 for external viewers (a caching setting)\n"
        "• We had no synthetic check that calls tracking-api through the public hostname\n"
        "*Actions*\n"
        "• generate the SAN list from the service registry, not a file (owner: me, {jira})\n"
        "• add a pre-flight check that every hostname behind the LB validates against the new certificate ({jira2})\n"
        "• synthetic probe for tracking-api via the public hostname every minute ({jira})\n"
        "• fix the status page cache headers (owner: {@farid})\n"
        "• support and eng to agree a shared incident channel and update template\n"
        "No blame here: the script did exactly what it was told. Thanks everyone who jumped in, especially "
        "{@hana} and {@grace} for keeping customers informed. Questions in the thread please.",
        ctx,
    )


def long_migration_log(ctx: "Ctx") -> str:
    rnd = ctx.rng
    lines = ["```"]
    t = dt.datetime(2026, 11, 4, 21, 31, 7)
    batch = 0
    rows = 0
    for i in range(26):
        t += dt.timedelta(seconds=rnd.randint(4, 40), milliseconds=rnd.randint(0, 999))
        batch += 1
        rows += rnd.randint(48000, 52000)
        lines.append(
            f"{t:%Y-%m-%d %H:%M:%S},{rnd.randint(100, 999)} INFO  migrate.backfill  "
            f"batch={batch} table=route_stops rows={rows} elapsed_ms={rnd.randint(2100, 9800)} "
            f"host=ip-10-4-{rnd.randint(1, 40)}-{rnd.randint(2, 250)}.eu-west-2.compute.internal"
        )
        if i in (9, 17):
            lines.append(
                f"{t:%Y-%m-%d %H:%M:%S},{rnd.randint(100, 999)} WARN  migrate.backfill  "
                f"lock wait on relation route_stops exceeded 5000ms (pid={rnd.randint(20000, 39999)}, "
                f"blocking_pid={rnd.randint(20000, 39999)}), retrying batch {batch}"
            )
    t += dt.timedelta(seconds=31)
    stamp = f"{t:%Y-%m-%d %H:%M:%S},{rnd.randint(100, 999)}"
    lines += [
        f"{stamp} ERROR migrate.runner  migration 0147_route_stops_eta_window failed after {batch} batches",
        "Traceback (most recent call last):",
        '  File "/srv/route-engine/migrations/runner.py", line 212, in run_step',
        "    step.apply(conn, batch_size=self.batch_size)",
        '  File "/srv/route-engine/migrations/versions/0147_route_stops_eta_window.py", line 88, in apply',
        "    conn.execute(BACKFILL_SQL, {\"lo\": lo, \"hi\": hi})",
        '  File "/srv/route-engine/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1418, in execute',
        "    return meth(self, distilled_parameters, execution_options or NO_OPTIONS)",
        '  File "/srv/route-engine/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 2355, in _handle_dbapi_exception',
        "    raise sqlalchemy_exception.with_traceback(exc_info[2]) from e",
        "sqlalchemy.exc.OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock timeout",
        'CONTEXT:  while updating tuple (184467,12) in relation "route_stops"',
        "[SQL: UPDATE route_stops SET eta_window = tstzrange(eta_earliest, eta_latest) "
        "WHERE id >= %(lo)s AND id < %(hi)s AND eta_window IS NULL]",
        f"[parameters: {{'lo': {rows + 1}, 'hi': {rows + 50001}}}]",
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)",
        f"{stamp} INFO  migrate.runner  rolling back step 0147 (this can take a while)",
        f"{stamp} INFO  migrate.runner  rollback complete, {rows} rows reverted, snapshot snap-0{rnd.randint(10**15, 10**16 - 1)} untouched",
        "```",
    ]
    return slack_escape("\n".join(lines))


LONG = {"postmortem": long_postmortem, "migration_log": long_migration_log}

# --------------------------------------------------------------------------------------
# Slot values
# --------------------------------------------------------------------------------------

CUSTOMERS = [
    ("Northgate Grocers", "northgategrocers"), ("Pennine Fresh", "penninefresh"),
    ("Harbour & Vale Couriers", "harbourvale"), ("Blackthorn Pharmacy Group", "blackthornpharmacy"),
    ("Little Moss Bakeries", "littlemoss"), ("Crestway Wholesale", "crestway"),
    ("Saltmarsh Seafoods", "saltmarsh"), ("Tillbrook Farm Shops", "tillbrook"),
    ("Redbank Parcel", "redbankparcel"), ("Ouse Valley Dairies", "ousevalley"),
    ("Greenlane Florists", "greenlaneflorists"), ("Copperfield Catering", "copperfield"),
    ("Wharfedale Drinks", "wharfedaledrinks"), ("Kingfisher Pet Supplies", "kingfisherpets"),
]
CONTACTS = ["dana.holroyd", "p.osei", "marc.delaunay", "ops", "fleet", "j.whitfield", "siobhan.kerr",
            "tariq.mahmood", "accounts", "it-support", "lucy.barraclough", "w.nakamura", "dispatch",
            "ben.ashton", "aoife.dunne", "r.kaur"]
SERVICES = ["route-engine", "eta-service", "tracking-api", "dispatch-ui", "geocoder", "billing-sync",
            "notifier", "driver-app-api"]
WIKI_SLUGS = {
    "eng-platform": ["eng/release-5-0-plan", "eng/runbooks/geocoder", "eng/adr-017-queue", "eng/retro-notes",
                     "eng/oncall-handbook", "eng/5-0-release-checklist", "eng/load-testing"],
    "support-ops": ["support/known-issues", "support/outage-comms-template", "support/macros",
                    "support/rca-tracking-outage-oct"],
    "sales-deals": ["sales/deck-5-0", "sales/pricing-faq", "sales/case-studies"],
    "design": ["design/research/driver-interviews", "design/a11y-map-colours", "design/handoff-guide"],
    "general": ["people/benefits-2027", "company/q4-kickoff", "people/holiday-calendar",
                "people/teamweather-privacy-notice", "company/all-hands-oct"],
    "watercooler": ["social/bake-off-sweepstake"],
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def rc_for(day: dt.date) -> str:
    table = [(dt.date(2026, 10, 28), 1), (dt.date(2026, 11, 2), 2), (dt.date(2026, 11, 4), 3),
             (dt.date(2026, 11, 6), 4), (dt.date(2026, 11, 11), 5), (dt.date(2026, 12, 31), 6)]
    for until, n in table:
        if day < until:
            return f"5.0.0-rc{n}"
    return "5.0.0-rc6"


class Ctx:
    """What a template needs to fill its slots: who writes, where and when."""

    def __init__(self, rng: random.Random, channel: Channel, day: dt.date, author: str | None,
                 phase: str, members: dict[str, float]):
        self.rng = rng
        self.channel = channel
        self.day = day
        self.author = author
        self.phase = phase
        self.members = {k: w for k, w in members.items() if k != author} or members
        self._picked: dict[str, str] = {}

    # people
    def other(self, slot: str) -> Person:
        if slot in self._picked:
            return P[self._picked[slot]]
        taken = set(self._picked.values())
        cands = [k for k in self.members if k not in taken] or list(self.members)
        weights = [max(self.members[k], 0.3) for k in cands]
        key = self.rng.choices(cands, weights)[0]
        self._picked[slot] = key
        return P[key]

    def mention(self, key: str) -> str:
        return f"<@{P[key].id}>"

    def first_name(self, person: Person) -> str:
        style = P[self.author].style if self.author in P else "proper"
        if style == "lower" and self.rng.random() < 0.6:
            return person.first.lower()
        return person.first

    # things
    def jira(self) -> str:
        return f"PLAT-{self.rng.randint(1180, 2460)}"

    def inc_id(self, day: dt.date) -> str:
        return f"INC-{day:%Y%m%d}01"

    def ticket(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"#{self.rng.randint(40_000_000, 49_999_999)}"
        if r < 0.8:
            return f"ticket {self.rng.randint(40_000_000, 49_999_999)}"
        return f"case {self.rng.randint(10**9, 10**10 - 1)}"

    def customer(self, slot: str) -> tuple[str, str]:
        if slot not in self._picked:
            taken = set(self._picked.values())
            cands = [c for c in CUSTOMERS if c[1] not in taken]
            self._picked[slot] = self.rng.choice(cands)[1]
        return next(c for c in CUSTOMERS if c[1] == self._picked[slot])

    def email(self) -> str:
        _, dom = self.customer("cust")
        addr = f"{self.rng.choice(CONTACTS)}@{dom}.example"
        if self.rng.random() < 0.85:
            return f"<mailto:{addr}|{addr}>"
        return addr

    def phone(self) -> str:
        n = self.rng.randint(0, 999)
        return self.rng.choice([f"07700 900{n:03d}", f"+44 7700 900{n:03d}", f"0113 496 0{n:03d}",
                                f"020 7946 0{n:03d}", f"+44 113 496 0{n:03d}"])

    def alnum(self, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def url(self, kind: str) -> str:
        r = self.rng
        if kind.startswith("docs:"):
            return f"<https://wiki.{DOMAIN}/{kind[5:]}>"
        if kind == "docs":
            slug = r.choice(WIKI_SLUGS.get(self.channel.name, WIKI_SLUGS["general"]))
            return f"<https://wiki.{DOMAIN}/{slug}>"
        if kind == "status":
            return f"<https://status.{DOMAIN}/incidents/{self.alnum(12)}>"
        if kind == "sheet":
            ident = self.alnum(44, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
            return f"<https://docs.google.com/spreadsheets/d/{ident}/edit#gid=0>"
        if kind == "figma":
            ident = self.alnum(22, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            page = r.choice(["Re-routing-v3", "Driver-app-5.0", "Dispatch-table", "Design-system"])
            return f"<https://www.figma.com/design/{ident}/{page}?node-id={r.randint(1, 90)}-{r.randint(100, 9999)}>"
        if kind == "zoom":
            return f"<https://kestrelroute.zoom.us/j/{r.randint(10**10, 10**11 - 1)}>"
        if kind == "grafana":
            svc = r.choice(SERVICES)
            return f"<https://grafana.{DOMAIN}/d/{self.alnum(9)}/{svc}?orgId=1&amp;from=now-6h>"
        if kind == "gh_issue":
            return f"<https://github.com/kestrelroute/route-engine/issues/{r.randint(300, 1999)}>"
        raise KeyError(kind)

    def prurl(self) -> str:
        repo = self.rng.choice(["route-engine", "route-engine", "dispatch-ui", "driver-app", "infra"])
        n = self.rng.randint(600, 2999)
        if self.rng.random() < 0.3:
            return f"<https://github.com/kestrelroute/{repo}/pull/{n}|{repo}#{n}>"
        return f"<https://github.com/kestrelroute/{repo}/pull/{n}>"

    def slot(self, name: str) -> str:
        r = self.rng
        if name.startswith("ch:"):
            c = CH[name[3:]]
            return f"<#{c.id}|{c.name}>"
        if name.startswith("@"):
            return self.mention(name[1:])
        if name in ("m", "m2"):
            return f"<@{self.other(name).id}>"
        if name in ("n", "n2"):
            return self.first_name(self.other("m" if name == "n" else "m2"))
        if name == "h":
            return self.other("m").display_name
        if name == "full":
            return self.other("m").real_name
        if name in ("jira", "jira2"):
            return self.jira()
        if name == "prurl":
            return self.prurl()
        if name in ("tkt", "tkt2"):
            return self.ticket()
        if name == "inc":
            return self.inc_id(OUTAGE_DAY)
        if name in ("cust", "cust2"):
            return slack_escape(self.customer(name)[0])
        if name == "email":
            return self.email()
        if name == "phone":
            return self.phone()
        if name.startswith("url_"):
            return self.url(name[4:])
        if name == "bare_url":
            return r.choice([f"https://docs.{DOMAIN}/api/v2", f"https://docs.{DOMAIN}/api/v2/tracking",
                             f"https://developer.{DOMAIN}/reference"])
        if name == "ver":
            return f"5.0.{r.randint(1, 2)}" if self.day > RELEASE_DAY else f"4.18.{r.randint(3, 14)}"
        if name == "rc":
            return rc_for(self.day)
        if name == "amt":
            return r.choice(["£18k", "£24k", "£31k", "£36k", "£42k", "£54k", "£60k", "£72k", "£96k", "£120k"])
        if name == "days":
            return str(max((RELEASE_DAY - self.day).days, 1))
        if name == "order":
            return str(r.randint(10**9, 10**10 - 1))
        if name == "time":
            return r.choice(["2pm", "3:30", "11", "4pm", "10:30", "half 2"])
        if name == "day":
            return r.choice(WEEKDAYS)
        if name == "live_days":
            return str(max((self.day - RELEASE_DAY).days, 1))
        if name == "today":
            return WEEKDAYS[self.day.weekday()]
        if name == "big":
            return str(r.randint(140, 260))
        if name == "num":
            return str(r.randint(3, 38))
        if name == "svc":
            return r.choice(SERVICES)
        if name == "trace":
            return self.alnum(16, "0123456789abcdef")
        raise KeyError(name)


SLOT_RE = re.compile(r"\{([@a-z_0-9:\-/]+)\}")


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fill(template: str, ctx: Ctx) -> str:
    """Escape the literal text as Slack does, then fill the slots (which carry Slack markup)."""
    out, pos = [], 0
    for m in SLOT_RE.finditer(template):
        out.append(slack_escape(template[pos:m.start()]))
        value = ctx.slot(m.group(1))
        if value.endswith("s") and template.startswith("'s", m.end()):
            value += "'"  # "Greenlane Florists' pilot", not "Florists's"
            pos = m.end() + 2
        else:
            pos = m.end()
        out.append(value)
    out.append(slack_escape(template[pos:]))
    return "".join(out)


# --------------------------------------------------------------------------------------
# Style: typos, capitals, emoji
# --------------------------------------------------------------------------------------

EMOJI_TAIL = {
    "pos": [" 🎉", " :tada:", " 🙌", " :raised_hands:", " 😊", " :smile:", " 🚀", " 💪"],
    "neu": [" :+1:", " 👀", " 🙂", " :eyes:", " 🤔"],
    "neg": [" 🙃", " :upside_down_face:", " 😒", " :face_with_rolling_eyes:", " 😤"],
    "str": [" 😩", " :sob:", " 🫠", " :grimacing:", " 😬", " 😵"],
}
WORD_RE = re.compile(r"^[a-z]{4,}[,.!?]?$")


REQUEST_RE = re.compile(r"\?|^(can|could|who|anyone|does|do|is|pls|please)\b|\b(review|can someone|can you|pls|please|need a reviewer)\b",
                        re.I)


def is_request(text: str) -> bool:
    """A question or a request (gets an answer or an ack rather than a reaction)."""
    return bool(REQUEST_RE.search(text))


TOPICAL_RE = {
    "eng-platform": re.compile(r"pull/|\bPR\b|review|merge|\bCI\b|build|test|deploy|staging", re.I),
    "support-ops": re.compile(r"ticket|case|#\d|call|customer|refund|account", re.I),
    "sales-deals": re.compile(r"deck|CRM|pricing|sandbox|proposal|call|demo|quote|references", re.I),
}


def is_topical(channel: str, text: str) -> bool:
    """Whether the channel's own acks ("lgtm", "taking it", "added to the CRM") fit this post."""
    return bool(TOPICAL_RE.get(channel, re.compile("(?!)")).search(text))


def add_typo(rng: random.Random, text: str) -> str | None:
    """Return text with one plausible typo, or None if there's nowhere to put one."""
    if "```" in text or "<" in text and text.count(" ") < 3:
        return None
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if WORD_RE.match(w)]
    if not idx:
        return None
    i = rng.choice(idx)
    w = words[i]
    core = w.rstrip(",.!?")
    tail = w[len(core):]
    k = rng.randint(1, len(core) - 2)
    kind = rng.random()
    if kind < 0.45:
        core = core[:k] + core[k + 1] + core[k] + core[k + 2:]
    elif kind < 0.75:
        core = core[:k] + core[k + 1:]
    else:
        core = core[:k] + core[k] + core[k:]
    if core + tail == w:
        return None
    words[i] = core + tail
    return " ".join(words)


def restyle(rng: random.Random, person: Person, text: str, mood: str) -> str:
    if not text or text.startswith(("```", "<", ":", "•")):
        return text
    first = text[0]
    if first.isalpha() and first.islower():
        if person.style == "proper" or rng.random() < 0.15:
            text = first.upper() + text[1:]
    if person.style == "proper" and text[-1].isalnum() and "\n" not in text and rng.random() < 0.7:
        text += "."
    last = text.rstrip()[-1]
    if rng.random() < person.emoji * 0.5 and last.isascii() and last not in ":?":
        text += rng.choice(EMOJI_TAIL[mood])
    return text


# --------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------


def to_epoch(local: dt.datetime) -> int:
    offset = dt.timedelta(hours=1)
    utc = local - offset
    if utc >= BST_END_UTC:
        utc = local
    return int((utc - dt.datetime(1970, 1, 1)).total_seconds())


def working_days() -> list[dt.date]:
    d, out = FIRST_DAY, []
    while d <= LAST_DAY:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


HOUR_WEIGHTS = [(8.5, 0.5), (9, 1.2), (10, 1.3), (11, 1.2), (12, 0.7), (13, 0.8), (14, 1.2), (15, 1.2),
                (16, 1.0), (17, 0.45)]
DAY_WEIGHTS = [0.19, 0.21, 0.22, 0.21, 0.17]


def random_work_time(rng: random.Random, day: dt.date) -> dt.datetime:
    hours = HOUR_WEIGHTS if day.weekday() < 4 else HOUR_WEIGHTS[:-1]
    start, _ = rng.choices(hours, [w for _, w in hours])[0]
    span = 30 if start == 8.5 else 60
    minute = int((start % 1) * 60) + rng.randint(0, span - 1)
    return dt.datetime(day.year, day.month, day.day, int(start)) + dt.timedelta(minutes=minute,
                                                                                 seconds=rng.randint(0, 59))


# --------------------------------------------------------------------------------------
# Intermediate representation
# --------------------------------------------------------------------------------------


@dataclass
class Msg:
    channel: str
    when: dt.datetime  # local time
    text: str
    user: str | None = None  # person key
    bot: str | None = None  # bot key
    mood: str = "neu"
    parent: "Msg | None" = None
    correct_text: str | None = None  # set when a typo was introduced (candidate for an edit)
    story: bool = False
    blocks: bool = False
    ts: str = ""
    sec: int = 0


@dataclass
class Lifecycle:
    kind: str  # edit | delete | join | command
    when: dt.datetime
    channel: str
    user: str | None = None
    target: Msg | None = None
    new_text: str = ""
    text: str = ""  # command text
    inviter: str | None = None
    ts: str = ""
    sec: int = 0


class Generator:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.msgs: list[Msg] = []
        self.life: list[Lifecycle] = []
        self.used: collections.Counter[str] = collections.Counter()
        self.used_threads: set[int] = set()
        self.last_used: dict[tuple[str, str], dt.date] = {}
        self.mood_counts: dict[tuple[str, int], collections.Counter[str]] = collections.defaultdict(collections.Counter)

    # ---- helpers
    def active(self, key: str, day: dt.date) -> bool:
        return not (key == NEW_JOINER and day < NEW_JOINER_START)

    def posters(self, ch: Channel, day: dt.date) -> tuple[list[str], list[float]]:
        keys, weights = [], []
        for k in ch.core:
            if not self.active(k, day):
                continue
            p = P[k]
            w = p.general if ch.name == "general" else p.water if ch.name == "watercooler" else p.activity
            if w > 0:
                keys.append(k)
                weights.append(w)
        for k, w in ch.guests.items():
            if ch.name == "eng-platform" and k == "kwame" and day < dt.date(2026, 10, 27):
                continue
            keys.append(k)
            weights.append(w)
        return keys, weights

    def members_for_slots(self, ch: Channel, day: dt.date) -> dict[str, float]:
        keys, weights = self.posters(ch, day)
        return dict(zip(keys, weights))

    def author_dist(self, ch: Channel, week: int, key: str, late: bool = False) -> list[float]:
        p = P[key]
        base = list(ch.arc[WEEKS.index(week)])
        if key in ch.guests:  # visitors mostly ask or inform
            return [0.22, 0.70, 0.06, 0.02]
        if late:
            base = [0.06, 0.26, 0.20, 0.48]
        if p.fixed_mood and ch.name in ("eng-platform", "support-ops"):
            base = [0.9 * f + 0.1 * b for f, b in zip(p.fixed_mood, base)]
            return base
        b = p.bias
        w = [base[0] * math.exp(b), base[1], base[2] * math.exp(-b), base[3] * p.stress_k * math.exp(-b / 2)]
        s = sum(w)
        return [x / s for x in w]

    def pick_mood(self, ch: Channel, week: int, key: str, late: bool = False, prefer: str | None = None,
                  parent: str | None = None) -> str:
        """A mood for this author here and now; ``prefer`` (a thread's mood) is more likely in replies,
        and a reply never flips from a happy post to a gloomy one or back (``parent``)."""
        dist = self.author_dist(ch, week, key, late)
        if prefer:
            dist = [d * (3.0 if mo == prefer else 1.0) for d, mo in zip(dist, MOODS)]
        if parent == "pos":
            dist = [d if mo in ("pos", "neu") else 0.0 for d, mo in zip(dist, MOODS)]
        elif parent in ("neg", "str"):
            dist = [d if mo != "pos" else 0.0 for d, mo in zip(dist, MOODS)]
        if P[key].fixed_mood is None and not late and key not in ch.guests:
            # Keep each channel-week close to its arc: nudge towards the moods it is short of.
            target = ch.arc[WEEKS.index(week)]
            seen = self.mood_counts[(ch.name, week)]
            n = sum(seen.values()) + 1
            dist = [d * min(4.0, max(0.08, 1 + 2.5 * (t * n - seen[mo]) / (t * n + 1)))
                    for d, t, mo in zip(dist, target, MOODS)]
        mood = self.rng.choices(MOODS, dist)[0]
        self.count_mood(ch.name, week, key, mood, late)
        return mood

    def count_mood(self, channel: str, week: int, key: str, mood: str, late: bool = False) -> None:
        if P[key].fixed_mood is None and not late and key not in CH[channel].guests:
            self.mood_counts[(channel, week)][mood] += 1

    TAG_RE = re.compile(r"^([~!]*)(?:\[([a-z|]+)\])?(?:\((before|after) (\d\d)-(\d\d)\))?")

    def usable(self, t: str, channel: str, author: str, day: dt.date, cooldown: int, late: bool) -> bool:
        flags, who, when, mm, dd = self.TAG_RE.match(t).groups()
        if who and author not in who.split("|"):
            return False
        if when == "before" and day >= dt.date(2026, int(mm), int(dd)):
            return False
        if when == "after" and day <= dt.date(2026, int(mm), int(dd)):
            return False
        if "{days}" in t and day >= RELEASE_DAY:
            return False
        if late and "~" in flags:
            return False
        if "!" in flags and self.used[t]:
            return False
        last = self.last_used.get((channel, t))
        return not (cooldown and last and (day - last).days < cooldown)

    def pick_template(self, cands: list[str], channel: str = "", author: str = "", day: dt.date = FIRST_DAY,
                      cooldown: int = 10, late: bool = False) -> str:
        ok = [t for t in cands if self.usable(t, channel, author, day, cooldown, late)]
        if not ok:  # everything used recently: take the least recently used
            ok = [t for t in cands if self.usable(t, channel, author, day, 0, late)] or cands
            oldest = min(self.last_used.get((channel, t), FIRST_DAY) for t in ok)
            ok = [t for t in ok if self.last_used.get((channel, t), FIRST_DAY) == oldest]
        weights = [1.0 / (1 + self.used[t]) ** 2 for t in ok]
        t = self.rng.choices(ok, weights)[0]
        self.used[t] += 1
        self.last_used[(channel, t)] = day
        return t[self.TAG_RE.match(t).end():]

    def template_for(self, ch: Channel, phase: str, mood: str, author: str, day: dt.date,
                     late: bool = False) -> str:
        def live(pool_: list[str]) -> list[str]:
            return [t for t in pool_ if self.usable(t, ch.name, author, day, 0, late)]

        phased = live(POOLS.get((ch.name, phase, mood), []))
        anyp = live(POOLS.get((ch.name, "any", mood), []))
        if phased and (not anyp or self.rng.random() < 0.65):
            return self.pick_template(phased, ch.name, author, day, late=late)
        if anyp:
            return self.pick_template(anyp, ch.name, author, day, late=late)
        # nothing left for this mood here: fall back to the neighbouring mood
        fallback = {"str": "neg", "neg": "neu", "pos": "neu", "neu": "neu"}[mood]
        return self.template_for(ch, phase, fallback, author, day, late)

    def make(self, ch: Channel, day: dt.date, when: dt.datetime, author: str, template: str, mood: str,
             parent: Msg | None = None, story: bool = False, style: bool = True) -> Msg:
        phase = ch.phase(WEEKS[0] + (day - FIRST_DAY).days // 7, day)
        ctx = Ctx(self.rng, ch, day, author, phase, self.members_for_slots(ch, day))
        text = fill(template, ctx)
        correct = None
        if style:
            text = restyle(self.rng, P[author], text, mood)
            if self.rng.random() < P[author].typo:
                typo = add_typo(self.rng, text)
                if typo:
                    correct, text = text, typo
        m = Msg(ch.name, when, text, user=author, mood=mood, parent=parent, correct_text=correct, story=story)
        self.msgs.append(m)
        return m

    def reply_text(self, ch: Channel, phase: str, mood: str, author: str, when: dt.date,
                   late: bool = False, question: bool = False, topical: bool = False,
                   parent_mood: str = "neu") -> str:
        if ch.name in ("general", "watercooler"):
            key = "answer" if question else mood
            return self.pick_template(SOCIAL_REPLIES[key], ch.name, author, when, cooldown=0)
        if mood == "neu" and question:
            cands = REPLIES["ack"] + (CHANNEL_REPLIES.get((ch.name, "ack"), []) * 2 if topical else [])
        elif mood == "neu" and parent_mood in ("neg", "str"):
            cands = REPLIES["support"]
        else:
            cands = REPLIES[mood] + CHANNEL_REPLIES.get((ch.name, mood), []) * 2
        return self.pick_template(cands, ch.name, author, when, cooldown=0)

    # ---- units
    def unit_single(self, ch: Channel, day: dt.date, week: int, start: dt.datetime, late: bool = False,
                    author: str | None = None) -> list[Msg]:
        keys, weights = self.posters(ch, day)
        if late:
            keys = [k for k in keys if P[k].team == "Platform"]
            weights = [0.4 if k == "tomasz" else 1.0 for k in keys]
        author = author or self.rng.choices(keys, weights)[0]
        mood = self.pick_mood(ch, week, author, late)
        phase = ch.phase(week, day)
        if (ch.name, author) in GUEST_POOLS:
            mood = "neu"
            tmpl = self.pick_template(GUEST_POOLS[(ch.name, author)], ch.name, author, day)
        elif self.rng.random() < 0.02:
            tmpl = self.rng.choice({"pos": ["🎉", ":tada: :tada:", "🙌🙌", ":rocket:"], "neu": ["👀", ":coffee:"],
                                    "neg": ["🙃", ":face_palm:"], "str": ["😩😩😩", ":sob:", "🫠"]}[mood])
        else:
            tmpl = self.template_for(ch, phase, mood, author, day, late)
        parent = self.make(ch, day, start, author, tmpl, mood)
        out = [parent]
        if self.rng.random() < ch.thread_p and len(parent.text) > 20:
            n = min(1 + int(self.rng.expovariate(0.7)), 6)
            t = start
            last = author
            for _ in range(n):
                t += dt.timedelta(minutes=self.rng.randint(1, 14), seconds=self.rng.randint(0, 59))
                rkeys = [k for k in keys if k != last] or keys
                rweights = [w for k, w in zip(keys, weights) if k != last] or weights
                replier = last = self.rng.choices(rkeys, rweights)[0]
                fixed = P[replier].fixed_mood
                if replier in ch.guests:  # visitors chime in politely
                    rmood = "pos" if mood == "pos" and self.rng.random() < 0.5 else "neu"
                elif ch.name in ("general", "watercooler"):  # social replies follow the post
                    rmood = mood
                    self.count_mood(ch.name, week, replier, mood)
                elif fixed is not None:  # the chatty ones keep their own weather, even in replies
                    rmood = self.pick_mood(ch, week, replier, late)
                elif self.rng.random() < 0.55:
                    rmood = mood
                    self.count_mood(ch.name, week, replier, mood, late)
                else:
                    rmood = self.pick_mood(ch, week, replier, late, prefer=mood, parent=mood)
                out.append(self.make(ch, day, t, replier, self.reply_text(ch, phase, rmood, replier, day, late,
                                                                         question=is_request(parent.text),
                                                                         topical=is_topical(ch.name, parent.text),
                                                                         parent_mood=mood), rmood, parent=parent))
        return out

    def unit_scripted(self, ch: Channel, day: dt.date, week: int, start: dt.datetime) -> list[Msg] | None:
        phase = ch.phase(week, day)
        keys, weights = self.posters(ch, day)
        mood = self.pick_mood(ch, week, self.rng.choices(keys, weights)[0])
        cands = [i for i, t in enumerate(SCRIPTED_THREADS) if t.channel == ch.name and i not in self.used_threads
                 and t.mood == mood and (phase in t.phases or "any" in t.phases)
                 and not (day >= RELEASE_DAY and any("{days}" in text for _, text in t.lines))]
        if not cands:
            return None
        idx = self.rng.choice(cands)
        self.used_threads.add(idx)
        thread = SCRIPTED_THREADS[idx]
        roles: dict[str, str] = {}
        fits = {"pos": ("pos", "neu"), "neu": ("pos", "neu"), "neg": ("neg", "str"), "str": ("neg", "str")}[thread.mood]
        for role in "ABCD":
            free = [(k, w) for k, w in zip(keys, weights) if k not in roles.values()
                    and (P[k].fixed_mood is None or max(zip(P[k].fixed_mood, MOODS))[1] in fits)]
            roles[role] = self.rng.choices([k for k, _ in free], [w for _, w in free])[0]
        out: list[Msg] = []
        t = start
        for i, (role, text) in enumerate(thread.lines):
            if i:
                t += dt.timedelta(minutes=self.rng.randint(1, 9), seconds=self.rng.randint(0, 59))
            if i:
                self.count_mood(ch.name, week, roles[role], thread.mood)
            out.append(self.make(ch, day, t, roles[role], text, thread.mood, parent=out[0] if out else None))
        return out

    # ---- scheduled items
    def standup(self, ch: Channel, day: dt.date, week: int) -> list[Msg]:
        t = dt.datetime(day.year, day.month, day.day, 9, self.rng.randint(12, 28), self.rng.randint(0, 59))
        header = self.pick_template(["standup thread :thread:", "morning! async standup below 👇", "standup 🧵",
                                     "standup, reply in thread pls", "standup thread, happy " + WEEKDAYS[day.weekday()],
                                     "good morning, standup here 👇"])
        lead = "daniel" if self.rng.random() < 0.85 else "sofia"
        parent = self.make(ch, day, t, lead, header, "neu", style=False)
        out = [parent]
        crowd = [k for k in PLATFORM if k != lead and self.active(k, day)]
        self.rng.shuffle(crowd)
        for k in crowd:
            if self.rng.random() < (0.9 if k == "tomasz" else 0.55):
                t += dt.timedelta(minutes=self.rng.randint(1, 11), seconds=self.rng.randint(0, 59))
                mood = self.pick_mood(ch, week, k)
                out.append(self.make(ch, day, t, k, self.pick_template(STANDUP[mood], ch.name, k, day, cooldown=3),
                                     mood, parent=parent))
        return out

    def handover(self, ch: Channel, day: dt.date, week: int) -> list[Msg]:
        t = dt.datetime(day.year, day.month, day.day, 8, self.rng.randint(30, 58), self.rng.randint(0, 59))
        author = self.rng.choice(["hana", "meilin", "callum", "grace", "jamal"])
        if week == 43 and day > OUTAGE_DAY:
            tmpl = self.rng.choice(["morning. outage queue: {num} left, new tickets mostly follow-ups",
                                    "morning all, still {num} outage tickets open, I'm on phones"])
            mood = "neg"
        else:
            tmpl = self.rng.choice(["morning! queue: {num} open, 2 P2s, nothing urgent",
                                    "morning all, {num} in the queue, {tkt} needs a callback before 10",
                                    "morning :wave: overnight: {num} new, all triaged",
                                    "handover: {num} open, {tkt} waiting on eng, rest is routine"])
            mood = "neu"
        return [self.make(ch, day, t, author, tmpl, mood)]

    def pipeline_review(self, ch: Channel, day: dt.date, week: int) -> list[Msg]:
        t = dt.datetime(day.year, day.month, day.day, 9, self.rng.randint(40, 55), self.rng.randint(0, 59))
        parent = self.make(ch, day, t, "victoria",
                           self.rng.choice(["Pipeline check-in for the week 👇 what's closing, what's stuck?",
                                            "Monday pipeline thread: one line each please, deal + stage + next step",
                                            "Morning all. Pipeline updates in here please 👇"]), "neu")
        out = [parent]
        for k in ["marcus", "isabel", "ravi", "ellie", "kwame"]:
            if self.rng.random() < 0.75:
                t += dt.timedelta(minutes=self.rng.randint(2, 20), seconds=self.rng.randint(0, 59))
                mood = self.pick_mood(ch, week, k)
                out.append(self.make(ch, day, t, k, self.template_for(ch, ch.phase(week, day), mood, k, day), mood,
                                     parent=parent))
        return out

    def bot_msg(self, ch: Channel, when: dt.datetime, bot: str, text: str) -> Msg:
        m = Msg(ch.name, when, text, bot=bot)
        self.msgs.append(m)
        return m

    def github(self, ch: Channel, day: dt.date, week: int) -> None:
        r = self.rng
        t = random_work_time(r, day)
        run = r.randint(10**9, 10**10 - 1)
        fail_p = 0.25 if week < 44 else 0.6 if week < 47 else 0.15
        if r.random() < fail_p:
            text = (f"*route-engine* · `main` · build #{r.randint(4100, 4990)} failed: "
                    f"`{r.choice(['test_dispatch_consumer', 'test_eta_window', 'test_import_dedupe', 'e2e/driver_login'])}` "
                    f"(<https://github.com/kestrelroute/route-engine/actions/runs/{run}|details>)")
        elif r.random() < 0.5:
            pr = r.randint(1800, 2999)
            text = (f"Pull request merged: <https://github.com/kestrelroute/route-engine/pull/{pr}|#{pr}> "
                    f"{r.choice(['Add ETA smoothing flag', 'Batch the route_stops backfill', 'Fix geocoder retry', 'Bump libgeo to 4.2.1', 'Ring buffer for GPS pings'])} "
                    f"by {P[r.choice(PLATFORM[:8])].display_name}")
        else:
            text = (f"Deployment of *route-engine* `{('5.0.' + str(r.randint(1, 2))) if day > RELEASE_DAY else '4.18.' + str(r.randint(3, 14))}` "
                    f"to *production* succeeded (<https://github.com/kestrelroute/route-engine/actions/runs/{run}|run {run}>)")
        self.bot_msg(ch, t, "github", text)

    def donut(self, ch: Channel, day: dt.date) -> None:
        keys = [k for k in ch.core if self.active(k, day)]
        self.rng.shuffle(keys)
        pairs = [f"<@{P[a].id}> + <@{P[b].id}>" for a, b in zip(keys[0:8:2], keys[1:8:2])]
        t = dt.datetime(day.year, day.month, day.day, 9, 0, self.rng.randint(0, 20))
        self.bot_msg(ch, t, "donut", "Hi everyone! :doughnut: This week's coffee pairings are out: "
                     + ", ".join(pairs) + ". Say hi and find a time that works!")

    # ---- story blocks
    def story(self) -> None:
        block_re = re.compile(r"^@ (\d{4}-\d{2}-\d{2}) (\S+)$")
        line_re = re.compile(r"^(\d{2}):(\d{2}) (\S+)(?: \^(\d+))?(?: (pos|neu|neg|str))? \| (.*)$")
        day = ch = None
        block: list[Msg] = []
        for raw in STORY.strip("\n").splitlines():
            if not raw.strip():
                continue
            mb = block_re.match(raw)
            if mb:
                day, ch, block = dt.date.fromisoformat(mb.group(1)), CH[mb.group(2)], []
                continue
            ml = line_re.match(raw)
            assert ml and day and ch, raw
            hh, mm, who, ref, mood, text = ml.groups()
            when = dt.datetime(day.year, day.month, day.day, int(hh), int(mm), self.rng.randint(0, 59))
            parent = block[int(ref) - 1] if ref else None
            text = text.replace("\\n", "\n")
            if who.startswith("bot:"):
                ctx = Ctx(self.rng, ch, day, None, "any", self.members_for_slots(ch, day))
                block.append(self.bot_msg(ch, when, who[4:], fill(text, ctx)))
                continue
            week = day.isocalendar().week
            self.count_mood(ch.name, week, who, mood or "neu")
            ctx = Ctx(self.rng, ch, day, who, ch.phase(week, day), self.members_for_slots(ch, day))
            if "LONG:" in text:
                head, name = text.split("LONG:")
                body = LONG[name](ctx)
                full = (fill(head, ctx) + body) if head else body
                m = Msg(ch.name, when, full, user=who, mood=mood or "neu", parent=parent, story=True)
                self.msgs.append(m)
            else:
                m = Msg(ch.name, when, fill(text, ctx), user=who, mood=mood or "neu", parent=parent, story=True)
                self.msgs.append(m)
            block.append(m)

    # ---- the main loop
    def run(self) -> None:
        self.story()
        for ch in CHANNELS:
            for week in WEEKS:
                days = [d for d in working_days() if d.isocalendar().week == week]
                for d in days:
                    self.fill_day(ch, d, week)
                self.top_up(ch, week, days)
        self.lifecycle()
        self.assign_ts()

    def count(self, ch: Channel, day: dt.date) -> int:
        return sum(1 for m in self.msgs if m.channel == ch.name and m.when.date() == day and m.user)

    def fill_day(self, ch: Channel, day: dt.date, real_week: int) -> None:
        r = self.rng
        # The day after the release already feels like the relief week in engineering.
        week = 47 if (ch.name == "eng-platform" and day > RELEASE_DAY) else real_week
        # scheduled things first
        if ch.name == "eng-platform":
            self.standup(ch, day, week)
            if r.random() < (0.45 if week < 44 else 0.8):
                self.github(ch, day, week)
            late_p = {43: 0.12, 44: 0.5, 45: 0.8, 46: 0.9}.get(week, 0.0)
            if day != RELEASE_DAY and r.random() < late_p:
                t = dt.datetime(day.year, day.month, day.day, r.randint(19, 21), r.randint(0, 59))
                for _ in range(r.randint(2, 3 if week < 45 else 6)):
                    self.unit_single(ch, day, week, t, late=True)
                    t += dt.timedelta(minutes=r.randint(6, 45))
                    if t.hour >= 23 and t.minute > 40:
                        break
        elif ch.name == "support-ops":
            if day != OUTAGE_DAY:
                self.handover(ch, day, week)
            if (week, day.weekday()) in ((42, 2), (45, 3)):
                t = random_work_time(r, day)
                svc = "geocoder" if week == 42 else "notifier"
                self.bot_msg(ch, t, "pagerduty", f":rotating_light: *Triggered* #{r.randint(40000, 49999)} {svc}: "
                             f"latency p95 above 2s for 10 minutes. Assigned to Arjun Mehta.")
                self.bot_msg(ch, t + dt.timedelta(minutes=r.randint(8, 30)), "pagerduty",
                             f":white_check_mark: *Resolved* {svc}: latency p95 above 2s for 10 minutes")
        elif ch.name == "sales-deals" and day.weekday() == 0:
            self.pipeline_review(ch, day, week)
        elif ch.name == "watercooler" and day.weekday() == 0:
            self.donut(ch, day)

        quota = round(ch.weekly[WEEKS.index(week)] * DAY_WEIGHTS[day.weekday()] * r.uniform(0.85, 1.15))
        prev: dt.datetime | None = None
        guard = 0
        while self.count(ch, day) < quota and guard < 200:
            guard += 1
            if prev is not None and r.random() < 0.35:
                start = prev + dt.timedelta(minutes=r.randint(1, 12), seconds=r.randint(0, 59))
                if start.hour >= 18:
                    start = random_work_time(r, day)
            else:
                start = random_work_time(r, day)
            unit = None
            if r.random() < 0.10:
                unit = self.unit_scripted(ch, day, week, start)
            if unit is None:
                unit = self.unit_single(ch, day, week, start)
            prev = unit[-1].when

    def top_up(self, ch: Channel, week: int, days: list[dt.date]) -> None:
        """Every team member posts at least twice a week in their team channel."""
        if not ch.enrolled or ch.name == "general":
            return
        for k in ch.core:
            live_days = [d for d in days if self.active(k, d)]
            if not live_days:
                continue
            have = sum(1 for m in self.msgs if m.channel == ch.name and m.user == k
                       and m.when.isocalendar().week == week)
            for _ in range(max(0, 2 - have)):
                d = self.rng.choice(live_days)
                self.unit_single(ch, d, week, random_work_time(self.rng, d), author=k)

    # ---- lifecycle: joins, commands, deletions, edits
    def lifecycle(self) -> None:
        r = self.rng
        L = self.life

        def at(day: str, hhmm: str, sec: int = 0) -> dt.datetime:
            d = dt.date.fromisoformat(day)
            h, m = map(int, hhmm.split(":"))
            return dt.datetime(d.year, d.month, d.day, h, m, sec)

        # joins (Slack's channel_join message subtype)
        L.append(Lifecycle("join", at("2026-10-05", "08:02"), "design", user="farid", inviter="nadia"))
        L.append(Lifecycle("join", at("2026-10-26", "09:04"), "general", user="yusuf"))
        L.append(Lifecycle("join", at("2026-10-26", "09:06"), "eng-platform", user="yusuf", inviter="daniel"))
        L.append(Lifecycle("join", at("2026-10-26", "09:20"), "watercooler", user="yusuf"))
        L.append(Lifecycle("join", at("2026-10-27", "10:11"), "eng-platform", user="kwame"))

        # slash commands
        for i, name in enumerate(["eng-platform", "support-ops", "sales-deals", "design", "general"]):
            L.append(Lifecycle("command", at("2026-10-05", f"08:{5 + i:02d}", 10 + i), name, user="farid",
                               text="optin"))
        commands = [
            ("2026-10-05", "09:27", "general", "priya", "status"),
            ("2026-10-12", "10:45", "eng-platform", "kenji", "status"),
            ("2026-10-14", "15:10", "support-ops", "meilin", "status"),
            ("2026-10-21", "14:12", "eng-platform", PAUSED, "pause"),
            ("2026-10-29", "11:20", "eng-platform", PAUSED, "status"),
            ("2026-11-03", "10:02", "eng-platform", PAUSED, "resume"),
            ("2026-11-10", "13:05", "sales-deals", "ravi", "status"),
            ("2026-11-11", "16:40", "support-ops", FORGOTTEN, "forget-me"),
            ("2026-11-12", "09:05", "support-ops", FORGOTTEN, "status"),
            ("2026-11-16", "09:15", "support-ops", FORGOTTEN, "resume"),
        ]
        for day, hhmm, chan, who, text in commands:
            L.append(Lifecycle("command", at(day, hhmm, r.randint(0, 59)), chan, user=who, text=text))

        # deletions: the message, its deletion, and sometimes a corrected repost
        deletions = [
            ("2026-10-14", "11:22", "support-ops", "meilin",
             "refund for {cust}: card ending 4417, exp 09/28, billing contact {phone}. can someone push it through manually?",
             45, "sorry, wrong place for card details 🙈 sent it through the billing form instead"),
            ("2026-10-16", "12:40", "watercooler", "chloe",
             "does anyone know a good physio near the office? my back is wrecked", 70, None),
            ("2026-10-28", "14:31", "sales-deals", "isabel", "{cust} quote is £12k/yr for 40 vans", 130,
             "correction: {cust} quote is £21k/yr for 40 vans, the other number was last year's price list"),
            ("2026-11-03", "16:05", "eng-platform", "sofia",
             "can you cover my on-call tomorrow morning? got a hospital appointment, rather not say it in standup",
             25, None),
            ("2026-11-09", "10:12", "general", "owen", "Reminder: expenses are due by the 20th.", 180,
             "Reminder: expenses are due by the 25th, not the 20th. Sorry!"),
        ]
        for day, hhmm, chan, who, text, delay, repost in deletions:
            ch = CH[chan]
            d = dt.date.fromisoformat(day)
            ctx = Ctx(r, ch, d, who, ch.phase(d.isocalendar().week, d), self.members_for_slots(ch, d))
            when = at(day, hhmm, r.randint(0, 30))
            mood = "neu"
            victim = Msg(chan, when, fill(text, ctx), user=who, mood=mood, story=True)
            self.msgs.append(victim)
            gone = when + dt.timedelta(seconds=delay)
            L.append(Lifecycle("delete", gone, chan, user=who, target=victim))
            if repost:
                self.msgs.append(Msg(chan, gone + dt.timedelta(seconds=r.randint(20, 90)), fill(repost, ctx),
                                     user=who, mood=mood, story=True))

        # edits: mostly typo fixes, one added note
        cands = [m for m in self.msgs if m.correct_text and m.user not in (PAUSED, FORGOTTEN) and not m.story]
        enrolled = [m for m in cands if CH[m.channel].enrolled]
        water = [m for m in cands if not CH[m.channel].enrolled]
        picks = r.sample(enrolled, min(8, len(enrolled))) + r.sample(water, min(1, len(water)))
        for m in picks:
            L.append(Lifecycle("edit", m.when + dt.timedelta(seconds=r.randint(20, 300)), m.channel, user=m.user,
                               target=m, new_text=m.correct_text))
        extra = [m for m in self.msgs if m.channel == "eng-platform" and m.user and not m.story and not m.parent
                 and m.when.isocalendar().week == 42 and m.mood == "neu" and m.user not in (PAUSED, FORGOTTEN)
                 and not m.correct_text and "```" not in m.text]
        m = r.choice(extra)
        L.append(Lifecycle("edit", m.when + dt.timedelta(minutes=r.randint(3, 25)), m.channel, user=m.user,
                           target=m, new_text=m.text + " (edit: sorted now, thanks!)"))
        # a message is edited at most once
        seen: set[int] = set()
        self.life = [x for x in L if x.kind != "edit" or (id(x.target) not in seen and not seen.add(id(x.target)))]

    def assign_ts(self) -> None:
        r = self.rng
        taken: set[tuple[int, int]] = set()

        def stamp(when: dt.datetime, micro: bool = True) -> tuple[int, int]:
            sec = to_epoch(when)
            us = r.randint(100, 999_899) if micro else 0
            while (sec, us) in taken:
                us += 1
            taken.add((sec, us))
            return sec, us

        for m in sorted(self.msgs, key=lambda x: (x.when, x.parent is not None)):
            if m.parent is not None and m.when <= m.parent.when:
                m.when = m.parent.when + dt.timedelta(seconds=r.randint(20, 90))
            sec, us = stamp(m.when)
            m.sec, m.ts = sec, f"{sec}.{us:06d}"
        for x in self.life:
            if x.target is not None and x.when <= x.target.when:
                x.when = x.target.when + dt.timedelta(seconds=20)
            sec, us = stamp(x.when, micro=x.kind != "command")
            x.sec = sec
            x.ts = str(sec) if x.kind == "command" else f"{sec}.{us:06d}"

        # blocks on about 5% of people's messages, favouring ones with mentions and links
        for m in self.msgs:
            if m.user and "```" not in m.text:
                m.blocks = r.random() < (0.15 if "<" in m.text else 0.045)


# --------------------------------------------------------------------------------------
# Slack payloads
# --------------------------------------------------------------------------------------

UNICODE_EMOJI = {
    "🎉": ("tada", "1f389"), "🙌": ("raised_hands", "1f64c"), "👀": ("eyes", "1f440"), "🙏": ("pray", "1f64f"),
    "😩": ("weary", "1f629"), "🙃": ("upside_down_face", "1f643"), "🔥": ("fire", "1f525"),
    "😊": ("blush", "1f60a"), "🚀": ("rocket", "1f680"), "👍": ("+1", "1f44d"), "😬": ("grimacing", "1f62c"),
    "🫠": ("melting_face", "1fae0"), "😒": ("unamused", "1f612"), "🍕": ("pizza", "1f355"),
    "💪": ("muscle", "1f4aa"), "🙂": ("slightly_smiling_face", "1f642"), "😤": ("triumph", "1f624"),
    "😵": ("dizzy_face", "1f635"), "🤔": ("thinking_face", "1f914"), "🥲": ("smiling_face_with_tear", "1f972"),
    "😂": ("joy", "1f602"), "✅": ("white_check_mark", "2705"), "👎": ("-1", "1f44e"), "🎂": ("birthday", "1f382"),
}
TOKEN_RE = re.compile(
    r"<@(U[0-9A-Z]+)>|<#(C[0-9A-Z]+)\|([^>]*)>|<((?:mailto:|https?://)[^|>]+)(?:\|([^>]*))?>|:([a-z0-9_+\-]+):"
    + "|(" + "|".join(re.escape(e) for e in UNICODE_EMOJI) + ")"
)


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def rich_text_blocks(text: str, rng: random.Random) -> list[dict]:
    elements: list[dict] = []
    pos = 0

    def plain(s: str) -> None:
        if s:
            elements.append({"type": "text", "text": slack_unescape(s)})

    for m in TOKEN_RE.finditer(text):
        plain(text[pos:m.start()])
        user, chan, _cname, url, label, emoji, uni = m.groups()
        if user:
            elements.append({"type": "user", "user_id": user})
        elif chan:
            elements.append({"type": "channel", "channel_id": chan})
        elif url:
            el = {"type": "link", "url": slack_unescape(url)}
            if label:
                el["text"] = slack_unescape(label)
            elements.append(el)
        elif emoji:
            elements.append({"type": "emoji", "name": emoji})
        else:
            name, code = UNICODE_EMOJI[uni]
            elements.append({"type": "emoji", "name": name, "unicode": code})
        pos = m.end()
    plain(text[pos:])
    block_id = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") for _ in range(5))
    return [{"type": "rich_text", "block_id": block_id,
             "elements": [{"type": "rich_text_section", "elements": elements}]}]


def build(gen: Generator) -> tuple[dict, list[dict]]:
    rng = random.Random(SEED + 1)
    client_ids: dict[int, str] = {}
    blocks: dict[int, list[dict]] = {}
    for m in gen.msgs:
        if m.user:
            client_ids[id(m)] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if m.blocks:
                blocks[id(m)] = rich_text_blocks(m.text, rng)

    def message_body(m: Msg, text: str | None = None) -> dict:
        """The message object as Slack shows it (also used inside edit/delete events)."""
        body = {"client_msg_id": client_ids[id(m)], "type": "message", "text": m.text if text is None else text,
                "user": P[m.user].id, "ts": m.ts}
        if id(m) in blocks:
            body["blocks"] = blocks[id(m)] if text is None else rich_text_blocks(text, rng)
        body["team"] = TEAM_ID
        if m.parent is not None:
            body["thread_ts"] = m.parent.ts
            body["parent_user_id"] = P[m.parent.user].id if m.parent.user else BOT[m.parent.bot].id
        return body

    records: list[tuple[tuple[int, str], dict]] = []
    for m in gen.msgs:
        ch = CH[m.channel]
        if m.user:
            ev = message_body(m)
        else:
            b = BOT[m.bot]
            if b.style == "classic":
                ev = {"type": "message", "subtype": "bot_message", "text": m.text, "ts": m.ts,
                      "username": b.name, "bot_id": b.bot_id}
            else:
                ev = {"type": "message", "user": b.id, "bot_id": b.bot_id, "app_id": b.app_id, "text": m.text,
                      "ts": m.ts, "team": TEAM_ID,
                      "bot_profile": {"id": b.bot_id, "app_id": b.app_id, "name": b.name, "icons": {},
                                      "deleted": False, "updated": 1756684800, "team_id": TEAM_ID}}
            if m.parent is not None:
                ev["thread_ts"] = m.parent.ts
        ev.update({"channel": ch.id, "event_ts": m.ts, "channel_type": "channel"})
        records.append(((m.sec, m.ts), {"kind": "event", "event": ev}))

    for x in gen.life:
        ch = CH[x.channel]
        if x.kind == "command":
            rec = {"kind": "command", "ts": x.ts,
                   "command": {"command": "/teamweather", "text": x.text, "user_id": P[x.user].id,
                               "channel_id": ch.id, "team_id": TEAM_ID, "user_name": P[x.user].display_name,
                               "channel_name": ch.name}}
            records.append(((x.sec, x.ts + ".000000"), rec))
            continue
        if x.kind == "join":
            ev = {"type": "message", "subtype": "channel_join", "user": P[x.user].id,
                  "text": f"<@{P[x.user].id}> has joined the channel", "ts": x.ts, "team": TEAM_ID}
            if x.inviter:
                ev["inviter"] = P[x.inviter].id
        elif x.kind == "edit":
            new = message_body(x.target, x.new_text)
            new["edited"] = {"user": P[x.user].id, "ts": x.ts}
            ev = {"type": "message", "subtype": "message_changed", "message": new,
                  "previous_message": message_body(x.target), "hidden": True, "ts": x.ts}
        elif x.kind == "delete":
            ev = {"type": "message", "subtype": "message_deleted", "previous_message": message_body(x.target),
                  "hidden": True, "deleted_ts": x.target.ts, "ts": x.ts}
        else:
            raise ValueError(x.kind)
        ev.update({"channel": ch.id, "event_ts": x.ts, "channel_type": "channel"})
        records.append(((x.sec, x.ts), {"kind": "event", "event": ev}))

    records.sort(key=lambda kv: (kv[0][0], kv[0][1]))
    events = [rec for _, rec in records]

    # channel membership: everyone who posts there, plus silent members and joiners
    members: dict[str, set[str]] = collections.defaultdict(set)
    for m in gen.msgs:
        if m.user:
            members[m.channel].add(m.user)
    for c in CHANNELS:
        members[c.name].update(c.silent)
    for x in gen.life:
        if x.kind in ("join", "command"):
            members[x.channel].add(x.user)
    order = {p.key: i for i, p in enumerate(PEOPLE)}

    workspace = {
        "team_id": TEAM_ID,
        "team_name": TEAM_NAME,
        "company": COMPANY,
        "sector": "Software: route planning and live delivery tracking for regional grocers and couriers (Leeds, UK)",
        "timezone": TIMEZONE,
        "admins": [P[k].id for k in ADMINS],
        "members": [
            {"id": p.id, "real_name": p.real_name, "display_name": p.display_name, "title": p.title,
             "team": p.team, "is_bot": False} for p in PEOPLE
        ] + [
            {"id": b.id, "real_name": b.name, "display_name": b.handle, "title": "", "team": None, "is_bot": True,
             "bot_id": b.bot_id} for b in BOTS
        ],
        "teams": [{"name": name, "channels": [CH[c].id for c in chans], "managers": [P[k].id for k in mgrs]}
                  for name, chans, mgrs in TEAMS],
        "channels": [
            {"id": c.id, "name": c.name, "enrolled": c.enrolled, "purpose": c.purpose,
             "members": [P[k].id for k in sorted(members[c.name], key=order.__getitem__)]}
            for c in CHANNELS
        ],
    }
    return workspace, events


# --------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------

def local_time(epoch: float) -> dt.datetime:
    utc = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=epoch)
    return utc + (dt.timedelta(hours=1) if utc < BST_END_UTC else dt.timedelta(0))


MENTION_RE = re.compile(r"<@(U[0-9A-Z]+)(?:\|[^>]*)?>")
CHANNEL_RE = re.compile(r"<#(C[0-9A-Z]+)(?:\|[^>]*)?>")
ID_RE = {"U": re.compile(r"^U[0-9A-Z]{10}$"), "C": re.compile(r"^C[0-9A-Z]{10}$")}


def check(out_dir: Path = OUT_DIR, verbose: bool = True) -> dict:
    """Validate the files and return (and print) the counts. Raises AssertionError on a problem."""
    ws = json.loads((out_dir / "workspace.json").read_text(encoding="utf-8"))
    users = {m["id"]: m for m in ws["members"]}
    humans = {k for k, m in users.items() if not m["is_bot"]}
    chans = {c["id"]: c for c in ws["channels"]}
    assert all(ID_RE["U"].match(u) for u in users), "bad user id"
    assert all(ID_RE["C"].match(c) for c in chans), "bad channel id"
    assert set(ws["admins"]) <= humans
    for t in ws["teams"]:
        assert set(t["channels"]) <= set(chans) and set(t["managers"]) <= humans
    teams = {t["name"] for t in ws["teams"]}
    assert all(m["team"] in teams for m in ws["members"] if not m["is_bot"]), "member in unknown team"

    lines = (out_dir / "events.jsonl").read_text(encoding="utf-8").splitlines()
    last = -1.0
    seen_ts: dict[str, set[str]] = collections.defaultdict(set)
    last_ch: dict[str, float] = collections.defaultdict(lambda: -1.0)
    optin_at: dict[str, float] = {}
    first_msg: dict[str, float] = {}
    counts = collections.Counter()
    per_cw: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    contrib: dict[tuple[str, int], set[str]] = collections.defaultdict(set)
    blocks = 0
    longest = 0
    state: dict[str, str] = {}  # user -> "paused" | "forgotten" (from the slash commands)
    held: collections.Counter[str] = collections.Counter()  # messages sent while paused/forgotten
    stored: collections.Counter[str] = collections.Counter()  # enrolled messages kept, per user
    by_author: collections.Counter[tuple[str, str]] = collections.Counter()
    late: list[dt.datetime] = []
    postmortem = 0
    erased: dict[str, int] = {}  # what forget-me has to erase
    for n, line in enumerate(lines, 1):
        rec = json.loads(line)
        if rec["kind"] == "command":
            c = rec["command"]
            t = float(rec["ts"])
            assert c["command"] == "/teamweather" and c["text"] in ("optin", "pause", "resume", "forget-me", "status")
            assert c["user_id"] in humans, f"line {n}: unknown command user"
            assert c["channel_id"] in chans, f"line {n}: unknown channel"
            if c["text"] == "optin":
                assert c["user_id"] in ws["admins"], f"line {n}: optin by non-admin"
                optin_at.setdefault(c["channel_id"], t)
            elif c["text"] == "pause":
                state[c["user_id"]] = "paused"
            elif c["text"] == "forget-me":
                state[c["user_id"]] = "forgotten"
                erased[users[c["user_id"]]["real_name"]] = stored.pop(c["user_id"], 0)
            elif c["text"] == "resume":
                state.pop(c["user_id"], None)
            counts["command:" + c["text"]] += 1
        else:
            assert rec["kind"] == "event"
            e = rec["event"]
            t = float(e["ts"])
            assert e["type"] == "message" and e["channel_type"] == "channel" and e["event_ts"] == e["ts"]
            ch = e["channel"]
            assert ch in chans, f"line {n}: unknown channel"
            assert e["ts"] not in seen_ts[ch] and t > last_ch[ch], f"line {n}: ts not increasing in channel"
            seen_ts[ch].add(e["ts"])
            last_ch[ch] = t
            sub = e.get("subtype")
            for u in [e.get("user"), e.get("inviter"), e.get("message", {}).get("user"),
                      e.get("previous_message", {}).get("user"), e.get("parent_user_id")]:
                assert u is None or u in users, f"line {n}: unknown user {u}"
            for text in [e.get("text", ""), e.get("message", {}).get("text", "")]:
                assert all(u in users for u in MENTION_RE.findall(text)), f"line {n}: unknown mention"
                assert all(c in chans for c in CHANNEL_RE.findall(text)), f"line {n}: unknown channel link"
            if "thread_ts" in e:
                assert e["thread_ts"] in seen_ts[ch] and float(e["thread_ts"]) < t, f"line {n}: orphan reply"
            if sub == "message_changed":
                assert e["message"]["ts"] in seen_ts[ch] and e["previous_message"]["ts"] == e["message"]["ts"]
                counts["edit"] += 1
            elif sub == "message_deleted":
                assert e["deleted_ts"] in seen_ts[ch]
                counts["delete"] += 1
            elif sub == "channel_join":
                counts["join"] += 1
            elif sub == "bot_message" or "bot_id" in e:
                counts["bot"] += 1
            else:
                assert sub is None and e["user"] in humans, f"line {n}: unexpected message"
                name = chans[ch]["name"]
                week = local_time(t).isocalendar().week
                if chans[ch]["enrolled"]:
                    if e["user"] in state:
                        held[f"{users[e['user']]['real_name']} ({state[e['user']]})"] += 1
                    else:
                        stored[e["user"]] += 1
                per_cw[name][week] += 1
                per_cw[name]["replies"] += "thread_ts" in e
                contrib[(name, week)].add(e["user"])
                by_author[(name, e["user"])] += 1
                local = local_time(t)
                if name == "eng-platform" and local.hour >= 19:
                    late.append(local)
                if e["text"].startswith("*Post-incident review"):
                    postmortem = len(e["text"])
                counts["message"] += 1
                blocks += "blocks" in e
                longest = max(longest, len(e["text"]))
                if chans[ch]["enrolled"]:
                    first_msg.setdefault(ch, t)
        assert t > last, f"line {n}: not sorted by time"
        last = t
    for c in chans.values():
        if c["enrolled"]:
            assert c["id"] in optin_at and optin_at[c["id"]] < first_msg[c["id"]], f"{c['name']}: message before optin"
        else:
            assert c["id"] not in optin_at
    size = (out_dir / "events.jsonl").stat().st_size
    result = {"lines": len(lines), "bytes": size, "counts": dict(counts), "per_channel_week": per_cw,
              "contributors": {k: len(v) for k, v in contrib.items()}, "blocks": blocks, "longest": longest,
              "held": dict(held), "erased": erased, "late": len(late),
              "latest": max(late, key=lambda x: x.time()).strftime("%H:%M on %a %d %b") if late else "-",
              "postmortem": postmortem,
              "share": {(ch_name, next(k for k, p in P.items() if p.id == u)): round(
                  100 * n / sum(v for (c2, _), v in by_author.items() if c2 == ch_name))
                  for (ch_name, u), n in by_author.items() if u in BY_ID}}
    if verbose:
        print(f"events.jsonl: {len(lines)} lines, {size / 1024:.0f} KiB; workspace: "
              f"{len(humans)} people, {len(users) - len(humans)} bots, {len(chans)} channels")
        print("counts:", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        print(f"messages with blocks: {blocks} ({100 * blocks / counts['message']:.1f}%), longest text: {longest} chars")
        print("\nhuman messages per channel and ISO week (replies included; contributors in brackets)")
        print(f"{'channel':<14}" + "".join(f"{'W' + str(w):>10}" for w in WEEKS) + f"{'total':>8}{'replies':>9}")
        for c in ws["channels"]:
            row = per_cw[c["name"]]
            cells = "".join(f"{row[w]:>5} ({len(contrib[(c['name'], w)]):>2})" for w in WEEKS)
            print(f"{c['name']:<14}{cells}{sum(row[w] for w in WEEKS):>8}{row['replies']:>9}")
        print(f"{'all':<14}" + "".join(f"{sum(per_cw[c['name']][w] for c in ws['channels']):>10}" for w in WEEKS)
              + f"{counts['message']:>8}")
        print("messages in enrolled channels while paused / forgotten (the pipeline must drop them):", dict(held))
        print("messages forget-me must erase (sent before it in enrolled channels):", erased)
    return result


def intended_moods(gen: Generator) -> None:
    """Print the mood mix the generator intended (a cross-check of the story arcs)."""
    print("\nintended mood mix per channel and week: % positive / % negative+stressed / % stressed")
    for c in CHANNELS:
        cells = []
        for w in WEEKS:
            ms = [m for m in gen.msgs if m.channel == c.name and m.user and m.when.isocalendar().week == w]
            n = max(len(ms), 1)
            pos = sum(m.mood == "pos" for m in ms)
            neg = sum(m.mood in ("neg", "str") for m in ms)
            st = sum(m.mood == "str" for m in ms)
            cells.append(f"{100 * pos // n:>3}/{100 * neg // n:>2}/{100 * st // n:>2}")
        print(f"{c.name:<14}" + " ".join(f"{x:>10}" for x in cells))
    late = [m for m in gen.msgs if m.channel == "eng-platform" and m.user and (m.when.hour >= 19)]
    by_w = collections.Counter(m.when.isocalendar().week for m in late)
    print("eng-platform messages after 19:00 by week:", dict(sorted(by_w.items())))


def readme(ws: dict, res: dict, out_dir: Path = OUT_DIR) -> str:
    """bot/demo_data/README.md, with the counts of the files just written."""
    people = [m for m in ws["members"] if not m["is_bot"]]
    bots = [m for m in ws["members"] if m["is_bot"]]
    by_key = {p.key: p for p in PEOPLE}
    notes = {
        "farid": "admin: enrols the five channels on Monday 5 Oct, 08:05-08:09",
        "priya": "admin; posts the Teamweather notice in #general",
        "maggie": "manager of Company (#general)", "daniel": "manager of Platform", "grace": "manager of Support",
        "victoria": "manager of Sales", "nadia": "manager of Design",
        "tomasz": f"very chatty ({res['share'][('eng-platform', 'tomasz')]}% of #eng-platform) and sunny through the crunch",
        "callum": f"chatty and sardonic whatever the week ({res['share'][('support-ops', 'callum')]}% of #support-ops)",
        "kenji": "quiet", "niamh": "quiet", "ravi": "quiet", "matteo": "quiet",
        PAUSED: "pauses Wed 21 Oct (W43), resumes Tue 3 Nov (W45); keeps posting while paused",
        FORGOTTEN: "forget-me Wed 11 Nov (W46), posts a little more, resumes Mon 16 Nov (W47)",
        NEW_JOINER: "contractor, joins Mon 26 Oct (W44)",
    }
    L = ["# Sample Slack workspace for `teamweather demo`", "",
         "Everything in this folder is **fictional and was written for this project**: the company, the 30",
         "people, the customers and every message. No real person's messages were used or adapted. Customer",
         "e-mail domains and internal hosts use the reserved `.example` top-level domain; phone numbers come from",
         "Ofcom's ranges reserved for drama (07700 900xxx, 0113 496 0xxx, 020 7946 0xxx); ticket, order and run",
         "numbers are random.", "",
         "Regenerate (deterministic, fixed seed, Python 3.11 standard library only):", "",
         "```", "python scripts/make_demo_workspace.py          # writes workspace.json, events.jsonl and this README",
         "python scripts/make_demo_workspace.py --check  # only validates the files and prints the counts", "```", "",
         "## The company", "",
         f"**{COMPANY}** ({ws['team_name']} on Slack, team `{ws['team_id']}`), a software company in Leeds that builds",
         "route planning and live delivery tracking for regional grocers, pharmacies and couriers. Timezone",
         "`Europe/London`: BST until Sunday 25 October 2026, GMT afterwards, so local 09:00 is 08:00 UTC in",
         "weeks 41-43 and 09:00 UTC from week 44.", "",
         "| id | name | handle | title | team | notes |", "|---|---|---|---|---|---|"]
    for m in people:
        key = next(k for k, p in by_key.items() if p.id == m["id"])
        L.append(f"| `{m['id']}` | {m['real_name']} | {m['display_name']} | {m['title']} | {m['team']} | {notes.get(key, '')} |")
    L += ["", "Bots (their messages must be ignored): " + ", ".join(
        f"{b['real_name']} (`{b['id']}`, bot_id `{b['bot_id']}`)" for b in bots) + ".", "",
        "## Teams and channels", "",
        "| team | channels | manager |", "|---|---|---|"]
    cname = {c["id"]: c["name"] for c in ws["channels"]}
    uname = {m["id"]: m["real_name"] for m in ws["members"]}
    for t in ws["teams"]:
        L.append(f"| {t['name']} | " + ", ".join(f"#{cname[c]}" for c in t["channels"]) + " | "
                 + ", ".join(f"{uname[u]} (`{u}`)" for u in t["managers"]) + " |")
    L += ["", "| channel | id | enrolled | members | purpose |", "|---|---|---|---|---|"]
    for c in ws["channels"]:
        L.append(f"| #{c['name']} | `{c['id']}` | {'yes' if c['enrolled'] else '**no**'} | {len(c['members'])} | {c['purpose']} |")
    L += ["",
          "- #design has four people who write there (plus Farid, who joins only to enrol it): it stays below",
          "  k = 5 every week, so its digest must be suppressed.",
          "- #watercooler is **not enrolled**. Its messages are in `events.jsonl` on purpose (personal chat,",
          "  health worries, a deleted message): the pipeline must drop them and store nothing.",
          "- Each team's messages are in its own channel; a few people also visit other teams' channels",
          "  (Grace, Nadia, Kwame and Farid in #eng-platform; Arjun, Sofia and Kwame in #support-ops; Maggie and",
          "  Grace in #sales-deals). A member's `team` is their home team. `channels[].members` lists who",
          "  posts, joins or runs a command there.", "",
          "## Story arcs (ISO weeks 2026-W41 to W47, Mon 5 Oct to Fri 20 Nov)", "",
          "- **#eng-platform** heads into the Kestrel 5.0 release: normal in W41-43; from W44 scope creep, load",
          f"  tests falling over, a failing migration rehearsal and late evenings ({res['late']} messages after 19:00,",
          f"  the latest at {res['latest']}). Stress climbs clearly and mood dips in W44-46; code freeze Fri 6 Nov, release Thu",
          "  12 Nov (a smooth one); from Fri 13 Nov and through W47, relief, retro, thanks and sleep.",
          f"  Tomasz stays sunny throughout and writes {res['share'][('eng-platform', 'tomasz')]}% of the channel's messages, so a message-level",
          "  mean hides part of the dip; the mean of per-person means shows it.",
          "- **#support-ops** is steady, apart from the tracking-api outage on **Tue 20 Oct (W43)**",
          "  (INC-2026102001): PagerDuty fires at 06:52, three hours of angry calls and a flooded queue, then",
          "  service credits for every affected account. W43 is",
          "  clearly negative and stressed; W44 has the aftermath and the post-incident review; then steady",
          f"  again. Callum is chatty ({res['share'][('support-ops', 'callum')]}% of the channel) and gloomier than the rest of the team every week.",
          "- **#sales-deals** improves across the period: a thin pipeline and lost deals in October, Crestway",
          "  signed Wed 4 Nov, the Northgate expansion Fri 13 Nov, 104% of the Q4 target on Fri 20 Nov.",
          "- **#general** is mostly neutral or positive (Q4 kick-off, the Teamweather notice, all-hands, cake,",
          "  the bake sale, the release, the team dinner), a little flatter in the outage week.",
          "- **#design** is calm, with a stressed design-QA push in W45-46.", "",
          "## Events", "",
          "`events.jsonl` holds one JSON object per line, sorted by time: `{\"kind\": \"event\", \"event\": {...}}`",
          "with the inner `event` object exactly as the Slack Events API sends it, or `{\"kind\": \"command\",",
          "\"ts\": \"<unix seconds>\", \"command\": {...}}` for a `/teamweather` slash command (`command`, `text`,",
          "`user_id`, `channel_id`, plus `team_id`, `user_name` and `channel_name` as Slack sends them).", "",
          "- Messages: `type: message`, `channel`, `user`, `text`, `ts`, `event_ts`, `channel_type: channel`,",
          "  `team`, `client_msg_id`; replies carry `thread_ts` and `parent_user_id`. Text uses Slack's markup",
          "  (`<@U…>`, `<#C…|name>`, `<https://…>`, `<https://…|label>`, `<mailto:…|…>`) and escapes `&`, `<`,",
          "  `>` as `&amp;`, `&lt;`, `&gt;`. About 5% also carry a `blocks` array with a `rich_text` block",
          "  mirroring the text (`user`, `channel`, `link`, `emoji` and `text` elements).",
          "- Edits: `subtype: message_changed`, `hidden: true`, with `message` (new text, `edited`) and",
          "  `previous_message`; there is no top-level `user`. Mostly typo fixes.",
          "- Deletions: `subtype: message_deleted`, `hidden: true`, `deleted_ts`, `previous_message`; no",
          "  top-level `user`. Includes card details pasted into #support-ops and a private note in",
          "  #eng-platform, deleted within a minute.",
          "- Joins: `subtype: channel_join`, with `inviter` when someone added them.",
          "- Bots: GitHub and Donut post `subtype: bot_message` with `bot_id` and `username` (no `user`);",
          "  PagerDuty posts like a modern Slack app, with `bot_id`, `app_id`, `bot_profile` and its bot",
          "  `user` but **no subtype**. Filter on `bot_id`, not only on the subtype.",
          "- Commands: `optin` by Farid (admin) in each enrolled channel before any message there; `pause`,",
          "  `resume`, `forget-me` and `status` by individuals (table below).", ""]
    counts = res["counts"]
    L += ["## Counts", "",
          f"{len(people)} people, {len(bots)} bots, {len(ws['channels'])} channels, {res['lines']} lines "
          f"({res['bytes'] // 1024} KiB). Lifecycle: {counts.get('edit', 0)} edits, {counts.get('delete', 0)} deletions, "
          f"{counts.get('join', 0)} channel joins, {counts.get('bot', 0)} bot messages. Longest message: "
          f"{res['longest']} characters (a pasted migration log, Wed 4 Nov 22:14); a post-incident write-up",
          f"of {res['postmortem']} characters is on Mon 26 Oct.", "",
          "People's messages per channel and ISO week (replies included; distinct authors in brackets):", "",
          "| channel | " + " | ".join(f"W{w}" for w in WEEKS) + " | total | of which replies |",
          "|---" * (len(WEEKS) + 3) + "|"]
    per = res["per_channel_week"]
    for c in ws["channels"]:
        row = per[c["name"]]
        L.append(f"| #{c['name']} | " + " | ".join(f"{row[w]} ({res['contributors'].get((c['name'], w), 0)})" for w in WEEKS)
                 + f" | {sum(row[w] for w in WEEKS)} | {row['replies']} |")
    L.append("| all | " + " | ".join(str(sum(per[c['name']][w] for c in ws['channels'])) for w in WEEKS)
             + f" | {counts['message']} | |")
    L += ["", "Slash commands (`/teamweather …`):", "", "| when (London) | who | where | text |", "|---|---|---|---|"]
    for line in (out_dir / "events.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["kind"] == "command":
            c = rec["command"]
            L.append(f"| {local_time(float(rec['ts'])):%a %d %b %H:%M} | {uname[c['user_id']]} (`{c['user_id']}`) | "
                     f"#{c['channel_name']} | `{c['text']}` |")
    held = ", ".join(f"{k}: {v}" for k, v in res["held"].items())
    erased = ", ".join(f"{k}: {v}" for k, v in res["erased"].items())
    L += ["", f"Messages in enrolled channels sent while paused or forgotten, which must be dropped: {held}.",
          f"Messages that `forget-me` must erase (sent before it in enrolled channels): {erased}.", ""]
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default bot/demo_data)")
    ap.add_argument("--check", action="store_true", help="only verify the existing files")
    args = ap.parse_args(argv)
    if not args.check:
        gen = Generator()
        gen.run()
        workspace, events = build(gen)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "workspace.json").write_text(json.dumps(workspace, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
        with (args.out / "events.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for rec in events:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        with (args.out / "intended.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for m in sorted((m for m in gen.msgs if m.user), key=lambda m: (m.ts, CH[m.channel].id)):
                fh.write(json.dumps({"channel": CH[m.channel].id, "ts": m.ts, "mood": m.mood},
                                    separators=(",", ":")) + "\n")
        intended_moods(gen)
        print()
    res = check(args.out)
    if not args.check:
        ws = json.loads((args.out / "workspace.json").read_text(encoding="utf-8"))
        (args.out / "README.md").write_text(readme(ws, res, args.out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
