"""Rendering a digest: Slack blocks, notification text, chart and HTML page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek, mood_text, previous_weeks
from bot import digest_render as render
from bot import texts as t

ROOT = Path(__file__).parents[2]
TEAM = "Platform"
WEEKS = previous_weeks("2026-W47", 8)  # 2026-W47 starts on Monday 16 Nov 2026
LINK = Suggestion("Talk it through with the team.", "Listening well", "https://learning.example.com/listen")


def published(week: str, mood: float, *, negative: float = 0.2, stress: float = 0.3, stressed: float = 0.25,
              people: int = 7, messages: int = 120, change: float | None = None, team: str = TEAM) -> TeamWeek:
    """A published week: every interval is the value ± 5 (mood) or ± 0.05 (shares)."""
    def share(x: float) -> Estimate:
        return Estimate(x, x - 0.05, x + 0.05)
    return TeamWeek(team, week, None, people, messages, Estimate(mood, mood - 5, mood + 5), share(negative),
                    share(stress), share(stressed), None if change is None else Estimate(change, change - 6, change + 6))


def digest(current: TeamWeek, *, last: TeamWeek | None = None, alerts: tuple[Alert, ...] = (),
           suggestions: tuple[Suggestion, ...] = (LINK,), stress: bool = True, k: int = 5,
           noise: bool = False) -> Digest:
    history = [published(w, 10.0, team=current.team) for w in WEEKS[:-2]]
    history += [last or published(WEEKS[-2], 10.0, team=current.team), current]
    return Digest(current.team, current.week, current, tuple(history), alerts, suggestions,
                  stress_reporting=stress, k=k, noise=noise)


def slack_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


class _Visible(HTMLParser):
    """The text a reader of the page sees, plus alt texts; not the stylesheet."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        self.parts += [v or "" for k, v in attrs if k == "alt"]

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.parts)


def everything(d: Digest) -> str:
    """All the words a manager can read, in every output."""
    return "\n".join([slack_text(render.blocks(d)), render.fallback_text(d), visible(render.html(d, "chart.png")),
                      slack_text(render.alert_blocks(d)), render.alert_text(d), render.chart_title(d)])


def assert_valid_block_kit(blocks: list[dict[str, Any]]) -> None:
    json.dumps(blocks)
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in {"header", "section", "context", "divider"}
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(e["type"] == "mrkdwn" and 0 < len(e["text"]) <= 3000 for e in block["elements"])


# -- Figures ------------------------------------------------------------------------------------

def test_figures_show_value_arrow_change_and_interval() -> None:
    last = published(WEEKS[-2], 8.0, negative=0.18, stress=0.36, stressed=0.2, people=7, messages=120)
    now = TeamWeek(TEAM, WEEKS[-1], None, 8, 101, Estimate(12.3, 5.2, 19.4), Estimate(0.15, 0.1, 0.2),
                   Estimate(0.41, 0.35, 0.47), Estimate(0.22, 0.15, 0.29), Estimate(4.3, -1.0, 9.0))
    text = slack_text(render.blocks(digest(now, last=last)))
    # Expected by hand: mood 12.3 -> +12 after +8, so +4; shares in percent, changes in points.
    assert "*Mood* +12 ▲ (+4 points since last week; 95% CI +5 to +19)" in text
    assert "*Negative messages* 15% ▼ (−3 points since last week; 95% CI 10% to 20%)" in text
    assert "*Stress index* 41% ▲ (+5 points since last week; 95% CI 35% to 47%)" in text
    assert "*People who wrote* 8 ▲ (+1 since last week)" in text
    assert "*Messages* 101 ▼ (−19 since last week)" in text


def test_one_stress_figure_in_the_digest_and_what_it_means() -> None:
    d = digest(published(WEEKS[-1], 12.0, stress=0.3, stressed=0.25))
    text = slack_text(render.blocks(d))
    assert "*Stress index* 30%" in text and "Stressed messages" not in text
    assert t.SCALE_STRESS in text
    # The share above the threshold stays in the preview's details, threshold named.
    page = visible(render.html(d, "chart.png"))
    assert "Stressed messages (a stress likelihood of 50% or more): 25%" in page


