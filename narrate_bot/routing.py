"""What a person meant: parsed once, here, for every platform.

``/narrate …`` becomes a ``Command``; a plain message to the bot becomes a who-knows question or
nothing. Adapters never interpret wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .knowledge.clean_text import clean_text
from .knowledge.command_typos import NUMBER_SLIPS, slip_of
from .knowledge.days import UNTIL_WORDS, reads_as_day
from .knowledge.durations import parse_duration
from .knowledge.fire_times import parse_days
from .knowledge.topic_match import only_pointing
from .knowledge.topics import ED_SUBJECTS, says_how_work_stands
from .own_attempts import own_attempt_hint
from .questions import parse_question as parse_question
from .questions import strip_bot_address as strip_bot_address
from .questions import topic_of

NARRATE = "narrate"

_ORDINAL = re.compile(r"^#?(\d{1,9})$")
_EXCLAMATION = re.compile(r"^(?:knew|would(?:\s+have|'ve)\s+(?:thought|guessed))\b", re.I)


@dataclass(frozen=True)
class Command:
    """A parsed ``/narrate`` invocation: ``action`` names the feature, ``arg`` its argument."""

    action: str
    arg: str = ""
    ordinal: int | None = None
    hint: str | None = None


# How people ask for help out of habit from other tools (alone, or before a topic like "help").
_HELP_WORDS = {"?", "/help", "--help", "-h", "-help", "/?"}
# Sub-commands that take no argument: only a command when they stand alone.
_BARE = {
    "help": "help",
    "join": "join",
    "mine": "mine",
    "leave": "leave",
    "resume": "resume",
    "export": "export",
    "forget-me": "forget",
    "forgetme": "forget",
    "topics": "topics",
}
_NEEDS_ID = {"edit", "delete", "share", "unshare"}
# "<command> help" asks about the command (never a narration, a topic or a team called "help").
# ("help <anything>" always asks for help: see parse_help.)
_HELPED = {
    *_BARE,
    *_NEEDS_ID,
    "who",
    "pause",
    "team",
    "timezone",
    "tz",
    "ask-me-about",
    "hide-me",
    "unhide-me",
    "profile",
    "ask-channel",
    "questions-channel",
    "schedule",
    "schedules",
    "remind",
    "reply",
    "stats",
    "never-pair",
    "workspace-timezone",
    "follow",
    "unfollow",
}
# Sub-commands whose argument may be empty (each answers an empty one itself).
_WITH_ARG = {
    "ask-me-about": "ask_me_about",
    "hide-me": "hide_me",
    "unhide-me": "unhide_me",
    "profile": "profile",
    "ask-channel": "ask_channel",
    "questions-channel": "questions_channel",
}

# ``ask-channel answered|withdraw``: the asker closes their newest open question. A question
# of those words alone would name nothing anybody could search for.
_CLOSE_QUESTION = {
    "answered": "question_answered",
    "withdraw": "question_withdrawn",
    "withdrawn": "question_withdrawn",
}
# ``ask-channel answered by @bob``: the asker credits who answered (``thanks to`` reads as well).
_ANSWERED_BY = re.compile(
    r"^answered\s+(?:(?:by|thanks\s+to)\s+)?(?P<who><@!?[\w.\-]{1,64}(?:\|[^>]{0,200})?>"
    r"|@[\w.\-]{1,64})[\s.!]*$"
    r"|^answered\s+(?:by|thanks\s+to)\s+(?P<bare>[\w.\-]{1,64})[\s.!]*$",
    re.IGNORECASE,
)
# ``ask-channel answered|withdraw|still-open q12``: the buttons of the DM asking whether a
# question is still open (``features.question_nudges``) name that question, not the newest.
_ONE_QUESTION = re.compile(
    r"^(?P<word>answered|withdraw|withdrawn|still-open)\s+q(?P<id>\d{1,12})(?P<rest>\s.*)?$",
    re.IGNORECASE,
)


def _one_question(which: re.Match[str]) -> Command:
    word, number = which.group("word").lower(), int(which.group("id"))
    rest = (which.group("rest") or "").strip()
    if word == "still-open":
        return Command("question_still_open", ordinal=number)
    if not rest:
        return Command(_CLOSE_QUESTION[word], ordinal=number)
    credit = _ANSWERED_BY.match(f"answered {rest}") if word == "answered" else None
    if credit is None:
        return Command("question_unclear", ordinal=number)
    who = credit.group("who") or credit.group("bare")
    return Command("question_answered", arg=who, ordinal=number)


# "This helped" under a who-knows answer sends ``helped <token>`` (``who_knows.helped``); any
# other sentence starting with "helped" is a narration.
_HELPED_TOKEN = re.compile(r"^wk[0-9a-f]{12}$", re.IGNORECASE)


def parse_command(text: str) -> Command:
    body = clean_text(text)
    if not body:
        return Command("ask_text")
    head, _, rest = body.partition(" ")
    word = head.lower()
    rest = rest.strip()
    if word in _BARE and not rest:
        return Command(_BARE[word])
    if word == "mine":
        # "mine kafka", "mine since 2026-11-01", "mine 2026-11-01..2026-11-20": a search
        # through one's own narrations. "mine was a long day: fixed …" is work to keep.
        if _reads_as_own_search(rest):
            return Command("mine", arg=rest)
        return _narration_or_attempt(rest, body, MINE_HINT)
    if word == KEEP and rest and _reads_as_command_word(rest.split()[0]):
        # "/narrate note mine kafka": the words as written, kept even though they read like a
        # command (the "Keep as a narration" button sends this). Other "note …" is a narration.
        said = rest.split()[0].lower()
        return Command(
            "narrate", arg=rest, hint=f"Kept as written: “{said}” wasn't run as a command."
        )
    if word == KEEP and rest and parse_help_request(rest) is not None:
        # "need help with kafka acls" said in a DM was asked, with the offer to keep it (that
        # button sends this): kept as written, without the "note" that asked for it.
        return Command("narrate", arg=rest)
    if word in ("forget-me-confirm", "forgetme-confirm") and not rest:
        return Command("forget_confirm")  # Discord's name for it, typed after /narrate
    if word in _HELP_WORDS and not rest:
        return Command("help")
    if word in ("help", *_HELP_WORDS) and rest.lower().lstrip("/") in ("intros", "introductions"):
        return Command("intros_help", arg="help")
    if word in ("forget-me", "forgetme") and rest.lower() not in ("confirm", "yes"):
        # "forget-me please" is never work to keep; the feature asks for confirmation anyway.
        return Command("forget")
    if (asked := parse_help(body)) is not None:
        return asked
    if (asked := _help_with_the_bot(body)) is not None:
        return asked
    if rest.lower() == "help" and word in _HELPED:
        return Command("help", arg=word)
    if (own := own_attempt_hint(body)) is not None:
        # "list my narrations", "delete the old one", "cancel that": asked, never work to keep.
        return Command("unparsed", arg=body, hint=own)
    if word in _NEEDS_ID and not rest:
        return Command("help", arg=word)
    if word in ("forget-me", "forgetme") and rest.lower() in ("confirm", "yes"):
        return Command("forget_confirm")
    if word in _NEEDS_ID:
        id_text, _, tail = rest.partition(" ")
        match = _ORDINAL.match(id_text)
        if match:
            ordinal, tail = int(match.group(1)), tail.strip()
            if word == "edit" or not tail or (word == "share" and _SHARE_STAMP.fullmatch(tail)):
                return Command(word, arg=tail, ordinal=ordinal)
            # "delete 3 stale branches", "share 1 dashboards with the data team": a sentence
            # that opens with the word and a number never deletes or publishes anything.
            return Command("unparsed", arg=body, hint=_one_number_hint(word, ordinal))
        return _narration_or_attempt(
            rest,
            body,
            f"If you meant to {word} a narration, use /narrate {word} with its number "
            f"from /narrate mine (for example /narrate {word} 3 for #3).",
        )
    # A settings word followed by a sentence is a narration ("team retro went well, actions
    # filed"; "timezone handling fixed for DST"): recorded with a hint, never a silent settings
    # change. Followed by what reads as that command's arguments ("timezone Europe Berlin",
    # "pause for 2 weeks"), it is an attempt at the command: nothing is kept (see _attempt).
    if word == "pause":
        if _reads_as_duration(rest) or _reads_as_until(rest):
            return Command("pause", arg=rest)
        return _narration_or_attempt(rest, body, PAUSE_HINT)
    if word == "team":
        if _reads_as_name(rest):
            return Command("team", arg=rest)
        return _narration(body, "If you meant to set your team, use /narrate team <name>.")
    if word in ("timezone", "tz"):
        if len(rest.split()) <= 1:
            return Command("timezone", arg=rest)
        return _narration_or_attempt(
            rest, body, "If you meant to set your time zone: /narrate timezone Area/City."
        )
    if word == "profile" and len(rest.split()) > 1:
        return _narration_or_attempt(
            rest, body, "If you meant someone's profile: /narrate profile @name."
        )
    if word == "ask-channel" and (which := _ONE_QUESTION.match(rest)):
        return _one_question(which)
    if word == "ask-channel" and rest.lower() in _CLOSE_QUESTION:
        return Command(_CLOSE_QUESTION[rest.lower()])
    if word == "ask-channel" and (credit := _ANSWERED_BY.match(rest)):
        return Command("question_answered", arg=credit.group("who") or credit.group("bare"))
    if word == "helped" and _HELPED_TOKEN.match(rest):
        return Command("who_knows_helped", arg=rest.lower())
    if word in ("follow", "unfollow") and (following := _following(word, rest, body)):
        return following
    if word in _WITH_ARG:
        return Command(_WITH_ARG[word], arg=rest)
    if word == "who" and _EXCLAMATION.match(rest):
        # "who knew the deploy would break, fixed it" tells, it doesn't ask.
        return _narration(body, "If you meant to ask, use /narrate who <topic>.")
    if word == "who":
        question = parse_question(body)
        topic = (
            question
            if question is not None
            else topic_of(re.sub(r"^(?:knows?\s+)?(?:about\s+)?", "", rest, flags=re.I))
        )
        return Command("who", arg=topic)
    if (scheduling := _scheduling(word, rest, body)) is not None:
        return scheduling
    if word == "intros":
        return parse_intros(rest)
    if word in ("never-pair", "neverpair"):
        return parse_never_pair(rest)
    if word == "stats" and not rest:
        return Command("stats")
    if (word in _BARE or word in _NOT_COMMANDS or word in ("stats", "remind")) and _attempt(
        rest, takes_nothing=word in _TAKES_NOTHING
    ):
        # "follow kafka", "join #team", "export json": a command that isn't one, or one that
        # takes nothing; longer prose ("join tables are slow on the ledger db") is work.
        return Command("unparsed", arg=body, hint=_ATTEMPT_HINTS.get(word))
    if (slip := _command_slip(word, rest, body)) is not None:
        return slip
    if (question := parse_question(body)) is not None:
        # "/narrate who's an expert on kafka?" asks, like the same words said to the bot; kept
        # as a narration it would make the asker the top "expert" on what they asked.
        return Command("who", arg=question)
    return Command("narrate", arg=body)


# What the "Share with my workspace" button adds after the number (features.narrate.share_button).
_SHARE_STAMP = re.compile(r"written \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DONE_BY = {"delete": "deleted", "share": "shared", "unshare": "changed"}


def _one_number_hint(word: str, ordinal: int) -> str:
    """``delete``, ``share`` and ``unshare`` take a narration's number and nothing else."""
    return (
        f"If you meant to {word} #{ordinal}, send /narrate {word} {ordinal} with nothing after "
        f"the number. Nothing was {_DONE_BY[word]}."
    )


