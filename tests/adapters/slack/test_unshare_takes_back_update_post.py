"""A form update made "only me" again by ``/narrate unshare`` is deleted from its prompt's
thread on Slack, through the real Bolt app and slack_sdk against the fake Web API: one
``chat.delete`` of the post, and nothing posted when it is shared again. A delete Slack refuses
for now is tried again by the orphaned posts' repair.

Before, the post stayed in the channel's thread after its author made the words their own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.test_orphan_update_posts import _deletes, _scalar
from tests.adapters.slack.test_update_posts import (
    TENANT_WIDE,
    _posted_in,
    _prompt_ts,
    _said,
    _submit,
)


async def _posted_once_only_mine(slack) -> tuple[str, str]:
    """ada's workspace update posted in the prompt's thread, whose audience before sharing says
    "only me" (a row no command of this version makes); the thread and the post's ts."""
    thread = await _prompt_ts(slack)
    assert "Posted in the prompt's thread in #team." in await _submit(
        slack, "salary talk stalls", TENANT_WIDE
    )
    ts = f"1700000000.{len(slack.fake.called('chat.postMessage')):06d}"
    async with slack.db.engine.begin() as conn:
        await conn.execute(text("UPDATE narration SET audience_before_sharing = 'only_me'"))
    return thread, ts


async def test_the_post_is_deleted_and_sharing_again_posts_nothing(slack):
    thread, ts = await _posted_once_only_mine(slack)
    told = await _said(slack, "unshare 1")
    assert "it's visible only to you." in told
    assert "I took it out of the prompt's thread in #team" in told
    assert _deletes(slack) == [("C1", ts, None)]
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post") == 0
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0
    assert "now visible to everyone" in await _said(slack, "share 1")
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=5))
    assert len(_posted_in(slack, thread)) == 1  # the one post, deleted; none since


async def test_a_delete_refused_for_now_is_tried_again(slack):
    _, ts = await _posted_once_only_mine(slack)
    slack.fake.failures["chat.delete"] = "ratelimited"
    told = await _said(slack, "unshare 1")
    assert "I couldn't take it out of the prompt's thread in #team just now" in told
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 1
    del slack.fake.failures["chat.delete"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=1))
    assert _deletes(slack)[-1] == ("C1", ts, None)
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0
