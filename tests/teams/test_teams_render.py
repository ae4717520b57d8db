"""Teamweather's neutral messages as Microsoft Teams sees them (bot/teams/render.py): reports as
Adaptive Cards, replies as Teams message Markdown.

(Named test_teams_render.py: tests/slack/test_render.py already holds the module name
test_render, and test folders are not packages.)
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterator

import pytest

from bot import digest_render
from bot import texts as t
from bot.report import Button, Buttons, Chart, Figure, Fold, Footnote, Line, Link, Report, Section, Span
from bot.teams import render
from domain.teamweek import Alert, Digest, Estimate, Suggestion, TeamWeek, previous_weeks

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 10
WEEKS = previous_weeks("2026-W47", 8)
HOSTILE = "**x** [a](b) _it_ `code` ~~s~~ \\ <at>y</at> &amp;"


def walk(element: Any) -> Iterator[dict[str, Any]]:
    """Every element of a card, depth first."""
    if isinstance(element, dict):
        yield element
        for key in ("body", "items"):
            for child in element.get(key, []):
                yield from walk(child)


def texts_of(card: dict[str, Any]) -> list[str]:
    """Every Markdown string of a card: TextBlocks' text, facts' titles and values."""
    out: list[str] = []
    for element in walk(card):
        if element["type"] == "TextBlock":
            out.append(element["text"])
        elif element["type"] == "FactSet":
            out += [text for fact in element["facts"] for text in (fact["title"], fact["value"])]
    return out


def unescape(markdown: str) -> str:
    """What a reader sees of escaped Markdown: each backslash-escaped character as itself."""
    return re.sub(r"\\(.)", r"\1", markdown)


def everything() -> Report:
    """A report with every kind of part, row and span."""
    return Report("Team weather for Platform, week 47", (
        Section((Line.of("Mood fell to −7."),), "Alerts", "⚠️", urgent=True),
        Section((Figure("Mood", "−7", "▼", "−15 points since last week"), Figure("Messages", "114", "", ""),
                 Line.of("Mood runs from −100 to +100.", "note")), "This week", fold=Fold("Details", "hidden")),
        Chart("Platform: the last 8 weeks"),
        Section((Line((Span("Talk it through. "), Link("Listening well", "https://learning.example.com/listen")),
                      "bullet", Fold("more", "folded away")),
                 Line((Span("bold", bold=True), Span(" and "), Span("italic", italic=True))),), "Suggestions", "💡"),
        Footnote("Team figures only.", "About these figures"),
    ))


# -- Structure -----------------------------------------------------------------------------------

def test_a_report_is_one_adaptive_card_in_a_message_activity() -> None:
    message = render.payload(everything(), "Platform, week 47: mood −7")
    assert message["type"] == "message" and message["text"] == "Platform, week 47: mood −7"
    assert message["textFormat"] == "plain" and message["summary"] == message["text"]
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["msteams"] == {"width": "Full"}
    json.dumps(message)
    blocks = [e for e in walk(card) if e["type"] == "TextBlock"]
    assert blocks and all(b["wrap"] is True for b in blocks)


def test_every_part_is_rendered_in_order_and_folds_are_left_out() -> None:
    body = render.card(everything(), PNG)["body"]
    assert [e["type"] for e in body] == ["TextBlock", "Container", "Container", "Image", "Container", "TextBlock"]
    title, alerts, week, image, suggestions, footnote = body
    assert title["text"] == "Team weather for Platform, week 47"
    assert (title["size"], title["weight"]) == ("Large", "Bolder")
    assert alerts["style"] == "attention" and alerts["items"][0] == {
        "type": "TextBlock", "text": "⚠️ Alerts", "wrap": True, "weight": "Bolder"}
    assert "style" not in week and "style" not in suggestions
    facts = week["items"][1]
    assert facts["type"] == "FactSet" and facts["facts"] == [
        {"title": "Mood", "value": "**−7** ▼ (−15 points since last week)"},
        {"title": "Messages", "value": "**114**"},
    ]
    assert week["items"][2] == {"type": "TextBlock", "text": "Mood runs from −100 to +100.", "wrap": True, "isSubtle": True}
    assert suggestions["items"][1]["text"] == "• Talk it through. [Listening well](https://learning.example.com/listen)"
    assert suggestions["items"][2]["text"] == "**bold** and _italic_"
    assert (footnote["text"], footnote["size"], footnote["isSubtle"]) == ("Team figures only.", "Small", True)
    shown = json.dumps(body, ensure_ascii=False)
    assert "hidden" not in shown and "folded away" not in shown and "About these figures" not in shown


def test_a_real_digest_renders_every_section_of_it() -> None:
    alert = Alert("Platform", WEEKS[-1], "mood_drop", "Mood fell to −7 from its usual +12.", -7.2, 12.0)
    digest = Digest("Platform", WEEKS[-1], week(WEEKS[-1], -7.2), history(), (alert,),
                    (Suggestion("Ask the team.", "Listening", "https://learning.example.com/l"),))
    report = digest_render.report(digest)
    card = render.card(report, digest_render.chart_png(digest), digest_render.chart_title(digest))
    seen = " ".join(unescape(re.sub(r"\[(.*?)\]\(https://[^)]*\)", r"\1", text)) for text in texts_of(card))
    for part in report.parts:
        if isinstance(part, Section):
            assert part.heading is None or part.heading in seen
            for row in part.lines:
                assert (row.label if isinstance(row, Figure) else "".join(
                    p.text if isinstance(p, Span) else p.title for p in row.parts)) in seen
        elif isinstance(part, Footnote):
            assert part.text in seen
    assert any(e["type"] == "Image" for e in walk(card))


# -- Escaping and links --------------------------------------------------------------------------

@pytest.mark.parametrize("name", [HOSTILE, "- a list", "+ a list", "* a list", "1. a list", "12) a list", "# heading",
                                  "> quote", "[a](https://evil.example.com)", "**x**", "_x_", "a\\*b"])
def test_names_and_reasons_cannot_inject_formatting_or_links(name: str) -> None:
    report = Report(name, (
        Section((Line.of(name), Line.of(name, "bullet"), Line((Span(name, bold=True),)),
                 Figure(name, name, "▲", name)), name, "⚠️", urgent=True),
        Section((Line((Link(name, "javascript:alert(1)"), Span(" "), Link(name, "https://ok.example.com/x"))),)),
        Footnote(name),
    ))
    card = render.card(report)
    real_link = f"[{render.escape(name)}](https://ok.example.com/x)"
    for text in texts_of(card):
        live = re.sub(r"\\.", "", text.replace(real_link, "LINK"))  # what Markdown would still read
        assert not set(live) & set("[]`~_"), text
        assert "*" not in live.replace("**", ""), text  # only the emphasis the report asks for
        assert not re.match(r"\s*([-+*#>]|\d+[.)])(\s|$)", text), text  # no list, heading or quote
    title = card["body"][0]["text"]
    assert unescape(title) == name
    line = card["body"][2]["items"][0]["text"]
    assert line.endswith(f" {real_link}") and unescape(line.removesuffix(f" {real_link}")) == name


def test_escaping_keeps_every_character_and_emphasis_only_where_the_report_asks() -> None:
    assert render.escape(HOSTILE) == "\\*\\*x\\*\\* \\[a\\](b) \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\\\ <at>y</at> &amp;"
    assert unescape(render.escape(HOSTILE)) == HOSTILE
    assert render.escape("two\nlines\r\nhere") == "two lines here"
    bold = render.card(Report("t", (Section((Line((Span(" padded ", bold=True), Span("x", italic=True))),)),)))
    assert bold["body"][1]["items"][0]["text"] == " **padded** _x_"


def test_only_linkable_urls_become_links_and_their_markup_is_encoded() -> None:
    line = Line((Link("Safe", "https://learning.example.com/a_(b)*c"), Span(" "), Link("Script", "javascript:alert(1)"),
                 Span(" "), Link("Mail", "mailto:x@example.com"), Span(" "), Link("", "https://example.com")))
    [text] = texts_of(render.card(Report("t", (Section((line,)),))))[1:]
    assert text == "[Safe](https://learning.example.com/a%5F%28b%29%2Ac) Script Mail "
    assert text.count("](") == 1


# -- The chart -----------------------------------------------------------------------------------

def test_the_chart_goes_at_its_place_as_a_data_uri_or_last_or_nowhere() -> None:
    body = render.card(everything(), PNG)["body"]
    [image] = [e for e in body if e["type"] == "Image"]
    assert body.index(image) == 3 and body[2]["items"][0]["text"] == "This week"
    assert image["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(image["url"].split(",", 1)[1]) == PNG
    assert image["altText"] == "Platform: the last 8 weeks" and image["msteams"] == {"allowExpand": True}
    assert render.card(everything())["body"] == [e for e in body if e is not image]
    no_place = Report("t", (Section((Line.of("x"),)), Footnote("f")))
    last = render.card(no_place, PNG, "the chart")["body"][-1]
    assert last["type"] == "Image" and last["altText"] == "the chart"
    assert all(e["type"] != "Image" for e in walk(render.card(everything(), b"x" * (render.IMAGE_LIMIT + 1))))


def test_the_payload_for_previews_has_no_chart() -> None:
    assert "data:image" not in json.dumps(render.payload(everything(), "text"))


# -- Buttons -------------------------------------------------------------------------------------

def test_buttons_become_an_action_set_of_submits_after_their_label() -> None:
    report = Report("Review request #7", (
        Section((Line.of("the text"),)),
        Buttons((Button("Negative", "review", "7:sentiment:negative"), Button("Go", "review", "7:x", "primary")),
                "Sentiment"),
        Buttons((Button("Delete", "review", "7:delete", "danger"),)),
        Footnote("small print"),
    ))
    body = render.card(report)["body"]
    assert [e["type"] for e in body] == ["TextBlock", "Container", "TextBlock", "ActionSet", "ActionSet", "TextBlock"]
    assert body[2] == {"type": "TextBlock", "text": "Sentiment", "wrap": True, "weight": "Bolder", "spacing": "Medium"}
    assert body[3]["actions"] == [
        {"type": "Action.Submit", "title": "Negative", "data": {"teamweather": "review", "value": "7:sentiment:negative"}},
        {"type": "Action.Submit", "title": "Go", "data": {"teamweather": "review", "value": "7:x"}, "style": "positive"},
    ]
    assert body[4]["actions"] == [{"type": "Action.Submit", "title": "Delete", "style": "destructive",
                                   "data": {"teamweather": "review", "value": "7:delete"}}]
    assert body[5]["text"] == "small print"


def test_a_button_label_is_escaped_and_a_title_stays_plain() -> None:
    body = render.card(Report("t", (Buttons((Button(HOSTILE, "review", "1:skip"),), "**x** [a](b)"),)))["body"]
    assert unescape(body[1]["text"]) == "**x** [a](b)" and body[1]["text"] != "**x** [a](b)"
    assert body[2]["actions"][0]["title"] == HOSTILE  # Teams shows an action's title as plain text


def test_the_review_post_renders_every_choice() -> None:
    import sqlite_utils

    from analyzers.pseudonymise import Pseudonymiser
    from bot.review import ReviewDesk
    from storage import review
    from storage.migrations import migrate

    db = sqlite_utils.Database(memory=True)
    migrate(db)
    flag = review.Flag(3, "k", "t", "a", "2026-05-01", "the <person> said **so**", "uncertain", {}, "neutral",
                       0.3, 0.4, 0.3, 0.5, "m:1", "review", 0.0, None, None, "open", None, None)
    desk = ReviewDesk(db, Pseudonymiser(b"k" * 32), reviewers=("msteams:bbbbbbbb-0000-4000-8000-000000000002",),
                      guidelines_url="https://teamweather.example.com/review/guidelines")
    card = render.card(desk.report(flag))
    actions = [a for e in walk(card) if e["type"] == "ActionSet" for a in e["actions"]]
    assert [a["data"]["value"] for a in actions] == [f"3:{c}" for c in t.REVIEW_CHOICES]
    assert [a["title"] for a in actions] == list(t.REVIEW_CHOICES.values())
    assert [a.get("style") for a in actions].count("destructive") == 1 and actions[-1]["style"] == "destructive"
    shown = texts_of(card)
    assert "[Labelling guidelines](https://teamweather.example.com/review/guidelines)" in " ".join(shown)
    assert any(unescape(text) == "_“the <person> said **so**”_" for text in shown)
    assert render.message_size(render.activity(desk.report(flag), "t")) <= render.MESSAGE_LIMIT


# -- Limits --------------------------------------------------------------------------------------

def week(name: str, mood: float, *, team: str = "Platform") -> TeamWeek:
    def share(x: float) -> Estimate:
        return Estimate(x, x - 0.09, x + 0.11)
    return TeamWeek(team, name, None, 11, 114, Estimate(mood, mood - 13, mood + 14), share(0.25), share(0.25),
                    share(0.2), None)


def history(team: str = "Platform") -> tuple[TeamWeek, ...]:
    return tuple(week(w, 12.0 + i % 3, team=team) for i, w in enumerate(WEEKS))


def test_a_digest_with_its_real_chart_fits_teams_limits() -> None:
    """The demo-like digest, its real 1000 × 720 chart inside: Teams counts the card without the
    base64 image (a few KB); the whole request stays far under the Bot Connector's 256 KB."""
    digest = Digest("Platform", WEEKS[-1], week(WEEKS[-1], -7.2), history(), (), ())
    png = digest_render.chart_png(digest)
    assert png is not None and len(png) <= render.IMAGE_LIMIT
    message = render.activity(digest_render.report(digest), digest_render.fallback_text(digest), png)
    assert render.message_size(message) < 10_000
    assert len(json.dumps(message).encode()) < 256 * 1024
    without = render.activity(digest_render.report(digest), digest_render.fallback_text(digest))
    assert 0 < render.message_size(message) - render.message_size(without) < 1000  # the Image, its data not counted


