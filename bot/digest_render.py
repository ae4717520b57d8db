"""A manager's weekly digest as a neutral report, notification text, a PNG chart and an HTML page.

The report (``bot/report.py``) is what every platform renders: Slack as Block Kit
(``bot/slack/render.py``), Teams as an Adaptive Card; the HTML preview is rendered from it
here. Texts are plain: each renderer escapes them for its platform.

The renderer trusts nothing beyond what a digest may show: a suppressed week shows no figure
and no alert even if the ``TeamWeek`` it was handed carries values, and with stress reporting
off no stress figure, alert, suggestion or chart line appears, whatever the digest holds.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Callable

from domain.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek
from domain.teamweek import percent_text, plain, points, previous_weeks, shown
from domain.teamweek import signed as signed_text
from bot import texts as t
from bot.digest_chart import CHART_PIXELS, chart_figure, chart_png, chart_title, no_chart
from bot.report import Chart, Figure, Fold, Footnote, Inline, Line, Link, Part, Report, Row, Section, Span, linkable
from bot.week_names import week_name, week_number

__all__ = ["alert_report", "alert_text", "chart_figure", "chart_png", "chart_title", "fallback_text", "html",
           "html_page", "no_chart", "report"]

_STRESS = re.compile(r"stress", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Row:
    """One figure of this week, formatted: ``Mood +12 ▲ (+4 points since last week; 95% CI 5 to 19)``."""

    label: str
    value: str
    arrow: str
    change: str
    interval: str | None

    def detail(self) -> str:
        return "; ".join(part for part in (self.change, self.interval) if part)


def _row(label: str, now: float, before: float | None, interval: Estimate | None, *,
         scale: float = 1, unit: str = "", signed: bool = False, in_points: bool = True) -> _Row:
    """A row. The change since last week is the difference of the two figures as shown (both
    rounded first), so it always agrees with them; None ``before``: nothing to compare with.
    The arrow follows the change as shown: no change, the flat arrow."""
    value = shown(now, scale)
    if before is None:
        arrow, said = "", t.NO_COMPARISON
    else:
        delta = value - shown(before, scale)
        arrow = t.ARROW_UP if delta > 0 else t.ARROW_DOWN if delta < 0 else t.ARROW_FLAT
        amount = points(delta) if in_points else signed_text(delta)
        said = t.CHANGE.format(change=amount) if delta else t.NO_CHANGE
    ci = None
    if interval is not None:
        write = signed_text if signed else plain
        low, high = (write(shown(x, scale)) + unit for x in (interval.low, interval.high))
        ci = t.INTERVAL.format(low=low, high=high)
    return _Row(label, (signed_text(value) if signed else plain(value)) + unit, arrow, said, ci)


def _last_week(digest: Digest) -> TeamWeek | None:
    previous = previous_weeks(digest.current.week, 2)[0]
    return next((w for w in digest.history if w.week == previous and w.published), None)


def _rows(digest: Digest) -> list[_Row]:
    """This week's figures; none when the week is suppressed. One stress figure (the stress
    index); the share of stressed messages is in the HTML preview's details only."""
    now = digest.current
    if not now.published:
        return []
    last = _last_week(digest)

    def before(get: Callable[[TeamWeek], Estimate | None]) -> float | None:
        estimate = get(last) if last else None
        return estimate.value if estimate else None

    rows: list[_Row] = []
    if now.mood:
        rows.append(_row(t.MOOD, now.mood.value, before(lambda w: w.mood), now.mood, signed=True))
    shares: list[tuple[str, Callable[[TeamWeek], Estimate | None]]] = []
    if digest.stress_reporting:
        shares.append((t.STRESS, lambda w: w.stress))
    shares.append((t.NEGATIVE, lambda w: w.negative))
    for label, get in shares:
        estimate = get(now)
        if estimate is not None:
            rows.append(_row(label, estimate.value, before(get), estimate, scale=100, unit="%"))
    for label, count, earlier in (
        (t.CONTRIBUTORS, now.contributors, last.contributors if last else None),
        (t.MESSAGES, now.messages, last.messages if last else None),
    ):
        if count is not None:
            rows.append(_row(label, count, earlier, None, in_points=False))
    return rows


