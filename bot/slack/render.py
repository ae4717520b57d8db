"""Teamweather's neutral messages as Slack sees them: reports as Block Kit, texts as mrkdwn.

A report (``bot/report.py``) becomes a header block (its title), one block per part (a
section, the chart's image, a context block for the footnote, an actions block of buttons
after its small label) within Slack's limits, every
piece of text escaped so that names and reasons cannot ping or link. Replies (``bot/texts.py``)
go from their Markdown subset to mrkdwn.
"""

from __future__ import annotations

import re
from typing import Any

from bot.report import Buttons, Chart, Figure, Footnote, Form, FormField, Inline, Line, Link, Report, Row, Section, linkable

__all__ = ["ACTIONS_LIMIT", "BUTTON_TEXT_LIMIT", "HEADER_LIMIT", "HOME_BLOCKS_LIMIT", "MODAL_TITLE_LIMIT",
           "SECTION_LIMIT", "action_id", "blocks", "escape", "from_markdown", "home", "modal", "payload"]

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
ACTIONS_LIMIT = 25  # elements in one actions block
BUTTON_TEXT_LIMIT = 75
MODAL_TITLE_LIMIT = 24  # a modal's title, submit and close texts
OPTIONS_LIMIT = 100  # options of one static_select
OPTION_TEXT_LIMIT = 75
PLACEHOLDER_LIMIT = 150
TEXT_INPUT_LIMIT = 3000  # a plain_text_input's max_length
HOME_BLOCKS_LIMIT = 100  # blocks in one view (the App Home)

# Slack's own codes for the emoji Teamweather writes, so that messages read as they always
# have; any other emoji goes as Unicode, which Slack shows too.
_EMOJI_CODES = {"⚠️": ":warning:", "💡": ":bulb:", "⛅": ":partly_sunny:", "🚫": ":no_entry_sign:"}
_EMOJI = re.compile("|".join(re.escape(e) for e in sorted(_EMOJI_CODES, key=len, reverse=True)))
_CODE = re.compile(r"(`[^`\n]*`)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def escape(text: str) -> str:
    """Slack's three control characters escaped, so names and reasons cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def emoji(text: str) -> str:
    """Teamweather's Unicode emoji as Slack's codes."""
    return _EMOJI.sub(lambda m: _EMOJI_CODES[m.group()], text)


def from_markdown(text: str) -> str:
    """A reply in ``bot/texts.py``'s Markdown subset as Slack mrkdwn: ``**bold**`` becomes
    ``*bold*``; ``_italic_``, `` `code` `` and "• " bullets are the same in both; emoji become
    Slack's codes. Code spans are left as they are (a command word the user typed is quoted in
    one). Not escaped: replies are Teamweather's own sentences, and the text of a command
    comes from Slack already escaped."""
    pieces = _CODE.split(text)
    return "".join(piece if i % 2 else emoji(_BOLD.sub(r"*\1*", piece)) for i, piece in enumerate(pieces))


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


def _inline(parts: tuple[Inline, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, Link):
            out += f"<{part.url}|{escape(part.title)}>" if linkable(part.url) else escape(part.title)
        else:
            text = escape(part.text)
            text = f"*{text}*" if part.bold else text
            out += f"_{text}_" if part.italic else text
    return out


def _row(row: Row) -> str:
    if isinstance(row, Figure):
        arrow = f" {escape(row.arrow)}" if row.arrow else ""
        return f"• *{escape(row.label)}* {escape(row.value)}{arrow} ({escape(row.detail)})"
    return _line(row)


def _line(line: Line) -> str:
    text = _inline(line.parts)
    if line.style == "bullet":
        return f"• {text}"
    return f"_{text}_" if line.style == "note" else text


def _section(section: Section) -> dict[str, Any]:
    lines = []
    if section.heading:
        heading = f"*{escape(section.heading)}*"
        lines.append(f"{emoji(section.icon)} {heading}" if section.icon else heading)
    lines += [_row(row) for row in section.lines]
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(lines)}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, HEADER_LIMIT), "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(escape(text), SECTION_LIMIT)}]}


def action_id(action: str, value: str) -> str:
    """A button's ``action_id``: the handler's name and the value it carries, so that it is
    unique in the message and the app routes it by prefix (``review:…``)."""
    return f"{action}:{value}"


def _buttons(part: Buttons) -> list[dict[str, Any]]:
    """A row of buttons as an actions block (its label as a context block before it); nothing
    for a row without buttons (Slack refuses an empty actions block)."""
    if not part.buttons:
        return []
    elements = []
    for button in part.buttons[:ACTIONS_LIMIT]:
        element: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": _cut(button.label, BUTTON_TEXT_LIMIT), "emoji": True},
            "action_id": action_id(button.action, button.value),
            "value": button.value,
        }
        if button.style != "default":
            element["style"] = button.style
        elements.append(element)
    out = [_context(part.label)] if part.label else []
    return [*out, {"type": "actions", "elements": elements}]


def blocks(report: Report, image: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The report as Block Kit blocks, within Slack's limits. ``image``, the chart's image
    block, goes at the report's :class:`Chart` (last if it has none); without it the chart's
    place is left out."""
    out = [_header(report.title)]
    for part in report.parts:
        if isinstance(part, Section):
            out.append(_section(part))
        elif isinstance(part, Chart):
            if image is not None:
                out.append(image)
        elif isinstance(part, Footnote):
            out.append(_context(part.text))
        elif isinstance(part, Buttons):
            out.extend(_buttons(part))
    if image is not None and report.chart is None:
        out.append(image)
    return out


