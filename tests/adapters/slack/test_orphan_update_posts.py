"""A form update's post whose narration an older narrate-bot deleted is removed from Slack by
the scheduler, through the real Bolt app and slack_sdk against the fake Web API: a
``chat.delete`` of the post. Slack's failure leaves it for a later wake-up (twice as long each
time), never forgotten; a post already gone (``message_not_found``) counts as deleted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.test_update_posts import _posted_in, _prompt_ts, _said, _submit

# The older version's /narrate delete (before migration 0025): it doesn't know update_post.
OLD_DELETE = "DELETE FROM narration WHERE id = :narration"


async def _scalar(db, statement: str, **values) -> object:
    async with db.engine.connect() as conn:
        return (await conn.execute(text(statement), values)).scalar()


async def _posted_then_deleted_by_old_version(slack) -> str:
    """ada's update posted in the prompt's thread, its narration then deleted by the older
    version; the post's ts."""
    thread = await _prompt_ts(slack)
    assert "Posted in the prompt's thread" in await _submit(slack, "shipped the importer")
    [post] = _posted_in(slack, thread)
    assert "ada wrote an update:" in post["text"]
    ts = f"1700000000.{len(slack.fake.called('chat.postMessage')):06d}"
    [narration] = await slack.narrations()
    async with slack.db.engine.begin() as conn:
        await conn.execute(text(OLD_DELETE), {"narration": narration.id})
    return ts


def _deletes(slack) -> list[tuple[str, str, str | None]]:
    """Every chat.delete asked of Slack: channel, ts, and the error it was answered with."""
    return [
        (c.params["channel"], c.params["ts"], c.error)
        for c in slack.fake.calls
        if c.method == "chat.delete"
    ]


async def test_the_post_is_deleted_once_slack_lets_it_and_not_before(slack):
    ts = await _posted_then_deleted_by_old_version(slack)
    assert _deletes(slack) == []
    bot = slack.adapter.bot
    slack.fake.failures["chat.delete"] = "internal_error"
    now = bot.clock.now()
    await bot.run_due(now)
    assert _deletes(slack) == [("C1", ts, "internal_error")]
    del slack.fake.failures["chat.delete"]
    await bot.run_due(now + timedelta(minutes=1))  # its wait (2 minutes) isn't over
    assert len(_deletes(slack)) == 1
    await bot.run_due(now + timedelta(minutes=3))
    assert _deletes(slack) == [("C1", ts, "internal_error"), ("C1", ts, None)]
    await bot.run_due(now + timedelta(hours=1))
    assert len(_deletes(slack)) == 2  # done: never asked again
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0


async def test_a_post_already_gone_counts_as_deleted(slack):
    ts = await _posted_then_deleted_by_old_version(slack)
    slack.fake.failures["chat.delete"] = "message_not_found"
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now())
    assert _deletes(slack) == [("C1", ts, "message_not_found")]
    await bot.run_due(bot.clock.now() + timedelta(hours=12))
    assert len(_deletes(slack)) == 1
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0


async def test_a_post_this_version_couldnt_delete_is_tried_again(slack):
    """``/narrate delete`` still deletes the post at once and says so when Slack refuses; the
    place its narration's delete kept is tried again by the scheduler, where it was lost."""
    thread = await _prompt_ts(slack)
    await _submit(slack, "shipped the importer")
    [_post] = _posted_in(slack, thread)
    ts = f"1700000000.{len(slack.fake.called('chat.postMessage')):06d}"
    slack.fake.failures["chat.delete"] = "internal_error"
    told = await _said(slack, "delete 1")
    assert "Deleted #1." in told and "I couldn't remove its post in the prompt's thread" in told
    assert _deletes(slack) == [("C1", ts, "internal_error")]
    del slack.fake.failures["chat.delete"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=1))
    assert _deletes(slack)[1:] == [("C1", ts, None)]
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0