def parse_help(text: str) -> Command | None:
    """``help <words>`` (or ``? <words>``, ``--help …``): help on those words, whatever they are.

    Only a known sub-command used to count, so ``help unskip`` or ``help schedule skips`` was
    published as a narration and enrolled the person asking. Nobody narrates work by opening
    with "help"; an unknown topic gets the whole help, saying so (help.show_help), and nothing
    is stored.
    """
    head, _, rest = clean_text(text).partition(" ")
    if head.lower() not in ("help", *_HELP_WORDS):
        return None
    asked = " ".join(rest.lower().lstrip("/").split())
    if (me := _HELP_ME.match(asked)) is not None:
        # "help me with kafka acls" asks for help with work: who knows, unless the words name
        # something of the bot's (help.help_or_who_knows); "help me with my notes" is help.
        topic = (me.group("topic") or "").strip()
        if me.group("with") and _names_nothing(topic):
            return Command("help_what")  # "help me with", "help me with it": with what?
        if topic and not {word.lstrip("/") for word in topic.split()} & _ABOUT_THE_BOT:
            return Command("help_with", arg=topic)
        return Command("help", arg=topic)
    return Command("help", arg=asked)


_HELP_ME = re.compile(r"^(?:me|us)(?:\s+out)?(?P<with>\s+(?:with|on)\b(?P<topic>.*))?$")
_NEED = r"^(?:(?:hi|hey|hello)\b[\s,!]*)?(?:i|we)?\s*(?:really\s+|urgently\s+)?(?:need|want)\s+"
_NEED += r"(?:some\s+|a\s+little\s+|a\s+bit\s+of\s+)?help"
# "need help with kafka acls", "I need some help on the ledger export please": the whole message.
_NEED_HELP = re.compile(_NEED + r"\s+(?:with|on)\s+(?P<topic>.+)$", re.I | re.S)
# "need help", "need help with", "need help please", "need help with it", "need help with 🙏".
_NEED_HELP_ALONE = re.compile(_NEED + r"(?:\s+(?:with|on)\b)?(?P<rest>(?:\W.*)?)$", re.I | re.S)
# What a request may say that names no subject: a pronoun, thanks, please.
_NO_SUBJECT = frozenset(
    {
        "it", "this", "that", "these", "those", "something", "stuff", "things", "sth", "smth",
        "please", "pls", "plz", "thanks", "thank", "you", "thx", "ty", "cheers",
    }
)  # fmt: skip
_SUBJECT_WORD = re.compile(r"[^\W_]+")