@pytest.mark.parametrize(("before", "now", "arrow", "words"), [
    (8.0, 12.4, "▲", "+4 points since last week"),  # unrounded, 4.4
    (8.4, -6.6, "▼", "−15 points since last week"),  # +8 to −7 is 15, though 15.0 apart unrounded
    (-6.6, -7.4, "→", "no change since last week"),  # −7 and −7: no arrow claims a direction
    (25.4, 27.4, "▲", "+2 points since last week"),  # +25 to +27, not +3... nor 2.0 by luck
    (25.4, 26.2, "▲", "+1 point since last week"),  # singular
    (26.2, 25.4, "▼", "−1 point since last week"),
])
def test_a_change_is_the_difference_of_the_figures_shown(before: float, now: float, arrow: str, words: str) -> None:
    d = digest(published(WEEKS[-1], now), last=published(WEEKS[-2], before))
    line = next(line for line in slack_text(render.blocks(d)).split("\\n") if "*Mood*" in line)
    assert line.startswith(f"• *Mood* {mood_text(now)} {arrow} ({words};")
    assert f"mood {mood_text(now)} {arrow}" in render.fallback_text(d)


FIGURE = re.compile(r"\* ([+−]?\d+)%? [▲▼→] \((?:([+−]\d+)(?: points?)? since last week|no change since last week)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0, 1), st.floats(0, 1), st.integers(5, 60),
                          st.integers(5, 900)), min_size=2, max_size=2))
def test_every_change_shown_equals_the_difference_of_the_figures_shown(
        weeks: list[tuple[float, float, float, int, int]]) -> None:
    def week(name: str, values: tuple[float, float, float, int, int]) -> TeamWeek:
        mood, negative, stress, people, messages = values
        return published(name, mood, negative=negative, stress=stress, people=people, messages=messages)
    last, now = week(WEEKS[-2], weeks[0]), week(WEEKS[-1], weeks[1])
    old = {line.split("*")[1]: FIGURE.search(line) for line in
           slack_text(render.blocks(digest(last))).split("\\n") if line.startswith("• *")}
    new = {line.split("*")[1]: FIGURE.search(line) for line in
           slack_text(render.blocks(digest(now, last=last))).split("\\n") if line.startswith("• *")}
    assert set(new) == {t.MOOD, t.STRESS, t.NEGATIVE, t.CONTRIBUTORS, t.MESSAGES}
    for label, match in new.items():
        before = old[label]
        assert match is not None and before is not None, label
        value, change = (int(x.replace("−", "-")) for x in (match.group(1), match.group(2) or "0"))
        assert change == value - int(before.group(1).replace("−", "-")), label


def test_the_arrow_follows_the_sign_of_changes_computed_from_last_week() -> None:
    last = published(WEEKS[-2], 0.0, negative=0.30, people=9, messages=80)
    now = published(WEEKS[-1], 0.0, negative=0.10, people=6, messages=95)
    text = slack_text(render.blocks(digest(now, last=last)))
    assert "*Negative messages* 10% ▼ (−20 points" in text
    assert "*People who wrote* 6 ▼ (−3 since" in text
    assert "*Messages* 95 ▲ (+15 since" in text


def test_without_a_published_last_week_there_is_no_comparison() -> None:
    d = digest(published(WEEKS[-1], 12.0), last=TeamWeek(TEAM, WEEKS[-2], Suppressed.TOO_FEW))
    text = slack_text(render.blocks(d))
    assert f"*Mood* +12 ({t.NO_COMPARISON}; 95% CI +7 to +17)" in text
    assert not {"▲", "▼", "→"} & set(text)


def test_noise_is_mentioned_only_when_added() -> None:
    now = published(WEEKS[-1], 12.0)
    assert t.PRIVACY_NOISE in slack_text(render.blocks(digest(now, noise=True)))
    assert t.PRIVACY_NOISE not in everything(digest(now, noise=False))
    assert t.PRIVACY.format(k=7) in slack_text(render.blocks(digest(now, k=7)))


# -- Suppression -------------------------------------------------------------------------------

def leaky_suppressed(reason: Suppressed) -> TeamWeek:
    """A suppressed week that wrongly still carries values (digits 3, 9, 4, 1, 2, 7)."""
    return TeamWeek(TEAM, WEEKS[-1], reason, contributors=3, messages=41, mood=Estimate(38.7, 31.9, 44.1),
                    negative=Estimate(0.27, 0.21, 0.33), stress=Estimate(0.39, 0.3, 0.44),
                    stressed=Estimate(0.13, 0.1, 0.19), mood_change=Estimate(-9.1, -13.0, -4.0))


