"""Every sentence Teamweather says to a person, in one place, whatever the platform.

Replies are written in a small Markdown subset that Slack and Teams can both show once their
adapter has converted it: ``**bold**``, ``_italic_``, `` `code` ``, lines starting with "• " for
bullets, and Unicode emoji (never Slack's ``:codes:``). ``bot/slack/render.py`` turns it into
Slack mrkdwn. A command is written `` `/teamweather word` `` (:data:`COMMAND`), which is how Slack
users type it; the Teams adapter writes the word alone, as its users type it in the chat with
the bot. The digest's sentences are plain text: the digest's renderers add the emphasis.
"""

from __future__ import annotations

from typing import Final, Mapping

COMMAND: Final = "/teamweather"  # how replies name a command: `/teamweather pause`

PRODUCT = "Teamweather"

CHANNEL_NOTICE = (
    "⛅ **Teamweather is now on in this channel.**\n"
    "• What it collects: the tone of each message (positive, neutral or negative) and a "
    "stress likelihood, computed by a model running on our own server.\n"
    "• What it never stores: your words, your name or user id, or the exact time you wrote. "
    "Names, mentions, emails, links and numbers are stripped before anything is kept.\n"
    "• Who sees what: managers get weekly **team** figures only, and only when at least "
    "{k} people contributed. No one sees what you wrote or your own scores — except you.\n"
    "• Your controls: `/teamweather pause` stops collection from you, `resume` restarts it, "
    "`status` shows what is held about you, `forget-me` erases it."
)
CHANNEL_ALREADY_ENROLLED = "Teamweather is already on in this channel. Nothing changed."
CHANNEL_UNENROLLED = (
    "🚫 **Teamweather is now off in this channel.** New messages here are no longer "
    "analysed. Team figures already computed are kept under the usual retention rules."
)
CHANNEL_NOT_ENROLLED = "Teamweather is not on in this channel. Nothing changed."
JOIN_FAILED = (
    "I could not join this channel by myself (it may be private). "
    "Invite me with `/invite @Teamweather` so I can see its messages."
)
ADMINS_ONLY = "Only Teamweather admins can turn channels on or off. Ask your workspace admin."

PAUSED = (
    "Paused. Teamweather will not analyse your messages until you run `/teamweather resume`. "
    "What is already stored stays until you run `/teamweather forget-me`."
)
ALREADY_PAUSED = "You had already paused Teamweather. Run `/teamweather resume` to restart it."
RESUMED = "Resumed. Teamweather will analyse your new messages in enrolled channels again."
ALREADY_COLLECTING = "Teamweather is already analysing your messages in enrolled channels."
FORGOTTEN = (
    "Done. Erased {total} stored record(s) derived from your messages "
    "({scores} score(s), {pending} waiting to be scored, {flagged} held for review). Teamweather will not analyse your "
    "messages again unless you run `/teamweather resume`."
)

STATUS = (
    "**Your Teamweather status:** {state}\n"
    "• Stored about you: {scores} message score(s) — labels and numbers, no text.\n"
    "• Waiting to be scored: {pending}.\n"
    "• This channel: {channel_state}."
)
STATE_COLLECTING = "collecting (your messages in enrolled channels are analysed)"
STATE_PAUSED = "paused (run `/teamweather resume` to restart)"
STATE_FORGOTTEN = "forgotten (nothing is collected; run `/teamweather resume` to restart)"
CHANNEL_ON = "Teamweather is on"
CHANNEL_OFF = "Teamweather is off"

HELP = (
    "**Teamweather** reports a team's weekly mood to its managers without showing anyone what "
    "a single person wrote.\n"
    "`/teamweather status` — what is held about you\n"
    "`/teamweather pause` · `/teamweather resume` — stop or restart analysis of your messages\n"
    "`/teamweather forget-me` — erase everything derived from your messages\n"
    "`/teamweather mydata` — a file with everything stored about you, and what it means\n"
    "`/mytraining` — your personal learning plan (`/mytraining help` for more)\n"
    "`/teamweather optin` · `/teamweather optout` — admins: turn this channel on or off\n"
    "`/teamweather help` — this message"
)
UNKNOWN_COMMAND = "I don't know `{word}`.\n" + HELP