def _names_nothing(rest: str) -> bool:
    """Whether what follows "help (with)" names no subject: nothing, an emoji, "?", "it"."""
    return all(word.lower() in _NO_SUBJECT for word in _SUBJECT_WORD.findall(rest))


# A request is a few words; more is a narration about the work (kept, with blocker help).
_REQUEST_WORDS = 6
# In a topic, punctuation that joins a second thought ("the migration - stuck on locks",
# "kafka? since monday", "k8s: pods crash"); inside a name (node.js, C++, C#, 16:30) it doesn't.
_REQUEST_BREAK = re.compile(r"[,;!?…()\[\]{}\"“”—–]|[.:](?:\s|$)|(?:^|\s)[-/]+(?:\s|$)|--")
# Words that say when, or how the work stands: "need help with the release today", "… flaky
# tests again", "… the export since monday" report work in progress, a narration to keep.
_STATUS_WORDS = frozenset(
    {
        "today", "tonight", "yesterday", "tomorrow", "tmrw", "now", "currently", "since",
        "until", "till", "ago", "lately", "recently", "earlier", "again", "still", "yet",
        "already", "anymore", "stuck", "blocked", "blocking", "broken", "failing", "eod", "eow",
        "asap", "morning", "afternoon", "evening", "night", "day", "days", "hours", "week",
        "weeks", "weekend", "sprint", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "mondays", "tuesdays", "wednesdays", "thursdays", "fridays",
    }
)  # fmt: skip
_WORD_CHARS = re.compile(r"[^\W\d_]+")


