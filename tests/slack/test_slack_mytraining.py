"""``/mytraining`` on Slack, end to end through the real adapter (issue [mytraining]): the live
``serve()`` with a LearningDesk on a small catalog (``tests/learning_fake.py``), signed slash
commands, ``block_actions`` presses of the plan's and the quiz's buttons (on the ephemeral
message, replaced through its ``response_url``), and the setup modal (``views.open`` on the fake
Slack Web API, then a signed ``view_submission``)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote, urlencode

import pytest

from storage import connect
from storage import learning as learning_store

from bot import texts
from bot.mytraining import SETUP_ACTION
from bot.slack.app import LEARN_COMMAND
from bot.slack.render import from_markdown
from conftest import ALICE, BOB, CHANNEL, OTHER_CHANNEL, BotUnderTest, event_body, running_bot, signed_headers
from learning_fake import (
    QUIZ_ITEM, RIGHT_ANSWERS, ROLES, learning_rows, stored_profile, stored_progress, use_fake_learning,
)
from slack_fake import TEAM_ID

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_responses = iter(range(1, 1_000_000))


@pytest.fixture
async def learn_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotUnderTest]:
    use_fake_learning(monkeypatch)
    async with running_bot(tmp_path) as bot:
        yield bot


# -- helpers -------------------------------------------------------------------------------------


async def until(done: Callable[[], Any], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        await asyncio.sleep(0.01)


def command_body(bot: BotUnderTest, text: str, *, user: str = ALICE, channel: str = CHANNEL) -> str:
    return urlencode({
        "command": LEARN_COMMAND, "text": text, "user_id": user, "channel_id": channel, "team_id": TEAM_ID,
        "response_url": bot.fake.response_url("cmd"), "trigger_id": f"{time.monotonic_ns()}.123.abc",
    })


async def send(bot: BotUnderTest, body: str | bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers={**FORM, **headers}) as resp:
        raw = await resp.read()
        return resp.status, (json.loads(raw) if resp.content_type == "application/json" and raw else None)


async def learn(bot: BotUnderTest, text: str = "", *, user: str = ALICE, channel: str = CHANNEL) -> dict[str, Any]:
    """``/mytraining <text>``: the answer Slack shows (the command's response body)."""
    body = command_body(bot, text, user=user, channel=channel)
    status, answer = await send(bot, body, signed_headers(body))
    assert status == 200, text
    return answer or {}


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def values(message: dict[str, Any]) -> list[str]:
    return [b["value"] for b in buttons(message)]


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def press_payload(bot: BotUnderTest, value: str, *, user: str = ALICE, name: str | None = None) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it for a press on an ephemeral message."""
    return {
        "type": "block_actions", "api_app_id": "A0TEST", "token": "legacy",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
        "trigger_id": f"{time.monotonic_ns()}.1234567.0123abcdef",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL, "is_ephemeral": True},
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": bot.fake.response_url(name or f"learn-{next(_responses)}"),
        "actions": [{
            "type": "button", "action_id": f"learn:{value}", "block_id": "b1", "value": value,
            "text": {"type": "plain_text", "text": "a choice", "emoji": True}, "action_ts": f"{time.time():.6f}",
        }],
    }


def form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


async def press(bot: BotUnderTest, value: str, *, user: str = ALICE) -> dict[str, Any]:
    """Press the button carrying ``value``; the message that replaced the one pressed."""
    before = len(bot.fake.responses)
    body = form(press_payload(bot, value, user=user))
    status, _ = await send(bot, body, signed_headers(body))
    assert status == 200, value
    await until(lambda: len(bot.fake.responses) > before, "the pressed message replaced")
    [replaced] = bot.fake.responses[before:]
    assert replaced["replace_original"] is True and replaced["response_type"] == "ephemeral"
    return replaced


def submission(values: dict[str, dict[str, Any]], *, user: str = ALICE, channel: str = CHANNEL,
               callback: str = SETUP_ACTION) -> dict[str, Any]:
    """A ``view_submission`` of the setup modal as Slack sends it."""
    return {
        "type": "view_submission", "api_app_id": "A0TEST", "token": "legacy", "trigger_id": "t.1",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
        "view": {"id": "V0001", "team_id": TEAM_ID, "type": "modal", "callback_id": callback,
                 "private_metadata": channel, "state": {"values": values}, "hash": "1.abc"},
        "response_urls": [],
    }


def chosen(role: str | None, goal: str | None) -> dict[str, dict[str, Any]]:
    option = None if role is None else {"text": {"type": "plain_text", "text": role}, "value": role}
    return {"role": {"role": {"type": "static_select", "selected_option": option}},
            "goal": {"goal": {"type": "plain_text_input", "value": goal}}}


def person(bot: BotUnderTest, user: str = ALICE) -> str:
    return bot.runtime.pseudonymiser.author(TEAM_ID, user)


def database(bot: BotUnderTest) -> Any:
    return bot.runtime.config.settings.database


def nothing_public(bot: BotUnderTest) -> None:
    """Nothing was posted where others could read it."""
    assert bot.fake.messages == {} and not bot.fake.called("chat.postMessage") and not bot.fake.called("chat.update")


# -- the command -----------------------------------------------------------------------------------


async def test_the_plan_is_shown_only_to_the_asker_with_its_buttons(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    answer = await learn(bot)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == texts.LEARN_PLAN_TITLE
    assert answer["blocks"][0]["text"]["text"] == texts.LEARN_PLAN_TITLE
    assert values(answer) == [f"start:{QUIZ_ITEM}", f"done:{QUIZ_ITEM}", f"quiz:{QUIZ_ITEM}:",
                              "start:sql-basics", "done:sql-basics"]
    assert all(b["action_id"] == f"learn:{b['value']}" for b in buttons(answer))
    assert "Linux command line basics" in shown(answer) and "<https://learning.example.com/linux-basics|" in shown(answer)
    assert texts.LEARN_FOOTER.format(analysed=0).split("`")[0].strip() in shown(answer)
    assert (await learn(bot, "plan")) == answer
    nothing_public(bot)
    assert bot.fake.responses == []  # the answer is the command's own response


async def test_subcommands_store_under_the_askers_pseudonym_and_answer_privately(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    answer = await learn(bot, "role platform-engineer")
    assert answer == {"text": "Your role is now *platform-engineer*. Run `/mytraining` for your plan.",
                      "response_type": "ephemeral"}
    goal = await learn(bot, "goal containers with Bob Okonkwo &amp; mail bob@example.org")
    # the goal quoted back pseudonymised, escaped for Slack (a placeholder is no link, nothing pings)
    assert goal["response_type"] == "ephemeral"
    assert "`containers with &lt;person&gt; &amp; mail &lt;email&gt;`" in goal["text"]
    assert "Bob" not in goal["text"] and "bob@" not in goal["text"]
    profile = stored_profile(database(bot), person(bot))
    assert profile.role == "platform-engineer"
    assert profile.goal == "containers with <person> & mail <email>"
    started = await learn(bot, f"start {QUIZ_ITEM}")
    assert started["text"] == "Started *Linux command line basics*. `/mytraining done linux-basics` when you finish it."
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started"}
    assert "already" in (await learn(bot, f"start {QUIZ_ITEM}"))["text"]
    done = await learn(bot, "done sql-basics")
    assert done["text"].startswith("Well done: *SQL basics* is completed")
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started", "sql-basics": "completed"}
    assert stored_progress(database(bot), person(bot, BOB)) == {}  # nobody else's
    everything = json.dumps(learning_rows(database(bot)))
    assert ALICE not in everything and "Okonkwo" not in everything and "bob@example.org" not in everything
    # the plan now knows the role, the goal and the started item
    plan = await learn(bot)
    assert "For your role platform-engineer and your goal" in shown(plan)
    assert f"start:{QUIZ_ITEM}" not in values(plan)  # started already: no Start button
    nothing_public(bot)


async def test_bad_subcommands_and_unknown_ids_get_the_help_privately(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    helped = texts.LEARN_HELP.split("\n")[0].replace("**", "*")
    for text, expected in (
        ("frobnicate", "I don't know `frobnicate`."), ("help", helped),
        ("done no-such-item", "There is no item `no-such-item` in the catalog."),
        ("start", "Which item?"), ("quiz nope", "There is no item `nope`"),
        ("role astronaut", "There is no role `astronaut`. Roles: `platform-engineer`, `data-analyst`."),
        ("quiz sql-basics", "*SQL basics* has no quiz."),
    ):
        answer = await learn(bot, text)
        assert answer["response_type"] == "ephemeral" and expected in answer["text"], text
        assert "Traceback" not in answer["text"]
    assert helped in (await learn(bot, "frobnicate"))["text"]
    assert learning_rows(database(bot))["learning_items"] == []
    nothing_public(bot)


# -- buttons ---------------------------------------------------------------------------------------


async def test_start_and_done_replace_the_message_and_store_under_the_pressers_pseudonym(
    learn_bot: BotUnderTest,
) -> None:
    bot = learn_bot
    await learn(bot, "role platform-engineer")
    started = await press(bot, f"start:{QUIZ_ITEM}", user=BOB)
    assert stored_progress(database(bot), person(bot, BOB)) == {QUIZ_ITEM: "started"}
    assert stored_progress(database(bot), person(bot, ALICE)) == {}
    assert started["blocks"][0]["text"]["text"] == texts.LEARN_PLAN_TITLE  # the plan again, updated
    assert f"start:{QUIZ_ITEM}" not in values(started) and f"done:{QUIZ_ITEM}" in values(started)
    assert "started" in shown(started)
    done = await press(bot, f"done:{QUIZ_ITEM}", user=BOB)
    assert stored_progress(database(bot), person(bot, BOB)) == {QUIZ_ITEM: "completed"}
    assert QUIZ_ITEM not in " ".join(values(done))  # completed: out of the plan
    assert "done:k8s-fundamentals" in values(done)  # its prerequisite done, the next step comes in
    assert BOB not in json.dumps(learning_rows(database(bot)))
    nothing_public(bot)


async def test_a_quiz_goes_question_by_question_and_a_pass_completes_the_item(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    question = await press(bot, f"quiz:{QUIZ_ITEM}:")
    assert "Question 1 of 3: Which command lists files?" in shown(question)
    assert values(question) == [f"quiz:{QUIZ_ITEM}:{n}" for n in range(3)]
    answers = ""
    for n, right in enumerate(RIGHT_ANSWERS[:-1]):
        answers += right
        question = await press(bot, f"quiz:{QUIZ_ITEM}:{answers}")
        assert f"Question {n + 2} of 3" in shown(question)
        assert values(question) == [f"quiz:{QUIZ_ITEM}:{answers}{c}" for c in range(3)]
    assert learning_rows(database(bot))["quiz_results"] == []  # nothing stored before the last answer
    result = await press(bot, f"quiz:{QUIZ_ITEM}:{RIGHT_ANSWERS}")
    assert "You answered 3 of 3 correctly and passed" in shown(result) and buttons(result) == []
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "completed"}
    [attempt] = learning_rows(database(bot))["quiz_results"]
    assert (attempt["person"], attempt["correct"], attempt["total"], attempt["passed"]) == (person(bot), 3, 3, 1)
    # a failed attempt (one right of three) is recorded, and completes nothing more
    failed = await press(bot, f"quiz:{QUIZ_ITEM}:{'0' + '00'}", user=BOB)
    assert "You answered 1 of 3 correctly; 3 are needed to pass." in shown(failed)
    assert stored_progress(database(bot), person(bot, BOB)) == {}
    nothing_public(bot)


MALFORMED_VALUES = [
    "done:no-such-item", "start:", "explode:linux-basics", f"quiz:{QUIZ_ITEM}:0120",  # longer than the quiz
    f"quiz:{QUIZ_ITEM}:0a", f"quiz:{QUIZ_ITEM}:9", f"quiz:{QUIZ_ITEM}:-1", "quiz:sql-basics:", "quiz:nope:",
    "done:" + "x" * 200, "", "done:LINUX-BASICS",
]


def _malformed_payloads(bot: BotUnderTest) -> dict[str, bytes]:
    good = press_payload(bot, f"done:{QUIZ_ITEM}")

    def changed(**action: Any) -> bytes:
        payload = json.loads(json.dumps(good))
        payload["actions"][0].update(action)
        return ("payload=" + quote(json.dumps(payload))).encode()

    cases = {f"value {v!r}": changed(value=v, action_id=f"learn:{v}") for v in MALFORMED_VALUES}
    cases |= {
        "bad JSON": b"payload=%7Bnot+json",
        "value a number": changed(value=7),
        "value a list": changed(value=["done:linux-basics"]),
        "action_id not the value's": changed(action_id="learn:done:sql-basics"),
        "user an object": ("payload=" + quote(json.dumps({**good, "user": {"id": {"id": ALICE}}}))).encode(),
        "no response_url": ("payload=" + quote(json.dumps({k: v for k, v in good.items() if k != "response_url"}))).encode(),
    }
    return cases


async def test_malformed_presses_are_400_and_store_nothing(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    before = learning_rows(database(bot))
    for case, raw in _malformed_payloads(bot).items():
        status, _ = await send(bot, raw, signed_headers(raw.decode()))
        assert status == 400, case
        assert learning_rows(database(bot)) == before, case
    await asyncio.sleep(0.05)
    assert bot.fake.responses == []
    # still serving presses
    await press(bot, f"done:{QUIZ_ITEM}")
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "completed"}


async def test_forged_and_unsigned_requests_are_401_and_change_nothing(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    before = learning_rows(database(bot))
    bodies = [command_body(bot, "done linux-basics"), form(press_payload(bot, f"done:{QUIZ_ITEM}")),
              form(submission(chosen("platform-engineer", "Kubernetes")))]
    for body in bodies:
        assert (await send(bot, body, signed_headers(body, secret="not-the-secret")))[0] == 401
        assert (await send(bot, body, signed_headers(body, timestamp=int(time.time()) - 600)))[0] == 401
        assert (await send(bot, body, {}))[0] == 401
    assert learning_rows(database(bot)) == before
    await asyncio.sleep(0.05)
    assert bot.fake.responses == [] and bot.fake.views == [] and bot.fake.ephemeral == []


# -- the setup modal -------------------------------------------------------------------------------


async def test_setup_opens_a_modal_and_its_submission_is_stored_pseudonymised(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    await learn(bot, "role data-analyst")
    answer = await learn(bot, "setup")
    assert answer == {}  # the modal is the answer: nothing in the channel, not even ephemeral
    [opened] = bot.fake.called("views.open")
    assert opened["trigger_id"]
    [view] = bot.fake.views
    assert view["type"] == "modal" and view["callback_id"] == SETUP_ACTION and view["private_metadata"] == CHANNEL
    assert view["title"]["text"] == texts.LEARN_SETUP_TITLE and view["submit"]["text"] == texts.LEARN_SETUP_SUBMIT
    role, goal = view["blocks"]
    assert (role["block_id"], role["element"]["action_id"], role["element"]["type"]) == ("role", "role", "static_select")
    assert [o["value"] for o in role["element"]["options"]] == list(ROLES)
    assert role["element"]["initial_option"]["value"] == "data-analyst"  # what is stored now
    assert (goal["block_id"], goal["element"]["action_id"], goal["element"]["type"]) == ("goal", "goal", "plain_text_input")
    assert goal["element"]["max_length"] == 300 and "initial_value" not in goal["element"]
    assert role["optional"] is True and goal["optional"] is True

    said = "run Kubernetes like Alice Fernsby, ask alice@example.org"
    body = form(submission(chosen("platform-engineer", said)))
    status, closed = await send(bot, body, signed_headers(body))
    assert status == 200 and closed is None  # an empty ack closes the modal
    profile = stored_profile(database(bot), person(bot))
    assert profile.role == "platform-engineer" and profile.goal == "run Kubernetes like <person>, ask <email>"
    everything = json.dumps(learning_rows(database(bot)))
    assert "Fernsby" not in everything and "alice@example.org" not in everything
    await until(lambda: bot.fake.ephemeral, "the private answer")
    [told] = bot.fake.ephemeral
    assert (told["channel"], told["user"]) == (CHANNEL, ALICE)
    assert told["text"] == ("Saved: role *platform-engineer*, goal `run Kubernetes like &lt;person&gt;, ask &lt;email&gt;`. "
                            "Run `/mytraining` for your plan.")
    # opened again, the modal holds what is stored now
    await learn(bot, "setup")
    assert bot.fake.views[-1]["blocks"][1]["element"]["initial_value"] == "run Kubernetes like <person>, ask <email>"
    # emptied, both are removed
    body = form(submission(chosen(None, None)))
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    assert stored_profile(database(bot), person(bot)).goal is None
    assert stored_profile(database(bot), person(bot)).role is None
    nothing_public(bot)


async def test_the_setup_answer_goes_to_a_dm_where_the_app_cannot_post(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    bot.fake.private_channels.add(OTHER_CHANNEL)  # the app is not a member: no ephemeral message there
    body = form(submission(chosen("data-analyst", ""), channel=OTHER_CHANNEL))
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    await until(lambda: bot.fake.dms(ALICE), "the answer in a DM")
    [dm] = bot.fake.dms(ALICE)
    assert dm["text"].startswith("Saved: role *data-analyst*, goal none.")
    assert set(bot.fake.messages) == {"D" + ALICE}  # nowhere else


async def test_malformed_submissions_are_400_and_store_nothing(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    before = learning_rows(database(bot))
    good = submission(chosen("platform-engineer", "Kubernetes"))
    cases = {
        "a role that is none": submission(chosen("astronaut", "Kubernetes")),
        "a goal too long": submission(chosen(None, "x" * 301)),
        "a field that is none": submission({**chosen(None, "k"), "salary": {"salary": {"type": "plain_text_input",
                                                                                       "value": "1"}}}),
        "a value a number": submission({"goal": {"goal": {"type": "plain_text_input", "value": 5}}}),
        "block and action ids differ": submission({"goal": {"other": {"type": "plain_text_input", "value": "k"}}}),
        "another input type": submission({"goal": {"goal": {"type": "datepicker", "selected_date": "2024-01-01"}}}),
        "another modal": submission(chosen(None, "k"), callback="someone-elses"),
        "no channel": {**good, "view": {**good["view"], "private_metadata": ""}},
        "no user": {k: v for k, v in good.items() if k != "user"},
        "state not an object": {**good, "view": {**good["view"], "state": []}},
    }
    for case, payload in cases.items():
        body = form(payload)
        assert (await send(bot, body, signed_headers(body)))[0] == 400, case
    assert learning_rows(database(bot)) == before
    await asyncio.sleep(0.05)
    assert bot.fake.ephemeral == [] and bot.fake.messages == {}


# -- learning off, and /teamweather mydata ---------------------------------------------------------


async def test_with_learning_off_mytraining_says_so(tmp_path: Path) -> None:
    async with running_bot(tmp_path, settings={"learning": {"enabled": False}}) as bot:
        assert bot.runtime.learning is None
        answer = await learn(bot, "role platform-engineer")
        assert answer == {"text": "Learning plans are not enabled here (ask your Teamweather admin: `learning.enabled`).",
                          "response_type": "ephemeral"}
        body = form(press_payload(bot, f"done:{QUIZ_ITEM}"))
        assert (await send(bot, body, signed_headers(body)))[0] == 200
        await until(lambda: bot.fake.responses, "the private answer")
        assert bot.fake.responses[-1]["replace_original"] is False
        assert bot.fake.responses[-1]["text"] == answer["text"]
        assert bot.count("learning_profiles") == 0 and bot.count("learning_items") == 0
        nothing_public(bot)


async def test_mydata_is_answered_privately(learn_bot: BotUnderTest) -> None:
    status, answer = await learn_bot.command("mydata")
    assert status == 200 and answer["response_type"] == "ephemeral"
    assert "What Teamweather holds about you" in answer["text"] and "/mydata/" in answer["text"]
    nothing_public(learn_bot)


# -- failures, and Socket Mode ---------------------------------------------------------------------


async def test_failures_are_answered_privately_and_logged_by_type_only(
    learn_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    from domain.errors import StorageBusy
    from learning_fake import PLANNER

    bot = learn_bot
    desk = bot.runtime.learning
    assert desk is not None

    def busy(*args: Any) -> Any:
        raise StorageBusy("the database is locked")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("goal: Alice Fernsby wants Kubernetes")  # a message that quotes data

    with monkeypatch.context() as patched:
        patched.setattr(desk, "command", busy)
        assert await learn(bot) == {"text": from_markdown(texts.BUSY), "response_type": "ephemeral"}
    with monkeypatch.context() as patched:
        patched.setattr(PLANNER, "plan", boom)
        assert await learn(bot) == {"text": from_markdown(texts.INTERNAL_ERROR), "response_type": "ephemeral"}
        body = form(press_payload(bot, f"done:{QUIZ_ITEM}"))
        assert (await send(bot, body, signed_headers(body)))[0] == 200
        await until(lambda: bot.fake.responses, "the private answer")
        assert bot.fake.responses[-1]["text"] == from_markdown(texts.INTERNAL_ERROR)
        assert bot.fake.responses[-1]["replace_original"] is False  # the plan stays as it was
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ValueError" in logged and "Fernsby" not in logged and "Kubernetes" not in logged
    bot.fake.failing.add("views.open")  # Slack refuses the modal
    assert await learn(bot, "setup") == {"text": from_markdown(texts.INTERNAL_ERROR), "response_type": "ephemeral"}
    nothing_public(bot)


async def test_command_press_and_setup_over_socket_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_learning(monkeypatch)
    async with running_bot(tmp_path, app_token="xapp-test") as bot:
        ack = await bot.fake.push("slash_commands", {
            "command": LEARN_COMMAND, "text": "", "user_id": ALICE, "channel_id": CHANNEL, "team_id": TEAM_ID,
            "response_url": bot.fake.response_url(), "trigger_id": "t.socket",
        })
        assert ack["payload"]["response_type"] == "ephemeral"
        assert f"quiz:{QUIZ_ITEM}:" in values(ack["payload"])
        await bot.fake.push("interactive", press_payload(bot, f"start:{QUIZ_ITEM}"))
        assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started"}  # stored before the ack
        await until(lambda: bot.fake.responses, "the pressed message replaced")
        assert bot.fake.responses[-1]["replace_original"] is True
        await bot.fake.push("interactive", submission(chosen("data-analyst", "SQL")))
        assert stored_profile(database(bot), person(bot)).role == "data-analyst"
        await until(lambda: bot.fake.ephemeral, "the private answer")
        # a value the core refuses is not acked (Bolt acks only a 200), as a malformed review press
        with pytest.raises(AssertionError, match="no ack"):
            await bot.fake.push("interactive", press_payload(bot, "done:no-such-item"), timeout=0.5)
        assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started"}
        nothing_public(bot)


# -- the App Home ----------------------------------------------------------------------------------


def home_opened(user: str = ALICE, tab: str = "home") -> dict[str, Any]:
    """An ``app_home_opened`` event as Slack sends it when ``user`` opens a tab of the app."""
    return {"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": tab,
            "event_ts": f"{time.time():.6f}"}


def published(bot: BotUnderTest) -> list[dict[str, Any]]:
    return bot.fake.called("views.publish")


async def open_home(bot: BotUnderTest, user: str = ALICE) -> dict[str, Any]:
    """``user`` opens the Home tab: the view published for them."""
    before = len(published(bot))
    assert await bot.event(home_opened(user)) == 200
    await until(lambda: len(published(bot)) > before, "the App Home published")
    [call] = published(bot)[before:]
    assert call["user_id"] == user
    return bot.fake.homes[user]


def home_press_payload(bot: BotUnderTest, value: str, *, user: str = ALICE) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it for a press on the App Home: a view
    container, the home view, no channel and no response_url."""
    payload = press_payload(bot, value, user=user)
    del payload["response_url"], payload["channel"]
    payload["container"] = {"type": "view", "view_id": "VHOME00001"}
    payload["view"] = {"id": "VHOME00001", "team_id": TEAM_ID, "type": "home", "blocks": [], "private_metadata": "",
                       "callback_id": "", "state": {"values": {}}, "hash": "1.home", "app_id": "A0TEST"}
    return payload


async def press_home(bot: BotUnderTest, value: str, *, user: str = ALICE) -> dict[str, Any]:
    """Press the button carrying ``value`` on ``user``'s App Home: the home published again."""
    before = len(published(bot))
    body = form(home_press_payload(bot, value, user=user))
    status, _ = await send(bot, body, signed_headers(body))
    assert status == 200, value
    await until(lambda: len(published(bot)) > before, "the App Home published again")
    [call] = published(bot)[before:]
    assert call["user_id"] == user
    return bot.fake.homes[user]


async def test_the_app_home_shows_each_person_their_own_plan_with_its_buttons(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    await learn(bot, f"start {QUIZ_ITEM}", user=BOB)
    home = await open_home(bot)
    assert home["type"] == "home" and set(bot.fake.homes) == {ALICE}  # Alice's alone
    assert home["blocks"] == (await learn(bot))["blocks"]  # the plan, as /mytraining shows it
    assert home["blocks"][0]["text"]["text"] == texts.LEARN_PLAN_TITLE
    assert values(home) == [f"start:{QUIZ_ITEM}", f"done:{QUIZ_ITEM}", f"quiz:{QUIZ_ITEM}:",
                            "start:sql-basics", "done:sql-basics"]
    bobs = await open_home(bot, BOB)
    assert f"start:{QUIZ_ITEM}" not in values(bobs) and f"done:{QUIZ_ITEM}" in values(bobs)  # Bob's own progress
    assert bot.fake.homes[ALICE] == home
    # the Messages tab opened: nothing published
    calls = len(published(bot))
    assert await bot.event(home_opened(tab="messages")) == 200
    await asyncio.sleep(0.1)
    assert len(published(bot)) == calls
    assert bot.fake.responses == [] and bot.fake.ephemeral == []
    nothing_public(bot)


async def test_a_press_on_the_app_home_publishes_it_again_and_answers_nothing_else(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    await open_home(bot)
    started = await press_home(bot, f"start:{QUIZ_ITEM}")
    assert stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started"}
    assert stored_progress(database(bot), person(bot, BOB)) == {}
    assert started["blocks"][0]["text"]["text"] == texts.LEARN_PLAN_TITLE and "started" in shown(started)
    assert f"start:{QUIZ_ITEM}" not in values(started) and f"done:{QUIZ_ITEM}" in values(started)
    question = await press_home(bot, f"quiz:{QUIZ_ITEM}:")
    assert "Question 1 of 3" in shown(question) and values(question) == [f"quiz:{QUIZ_ITEM}:{n}" for n in range(3)]
    assert values(await press_home(bot, "plan")) == values(started)  # "Show my plan"
    assert bot.fake.responses == [] and bot.fake.views == []  # no response_url, no modal
    assert set(bot.fake.homes) == {ALICE}
    # a value that is none of ours, or a press on some other view: 400, nothing stored or published
    before, calls = learning_rows(database(bot)), len(published(bot))
    bad = [home_press_payload(bot, "done:no-such-item"), home_press_payload(bot, "explode")]
    other_view = home_press_payload(bot, f"done:{QUIZ_ITEM}")
    bad.append({**other_view, "view": {**other_view["view"], "type": "modal"}})
    for payload in bad:
        body = form(payload)
        assert (await send(bot, body, signed_headers(body)))[0] == 400
    await asyncio.sleep(0.05)
    assert learning_rows(database(bot)) == before and len(published(bot)) == calls
    nothing_public(bot)


async def test_setup_from_the_app_home_opens_the_modal_and_its_submission_updates_the_home(
    learn_bot: BotUnderTest,
) -> None:
    bot = learn_bot
    await open_home(bot)
    calls = len(published(bot))
    payload = home_press_payload(bot, "setup")
    body = form(payload)
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    await until(lambda: bot.fake.views, "the setup modal")
    [opened] = bot.fake.called("views.open")
    assert opened["trigger_id"] == payload["trigger_id"]  # the press's
    [view] = bot.fake.views
    assert view["callback_id"] == SETUP_ACTION and view["private_metadata"] == "home"
    assert [b["block_id"] for b in view["blocks"]] == ["role", "goal"]
    assert len(published(bot)) == calls  # the home stays as it is behind the modal
    submitted = submission(chosen("platform-engineer", "Kubernetes"), channel="home")
    body = form(submitted)
    status, closed = await send(bot, body, signed_headers(body))
    assert status == 200 and closed is None
    assert stored_profile(database(bot), person(bot)).role == "platform-engineer"
    await until(lambda: len(published(bot)) > calls, "the App Home published again")
    assert "For your role platform-engineer and your goal" in shown(bot.fake.homes[ALICE])
    assert bot.fake.ephemeral == [] and bot.fake.responses == []  # the home is the answer
    # "setup" pressed on a message opens the modal too, answered in that channel
    payload = press_payload(bot, "setup")
    body = form(payload)
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    await until(lambda: len(bot.fake.views) == 2, "the setup modal")
    assert bot.fake.views[-1]["private_metadata"] == CHANNEL
    assert bot.fake.called("views.open")[-1]["trigger_id"] == payload["trigger_id"]
    await asyncio.sleep(0.05)
    assert bot.fake.responses == []
    nothing_public(bot)


async def test_without_a_plan_yet_the_app_home_shows_the_welcome_and_why(
    learn_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = learn_bot
    desk = bot.runtime.learning
    assert desk is not None
    monkeypatch.setattr(desk, "ready", lambda: False)  # the planner still loading its encoder
    home = await open_home(bot)
    assert home["blocks"][0]["text"]["text"] == texts.LEARN_WELCOME_TITLE
    assert values(home) == ["plan", "setup"]
    assert home["blocks"][-1] == {"type": "section", "text": {"type": "mrkdwn", "text": from_markdown(texts.LEARN_WARMING)}}
    monkeypatch.setattr(desk, "ready", lambda: True)
    assert (await press_home(bot, "plan"))["blocks"][0]["text"]["text"] == texts.LEARN_PLAN_TITLE
    nothing_public(bot)


async def test_a_failure_on_the_app_home_shows_the_welcome_and_is_logged_by_type_only(
    learn_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    from learning_fake import PLANNER

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("goal: Alice Fernsby wants Kubernetes")  # a message that quotes data

    bot = learn_bot
    monkeypatch.setattr(PLANNER, "plan", boom)
    home = await open_home(bot)
    assert values(home) == ["plan", "setup"]
    assert home["blocks"][-1]["text"]["text"] == from_markdown(texts.INTERNAL_ERROR)
    failed = await press_home(bot, f"start:{QUIZ_ITEM}")  # stored, then the plan fails
    assert failed == home and stored_progress(database(bot), person(bot)) == {QUIZ_ITEM: "started"}
    bot.fake.failing.add("views.publish")  # Slack refuses the view: logged, nothing else
    assert await bot.event(home_opened()) == 200
    await until(lambda: any("App Home could not be published" in r.getMessage() for r in caplog.records),
                "the refused publish logged")
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ValueError" in logged and "internal_error" in logged
    assert "Fernsby" not in logged and "Kubernetes" not in logged
    nothing_public(bot)


async def test_with_learning_off_the_app_home_says_so(tmp_path: Path) -> None:
    async with running_bot(tmp_path, settings={"learning": {"enabled": False}}) as bot:
        off = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                        "text": from_markdown(texts.LEARN_OFF)}}]}
        assert await open_home(bot) == off
        assert await press_home(bot, "plan") == off  # an old home's button: still only that
        assert bot.fake.responses == [] and bot.fake.views == []
        assert bot.count("learning_profiles") == 0 and bot.count("learning_items") == 0
        nothing_public(bot)


async def test_a_forged_or_unsigned_app_home_opened_is_401(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    body = json.dumps(event_body(home_opened()))
    json_type = {"Content-Type": "application/json"}
    for headers in (signed_headers(body, secret="not-the-secret"), signed_headers(body, timestamp=int(time.time()) - 600), {}):
        async with bot.session.post(f"{bot.url}/slack/events", data=body, headers={**json_type, **headers}) as resp:
            assert resp.status == 401
    await asyncio.sleep(0.1)
    assert published(bot) == [] and bot.fake.homes == {}


async def test_a_press_delivered_again_is_409_and_records_nothing_more(learn_bot: BotUnderTest) -> None:
    bot = learn_bot
    await learn(bot)
    body = form(press_payload(bot, "quiz:linux-basics:000"))
    assert (await send(bot, body, signed_headers(body)))[0] == 200
    status, _ = await send(bot, body, signed_headers(body))  # the same request again
    assert status == 409
    db = connect(database(bot))
    try:
        assert len(learning_store.quiz_results(db, person(bot))) == 1
    finally:
        db.close()