# Teams only (bot/teams/): commands are messages that mention the bot, and Teams has no
# replies only one person sees, so private answers go to the person's chat with the bot.
TEAMS_CHANNELS_ONLY = (
    "Teamweather is turned on or off in a team channel: mention me there, as "
    "`@Teamweather optin` or `@Teamweather optout`."
)
TEAMS_PRIVATE_REPLY_FAILED = (
    "I could not open a private chat with you to answer. Add the Teamweather app for yourself "
    "in Teams (Apps, then Teamweather) and write to me there."
)

INTERNAL_ERROR = "Sorry, something went wrong on our side. Nothing was changed; please try again."
BUSY = "Teamweather is busy right now and changed nothing. Please try again in a minute."


# -- Weekly digests and alerts (bot/digest_render.py) ----------------------------------------


TITLE = "Team weather for {team}, {week}"
WEEK_NAME = "week {number} ({days})"  # "week 47 (16–22 Nov 2026)": bot/week_names.py
WEEK_SHORT = "W{number}"

THIS_WEEK = "This week"
MOOD = "Mood"
NEGATIVE = "Negative messages"
STRESS = "Stress index"
CONTRIBUTORS = "People who wrote"
MESSAGES = "Messages"

CHANGE = "{change} since last week"  # "−1 point since last week", "+3 since last week"
NO_CHANGE = "no change since last week"
NO_COMPARISON = "no published figures from last week to compare"
INTERVAL = "95% CI {low} to {high}"
SCALE_MOOD = "Mood runs from −100 (every message negative) to +100 (every message positive)."
SCALE_STRESS = (
    "Stress index: the model's average likelihood that a message shows stress, from 0% to 100%."
)
#: Only in the HTML preview's details: the digest shows one stress figure, the index.
STRESSED_DETAIL = (
    "Stressed messages (a stress likelihood of {threshold} or more): {value}, {interval}."
)
DETAILS = "Details"

ARROW_UP: Final = "▲"
ARROW_DOWN: Final = "▼"
ARROW_FLAT: Final = "→"

SUPPRESSED_NO_DATA = (
    "This team's channels have no analysed messages yet, so there are no figures this week."
)
SUPPRESSED_TOO_FEW = (
    "Fewer than {k} people wrote in this team's channels this week, so no figures are shown."
)
SUPPRESSED_OVERLAP = (
    "This team's members overlap so much with another team's (the two differ by fewer than "
    "{k} people) that showing both teams' figures could reveal individuals, so no figures "
    "are shown this week."
)

ALERT = "Alert"
ALERTS = "Alerts"
ICON_ALERT = "⚠️"  # before the alerts' heading
SUGGESTIONS = "Suggestions"
ICON_SUGGESTIONS = "💡"
ABOUT = "About these figures"
PRIVACY = (
    "Team figures only, and only when at least {k} people wrote; everyone counts once, "
    "however much they write. No one's messages or individual scores are shown to anyone."
)
PRIVACY_NOISE = "A little random noise is added to every figure for extra protection."

FALLBACK = "Team weather for {team}, week of {week}: {summary}"
FALLBACK_MOOD = "mood {value}"
FALLBACK_MOOD_CHANGE = "mood {value} {arrow} ({change})"
FALLBACK_NO_DATA = "no figures yet (no analysed messages in the team's channels)."
FALLBACK_TOO_FEW = "no figures this week (fewer than {k} people wrote)."
FALLBACK_OVERLAP = "no figures this week (held back to keep individuals anonymous)."
FALLBACK_ALERTS = "Alerts: {names}."
ALERT_NAMES: Final[Mapping[str, str]] = {
    "mood_drop": "mood drop",
    "stress_rise": "stress rise",
    "decline": "declining mood",
}

ALERT_TITLE = "Team weather alert for {team}, {week}"
ALERT_FALLBACK = "Team weather alert for {team}, {week}: {names}."
#: The alert reaches each person once: managers read it at the top of their digest, and
#: only alert recipients who get no digest (HR) get this separate message, which says so.
ALERT_MORE = (
    "The team's managers read this alert at the top of their weekly digest, with this week's "
    "figures and the chart of recent weeks."
)
ALERT_STATISTICS = "How this was decided"
#: In the digests after an alert, instead of repeating it.
ALERT_FOLLOW_UP = "Since the {name} alert of week {week}: {figure} was {then} then, {now} now."

