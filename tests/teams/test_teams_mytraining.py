"""``/mytraining`` on Teams, end to end through the real adapter (issue [mytraining]): the live
``serve()`` with Teams on and a LearningDesk on a small catalog (``tests/learning_fake.py``),
``mytraining …`` messages to the bot (in the personal chat, or with an @mention in a channel),
presses of the cards' ``Action.Submit`` buttons and the setup form's submission posted back as
Teams posts them (a ``message`` whose ``value`` is the button's data, the form's inputs merged
in, its ``replyToId`` the card), the answers landing in the fake Bot Connector."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any, AsyncIterator, NoReturn

import pytest

from storage import connect
from storage import learning as learning_store

from bot import texts
from bot.teams.render import reply_text
from conftest import (
    ADELE, APP_ID, BOT_ID, MEGAN, TEAMS_ADMIN, TEAMS_CHANNEL, TEAMS_IDS, TENANT, TeamsBotUnderTest, running_teams_bot,
)
from learning_fake import (
    QUIZ_ITEM, RIGHT_ANSWERS, ROLES, learning_rows, stored_profile, stored_progress, use_fake_learning,
)
from teams_fake import forged_jwt

_ids = itertools.count(int(time.time() * 1000) + 20_000)
BAD_PRESS = {"error": "not a Teamweather review action"}  # the endpoint's 400, whatever the card


@pytest.fixture
async def learn_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsBotUnderTest]:
    use_fake_learning(monkeypatch)
    async with running_teams_bot(tmp_path) as bot:
        yield bot


# -- helpers -------------------------------------------------------------------------------------


def next_id() -> str:
    return str(next(_ids))


def personal_chat(user: str) -> str:
    return f"a:1personal-{user}"  # where a personal-chat activity comes from (conftest.teams_activity)


def opened_chat(user: str) -> str:
    return f"a:1:1-{TEAMS_IDS[user]}"  # the 1:1 chat the fake connector opens


def database(bot: TeamsBotUnderTest) -> Any:
    return bot.runtime.config.settings.database


def person(bot: TeamsBotUnderTest, user: str = MEGAN) -> str:
    return bot.runtime.pseudonymiser.author(TENANT, user)


async def learn(bot: TeamsBotUnderTest, text: str = "", *, user: str = MEGAN, personal: bool = True,
                word: str = "mytraining") -> None:
    assert await bot.command(f"{word} {text}".strip(), user=user, personal=personal, activity_id=next_id()) == 200


def private(bot: TeamsBotUnderTest, user: str = MEGAN) -> list[tuple[str, dict[str, Any]]]:
    """(id, activity) of every new message the bot sent to ``user`` alone, in order (updates
    in place left out)."""
    chats = {personal_chat(user), opened_chat(user)}
    connector = bot.connector
    return [(connector.ids[n], activity)
            for n, ((kind, chat, _), (_, _, activity)) in enumerate(zip(connector.calls, connector.activities))
            if chat in chats and kind in ("send", "reply")]


def said_to(bot: TeamsBotUnderTest, user: str = MEGAN) -> list[str]:
    """The texts the bot sent ``user`` alone, in order."""
    return [str(activity.get("text") or "") for _, activity in private(bot, user)]


def last_private(bot: TeamsBotUnderTest, user: str = MEGAN) -> tuple[str, dict[str, Any]]:
    sent = private(bot, user)
    assert sent, "nothing was sent privately"
    return sent[-1]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def values(card: dict[str, Any]) -> list[str]:
    return [a["data"]["value"] for a in submits(card)]


def shown(activity: dict[str, Any]) -> str:
    return json.dumps(activity, ensure_ascii=False).replace("\\\\", "")


def in_channel(bot: TeamsBotUnderTest) -> list[dict[str, Any]]:
    """Everything sent where others in the channel would read it."""
    return [a for kind, conversation, a in bot.connector.activities if conversation.startswith(TEAMS_CHANNEL)]


def press_activity(bot: TeamsBotUnderTest, value: Any, *, card: str, user: str = MEGAN,
                   action: str = "learn") -> dict[str, Any]:
    """The activity Teams posts when ``user`` presses a /mytraining button on ``card`` in their
    personal chat with the bot."""
    data = {"teamweather": action, "value": value} if action == "learn" else value
    return bot.activity(user=user, channel=None, activity_id=next_id(), value=data, replyToId=card)


async def press(bot: TeamsBotUnderTest, value: str, *, card: str, user: str = MEGAN) -> dict[str, Any]:
    """Press the button carrying ``value``; the card put in place of ``card``."""
    before = len(bot.connector.sent(personal_chat(user), "update"))
    status, _ = await bot.post(press_activity(bot, value, card=card, user=user))
    assert status == 200, value
    updates = [(target, a) for (kind, conversation, target), (_, _, a) in zip(bot.connector.calls, bot.connector.activities)
               if kind == "update" and conversation == personal_chat(user)]
    assert len(updates) == before + 1, "the card was not updated in place"
    target, updated = updates[-1]
    assert target == card and updated["id"] == card
    return updated


async def plan_card(bot: TeamsBotUnderTest, user: str = MEGAN) -> tuple[str, dict[str, Any]]:
    await learn(bot, user=user)
    card_id, activity = last_private(bot, user)
    return card_id, card_of(activity)


# -- the command -----------------------------------------------------------------------------------


async def test_the_plan_is_a_card_in_the_personal_chat_with_its_buttons(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    _, card = await plan_card(bot)
    _, activity = last_private(bot)
    assert activity["text"] == texts.LEARN_PLAN_TITLE and activity["textFormat"] == "plain"
    assert card["body"][0]["text"] == texts.LEARN_PLAN_TITLE
    assert values(card) == [f"start:{QUIZ_ITEM}", f"done:{QUIZ_ITEM}", f"quiz:{QUIZ_ITEM}:",
                            "start:sql-basics", "done:sql-basics"]
    assert {a["data"]["teamweather"] for a in submits(card)} == {"learn"}
    assert all(a["type"] == "Action.Submit" for a in submits(card))
    assert "[Linux command line basics](https://learning.example.com/linux-basics)" in shown(card)
    # "/mytraining" as typed on Slack works the same
    await learn(bot, word="/mytraining")
    assert card_of(last_private(bot)[1]) == card
    assert in_channel(bot) == [] and bot.connector.conversations == []  # the personal chat it came from


async def test_in_a_channel_the_plan_goes_to_the_personal_chat_never_the_channel(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    await learn(bot, personal=False)
    [opened] = bot.connector.conversations  # a 1:1 chat with the asker
    assert [m["aadObjectId"] for m in opened["members"]] == [MEGAN]
    [(_, activity)] = bot.connector.sent_with_ids(opened_chat(MEGAN))
    assert values(card_of(activity))[:2] == [f"start:{QUIZ_ITEM}", f"done:{QUIZ_ITEM}"]
    await learn(bot, "role platform-engineer", personal=False)
    assert said_to(bot)[-1] == reply_text(texts.LEARN_ROLE_SET.format(role="platform-engineer"))
    assert in_channel(bot) == []


async def test_subcommands_store_under_the_askers_pseudonym_and_answer_privately(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    await learn(bot, "help", personal=False)  # from the team's channel: its roster is loaded too
    await learn(bot, "role platform-engineer")
    assert said_to(bot)[-1] == "Your role is now **platform-engineer**. Run `mytraining` for your plan."
    await learn(bot, "goal containers with Adele Vance, mail megan@contoso.example")
    assert "containers with <person>, mail <email>" in said_to(bot)[-1]
    profile = stored_profile(database(bot), person(bot))
    assert profile.role == "platform-engineer" and profile.goal == "containers with <person>, mail <email>"
    await learn(bot, f"start {QUIZ_ITEM}")
    assert said_to(bot)[-1] == reply_text(texts.LEARN_STARTED_OK.format(
        title="Linux command line basics", id=QUIZ_ITEM))
    await learn(bot, "done sql-basics")
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started", "sql-basics": "completed"}
    assert stored_progress(database(bot), person(bot, ADELE)) == {}
    everything = json.dumps(learning_rows(database(bot)))
    assert MEGAN not in everything and "Adele" not in everything and "megan@" not in everything
    _, card = await plan_card(bot)
    assert "For your role platform-engineer and your goal" in shown(card)
    assert f"start:{QUIZ_ITEM}" not in values(card)
    assert in_channel(bot) == []


async def test_bad_subcommands_and_unknown_ids_get_the_help_privately(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    for text, expected in (
        ("frobnicate", "I don't know `frobnicate`."), ("help", reply_text(texts.LEARN_HELP).split("\n")[0]),
        ("done no-such-item", "There is no item `no-such-item` in the catalog."),
        ("role astronaut", "There is no role `astronaut`."), ("quiz", "Which item?"),
    ):
        await learn(bot, text)
        said = said_to(bot)[-1]
        assert expected in said and "Traceback" not in said, text
    assert reply_text(texts.LEARN_HELP).split("\n")[0] in said_to(bot)[0]  # help after "I don't know"
    await learn(bot, "frobnicate", personal=False)
    assert "I don't know `frobnicate`." in said_to(bot)[-1]
    assert learning_rows(database(bot))["learning_items"] == [] and in_channel(bot) == []


# -- buttons ---------------------------------------------------------------------------------------


async def test_start_and_done_update_the_card_in_place_under_the_pressers_pseudonym(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    card_id, _ = await plan_card(bot, ADELE)
    started = card_of(await press(bot, f"start:{QUIZ_ITEM}", card=card_id, user=ADELE))
    assert stored_progress(database(bot), person(bot, ADELE)) == {QUIZ_ITEM: "started"}
    assert stored_progress(database(bot), person(bot, MEGAN)) == {}
    assert started["body"][0]["text"] == texts.LEARN_PLAN_TITLE and "started" in shown(started)
    assert f"start:{QUIZ_ITEM}" not in values(started) and f"done:{QUIZ_ITEM}" in values(started)
    done = card_of(await press(bot, f"done:{QUIZ_ITEM}", card=card_id, user=ADELE))
    assert stored_progress(database(bot), person(bot, ADELE)) == {QUIZ_ITEM: "completed"}
    assert "done:k8s-fundamentals" in values(done) and QUIZ_ITEM not in " ".join(values(done))
    assert ADELE not in json.dumps(learning_rows(database(bot)))
    assert len(private(bot, ADELE)) == 1 and in_channel(bot) == []  # updated, never sent again


async def test_a_quiz_goes_question_by_question_and_a_pass_completes_the_item(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    card_id, _ = await plan_card(bot)
    question = card_of(await press(bot, f"quiz:{QUIZ_ITEM}:", card=card_id))
    assert "Question 1 of 3: Which command lists files?" in shown(question)
    assert values(question) == [f"quiz:{QUIZ_ITEM}:{n}" for n in range(3)]
    answers = ""
    for n, right in enumerate(RIGHT_ANSWERS[:-1]):
        answers += right
        question = card_of(await press(bot, f"quiz:{QUIZ_ITEM}:{answers}", card=card_id))
        assert f"Question {n + 2} of 3" in shown(question)
    assert learning_rows(database(bot))["quiz_results"] == []
    result = card_of(await press(bot, f"quiz:{QUIZ_ITEM}:{RIGHT_ANSWERS}", card=card_id))
    assert "You answered 3 of 3 correctly and passed" in shown(result) and submits(result) == []
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "completed"}
    [attempt] = learning_rows(database(bot))["quiz_results"]
    assert (attempt["person"], attempt["correct"], attempt["total"], attempt["passed"]) == (person(bot), 3, 3, 1)


async def test_a_press_outside_the_personal_chat_is_answered_privately_not_in_place(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    activity = bot.activity(user=MEGAN, channel=TEAMS_CHANNEL, activity_id=next_id(), replyToId="1",
                            value={"teamweather": "learn", "value": f"done:{QUIZ_ITEM}"})
    assert (await bot.post(activity))[0] == 200
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "completed"}
    assert bot.connector.sent(kind="update") == [] and in_channel(bot) == []
    [(_, sent)] = bot.connector.sent_with_ids(opened_chat(MEGAN))
    assert card_of(sent)["body"][0]["text"] == texts.LEARN_PLAN_TITLE


def _malformed(bot: TeamsBotUnderTest, card: str) -> list[dict[str, Any]]:
    good = press_activity(bot, f"done:{QUIZ_ITEM}", card=card)
    bad_values: list[Any] = [
        "done:linux-basics", ["done:linux-basics"], 7, {}, {"teamweather": "learn"},
        {"teamweather": "learn", "value": 7}, {"teamweather": "learn", "value": ["done:linux-basics"]},
        {"teamweather": "learn", "value": "done:linux-basics", "extra": 1},
        {"teamweather": ["learn"], "value": "done:linux-basics"},
        *({"teamweather": "learn", "value": v} for v in (
            "done:no-such-item", "start:", "explode:linux-basics", f"quiz:{QUIZ_ITEM}:0120", f"quiz:{QUIZ_ITEM}:0a",
            f"quiz:{QUIZ_ITEM}:9", "quiz:sql-basics:", "quiz:nope:", "done:" + "x" * 150, "x" * 300, "")),
        {"teamweather": "learn-setup", "role": "astronaut"}, {"teamweather": "learn-setup", "goal": 5},
        {"teamweather": "learn-setup", "salary": "100"}, {"teamweather": "learn-setup", "goal": "x" * 301},
        {"teamweather": "learn-setup", "role": ["platform-engineer"]},
    ]
    return [*({**good, "value": v} for v in bad_values),
            {**good, "from": {"id": TEAMS_IDS[MEGAN]}}, {k: v for k, v in good.items() if k != "id"}]


async def test_malformed_presses_and_submissions_are_400_and_store_nothing(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    card_id, _ = await plan_card(bot)
    before, calls = learning_rows(database(bot)), len(bot.connector.calls)
    bodies = _malformed(bot, card_id)
    for body in bodies:
        assert await bot.post(body) == (400, BAD_PRESS), body["value"] if "value" in body else body
        assert learning_rows(database(bot)) == before
    assert len(bot.connector.calls) == calls  # nothing answered anywhere
    assert bot.runtime.metrics.snapshot()["msteams_malformed_presses"] == len(bodies)
    # a body that is not JSON cannot be read as a press: ignored (200) as every such body is, nothing stored
    assert (await bot.post("{not json"))[0] == 200 and learning_rows(database(bot)) == before
    # still serving presses
    await press(bot, f"done:{QUIZ_ITEM}", card=card_id)
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "completed"}


async def test_without_authentication_a_press_or_a_command_is_401(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botframework.connector.auth import jwt_token_extractor

    async def no_network(self: Any) -> NoReturn:
        raise AssertionError("fetched signing keys")

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", no_network)
    use_fake_learning(monkeypatch)
    async with running_teams_bot(tmp_path, authenticated=True) as bot:
        forged = forged_jwt({"iss": "https://api.botframework.com", "aud": APP_ID,
                             "serviceurl": bot.connector.url, "exp": int(time.time()) + 600})
        press_body = press_activity(bot, f"done:{QUIZ_ITEM}", card="act-1")
        command = bot.activity(text="mytraining done linux-basics", user=MEGAN, channel=None, activity_id=next_id())
        for body in (press_body, command):
            for headers in ({}, {"Authorization": "Bearer forged"}, {"Authorization": f"Bearer {forged}"}):
                assert (await bot.post(body, headers))[0] == 401
        assert bot.count("learning_items") == 0 and bot.connector.calls == []


# -- the setup form --------------------------------------------------------------------------------


async def test_setup_sends_a_card_with_inputs_and_its_submission_is_stored_pseudonymised(
    learn_bot: TeamsBotUnderTest,
) -> None:
    bot = learn_bot
    await learn(bot, "help", personal=False)  # the team's roster, so that names are known
    await learn(bot, "role data-analyst")
    await learn(bot, "setup")
    form_id, activity = last_private(bot)
    assert activity["text"] == texts.LEARN_SETUP_TITLE
    card = card_of(activity)
    role, goal = (e for e in card["body"] if e["type"].startswith("Input."))
    assert (role["type"], role["id"], role["label"]) == ("Input.ChoiceSet", "role", texts.LEARN_SETUP_ROLE)
    assert [c["value"] for c in role["choices"]] == list(ROLES) and role["value"] == "data-analyst"
    assert (goal["type"], goal["id"], goal["maxLength"]) == ("Input.Text", "goal", 300) and "value" not in goal
    assert role["isRequired"] is False and goal["isRequired"] is False
    [submit] = submits(card)
    assert submit == {"type": "Action.Submit", "title": texts.LEARN_SETUP_SUBMIT, "style": "positive",
                      "data": {"teamweather": "learn-setup"}}
    said = "run Kubernetes like Adele Vance, mail megan@contoso.example"
    submitted = bot.activity(user=MEGAN, channel=None, activity_id=next_id(), replyToId=form_id,
                             value={"teamweather": "learn-setup", "role": "platform-engineer", "goal": said})
    assert (await bot.post(submitted))[0] == 200
    profile = stored_profile(database(bot), person(bot))
    assert profile.role == "platform-engineer" and profile.goal == "run Kubernetes like <person>, mail <email>"
    everything = json.dumps(learning_rows(database(bot)))
    assert "Adele" not in everything and "megan@" not in everything
    assert said_to(bot)[-1] == reply_text(texts.LEARN_SETUP_SAVED.format(
        role="platform-engineer", goal="`run Kubernetes like <person>, mail <email>`"))
    # sent again, the form holds what is stored now; emptied, both go
    await learn(bot, "setup")
    goal = [e for e in card_of(last_private(bot)[1])["body"] if e.get("id") == "goal"][0]
    assert goal["value"] == "run Kubernetes like <person>, mail <email>"
    emptied = bot.activity(user=MEGAN, channel=None, activity_id=next_id(), replyToId=form_id,
                           value={"teamweather": "learn-setup", "role": "", "goal": ""})
    assert (await bot.post(emptied))[0] == 200
    assert stored_profile(database(bot), person(bot)).role is None
    assert stored_profile(database(bot), person(bot)).goal is None
    assert in_channel(bot) == []


# -- learning off, and mydata ----------------------------------------------------------------------


async def test_with_learning_off_mytraining_says_so(tmp_path: Path) -> None:
    async with running_teams_bot(tmp_path, settings={"learning": {"enabled": False}}) as bot:
        assert bot.runtime.learning is None
        await learn(bot, "role platform-engineer")
        await learn(bot, "help", personal=False)
        assert said_to(bot) == [reply_text(texts.LEARN_OFF)] * 2
        press_body = press_activity(bot, f"done:{QUIZ_ITEM}", card="act-1")
        assert (await bot.post(press_body))[0] == 200
        assert said_to(bot)[-1] == reply_text(texts.LEARN_OFF)
        assert bot.count("learning_profiles") == 0 and bot.count("learning_items") == 0
        assert in_channel(bot) == []


async def test_mydata_is_answered_privately_in_a_channel_and_in_the_personal_chat(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    assert await bot.command("mydata", user=TEAMS_ADMIN, activity_id=next_id()) == 200
    assert await bot.command("mydata", user=TEAMS_ADMIN, personal=True, activity_id=next_id()) == 200
    said = said_to(bot, TEAMS_ADMIN)
    assert len(said) == 2 and all("What Teamweather holds about you" in s and "/mydata/" in s for s in said)
    assert in_channel(bot) == []


async def test_failures_are_answered_privately_and_logged_by_type_only(
    learn_bot: TeamsBotUnderTest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    from domain.errors import StorageBusy
    from learning_fake import PLANNER

    bot = learn_bot
    desk = bot.runtime.learning
    assert desk is not None
    card_id, _ = await plan_card(bot)

    def busy(*args: Any) -> Any:
        raise StorageBusy("the database is locked")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("goal: Adele Vance wants Kubernetes")  # a message that quotes data

    with monkeypatch.context() as patched:
        patched.setattr(desk, "command", busy)
        await learn(bot, personal=False)
        assert said_to(bot)[-1] == reply_text(texts.BUSY)
    with monkeypatch.context() as patched:
        patched.setattr(PLANNER, "plan", boom)
        await learn(bot)
        assert said_to(bot)[-1] == reply_text(texts.INTERNAL_ERROR)
        assert (await bot.post(press_activity(bot, f"start:{QUIZ_ITEM}", card=card_id)))[0] == 200
        assert said_to(bot)[-1] == reply_text(texts.INTERNAL_ERROR)  # a new message: the card stays
        assert bot.connector.sent(kind="update") == []
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ValueError" in logged and "Adele" not in logged and "Kubernetes" not in logged
    assert in_channel(bot) == []


# -- the welcome card ------------------------------------------------------------------------------


def bot_added(bot: TeamsBotUnderTest, *, user: str = MEGAN, personal: bool = True) -> dict[str, Any]:
    """The ``conversationUpdate`` Teams sends when ``user`` adds the bot: to their personal chat,
    or to a team (in its channel)."""
    where: dict[str, Any] = {"channel": None} if personal else {}
    return bot.activity("conversationUpdate", user=user, activity_id=next_id(), membersAdded=[{"id": BOT_ID}], **where)


async def test_installed_in_a_personal_chat_the_bot_sends_the_welcome_card_there(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    assert (await bot.post(bot_added(bot)))[0] == 200
    [(card_id, activity)] = private(bot)
    assert [c for _, c, _ in bot.connector.calls] == [personal_chat(MEGAN)]  # that chat, nowhere else
    assert activity["text"] == texts.LEARN_WELCOME_TITLE
    card = card_of(activity)
    assert card["body"][0]["text"] == texts.LEARN_WELCOME_TITLE
    assert values(card) == ["plan", "setup"]
    assert [a["title"] for a in submits(card)] == [texts.LEARN_BUTTON_PLAN, texts.LEARN_BUTTON_SETUP]
    assert {a["data"]["teamweather"] for a in submits(card)} == {"learn"}
    # the installationUpdate Teams sends beside it sends nothing more
    install = bot.activity("installationUpdate", user=MEGAN, channel=None, action="add", activity_id=next_id())
    assert (await bot.post(install))[0] == 200
    assert len(private(bot)) == 1
    # "Show my plan" puts the plan in place of the welcome
    plan = card_of(await press(bot, "plan", card=card_id))
    assert plan["body"][0]["text"] == texts.LEARN_PLAN_TITLE
    assert values(plan)[:3] == [f"start:{QUIZ_ITEM}", f"done:{QUIZ_ITEM}", f"quiz:{QUIZ_ITEM}:"]
    assert len(private(bot)) == 1  # updated, not sent again
    # "Set role and goal" sends the setup form as a card of its own
    assert (await bot.post(press_activity(bot, "setup", card=card_id)))[0] == 200
    form_id, sent = last_private(bot)
    assert form_id != card_id and sent["text"] == texts.LEARN_SETUP_TITLE
    form = card_of(sent)
    assert [e["id"] for e in form["body"] if e["type"].startswith("Input.")] == ["role", "goal"]
    assert submits(form)[0]["data"] == {"teamweather": "learn-setup"}
    assert bot.connector.sent(kind="update")[-1]["id"] == card_id  # the plan card stays as it was
    assert learning_rows(database(bot))["learning_profiles"] == [] and in_channel(bot) == []


async def test_installed_in_a_team_no_welcome_card_goes_to_the_channel(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    assert (await bot.post(bot_added(bot, user=TEAMS_ADMIN, personal=False)))[0] == 200
    assert bot.connector.activities == [] and bot.connector.conversations == []  # nothing said anywhere
    assert bot.runtime.pseudonymiser.text("ask Adele") == "ask <person>"  # the team's roster loaded, as before


async def test_with_learning_off_no_welcome_card_is_sent(tmp_path: Path) -> None:
    async with running_teams_bot(tmp_path, settings={"learning": {"enabled": False}}) as bot:
        assert (await bot.post(bot_added(bot)))[0] == 200
        assert bot.connector.activities == [] and bot.connector.calls == []


async def test_a_welcome_card_that_cannot_be_sent_is_logged_and_counted(
    learn_bot: TeamsBotUnderTest, caplog: pytest.LogCaptureFixture,
) -> None:
    bot = learn_bot
    bot.connector.failing.update({"send", "reply"})
    bot.connector.failing_status = 400  # not retried
    assert (await bot.post(bot_added(bot)))[0] == 200
    assert bot.runtime.metrics.snapshot()["msteams_welcome_failed"] == 1
    assert any("could not send the /mytraining welcome card" in r.getMessage() for r in caplog.records)


async def test_a_press_delivered_again_is_409_and_records_nothing_more(learn_bot: TeamsBotUnderTest) -> None:
    bot = learn_bot
    card, _ = await plan_card(bot)
    activity = press_activity(bot, "quiz:linux-basics:000", card=card)
    assert (await bot.post(activity))[0] == 200
    assert (await bot.post(activity))[0] == 409  # the same activity again
    db = connect(database(bot))
    try:
        assert len(learning_store.quiz_results(db, person(bot))) == 1
    finally:
        db.close()