def parse_help_request(text: str) -> Command | None:
    """A message to the bot (a DM, a mention) that only asks for help with something: who
    knows about it (``help_with``), nothing kept; ``None`` for anything else.

    A DM "need help with kafka acls" was kept as a private note, and a mention "@narrate help
    me with kafka acls" got the generic "ask me who knows" pointer, while "help me with kafka
    acls" in a DM already answered who knows. Only a bare request counts: a few words naming
    a subject, nothing after them but thanks or a final "?". A status update is a narration,
    as ``/narrate need help with …`` always is (its confirmation names who could help):
    "need help with the billing export since monday", "… the release today", "… flaky tests
    again" say when or how the work stands, and "… the migration - stuck on locks" goes on
    after a break. (The answer in a DM still offers "Keep as a narration":
    ``help.help_or_who_knows``.) "help me", "help me with my notes" are the bot's help
    (``parse_help``), no request.
    """
    body = strip_bot_address(clean_text(text)).strip()
    if (asked := parse_help(body)) is not None:
        return asked if asked.action in ("help_with", "help_what") else None
    if (alone := _NEED_HELP_ALONE.match(body)) is not None and _names_nothing(alone["rest"]):
        # "need help", "need help with 🙏": with what? (``help_what``). Kept as an empty
        # narration in a DM (re-enrolling a leaver), or answered with the whole help.
        return Command("help_what")
    topic = _bare_request(body)
    if topic is None:
        return None
    if {word.lower().lstrip("/") for word in topic.split()} & _ABOUT_THE_BOT:
        return None  # "need help with my notes" is no question for colleagues
    return Command("help_with", arg=topic)


def _bare_request(body: str) -> str | None:
    """What a short "need help with <topic>" asks about; None for anything longer, broken up
    or naming a status ("… since monday", "blocked on"), which says how work stands."""
    need = _NEED_HELP.match(body)
    if need is None:
        return None
    # Not ``question=True``: that ends the topic at the first "?" and drops what follows it.
    topic = topic_of(need.group("topic"))
    words = topic.split()
    if not words or len(words) > _REQUEST_WORDS or _REQUEST_BREAK.search(topic):
        return None
    if {word.lower() for word in _WORD_CHARS.findall(topic)} & _STATUS_WORDS:
        return None
    return topic


def _help_with_the_bot(body: str) -> Command | None:
    """ "need help with my notes", "I need some help with the bot": the bot's help, as "help me
    with my notes" is (``parse_help``). A DM saying it was kept as a private narration, and
    ``/narrate`` published it; nobody is asked, nothing is kept. Only a bare request naming
    the bot's things (``_BOT_THINGS``): "need help with my kafka acls" is no question about
    the bot, and "… my notes since monday" says how work stands (``parse_help_request``)."""
    topic = _bare_request(body)
    if topic is None:
        return None
    if {word.lower().lstrip("/") for word in topic.split()} & _BOT_THINGS:
        return Command("help", arg=topic)
    return None


# The bot's own things, named after "need help with": its help, not a colleague, answers.
_BOT_THINGS = frozenset(
    {
        "narrate", "narrations", "narration", "narrating", "bot", "command", "commands", "note",
        "notes", "narrate-bot",
    }
)  # fmt: skip


# After "help me with": words about the bot or one's own things, never a topic to ask about.
_ABOUT_THE_BOT = frozenset(
    {
        "narrate", "narrations", "narration", "narrating", "bot", "command", "commands", "note",
        "notes", "mine", "my", "it", "this", "that", "these", "everything", "you", "narrate-bot",
    }
)  # fmt: skip


# ---------------------------------------------------------------------- sub-commands named outright

# What a named sub-command means when the free-text grammar would have kept it as a narration.
_NAMED_ACTIONS = {
    "mine": "mine",  # Discord's search field: whatever is typed there is searched for
    "pause": "pause",
    "team": "team",
    "timezone": "timezone",
    "tz": "timezone",
    "profile": "profile",
    "remind": "remind",
    "reply": "reply",
    "schedule": "schedule",
    "schedules": "schedule",
    "follow": "follow",  # Discord's topic field: whatever is typed there is the topic
    "unfollow": "unfollow",
}


def parse_named(word: str, arg: str = "") -> Command:
    """``word`` as the sub-command, whatever ``arg`` says: never a narration.

    For a platform whose interface names the sub-command itself (a Discord subcommand with its
    own fields; ``CommandInvoked.command`` is then ``"narrate team"``). The free-text grammar
    guesses whether "team retro went well" is a setting or work worth keeping; here the person
    already said which, so a value the command can't use gets that command's own reply (which
    changes nothing) instead of being published to the channel and enrolling them. Everything
    else (``help``, numbers, channels, mentions) is read as in ``/narrate`` text.
    """
    word = word.strip().lower()
    rest = " ".join(clean_text(arg).split())
    if word == "pause" and reads_as_day(rest) and not _is_duration(rest):
        # A day in pause's own field ("2026-12-28", "friday", "28 dec"): a pause to that day.
        rest = f"until {rest}"
    command = parse_command(f"{word} {rest}".strip())
    if command.action not in ("narrate", "unparsed"):
        return command
    if word in _NEEDS_ID:
        # No usable number: the command's help says where the numbers are.
        return Command("help", arg=word)
    if word in _NAMED_ACTIONS:
        return Command(_NAMED_ACTIONS[word], arg=rest)
    if word in _BARE:
        return Command(_BARE[word])
    if word == "stats":
        return Command("stats")
    # No such sub-command (an adapter's table out of step with the core): what there is.
    return Command("help", arg=word)