@pytest.mark.parametrize(("reason", "sentence"), [
    (Suppressed.TOO_FEW, "Fewer than 6 people wrote in this team's channels this week, so no figures are shown."),
    (Suppressed.OVERLAP, t.SUPPRESSED_OVERLAP.format(k=6)),
])
def test_a_suppressed_week_shows_the_reason_and_no_numbers(reason: Suppressed, sentence: str) -> None:
    figures = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood 39 is 13 points below its baseline of 52.", 38.7, 52.0)
    d = digest(leaky_suppressed(reason), alerts=(figures,), k=6)
    assert sentence in slack_text(render.blocks(d))
    assert sentence in visible(render.html(d, "chart.png"))
    assert "no figures this week" in render.fallback_text(d)
    # Only the week (week 47, 16–22 Nov 2026), k, and the chart's "8 weeks, with 95% intervals".
    assert set(re.findall(r"\d+", everything(d))) <= {"47", "16", "22", "2026", "6", "8", "95"}


# -- Stress reporting off ------------------------------------------------------------------------

def stressful_digest(stress: bool) -> Digest:
    alerts = (Alert(TEAM, WEEKS[-1], "stress_rise", "The stress index rose to 61% from its usual 41%.", 0.61, 0.41),
              Alert(TEAM, WEEKS[-1], "mood_drop", "Mood −20 is 25 points below its baseline.", -20.0, 5.0))
    suggestions = (Suggestion("Review the workload.", "Stress at work", "https://learning.example.com/stress"), LINK)
    return digest(published(WEEKS[-1], -20.0, stress=0.61), alerts=alerts, suggestions=suggestions, stress=stress)


def test_with_stress_reporting_off_stress_is_mentioned_nowhere() -> None:
    d = stressful_digest(stress=False)
    assert "stress" not in everything(d).lower()
    assert "Mood −20 is 25 points below its baseline." in slack_text(render.blocks(d))  # other alerts stay
    assert LINK.text in slack_text(render.blocks(d))
    assert "61" not in everything(d)


def test_with_stress_reporting_on_stress_is_shown() -> None:
    d = stressful_digest(stress=True)
    text = slack_text(render.blocks(d))
    assert "*Stress index* 61%" in text and "The stress index rose to 61%" in text and "Stress at work" in text


# -- Alerts and suggestions ----------------------------------------------------------------------

def test_alert_reasons_appear_in_every_output() -> None:
    reasons = ("Mood −20 is 25 points below its 8-week baseline of 5.", "Mood has fallen three weeks running.")
    alerts = tuple(Alert(TEAM, WEEKS[-1], rule, reason, -20.0, 5.0) for rule, reason in zip(("mood_drop", "decline"), reasons))
    d = digest(published(WEEKS[-1], -20.0), alerts=alerts)
    for reason in reasons:
        assert reason in slack_text(render.blocks(d))
        assert reason in slack_text(render.alert_blocks(d))
        assert reason in visible(render.html(d, "chart.png"))
    assert "Alerts: mood drop, declining mood." in render.fallback_text(d)
    assert render.alert_text(d).endswith(": mood drop, declining mood.")
    assert not any(reason in everything(digest(published(WEEKS[-1], -20.0))) for reason in reasons)


def test_suggestions_link_to_their_course_and_unsafe_urls_are_not_links() -> None:
    unsafe = Suggestion("Read this.", "A page", "javascript:alert(1)")
    d = digest(published(WEEKS[-1], 12.0), suggestions=(LINK, unsafe))
    blocks = slack_text(render.blocks(d))
    page = render.html(d, "chart.png")
    assert f"{LINK.text} <{LINK.url}|{LINK.title}>" in blocks
    assert f'<a href="{LINK.url}">{LINK.title}</a>' in page
    assert "javascript:" not in blocks and "javascript:" not in page
    assert "Read this. A page" in blocks


# -- Block Kit and escaping ----------------------------------------------------------------------

def test_blocks_stay_within_block_kit_limits_however_much_there_is() -> None:
    team = "T" * 300
    alerts = tuple(Alert(team, WEEKS[-1], "mood_drop", f"Reason {i}: " + "x" * 200, -1.0, 1.0) for i in range(40))
    suggestions = tuple(Suggestion("s" * 400, "t" * 100, "https://learning.example.com/x") for _ in range(20))
    now = published(WEEKS[-1], -1.0, team=team)
    for blocks in (render.blocks(digest(now, alerts=alerts, suggestions=suggestions)),
                   render.alert_blocks(digest(now, alerts=alerts, suggestions=suggestions)),
                   render.blocks(digest(TeamWeek(team, WEEKS[-1], Suppressed.TOO_FEW)))):
        assert_valid_block_kit(blocks)
    clipped = render.blocks(digest(now, alerts=alerts))[1]["text"]["text"]
    assert clipped.endswith("\n…") and "Reason 0:" in clipped and "Reason 39:" not in clipped