CHART_TITLE = "{team}: the last {n} weeks"
CHART_MOOD = "Mood"
CHART_STRESS = "Stress index"
CHART_INTERVAL = "95% interval"
CHART_WEEK = "Week"
CHART_NO_DATA = "no data yet"  # inside a grey (unpublished) week of the chart
CHART_TOO_FEW = "fewer than {k} people"
CHART_OVERLAP = "overlaps another team"
CHART_ALT = "{team}: mood over the last {n} weeks, with 95% intervals"
CHART_ALT_STRESS = "{team}: mood and stress index over the last {n} weeks, with 95% intervals"
# Instead of a chart, when no week shown was published:
CHART_NONE_NO_DATA = "No chart yet: this team's channels have no data yet."
CHART_NONE_TOO_FEW = "No chart: in none of the last {n} weeks did at least {k} people write in this team's channels."
CHART_NONE_OVERLAP = ("No chart: in each of the last {n} weeks this team's figures were held back, because its "
                      "members differ from another team's by fewer than {k} people.")
CHART_NONE_MIXED = "No chart: none of the last {n} weeks could be published ({reasons})."
CHART_NONE_PART_NO_DATA = "{count} with no data yet"
CHART_NONE_PART_TOO_FEW = "{count} with fewer than {k} people"
CHART_NONE_PART_OVERLAP = "{count} overlapping another team"


# -- The app removed from a workspace (bot/lifecycle.py, teamweather purge) ------------------

REMOVAL_REASONS: Final[Mapping[str, str]] = {
    "app_uninstalled": "the app was uninstalled",
    "tokens_revoked": "its bot token was revoked",
}
WORKSPACE_REMOVED_NOTICE = (
    "Teamweather was removed from Slack workspace {workspace} on {date} ({reason}): nothing is "
    "collected there any more and its channels were turned off. {purge} "
    "To purge it now: teamweather purge --workspace {workspace}"
)
WORKSPACE_PURGE_AFTER = (
    "Its stored data will be purged by the first daily retention run after {when} "
    "(privacy.uninstall_grace_days: {grace})."
)
WORKSPACE_PURGE_DUE = (
    "Its stored data is past privacy.uninstall_grace_days ({grace}) and will be purged by the "
    "next daily retention run."
)
PURGE_UNKNOWN_WORKSPACE = (
    "nothing is stored about workspace {workspace} in {database} (no removal recorded and no "
    "data); check the id (T…, from the Slack workspace's URL or `teamweather check`)"
)
PURGE_STILL_INSTALLED = (
    "Teamweather has not been told that it was removed from workspace {workspace}: purging also "
    "turns off its enrolled channels there."
)
PURGE_CONFIRM = "Erase everything Teamweather stored from workspace {workspace} ({counts})? This cannot be undone."
PURGE_DONE = "Purged workspace {workspace}: {counts}."


# -- The Microsoft Teams app package (bot/teams/package.py, teamweather teams-package) -------

TEAMS_APP_NAME_FULL = "{name}: weekly team mood"
TEAMS_APP_SHORT = "Weekly team mood for managers, without exposing anyone."
TEAMS_APP_FULL = (
    "Teamweather reports a team's weekly mood to its managers without showing anyone what a "
    "single person wrote. In the channels a Teamweather admin turns on, it reads the tone of each "
    "message and a stress likelihood, computed on your organisation's own server; it never "
    "stores your words, your name or the exact time you wrote. Managers get team figures only, "
    "and only when enough people contributed. Each person can pause analysis of their messages, "
    "see what is held about them, and erase it, in their chat with Teamweather."
)
#: The bot's command list, as Teams suggests it: the personal chat's commands, then a channel's.
TEAMS_PERSONAL_COMMANDS: Final[Mapping[str, str]] = {
    "status": "What is held about you",
    "pause": "Stop analysis of your messages",
    "resume": "Restart analysis of your messages",
    "forget-me": "Erase everything derived from your messages",
    "mydata": "A file with everything stored about you",
    "mytraining": "Your personal learning plan (only you see it)",
    "help": "What Teamweather does, and its commands",
}
TEAMS_TEAM_COMMANDS: Final[Mapping[str, str]] = {
    "optin": "Admins: turn Teamweather on in this channel",
    "optout": "Admins: turn Teamweather off in this channel",
    "help": "What Teamweather does, and its commands",
}
TEAMS_NO_APP_ID = (
    "no Microsoft app id: pass --app-id or set MICROSOFT_APP_ID (the bot's Microsoft App ID, a "
    "GUID, from its Azure Bot resource)"
)
TEAMS_PLACEHOLDER_URLS = (
    "the package names placeholder {what} ({url}): Teams shows them to everyone who installs the "
    "app, so replace them (--website-url, --privacy-url, --terms-url) before publishing it"
)


