"""A digest or alert as platform-neutral parts, which each platform renders its own way.

The core says *what* a message holds; the adapters say how it looks: ``bot/slack/render.py``
makes Block Kit, the Teams adapter an Adaptive Card, ``bot/digest_render.py`` the HTML preview,
and :func:`plain_lines` the plain text the demo prints. A report is a title and a sequence of
parts:

- :class:`Section`: an optional heading (with an icon, a Unicode emoji) and its lines, either
  :class:`Line` (text, a bullet or small print, made of :class:`Span` and :class:`Link`) or
  :class:`Figure` (one figure of the week: label, value, arrow, what it means);
- :class:`Chart`: where the chart image goes, when there is one;
- :class:`Footnote`: the note under the message (a Slack context block);
- :class:`Buttons`: a row of :class:`Button` the reader can press (the review actions); each
  names the ``action`` handler the adapter routes the press to and the ``value`` it carries.

All text is plain: no markup, nothing escaped. Each renderer escapes it for its platform, and
shows emphasis from the flags. A :class:`Fold` is what a fuller rendering (the HTML preview)
may show folded under a line or a section; chat messages leave it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Literal, Union

__all__ = ["Button", "Buttons", "Chart", "Choice", "Form", "FormField", "Figure", "Fold", "Footnote", "Inline", "Line", "Link", "Part", "Payload", "Report",
           "Row", "Section", "Span", "as_json", "from_json", "linkable", "plain_lines", "plain_text"]

_LINKABLE = re.compile(r"^https?://[^\s<>|\"']+$")


def linkable(url: str | None) -> bool:
    """Whether ``url`` may be shown as a link: http(s), and nothing a platform's link syntax
    would read as markup. Renderers show an unlinkable :class:`Link` as its title alone."""
    return bool(url) and _LINKABLE.match(url or "") is not None


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text, with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """A titled link; shown as its title alone where its URL is not :func:`linkable`."""

    title: str
    url: str


Inline = Union[Span, Link]


@dataclass(frozen=True, slots=True)
class Fold:
    """More about a line or section, for renderings with room for it (the HTML preview's
    ``<details>``): a summary to click and the text it opens."""

    summary: str
    text: str


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a section. ``style``: ``text`` a sentence, ``bullet`` an item of a list,
    ``note`` small print (what a figure means)."""

    parts: tuple[Inline, ...]
    style: Literal["text", "bullet", "note"] = "text"
    fold: Fold | None = None

    @staticmethod
    def of(text: str, style: Literal["text", "bullet", "note"] = "text", fold: Fold | None = None) -> Line:
        """A line of one plain span."""
        return Line((Span(text),), style, fold)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of the week: ``Mood`` ``+12`` ``▲`` ``+4 points since last week; 95% CI +5 to +19``.
    ``arrow`` is empty when there is nothing to compare with."""

    label: str
    value: str
    arrow: str
    detail: str


Row = Union[Line, Figure]


@dataclass(frozen=True, slots=True)
class Section:
    """A block of lines under an optional heading. ``urgent``: it needs the reader's attention
    (the alerts), which a renderer may show with colour; ``fold``: see :class:`Fold`."""

    lines: tuple[Row, ...]
    heading: str | None = None
    icon: str | None = None  # a Unicode emoji before the heading
    urgent: bool = False
    fold: Fold | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """Where the chart image goes; ``alt`` describes it."""

    alt: str


@dataclass(frozen=True, slots=True)
class Footnote:
    """The note closing a message. ``heading`` is for renderings with room for it (the HTML
    preview's footer); chat messages show the text alone."""

    text: str
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A choice to press: ``action`` names the handler (``"review"``), ``value`` what the press
    carries back (ids and a choice, never text); ``style`` ``danger`` for what cannot be undone."""

    label: str
    action: str
    value: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True, slots=True)
class Buttons:
    """A row of buttons, after an optional label ("Sentiment")."""

    buttons: tuple[Button, ...]
    label: str | None = None


Part = Union[Section, Chart, Footnote, Buttons]


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a :class:`FormField` of kind ``choice``."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class FormField:
    """An input of a :class:`Form`: a choice among ``choices`` or a line of text."""

    name: str
    label: str
    kind: Literal["choice", "text"]
    choices: tuple[Choice, ...] = ()
    value: str | None = None  # what it holds now
    placeholder: str | None = None
    max_length: int = 300
    optional: bool = True


@dataclass(frozen=True, slots=True)
class Form:
    """A small form (Slack: a modal; Teams: an Adaptive Card with inputs). Its submission
    comes back as ``{field name: value}`` to the handler named by ``action``."""

    title: str
    action: str
    submit: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A whole message: its title, then its parts in order."""

    title: str
    parts: tuple[Part, ...]

    @property
    def chart(self) -> Chart | None:
        return next((p for p in self.parts if isinstance(p, Chart)), None)


#: A platform's message for a report and its plain notification text, as the JSON it posts
#: (for Slack: ``{"text": …, "blocks": […]}``); what the demo's outbox and a preview may write.
Payload = Callable[[Report, str], dict[str, Any]]


# -- Plain text --------------------------------------------------------------------------------

def plain_text(parts: tuple[Inline, ...]) -> str:
    """A line's text without emphasis, links as their titles."""
    return "".join(p.text if isinstance(p, Span) else p.title for p in parts)


def plain_lines(report: Report, chart: str | None = None) -> list[str]:
    """The report as the plain lines a reader sees; ``chart`` is the line standing for the
    chart, at its place (left out when None)."""
    lines = [report.title]
    for part in report.parts:
        if isinstance(part, Section):
            if part.heading:
                lines.append(f"{part.icon} {part.heading}" if part.icon else part.heading)
            for row in part.lines:
                if isinstance(row, Figure):
                    arrow = f" {row.arrow}" if row.arrow else ""
                    lines.append(f"• {row.label} {row.value}{arrow} ({row.detail})")
                else:
                    lines.append(("• " if row.style == "bullet" else "") + plain_text(row.parts))
        elif isinstance(part, Chart):
            if chart is not None:
                lines.append(chart)
        elif isinstance(part, Buttons):
            choices = " ".join(f"[{b.label}]" for b in part.buttons)
            lines.append(f"{part.label}: {choices}" if part.label else choices)
        else:
            lines.append(part.text)
    return lines


# -- JSON --------------------------------------------------------------------------------------

def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON-able data (each part and span tagged with its ``type``)."""
    return {"title": report.title, "parts": [_part_json(p) for p in report.parts]}


def _fold_json(fold: Fold | None) -> dict[str, str] | None:
    return None if fold is None else {"summary": fold.summary, "text": fold.text}


def _inline_json(inline: Inline) -> dict[str, Any]:
    if isinstance(inline, Link):
        return {"type": "link", "title": inline.title, "url": inline.url}
    return {"type": "text", "text": inline.text, "bold": inline.bold, "italic": inline.italic}


def _row_json(row: Row) -> dict[str, Any]:
    if isinstance(row, Figure):
        return {"type": "figure", "label": row.label, "value": row.value, "arrow": row.arrow, "detail": row.detail}
    return {"type": "line", "style": row.style, "parts": [_inline_json(i) for i in row.parts],
            "fold": _fold_json(row.fold)}


def _part_json(part: Part) -> dict[str, Any]:
    if isinstance(part, Section):
        return {"type": "section", "heading": part.heading, "icon": part.icon, "urgent": part.urgent,
                "lines": [_row_json(r) for r in part.lines], "fold": _fold_json(part.fold)}
    if isinstance(part, Chart):
        return {"type": "chart", "alt": part.alt}
    if isinstance(part, Buttons):
        return {"type": "buttons", "label": part.label,
                "buttons": [{"label": b.label, "action": b.action, "value": b.value, "style": b.style}
                            for b in part.buttons]}
    return {"type": "footnote", "text": part.text, "heading": part.heading}


def from_json(data: dict[str, Any]) -> Report:
    """The report :func:`as_json` wrote; KeyError or ValueError if ``data`` is not one."""
    return Report(str(data["title"]), tuple(_part(p) for p in data["parts"]))


def _fold(data: dict[str, Any] | None) -> Fold | None:
    return None if data is None else Fold(str(data["summary"]), str(data["text"]))


def _inline(data: dict[str, Any]) -> Inline:
    if data["type"] == "link":
        return Link(str(data["title"]), str(data["url"]))
    if data["type"] == "text":
        return Span(str(data["text"]), bool(data["bold"]), bool(data["italic"]))
    raise ValueError(f"not a span or link: {data['type']!r}")


def _row(data: dict[str, Any]) -> Row:
    if data["type"] == "figure":
        return Figure(str(data["label"]), str(data["value"]), str(data["arrow"]), str(data["detail"]))
    if data["type"] == "line" and data["style"] in ("text", "bullet", "note"):
        return Line(tuple(_inline(i) for i in data["parts"]), data["style"], _fold(data["fold"]))
    raise ValueError(f"not a line or figure: {data['type']!r}")


def _part(data: dict[str, Any]) -> Part:
    kind = data["type"]
    if kind == "section":
        return Section(tuple(_row(r) for r in data["lines"]), data["heading"], data["icon"], bool(data["urgent"]),
                       _fold(data["fold"]))
    if kind == "chart":
        return Chart(str(data["alt"]))
    if kind == "footnote":
        return Footnote(str(data["text"]), data["heading"])
    if kind == "buttons":
        styles = ("default", "primary", "danger")
        buttons = []
        for b in data["buttons"]:
            if b["style"] not in styles:
                raise ValueError(f"not a button style: {b['style']!r}")
            buttons.append(Button(str(b["label"]), str(b["action"]), str(b["value"]), b["style"]))
        return Buttons(tuple(buttons), data["label"])
    raise ValueError(f"not a part of a report: {kind!r}")
