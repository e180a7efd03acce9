"""A question is kept before its post goes out, so a second click finds it and posts nothing.
When the process posting it died in between, the asker who clicked again was told "Already
posted in #questions" for five minutes about a question nobody could see, and asking after that
left the dead one listed as open beside the new one. Now a click while it is being posted says
so, and when asking again will post it; asking then posts it, once, under the same row.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.storage.question_tables import OpenQuestion

POSTED = "is looking for someone who knows about"
CLICK = "zoe: /narrate ask-channel <#questions> cobol mainframes"


class _Held:
    """A gateway whose posts wait until released, as a slow platform's (or a dying process's)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def post(self, tenant: Any, post: Any) -> str:
        self.started.set()
        await self.release.wait()
        return str(await self.inner.post(tenant, post))

    async def update(self, tenant: Any, message_id: str, post: Any) -> None:
        await self.inner.update(tenant, message_id, post)

    async def delete(self, tenant: Any, channel_id: str, message_id: str, **more: Any) -> None:
        await self.inner.delete(tenant, channel_id, message_id, **more)


async def _rows(db: Any) -> list[OpenQuestion]:
    async with db.transaction() as session:
        return list((await session.exec(select(OpenQuestion))).all())


async def test_a_click_after_the_posting_process_died_says_so_then_posts(chat, bot, db):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    console = bot.gateways[Platform.CONSOLE]
    held = bot.gateways[Platform.CONSOLE] = _Held(console)
    clicking = asyncio.create_task(chat.say(CLICK))
    await asyncio.wait_for(held.started.wait(), 10)
    clicking.cancel()  # the process dies while the post is going out
    await asyncio.gather(clicking, return_exceptions=True)
    bot.gateways[Platform.CONSOLE] = console
    [kept] = await _rows(db)
    assert kept.post_message_id is None

    await chat.say(":advance 1m")
    again = await chat.say(CLICK)
    assert "Already posted" not in again and POSTED not in again
    assert (
        "I'm still posting your question in #questions, so I didn't post it again. If it isn't "
        "there in 5 minutes, ask again then and I'll post it."
    ) in again
    await chat.say(":advance 3m")
    assert "If it isn't there in 2 minutes" in await chat.say(CLICK)
    await chat.say(":advance 2m")  # as promised
    assert "[#questions] @zoe " + POSTED in await chat.say(CLICK)
    [posted] = await _rows(db)  # the same row, now with its post: listed once in digests
    assert posted.id == kept.id and posted.post_message_id
    assert "Already posted in #questions" in await chat.say(CLICK)


async def test_a_second_click_while_the_first_is_posting_posts_nothing(chat, bot, db):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    console = bot.gateways[Platform.CONSOLE]
    held = bot.gateways[Platform.CONSOLE] = _Held(console)
    first = asyncio.create_task(chat.say(CLICK))
    await asyncio.wait_for(held.started.wait(), 10)
    second = await chat.say(CLICK)
    assert "I'm still posting your question in #questions" in second
    assert "Already posted" not in second and POSTED not in second
    held.release.set()
    assert "[#questions] @zoe " + POSTED in await first
    [row] = await _rows(db)
    assert row.post_message_id
    assert (await chat.say(CLICK)).count(POSTED) == 0