# -- HR review of flagged messages (bot/review.py) -------------------------------------------

REVIEW_TITLE = "Review request #{id}"
REVIEW_INTRO = "Please label this pseudonymised message. Who wrote it is never shown."
REVIEW_TEXT = "“{text}”"
REVIEW_PREDICTION = "Model ({model}): {sentiment} (negative {negative}, neutral {neutral}, positive {positive}); stress {stress}"
REVIEW_WHY = {
    "high_risk": "Flagged because the prediction is high-risk (very negative or very stressed).",
    "uncertain": "Flagged because the model was unsure: a label here teaches it most.",
    "audit": "Flagged at random, to measure how accurate the model really is.",
}
REVIEW_GUIDELINES = "Labelling guidelines"
REVIEW_SENTIMENT = "Sentiment"
REVIEW_STRESS = "Stress"
REVIEW_OTHER = "Or"
REVIEW_CHOICES: Mapping[str, str] = {
    "sentiment:negative": "Negative",
    "sentiment:neutral": "Neutral",
    "sentiment:positive": "Positive",
    "stress:yes": "Stressed",
    "stress:no": "Not stressed",
    "skip": "Unclear — skip",
    "delete": "Still contains personal data — delete",
}
REVIEW_LABELS = "Labels so far"
REVIEW_LABEL_LINE = "Reviewer {n}: {answers}"
REVIEW_NOTHING_YET = "none yet"
REVIEW_SKIPPED = "Skipped as unclear; it expires unless someone labels it."
REVIEW_DELETED_TEXT = "(deleted by a reviewer: it still contained personal data)"
REVIEW_DELETED = "The text was deleted. Thank you: a missed name helps us improve name removal."
REVIEW_FOOTNOTE = (
    "Names, mentions, emails, phone numbers and links were replaced before anyone saw this. "
    "Labels go into retraining; the author is never identified."
)
REVIEW_THREAD_LABEL = "Reviewer {n} labelled {what}."
REVIEW_THREAD_CONFIRM = "Reviewer {n} confirmed {what}."
REVIEW_THREAD_DISAGREE = "Reviewer {n} labelled {what}; reviewer {other} said {theirs}. Both are kept."
REVIEW_THREAD_SKIP = "Reviewer {n} skipped this as unclear."
REVIEW_THREAD_DELETE = "Reviewer {n} deleted the text: it still contained personal data."
REVIEW_NOT_REVIEWER = "Only the configured reviewers can label flagged messages. Nothing was stored."
REVIEW_WITHDRAWN_TITLE = "Review request withdrawn"
REVIEW_WITHDRAWN = (
    "This message is no longer held: its author deleted or edited it, or asked to be forgotten, "
    "or it expired. Its text and labels were erased."
)
REVIEW_GONE = "This flagged message is no longer held (it expired, was erased, or its text was deleted)."
REVIEW_BAD_ACTION = "That review action was not understood. Nothing was stored."
REVIEW_WRONG_CHANNEL = "Review buttons work only in the review channel. Nothing was stored."
REVIEW_STRESS_WORDS = {True: "stressed", False: "not stressed"}

