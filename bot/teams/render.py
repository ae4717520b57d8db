"""Teamweather's neutral messages as Microsoft Teams sees them: reports as Adaptive Cards,
replies as Teams message Markdown.

A report (``bot/report.py``) becomes one Adaptive Card (schema 1.5, the highest Teams renders):
the title as a large bold TextBlock; each section a Container (the alerts' with the
``attention`` style) holding its heading, its lines as TextBlocks and its figures as a FactSet;
the chart as an Image where the report has its :class:`~bot.report.Chart`; the footnote small
and subtle; a row of :class:`~bot.report.Buttons` an ActionSet of ``Action.Submit`` (after its
label as a bold TextBlock), each carrying ``{"teamweather": action, "value": value}`` as its
``data``, which Teams sends back as the ``value`` of a message activity when it is pressed
(``bot/teams/convert.py`` reads it). A :class:`~bot.report.Form` (:func:`form_card`) is a card
of inputs (Input.ChoiceSet, Input.Text) and one ``Action.Submit``, the inputs' values sent back
beside its data. Every TextBlock wraps. Chat messages leave folds out, as on
Slack.

Escaping. TextBlocks and fact values are Markdown (bold, italic, lists, links); every piece of
text from the report is escaped (:func:`escape`) so that a team name like ``**x**`` or
``[a](b)`` reads as itself: a backslash before each Markdown character, and before a list or
heading marker at the start of a block. Only :func:`bot.report.linkable` URLs become links. A
bare URL in a name may still be shown as a link by Teams itself (visibly, as its own text).

The chart goes into the card as a ``data:image/png;base64,…`` URI. Teams documents a bot
message limit that excludes base64 images (40 KB, now "about 100 KB", of UTF-16 JSON), and card
images up to 1024 × 1024 px and 1 MB; the demo's charts are 1000 × 720 px, 73–80 KB (98–107 KB
as base64). The card without its image is kept under :data:`MESSAGE_LIMIT` (28 KB, the
smallest limit Microsoft has published) by shortening sections; a chart over
:data:`IMAGE_LIMIT` is left out. ``bot/teams/courier.py`` handles a refusal.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from bot.texts import COMMAND, LEARN_COMMAND
from bot.report import (
    Button, Buttons, Chart, Figure, Footnote, Form, FormField, Inline, Line, Link, Report, Section, Span, linkable,
)

__all__ = ["ACTION_KEY", "CARD_CONTENT_TYPE", "CARD_VERSION", "IMAGE_LIMIT", "MESSAGE_LIMIT", "SECTION_LIMIT",
           "TITLE_LIMIT", "activity", "activity_of", "card", "chart_uri", "escape", "form_activity", "form_card",
           "message_size", "payload", "reply_text"]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
TITLE_LIMIT = 150
SECTION_LIMIT = 3000  # characters of one section's lines, as on Slack
MESSAGE_LIMIT = 28_000  # bytes of the message as UTF-16 JSON, its base64 chart not counted
IMAGE_LIMIT = 1_000_000  # bytes of PNG: Teams shows card images under 1 MB
_SHORTER = (SECTION_LIMIT, 2000, 1000, 500, 200)  # section sizes tried until the card fits
ACTION_KEY = "teamweather"  # an Action.Submit's data: {ACTION_KEY: button.action, "value": button.value}
_BUTTON_STYLES = {"danger": "destructive", "primary": "positive"}  # Adaptive Cards' names; else default

_MARKUP = re.compile(r"([\\*_\[\]`~])")
_LEADING_MARKER = re.compile(r"^(\s*)([-+#>]|\d+(?=[.)]))")
_URL_MARKUP = {"(": "%28", ")": "%29", "*": "%2A", "_": "%5F", "\\": "%5C", "[": "%5B", "]": "%5D", "`": "%60"}
_CODE = re.compile(r"(`[^`\n]*`)")
_ITALIC = re.compile(r"(?<![\w*])_(?=\S)(.+?)(?<=\S)_(?!\w)")


def escape(text: str) -> str:
    """``text`` as Markdown that shows it literally: each Markdown character after a backslash,
    line breaks as spaces (a line of its own could start a list)."""
    return _MARKUP.sub(r"\\\1", " ".join(text.splitlines()))


def _block_start(text: str) -> str:
    """Escaped text that starts a TextBlock: a list or heading marker at its start escaped too
    (``- x``, ``1. x``, ``# x``, ``> x``)."""
    return _LEADING_MARKER.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)),
                               text, count=1)


def _url(url: str) -> str:
    return "".join(_URL_MARKUP.get(c, c) for c in url)


def _emphasis(text: str, marker: str) -> str:
    """``text`` (escaped) between emphasis markers, with its outer spaces outside them (Markdown
    reads no emphasis in ``** x**``)."""
    core = text.strip()
    if not core:
        return text
    start = text[: len(text) - len(text.lstrip())]
    end = text[len(text.rstrip()):]
    return f"{start}{marker}{core}{marker}{end}"


