"""A grouped subcommand is that command, whatever is typed into its fields.

Someone who picks ``/narrate-settings team`` and types a long name has chosen the command: the
value must never be guessed into a narration that the channel's readers see (and that enrols
them). A value the command can't use gets its own friendly answer and nothing is stored. Options
are optional where the core answers the command alone, ids are whole numbers, and help names
the commands people can type on Discord. Driven through the real client against the fake.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration, Person

from .fake import ALICE, BOB, GENERAL, FakeDiscord


async def _say(fake: FakeDiscord, group: str, sub: str, **options: Any) -> str:
    who = options.pop("who", ALICE)
    answer = await fake.answer(await fake.slash(group, sub=sub, who=who, **options))
    return str(answer["data"]["content"])


async def _typed(fake: FakeDiscord, group: str, sub: str, options: list[dict[str, Any]]) -> str:
    """A subcommand with options typed as Discord sends them (``fake.slash`` sends strings)."""
    data = {
        "id": "6000",
        "name": group,
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": options}],
    }
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE, channel=GENERAL))
    return str(answer["data"]["content"])


async def _stored(bot: Bot) -> tuple[list[str], dict[str, tuple[str, str | None, str | None]]]:
    """Narration texts, and each person's (consent, team, time zone)."""
    async with bot.db.transaction() as session:
        texts = [n.text for n in (await session.exec(select(Narration))).all()]
        people = {
            p.user_id: (p.consent, p.team, p.timezone)
            for p in (await session.exec(select(Person))).all()
        }
    return texts, people


