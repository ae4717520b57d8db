"""A manager's weekly digest as Slack blocks, notification text, a PNG chart and an HTML page.

The renderer trusts nothing beyond what a digest may show: a suppressed week shows no figure
and no alert even if the ``TeamWeek`` it was handed carries values, and with stress reporting
off no stress figure, alert, suggestion or chart line appears, whatever the digest holds.
"""

from __future__ import annotations

import html as html_lib
import io
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from analyzers.teamweek import Alert, Digest, Estimate, Suggestion, Suppressed, TeamWeek
from analyzers.teamweek import previous_weeks, week_start
from bot import texts as t

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

__all__ = ["alert_blocks", "alert_text", "blocks", "chart_figure", "chart_png", "chart_title",
           "fallback_text", "html"]

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CHART_SIZE = (8.0, 4.0)  # inches, at CHART_DPI: 800 x 400 pixels
CHART_DPI = 100
_LINKABLE = re.compile(r"^https?://[^\s<>|\"']+$")
_STRESS = re.compile(r"stress", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Row:
    """One figure of this week, formatted: ``Mood +12 ▲ (+4 since last week; 95% CI 5 to 19)``."""

    label: str
    value: str
    arrow: str
    change: str
    interval: str | None

    def detail(self) -> str:
        return "; ".join(part for part in (self.change, self.interval) if part)


def _signed(x: int) -> str:
    return f"+{x}" if x > 0 else f"−{-x}" if x < 0 else "0"


def _plain(x: int) -> str:
    return f"−{-x}" if x < 0 else str(x)


def _row(label: str, now: float, change: float | None, interval: Estimate | None, *,
         scale: float = 1, unit: str = "", signed: bool = False) -> _Row:
    """A row; ``change`` since last week is None when there is nothing to compare with. The
    arrow follows the change as shown, so a change that rounds to zero gets the flat arrow.
    Shares (``unit="%"``) change by percentage points."""
    value = round(now * scale)
    if change is None:
        arrow, said = "", t.NO_COMPARISON
    else:
        delta = round(change * scale)
        arrow = t.ARROW_UP if delta > 0 else t.ARROW_DOWN if delta < 0 else t.ARROW_FLAT
        template = t.CHANGE_POINTS if unit == "%" else t.CHANGE
        said = template.format(change=_signed(delta)) if delta else t.NO_CHANGE
    ci = None
    if interval is not None:
        low, high = (_plain(round(x * scale)) + unit for x in (interval.low, interval.high))
        ci = t.INTERVAL.format(low=low, high=high)
    return _Row(label, (_signed(value) if signed else _plain(value)) + unit, arrow, said, ci)


def _last_week(digest: Digest) -> TeamWeek | None:
    previous = previous_weeks(digest.current.week, 2)[0]
    return next((w for w in digest.history if w.week == previous and w.published), None)


def _rows(digest: Digest) -> list[_Row]:
    """This week's figures; none when the week is suppressed."""
    now = digest.current
    if not now.published:
        return []
    last = _last_week(digest)

    def diff(get: Callable[[TeamWeek], Estimate | None]) -> float | None:
        a, b = get(now), get(last) if last else None
        return a.value - b.value if a and b else None

    rows: list[_Row] = []
    if now.mood:
        change = now.mood_change.value if now.mood_change else diff(lambda w: w.mood)
        rows.append(_row(t.MOOD, now.mood.value, change, now.mood, signed=True))
    shares: list[tuple[str, Callable[[TeamWeek], Estimate | None]]] = [(t.NEGATIVE, lambda w: w.negative)]
    if digest.stress_reporting:
        shares += [(t.STRESS, lambda w: w.stress), (t.STRESSED, lambda w: w.stressed)]
    for label, get in shares:
        estimate = get(now)
        if estimate is not None:
            rows.append(_row(label, estimate.value, diff(get), estimate, scale=100, unit="%"))
    for label, count, before in (
        (t.CONTRIBUTORS, now.contributors, last.contributors if last else None),
        (t.MESSAGES, now.messages, last.messages if last else None),
    ):
        if count is not None:
            change = count - before if before is not None else None
            rows.append(_row(label, count, change, None))
    return rows


def _suppression(digest: Digest) -> str | None:
    reason = digest.current.suppressed
    if reason is None:
        return None
    template = t.SUPPRESSED_TOO_FEW if reason is Suppressed.TOO_FEW else t.SUPPRESSED_OVERLAP
    return template.format(k=digest.k)


def _alerts(digest: Digest) -> list[Alert]:
    """Alerts a reader may see: none for a suppressed week, none about stress when it is off."""
    if not digest.current.published:
        return []
    return [a for a in digest.alerts
            if digest.stress_reporting or not (a.rule == "stress_rise" or _STRESS.search(a.reason))]


def _suggestions(digest: Digest) -> list[Suggestion]:
    if digest.stress_reporting:
        return list(digest.suggestions)
    return [s for s in digest.suggestions
            if not any(_STRESS.search(part or "") for part in (s.text, s.title, s.url))]


def _week(digest: Digest) -> str:
    monday = week_start(digest.week)
    return t.WEEK_DATE.format(day=monday.day, month=monday.strftime("%b"), year=monday.year)


def _title(digest: Digest) -> str:
    return t.TITLE.format(team=digest.team, week=_week(digest))


def _privacy(digest: Digest) -> str:
    text = t.PRIVACY.format(k=digest.k)
    return f"{text} {t.PRIVACY_NOISE}" if digest.noise else text


def _scale(digest: Digest) -> str:
    return f"{t.SCALE_MOOD} {t.SCALE_STRESS}" if digest.stress_reporting else t.SCALE_MOOD


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


def blocks(digest: Digest) -> list[dict[str, Any]]:
    """The digest as Slack Block Kit blocks, within Slack's limits."""
    out = [_header(_title(digest))]
    alerts = _alerts(digest)
    if alerts:
        out.append(_section([f":warning: *{t.ALERTS}*", *(f"• {_mrkdwn(a.reason)}" for a in alerts)]))
    suppressed = _suppression(digest)
    if suppressed:
        out.append(_section([_mrkdwn(suppressed)]))
    else:
        lines = [f"*{t.THIS_WEEK}*"]
        for r in _rows(digest):
            arrow = f" {r.arrow}" if r.arrow else ""
            lines.append(f"• *{r.label}* {r.value}{arrow} ({r.detail()})")
        lines.append(f"_{_scale(digest)}_")
        out.append(_section(lines))
    suggestions = _suggestions(digest)
    if suggestions:
        out.append(_suggestion_section(suggestions))
    out.append(_context(_privacy(digest)))
    return out


def fallback_text(digest: Digest) -> str:
    """The one-line notification text sent alongside the blocks."""
    reason = digest.current.suppressed
    if reason is not None:
        template = t.FALLBACK_TOO_FEW if reason is Suppressed.TOO_FEW else t.FALLBACK_OVERLAP
        summary = template.format(k=digest.k)
    else:
        mood = next((r for r in _rows(digest) if r.label == t.MOOD), None)
        if mood is None:
            summary = ""
        elif mood.arrow:
            summary = t.FALLBACK_MOOD_CHANGE.format(value=mood.value, arrow=mood.arrow,
                                                    change=mood.change.removesuffix(" since last week"))
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
    """The alert message (to managers and HR) as Slack blocks: the reasons and suggestions."""
    title = t.ALERT_TITLE.format(team=digest.team, week=_week(digest))
    out = [_header(title)]
    alerts = _alerts(digest)
    if alerts:
        out.append(_section([f":warning: *{t.ALERTS}*", *(f"• {_mrkdwn(a.reason)}" for a in alerts)]))
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


# -- Chart ------------------------------------------------------------------------------------

def _series(weeks: tuple[TeamWeek, ...], get: Callable[[TeamWeek], Estimate | None],
            scale: float) -> tuple[list[float], list[float], list[float]]:
    def pick(week: TeamWeek, part: str) -> float:
        e = get(week) if week.published else None
        return getattr(e, part) * scale if e is not None else math.nan
    value, low, high = ([pick(w, part) for w in weeks] for part in ("value", "low", "high"))
    return value, low, high


def chart_figure(digest: Digest) -> Figure:
    """The 8-week chart as a matplotlib figure: mood with its interval band, and the stress
    index on a second axis only when stress reporting is on; unpublished weeks are grey gaps."""
    from matplotlib.figure import Figure

    weeks = digest.history or (digest.current,)
    x = list(range(len(weeks)))
    fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI)
    fig.subplots_adjust(left=0.08, right=0.92 if digest.stress_reporting else 0.97, top=0.88, bottom=0.2)
    ax = fig.add_subplot()
    ax.set_title(_cut(t.CHART_TITLE.format(team=digest.team, n=len(weeks)), 48), parse_math=False,
                 fontsize=11, loc="left")
    mood, low, high = _series(weeks, lambda w: w.mood, 1)
    handles: list[Artist] = [ax.plot(x, mood, marker="o", color="#1f6fb4", label=t.CHART_MOOD)[0]]
    handles.append(ax.fill_between(x, low, high, color="#1f6fb4", alpha=0.18, linewidth=0,
                                   label=t.CHART_INTERVAL))
    ax.vlines(x, low, high, color="#1f6fb4", alpha=0.35, linewidth=1)
    ax.axhline(0, color="#999999", linewidth=0.8)
    shown = [v for v in low + high if not math.isnan(v)]
    bottom, top = min([*shown, 0.0]), max([*shown, 0.0])
    if top - bottom < 20:
        middle = (top + bottom) / 2
        bottom, top = middle - 10, middle + 10
    pad = (top - bottom) * 0.1
    ax.set_ylim(max(-100.0, bottom - pad), min(100.0, top + pad))
    ax.set_ylabel(t.CHART_MOOD)
    ax.set_xlim(-0.5, len(weeks) - 0.5)
    ax.set_xticks(x, [f"{week_start(w.week).day} {week_start(w.week):%b}" for w in weeks], fontsize=8)
    hidden = [i for i, w in enumerate(weeks) if not w.published]
    for i in hidden:
        ax.axvspan(i - 0.5, i + 0.5, color="#e6e6e6", zorder=0, linewidth=0)
    if hidden:
        fig.text(0.08, 0.04, t.CHART_HIDDEN, fontsize=8, color="#555555", parse_math=False)
    if digest.stress_reporting:
        ax2 = ax.twinx()
        stress, s_low, s_high = _series(weeks, lambda w: w.stress, 100)
        handles += ax2.plot(x, stress, marker="s", linestyle="--", color="#c0392b", label=t.CHART_STRESS)
        ax2.fill_between(x, s_low, s_high, color="#c0392b", alpha=0.12, linewidth=0)
        ax2.vlines(x, s_low, s_high, color="#c0392b", alpha=0.3, linewidth=1)
        ax2.set_ylim(0, 100)
        ax2.set_ylabel(t.CHART_STRESS_AXIS)
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
              ncols=len(handles), borderaxespad=0.2)
    return fig


