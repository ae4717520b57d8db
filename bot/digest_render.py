"""A manager's weekly digest as Slack blocks, notification text, a PNG chart and an HTML page.

The renderer trusts nothing beyond what a digest may show: a suppressed week shows no figure
and no alert even if the ``TeamWeek`` it was handed carries values, and with stress reporting
off no stress figure, alert, suggestion or chart line appears, whatever the digest holds.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any, Callable

from domain.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek
from domain.teamweek import percent_text, plain, points, previous_weeks, shown
from domain.teamweek import signed as signed_text
from bot import texts as t
from bot.digest_chart import CHART_PIXELS, chart_figure, chart_png, chart_title, no_chart
from bot.week_names import week_name, week_number

__all__ = ["alert_blocks", "alert_text", "blocks", "chart_figure", "chart_index", "chart_png",
           "chart_title", "fallback_text", "html", "no_chart"]

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
_LINKABLE = re.compile(r"^https?://[^\s<>|\"']+$")
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


# -- Slack ------------------------------------------------------------------------------------

def _mrkdwn(text: str) -> str:
    """Slack's three control characters escaped, so names and reasons cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clip(lines: list[str], limit: int = SECTION_LIMIT) -> str:
    """Lines joined, dropping whole lines from the end (then an ellipsis) to fit ``limit``."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 1
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, "…"]) if kept else _cut(lines[0], limit)


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, HEADER_LIMIT), "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(_mrkdwn(text), SECTION_LIMIT)}]}


def _section(lines: list[str]) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(lines)}}


def _slack_link(s: Suggestion) -> str:
    if s.title and s.url and _LINKABLE.match(s.url):
        return f"<{s.url}|{_mrkdwn(s.title)}>"
    return _mrkdwn(s.title) if s.title else ""


def _suggestion_section(suggestions: list[Suggestion]) -> dict[str, Any]:
    lines = [f":bulb: *{t.SUGGESTIONS}*"]
    for s in suggestions:
        link = _slack_link(s)
        lines.append(f"• {_mrkdwn(s.text)}" + (f" {link}" if link else ""))
    return _section(lines)


def _alert_section(alerts: list[Alert]) -> dict[str, Any]:
    heading = t.ALERTS if len(alerts) > 1 else t.ALERT
    return _section([f":warning: *{heading}*", *(f"• {_mrkdwn(a.reason)}" for a in alerts)])


def blocks(digest: Digest) -> list[dict[str, Any]]:
    """The digest as Slack Block Kit blocks, within Slack's limits: title, any alert (said
    here once: managers get no separate alert message), this week's figures, [the chart goes
    at ``chart_index``], suggestions, the privacy note."""
    out = [_header(_title(digest))]
    alerts = _alerts(digest)
    if alerts:
        out.append(_alert_section(alerts))
    suppressed = _suppression(digest)
    if suppressed:
        lines = [_mrkdwn(suppressed)]
    else:
        lines = [f"*{t.THIS_WEEK}*"]
        for r in _rows(digest):
            arrow = f" {r.arrow}" if r.arrow else ""
            lines.append(f"• *{r.label}* {r.value}{arrow} ({r.detail()})")
        lines += [_mrkdwn(line) for line in _follow_ups(digest)]
        lines += [f"_{line}_" for line in _scale(digest)]
    absent = no_chart(digest)
    if absent:
        lines.append(_mrkdwn(absent))
    out.append(_section(lines))
    suggestions = _suggestions(digest)
    if suggestions:
        out.append(_suggestion_section(suggestions))
    out.append(_context(_privacy(digest)))
    return out


def chart_index(digest: Digest) -> int:
    """Where the chart goes in ``blocks(digest)``: right after this week's figures."""
    return 3 if _alerts(digest) else 2


def fallback_text(digest: Digest) -> str:
    """The one-line notification text sent alongside the blocks."""
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
    return _mrkdwn(t.FALLBACK.format(team=digest.team, week=_week(digest), summary=summary))