def payload(report: Report, text: str) -> dict[str, Any]:
    """The message Slack is sent for ``report`` (without the chart): its notification
    ``text`` (plain, escaped here) and its blocks; what the demo's outbox shows a reader."""
    return {"text": escape(text), "blocks": blocks(report)}


def home(report: Report | None, note: str | None = None) -> dict[str, Any]:
    """The App Home view for ``views.publish``: ``report``'s blocks (with its buttons), then
    ``note``, a reply in ``bot/texts.py``'s Markdown (escaped: it may quote a person's words), as
    a section; within Slack's limit on a view's blocks."""
    out = blocks(report) if report is not None else []
    if note:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(from_markdown(escape(note)), SECTION_LIMIT)}})
    return {"type": "home", "blocks": out[:HOME_BLOCKS_LIMIT]}


# -- forms as modals ------------------------------------------------------------------------------

def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _input(field: FormField) -> dict[str, Any] | None:
    """An input block for ``field`` (its ``block_id`` and ``action_id`` both the field's name, so
    that a submission reads back as ``{name: value}``); None for a choice without choices
    (Slack refuses a static_select without options)."""
    element: dict[str, Any]
    if field.kind == "choice":
        options = [{"text": _plain(c.label, OPTION_TEXT_LIMIT), "value": c.value} for c in field.choices[:OPTIONS_LIMIT]]
        if not options:
            return None
        element = {"type": "static_select", "action_id": field.name, "options": options}
        chosen = [o for o, c in zip(options, field.choices) if field.value is not None and c.value == field.value]
        if chosen:
            element["initial_option"] = chosen[0]
    else:
        limit = min(field.max_length, TEXT_INPUT_LIMIT)
        element = {"type": "plain_text_input", "action_id": field.name, "max_length": limit}
        if field.value:
            element["initial_value"] = field.value[:limit]
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, PLACEHOLDER_LIMIT)
    return {"type": "input", "block_id": field.name, "optional": field.optional,
            "label": _plain(field.label, 2000), "element": element}


def modal(form: Form, private_metadata: str = "") -> dict[str, Any]:
    """The form as a modal view for ``views.open``: one input block per field (a static_select
    for a choice, with the current value as its initial option; a plain_text_input for text),
    its ``callback_id`` the form's action. ``private_metadata`` comes back with the submission."""
    inputs = [block for block in map(_input, form.fields) if block is not None]
    return {"type": "modal", "callback_id": form.action, "title": _plain(form.title, MODAL_TITLE_LIMIT),
            "submit": _plain(form.submit, MODAL_TITLE_LIMIT), "private_metadata": private_metadata, "blocks": inputs}
