"""A channel deleted while the process was down (no CHANNEL_DELETE reached it) is found gone at
the guild's first look, and told so as a live delete is: kept private with no readers
(``channels.channel_deleted``), so its stored readers don't keep its narrations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot

from .fake import ALICE, GENERAL, SECRET, FakeDiscord
from .test_bot_back_after_restart import READERS, _bot_left
from .test_bot_back_by_role import _eventually, _scalar
from .test_bot_lost_while_down import _stored_in


async def test_a_private_channel_deleted_while_the_process_was_down_has_no_readers(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    first = await connect(bot)
    await _stored_in(bot, GENERAL, SECRET)
    async with bot.db.engine.begin() as conn:  # #secret's readers, as learned over time
        pk = await conn.scalar(text("SELECT id FROM channel WHERE channel_id = :c"), {"c": SECRET})
        await conn.execute(
            text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:pk, :user)"),
            {"pk": pk, "user": ALICE["id"]},
        )
    await first.close()
    fake.guild["channels"] = [c for c in fake.guild["channels"] if c["id"] != SECRET]
    fake.guild["roles"][0]["permissions"] = "0"  # #general lost too: the first look's mark
    await connect(bot)
    await _bot_left(bot, GENERAL, True)

    async def no_readers() -> bool:
        return await _scalar(bot, READERS, c=SECRET) is None

    await _eventually(no_readers)


async def test_a_stored_place_discord_still_has_keeps_its_readers(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """Coverage: a stored place missing from the guild's channels that Discord still returns
    (an archived private thread isn't listed nor cached) is looked up, not taken as deleted."""
    first = await connect(bot)
    await _stored_in(bot, GENERAL, SECRET)
    async with bot.db.engine.begin() as conn:
        pk = await conn.scalar(text("SELECT id FROM channel WHERE channel_id = :c"), {"c": SECRET})
        await conn.execute(
            text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:pk, :user)"),
            {"pk": pk, "user": ALICE["id"]},
        )
    await first.close()
    fake.guild["channels"] = [c for c in fake.guild["channels"] if c["id"] != SECRET]
    archived = fake._thread(GENERAL, SECRET, "secret") | {"type": 12}
    archived["thread_metadata"]["archived"] = True
    fake.threads[SECRET] = archived
    await connect(bot)

    async def looked_up() -> bool:
        return bool(fake.posted(f"/channels/{SECRET}", "GET"))

    await _eventually(looked_up)
    assert await _scalar(bot, READERS, c=SECRET) == ALICE["id"]