def _registered(fake: FakeDiscord) -> dict[tuple[str, str], dict[str, Any]]:
    """The subcommands as the client last registered them, by (group, subcommand)."""
    body = [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")][-1].body
    return {
        (command["name"], sub["name"]): sub
        for command in body
        for sub in command.get("options") or []
        if sub.get("type") == 1
    }


@pytest.mark.parametrize(
    ("group", "sub", "options", "answer"),
    [
        (
            "narrate-settings",
            "timezone",
            {"zone": "Central European Time"},
            "'Central European Time' isn't a time zone I know. Use an IANA name like Europe/Berlin",
        ),
        (
            "narrate-settings",
            "pause",
            {"duration": "until someday"},
            "I couldn't read 'someday' as a date",
        ),
        ("narrate-topics", "profile", {"person": "Alice Smith"}, "Whose profile?"),
        (
            "narrate-schedules",
            "remind-me",
            {"when": "every morning please"},
            "Write /narrate-schedules remind-me when: <days> <HH:MM>",
        ),
    ],
)
async def test_a_value_the_command_cant_use_gets_its_answer_and_nothing_is_kept(
    fake, bot, connect, group, sub, options, answer
):
    await connect(bot)
    out = await _say(fake, group, sub, **options)
    assert answer in out
    assert "Noted" not in out and "taking part" not in out
    texts, people = await _stored(bot)
    assert texts == []
    assert people.get(ALICE["id"], ("none", None, None)) == ("none", None, None)
    # Bob reads #general: nothing of what Alice typed is findable there.
    found = await _say(fake, "narrate-topics", "map", who=BOB)
    assert "central" not in found.lower() and "monday" not in found.lower()
    mine = await _say(fake, "narrate-privacy", "mine")
    assert mine.startswith("You haven't narrated anything yet")


@pytest.mark.parametrize("name", ["Platform Infrastructure Core Team", "payments, core"])
async def test_a_team_name_of_any_length_sets_the_team(fake, bot, connect, name):
    await connect(bot)
    out = await _say(fake, "narrate-settings", "team", name=name)
    assert out == f"Your team is now {name}."
    texts, people = await _stored(bot)
    assert texts == [] and people[ALICE["id"]][:2] == ("none", name)
    whoknows = await fake.answer(await fake.slash("whoknows", who=BOB, topic="infrastructure"))
    assert f"<@{ALICE['id']}>" not in whoknows["data"]["content"]


async def test_narration_numbers_are_whole_numbers_and_edit_changes_that_narration(
    fake, bot, connect
):
    await connect(bot)
    registered = _registered(fake)
    for key in [
        ("narrate-privacy", "edit"),
        ("narrate-privacy", "delete"),
        ("narrate-privacy", "share"),
        ("narrate-privacy", "unshare"),
        ("narrate-intros", "met"),
        ("narrate-intros", "not-useful"),
        ("narrate-schedules", "remove"),
    ]:
        number = registered[key]["options"][0]
        assert (number["type"], number["min_value"], number["required"]) == (4, 1, True), key
    await fake.answer(await fake.slash("narrate", text="ledger fix merged"))
    out = await _typed(
        fake,
        "narrate-privacy",
        "edit",
        [
            {"name": "id", "type": 4, "value": 1},
            {"name": "text", "type": 3, "value": "actually the ledger fix is blocked on legal"},
        ],
    )
    assert out == "Updated #1.\nIt said: “ledger fix merged”"
    texts, _ = await _stored(bot)
    assert texts == ["actually the ledger fix is blocked on legal"]


ALONE = [
    ("narrate-topics", "hide-me", "Which topic? /narrate-topics hide-me topic: <topic>"),
    ("narrate-topics", "unhide-me", "Which topic? /narrate-topics unhide-me topic: <topic>"),
    ("narrate-topics", "ask-me-about", "You haven't declared any topics"),
    ("narrate-topics", "questions-channel", "No open-questions channel is set up yet"),
    ("narrate-topics", "profile", "I have nothing about you yet"),
    ("narrate-settings", "team", "You haven't set a team"),
    ("narrate-intros", "never-pair", "Your never-pair list is empty"),
    ("narrate-schedules", "server-timezone", "time zone is not set (UTC)"),
    ("narrate-schedules", "remind-me", "You have no reminder."),
]


@pytest.mark.parametrize(("group", "sub", "answer"), ALONE, ids=[f"{g} {s}" for g, s, _ in ALONE])
async def test_commands_the_core_answers_alone_can_be_sent_without_a_value(
    fake, bot, connect, group, sub, answer
):
    await connect(bot)
    assert all(not o["required"] for o in _registered(fake)[(group, sub)]["options"])
    out = await _say(fake, group, sub)
    assert answer in out
    texts, _ = await _stored(bot)
    assert texts == []


async def test_alone_lists_what_you_declared_and_hid(fake, bot, connect):
    await connect(bot)
    await _say(fake, "narrate-topics", "hide-me", topic="payroll")
    await _say(fake, "narrate-topics", "ask-me-about", topics="kafka, rate limiting")
    assert "payroll" in await _say(fake, "narrate-topics", "hide-me")
    assert "kafka" in await _say(fake, "narrate-topics", "ask-me-about")


async def test_help_names_the_discord_commands(fake, bot, connect):
    await connect(bot)
    out = await _say(fake, "narrate-settings", "help")
    for command in (
        "/whoknows",
        "/narrate-settings",
        "/narrate-privacy",
        "/narrate-topics",
        "/narrate-schedules",
        "/narrate-intros",
    ):
        assert command in out
    assert "/narrate mine" not in out and "/narrate who <topic>" not in out
    assert "Narrations are only shown to people who could already read" in out
    # Help about one command, typed as /narrate words, names where it lives on Discord.
    about = await fake.answer(await fake.slash("narrate", text="help team"))
    content = about["data"]["content"]
    assert "/narrate-settings" in content and "team [name]" in content
    assert "/narrate-privacy" not in content


async def test_introduction_delivery_describes_one_dm_per_person(fake, bot, connect):
    await connect(bot)
    delivery = _registered(fake)[("narrate-intros", "delivery")]
    described = " ".join([delivery["description"], delivery["options"][0]["description"]])
    assert "group DM" not in described and "DM to each person" in described