def test_an_oversized_report_is_shortened_to_fit() -> None:
    long_team = "T" * 300
    alerts = tuple(Alert(long_team, WEEKS[-1], "mood_drop", f"Reason {i}: " + "x" * 200, -1.0, 1.0) for i in range(40))
    lots = tuple(Suggestion("s" * 400, "t" * 100, "https://learning.example.com/x") for _ in range(20))
    digest = Digest(long_team, WEEKS[-1], week(WEEKS[-1], -1.0, team=long_team), (week(WEEKS[-1], -1.0, team=long_team),),
                    alerts, lots)
    report = digest_render.report(digest)
    message = render.activity(report, digest_render.fallback_text(digest), PNG)
    assert render.message_size(message) <= render.MESSAGE_LIMIT
    body = message["attachments"][0]["content"]["body"]
    assert len(body[0]["text"]) <= render.TITLE_LIMIT and body[0]["text"].endswith("…")
    assert any(item.get("text") == "…" for element in body for item in element.get("items", []))
    assert any(e["type"] == "Image" for e in body)
    huge = Report("t", tuple(Section(tuple(Line.of("y" * 2900) for _ in range(3)), f"S{i}") for i in range(12)))
    assert render.message_size(render.payload(huge, "t")) <= render.MESSAGE_LIMIT


