"""A form update whose post in the prompt's thread failed for a passing reason is posted by a
later scheduler tick, once, through the real Bolt app and slack_sdk against the fake Web API.

Before, Slack answering ``chat.postMessage`` with an error it took nothing for
(``ratelimited``) or ``conversations.info`` failing right before the post left the update kept
and never posted ("I couldn't post it … just now", or even "it's shared with another
organisation", which was not true). Now the author reads that it will be tried again, the tick
posts it within minutes, never twice, and an edit made meanwhile is what gets posted. After the
last try fails, the author is told by DM that it stays unposted.
"""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_stale_forms import click, submission
from tests.adapters.slack.test_update_posts import _posted_in, _prompt_ts, _said, _submit


async def _ticks(slack: SlackEnv, minutes: int) -> None:
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=minutes))


async def test_a_refused_post_goes_out_at_a_later_tick_once(slack):
    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    told = await _submit(slack, "shipped the importer")
    assert "Noted as #1" in told
    assert (
        "I couldn't post it in the prompt's thread in #team just now; I'll try again in a few "
        "minutes. Your update is kept all the same." in told
    )
    del slack.fake.failures["chat.postMessage"]
    assert "still going out; it will show the new text" in (
        await _said(slack, "edit 1 shipped the importer, with docs")
    )
    await _ticks(slack, 3)
    posted = [c for c in slack.fake.called("chat.postMessage") if c.error is None]
    in_thread = [c.params for c in posted if c.params.get("thread_ts") == thread]
    assert len(in_thread) == 1
    assert "shipped the importer, with docs" in in_thread[0]["text"]
    await _ticks(slack, 120)
    posted = [c for c in slack.fake.called("chat.postMessage") if c.error is None]
    assert len([c for c in posted if c.params.get("thread_ts") == thread]) == 1
    # Its id was kept: a delete reaches it.
    assert "Its post in the prompt's thread is removed too." in await _said(slack, "delete 1")
    assert len(slack.fake.called("chat.delete")) == 1


async def test_an_unanswered_sharing_check_is_asked_again_not_called_shared(slack):
    thread = await _prompt_ts(slack)
    await slack.interaction(click("/narrate reply 1", channel="C1", trigger="t-0"))
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[-1].params["view"]
    # Slack answers the form's access check, then fails the check right before the post.
    slack.fake.failures_after["conversations.info"] = (1, "internal_error")
    status, _, _ = await slack.interaction(submission(view, "fixed the invoice export", 0))
    assert status == 200
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    told = str(slack.fake.called("chat.postEphemeral")[-1].params["text"])
    assert "shared with another organisation. Your update is kept." not in told
    assert (
        "I couldn't post it in the prompt's thread in #team just now: I couldn't check whether "
        "it's shared with another organisation; I'll try again in a few minutes." in told
    )
    assert _posted_in(slack, thread) == []
    del slack.fake.failures_after["conversations.info"]
    await _ticks(slack, 3)
    [post] = _posted_in(slack, thread)
    assert "fixed the invoice export" in post["text"]


async def test_a_post_refused_every_time_is_given_up_and_the_author_told(slack):
    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    await _submit(slack, "shipped the importer")
    await _ticks(slack, 120)
    tries = [c for c in slack.fake.called("chat.postMessage") if c.error is not None]
    assert len([c for c in tries if c.params.get("thread_ts") == thread]) == 5  # 1 + 4 ticks
    del slack.fake.failures["chat.postMessage"]
    await _ticks(slack, 120)
    assert not [
        c
        for c in slack.fake.called("chat.postMessage")
        if c.error is None and c.params.get("thread_ts") == thread
    ]
    dms = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    assert any(
        "I couldn't post your update #1 in the prompt's thread in #team after several tries"
        in str(d)
        for d in dms
    )


async def test_a_tick_that_dies_after_posting_never_posts_it_again(slack, monkeypatch):
    """The platform took the retried post, then saving its id failed (the process killed, the
    database gone): the next ticks must not post it a second time."""
    from sqlalchemy.exc import OperationalError

    from narrate_bot.storage import update_posts as store

    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    await _submit(slack, "shipped the importer")
    del slack.fake.failures["chat.postMessage"]
    real = store.keep

    async def dies(*args, **kwargs):
        monkeypatch.setattr(store, "keep", real)
        raise OperationalError("UPDATE update_post", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "keep", dies)
    await _ticks(slack, 3)
    await _ticks(slack, 240)
    posted = [c for c in slack.fake.called("chat.postMessage") if c.error is None]
    assert len([c for c in posted if c.params.get("thread_ts") == thread]) == 1


async def test_a_retry_waiting_when_updates_are_turned_off_tells_the_author(slack):
    """The author read "I'll try again"; an admin then turned the channel's updates off. The
    retry is dropped (no post turns up in the thread later) and the author is told by DM, as
    when the tries run out. Before, it was dropped without a word."""
    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    assert "I'll try again in a few minutes" in await _submit(slack, "shipped the importer")
    del slack.fake.failures["chat.postMessage"]
    assert "no longer posted in its thread" in await _said(slack, "schedule updates <#C1|team> off")
    await _ticks(slack, 120)
    posted = [c.params for c in slack.fake.called("chat.postMessage") if c.error is None]
    assert [p for p in posted if p.get("thread_ts") == thread] == []
    dms = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    assert [d["text"] for d in dms] == [
        "I couldn't post your update #1 in the prompt's thread in #team as updates there were "
        "turned off since, so it isn't there. It is kept as your narration all the same."
    ]
