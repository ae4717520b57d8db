"""Teamweather's neutral messages as Slack sees them (bot/slack/render.py): digests and alerts
as Block Kit, replies as mrkdwn, the same as before the seam."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest

from domain.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek, previous_weeks
from bot import digest_render
from bot import texts as t
from bot.report import Button, Buttons, Chart, Footnote, Line, Link, Report, Section, Span
from bot.slack import render

IMAGE = {"type": "image", "slack_file": {"id": "F0CHART001"}, "alt_text": "the chart"}


def assert_valid_block_kit(blocks: list[dict[str, Any]]) -> None:
    json.dumps(blocks)
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in {"header", "section", "context", "divider", "image"}
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(e["type"] == "mrkdwn" and 0 < len(e["text"]) <= 3000 for e in block["elements"])


# -- Demo-like digests, and their Block Kit before the seam ----------------------------------------

WEEKS = previous_weeks("2026-W47", 8)
LISTEN = Suggestion("The team's mood fell sharply this week. Ask the team openly what changed.",
                    "Listening when the team's mood drops", "https://learning.example.com/listen")
STRESS_HELP = Suggestion("Stress signals rose this week. Look with the team at what is weighing on it.",
                         "Noticing stress in a team, and what to do next", "https://learning.example.com/stress")
UNSAFE = Suggestion("Read this & that.", "A <page>", "javascript:alert(1)")
UNTITLED = Suggestion("Keep doing what works.")
MOOD_DROP = Alert("Platform", WEEKS[-1], "mood_drop",
                  "Mood fell to −7 from its usual +12, the lowest in 5 weeks. A drop this large happens by "
                  "chance less than 1 time in 100.", -7.2, 12.0, detail="t = −4.1, 5 weeks, p < 0.01")
STRESS_RISE = Alert("Platform", WEEKS[-1], "stress_rise",
                    "The stress index rose to 25% from its usual 10%, the highest in 5 weeks.", 0.25, 0.10,
                    detail="t = 3.9")


def week(name: str, mood: float, *, team: str = "Platform", people: int = 11, messages: int = 114,
         negative: float = 0.25, stress: float = 0.25) -> TeamWeek:
    def share(x: float) -> Estimate:
        return Estimate(x, x - 0.09, x + 0.11)
    return TeamWeek(team, name, None, people, messages, Estimate(mood, mood - 13, mood + 14), share(negative),
                    share(stress), share(stress - 0.05), None)


def history(team: str = "Platform") -> list[TeamWeek]:
    return [week(w, 12.0 + i % 3, team=team, people=10, messages=90 + i, negative=0.15, stress=0.12)
            for i, w in enumerate(WEEKS[:-1])]


def cases() -> dict[str, Digest]:
    """Digests like the demo's (alerts, the week after, suppressed teams, no chart), and hostile
    and oversized ones."""
    now = week(WEEKS[-1], -7.2)
    alerted = Digest("Platform", WEEKS[-1], now, (*history(), now), (MOOD_DROP, STRESS_RISE), (LISTEN, STRESS_HELP))
    calm = week(WEEKS[-1], -6.6, people=9, messages=120, negative=0.24, stress=0.23)
    after = Digest("Platform", WEEKS[-1], calm, (*history(), calm), (), (UNTITLED, UNSAFE),
                   earlier_alerts=(replace(MOOD_DROP, week=WEEKS[-2]), replace(STRESS_RISE, week=WEEKS[-2])))
    hidden = tuple(TeamWeek("Design", w, Suppressed.TOO_FEW) for w in WEEKS)
    mixed = (*(TeamWeek("Ops", w, Suppressed.NO_DATA) for w in WEEKS[:4]),
             *(TeamWeek("Ops", w, Suppressed.OVERLAP) for w in WEEKS[4:]))
    lonely = week(WEEKS[-1], 30.4, team="Data")
    gap = (*history("Data")[:-1], TeamWeek("Data", WEEKS[-2], Suppressed.TOO_FEW), lonely)
    team = "<!here> R&D *bold* _it_"
    hostile = week(WEEKS[-1], 3.0, team=team)
    leaky = Alert(team, WEEKS[-1], "mood_drop", "<@U123> said <b> & *more*", -1.0, 1.0)
    long_team = "T" * 300
    many = tuple(Alert(long_team, WEEKS[-1], "mood_drop", f"Reason {i}: " + "x" * 200, -1.0, 1.0) for i in range(40))
    lots = tuple(Suggestion("s" * 400, "t" * 100, "https://learning.example.com/x") for _ in range(20))
    big = week(WEEKS[-1], -1.0, team=long_team)
    return {
        "alerted": alerted,
        "alerted, stress off, noise": replace(alerted, stress_reporting=False, noise=True, k=7),
        "the week after": after,
        "too few, never published": Digest("Design", WEEKS[-1], hidden[-1], hidden, (MOOD_DROP,), (LISTEN,)),
        "no data then overlap": Digest("Ops", WEEKS[-1], mixed[-1], mixed, (), ()),
        "suppressed, published before": Digest("Platform", WEEKS[-1], TeamWeek("Platform", WEEKS[-1], Suppressed.OVERLAP),
                                               (*history(), TeamWeek("Platform", WEEKS[-1], Suppressed.OVERLAP)), (), (LISTEN,)),
        "no comparison": Digest("Data", WEEKS[-1], lonely, gap, (), ()),
        "escaping": Digest(team, WEEKS[-1], hostile, (hostile,), (leaky,), (UNSAFE, LISTEN)),
        "over the limits": Digest(long_team, WEEKS[-1], big, (big,), many, lots),
    }


# What Slack was sent for each case before the seam: recorded by running these cases through
# ``bot/digest_render.py`` as it was at commit 97b0661 (``blocks``, ``fallback_text``,
# ``chart_index``, ``alert_blocks``, ``alert_text``), JSON as Slack receives it.
BEFORE: dict[str, dict[str, Any]] = json.loads(r"""
{
"alerted": {
  "text": "Team weather for Platform, week of week 47 (16–22 Nov 2026): mood −7 ▼ (−19 points since last week). Alerts: mood drop, stress rise.",
  "chart_index": 3,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alerts*\n• Mood fell to −7 from its usual +12, the lowest in 5 weeks. A drop this large happens by chance less than 1 time in 100.\n• The stress index rose to 25% from its usual 10%, the highest in 5 weeks."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*This week*\n• *Mood* −7 ▼ (−19 points since last week; 95% CI −20 to +7)\n• *Stress index* 25% ▲ (+13 points since last week; 95% CI 16% to 36%)\n• *Negative messages* 25% ▲ (+10 points since last week; 95% CI 16% to 36%)\n• *People who wrote* 11 ▲ (+1 since last week)\n• *Messages* 114 ▲ (+18 since last week)\n_Mood runs from −100 (every message negative) to +100 (every message positive)._\n_Stress index: the model's average likelihood that a message shows stress, from 0% to 100%._"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>\n• Stress signals rose this week. Look with the team at what is weighing on it. <https://learning.example.com/stress|Noticing stress in a team, and what to do next>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ],
  "alert_text": "Team weather alert for Platform, week 47 (16–22 Nov 2026): mood drop, stress rise.",
  "alert_blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather alert for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alerts*\n• Mood fell to −7 from its usual +12, the lowest in 5 weeks. A drop this large happens by chance less than 1 time in 100.\n• The stress index rose to 25% from its usual 10%, the highest in 5 weeks."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>\n• Stress signals rose this week. Look with the team at what is weighing on it. <https://learning.example.com/stress|Noticing stress in a team, and what to do next>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "The team's managers read this alert at the top of their weekly digest, with this week's figures and the chart of recent weeks. Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"alerted, stress off, noise": {
  "text": "Team weather for Platform, week of week 47 (16–22 Nov 2026): mood −7 ▼ (−19 points since last week). Alerts: mood drop.",
  "chart_index": 3,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alert*\n• Mood fell to −7 from its usual +12, the lowest in 5 weeks. A drop this large happens by chance less than 1 time in 100."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*This week*\n• *Mood* −7 ▼ (−19 points since last week; 95% CI −20 to +7)\n• *Negative messages* 25% ▲ (+10 points since last week; 95% CI 16% to 36%)\n• *People who wrote* 11 ▲ (+1 since last week)\n• *Messages* 114 ▲ (+18 since last week)\n_Mood runs from −100 (every message negative) to +100 (every message positive)._"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 7 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone. A little random noise is added to every figure for extra protection."}]}
  ],
  "alert_text": "Team weather alert for Platform, week 47 (16–22 Nov 2026): mood drop.",
  "alert_blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather alert for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alert*\n• Mood fell to −7 from its usual +12, the lowest in 5 weeks. A drop this large happens by chance less than 1 time in 100."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "The team's managers read this alert at the top of their weekly digest, with this week's figures and the chart of recent weeks. Team figures only, and only when at least 7 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone. A little random noise is added to every figure for extra protection."}]}
  ]
},
"the week after": {
  "text": "Team weather for Platform, week of week 47 (16–22 Nov 2026): mood −7 ▼ (−19 points since last week).",
  "chart_index": 2,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*This week*\n• *Mood* −7 ▼ (−19 points since last week; 95% CI −20 to +7)\n• *Stress index* 23% ▲ (+11 points since last week; 95% CI 14% to 34%)\n• *Negative messages* 24% ▲ (+9 points since last week; 95% CI 15% to 35%)\n• *People who wrote* 9 ▼ (−1 since last week)\n• *Messages* 120 ▲ (+24 since last week)\nSince the mood drop alert of week 46: Mood was −7 then, −7 now.\nSince the stress rise alert of week 46: Stress index was 25% then, 23% now.\n_Mood runs from −100 (every message negative) to +100 (every message positive)._\n_Stress index: the model's average likelihood that a message shows stress, from 0% to 100%._"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• Keep doing what works.\n• Read this &amp; that. A &lt;page&gt;"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"too few, never published": {
  "text": "Team weather for Design, week of week 47 (16–22 Nov 2026): no figures this week (fewer than 5 people wrote).",
  "chart_index": null,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Design, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "Fewer than 5 people wrote in this team's channels this week, so no figures are shown.\nNo chart: in none of the last 8 weeks did at least 5 people write in this team's channels."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ],
  "alert_text": "Team weather alert for Design, week 47 (16–22 Nov 2026): .",
  "alert_blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather alert for Design, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "The team's managers read this alert at the top of their weekly digest, with this week's figures and the chart of recent weeks. Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"no data then overlap": {
  "text": "Team weather for Ops, week of week 47 (16–22 Nov 2026): no figures this week (held back to keep individuals anonymous).",
  "chart_index": null,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Ops, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "This team's members overlap so much with another team's (the two differ by fewer than 5 people) that showing both teams' figures could reveal individuals, so no figures are shown this week.\nNo chart: none of the last 8 weeks could be published (4 with no data yet, 4 overlapping another team)."}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"suppressed, published before": {
  "text": "Team weather for Platform, week of week 47 (16–22 Nov 2026): no figures this week (held back to keep individuals anonymous).",
  "chart_index": 2,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Platform, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "This team's members overlap so much with another team's (the two differ by fewer than 5 people) that showing both teams' figures could reveal individuals, so no figures are shown this week."}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"no comparison": {
  "text": "Team weather for Data, week of week 47 (16–22 Nov 2026): mood +30.",
  "chart_index": 2,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for Data, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*This week*\n• *Mood* +30 (no published figures from last week to compare; 95% CI +17 to +44)\n• *Stress index* 25% (no published figures from last week to compare; 95% CI 16% to 36%)\n• *Negative messages* 25% (no published figures from last week to compare; 95% CI 16% to 36%)\n• *People who wrote* 11 (no published figures from last week to compare)\n• *Messages* 114 (no published figures from last week to compare)\n_Mood runs from −100 (every message negative) to +100 (every message positive)._\n_Stress index: the model's average likelihood that a message shows stress, from 0% to 100%._"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
},
"escaping": {
  "text": "Team weather for &lt;!here&gt; R&amp;D *bold* _it_, week of week 47 (16–22 Nov 2026): mood +3. Alerts: mood drop.",
  "chart_index": 3,
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather for <!here> R&D *bold* _it_, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alert*\n• &lt;@U123&gt; said &lt;b&gt; &amp; *more*"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*This week*\n• *Mood* +3 (no published figures from last week to compare; 95% CI −10 to +17)\n• *Stress index* 25% (no published figures from last week to compare; 95% CI 16% to 36%)\n• *Negative messages* 25% (no published figures from last week to compare; 95% CI 16% to 36%)\n• *People who wrote* 11 (no published figures from last week to compare)\n• *Messages* 114 (no published figures from last week to compare)\n_Mood runs from −100 (every message negative) to +100 (every message positive)._\n_Stress index: the model's average likelihood that a message shows stress, from 0% to 100%._"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• Read this &amp; that. A &lt;page&gt;\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ],
  "alert_text": "Team weather alert for &lt;!here&gt; R&amp;D *bold* _it_, week 47 (16–22 Nov 2026): mood drop.",
  "alert_blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "Team weather alert for <!here> R&D *bold* _it_, week 47 (16–22 Nov 2026)", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: *Alert*\n• &lt;@U123&gt; said &lt;b&gt; &amp; *more*"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": ":bulb: *Suggestions*\n• Read this &amp; that. A &lt;page&gt;\n• The team's mood fell sharply this week. Ask the team openly what changed. <https://learning.example.com/listen|Listening when the team's mood drops>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "The team's managers read this alert at the top of their weekly digest, with this week's figures and the chart of recent weeks. Team figures only, and only when at least 5 people wrote; everyone counts once, however much they write. No one's messages or individual scores are shown to anyone."}]}
  ]
}
}
""")
# The case over Slack's limits is long (each clipped section is 3,000 characters): its record is
# the SHA-256 of its JSON (keys sorted) with the same five fields, recorded the same way.
OVER_THE_LIMITS_SHA256 = "ff61c87c329968f0071abc4b2e256adb20177c7b33dd23866ce1ec30dcbd41b7"


def slack_now(d: Digest) -> dict[str, Any]:
    """The five things the old renderer gave, from the neutral report and the Slack renderer."""
    report = digest_render.report(d)
    at = next((i + 1 for i, part in enumerate(report.parts) if isinstance(part, Chart)), None)
    return {"text": render.escape(digest_render.fallback_text(d)), "blocks": render.blocks(report),
            "chart_index": at, "alert_text": render.escape(digest_render.alert_text(d)),
            "alert_blocks": render.blocks(digest_render.alert_report(d))}


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_slack_gets_the_same_block_kit_as_before_the_seam(name: str) -> None:
    d = cases()[name]
    before, now = BEFORE[name], slack_now(d)
    assert {k: now[k] for k in before} == before
    report = digest_render.report(d)
    with_image = list(before["blocks"])
    if before["chart_index"] is not None:
        with_image.insert(before["chart_index"], IMAGE)
    else:
        with_image.append(IMAGE)  # no chart place: last, as the courier always did
    assert render.blocks(report, IMAGE) == with_image
    assert (report.chart is None) == (digest_render.chart_png(d) is None)


def test_slack_gets_the_same_block_kit_as_before_over_its_limits() -> None:
    now = slack_now(cases()["over the limits"])
    assert hashlib.sha256(json.dumps(now, ensure_ascii=False, sort_keys=True).encode()).hexdigest() == OVER_THE_LIMITS_SHA256
    for blocks in (now["blocks"], now["alert_blocks"]):
        assert_valid_block_kit(blocks)


def test_the_payload_is_the_escaped_text_and_the_blocks() -> None:
    d = cases()["escaping"]
    message = render.payload(digest_render.report(d), digest_render.fallback_text(d))
    assert message == {"text": BEFORE["escaping"]["text"], "blocks": BEFORE["escaping"]["blocks"]}


# -- Block Kit: limits, escaping, links, the chart -------------------------------------------------

TEAM = "Platform"
LINK = Suggestion("Talk it through with the team.", "Listening well", "https://learning.example.com/listen")


def published(mood: float, team: str = TEAM) -> TeamWeek:
    def share(x: float) -> Estimate:
        return Estimate(x, x - 0.05, x + 0.05)
    return TeamWeek(team, WEEKS[-1], None, 7, 120, Estimate(mood, mood - 5, mood + 5), share(0.2), share(0.3),
                    share(0.25), None)


def digest(current: TeamWeek, alerts: tuple[Alert, ...] = (), suggestions: tuple[Suggestion, ...] = (LINK,)) -> Digest:
    last = replace(published(10.0, current.team), week=WEEKS[-2])
    return Digest(current.team, current.week, current, (last, current), alerts, suggestions)


def test_figures_are_bullets_with_bold_labels() -> None:
    text = render.blocks(digest_render.report(digest(published(12.3))))[1]["text"]["text"]
    assert "\n• *Mood* +12 ▲ (+2 points since last week; 95% CI +7 to +17)\n" in text
    assert "\n• *People who wrote* 7 → (no change since last week)\n" in text
    assert text.startswith(f"*{t.THIS_WEEK}*\n") and f"\n_{t.SCALE_MOOD}_" in text


def test_blocks_stay_within_block_kit_limits_however_much_there_is() -> None:
    team = "T" * 300
    alerts = tuple(Alert(team, WEEKS[-1], "mood_drop", f"Reason {i}: " + "x" * 200, -1.0, 1.0) for i in range(40))
    suggestions = tuple(Suggestion("s" * 400, "t" * 100, "https://learning.example.com/x") for _ in range(20))
    now = published(-1.0, team=team)
    for report in (digest_render.report(digest(now, alerts, suggestions)),
                   digest_render.alert_report(digest(now, alerts, suggestions)),
                   digest_render.report(digest(TeamWeek(team, WEEKS[-1], Suppressed.TOO_FEW)))):
        assert_valid_block_kit(render.blocks(report, IMAGE))
    clipped = render.blocks(digest_render.report(digest(now, alerts)))[1]["text"]["text"]
    assert clipped.endswith("\n…") and "Reason 0:" in clipped and "Reason 39:" not in clipped


def test_one_line_over_the_limit_is_cut() -> None:
    report = Report("x", (Section((Line.of("y" * 5000),)), Footnote("z" * 5000)))
    section, context = render.blocks(report)[1:]
    assert section["text"]["text"] == "y" * 2999 + "…"
    assert context["elements"][0]["text"] == "z" * 2999 + "…"


def test_the_header_names_the_team_and_the_week() -> None:
    header = render.blocks(digest_render.report(digest(published(1.0))))[0]
    assert header["text"]["text"] == f"Team weather for {TEAM}, week 47 (16–22 Nov 2026)"


def test_slack_control_characters_in_names_and_reasons_are_escaped() -> None:
    team = "<!here> R&D"
    alert = Alert(team, WEEKS[-1], "mood_drop", "<@U123> said <b>", -1.0, 1.0)
    d = digest(published(1.0, team=team), alerts=(alert,))
    mrkdwn = [b["text"]["text"] for b in render.blocks(digest_render.report(d)) if b["type"] == "section"]
    texts = [render.escape(digest_render.fallback_text(d)), render.escape(digest_render.alert_text(d))]
    for text in [*mrkdwn, *texts]:
        assert "<!here>" not in text and "<@U123>" not in text
    assert "&lt;!here&gt; R&amp;D" in texts[0]
    assert "&lt;@U123&gt; said &lt;b&gt;" in mrkdwn[0]


def test_suggestions_link_to_their_course_and_unsafe_urls_are_not_links() -> None:
    unsafe = Suggestion("Read this.", "A page", "javascript:alert(1)")
    blocks = json.dumps(render.blocks(digest_render.report(digest(published(12.0), suggestions=(LINK, unsafe)))))
    assert f"{LINK.text} <{LINK.url}|{LINK.title}>" in blocks
    assert "javascript:" not in blocks and "Read this. A page" in blocks
    # The renderer checks too, whoever built the report.
    line = Line((Link("x>", "javascript:alert(1)"), Span(" "), Link("ok", "https://e.example/a|b")), "bullet")
    assert render.blocks(Report("t", (Section((line,)),)))[1]["text"]["text"] == "• x&gt; ok"


def test_emphasis_and_small_print() -> None:
    line = Line((Span("a", bold=True), Span(" "), Span("b", italic=True), Span(" "), Span("c", True, True)))
    report = Report("t", (Section((line, Line.of("note", "note")), "Head", "💡"),))
    assert render.blocks(report)[1]["text"]["text"] == ":bulb: *Head*\n*a* _b_ _*c*_\n_note_"


def test_the_chart_goes_at_its_place_or_last_and_nowhere_without_an_image() -> None:
    alert = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    for d in (digest(published(-20.0)), digest(published(-20.0), alerts=(alert,))):
        blocks = render.blocks(digest_render.report(d), IMAGE)
        at = blocks.index(IMAGE)
        assert t.THIS_WEEK in blocks[at - 1]["text"]["text"]
        assert render.blocks(digest_render.report(d)) == blocks[:at] + blocks[at + 1:]
    plain = Report("t", (Section((Line.of("x"),)),))
    assert render.blocks(plain, IMAGE)[-1] == IMAGE and IMAGE not in render.blocks(plain)


# -- Replies: the neutral Markdown subset as mrkdwn ------------------------------------------------

# The replies with markup, as Slack got them before the seam (bot/texts.py at commit 97b0661).
REPLIES_BEFORE = {
    "CHANNEL_NOTICE": (
        ':partly_sunny: *Teamweather is now on in this channel.*\n'
        '• What it collects: the tone of each message (positive, neutral or negative) and a stress likelihood, computed by a model running on our own server.\n'
        '• What it never stores: your words, your name or user id, or the exact time you wrote. Names, mentions, emails, links and numbers are stripped before anything is kept.\n'
        '• Who sees what: managers get weekly *team* figures only, and only when at least {k} people contributed. No one sees what you wrote or your own scores — except you.\n'
        '• Your controls: `/teamweather pause` stops collection from you, `resume` restarts it, `status` shows what is held about you, `forget-me` erases it.'
    ),
    "CHANNEL_UNENROLLED": (
        ':no_entry_sign: *Teamweather is now off in this channel.* New messages here are no longer analysed. Team figures already computed are kept under the usual retention rules.'
    ),
    "STATUS": (
        '*Your Teamweather status:* {state}\n'
        '• Stored about you: {scores} message score(s) — labels and numbers, no text.\n'
        '• Waiting to be scored: {pending}.\n'
        '• This channel: {channel_state}.'
    ),
    "HELP": (
        "*Teamweather* reports a team's weekly mood to its managers without showing anyone what a single person wrote.\n"
        '`/teamweather status` — what is held about you\n'
        '`/teamweather pause` · `/teamweather resume` — stop or restart analysis of your messages\n'
        '`/teamweather forget-me` — erase everything derived from your messages\n'
        '`/teamweather mydata` — a file with everything stored about you, and what it means\n'
        '`/mytraining` — your personal learning plan (`/mytraining help` for more)\n'
        '`/teamweather optin` · `/teamweather optout` — admins: turn this channel on or off\n'
        '`/teamweather help` — this message'
    ),
}


@pytest.mark.parametrize("name", sorted(REPLIES_BEFORE))
def test_replies_reach_slack_as_before_the_seam(name: str) -> None:
    assert render.from_markdown(getattr(t, name)) == REPLIES_BEFORE[name]


def test_every_reply_text_is_neutral_and_converts() -> None:
    for name in dir(t):
        value = getattr(t, name)
        if not name.isupper() or not isinstance(value, str):
            continue
        outside_code = "".join(value.split("`")[::2])
        assert not any(f":{code}:" in value for code in ("partly_sunny", "no_entry_sign", "warning", "bulb")), name
        assert outside_code.count("*") == outside_code.count("**") * 2, name  # bold is **…**, nothing else
        assert "**" not in "".join(render.from_markdown(value).split("`")[::2]), name


def test_bold_becomes_slack_bold_outside_code_only() -> None:
    assert render.from_markdown("**a b** and `**c**` and _d_") == "*a b* and `**c**` and _d_"
    assert render.from_markdown(t.UNKNOWN_COMMAND.format(word="**x**")).startswith("I don't know `**x**`.\n*Teamweather*")
    assert render.from_markdown("⚠️ 💡 ⛅ 🚫 🙂") == ":warning: :bulb: :partly_sunny: :no_entry_sign: 🙂"


# -- buttons (the review post) ---------------------------------------------------------------------

def test_buttons_are_an_actions_block_after_their_small_label() -> None:
    report = Report("Review request #7", (
        Section((Line.of("a text"),)),
        Buttons((Button("Negative", "review", "7:sentiment:negative"),
                 Button("Delete", "review", "7:delete", "danger"),
                 Button("Go", "other", "x", "primary")), "Sentiment & <more>"),
        Buttons(()),  # nothing to press: no block (Slack refuses an empty actions block)
        Buttons((Button("Skip", "review", "7:skip"),)),
        Footnote("small print"),
    ))
    blocks = render.blocks(report)
    assert [b["type"] for b in blocks] == ["header", "section", "context", "actions", "actions", "context"]
    assert blocks[2] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "Sentiment &amp; &lt;more&gt;"}]}
    assert blocks[3] == {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Negative", "emoji": True},
         "action_id": "review:7:sentiment:negative", "value": "7:sentiment:negative"},
        {"type": "button", "text": {"type": "plain_text", "text": "Delete", "emoji": True},
         "action_id": "review:7:delete", "value": "7:delete", "style": "danger"},
        {"type": "button", "text": {"type": "plain_text", "text": "Go", "emoji": True},
         "action_id": "other:x", "value": "x", "style": "primary"},
    ]}
    assert blocks[4]["elements"][0]["action_id"] == "review:7:skip" and "style" not in blocks[4]["elements"][0]


def test_buttons_stay_within_slack_limits() -> None:
    many = Buttons(tuple(Button("a very long label " * 6, "review", f"{i}:skip") for i in range(40)), "x" * 4000)
    [label, actions] = render.blocks(Report("t", (many,)))[1:]
    assert len(label["elements"][0]["text"]) <= render.SECTION_LIMIT
    assert len(actions["elements"]) == render.ACTIONS_LIMIT == 25
    assert all(len(e["text"]["text"]) <= render.BUTTON_TEXT_LIMIT == 75 for e in actions["elements"])
    assert len({e["action_id"] for e in actions["elements"]}) == 25


def test_the_review_post_is_valid_block_kit_with_unique_action_ids(db, pseudonymiser) -> None:  # type: ignore[no-untyped-def]
    from bot.review import ReviewDesk
    from storage import review

    flag_id = review.add(
        db, message_key="k1", workspace="T1", author="a" * 32, day="2026-05-04", text="it's <person> & *bold*",
        policy="uncertain", policy_detail={"margin": 0.05}, sentiment="negative", probs=(0.5, 0.3, 0.2),
        stress=0.55, model_version="m:1", now=0.0, ttl_s=1000.0)
    assert flag_id is not None
    flag = review.get(db, flag_id)
    assert flag is not None
    report = ReviewDesk(db, pseudonymiser, reviewers=("slack:UREV1",), guidelines_url="https://hr.example/g").report(flag)
    blocks = render.blocks(report)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert_valid_block_kit([b for b in blocks if b["type"] != "actions"])
    assert 0 < len(blocks) <= 50 and len(actions) == 3
    ids = [e["action_id"] for b in actions for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 7 and all(len(i) <= 255 for i in ids)
    assert all(0 < len(b["elements"]) <= 25 for b in actions)
    text = json.dumps(blocks)
    assert "it's &lt;person&gt; &amp; *bold*" in text and "<https://hr.example/g|Labelling guidelines>" in text
