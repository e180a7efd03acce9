"""With the bot in several servers, a DM answering someone begins with the server it is about,
as every DM the bot sends does (README, "From the **<server>** server:").

Every server shares one DM conversation with a person: a private answer to a mention, or the
"Noted as #N" for a thread reply, would otherwise read as coming from any of them, and its
numbers (typed in the server they belong to) as the wrong server's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.config import Settings

from .conftest import FAST, until
from .fake import ALICE, BOT, GENERAL, FakeDiscord, guild, member

TO_ALICE = f"/channels/8{ALICE['id']}/messages"


async def _join_a_second_server(fake: FakeDiscord, client: Any) -> None:
    other = guild()
    other.update(id="2001", name="Globex", channels=[], members=[member(BOT, [])])
    other["roles"] = [dict(other["roles"][0], id="2001")]
    await fake.dispatch("GUILD_CREATE", other)
    await until(lambda: client.get_guild(2001) is not None)


async def test_a_private_answer_to_a_mention_names_its_server(fake, bot: Bot, connect):
    client = await connect(bot)
    await _join_a_second_server(fake, client)

    await fake.say(f"<@{BOT['id']}> who knows about vault?", who=ALICE, mentions=[BOT])

    await until(lambda: fake.posted(TO_ALICE))
    [dm] = fake.posted(TO_ALICE)
    assert dm.body["content"].startswith("From the **Acme** server:\n"), dm.body["content"]


async def test_the_noted_dm_for_a_thread_reply_names_its_server(fake, bot: Bot, clock, connect):
    client = await connect(bot, Settings(discord=FAST.model_copy(update={"message_content": True})))
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "add", "type": 1, "options": [
            {"name": "channel", "type": 3, "value": f"<#{GENERAL}>"},
            {"name": "when", "type": 3, "value": "daily 09:30 UTC"},
        ]},
    ]}  # fmt: skip
    await fake.answer(await fake.interaction(2, data, admin=True))
    await bot.run_due(clock.now() + timedelta(days=1))
    [opened] = fake.posted("/threads")
    thread_id = opened.path.split("/")[4]
    thread = fake.thread(GENERAL, thread_id, "What are you working on?")
    await fake.dispatch("THREAD_CREATE", thread | {"newly_created": True})
    await fake.answer(await fake.slash("narrate-settings", sub="join", who=ALICE))
    await _join_a_second_server(fake, client)

    await fake.say("fixed the kafka lag alert", who=ALICE, channel=thread_id)

    await until(lambda: fake.posted(TO_ALICE))
    [dm] = fake.posted(TO_ALICE)
    assert dm.body["content"].startswith("From the **Acme** server:\nNoted as #1."), dm.body


async def test_in_one_server_a_private_answer_is_not_headed(fake, bot: Bot, connect):
    await connect(bot)

    await fake.say(f"<@{BOT['id']}> who knows about vault?", who=ALICE, mentions=[BOT])

    await until(lambda: fake.posted(TO_ALICE))
    [dm] = fake.posted(TO_ALICE)
    assert not dm.body["content"].startswith("From the"), dm.body["content"]
