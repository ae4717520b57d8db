"""Slack ``rich_text`` blocks -> mrkdwn text, so every mention is read as markup.

Slack message events carry the message twice: as mrkdwn in ``text`` and as ``rich_text``
blocks. The blocks are the more faithful of the two (``text`` is a fallback that clients may
shorten), so :func:`rich_text_to_mrkdwn` renders them back into mrkdwn, which
:func:`bot.slack.markup.to_plain` then turns into the core's neutral text, as it does
``text``:

=====================  ==================================================================
element                rendered as
=====================  ==================================================================
``text``               its text, ``&``, ``<``, ``>`` escaped as Slack does; styles as
                       ``*bold*``, ``_italic_``, ``~strike~``, ```code```
``user``               ``<@U…>``
``channel``            ``<#C…>``
``usergroup``          ``<!subteam^S…>``
``broadcast``          ``<!here>``, ``<!channel>``, ``<!everyone>``
``link``               ``<url|text>``, or ``<url>`` without text
``emoji``              ``:name:`` (``:name::skin-tone-N:``); the unicode characters when
                       there is no name
``date``               ``<!date^timestamp^format|fallback>``
``color``              its value, such as ``#FF0000``
``team``, unknown      nothing
=====================  ==================================================================

Layout: a ``rich_text_section`` is a paragraph; every item of a ``rich_text_list`` is a line
("• item", or "1. item" for ordered lists, indented 4 spaces per level); every line of a
``rich_text_quote`` starts with "&gt; " (Slack's escaped quote marker); a
``rich_text_preformatted`` is wrapped in triple backticks. Malformed or unknown parts are
skipped, never raised on: the payload comes from outside.
"""

from __future__ import annotations

from typing import Any, Callable, Final

__all__ = ["rich_text_to_mrkdwn"]

_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_STYLE_MARKS: Final = (("code", "`"), ("strike", "~"), ("italic", "_"), ("bold", "*"))
_BROADCASTS: Final = frozenset(("here", "channel", "everyone"))
_INDENT: Final = "    "


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts in ``value`` when it is a list, else nothing."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _str(element: dict[str, Any], key: str) -> str:
    """A string field, "" when absent or not a string."""
    value = element.get(key)
    return value if isinstance(value, str) else ""


def _text(element: dict[str, Any]) -> str:
    text = _str(element, "text").translate(_ESCAPES)
    style = element.get("style")
    core = text.strip()
    if not core or not isinstance(style, dict):
        return text
    for key, mark in _STYLE_MARKS:
        if style.get(key) is True:
            core = f"{mark}{core}{mark}"
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{core}{trail}"


def _mention(sigil: str, key: str) -> Callable[[dict[str, Any]], str]:
    def render(element: dict[str, Any]) -> str:
        value = _str(element, key)
        return f"<{sigil}{value}>" if value else ""

    return render


def _broadcast(element: dict[str, Any]) -> str:
    scope = _str(element, "range")
    return f"<!{scope}>" if scope in _BROADCASTS else ""


def _link(element: dict[str, Any]) -> str:
    url = _str(element, "url").translate(_ESCAPES)
    label = _str(element, "text").translate(_ESCAPES)
    if not url:
        return label
    return f"<{url}|{label}>" if label else f"<{url}>"


def _emoji(element: dict[str, Any]) -> str:
    name = _str(element, "name")
    if name:
        tone = element.get("skin_tone")
        return f":{name}::skin-tone-{tone}:" if isinstance(tone, int) else f":{name}:"
    try:
        return "".join(chr(int(code, 16)) for code in _str(element, "unicode").split("-") if code)
    except (ValueError, OverflowError):
        return ""


def _date(element: dict[str, Any]) -> str:
    timestamp = element.get("timestamp")
    if not isinstance(timestamp, (int, str)) or not str(timestamp).isdigit():
        return _str(element, "fallback").translate(_ESCAPES)
    fmt = _str(element, "format") or "{date}"
    link = f"^{_str(element, 'url')}" if _str(element, "url") else ""
    fallback = _str(element, "fallback").translate(_ESCAPES)
    return f"<!date^{timestamp}^{fmt}{link}|{fallback}>"


def _nothing(element: dict[str, Any]) -> str:
    return ""


_INLINE: Final[dict[str, Callable[[dict[str, Any]], str]]] = {
    "text": _text,
    "user": _mention("@", "user_id"),
    "channel": _mention("#", "channel_id"),
    "usergroup": _mention("!subteam^", "usergroup_id"),
    "broadcast": _broadcast,
    "link": _link,
    "emoji": _emoji,
    "date": _date,
    "color": lambda element: _str(element, "value"),
}


def _inline(elements: Any) -> str:
    """Render a list of inline elements (the content of a section, quote or code block)."""
    return "".join(_INLINE.get(_str(e, "type"), _nothing)(e) for e in _dicts(elements))


def _list(element: dict[str, Any]) -> str:
    indent = element.get("indent")
    prefix = _INDENT * indent if isinstance(indent, int) and 0 < indent < 10 else ""
    offset = element.get("offset")
    first = offset + 1 if isinstance(offset, int) else 1
    ordered = element.get("style") == "ordered"
    lines = []
    for n, item in enumerate(_dicts(element.get("elements")), start=first):
        marker = f"{n}. " if ordered else "• "
        lines.append(f"{prefix}{marker}{_inline(item.get('elements'))}")
    return "\n".join(lines)


def _quote(element: dict[str, Any]) -> str:
    text = _inline(element.get("elements")).rstrip("\n")
    return "\n".join(f"&gt; {line}" for line in text.split("\n")) if text else ""


_BLOCK_ELEMENTS: Final[dict[str, Callable[[dict[str, Any]], str]]] = {
    "rich_text_section": lambda element: _inline(element.get("elements")),
    "rich_text_list": _list,
    "rich_text_quote": _quote,
    "rich_text_preformatted": lambda element: f"```{_inline(element.get('elements'))}```",
}


def rich_text_to_mrkdwn(blocks: list[dict[str, Any]] | None) -> str | None:
    """The mrkdwn text of the message's ``rich_text`` blocks; None when it has none."""
    rich = [block for block in _dicts(blocks) if block.get("type") == "rich_text"]
    if not rich:
        return None
    parts = []
    for block in rich:
        for element in _dicts(block.get("elements")):
            render = _BLOCK_ELEMENTS.get(_str(element, "type"))
            if render is not None:
                parts.append(render(element).rstrip("\n"))
    return "\n".join(part for part in parts if part)
