"""The core's sentences name commands as Discord spells them, and people's words stay theirs.

The core writes ``/narrate pause 2w`` for every platform; on Discord that is
``/narrate-settings pause duration: 2w``. The wording comes from the commands table, and text
the core quotes from people (evidence, questions, a form handed back, the lines of ``mine``, a
digest's questions) is never rewritten.
"""

from __future__ import annotations

import pytest

from narrate_bot_adapters.discord.commands import GROUPS
from narrate_bot_adapters.discord.wording import _FORMS, _TYPED, discord_text

CORE_SENTENCES = [
    (
        "If you meant to pause, use /narrate pause 2w (or 3d, 8h).",
        "If you meant to pause, use /narrate-settings pause duration: 2w (or 3d, 8h).",
    ),
    (
        "Your last 2 narrations:\nChange one with /narrate edit <id> <text>, or remove it with "
        "/narrate delete <id>.",
        "Your last 2 narrations:\nChange one with /narrate-privacy edit id: <id> text: <text>, "
        "or remove it with /narrate-privacy delete id: <id>.",
    ),
    ("(/narrate mine lists the ids).", "(/narrate-privacy mine lists the ids)."),
    ("Which introduction? For example /narrate intros met 3.",
     "Which introduction? For example /narrate-intros met number: 3."),
    ("Undo with /narrate unhide-me kafka.", "Undo with /narrate-topics unhide-me topic: kafka."),
    ("(/narrate reply 4)", "(/narrate-schedules reply id: 4)"),
    ("To go ahead: /narrate forget-me confirm", "To go ahead: /narrate-privacy forget-me-confirm"),
    ("Ask /narrate who kafka for an answer only you see",
     "Ask /whoknows topic: kafka for an answer only you see"),
    ("/narrate intros same-team on lets two people of one team be introduced",
     "/narrate-intros same-team state: on lets two people of one team be introduced"),
    ("Write /narrate schedule managers admins (or members).",
     "Write /narrate-schedules managers who: admins (or members)."),
    ("/narrate schedule #team weekdays 16:30 sets one up.",
     "/narrate-schedules add channel: #team when: weekdays 16:30 sets one up."),
    ("/narrate schedule list shows them", "/narrate-schedules list shows them"),
    ("/narrate remind me weekdays 16:30 sets one, /narrate remind off stops it.",
     "/narrate-schedules remind-me when: weekdays 16:30 sets one, "
     "/narrate-schedules remind-off stops it."),
    ("/narrate never-pair remove <@4001> undoes it.",
     "/narrate-intros never-pair-remove person: <@4001> undoes it."),
    ("/narrate workspace-timezone Europe/Berlin.",
     "/narrate-schedules server-timezone zone: Europe/Berlin."),
    ("/narrate intros help lists the rest.",
     "/narrate-settings help command: intros lists the rest."),
    ("or use /narrate intros.", "or use /narrate-intros mine."),
    ("Try /narrate <what you're on>.", "Try /narrate text: <what you're on>."),
    ("/narrate help lists everything.", "/narrate-settings help lists everything."),
    ("or /narrate never-pair list.", "or /narrate-intros never-pair."),
    ("See it with /narrate remind.", "See it with /narrate-schedules remind-me."),
    # A narration typed as /narrate's text: that is what Discord takes.
    ("I don't know /narrate intros blah.", "I don't know /narrate text: intros blah."),
    # Not a command: left as the core wrote it.
    ("If you know about it, /narrate it so others can find you.",
     "If you know about it, /narrate it so others can find you."),
    ("e.g. /narrate text: pause 2w", "e.g. /narrate text: pause 2w"),
    # A sub-command newer than the table is not mistaken for the row it begins like.
    ("/narrate schedule unskip <date> undoes it.",
     "/narrate-schedules unskip dates: <date> undoes it."),
    ("/narrate schedule holidays <date> undoes it.",
     "/narrate text: schedule holidays <date> undoes it."),
    ("/narrate never-pair <@4001>", "/narrate-intros never-pair person: <@4001>"),
    ("I answer to /narrate; /narrate-settings help",
     "I answer to /narrate; /narrate-settings help"),
]  # fmt: skip


@pytest.mark.parametrize(("core", "discord"), CORE_SENTENCES)
def test_the_cores_commands_read_as_discords(core, discord):
    assert discord_text(core) == discord


PEOPLES_WORDS = [
    # who-knows evidence and profiles quote narrations in “…”
    "Who knows about “kafka”:\n1. <@4000>\n   • “tip: /narrate pause 2w before leave” (today)",
    # the lines of mine: #n, date, where, the narration itself
    "Your last 1 narration:\n#1  Nov 23  #general  /narrate mine is broken for me",
    # a digest's open questions
    "Open questions someone here could help with:\n• <@4000>: does /narrate join page people?",
    # a form handed back
    "Here is what you wrote:\n> /narrate share 3 later\n> and /narrate leave",
]


@pytest.mark.parametrize("text", PEOPLES_WORDS)
def test_what_people_wrote_is_never_rewritten(text):
    assert discord_text(text) == text


def test_the_mine_footer_is_rewritten_but_not_the_narration_above_it():
    text = (
        "Your last 1 narration:\n#1  Nov 23  #general  try /narrate pause 2w\n"
        "Change one with /narrate edit <id> <text>."
    )
    assert discord_text(text) == (
        "Your last 1 narration:\n#1  Nov 23  #general  try /narrate pause 2w\n"
        "Change one with /narrate-privacy edit id: <id> text: <text>."
    )


def test_every_command_named_is_one_discord_has():
    """The wording is derived from the table: each command it writes is registered."""
    registered = {f"/{name} {sub.name}" for name, (_, subs) in GROUPS.items() for sub in subs}
    registered |= {"/narrate", "/whoknows"}
    options = {
        (f"/{name} {sub.name}", o.name)
        for name, (_, subs) in GROUPS.items()
        for sub in subs
        for o in sub.options
    } | {("/narrate", "text"), ("/whoknows", "topic")}
    for _, form in _FORMS:
        assert form.command in registered, form
        assert all((form.command, o.name) in options for o in form.options), form


def test_every_field_has_a_shape():
    """A new field says what the core writes for it (or ``None``: free text)."""
    names = {o.name for _, subs in GROUPS.values() for sub in subs for o in sub.options}
    assert names <= _TYPED.keys()
