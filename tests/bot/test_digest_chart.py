"""The digest chart (bot/digest_chart.py): fixed scales, separate panels, honest grey weeks,
legible on a phone and in dark themes, deterministic."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from domain.teamweek import Digest, Estimate, Suppressed, TeamWeek, previous_weeks
from bot import digest_chart as chart
from bot import texts as t
from bot.week_names import week_tick

ROOT = Path(__file__).parents[2]
TEAM = "Platform"
WEEKS = previous_weeks("2026-W47", 8)  # 2026-W40 (28 Sep) .. 2026-W47 (16 Nov 2026)
MOODS = [22.0, 25.0, 18.0, 12.0, -8.0, -15.0, 4.0, 15.0]  # a dip in W44-W45
STRESS = [0.12, 0.11, 0.14, 0.18, 0.27, 0.30, 0.22, 0.16]


def published(week: str, mood: float, *, stress: float = 0.15, team: str = TEAM, mood_ci: float = 15.0,
              stress_ci: float = 0.05) -> TeamWeek:
    """A published week: mood ± ``mood_ci``, shares ± ``stress_ci``."""
    def share(x: float) -> Estimate:
        return Estimate(x, x - stress_ci, x + stress_ci)
    return TeamWeek(team, week, None, 7, 120, Estimate(mood, mood - mood_ci, mood + mood_ci), share(0.2),
                    share(stress), share(0.2))


def hidden(week: str, reason: Suppressed, team: str = TEAM) -> TeamWeek:
    return TeamWeek(team, week, reason)


def digest(weeks: list[TeamWeek], *, stress: bool = True, k: int = 5) -> Digest:
    return Digest(weeks[-1].team, weeks[-1].week, weeks[-1], tuple(weeks), stress_reporting=stress, k=k)


def typical(team: str = TEAM, *, stress: bool = True, shift: float = 0.0) -> Digest:
    return digest([published(w, m + shift, stress=s, team=team) for w, m, s in zip(WEEKS, MOODS, STRESS)],
                  stress=stress)


def with_grey_weeks(*, stress: bool = True, k: int = 5) -> Digest:
    """W40-W41 before any data, W43 too few people, W46 overlapping another team."""
    weeks = [hidden(WEEKS[0], Suppressed.NO_DATA), hidden(WEEKS[1], Suppressed.NO_DATA),
             published(WEEKS[2], 30.0), hidden(WEEKS[3], Suppressed.TOO_FEW), published(WEEKS[4], 36.0),
             published(WEEKS[5], 28.0), hidden(WEEKS[6], Suppressed.OVERLAP), published(WEEKS[7], 31.0)]
    return digest(weeks, stress=stress, k=k)


def extremes(team: str = TEAM) -> Digest:
    moods = [100.0, -100.0, 100.0, -100.0, 95.0, -95.0, 0.0, 100.0]
    stress = [0.0, 1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0]
    return digest([published(w, m, stress=s, team=team, mood_ci=25.0, stress_ci=0.1)
                   for w, m, s in zip(WEEKS, moods, stress)])


LONG_NAME = "Infrastructure Reliability Engineering and Developer Experience (Berlin + Lisbon)"
DIGESTS = {
    "typical": typical(),
    "grey weeks": with_grey_weeks(),
    "grey weeks, k=12": with_grey_weeks(k=12),
    "stress off": typical(stress=False),
    "grey weeks, stress off": with_grey_weeks(stress=False),
    "long name": typical(LONG_NAME),
    "extremes": extremes(LONG_NAME),
}


def figure(d: Digest) -> Figure:
    fig = chart.chart_figure(d)
    assert fig is not None
    return fig


def panels(fig: Figure) -> list[Axes]:
    """The panels, top first."""
    return sorted(fig.axes, key=lambda ax: -ax.get_position().y0)


def visible_texts(fig: Figure) -> list[Text]:
    """Every piece of text a reader sees: titles, labels, tick labels, legends, grey labels."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()  # lays out ticks and legends
    found = [a for a in fig.findobj(Text) if isinstance(a, Text) and a.get_visible() and a.get_text().strip()]
    return list(dict.fromkeys(found))


def words(fig: Figure) -> str:
    return " ".join(text.get_text() for text in visible_texts(fig))


