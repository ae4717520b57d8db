"""Rendering a digest: its neutral report, notification text, chart and HTML page. (Its Block
Kit is tested in tests/slack/test_render.py.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek, mood_text, previous_weeks
from bot import digest_render as render
from bot import texts as t
from bot.report import Chart, Figure, Footnote, Line, Link, Report, Section, Span, as_json, from_json, plain_lines

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


def text_of(report: Report) -> str:
    """A report's lines, as a reader sees them."""
    return "\n".join(plain_lines(report, chart="[chart]"))


def all_text(report: Report) -> str:
    """Every string a report holds, folds and URLs included."""
    return json.dumps(as_json(report), ensure_ascii=False)


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
    return "\n".join([all_text(render.report(d, details=True)), render.fallback_text(d),
                      visible(render.html(d, "chart.png")), all_text(render.alert_report(d)), render.alert_text(d),
                      render.chart_title(d)])


# -- Figures ------------------------------------------------------------------------------------

def figures(d: Digest) -> dict[str, Figure]:
    return {row.label: row for part in render.report(d).parts if isinstance(part, Section)
            for row in part.lines if isinstance(row, Figure)}


def test_figures_show_value_arrow_change_and_interval() -> None:
    last = published(WEEKS[-2], 8.0, negative=0.18, stress=0.36, stressed=0.2, people=7, messages=120)
    now = TeamWeek(TEAM, WEEKS[-1], None, 8, 101, Estimate(12.3, 5.2, 19.4), Estimate(0.15, 0.1, 0.2),
                   Estimate(0.41, 0.35, 0.47), Estimate(0.22, 0.15, 0.29), Estimate(4.3, -1.0, 9.0))
    d = digest(now, last=last)
    # Expected by hand: mood 12.3 -> +12 after +8, so +4; shares in percent, changes in points.
    assert figures(d)[t.MOOD] == Figure(t.MOOD, "+12", "▲", "+4 points since last week; 95% CI +5 to +19")
    text = text_of(render.report(d))
    assert "• Mood +12 ▲ (+4 points since last week; 95% CI +5 to +19)" in text
    assert "• Negative messages 15% ▼ (−3 points since last week; 95% CI 10% to 20%)" in text
    assert "• Stress index 41% ▲ (+5 points since last week; 95% CI 35% to 47%)" in text
    assert "• People who wrote 8 ▲ (+1 since last week)" in text
    assert "• Messages 101 ▼ (−19 since last week)" in text


def test_one_stress_figure_in_the_digest_and_what_it_means() -> None:
    d = digest(published(WEEKS[-1], 12.0, stress=0.3, stressed=0.25))
    text = text_of(render.report(d))
    assert "• Stress index 30%" in text and "Stressed messages" not in text
    assert t.SCALE_STRESS in text
    # The share above the threshold stays in the preview's details, threshold named.
    page = visible(render.html(d, "chart.png"))
    assert "Stressed messages (a stress likelihood of 50% or more): 25%" in page
    assert "Stressed messages" not in all_text(render.report(d))  # not in the message sent


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
    mood = figures(d)[t.MOOD]
    assert (mood.value, mood.arrow) == (mood_text(now), arrow) and mood.detail.startswith(f"{words};")
    assert f"mood {mood_text(now)} {arrow}" in render.fallback_text(d)


FIGURE = re.compile(r"^([+−]?\d+)%?$")
CHANGE = re.compile(r"^(?:([+−]\d+)(?: points?)? since last week|no change since last week)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0, 1), st.floats(0, 1), st.integers(5, 60),
                          st.integers(5, 900)), min_size=2, max_size=2))
def test_every_change_shown_equals_the_difference_of_the_figures_shown(
        weeks: list[tuple[float, float, float, int, int]]) -> None:
    def week(name: str, values: tuple[float, float, float, int, int]) -> TeamWeek:
        mood, negative, stress, people, messages = values
        return published(name, mood, negative=negative, stress=stress, people=people, messages=messages)
    last, now = week(WEEKS[-2], weeks[0]), week(WEEKS[-1], weeks[1])
    old, new = figures(digest(last)), figures(digest(now, last=last))
    assert set(new) == {t.MOOD, t.STRESS, t.NEGATIVE, t.CONTRIBUTORS, t.MESSAGES}

    def number(text: str) -> int:
        match = FIGURE.match(text)
        assert match is not None, text
        return int(match.group(1).replace("−", "-"))
    for label, figure in new.items():
        change = CHANGE.match(figure.detail)
        assert change is not None and figure.arrow in "▲▼→", label
        delta = int((change.group(1) or "0").replace("−", "-"))
        assert delta == number(figure.value) - number(old[label].value), label
        assert figure.arrow == ("▲" if delta > 0 else "▼" if delta < 0 else "→"), label