def _inline(parts: tuple[Inline, ...]) -> str:
    out = ""
    for i, part in enumerate(parts):
        if isinstance(part, Link):
            title = escape(part.title)
            out += f"[{title}]({_url(part.url)})" if linkable(part.url) and title.strip() else (
                _block_start(title) if i == 0 else title)
            continue
        text = escape(part.text)
        if i == 0 and not (part.bold or part.italic):
            text = _block_start(text)
        if part.bold:
            text = _emphasis(text, "**")
        out += _emphasis(text, "_") if part.italic else text
    return out


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _line(line: Line) -> dict[str, Any]:
    text = _inline(line.parts)
    if line.style == "bullet":
        return _text(f"• {text}")
    return _text(text, isSubtle=True) if line.style == "note" else _text(text)


def _fact(figure: Figure) -> dict[str, str]:
    arrow = f" {escape(figure.arrow)}" if figure.arrow else ""
    detail = f" ({escape(figure.detail)})" if figure.detail else ""
    return {"title": _block_start(escape(figure.label)), "value": f"{_emphasis(escape(figure.value), '**')}{arrow}{detail}"}


def _row_chars(row: Line | Figure) -> int:
    if isinstance(row, Figure):
        return len(row.label) + len(row.value) + len(row.arrow) + len(row.detail) + 5
    return sum(len(p.text if isinstance(p, Span) else p.title) for p in row.parts) + 2


def _section(section: Section, limit: int) -> dict[str, Any]:
    """A Container: the heading, then the lines (whole lines dropped from the end, then an
    ellipsis, past ``limit`` characters), consecutive figures in one FactSet."""
    items: list[dict[str, Any]] = []
    if section.heading:
        heading = _block_start(escape(section.heading))
        items.append(_text(f"{section.icon} {heading}" if section.icon else heading, weight="Bolder"))
    size = 0
    for row in section.lines:
        size += _row_chars(row)
        if size > limit:
            items.append(_text("…"))
            break
        if isinstance(row, Figure):
            if items and items[-1]["type"] == "FactSet":
                items[-1]["facts"].append(_fact(row))
            else:
                items.append({"type": "FactSet", "facts": [_fact(row)]})
        else:
            items.append(_line(row))
    container: dict[str, Any] = {"type": "Container", "items": items or [_text(" ")], "spacing": "Medium"}
    if section.urgent:
        container["style"] = "attention"
    return container


def _submit(button: Button) -> dict[str, Any]:
    """A button as an ``Action.Submit`` (its title is plain text: Teams shows no Markdown there)."""
    action: dict[str, Any] = {"type": "Action.Submit", "title": button.label,
                              "data": {ACTION_KEY: button.action, "value": button.value}}
    if button.style in _BUTTON_STYLES:
        action["style"] = _BUTTON_STYLES[button.style]
    return action


def _buttons(row: Buttons) -> list[dict[str, Any]]:
    """A row of buttons: its label (a bold TextBlock, when it has one), then an ActionSet."""
    items: list[dict[str, Any]] = []
    if row.label:
        items.append(_text(_block_start(escape(row.label)), weight="Bolder", spacing="Medium"))
    items.append({"type": "ActionSet", "actions": [_submit(b) for b in row.buttons]})
    return items


def chart_uri(png: bytes) -> str:
    """The chart as a data URI, for an Adaptive Card's Image."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _image(png: bytes, alt: str) -> dict[str, Any]:
    return {"type": "Image", "url": chart_uri(png), "altText": alt, "size": "Stretch",
            "spacing": "Medium", "msteams": {"allowExpand": True}}


def _body(report: Report, image: dict[str, Any] | None, limit: int) -> list[dict[str, Any]]:
    title = report.title if len(report.title) <= TITLE_LIMIT else report.title[: TITLE_LIMIT - 1] + "…"
    body = [_text(_block_start(escape(title)), size="Large", weight="Bolder", style="heading")]
    for part in report.parts:
        if isinstance(part, Section):
            body.append(_section(part, limit))
        elif isinstance(part, Chart):
            if image is not None:
                body.append(image)
        elif isinstance(part, Footnote):
            text = part.text if len(part.text) <= limit else part.text[: limit - 1] + "…"
            body.append(_text(_block_start(escape(text)), size="Small", isSubtle=True, spacing="Medium"))
        elif isinstance(part, Buttons):
            body.extend(_buttons(part))
    if image is not None and report.chart is None:
        body.append(image)
    return body


def card(report: Report, chart_png: bytes | None = None, chart_title: str = "") -> dict[str, Any]:
    """The report as an Adaptive Card, within Teams' limits (sections shortened until the card
    without its chart fits :data:`MESSAGE_LIMIT`). ``chart_png`` goes as an Image at the report's
    :class:`Chart` (last if it has none), described by the Chart's ``alt`` or ``chart_title``;
    without it (or over :data:`IMAGE_LIMIT`) the chart's place is left out."""
    image = None
    if chart_png is not None and len(chart_png) <= IMAGE_LIMIT:
        alt = report.chart.alt if report.chart is not None and report.chart.alt else chart_title
        image = _image(chart_png, alt or report.title)
    content: dict[str, Any] = {}
    for limit in _SHORTER:
        content = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
                   "msteams": {"width": "Full"}, "body": _body(report, image, limit)}
        if message_size(activity_of(content, report.title)) <= MESSAGE_LIMIT:
            break
    return content