def chart_title(digest: Digest) -> str:
    """What the chart shows, in words: the uploaded file's title and the image's alt text."""
    template = t.CHART_ALT_STRESS if digest.stress_reporting else t.CHART_ALT
    return template.format(team=digest.team, n=len(digest.history or (digest.current,)))


def chart_png(digest: Digest) -> bytes:
    """The chart as an 800x400 PNG; the same digest always gives the same bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = chart_figure(digest)
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return buffer.getvalue()


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
        items = "".join(f"<li>{e(a.reason)}</li>" for a in alerts)
        parts.append(f'<section class="alerts"><h2>{e(t.ALERTS)}</h2><ul>{items}</ul></section>')
    parts.append(f"<section><h2>{e(t.THIS_WEEK)}</h2>")
    suppressed = _suppression(digest)
    if suppressed:
        parts.append(f"<p>{e(suppressed)}</p>")
    else:
        rows = "".join(f"<tr><th>{e(r.label)}</th><td>{e(r.value)} {e(r.arrow)}</td>"
                       f'<td class="detail">{e(r.detail())}</td></tr>' for r in _rows(digest))
        parts.append(f'<table>{rows}</table><p class="note">{e(_scale(digest))}</p>')
    parts.append(f'<img src="{e(chart_src)}" alt="{e(chart_title(digest))}" width="800" height="400">'
                 "</section>")
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
