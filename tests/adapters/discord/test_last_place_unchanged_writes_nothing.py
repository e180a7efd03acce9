"""Where someone last used the bot (``last_place``) is written only when it changed: a use in
the channel already kept takes no write transaction (on SQLite a ``BEGIN IMMEDIATE`` ahead of
the reply), while a use where another channel is kept (another replica's), or after the row
was erased (a forget-me, ``test_last_place_kept_again_after_forget_me``), still writes.
Through the real discord.py client against the fake, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.storage import last_places

from .fake import CAROL, GENERAL, SECRET, FakeDiscord
from .test_last_channel_outlives_a_restart import _used_the_bot


async def _kept(bot: Bot) -> list[str]:
    async with bot.db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT channel_id FROM last_place"))
        return [str(channel) for (channel,) in rows]


async def test_a_use_where_the_last_place_is_already_kept_writes_nothing(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: Any
) -> None:
    await connect(bot)
    writes: list[str] = []
    real = last_places.keep

    async def counting(session: Any, **kw: Any) -> bool:
        writes.append(kw["channel_id"])
        return await real(session, **kw)

    monkeypatch.setattr(last_places, "keep", counting)
    await _used_the_bot(fake, CAROL, GENERAL)
    assert writes == [GENERAL] and await _kept(bot) == [GENERAL], "the first use is kept"

    for _ in range(3):
        await _used_the_bot(fake, CAROL, GENERAL)
    assert writes == [GENERAL], f"{len(writes) - 1} writes for an unchanged last place"

    async with bot.db.engine.begin() as conn:  # another replica kept another channel since
        await conn.execute(text("UPDATE last_place SET channel_id = :c"), {"c": SECRET})
    await _used_the_bot(fake, CAROL, GENERAL)
    assert writes == [GENERAL, GENERAL] and await _kept(bot) == [GENERAL], "written again"