def png_pixels(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")


# -- Size, background, determinism -----------------------------------------------------------

def test_the_png_has_the_size_the_constants_state() -> None:
    width, height = chart.CHART_PIXELS
    assert (width, height) == (round(chart.CHART_SIZE[0] * chart.CHART_DPI), round(chart.CHART_SIZE[1] * chart.CHART_DPI))
    assert width <= 1000
    for d in DIGESTS.values():
        png = chart.chart_png(d)
        assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
        assert png_pixels(png).shape[:2] == (height, width)


def test_the_same_digest_gives_the_same_bytes_without_metadata() -> None:
    for name, d in DIGESTS.items():
        png = chart.chart_png(d)
        assert png is not None
        assert chart.chart_png(d) == png, name
        rebuilt = Digest(d.team, d.week, d.current, tuple(d.history), stress_reporting=d.stress_reporting, k=d.k)
        assert chart.chart_png(rebuilt) == png, name
        assert b"tIME" not in png and b"Software" not in png and b"matplotlib" not in png


def test_the_background_is_opaque_white_for_dark_themes() -> None:
    fig = figure(typical())
    assert fig.get_facecolor()[3] == 1.0
    png = chart.chart_png(typical())
    assert png is not None
    pixels = png_pixels(png)
    assert pixels.shape[2] == 3 or np.all(pixels[..., 3] == 1.0)  # no transparent pixel anywhere
    assert np.allclose(pixels[0, 0, :3], 1.0) and np.allclose(pixels[-1, -1, :3], 1.0)  # white corners
    for text in visible_texts(fig):  # dark text on it
        r, g, b, _ = matplotlib.colors.to_rgba(text.get_color())
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35, text.get_text()


def test_text_is_legible_when_a_phone_shows_the_chart_360_px_wide() -> None:
    for name, d in DIGESTS.items():
        fig = figure(d)
        width = fig.get_figwidth() * fig.dpi
        for text in visible_texts(fig):
            on_phone = text.get_fontsize() * fig.dpi / 72 * 360 / width
            assert on_phone >= 9 - 1e-9, (name, text.get_text(), on_phone)


def test_mood_and_stress_are_told_apart_without_colour() -> None:
    mood, stress = (ax.get_lines()[0] for ax in panels(figure(typical())))
    assert mood.get_marker() != stress.get_marker()
    assert mood.get_linestyle() != stress.get_linestyle()
    assert mood.get_color() != stress.get_color()


# -- Panels and scales ------------------------------------------------------------------------

def test_mood_has_the_same_fixed_scale_for_every_team() -> None:
    gloomy, cheerful = figure(typical("Gloomy", shift=-60.0)), figure(typical("Cheerful", shift=70.0))
    gloomy_mood, cheerful_mood = panels(gloomy)[0], panels(cheerful)[0]
    assert gloomy_mood.get_ylim() == cheerful_mood.get_ylim()
    low, high = gloomy_mood.get_ylim()
    assert low < -100 and high > 100  # the whole scale, with room for a marker at either end
    assert high - low < 240  # and not much more
    assert list(gloomy_mood.get_yticks()) == list(cheerful_mood.get_yticks()) == [-100, -50, 0, 50, 100]
    assert panels(gloomy)[1].get_ylim() == panels(cheerful)[1].get_ylim()
    s_low, s_high = panels(gloomy)[1].get_ylim()
    assert s_low < 0 and s_high > 100


def test_the_stress_panel_exists_only_when_stress_is_reported() -> None:
    on, off = figure(typical(stress=True)), figure(typical(stress=False))
    assert len(on.axes) == 2 and len(off.axes) == 1
    mood, stress = panels(on)
    assert mood.get_position().y0 > stress.get_position().y1  # stacked, mood on top
    assert mood.get_position().x0 == stress.get_position().x0  # x-aligned
    assert mood.get_position().x1 == stress.get_position().x1
    assert mood.get_shared_x_axes().joined(mood, stress)
    assert [t_.get_text() for t_ in mood.get_xticklabels() if t_.get_visible()] in ([], [""] * 8)
    assert mood.get_ylabel() == t.CHART_MOOD and stress.get_ylabel() == t.CHART_STRESS
    # Without stress the mood panel takes the space the two shared.
    alone = off.axes[0].get_position()
    assert alone.y0 <= stress.get_position().y0 and alone.y1 >= mood.get_position().y1


def test_each_panel_has_its_own_legend_for_line_and_band() -> None:
    mood, stress = panels(figure(typical()))
    for ax, label in ((mood, t.CHART_MOOD), (stress, t.CHART_STRESS)):
        legend = ax.get_legend()
        assert legend is not None
        assert [text.get_text() for text in legend.get_texts()] == [label, t.CHART_INTERVAL]
        assert ax.collections  # the band


def test_with_stress_reporting_off_nothing_mentions_stress() -> None:
    loud = extremes()  # its weeks carry stress figures, as all weeks here do
    quiet = Digest(loud.team, loud.week, loud.current, loud.history, stress_reporting=False)
    for d in (typical(stress=False), with_grey_weeks(stress=False), quiet):
        fig = figure(d)
        assert len(fig.axes) == 1
        assert "stress" not in words(fig).lower()
        assert "stress" not in chart.chart_title(d).lower()
        assert fig.axes[0].get_lines()[0].get_label() == t.CHART_MOOD
    assert "stress" in words(figure(typical())).lower()  # the check can see it when it is there


def test_weeks_are_labelled_as_the_digest_names_them() -> None:
    for d in (typical(), typical(stress=False), with_grey_weeks()):
        bottom = panels(figure(d))[-1]
        assert [label.get_text() for label in bottom.get_xticklabels()] == [week_tick(w) for w in WEEKS]
        assert bottom.get_xlabel() == t.CHART_WEEK
    assert week_tick(WEEKS[-1]) == "W47\n16 Nov"


def test_unpublished_weeks_are_gaps_even_if_they_carry_numbers() -> None:
    leaky = TeamWeek(TEAM, WEEKS[-2], Suppressed.OVERLAP, 3, 10, Estimate(-40.0, -50.0, -30.0),
                     stress=Estimate(0.9, 0.8, 1.0))
    d = digest([*(published(w, 10.0) for w in WEEKS[:-2]), leaky, published(WEEKS[-1], 12.0)])
    for ax, last in zip(panels(figure(d)), (12.0, 15.0)):
        y = [float(v) for v in ax.get_lines()[0].get_ydata()]
        assert math.isnan(y[-2]) and y[-1] == pytest.approx(last)


# -- Grey weeks -------------------------------------------------------------------------------

def grey_labels(fig: Figure) -> dict[float, str]:
    """The labels in grey weeks: x (in weeks) → text, line breaks read as spaces."""
    mood = panels(fig)[0]
    return {float(text.get_position()[0]): " ".join(text.get_text().split()) for text in mood.texts}


def test_grey_weeks_name_their_own_reason() -> None:
    # W40-W41 (0, 1) no data yet, W43 (3) too few, W46 (6) overlap: one label per run, centred on it.
    for stress in (True, False):
        fig = figure(with_grey_weeks(stress=stress))
        assert grey_labels(fig) == {0.5: "no data yet", 3.0: "fewer than 5 people", 6.0: "overlaps another team"}
    assert grey_labels(figure(with_grey_weeks(k=12)))[3.0] == "fewer than 12 people"
    assert grey_labels(figure(typical())) == {}


def test_grey_labels_sit_inside_their_grey_weeks() -> None:
    fig = figure(with_grey_weeks())
    renderer = FigureCanvasAgg(fig).get_renderer()
    mood = panels(fig)[0]
    to_pixels = mood.transData.transform
    axes_box = mood.get_window_extent(renderer)
    for text in mood.texts:
        x = float(text.get_position()[0])
        first, last = math.floor(x), math.ceil(x)
        left, right = to_pixels((first - 0.5, 0))[0], to_pixels((last + 0.5, 0))[0]
        box = text.get_window_extent(renderer)
        assert left <= box.x0 and box.x1 <= right, text.get_text()
        assert axes_box.y0 <= box.y0 and box.y1 <= axes_box.y1, text.get_text()
        assert not any(week.published for week in with_grey_weeks().history[first:last + 1])


# -- Layout -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(DIGESTS))
def test_no_two_texts_overlap_and_all_lie_inside_the_figure(name: str) -> None:
    fig = figure(DIGESTS[name])
    renderer = FigureCanvasAgg(fig).get_renderer()
    texts = visible_texts(fig)
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    assert len(boxes) >= 8 + 5 + 4  # week ticks, mood ticks, legend, title, labels
    width, height = fig.bbox.width, fig.bbox.height
    for label, box in boxes:
        assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height, (label, box)
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), (a, b)