def test_the_size_is_utf16_without_data_uris() -> None:
    assert render.message_size({"text": "ab"}) == len('{"text":"ab"}') * 2
    assert render.message_size({"url": render.chart_uri(PNG * 100)}) == len('{"url":""}') * 2


# -- Replies -------------------------------------------------------------------------------------

def test_replies_become_teams_markdown_with_their_line_breaks_kept() -> None:
    assert render.reply_text("**a b** and `_c_ **d**` and _e f_") == "**a b** and `_c_ **d**` and *e f*"
    assert render.reply_text("one\n• two\n• three") == "one\n\n• two\n\n• three"
    assert render.reply_text("forget_me stays, as do snake_case_words") == "forget_me stays, as do snake_case_words"
    assert render.reply_text("⚠️ 💡 ⛅ 🚫 🙂") == "⚠️ 💡 ⛅ 🚫 🙂"
    assert render.reply_text(t.HELP).startswith("**Teamweather** reports")
    assert render.reply_text(t.HELP).count("\n\n") == t.HELP.count("\n")


def test_every_reply_converts() -> None:
    for name in dir(t):
        value = getattr(t, name)
        if name.isupper() and isinstance(value, str):
            converted = render.reply_text(value)
            expected = "\n\n".join(value.splitlines()).replace("`/teamweather ", "`").replace("`/mytraining", "`mytraining")
            assert expected.replace("_", "").replace("*", "") == converted.replace("_", "").replace("*", ""), name


def test_replies_name_commands_as_a_teams_user_types_them() -> None:
    from bot import texts

    said = render.reply_text(texts.PAUSED)
    assert "`resume`" in said and "/teamweather" not in said
    assert "/teamweather" not in render.reply_text(texts.HELP)
    learning = render.reply_text(texts.LEARN_HELP)
    assert "`mytraining setup`" in learning and "`/mytraining" not in learning
