"""Every sentence Teamweather says to a person, in one place."""

from __future__ import annotations

PRODUCT = "Teamweather"

CHANNEL_NOTICE = (
    ":partly_sunny: *Teamweather is now on in this channel.*\n"
    "• What it collects: the tone of each message (positive, neutral or negative) and a "
    "stress likelihood, computed by a model running on our own server.\n"
    "• What it never stores: your words, your name or user id, or the exact time you wrote. "
    "Names, mentions, emails, links and numbers are stripped before anything is kept.\n"
    "• Who sees what: managers get weekly *team* figures only, and only when at least "
    "{k} people contributed. No one sees what you wrote or your own scores — except you.\n"
    "• Your controls: `/teamweather pause` stops collection from you, `resume` restarts it, "
    "`status` shows what is held about you, `forget-me` erases it."
)
CHANNEL_ALREADY_ENROLLED = "Teamweather is already on in this channel. Nothing changed."
CHANNEL_UNENROLLED = (
    ":no_entry_sign: *Teamweather is now off in this channel.* New messages here are no longer "
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
    "({scores} score(s), {pending} waiting to be scored). Teamweather will not analyse your "
    "messages again unless you run `/teamweather resume`."
)

STATUS = (
    "*Your Teamweather status:* {state}\n"
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
    "*Teamweather* reports a team's weekly mood to its managers without showing anyone what "
    "a single person wrote.\n"
    "`/teamweather status` — what is held about you\n"
    "`/teamweather pause` · `/teamweather resume` — stop or restart analysis of your messages\n"
    "`/teamweather forget-me` — erase everything derived from your messages\n"
    "`/teamweather optin` · `/teamweather optout` — admins: turn this channel on or off\n"
    "`/teamweather help` — this message"
)
UNKNOWN_COMMAND = "I don't know `{word}`.\n" + HELP

INTERNAL_ERROR = "Sorry, something went wrong on our side. Nothing was changed; please try again."
