"""The digest's chart of recent weeks, drawn so that it cannot mislead.

- Mood and the stress index get a panel each, one above the other on a shared week axis, each
  with its own line, 95% interval band and legend; the stress panel exists only when stress
  reporting is on, and then nothing in the figure mentions stress otherwise.
- Both scales are fixed, the same for every team: mood −100..+100 and the stress index 0..100%,
  so two teams' charts can be compared and nothing is ever cut off. Intervals are clipped at
  the scale's edges, and the limits leave room so a marker at an edge stays inside the axes.
- Weeks are named as everywhere else (``bot.week_names.week_tick``: "W47" over "16 Nov").
- An unpublished week is a grey column labelled with its reason (no data yet, fewer than k
  people, overlaps another team); consecutive weeks with the same reason share one label.
- A team with no published week gets no chart but a sentence saying why (``no_chart``).
- Made for chat apps on phones and in dark themes: an opaque white background, dark text,
  Okabe–Ito colours (safe for colour-blind readers) with distinct markers and line styles, and
  fonts sized so the 1000-pixel-wide PNG stays legible when a phone shows it ~360 px wide.
- The same digest always gives the same PNG bytes.

matplotlib is imported only when a chart is drawn, so importing this module stays cheap.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable

from domain.teamweek import Digest, Estimate, Suppressed, TeamWeek
from bot import texts as t
from bot.week_names import week_tick

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.typing import RcKeyType

__all__ = ["CHART_DPI", "CHART_PIXELS", "CHART_SIZE", "MOOD_LIMITS", "STRESS_LIMITS",
           "chart_figure", "chart_png", "chart_title", "no_chart"]

CHART_SIZE = (5.0, 3.6)  # inches, at CHART_DPI: 1000 x 720 pixels
CHART_DPI = 200
CHART_PIXELS = (1000, 720)  # width, height of the PNG
MOOD_LIMITS = (-100.0, 100.0)  # the mood scale, the same for every team
STRESS_LIMITS = (0.0, 100.0)  # the stress index, in percent
_PAD = 0.07  # room beyond each scale's ends, as a share of its range, so edge markers show whole

# Font sizes in points; at 200 dpi a point is 2.8 px, so 9 pt is ~25 px, ~9 px on a phone.
_TITLE_PT = 11.5
_TEXT_PT = 9.5
_TICK_PT = 9.0
_GREY_PT = 9.0

# Colours: Okabe–Ito blue and vermillion for the series, dark grey text on white.
_BACKGROUND = "#ffffff"
_INK = "#1a1a1a"
_MUTED = "#4d4d4d"
_GRID = "#d9d9d9"
_ZERO = "#8c8c8c"
_GREY_WEEK = "#e3e3e3"
_MOOD_COLOUR = "#0072b2"
_STRESS_COLOUR = "#d55e00"
_BAND_ALPHA = 0.22

# Layout, in inches from the figure's edges.
_LEFT, _RIGHT, _TOP, _BOTTOM = 0.68, 0.14, 0.58, 0.6
_GAP = 0.34  # between the panels: room for the stress panel's legend
_MOOD_SHARE = 0.62  # of the panels' height, when both are shown

_RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs everywhere
    "axes.unicode_minus": True,
    "text.color": _INK,
    "axes.edgecolor": _MUTED,
    "axes.labelcolor": _INK,
    "xtick.color": _MUTED,
    "ytick.color": _MUTED,
    "xtick.labelcolor": _INK,
    "ytick.labelcolor": _INK,
    "savefig.transparent": False,
}


def _weeks(digest: Digest) -> tuple[TeamWeek, ...]:
    return digest.history or (digest.current,)


def _reason_label(reason: Suppressed, k: int) -> str:
    if reason is Suppressed.NO_DATA:
        return t.CHART_NO_DATA
    if reason is Suppressed.TOO_FEW:
        return t.CHART_TOO_FEW.format(k=k)
    return t.CHART_OVERLAP


def no_chart(digest: Digest) -> str | None:
    """The sentence shown instead of a chart when no week shown was published, naming the
    reasons present; None when there is a chart to show."""
    weeks = _weeks(digest)
    if any(w.published for w in weeks):
        return None
    counts = Counter(w.suppressed for w in weeks if w.suppressed is not None)
    n, k = len(weeks), digest.k
    if set(counts) == {Suppressed.NO_DATA}:
        return t.CHART_NONE_NO_DATA
    if set(counts) == {Suppressed.TOO_FEW}:
        return t.CHART_NONE_TOO_FEW.format(n=n, k=k)
    if set(counts) == {Suppressed.OVERLAP}:
        return t.CHART_NONE_OVERLAP.format(n=n, k=k)
    parts = {Suppressed.NO_DATA: t.CHART_NONE_PART_NO_DATA, Suppressed.TOO_FEW: t.CHART_NONE_PART_TOO_FEW,
             Suppressed.OVERLAP: t.CHART_NONE_PART_OVERLAP}
    reasons = ", ".join(template.format(count=counts[reason], k=k)
                        for reason, template in parts.items() if counts[reason])
    return t.CHART_NONE_MIXED.format(n=n, reasons=reasons)


def chart_title(digest: Digest) -> str:
    """What the chart shows, in words: the uploaded file's title and the image's alt text."""
    template = t.CHART_ALT_STRESS if digest.stress_reporting else t.CHART_ALT
    return template.format(team=digest.team, n=len(_weeks(digest)))


def _clip(x: float, limits: tuple[float, float]) -> float:
    return min(max(x, limits[0]), limits[1])


def _series(weeks: tuple[TeamWeek, ...], get: Callable[[TeamWeek], Estimate | None], scale: float,
            limits: tuple[float, float]) -> tuple[list[float], list[float], list[float]]:
    """Values, lows and highs on the chart's scale; NaN (a gap) for an unpublished week."""
    def pick(week: TeamWeek, part: str) -> float:
        e = get(week) if week.published else None
        if e is None:
            return math.nan
        x = float(getattr(e, part)) * scale
        return math.nan if math.isnan(x) else _clip(x, limits)
    value, low, high = ([pick(w, part) for w in weeks] for part in ("value", "low", "high"))
    return value, low, high