def test_the_arrow_follows_the_sign_of_changes_computed_from_last_week() -> None:
    last = published(WEEKS[-2], 0.0, negative=0.30, people=9, messages=80)
    now = published(WEEKS[-1], 0.0, negative=0.10, people=6, messages=95)
    text = text_of(render.report(digest(now, last=last)))
    assert "• Negative messages 10% ▼ (−20 points" in text
    assert "• People who wrote 6 ▼ (−3 since" in text
    assert "• Messages 95 ▲ (+15 since" in text


def test_without_a_published_last_week_there_is_no_comparison() -> None:
    d = digest(published(WEEKS[-1], 12.0), last=TeamWeek(TEAM, WEEKS[-2], Suppressed.TOO_FEW))
    text = text_of(render.report(d))
    assert f"• Mood +12 ({t.NO_COMPARISON}; 95% CI +7 to +17)" in text
    assert not {"▲", "▼", "→"} & set(text)


def test_noise_is_mentioned_only_when_added() -> None:
    now = published(WEEKS[-1], 12.0)
    assert t.PRIVACY_NOISE in text_of(render.report(digest(now, noise=True)))
    assert t.PRIVACY_NOISE not in everything(digest(now, noise=False))
    assert t.PRIVACY.format(k=7) in text_of(render.report(digest(now, k=7)))


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
    assert sentence in text_of(render.report(d))
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
    assert "Mood −20 is 25 points below its baseline." in text_of(render.report(d))  # other alerts stay
    assert LINK.text in text_of(render.report(d))
    assert "61" not in everything(d)


def test_with_stress_reporting_on_stress_is_shown() -> None:
    d = stressful_digest(stress=True)
    text = text_of(render.report(d))
    assert "• Stress index 61%" in text and "The stress index rose to 61%" in text and "Stress at work" in text


# -- Alerts and suggestions ----------------------------------------------------------------------

def test_alert_reasons_appear_in_every_output() -> None:
    reasons = ("Mood −20 is 25 points below its 8-week baseline of 5.", "Mood has fallen three weeks running.")
    alerts = tuple(Alert(TEAM, WEEKS[-1], rule, reason, -20.0, 5.0) for rule, reason in zip(("mood_drop", "decline"), reasons))
    d = digest(published(WEEKS[-1], -20.0), alerts=alerts)
    for reason in reasons:
        assert reason in text_of(render.report(d))
        assert reason in text_of(render.alert_report(d))
        assert reason in visible(render.html(d, "chart.png"))
    assert "Alerts: mood drop, declining mood." in render.fallback_text(d)
    assert render.alert_text(d).endswith(": mood drop, declining mood.")
    assert not any(reason in everything(digest(published(WEEKS[-1], -20.0))) for reason in reasons)


def test_the_statistics_behind_an_alert_are_in_the_preview_only() -> None:
    alert = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0, detail="t = −4.2")
    d = digest(published(WEEKS[-1], -20.0), alerts=(alert,))
    assert "t = −4.2" not in all_text(render.report(d)) and "t = −4.2" not in all_text(render.alert_report(d))
    assert "t = −4.2" in all_text(render.report(d, details=True))
    assert f"<summary>{t.ALERT_STATISTICS}</summary>t = −4.2" in render.html(d, "chart.png")


def test_suggestions_link_to_their_course_and_unsafe_urls_are_not_links() -> None:
    unsafe = Suggestion("Read this.", "A page", "javascript:alert(1)")
    d = digest(published(WEEKS[-1], 12.0), suggestions=(LINK, unsafe))
    [section] = [p for p in render.report(d).parts if isinstance(p, Section) and p.heading == t.SUGGESTIONS]
    assert section.lines == (Line((Span(LINK.text), Span(" "), Link(str(LINK.title), str(LINK.url))), "bullet"),
                             Line((Span("Read this."), Span(" "), Span("A page")), "bullet"))
    page = render.html(d, "chart.png")
    assert f'<a href="{LINK.url}">{LINK.title}</a>' in page
    assert "javascript:" not in all_text(render.report(d)) and "javascript:" not in page
    assert "• Read this. A page" in text_of(render.report(d))


# -- The report ----------------------------------------------------------------------------------

def test_the_report_holds_title_alerts_figures_chart_suggestions_and_footnote_in_order() -> None:
    alert = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    report = render.report(digest(published(WEEKS[-1], -20.0), alerts=(alert,)))
    assert report.title == f"Team weather for {TEAM}, week 47 (16–22 Nov 2026)"
    kinds = [(type(p).__name__, p.heading if isinstance(p, Section) else None) for p in report.parts]
    assert kinds == [("Section", t.ALERT), ("Section", t.THIS_WEEK), ("Chart", None), ("Section", t.SUGGESTIONS),
                     ("Footnote", None)]
    assert isinstance(report.parts[0], Section) and report.parts[0].urgent and report.parts[0].icon == t.ICON_ALERT
    assert report.parts[2] == Chart(render.chart_title(digest(published(WEEKS[-1], -20.0))))
    assert report.parts[-1] == Footnote(t.PRIVACY.format(k=5), t.ABOUT)


