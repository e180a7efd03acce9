"""A form update made "only me" again by ``/narrate unshare`` is deleted from its prompt's
thread on Discord, through the real discord.py client against the fake REST API, and nothing is
posted when it is shared again; a delete refused then is tried again by the orphaned posts'
repair. Before, the post stayed in the thread after its author made the words their own.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot.app import Bot

from .fake import FakeDiscord
from .test_update_posts import _prompted, _said, _submit


async def _posted_once_only_mine(fake: FakeDiscord, bot: Bot, clock, connect) -> str:
    """carol's update posted in the prompt's thread, shared with the server, whose audience
    before sharing says "only me" (a row no command of this version makes); the thread."""
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "salary talk stalls")
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE narration SET audience = 'tenant', audience_before_sharing = 'only_me'")
        )
    return thread


async def _left(bot: Bot) -> tuple[int, int]:
    async with bot.db.engine.connect() as conn:
        posts = (await conn.execute(text("SELECT count(*) FROM update_post"))).scalar()
        places = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
    return int(posts or 0), int(places or 0)


async def test_the_post_is_deleted_and_sharing_again_posts_nothing(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    thread = await _posted_once_only_mine(fake, bot, clock, connect)
    told = await _said(fake, "unshare 1")
    assert "it's visible only to you." in told
    assert "I took it out of the prompt's thread in #general" in told
    assert len(fake.posted(f"/channels/{thread}/messages/", "DELETE")) == 1
    assert thread in fake.threads  # the prompt's thread stays
    assert await _left(bot) == (0, 0)
    assert "now visible to everyone" in await _said(fake, "share 1")
    await bot.run_due(clock.now() + timedelta(minutes=5))
    assert len(fake.posted(f"/channels/{thread}/messages")) == 1  # the one post; none since


async def test_a_delete_refused_then_is_tried_again(fake: FakeDiscord, bot: Bot, clock, connect):
    thread = await _posted_once_only_mine(fake, bot, clock, connect)
    # Refused once (the bot's permissions being changed); discord.py tries a 5xx again itself.
    fake.fail(
        "DELETE", r"/messages/\d+$", 403, {"message": "Missing Access", "code": 50001}, times=1
    )
    told = await _said(fake, "unshare 1")
    assert "I couldn't take it out of the prompt's thread in #general just now" in told
    assert await _left(bot) == (0, 1)
    await bot.run_due(clock.now() + timedelta(minutes=1))
    assert len(fake.posted(f"/channels/{thread}/messages/", "DELETE")) == 2
    assert await _left(bot) == (0, 0)
