"""An orphaned update post Discord refuses to delete (403 Missing Access: the bot may no longer
see the channel) is not tried again within the week, through the real discord.py client against
the fake REST API, and is tried a week on (access may have been given back); a 5xx keeps its
back-off. Before 9d6c897 the refusal was tried every six hours for good, with a warning each
time; after it, never again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot.app import Bot

from .fake import FakeDiscord
from .test_update_posts import _prompted, _submit

OLD_DELETE = "DELETE FROM narration"  # the older version's /narrate delete of the only one


async def _orphaned(fake: FakeDiscord, bot: Bot, clock, connect) -> str:
    """carol's update posted in the prompt's thread, then deleted by the older version."""
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "shipped the importer")
    async with bot.db.engine.begin() as conn:
        await conn.execute(text(OLD_DELETE))
    return thread


def _deletes(fake: FakeDiscord, thread: str) -> int:
    return len(fake.posted(f"/channels/{thread}/messages/", "DELETE"))


async def test_missing_access_is_not_tried_within_the_week(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    thread = await _orphaned(fake, bot, clock, connect)
    fake.fail(
        "DELETE", r"/messages/\d+$", 403, {"message": "Missing Access", "code": 50001}, times=9
    )
    now = clock.now()
    for hours in (0, 1, 7, 13, 25):
        await bot.run_due(now + timedelta(hours=hours))
    assert _deletes(fake, thread) == 1
    async with bot.db.engine.connect() as conn:
        given_up = await conn.execute(
            text("SELECT count(*) FROM update_post_orphan WHERE refused_at IS NOT NULL")
        )
        assert given_up.scalar() == 1


async def test_a_server_error_is_tried_again(fake: FakeDiscord, bot: Bot, clock, connect):
    thread = await _orphaned(fake, bot, clock, connect)
    fake.fail("DELETE", r"/messages/\d+$", 500, {"message": "oops", "code": 0}, times=1)
    now = clock.now()
    await bot.run_due(now)
    await bot.run_due(now + timedelta(minutes=3))
    assert _deletes(fake, thread) == 2
    async with bot.db.engine.connect() as conn:
        left = await conn.execute(text("SELECT count(*) FROM update_post_orphan"))
        assert left.scalar() == 0


async def test_missing_access_given_back_is_tried_a_week_on(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    thread = await _orphaned(fake, bot, clock, connect)
    fake.fail(
        "DELETE", r"/messages/\d+$", 403, {"message": "Missing Access", "code": 50001}, times=1
    )
    now = clock.now()
    await bot.run_due(now)
    # A moderator gives the bot its access back: Discord says nothing of it to the bot.
    await bot.run_due(now + timedelta(days=6))
    assert _deletes(fake, thread) == 1
    await bot.run_due(now + timedelta(days=7, minutes=1))
    assert _deletes(fake, thread) == 2
    async with bot.db.engine.connect() as conn:
        left = await conn.execute(text("SELECT count(*) FROM update_post_orphan"))
        assert left.scalar() == 0