_SENTENCE = re.compile(r"[,.;:!?]")
_TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b", re.I)


def _narration(body: str, hint: str) -> Command:
    return Command("narrate", arg=body, hint=hint)


# ------------------------------------------------------------- command attempts, never kept

# Typed as ``/narrate note <text>`` (and sent by the "Keep as a narration" button): ``text``
# kept as written, though its first word is a command's.
KEEP = "note"

# Commands people try that the bot doesn't have, each with what does the job instead.
_NOT_COMMANDS = {
    "search": "To search your own narrations: /narrate mine <words>; to find who knows about "
    "a topic: /narrate who <topic>.",
    "find": "To search your own narrations: /narrate mine <words>; to find who knows about "
    "a topic: /narrate who <topic>.",
    "settings": "There's no settings command: /narrate help lists what you can set (team, "
    "timezone, pause, remind, hide-me …).",
    "config": "There's no config command: /narrate help lists what you can set (team, "
    "timezone, pause, remind, hide-me …).",
    "status": "There's no status command: /narrate profile shows what you narrate about, "
    "/narrate mine your narrations.",
    "skip": "/narrate intros skip skips your next round of introductions (intros skip 3w, or "
    "until <date>, for longer); /narrate schedule skip <date> skips a channel's prompt that day.",
    "unskip": "/narrate schedule unskip <date> brings back a channel's prompt that day.",
    "subscribe": "/narrate join takes part (prompts, introductions, answers about you).",
    "unsubscribe": "/narrate pause 2w takes a break; /narrate leave stops everything.",
    "stop": "/narrate pause 2w takes a break; /narrate leave stops everything; /narrate remind "
    "off stops your reminder.",
    "list": "/narrate mine lists your narrations; /narrate schedule list a channel's prompts.",
    "undo": "/narrate delete <number> removes one of yours (the number shown in /narrate mine).",
}
_ATTEMPT_HINTS = {
    **_NOT_COMMANDS,
    "join": "If you meant to take part: /narrate join, alone.",
    "leave": "If you meant to stop taking part: /narrate leave, alone.",
    "resume": "If you meant to end a pause: /narrate resume, alone.",
    "export": "If you meant your data: /narrate export, alone, sends everything I store about you.",
    "topics": "/narrate topics, alone, shows who narrates what lately; /narrate who <topic> "
    "asks about one.",
    "stats": "If you meant the numbers: /narrate stats, alone.",
    "remind": "If you meant a reminder: /narrate remind me weekdays 16:30 (or remind off).",
}
# Every word that opens a command (or one people try): after ``note`` it is kept as written.
_COMMAND_WORDS = frozenset(
    {
        *_BARE, *_NEEDS_ID, *_HELPED, *_WITH_ARG, *_HELP_WORDS, *_NOT_COMMANDS, KEEP,
        "who", "intros", "never-pair", "neverpair", "forget-me-confirm", "forgetme-confirm",
        "workspace-tz", "remind", "reply", "stats",
    }
)  # fmt: skip
# The words a slip is measured against (``_command_slip``): what people type first. Not
# "note", which keeps whatever follows, nor the help spellings.
_SLIP_TARGETS = _COMMAND_WORDS - {KEEP, *_HELP_WORDS, "forget-me-confirm", "forgetme-confirm"}


def _reads_as_command_word(head: str) -> bool:
    """After ``note``: a command's word, or a slip of one, is kept as written."""
    word = head.lower()
    return (
        word in _COMMAND_WORDS or word in NUMBER_SLIPS or slip_of(word, _SLIP_TARGETS) is not None
    )


def _command_slip(word: str, rest: str, body: str) -> Command | None:
    """``folow kafka``, ``topcis``, ``profil``, ``topic``: a mistyped command word, answered
    like any command attempt (nothing kept, "Did you mean …?", the "Keep as a narration"
    button); ``None`` when ``word`` is no slip or the words read as work once corrected.

    The corrected words go through the same grammar as if typed right, so a sentence still is
    a narration ("folow up with the vendor, done" as "follow up …"). A slip that is a real word
    by number ("topic" for "topics") counts only when the corrected words are the command
    itself: "topic" alone asks for the map, "topic modelling spike" and "intro deck" are work.
    """
    number = NUMBER_SLIPS.get(word)
    meant = number or slip_of(word, _SLIP_TARGETS)
    if meant is None:
        return None
    said = f"{meant} {rest}".strip()
    command = parse_command(said)
    if command.action == "narrate":
        return None
    if number is not None and rest and command.action in ("unparsed", "help", "intros_help"):
        return None  # "intro deck", "topic modelling spike": work about an intro, a topic
    if meant in _NOT_COMMANDS:
        return Command("unparsed", arg=body, hint=command.hint)  # "serach kafka": what does it
    asked = f"Did you mean /narrate {said}?"
    if command.action == "unparsed" and command.hint:
        asked += f" {command.hint}"
    return Command("unparsed", arg=body, hint=asked)