def test_the_text_in_a_report_is_plain() -> None:
    team = "<!here> R&D"
    alert = Alert(team, WEEKS[-1], "mood_drop", "<@U123> said <b> & *more*", -1.0, 1.0)
    d = digest(published(WEEKS[-1], 1.0, team=team), alerts=(alert,))
    assert render.report(d).title.startswith("Team weather for <!here> R&D,")
    assert "• <@U123> said <b> & *more*" in text_of(render.report(d))
    assert render.fallback_text(d).startswith("Team weather for <!here> R&D,")
    assert "&amp;" not in all_text(render.report(d)) + render.fallback_text(d) + render.alert_text(d)


@pytest.mark.parametrize("details", [False, True])
def test_a_report_survives_its_json(details: bool) -> None:
    for d in (stressful_digest(stress=True), digest(leaky_suppressed(Suppressed.TOO_FEW)),
              Digest(TEAM, WEEKS[-1], TeamWeek(TEAM, WEEKS[-1], Suppressed.NO_DATA), ())):
        for report in (render.report(d, details=details), render.alert_report(d)):
            data = json.loads(json.dumps(as_json(report)))
            assert from_json(data) == report


def test_a_line_that_is_not_a_report_is_refused() -> None:
    with pytest.raises(ValueError, match="not a part"):
        from_json({"title": "x", "parts": [{"type": "poll"}]})


# -- HTML ----------------------------------------------------------------------------------------

def test_html_escapes_everything() -> None:
    team = "<R&D>"
    alert = Alert(team, WEEKS[-1], "mood_drop", "<script>alert(1)</script>", -1.0, 1.0)
    page = render.html(digest(published(WEEKS[-1], 1.0, team=team), alerts=(alert,)), 'x.png" onerror="x')
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;R&amp;D&gt;" in page and "<R&D>" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<img src="x.png&quot; onerror=&quot;x"' in page


def test_the_html_page_shows_the_figures_as_a_table_and_notes_as_notes() -> None:
    page = render.html(digest(published(WEEKS[-1], 12.0)), "chart.png")
    assert f"<h2>{t.THIS_WEEK}</h2><table><tr><th>{t.MOOD}</th><td>+12 ▲</td>" in page
    assert f'<p class="note">{t.SCALE_MOOD}</p>' in page
    assert f"<footer><h2>{t.ABOUT}</h2>" in page


# -- Chart (drawn by bot/digest_chart.py, tested in test_digest_chart.py) ---------------------

def test_the_chart_goes_right_after_the_figures() -> None:
    alert = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    for d in (digest(published(WEEKS[-1], -20.0)), digest(published(WEEKS[-1], -20.0), alerts=(alert,))):
        parts = render.report(d).parts
        at = next(i for i, p in enumerate(parts) if isinstance(p, Chart))
        before = parts[at - 1]
        assert isinstance(before, Section) and before.heading == t.THIS_WEEK
    assert '<img src="chart.png"' in render.html(d, "chart.png").split(t.SUGGESTIONS)[0]


def test_a_team_never_published_gets_the_sentence_instead_of_a_chart() -> None:
    hidden = tuple(TeamWeek(TEAM, w, Suppressed.TOO_FEW) for w in WEEKS)
    d = Digest(TEAM, WEEKS[-1], hidden[-1], hidden)
    sentence = render.no_chart(d)
    assert sentence and render.chart_png(d) is None and render.report(d).chart is None
    assert sentence in text_of(render.report(d)) and sentence in visible(render.html(d, "chart.png"))
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
    text = text_of(render.report(d))
    assert "Since the mood drop alert of week 46: Mood was −7 then, −7 now." in text
    assert "Since the stress rise alert of week 46: Stress index was 25% then, 31% now." in text
    assert "Mood fell to" not in text  # the alert itself is not repeated
    assert "Since the mood drop alert" in visible(render.html(d, "chart.png"))
    # Stress off: no stress follow-up; an alert this week on the same figure replaces it.
    assert "stress" not in everything(replace(d, stress_reporting=False)).lower()
    again = Alert(TEAM, WEEKS[-1], "mood_drop", "Mood fell to −20 from its usual +5.", -20.0, 5.0)
    assert "Since the mood drop alert" not in text_of(render.report(replace(d, alerts=(again,))))
    # A suppressed week says nothing about the figures.
    hidden = replace(d, current=TeamWeek(TEAM, WEEKS[-1], Suppressed.TOO_FEW))
    assert "Since the" not in everything(hidden)
