"""Every core sub-command can be typed on Discord as a subcommand of its own.

Before, ``intros same-team``, ``schedule managers``, ``reply``, ``ask-channel``, ``forget-me
confirm``, ``never-pair remove`` and help about one command had no row: the core's replies named
them, and the only way to reach them was ``/narrate text:`` with the words. Each new row is driven
through the real client against the fake, and reaches the core command it names.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.discord.commands import GROUPS, core_text

from .fake import ALICE, BOB, GENERAL, OWNER, FakeDiscord
from .test_commands_table import SAMPLES

# The core's sub-commands, as the core's own replies and help write them (routing.py, app.py).
CORE_SUBCOMMANDS = [
    "help", "help intros", "mine", "edit", "delete", "share", "unshare", "export", "forget-me",
    "forget-me confirm", "join", "pause", "resume", "leave", "team", "timezone", "topics",
    "profile", "ask-me-about", "hide-me", "unhide-me", "ask-channel", "questions-channel",
    "schedule", "schedule list", "schedule remove", "schedule skip", "schedule skips",
    "schedule unskip", "schedule reminder",
    "schedule digest", "schedule managers", "schedule question", "remind me", "remind off", "reply",
    "workspace-timezone", "intros mine", "intros join", "intros leave", "intros skip",
    "intros met", "intros not-useful", "intros channel", "intros delivery", "intros same-team",
    "intros schedule", "never-pair", "never-pair list", "never-pair remove", "stats",
]  # fmt: skip


def _rows_as_core_words() -> set[str]:
    said = set()
    for _, subs in GROUPS.values():
        for sub in subs:
            text = core_text(sub, {o.name: SAMPLES[o.name] for o in sub.options})
            alone = core_text(sub, {})
            for words in (text, alone):
                said |= {" ".join(words.split()[:n]) for n in (1, 2)}
    return said


@pytest.mark.parametrize("words", CORE_SUBCOMMANDS)
def test_each_core_subcommand_has_a_discord_row(words):
    assert words in _rows_as_core_words()


async def _say(
    fake: FakeDiscord, group: str, sub: str, *, by: dict[str, Any] = ALICE, **options: Any
) -> str:
    """A subcommand with options as Discord sends them (``who`` and ``channel`` are also the
    fake's own words for the person and the channel, so ``fake.slash`` can't send them)."""
    typed = [
        {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items()
    ]
    data = {"id": "6000", "name": group, "type": 1,
            "options": [{"name": sub, "type": 1, "options": typed}]}  # fmt: skip
    answer = await fake.answer(await fake.interaction(2, data, who=by))
    return str(answer["data"].get("content"))


async def test_same_team_is_an_admins_setting(fake, bot: Bot, connect):
    await connect(bot)
    refused = await _say(fake, "narrate-intros", "same-team", by=BOB, state="on")
    assert "admin" in refused.lower() and "may now pair" not in refused
    on = await _say(fake, "narrate-intros", "same-team", by=OWNER, state="on")
    assert on == "Introductions may now pair two people of the same team."
    off = await _say(fake, "narrate-intros", "same-team", by=OWNER, state="off")
    assert off == "Introductions will only pair people of different teams."


async def test_schedule_managers_are_chosen_by_admins(fake, bot: Bot, connect):
    await connect(bot)
    refused = await _say(fake, "narrate-schedules", "managers", by=BOB, who="members")
    assert refused == "Only workspace admins can choose who manages schedules."
    out = await _say(fake, "narrate-schedules", "managers", by=OWNER, who="admins")
    assert out == "From now on only admins can change schedules."
    added = await _say(
        fake, "narrate-schedules", "add", by=BOB, channel=f"<#{GENERAL}>", when="daily 09:30"
    )
    assert "admin" in added.lower() and "#1" not in added, added


async def test_reply_opens_the_prompts_form_and_its_text_is_kept(fake, bot: Bot, connect):
    await connect(bot)
    added = await _say(
        fake, "narrate-schedules", "add", by=OWNER, channel=f"<#{GENERAL}>", when="daily 09:30"
    )
    assert "#1" in added, added
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "reply", "type": 1, "options": [{"name": "id", "type": 4, "value": 1}]},
    ]}  # fmt: skip
    modal = await fake.answer(await fake.interaction(2, data))
    assert modal["type"] == 9, modal  # a modal, Discord's form
    custom_id = modal["data"]["custom_id"]
    assert custom_id.startswith("narrate-form:")
    await fake.answer(await fake.submit(custom_id, "fixed the flaky importer test"))
    async with bot.db.transaction() as session:
        texts = [n.text for n in (await session.exec(select(Narration))).all()]
    assert texts == ["fixed the flaky importer test"]


async def test_ask_channel_posts_the_question_in_the_questions_channel(fake, bot: Bot, connect):
    await connect(bot)
    await _say(fake, "narrate-topics", "questions-channel", by=OWNER, channel="here")
    # Without a channel it is offered (a button's channel is the one its asker was shown).
    out = await _say(fake, "narrate-topics", "ask-channel", question="who runs the kafka upgrade?")
    assert out.startswith("Want me to post your question in #general"), out
    question = f"<#{GENERAL}> who runs the kafka upgrade?"
    out = await _say(fake, "narrate-topics", "ask-channel", question=question)
    assert out.startswith("Posted your question in #general"), out
    [posted] = [
        c
        for c in fake.posted(f"/channels/{GENERAL}/messages")
        if "kafka upgrade" in c.body.get("content", "")
    ]
    assert "about “who runs the kafka upgrade”" in posted.body["content"]


async def test_forget_me_confirm_erases(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="shipped the ledger importer"))
    asked = await _say(fake, "narrate-privacy", "forget-me")
    assert "confirm" in asked.lower()
    done = await _say(fake, "narrate-privacy", "forget-me-confirm")
    assert "erased" in done.lower() or "forgot" in done.lower(), done
    async with bot.db.transaction() as session:
        assert (await session.exec(select(Narration))).all() == []


async def test_never_pair_remove_undoes_a_never_pair(fake, bot: Bot, connect):
    await connect(bot)
    bob = f"<@{BOB['id']}>"
    await _say(fake, "narrate-intros", "never-pair", person=bob)
    assert bob in await _say(fake, "narrate-intros", "never-pair")
    removed = await _say(fake, "narrate-intros", "never-pair-remove", person=bob)
    assert bob in removed, removed
    assert "empty" in await _say(fake, "narrate-intros", "never-pair")


async def test_help_about_one_command(fake, bot: Bot, connect):
    await connect(bot)
    intros = await _say(fake, "narrate-settings", "help", command="intros")
    assert intros.startswith("Introductions:"), intros
    assert "/narrate-intros" in intros
    team = await _say(fake, "narrate-settings", "help", command="team")
    assert "/narrate-settings" in team and "team [name]" in team
    assert ALICE["id"] not in team


async def test_skipped_days_are_listed_and_taken_back(fake, bot: Bot, connect):
    await connect(bot)
    here = f"<#{GENERAL}>"
    await _say(fake, "narrate-schedules", "add", channel=here, when="daily 09:30 UTC")
    skipped = await _say(fake, "narrate-schedules", "skip", dates="2026-12-24..2026-12-26")
    assert "2026-12-24" in skipped
    listed = await _say(fake, "narrate-schedules", "skips")
    assert "2026-12-24" in listed and "2026-12-26" in listed
    back = await _say(fake, "narrate-schedules", "unskip", dates="2026-12-25", channel=here)
    assert "back on" in back
    listed = await _say(fake, "narrate-schedules", "skips", channel=here)
    assert "2026-12-24" in listed and "2026-12-25" not in listed.replace("2026-12-24", "")