_CLAUSE = re.compile(r"[,;!?]|[.:](?:\s|$)")
# What a command's arguments look like: a number or a date (3, #3, 2w, 2026-12-28, 16:30), a
# mention or a channel.
_ARG_TOKEN = re.compile(r"#?\d\S*|<[#@!][^>]*>|@[A-Za-z][\w.\-]*|#[\w\-]+")
ATTEMPT_CHARS = 200
_DETERMINERS = {"the", "a", "an", "our", "my", "this", "that", "these", "those", "some", "all"}


def _attempt(rest: str, *, takes_nothing: bool = False) -> bool:
    """``rest`` reads as a command's arguments, not a sentence: nothing, a word or two ("follow
    kafka", "timezone Europe Berlin"), or a few words holding a number, date, mention or channel
    ("pause for 2 weeks", "share design doc #4"). A sentence ("join tables are slow on the
    ledger db", "share the design doc with the data team", "follow up with the vendor, done")
    is work to keep, and so are a few words that say something was done ("search ranking
    tuned", "export job fixed"): no command's arguments end with a verb like that.

    ``takes_nothing``: the command meant takes no words ("status", "settings", "export"), so a
    word after it may be a mistyped option ("export json", "stats kafka") but two plain words are
    a thing being worked on ("status page redesign"), unless they open like an option ("stats
    last week", "subscribe to kafka")."""
    text = rest.rstrip(".").strip()
    if len(text) > ATTEMPT_CHARS or _CLAUSE.search(text):
        return False
    words = text.split()
    if len(words) > 5 or (words and words[0].lower() in _DETERMINERS):
        # "pause the rollout": arguments never open with "the".
        return any(_ARG_TOKEN.fullmatch(word) for word in words) and len(words) <= 5
    if any(_ARG_TOKEN.fullmatch(word) for word in words):
        return True
    if len(words) >= 2 and _reads_as_done(words[-1]):
        return False
    if takes_nothing and len(words) >= 2 and words[0].lower() not in _OPTION_OPENERS:
        return False
    return len(words) <= 2


# Words that say work happened or where it stands ("ranking tuned", "page redesign done"),
# besides regular past participles ("-ed"): closing a few words, they make a sentence.
_DONE_WORDS = frozenset(
    {
        "done", "built", "rebuilt", "made", "ran", "wrote", "written", "rewritten",
        "sent", "found", "kept", "shown", "drawn", "begun", "gone", "spent", "split", "cut",
        "redone", "live", "underway", "ongoing", "complete", "wip", "green", "out",
    }
)  # fmt: skip
# Words ending in "-ed" that aren't verbs.
_NOT_DONE = frozenset({"embed", "hundred", "infrared", "kindred", "sacred", "naked"})


def _reads_as_done(word: str) -> bool:
    word = word.lower().strip("!.")
    if word in _DONE_WORDS:
        return True
    regular = len(word) >= 5 and word.endswith("ed") and not word.endswith("eed")
    return regular and word not in _NOT_DONE


# Commands (or words people try as commands) that take no words after them; see ``_attempt``.
_TAKES_NOTHING = frozenset(
    {
        "settings", "config", "status", "join", "leave", "resume", "export", "topics", "stats",
        "subscribe", "unsubscribe",
    }
)  # fmt: skip
# How an option after such a word opens ("stats last week", "unsubscribe from prompts").
_OPTION_OPENERS = frozenset(
    {
        "me", "my", "mine", "for", "to", "from", "of", "on", "off", "in", "about", "last",
        "next", "this", "all", "please", "now", "with", "as", "by",
    }
)  # fmt: skip


MINE_HINT = "If you meant to search your narrations: /narrate mine <words> (or mine since <date>)."
# After "mine", words that make it the pronoun opening a sentence ("mine was a long day",
# "mine is done"), never a search.
_MINE_SENTENCE = {"is", "was", "are", "were", "has", "had", "will", "took", "went", "got", "too"}
_SEARCH_WORDS = 4


def _reads_as_own_search(rest: str) -> bool:
    """After ``mine``: what a search looks like (a command attempt, or up to four words with no
    sentence punctuation, not opening with "the" or "was"), never a sentence that merely
    starts with the word."""
    text = rest.rstrip(".").strip()
    words = text.split()
    if words and words[0].lower() in _MINE_SENTENCE:
        return False
    if _attempt(rest):
        return True
    return (
        len(words) <= _SEARCH_WORDS
        and not _CLAUSE.search(text)
        and words[0].lower() not in _DETERMINERS
    )


FOLLOW_PERSON_HINT = (
    "You follow topics, not people: /narrate follow <topic> (for example kafka); "
    "/narrate profile @name shows what someone narrates about."
)


# Kept in step with ``features.follows._ALL_WORDS`` ("all" reads as a determiner to _attempt).
_FOLLOW_ALL = frozenset({"all", "everything"})
_ARTICLES = frozenset({"the", "a", "an"})
# "follow the vendor up", "follow the trail to the root cause": a sentence, not a topic.
_NOT_IN_TOPIC = frozenset(
    {"up", "with", "on", "through", "to", "into", "for", "from", "along", "back", "in", "of"}
)


