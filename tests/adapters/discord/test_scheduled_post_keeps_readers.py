"""Discord: a scheduled prompt Discord takes in a private channel the bot is stored as out of
clears that flag and keeps the channel's readers. Through the real discord.py client against
the fake gateway, with real storage.

Found in review: the scheduler's "the platform took the post, so the bot is in it" cleared
``bot_left`` through ``channel_sharing.keep_now``, which always forgot the readers learned while
the bot was out (``back_in``): right on Slack, which tells of nobody leaving then, wrong on
Discord, where access is read off roles and overwrites sent in or out (the reason the bot's
"back in" events kept them). There the channel's readers lost its narrations until their next
command in it. Now the gateway says its readers stand (``ReadersKeptWhileOut``), the one source
both paths ask (``ports.readers_kept``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock

from .fake import ALICE, CAROL, GENERAL, FakeDiscord
from .test_bot_back_after_restart import LEFT, READERS
from .test_update_posts import _prompted


def _prompts(fake: FakeDiscord) -> list[int]:
    posted = fake.posted(f"/channels/{GENERAL}/messages")
    return [p.status for p in posted if "work out loud" in (p.body.get("content") or "")]


async def test_a_scheduled_post_in_a_channel_stored_as_left_keeps_its_readers(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await _prompted(fake, bot, clock, connect)  # #general's daily prompt (09:30 UTC) is out
    assert _prompts(fake) == [200]
    # Stored as a private channel the bot is out of, with the readers Discord's roles give it
    # (as a missed access event leaves it; Discord lets the bot post there all the same).
    async with bot.db.engine.begin() as conn:
        pk = await conn.scalar(text("SELECT id FROM channel WHERE channel_id = :c"), {"c": GENERAL})
        await conn.execute(
            text("UPDATE channel SET kind = 'private', bot_left = :left WHERE id = :pk"),
            {"left": True, "pk": pk},
        )
        for reader in (ALICE, CAROL):
            await conn.execute(
                text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:pk, :user)"),
                {"pk": pk, "user": reader["id"]},
            )

    await bot.run_due(clock.now() + timedelta(days=2))  # the next days' prompts

    assert _prompts(fake)[0] == 200 and len(_prompts(fake)) > 1
    assert set(_prompts(fake)) == {200}  # posted there: Discord took them
    async with bot.db.engine.connect() as conn:
        left = (await conn.execute(text(LEFT), {"c": GENERAL})).scalar()
        readers = [r[0] for r in (await conn.execute(text(READERS), {"c": GENERAL})).all()]
    assert not left  # the post says the bot is in it
    assert readers == sorted([ALICE["id"], CAROL["id"]])  # and its readers still read it