def _stressed_share(digest: Digest) -> str | None:
    """The share of messages above the stress threshold, for the HTML preview's details."""
    now = digest.current
    if not (digest.stress_reporting and now.published and now.stressed):
        return None
    e = now.stressed
    interval = t.INTERVAL.format(low=percent_text(e.low), high=percent_text(e.high))
    return t.STRESSED_DETAIL.format(value=percent_text(e.value), interval=interval,
                                    threshold=percent_text(digest.stress_threshold))


_SUPPRESSED = {Suppressed.NO_DATA: t.SUPPRESSED_NO_DATA, Suppressed.TOO_FEW: t.SUPPRESSED_TOO_FEW,
               Suppressed.OVERLAP: t.SUPPRESSED_OVERLAP}
_FALLBACK_SUPPRESSED = {Suppressed.NO_DATA: t.FALLBACK_NO_DATA, Suppressed.TOO_FEW: t.FALLBACK_TOO_FEW,
                        Suppressed.OVERLAP: t.FALLBACK_OVERLAP}


def _suppression(digest: Digest) -> str | None:
    reason = digest.current.suppressed
    return None if reason is None else _SUPPRESSED[reason].format(k=digest.k)


def _alerts(digest: Digest) -> list[Alert]:
    """Alerts a reader may see: none for a suppressed week, none about stress when it is off."""
    if not digest.current.published:
        return []
    return [a for a in digest.alerts
            if digest.stress_reporting or not (a.rule == "stress_rise" or _STRESS.search(a.reason))]


_METRIC_OF_RULE = {"mood_drop": "mood", "decline": "mood", "stress_rise": "stress"}


def _follow_ups(digest: Digest) -> list[str]:
    """One line per metric alerted in the weeks before (within the cooldown) and not alerted
    again this week: where it stands now against the figure that alerted, so that a manager
    can tell whether it passed without the alert being repeated."""
    now = digest.current
    if not now.published:
        return []
    alerted_now = {_METRIC_OF_RULE.get(a.rule) for a in _alerts(digest)}
    lines: dict[str, str] = {}
    for alert in sorted(digest.earlier_alerts, key=lambda a: a.week, reverse=True):
        metric = _METRIC_OF_RULE.get(alert.rule)
        if metric is None or metric in alerted_now or metric in lines:
            continue
        if metric == "stress":
            if not digest.stress_reporting or now.stress is None:
                continue
            then, current = percent_text(alert.value), percent_text(now.stress.value)
        elif now.mood is not None:
            then, current = signed_text(shown(alert.value)), signed_text(shown(now.mood.value))
        else:
            continue
        lines[metric] = t.ALERT_FOLLOW_UP.format(
            week=week_number(alert.week), name=t.ALERT_NAMES.get(alert.rule, alert.rule),
            figure=t.MOOD if metric == "mood" else t.STRESS, then=then, now=current)
    return list(lines.values())


def _suggestions(digest: Digest) -> list[Suggestion]:
    if digest.stress_reporting:
        return list(digest.suggestions)
    return [s for s in digest.suggestions
            if not any(_STRESS.search(part or "") for part in (s.text, s.title, s.url))]


def _week(digest: Digest) -> str:
    return week_name(digest.week)


def _title(digest: Digest) -> str:
    return t.TITLE.format(team=digest.team, week=_week(digest))


def _privacy(digest: Digest) -> str:
    text = t.PRIVACY.format(k=digest.k)
    return f"{text} {t.PRIVACY_NOISE}" if digest.noise else text


def _scale(digest: Digest) -> list[str]:
    """What each figure means, one line each."""
    return [t.SCALE_MOOD, t.SCALE_STRESS] if digest.stress_reporting else [t.SCALE_MOOD]


# -- The report ------------------------------------------------------------------------------