def _following(word: str, rest: str, body: str) -> Command | None:
    """``follow kafka``, ``unfollow kafka streams``, ``follow`` or ``follow list``: the command.
    A sentence that starts with the word ("follow up with the vendor, done", "follow up done")
    stays a narration (``None``); a person instead of a topic is explained."""
    if not rest:
        return Command(word)
    words = rest.split()
    if any(_MENTION.match(w) for w in words):
        return Command("unparsed", arg=body, hint=FOLLOW_PERSON_HINT)
    if rest.rstrip(".!").strip().lower() in _FOLLOW_ALL:
        return Command(word, arg=rest.rstrip(".!").strip())  # "unfollow all": every one
    if only_pointing(rest):
        # "follow it", "follow the", "follow that one": names nothing; the command says so.
        return Command(word, arg=rest)
    if (
        words[0].lower() in _ARTICLES
        and 2 <= len(words) <= 4
        and not _CLAUSE.search(rest.rstrip("."))
        and not _reads_as_done(words[-1])
        and not _NOT_IN_TOPIC.intersection(w.lower() for w in words)
    ):
        # "follow the billing service": the topic is "billing service".
        return Command(word, arg=" ".join(words[1:]).rstrip("."))
    if _attempt(rest) and not words[0].startswith("<"):
        return Command(word, arg=rest)  # "<#C1|kafka>" is a channel, not a topic: explained
    parts = [part.split() for part in re.split(r"\s*[,;]\s*", rest.rstrip("."))]
    if len(parts) > 1 and all(0 < len(p) <= 2 and _names_or_states(p) for p in parts):
        # "follow kafka, ledger migration": several topics. A word saying how work stands
        # ("Stuck, blocked, kafka") is the command's to refuse, never a reason to keep it all.
        return Command(word, arg=rest)
    return None  # a sentence: work to keep, as it always was


# How work stands: in a follow list they are the command's to refuse (features.follows).
_STATES = frozenset({"stuck", "blocked", "blocking", "broken"})


def _names_or_states(part: list[str]) -> bool:
    """One item of a follow list: a topic, or a word about how work stands ("blocked",
    "unblocked": the status words topics leave out, ``says_how_work_stands``), not a few words
    ending with what was done ("schema migrated", "up, done"). "follow kafka, unblocked" and
    "follow embedded, distributed systems" (words in "-ed" that are subjects,
    ``topics.ED_SUBJECTS``) were kept as narrations; a word that reads as done ("wip", "live")
    still makes one."""
    if len(part) == 1:
        word = part[0].lower().strip("!.")
        if word in _STATES or word in ED_SUBJECTS:
            return True
        if says_how_work_stands(word) and word not in _DONE_WORDS:
            return True
    return not _reads_as_done(part[-1])


def _narration_or_attempt(rest: str, body: str, hint: str) -> Command:
    """A command word whose arguments don't parse: a command attempt gets ``hint`` and nothing
    is kept (the reply offers to keep it); a sentence is a narration, told about the command."""
    if _attempt(rest):
        return Command("unparsed", arg=body, hint=hint)
    return _narration(body, hint)


def _is_duration(rest: str) -> bool:
    try:
        parse_duration(rest)
    except ValueError:
        return False
    return True


def _reads_as_duration(rest: str) -> bool:
    """Empty (the feature asks how long), one word (it explains a bad one), or a duration."""
    return len(rest.split()) <= 1 or _is_duration(rest)


PAUSE_HINT = "If you meant to pause, use /narrate pause 2w (or 3d, 8h, until <date>)."


def _reads_as_until(rest: str) -> bool:
    """``until 2026-12-28`` (or ``until friday``, ``until 28 dec``): a pause to that day."""
    head, _, day = rest.partition(" ")
    return head.lower() in UNTIL_WORDS and reads_as_day(day)


def _reads_as_name(rest: str) -> bool:
    """A team name is one word ("platform.infra") or a few, not a sentence."""
    words = rest.split()
    return len(words) <= 1 or (len(words) <= 3 and not _SENTENCE.search(rest))


# ------------------------------------------------------------------------------- introductions

_CHANNEL_REF = re.compile(
    r"^(?:<#(?P<id>[\w\-]+)(?:\|(?P<name>[^>]*))?>|#(?P<plain>[\w\-]{1,80}))$"
)
_MENTION = re.compile(r"^(?:<@(?P<id>[\w.\-]+)(?:\|[^>]*)?>|@(?P<name>[A-Za-z][\w.\-]{0,63}))$")
_INTROS_BARE = {"join": "intros_join", "leave": "intros_leave", "skip": "intros_skip"}


def parse_mention(text: str) -> str | None:
    """A person's user id from ``<@U123>`` (platforms) or ``@name`` (the console's ids)."""
    match = _MENTION.match(text.strip())
    if not match:
        return None
    return match.group("id") or match.group("name").lower()


def parse_intros(rest: str) -> Command:
    head, _, tail = rest.partition(" ")
    word, tail = head.lower(), tail.strip()
    if word in _INTROS_BARE and not tail:
        return Command(_INTROS_BARE[word])
    if word in ("", "mine", "list") and not tail:
        return Command("intros_mine")
    if word == "channel":
        if tail.lower() == "here":
            return Command("intros_channel", arg="here")
        ref = _CHANNEL_REF.match(tail)
        if ref is None:
            return Command("intros_channel")
        plain = ref.group("plain")
        return Command(
            "intros_channel", arg=plain or ref.group("id"), hint=plain or ref.group("name")
        )
    if word == "delivery":
        return Command("intros_delivery", arg=tail)
    if word in ("same-team", "sameteam"):
        return Command("intros_same_team", arg=tail)
    if word == "skip":  # "skip 3w", "skip until 2026-12-28", "skip off": the feature reads it
        return Command("intros_skip", arg=tail)
    if word == "every":
        return Command("intros_every", arg=tail)
    if word == "cadence":
        return Command("intros_cadence", arg=tail)
    if word in ("met", "not-useful", "notuseful"):
        match = _ORDINAL.match(tail)
        action = "intros_met" if word == "met" else "intros_not_useful"
        return Command(action, ordinal=int(match.group(1)) if match else None)
    return Command("intros_help", arg=word)