def _runs(weeks: tuple[TeamWeek, ...]) -> list[tuple[int, int, Suppressed]]:
    """Consecutive unpublished weeks with the same reason: (first, last, reason)."""
    runs: list[tuple[int, int, Suppressed]] = []
    for i, week in enumerate(weeks):
        reason = week.suppressed
        if reason is None:
            continue
        if runs and runs[-1][1] == i - 1 and runs[-1][2] is reason:
            runs[-1] = (runs[-1][0], i, reason)
        else:
            runs.append((i, i, reason))
    return runs


def _fit(text: Text, width: float, renderer: RendererBase) -> None:
    """Shortens ``text`` with an ellipsis until it is at most ``width`` pixels wide."""
    full = text.get_text()
    if text.get_window_extent(renderer).width <= width:
        return
    low, high = 0, len(full)  # the longest prefix that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        text.set_text(full[:middle].rstrip() + "…")
        if text.get_window_extent(renderer).width <= width:
            low = middle
        else:
            high = middle
    text.set_text(full[:low].rstrip() + "…")


def _panel(ax: Axes, x: list[int], series: tuple[list[float], list[float], list[float]], *,
           colour: str, marker: str, linestyle: str, label: str,
           limits: tuple[float, float]) -> None:
    """A series' line with markers, its 95% band (and the interval as a bar, visible for a
    week between gaps too) and its legend above the panel."""
    from matplotlib.patches import Patch

    value, low, high = series
    line = ax.plot(x, value, color=colour, marker=marker, markersize=5.5, linestyle=linestyle, linewidth=2.0,
                   label=label, zorder=4, clip_on=False)[0]
    ax.fill_between(x, low, high, color=colour, alpha=_BAND_ALPHA, linewidth=0, zorder=2)
    ax.vlines(x, low, high, color=colour, alpha=0.45, linewidth=1.2, zorder=3)
    band = Patch(facecolor=colour, alpha=_BAND_ALPHA + 0.08, edgecolor="none", label=t.CHART_INTERVAL)
    handles: list[Artist] = [line, band]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.01, 1.0), ncols=2, frameon=False,
              fontsize=_TEXT_PT, borderaxespad=0.1, handlelength=2.4, columnspacing=1.4, borderpad=0.2)
    span = limits[1] - limits[0]
    ax.set_ylim(limits[0] - _PAD * span, limits[1] + _PAD * span)
    ax.set_ylabel(label, fontsize=_TEXT_PT, labelpad=3)
    ax.tick_params(axis="both", labelsize=_TICK_PT, length=3)
    ax.set_axisbelow(True)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _grey_weeks(axes: list[Axes], weeks: tuple[TeamWeek, ...], k: int, renderer: RendererBase) -> None:
    """Grey columns for unpublished weeks, each run labelled with its reason in the top panel."""
    top = axes[0]
    for first, last, reason in _runs(weeks):
        for ax in axes:
            ax.axvspan(first - 0.5, last + 0.5, color=_GREY_WEEK, linewidth=0, zorder=1)
        middle = (first + last) / 2
        label = top.text(middle, sum(MOOD_LIMITS) / 2, _reason_label(reason, k), rotation=90, ha="center",
                         va="center", rotation_mode="anchor", fontsize=_GREY_PT, color=_INK,
                         parse_math=False, zorder=5)
        room = top.get_window_extent(renderer).height * 0.94
        words = label.get_text().split(" ")
        if label.get_window_extent(renderer).height > room and len(words) > 1:
            cut = len(words) // 2  # two shorter lines side by side in the column
            label.set_text(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
            label.set_linespacing(1.1)


def chart_figure(digest: Digest) -> Figure | None:
    """The chart of the digest's weeks as a matplotlib figure (CHART_SIZE at CHART_DPI), or
    None when no week shown was published (then ``no_chart`` says why)."""
    if no_chart(digest) is not None:
        return None
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    weeks = _weeks(digest)
    x = list(range(len(weeks)))
    width, height = CHART_SIZE
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, facecolor=_BACKGROUND, edgecolor=_BACKGROUND)
        fig.patch.set_alpha(1.0)
        canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        left, right = _LEFT / width, 1 - _RIGHT / width
        top, bottom = 1 - _TOP / height, _BOTTOM / height
        if digest.stress_reporting:
            panels = top - bottom - _GAP / height
            split = top - panels * _MOOD_SHARE
            mood_ax = fig.add_axes((left, split, right - left, top - split))
            stress_ax = fig.add_axes((left, bottom, right - left, split - _GAP / height - bottom), sharex=mood_ax)
            mood_ax.tick_params(axis="x", labelbottom=False)
            axes = [mood_ax, stress_ax]
        else:
            mood_ax = fig.add_axes((left, bottom, right - left, top - bottom))
            axes = [mood_ax]

        _panel(mood_ax, x, _series(weeks, lambda w: w.mood, 1, MOOD_LIMITS), colour=_MOOD_COLOUR, marker="o",
               linestyle="-", label=t.CHART_MOOD, limits=MOOD_LIMITS)
        mood_ax.set_yticks([-100, -50, 0, 50, 100], ["−100", "−50", "0", "+50", "+100"])
        mood_ax.axhline(0, color=_ZERO, linewidth=1.0, zorder=0.8)
        if digest.stress_reporting:
            _panel(axes[1], x, _series(weeks, lambda w: w.stress, 100, STRESS_LIMITS), colour=_STRESS_COLOUR,
                   marker="s", linestyle="--", label=t.CHART_STRESS, limits=STRESS_LIMITS)
            axes[1].set_yticks([0, 50, 100], ["0%", "50%", "100%"])
            axes[1].set_yticks([25, 75], minor=True)
            axes[1].grid(axis="y", which="minor", color=_GRID, linewidth=0.6)
            axes[1].tick_params(axis="y", which="minor", length=0)

        bottom_ax = axes[-1]
        bottom_ax.set_xlim(-0.5, len(weeks) - 0.5)
        bottom_ax.set_xticks(x, [week_tick(w.week) for w in weeks])
        bottom_ax.tick_params(axis="x", labelsize=_TICK_PT, length=3, pad=3)
        bottom_ax.set_xlabel(t.CHART_WEEK, fontsize=_TEXT_PT, labelpad=4)
        for ax in axes:
            ax.set_facecolor(_BACKGROUND)

        _grey_weeks(axes, weeks, digest.k, renderer)
        team = " ".join(digest.team.split())  # no line breaks or runs of spaces from a name
        title = fig.text(_LEFT / width * 0.25, 1 - 0.1 / height, t.CHART_TITLE.format(team=team, n=len(weeks)),
                         ha="left", va="top", fontsize=_TITLE_PT, fontweight="bold", color=_INK, parse_math=False)
        _fit(title, fig.bbox.width * (1 - _LEFT / width * 0.25) - 0.1 * CHART_DPI, renderer)
    return fig


def chart_png(digest: Digest) -> bytes | None:
    """The chart as a PNG of CHART_PIXELS on an opaque white background, or None exactly when
    ``no_chart`` gives a sentence instead. The same digest always gives the same bytes."""
    fig = chart_figure(digest)
    if fig is None:
        return None
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="png", dpi=CHART_DPI, facecolor=_BACKGROUND, metadata={"Software": None})
    return buffer.getvalue()