def test_a_long_team_name_is_shortened_to_fit() -> None:
    fig = figure(typical(LONG_NAME))
    title = next(text for text in fig.texts if text.get_text().startswith("Infrastructure"))
    assert title.get_text().endswith("…") and len(title.get_text()) < len(LONG_NAME)
    renderer = FigureCanvasAgg(fig).get_renderer()
    assert title.get_window_extent(renderer).x1 <= fig.bbox.width


def test_extreme_values_stay_inside_the_axes_and_intervals_are_clipped() -> None:
    fig = figure(extremes())
    renderer = FigureCanvasAgg(fig).get_renderer()
    for ax, limits in zip(panels(fig), ((-100.0, 100.0), (0.0, 100.0))):
        line = ax.get_lines()[0]
        radius = line.get_markersize() / 2 * fig.dpi / 72
        box = ax.get_window_extent(renderer)
        for x, y in zip(line.get_xdata(), line.get_ydata()):
            px, py = ax.transData.transform((float(x), float(y)))
            assert box.y0 + radius <= py <= box.y1 - radius and box.x0 + radius <= px <= box.x1 - radius
        bars = next(c for c in ax.collections if isinstance(c, LineCollection))
        ys = [y for segment in bars.get_segments() for _, y in segment]
        assert min(ys) == limits[0] and max(ys) == limits[1]  # ±25 beyond the ends, clipped there
        band = [y for path in ax.collections[0].get_paths() for _, y in path.vertices]
        assert limits[0] <= min(band) and max(band) <= limits[1]