def parse_never_pair(rest: str) -> Command:
    """``@x`` adds, ``remove @x`` (or undo) removes, ``list`` or nothing lists."""
    head, _, tail = rest.partition(" ")
    if not rest or head.lower() == "list":
        return Command("never_pair", hint="list" if rest else None)
    if head.lower() in ("remove", "undo", "off") and tail.strip():
        return Command("never_pair", arg=parse_mention(tail) or "", hint="remove")
    return Command("never_pair", arg=parse_mention(rest) or "")


# Scheduling sub-commands (README "Schedules"); their arguments are parsed by
# knowledge.schedule_words. A narration that merely starts with "schedule" stays a narration.
_SCHEDULE_HEADS = {
    "list", "remove", "delete", "stop", "skip", "skips", "unskip", "reminder", "digest", "managers"
}  # fmt: skip
# ``schedule question <number> …`` only with a number (or ``#…``) next: "schedule question for
# the offsite: …" is work to keep.
_QUESTION_HEADS = {"question", "questions"}
QUESTION_HINT = (
    "If you meant a prompt's question: /narrate schedule question <number> <question> "
    "(the number from /narrate schedule list)."
)
# After an unknown word: a date, a range or a channel is a command attempt ("unskip 2026-11-24",
# "undo #team"), which schedule_words explains; never work worth keeping.
_SCHEDULE_ARG = re.compile(r"^(?:#\S*|<#\S*|\d{4}-\d{2}-\d{2}\S*)$")


_PROMPT_REF = re.compile(r"#\S*|\d+")
# ``schedule updates thread|off`` in the channel itself; "schedule updates are late" is work.
_UPDATES_STATES = {"thread", "on", "off"}


def _reads_as_prompt_ref(rest: str) -> bool:
    """After ``reply``: an attempt at a prompt's number, which must not be kept as a narration.

    One word (``reply x``, ``reply x1``, ``reply #x``) is a mistyped or misremembered id, never
    an update worth keeping; nor is a sentence opening with ``#…`` or digits (``reply 3 done``,
    someone expecting the text to go to prompt 3). Anything else is a sentence that merely
    starts with the word ("reply templates for the support team are done") and stays a
    narration, told about the command like other settings words followed by a sentence.
    """
    words = rest.split()
    return len(words) == 1 or _PROMPT_REF.fullmatch(words[0]) is not None


def _reads_as_days(word: str) -> bool:
    try:
        parse_days(word)
    except ValueError:
        return False
    return True


def _scheduling(word: str, rest: str, body: str) -> Command | None:
    first = rest.split()[0].lower() if rest else ""
    if word in ("schedule", "schedules") and first in _QUESTION_HEADS:
        after = rest.split()[1:]
        if not after or _PROMPT_REF.fullmatch(after[0]):
            return Command("schedule", arg=rest)  # the feature explains a missing question
        return _narration_or_attempt(rest, body, QUESTION_HINT)
    if word in ("schedule", "schedules"):
        if not rest or first in _SCHEDULE_HEADS or first.startswith(("#", "<#")):
            return Command("schedule", arg=rest if rest else "list")
        if _reads_as_days(first) or _TIME.search(rest):
            return Command("schedule", arg=rest)  # with a time it's meant: the feature explains
        after = rest.split()[1:]
        if not after or _SCHEDULE_ARG.match(after[0]):
            return Command("schedule", arg=rest)  # one word, or a word and a date: explained
        if first == "updates" and len(after) == 1 and after[0].lower() in _UPDATES_STATES:
            return Command("schedule", arg=rest)  # "schedule updates off", here
        return _narration_or_attempt(
            rest, body, "If you meant a schedule command: /narrate help schedule."
        )
    if word == "remind" and first in ("", "off", "stop"):
        return Command("remind", arg=rest)
    if word == "remind" and first == "me":
        # "remind me weekdays 16:30" (or "remind me off"); "remind me to call the vendor" is work.
        after = rest.split()[1:]
        asks = len(after) <= 1 or _reads_as_days(after[0]) or _TIME.search(rest)
        if asks and after[:1] != ["to"]:
            return Command("remind", arg=rest)
        return _narration_or_attempt(
            rest, body, "If you meant a reminder: /narrate remind me weekdays 16:30."
        )
    if word == "reply" and _ORDINAL.match(rest):
        return Command("reply", arg=rest)
    if word == "reply" and not rest:
        return Command("help", arg="reply")
    if word == "reply" and _reads_as_prompt_ref(rest):
        return Command("reply", arg=rest)  # the feature explains /narrate reply <number>
    if word == "reply":
        return _narration(body, "If you meant to answer a prompt: /narrate reply <number>.")
    if word in ("workspace-timezone", "workspace-tz"):
        return Command("workspace_timezone", arg=rest)
    if word == "intros" and first == "schedule":
        return Command("intros_schedule", arg=rest.partition(" ")[2].strip())
    return None