def activity_of(content: dict[str, Any], text: str) -> dict[str, Any]:
    """A message activity carrying the card ``content``; ``text`` (plain) is its notification
    text, also shown above the card (Teams on Android shows ``text`` where others show
    ``summary``)."""
    return {"type": "message", "text": text, "textFormat": "plain", "summary": text,
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}


def activity(report: Report, text: str, chart_png: bytes | None = None, chart_title: str = "") -> dict[str, Any]:
    """The message activity Teams is sent for ``report``, with its chart when given."""
    return activity_of(card(report, chart_png, chart_title), text)


def payload(report: Report, text: str) -> dict[str, Any]:
    """The message Teams is sent for ``report`` (without the chart): its notification ``text``
    and its Adaptive Card; what the demo's outbox and a preview show a reader."""
    return activity(report, text)


def _form_input(field: FormField) -> dict[str, Any] | None:
    """An input for ``field``, its ``id`` the field's name (so that Teams sends the value back
    under it, beside the submit's data): an Input.ChoiceSet (a drop-down) for a choice, an
    Input.Text for text; None for a choice without choices. Labels and choices are plain text."""
    element: dict[str, Any]
    if field.kind == "choice":
        if not field.choices:
            return None
        element = {"type": "Input.ChoiceSet", "id": field.name, "style": "compact",
                   "choices": [{"title": c.label, "value": c.value} for c in field.choices]}
        if field.value is not None and any(c.value == field.value for c in field.choices):
            element["value"] = field.value
    else:
        element = {"type": "Input.Text", "id": field.name, "maxLength": field.max_length}
        if field.value:
            element["value"] = field.value[: field.max_length]
    if field.placeholder:
        element["placeholder"] = field.placeholder
    return {**element, "label": field.label, "isRequired": not field.optional}


def form_card(form: Form) -> dict[str, Any]:
    """The form as an Adaptive Card: its title, an input per field, and an ``Action.Submit``
    whose ``data`` is ``{"teamweather": form.action}``; Teams sends that back as the ``value``
    of a message, the inputs' values merged into it by their ids."""
    title = form.title if len(form.title) <= TITLE_LIMIT else form.title[: TITLE_LIMIT - 1] + "…"
    body = [_text(_block_start(escape(title)), size="Large", weight="Bolder", style="heading")]
    body += [element for element in map(_form_input, form.fields) if element is not None]
    body.append({"type": "ActionSet", "actions": [
        {"type": "Action.Submit", "title": form.submit, "style": "positive", "data": {ACTION_KEY: form.action}}]})
    return {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}


def form_activity(form: Form) -> dict[str, Any]:
    """The message activity carrying the form's card (its title the notification text)."""
    return activity_of(form_card(form), form.title)


def message_size(message: dict[str, Any]) -> int:
    """Bytes of ``message`` as UTF-16 JSON, as Teams measures it, data URIs (base64 images,
    which Teams does not count) left out."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return len(re.sub(r'"data:image/[a-z]+;base64,[A-Za-z0-9+/=]*"', '""', text).encode("utf-16-le"))


def reply_text(text: str) -> str:
    """A reply in ``bot/texts.py``'s Markdown subset as Teams message Markdown (to send with
    ``textFormat: markdown``): ``**bold**`` and `` `code` `` are the same; ``_italic_`` becomes
    ``*italic*`` (the form Teams documents); "• " bullets and emoji stay; each line break is
    doubled, since Teams joins lines split by a single one. Code spans are left as they are,
    except that Slack's command syntax becomes what a Teams user types: `` `/teamweather pause` ``
    is `` `pause` `` (in the chat with Teamweather, where private answers go, or after an
    @mention), `` `/mytraining setup` `` is `` `mytraining setup` ``. Not escaped: replies are
    Teamweather's own sentences."""
    text = text.replace(f"`{COMMAND} ", "`").replace(f"`{LEARN_COMMAND}", f"`{LEARN_COMMAND.lstrip('/')}")
    pieces = _CODE.split(text)
    converted = "".join(piece if i % 2 else _ITALIC.sub(r"*\1*", piece) for i, piece in enumerate(pieces))
    return "\n\n".join(converted.splitlines())