def _alert_names(digest: Digest) -> str:
    names = (t.ALERT_NAMES.get(a.rule, a.rule.replace("_", " ")) for a in _alerts(digest))
    return ", ".join(dict.fromkeys(names))


def alert_blocks(digest: Digest) -> list[dict[str, Any]]:
    """The separate alert message, for alert recipients who get no digest (HR), as Slack
    blocks: the alerts and suggestions, and where the managers read it."""
    title = t.ALERT_TITLE.format(team=digest.team, week=_week(digest))
    out = [_header(title)]
    alerts = _alerts(digest)
    if alerts:
        out.append(_alert_section(alerts))
    suggestions = _suggestions(digest)
    if suggestions:
        out.append(_suggestion_section(suggestions))
    footer = f"{t.ALERT_MORE} {_privacy(digest)}"
    out.append(_context(footer))
    return out


def alert_text(digest: Digest) -> str:
    """The notification text of the alert message."""
    text = t.ALERT_FALLBACK.format(team=digest.team, week=_week(digest), names=_alert_names(digest))
    return _mrkdwn(text)


# -- HTML -------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;line-height:1.45}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}"
    "table{border-collapse:collapse}td,th{padding:.25rem .75rem .25rem 0;text-align:left;"
    "vertical-align:top}.detail,.note,footer{color:#555;font-size:.9rem}"
    ".alerts{border-left:4px solid #c0392b;padding-left:.75rem}img{max-width:100%;height:auto}"
)


def html(digest: Digest, chart_src: str) -> str:
    """The digest as a standalone HTML page, every piece of text escaped."""
    e = html_lib.escape
    title = _title(digest)
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
             f"<title>{e(title)}</title>",
             f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{e(title)}</h1>"]
    alerts = _alerts(digest)
    if alerts:
        items = "".join(
            f"<li>{e(a.reason)}"
            + (f"<details><summary>{e(t.ALERT_STATISTICS)}</summary>{e(a.detail)}</details>" if a.detail else "")
            + "</li>"
            for a in alerts
        )
        heading = t.ALERTS if len(alerts) > 1 else t.ALERT
        parts.append(f'<section class="alerts"><h2>{e(heading)}</h2><ul>{items}</ul></section>')
    parts.append(f"<section><h2>{e(t.THIS_WEEK)}</h2>")
    suppressed = _suppression(digest)
    if suppressed:
        parts.append(f"<p>{e(suppressed)}</p>")
    else:
        rows = "".join(f"<tr><th>{e(r.label)}</th><td>{e(r.value)} {e(r.arrow)}</td>"
                       f'<td class="detail">{e(r.detail())}</td></tr>' for r in _rows(digest))
        follow_ups = "".join(f"<p>{e(line)}</p>" for line in _follow_ups(digest))
        notes = "".join(f'<p class="note">{e(line)}</p>' for line in _scale(digest))
        parts.append(f"<table>{rows}</table>{follow_ups}{notes}")
        stressed = _stressed_share(digest)
        if stressed:
            parts.append(f"<details><summary>{e(t.DETAILS)}</summary><p>{e(stressed)}</p></details>")
    absent = no_chart(digest)
    if absent:
        parts.append(f'<p class="note">{e(absent)}</p></section>')
    else:
        width, height = CHART_PIXELS
        parts.append(f'<img src="{e(chart_src)}" alt="{e(chart_title(digest))}" width="{width}" '
                     f'height="{height}"></section>')
    suggestions = _suggestions(digest)
    if suggestions:
        items = ""
        for s in suggestions:
            if s.title and s.url and _LINKABLE.match(s.url):
                link = f' <a href="{e(s.url)}">{e(s.title)}</a>'
            else:
                link = f" {e(s.title)}" if s.title else ""
            items += f"<li>{e(s.text)}{link}</li>"
        parts.append(f"<section><h2>{e(t.SUGGESTIONS)}</h2><ul>{items}</ul></section>")
    parts.append(f"<footer><h2>{e(t.ABOUT)}</h2><p>{e(_privacy(digest))}</p></footer>\n</body>\n</html>\n")
    return "\n".join(parts)