# /teamweather mydata (bot/mydata.py)
MYDATA = (
    "**What Teamweather holds about you** (under your pseudonym, never your name):\n"
    "• {scores} message score(s){days}: a tone and a stress likelihood per message, no text.\n"
    "• {pending} message(s) waiting to be scored.\n"
    "• {flags} message(s) held for review, with {labels} label(s) from reviewers (their text had "
    "names and details removed).\n"
    "• Learning: {completed} item(s) completed, {started} started, {quizzes} quiz result(s).\n"
    "• Your consent status: {status}.\n"
    "Download all of it as a file: {url} (works once, for {minutes} minutes; only you have this "
    "link). `/teamweather forget-me` erases it."
)
MYDATA_DAYS = " from {first} to {last}"
MYDATA_STATUS = {"collecting": "collecting", "paused": "paused", "forgotten": "forgotten"}
MYDATA_PAGE = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your Teamweather data</title>"
    "<meta name=\"robots\" content=\"noindex\"></head><body><h1>Your Teamweather data</h1>"
    "<p>Everything Teamweather stores under your pseudonym, as a JSON file. The link works once.</p>"
    "<form method=\"post\"><button type=\"submit\">Download my data</button></form></body></html>"
)
MYDATA_GONE = "This download link has expired or was already used. Run `/teamweather mydata` for a new one."

# /mytraining (bot/mytraining.py). The lines a plan or quiz report shows are plain text (a
# report's renderers style and escape them); only replies sent as text use the Markdown subset.
LEARN_COMMAND: Final = "/mytraining"
LEARN_HELP = (
    "**/mytraining** — your personal learning plan. Only you see these answers.\n"
    "`/mytraining` — your plan: up to 5 items, and why each is there\n"
    "`/mytraining setup` — set your role and goal in a form\n"
    "`/mytraining role ROLE` — set your role ({roles})\n"
    "`/mytraining goal TEXT` — say what you want to learn (`goal clear` removes it)\n"
    "`/mytraining start ID` · `/mytraining done ID` — record progress on an item\n"
    "`/mytraining quiz ID` — take an item's quiz; passing counts it as done\n"
    "`/mytraining wellbeing off` · `on` — private wellbeing suggestions\n"
    "`/mytraining help` — this message"
)
LEARN_UNKNOWN = "I don't know `{word}`.\n"
LEARN_PLAN_TITLE = "Your learning plan"
LEARN_PLAN_FOR = "For your role {role}{goal}."
LEARN_PLAN_GOAL = " and your goal “{goal}”"
LEARN_PLAN_NO_PROFILE = (
    "Tell me your role and goal for a better plan: /mytraining setup, or "
    "/mytraining role ROLE and /mytraining goal TEXT."
)
LEARN_PLAN_ONLY_GOAL = "For your goal “{goal}”."
LEARN_PLAN_EMPTY = (
    "Nothing left to suggest: you have completed everything your role and goal point to. "
    "Try a new goal with `/mytraining goal TEXT`."
)
LEARN_ITEM = "{n}. "  # before the item's title, a link
LEARN_ITEM_DETAIL = "{format}, {minutes} min, level {level} · {id}{status}"
LEARN_STARTED = " · started"
LEARN_WHY = "Why: {reasons}."
LEARN_REASON_GAP = "your role targets {skill} level {target} (you're at {current})"
LEARN_REASON_GOAL_WORDS = "your goal mentions {words}"
LEARN_REASON_GOAL = "it is close to your goal"
LEARN_REASON_NEXT = "a good next step at your level"
LEARN_REASON_PREREQUISITE = "it is the first step towards “{title}”, which matches your goal"
LEARN_REASON_WELLBEING = "a short wellbeing item, suggested only to you"
LEARN_FORMATS = {"article": "Article", "video": "Video", "course": "Course", "workshop": "Workshop",
                 "exercise": "Exercise", "book": "Book"}
