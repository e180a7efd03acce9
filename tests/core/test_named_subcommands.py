"""A sub-command the platform's interface named (``CommandInvoked.command == "narrate team"``)
is that command: its argument is never guessed into a narration, while ``/narrate`` free text
keeps its grammar. Help names a platform's own commands when its adapter registered them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.events import ChannelKind, ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.features import help
from narrate_bot.routing import Command, parse_command, parse_named
from narrate_bot.storage.tables import Narration, Person

CONSOLE = TenantRef(platform=Platform.CONSOLE, tenant_id="local", name="local")
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)


@pytest.mark.parametrize(
    ("word", "arg", "expected"),
    [
        ("team", "Platform Infra Core Team", Command("team", "Platform Infra Core Team")),
        ("team", "retro went well, actions", Command("team", "retro went well, actions")),
        ("timezone", "Central European Time", Command("timezone", "Central European Time")),
        ("pause", "until someday", Command("pause", "until someday")),
        ("profile", "Alice Smith", Command("profile", "Alice Smith")),
        ("remind", "me to call the vendor", Command("remind", "me to call the vendor")),
        ("reply", "templates are done", Command("reply", "templates are done")),
        ("schedule", "general every morning", Command("schedule", "general every morning")),
        ("edit", "three new text", Command("help", "edit")),
        ("edit", "3 new  text", Command("edit", "new text", ordinal=3)),
        ("hide-me", "", Command("hide_me", "")),
        ("never-pair", "list", Command("never_pair", hint="list")),
        ("intros", "met 2", Command("intros_met", ordinal=2)),
        ("who", "kafka?", Command("who", "kafka")),
        ("join", "", Command("join")),
        ("team", "help", Command("help", "team")),
        ("no-such-thing", "x", Command("help", "no-such-thing")),
    ],
)  # fmt: skip
def test_a_named_sub_command_is_never_a_narration(word, arg, expected):
    assert parse_named(word, arg) == expected


@pytest.mark.parametrize(
    "text",
    ["team retro went well, actions filed", "timezone handling fixed for DST", "pause the rollout"],
)
def test_free_text_keeps_its_grammar(text):
    assert parse_command(text).action == "narrate"


def _command(command: str, text: str, clock) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"{command}-{text}",
        tenant=CONSOLE,
        user=UserRef(user_id="alice", display_name="alice"),
        channel=GENERAL,
        occurred_at=clock.now(),
        command=command,
        text=text,
    )


async def _stored(db) -> tuple[list[str], list[tuple[str, str | None, str | None]]]:
    async with db.transaction() as session:
        texts = [n.text for n in (await session.exec(select(Narration))).all()]
        people = [
            (p.consent, p.team, p.timezone) for p in (await session.exec(select(Person))).all()
        ]
    return texts, people


async def test_a_bad_value_gets_the_commands_answer_and_nothing_is_kept(bot, clock, db):
    [reply] = await bot.handle(_command("narrate timezone", "Central European Time", clock))
    assert reply.text.startswith("'Central European Time' isn't a time zone I know.")
    [reply] = await bot.handle(_command("/narrate pause", "until someday", clock))
    assert "couldn't read 'someday' as a date" in reply.text
    assert await _stored(db) == ([], [])


async def test_a_long_team_name_sets_the_team(bot, clock, db):
    [reply] = await bot.handle(_command("narrate team", "Platform Infrastructure Core Team", clock))
    assert reply.text == "Your team is now Platform Infrastructure Core Team."
    assert await _stored(db) == ([], [("none", "Platform Infrastructure Core Team", None)])


async def test_the_same_words_as_narrate_text_are_still_a_narration(bot, clock, db):
    [reply] = await bot.handle(_command("narrate", "timezone Central European Time", clock))
    assert reply.text.startswith("Noted as #1.")
    assert "If you meant to set your time zone" in reply.text


async def test_other_commands_are_still_unknown(bot, clock):
    [reply] = await bot.handle(_command("deploy now", "", clock))
    assert reply.text.startswith("I don't know the command /deploy now.")


async def test_help_names_a_platforms_registered_commands(bot, clock, monkeypatch):
    [plain] = await bot.handle(_command("narrate", "help", clock))
    # Help's last line says how to ask about one command (and, off Discord, that a DM needs no
    # /narrate).
    assert plain.text == help.HELP + " In a DM, skip /narrate; /narrate help <command> shows one."
    monkeypatch.setitem(
        help._NAMES,
        Platform.CONSOLE,
        help.CommandNames(("/settings team [name]: your team", "/ask <topic>"), "/settings help"),
    )
    [named] = await bot.handle(_command("narrate", "help", clock))
    first, *_, last = help.HELP.splitlines()
    assert named.text == "\n".join(
        [
            first,
            "/settings team [name]: your team",
            "/ask <topic>",
            f"{last} /settings help <command> shows one.",
        ]
    )
    [about] = await bot.handle(_command("narrate team", "help", clock))
    assert about.text == "/settings team [name]: your team\n/settings help lists everything."