def test_the_header_names_the_team_and_the_week() -> None:
    header = render.blocks(digest(published(WEEKS[-1], 1.0)))[0]
    assert header["text"]["text"] == f"Team weather for {TEAM}, week 47 (16–22 Nov 2026)"


def test_slack_control_characters_in_names_and_reasons_are_escaped() -> None:
    team = "<!here> R&D"
    alert = Alert(team, WEEKS[-1], "mood_drop", "<@U123> said <b>", -1.0, 1.0)
    d = digest(published(WEEKS[-1], 1.0, team=team), alerts=(alert,))
    mrkdwn = [b["text"]["text"] for b in render.blocks(d) if b["type"] == "section"]
    for text in [*mrkdwn, render.fallback_text(d), render.alert_text(d)]:
        assert "<!here>" not in text and "<@U123>" not in text
    assert "&lt;!here&gt; R&amp;D" in render.fallback_text(d)
    assert "&lt;@U123&gt; said &lt;b&gt;" in mrkdwn[0]


def test_html_escapes_everything() -> None:
    team = "<R&D>"
    alert = Alert(team, WEEKS[-1], "mood_drop", "<script>alert(1)</script>", -1.0, 1.0)
    page = render.html(digest(published(WEEKS[-1], 1.0, team=team), alerts=(alert,)), 'x.png" onerror="x')
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;R&amp;D&gt;" in page and "<R&D>" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<img src="x.png&quot; onerror=&quot;x"' in page


# -- Chart (drawn by bot/digest_chart.py, tested in test_digest_chart.py) ---------------------

def test_the_chart_goes_right_after_the_figures() -> None:
    alert = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    for d in (digest(published(WEEKS[-1], -20.0)), digest(published(WEEKS[-1], -20.0), alerts=(alert,))):
        blocks = render.blocks(d)
        assert t.THIS_WEEK in blocks[render.chart_index(d) - 1]["text"]["text"]
    assert '<img src="chart.png"' in render.html(d, "chart.png").split(t.SUGGESTIONS)[0]


def test_a_team_never_published_gets_the_sentence_instead_of_a_chart() -> None:
    hidden = tuple(TeamWeek(TEAM, w, Suppressed.TOO_FEW) for w in WEEKS)
    d = Digest(TEAM, WEEKS[-1], hidden[-1], hidden)
    sentence = render.no_chart(d)
    assert sentence and render.chart_png(d) is None
    assert sentence in slack_text(render.blocks(d)) and sentence in visible(render.html(d, "chart.png"))
    assert "<img" not in render.html(d, "chart.png")


def test_importing_the_renderer_does_not_import_matplotlib() -> None:
    code = "import sys, bot.digest_render; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# -- An alert is said once; the weeks after refer to it -------------------------------------------

def test_the_weeks_after_an_alert_refer_to_it_instead_of_repeating_it() -> None:
    earlier = (Alert(TEAM, WEEKS[-2], "mood_drop", "Mood fell to −7 from its usual +12.", -7.2, 12.0),
               Alert(TEAM, WEEKS[-2], "stress_rise", "The stress index rose to 25%.", 0.25, 0.1))
    now = published(WEEKS[-1], -6.6, stress=0.31)
    d = replace(digest(now), earlier_alerts=earlier)
    text = slack_text(render.blocks(d))
    assert "Since the mood drop alert of week 46: Mood was −7 then, −7 now." in text
    assert "Since the stress rise alert of week 46: Stress index was 25% then, 31% now." in text
    assert "Mood fell to" not in text  # the alert itself is not repeated
    assert "Since the mood drop alert" in visible(render.html(d, "chart.png"))
    # Stress off: no stress follow-up; an alert this week on the same figure replaces it.
    assert "stress" not in everything(replace(d, stress_reporting=False)).lower()
    again = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    assert "Since the mood drop alert" not in slack_text(render.blocks(replace(d, alerts=(again,))))
    # A suppressed week says nothing about the figures.
    hidden = replace(d, current=TeamWeek(TEAM, WEEKS[-1], Suppressed.TOO_FEW))
    assert "Since the" not in everything(hidden)