LEARN_BUTTON_START = "Start"
LEARN_BUTTON_PLAN = "Show my plan"
LEARN_BUTTON_SETUP = "Set role and goal"
LEARN_WELCOME_TITLE = "Your learning plan, and your data"
LEARN_WELCOME = (
    "Teamweather suggests courses and guides for your role and goals: only you see your plan. "
    "Run /mytraining any time (/mytraining help for more). /teamweather mydata shows "
    "everything stored about you; /teamweather pause stops the analysis of your messages."
)
LEARN_BUTTON_DONE = "Done"
LEARN_BUTTON_QUIZ = "Quiz"
LEARN_WELLBEING_NOTE = (
    "🌱 Only you can see this: your own messages over the last two weeks read as more stressed "
    "than your usual. One wellbeing item is in your plan in case it helps. It is never shown to "
    "anyone else or counted anywhere. /mytraining wellbeing off turns these suggestions off."
)
LEARN_FOOTER = (
    "Only you can see this. {analysed} of your messages were analysed in the last 30 days. "
    "/teamweather pause stops that; /teamweather mydata shows everything stored about you."
)
LEARN_ROLE_SET = "Your role is now **{role}**. Run `/mytraining` for your plan."
LEARN_ROLE_UNKNOWN = "There is no role `{role}`. Roles: {roles}."
LEARN_ROLES = "Roles: {roles}. Set yours with `/mytraining role ROLE`."
LEARN_NO_ROLES = "No roles are configured (ask your Teamweather admin: `learning.roles`)."
LEARN_GOAL_SET = "Your goal is now {goal}. Run `/mytraining` for your plan."
LEARN_GOAL_CLEARED = "Your goal was removed."
LEARN_GOAL_MISSING = "Say what you want to learn: `/mytraining goal get better at Kubernetes`."
LEARN_GOAL_TOO_LONG = "That goal is too long: at most {max} characters, please."
LEARN_ID_MISSING = "Which item? `/mytraining {word} ID` (the id is shown under each item of your plan)."
LEARN_ID_UNKNOWN = "There is no item `{id}` in the catalog. Your plan (`/mytraining`) shows ids you can use."
LEARN_STARTED_OK = "Started **{title}**. `/mytraining done {id}` when you finish it."
LEARN_ALREADY_STARTED = "You had already started **{title}**."
LEARN_DONE_OK = "Well done: **{title}** is completed. Run `/mytraining` for your updated plan."
LEARN_ALREADY_DONE = "You had already completed **{title}**."
LEARN_NO_QUIZ = "**{title}** has no quiz. `/mytraining done {id}` records it as completed."
LEARN_QUIZ_TITLE = "Quiz: {title}"
LEARN_QUIZ_QUESTION = "Question {n} of {total}: {question}"
LEARN_QUIZ_PASSED = (
    "You answered {correct} of {total} correctly and passed: “{title}” counts as completed, "
    "and it counts towards your {skills} level. Run /mytraining for your updated plan."
)
LEARN_QUIZ_FAILED = "You answered {correct} of {total} correctly; {needed} are needed to pass."
LEARN_QUIZ_REVIEW = " Before trying again, “{title}” ({id}) covers the groundwork."
LEARN_QUIZ_RETRY = " Try again with /mytraining quiz {id} when you're ready."
LEARN_WELLBEING_OFF = "Wellbeing suggestions are off. `/mytraining wellbeing on` turns them back on."
LEARN_WELLBEING_ON = "Wellbeing suggestions are on. They are only ever shown to you."
LEARN_WELLBEING_USAGE = "`/mytraining wellbeing on` or `/mytraining wellbeing off`."
LEARN_SETUP_TITLE = "Your learning profile"
LEARN_SETUP_SUBMIT = "Save"
LEARN_SETUP_ROLE = "Your role"
LEARN_SETUP_GOAL = "What do you want to learn?"
LEARN_SETUP_GOAL_HINT = "e.g. get better at Kubernetes, lead my first team"
LEARN_SETUP_OPENED = "Your learning profile form is open."
LEARN_SETUP_SAVED = "Saved: role **{role}**, goal {goal}. Run `/mytraining` for your plan."
LEARN_NONE = "none"
LEARN_EMPTY_CATALOG = "The learning catalog is empty, so there is nothing to suggest yet (ask your Teamweather admin)."
LEARN_WARMING = (
    "Your plan is being prepared: the model that matches goals to the catalog is loading, which "
    "takes a few seconds the first time. Please run `/mytraining` again in a minute."
)
LEARN_OFF = "Learning plans are not enabled here (ask your Teamweather admin: `learning.enabled`)."

# the weekly digest's learning section (bot/digests.py)
LEARNING = "Learning"
ICON_LEARNING = "📚"
LEARNING_LINE = "{skill}: {items} item(s) completed by {people} people"
LEARNING_NOTE = "Shown per skill only where at least {k} people completed something."