def _alert_section(alerts: list[Alert], details: bool) -> Section:
    heading = t.ALERTS if len(alerts) > 1 else t.ALERT
    lines = tuple(Line.of(a.reason, "bullet", Fold(t.ALERT_STATISTICS, a.detail) if details and a.detail else None)
                  for a in alerts)
    return Section(lines, heading, t.ICON_ALERT, urgent=True)


def _suggestion_section(suggestions: list[Suggestion]) -> Section:
    lines = []
    for s in suggestions:
        parts: list[Inline] = [Span(s.text)]
        if s.title:
            parts += [Span(" "), Link(s.title, s.url) if s.url and linkable(s.url) else Span(s.title)]
        lines.append(Line(tuple(parts), "bullet"))
    return Section(tuple(lines), t.SUGGESTIONS, t.ICON_SUGGESTIONS)


def _this_week(digest: Digest, details: bool) -> Section:
    """This week's figures, what follows from earlier alerts and what the figures mean; or
    why there are none."""
    suppressed = _suppression(digest)
    absent = no_chart(digest)
    missing = (Line.of(absent),) if absent else ()
    if suppressed:
        return Section((Line.of(suppressed), *missing))
    rows: list[Row] = [Figure(r.label, r.value, r.arrow, r.detail()) for r in _rows(digest)]
    rows += [Line.of(line) for line in _follow_ups(digest)]
    rows += [Line.of(line, "note") for line in _scale(digest)]
    stressed = _stressed_share(digest) if details else None
    return Section((*rows, *missing), t.THIS_WEEK, fold=Fold(t.DETAILS, stressed) if stressed else None)


def report(digest: Digest, *, details: bool = False) -> Report:
    """The digest as a neutral report: title, any alert (said here once: managers get no
    separate alert message), this week's figures, the chart, suggestions, the privacy note.
    ``details``: with the statistics behind each alert and the share of stressed messages,
    as folds (the HTML preview shows them; chat messages leave folds out)."""
    parts: list[Part] = []
    alerts = _alerts(digest)
    if alerts:
        parts.append(_alert_section(alerts, details))
    parts.append(_this_week(digest, details))
    if no_chart(digest) is None:
        parts.append(Chart(chart_title(digest)))
    suggestions = _suggestions(digest)
    if suggestions:
        parts.append(_suggestion_section(suggestions))
    if digest.learning and digest.current.suppressed is None:
        parts.append(_learning_section(digest))
    parts.append(Footnote(_privacy(digest), t.ABOUT))
    return Report(_title(digest), tuple(parts))


def _learning_section(digest: Digest) -> Section:
    """Items the team completed per skill this week (each line from k people up)."""
    lines: list[Row] = [Line.of(t.LEARNING_LINE.format(skill=a.skill, items=a.items, people=a.people), "bullet")
                        for a in digest.learning]
    lines.append(Line.of(t.LEARNING_NOTE.format(k=digest.k), "note"))
    return Section(tuple(lines), t.LEARNING, t.ICON_LEARNING)


def fallback_text(digest: Digest) -> str:
    """The one-line notification text sent alongside the report, as plain text (each
    platform escapes it)."""
    reason = digest.current.suppressed
    if reason is not None:
        summary = _FALLBACK_SUPPRESSED[reason].format(k=digest.k)
    else:
        mood = next((r for r in _rows(digest) if r.label == t.MOOD), None)
        if mood is None:
            summary = ""
        elif mood.arrow:
            summary = t.FALLBACK_MOOD_CHANGE.format(value=mood.value, arrow=mood.arrow, change=mood.change)
        else:
            summary = t.FALLBACK_MOOD.format(value=mood.value)
        summary += "."
        names = _alert_names(digest)
        if names:
            summary += " " + t.FALLBACK_ALERTS.format(names=names)
    return t.FALLBACK.format(team=digest.team, week=_week(digest), summary=summary)


def _alert_names(digest: Digest) -> str:
    names = (t.ALERT_NAMES.get(a.rule, a.rule.replace("_", " ")) for a in _alerts(digest))
    return ", ".join(dict.fromkeys(names))