# -- No chart ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("reasons", "sentence"), [
    ([Suppressed.TOO_FEW] * 8,
     "No chart: in none of the last 8 weeks did at least 5 people write in this team's channels."),
    ([Suppressed.NO_DATA] * 8, "No chart yet: this team's channels have no data yet."),
    ([Suppressed.OVERLAP] * 8,
     "No chart: in each of the last 8 weeks this team's figures were held back, because its members differ "
     "from another team's by fewer than 5 people."),
    ([Suppressed.NO_DATA] * 3 + [Suppressed.TOO_FEW] * 4 + [Suppressed.OVERLAP],
     "No chart: none of the last 8 weeks could be published "
     "(3 with no data yet, 4 with fewer than 5 people, 1 overlapping another team)."),
    ([Suppressed.NO_DATA] * 6 + [Suppressed.TOO_FEW] * 2,
     "No chart: none of the last 8 weeks could be published (6 with no data yet, 2 with fewer than 5 people)."),
])
def test_a_team_hidden_in_every_week_gets_a_sentence_instead_of_a_chart(reasons: list[Suppressed],
                                                                        sentence: str) -> None:
    d = digest([hidden(w, r, team="$x$ team") for w, r in zip(WEEKS, reasons)])
    assert chart.no_chart(d) == sentence
    assert chart.chart_png(d) is None and chart.chart_figure(d) is None
    assert "stress" not in sentence.lower()


def test_a_team_with_one_published_week_gets_a_chart() -> None:
    d = digest([*(hidden(w, Suppressed.TOO_FEW) for w in WEEKS[:-1]), published(WEEKS[-1], 5.0)])
    assert chart.no_chart(d) is None
    png = chart.chart_png(d)
    assert png is not None and png.startswith(b"\x89PNG")


def test_the_title_says_what_the_chart_shows() -> None:
    assert chart.chart_title(typical()) == t.CHART_ALT_STRESS.format(team=TEAM, n=8)
    assert chart.chart_title(typical(stress=False)) == t.CHART_ALT.format(team=TEAM, n=8)


def test_importing_the_chart_module_does_not_import_matplotlib() -> None:
    code = "import sys, bot.digest_chart; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