def alert_report(digest: Digest) -> Report:
    """The separate alert message, for alert recipients who get no digest (HR): the alerts
    and suggestions, and where the managers read it."""
    parts: list[Part] = []
    alerts = _alerts(digest)
    if alerts:
        parts.append(_alert_section(alerts, details=False))
    suggestions = _suggestions(digest)
    if suggestions:
        parts.append(_suggestion_section(suggestions))
    parts.append(Footnote(f"{t.ALERT_MORE} {_privacy(digest)}"))
    return Report(t.ALERT_TITLE.format(team=digest.team, week=_week(digest)), tuple(parts))


def alert_text(digest: Digest) -> str:
    """The notification text of the alert message, as plain text."""
    return t.ALERT_FALLBACK.format(team=digest.team, week=_week(digest), names=_alert_names(digest))


# -- HTML -------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;line-height:1.45}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}"
    "table{border-collapse:collapse}td,th{padding:.25rem .75rem .25rem 0;text-align:left;"
    "vertical-align:top}.detail,.note,footer{color:#555;font-size:.9rem}"
    ".alerts{border-left:4px solid #c0392b;padding-left:.75rem}img{max-width:100%;height:auto}"
)


def html(digest: Digest, chart_src: str) -> str:
    """The digest as a standalone HTML page, every piece of text escaped: its report with
    the details (the statistics behind each alert, the share of stressed messages)."""
    return html_page(report(digest, details=True), chart_src)


def html_page(content: Report, chart_src: str) -> str:
    """A report as a standalone HTML page, the chart from ``chart_src``, every piece of text
    escaped."""
    e = html_lib.escape
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
             f"<title>{e(content.title)}</title>",
             f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{e(content.title)}</h1>"]
    for part in content.parts:
        if isinstance(part, Section):
            parts.append(_html_section(part))
        elif isinstance(part, Chart):
            width, height = CHART_PIXELS
            parts.append(f'<img src="{e(chart_src)}" alt="{e(part.alt)}" width="{width}" height="{height}">')
        elif isinstance(part, Footnote):
            heading = f"<h2>{e(part.heading)}</h2>" if part.heading else ""
            parts.append(f"<footer>{heading}<p>{e(part.text)}</p></footer>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def _html_fold(fold: Fold | None) -> str:
    e = html_lib.escape
    return "" if fold is None else f"<details><summary>{e(fold.summary)}</summary>{e(fold.text)}</details>"


def _html_inline(parts: tuple[Inline, ...]) -> str:
    e = html_lib.escape
    out = ""
    for part in parts:
        if isinstance(part, Link):
            out += f'<a href="{e(part.url)}">{e(part.title)}</a>' if linkable(part.url) else e(part.title)
        else:
            text = e(part.text)
            text = f"<strong>{text}</strong>" if part.bold else text
            out += f"<em>{text}</em>" if part.italic else text
    return out


def _html_section(section: Section) -> str:
    """Bullets as a list, figures as a table, sentences as paragraphs, small print as notes."""
    e = html_lib.escape
    out = f"<h2>{e(section.heading)}</h2>" if section.heading else ""
    kind = ""
    for row in section.lines:
        now = "table" if isinstance(row, Figure) else "ul" if row.style == "bullet" else ""
        if now != kind:
            out += f"</{kind}>" if kind else ""
            out += f"<{now}>" if now else ""
            kind = now
        if isinstance(row, Figure):
            out += (f"<tr><th>{e(row.label)}</th><td>{e(row.value)} {e(row.arrow)}</td>"
                    f'<td class="detail">{e(row.detail)}</td></tr>')
        elif row.style == "bullet":
            out += f"<li>{_html_inline(row.parts)}{_html_fold(row.fold)}</li>"
        else:
            note = ' class="note"' if row.style == "note" else ""
            out += f"<p{note}>{_html_inline(row.parts)}{_html_fold(row.fold)}</p>"
    out += f"</{kind}>" if kind else ""
    if section.fold is not None:
        out += f"<details><summary>{e(section.fold.summary)}</summary><p>{e(section.fold.text)}</p></details>"
    style = ' class="alerts"' if section.urgent else ""
    return f"<section{style}>{out}</section>"
