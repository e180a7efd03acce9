"""Slack: a reply to a person's event that a long rate limit refuses reaches them after it.

Signed requests into the real Bolt app, slack_sdk against the fake Web API, which answers
``chat.postMessage`` (and ``chat.postEphemeral``) with a 429 of an hour; the limiter's clock
moves with the bot's (``limiter_clock``), and the scheduler's tick (``Bot.run_due``) is run past
the hour. Before, the reply was refused at once (``RateLimited``), logged, and never sent:
Slack doesn't resend an event it got its 200 for, so the person never heard back. Now it is kept
in the scheduled sends' outbox and sent once the block has passed, once (two ticks racing for
it send it once), in the order they asked; and not to a private channel its asker has left
meanwhile, nor to their DM instead.
"""

from __future__ import annotations

import asyncio
import json
import math
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlmodel import func, select

from narrate_bot.storage.platform_store import SeenEvent
from narrate_bot.storage.schedule_tables import ScheduleSend
from tests.adapters.slack.conftest import SlackEnv, dm_event, eventually, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods, limiter_clock

HOUR = 3600


def _on_the_bots_clock(slack: SlackEnv) -> None:
    bot = slack.adapter.bot
    start = bot.clock.now()
    limiter_clock(slack.adapter.gateway, lambda: (bot.clock.now() - start).total_seconds())


async def _handled(slack: SlackEnv, count: int) -> None:
    """Wait until ``count`` events are done (the core answered, the answer dealt with)."""

    async def done() -> bool:
        async with slack.db.transaction() as session:
            found = await session.exec(
                select(func.count()).select_from(SeenEvent).where(SeenEvent.done)
            )
            return int(found.one()) >= count

    await eventually(done)


def _delivered(slack: SlackEnv, **where: Any) -> list[dict[str, Any]]:
    return [
        c.params
        for c in slack.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral")
        and c.status == 200
        and all(c.params.get(k) == v for k, v in where.items())
    ]


async def _after_the_block(slack: SlackEnv, seconds: float = HOUR) -> None:
    bot = slack.adapter.bot
    bot.clock.set(bot.clock.now() + timedelta(seconds=seconds + 60))
    await bot.run_due(bot.clock.now())


async def test_dm_answers_refused_during_the_block_arrive_after_it_once_in_order(slack):
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event("find kafka", "1763800000.000100"), "Ev-refused-1")
    await _handled(slack, 1)  # answered before the next is asked (PostgreSQL runs several)
    await slack.event(dm_event("mine", "1763800000.000200"), "Ev-refused-2")
    await _handled(slack, 2)
    assert _delivered(slack, channel="U1") == []  # refused during the block: nothing reached

    await slack.adapter.bot.run_due(slack.adapter.bot.clock.now())  # not due yet
    assert _delivered(slack, channel="U1") == []

    bot = slack.adapter.bot
    bot.clock.set(bot.clock.now() + timedelta(seconds=HOUR + 60))
    # Two ticks at once (two replicas): each reply is claimed, and sent, once.
    await asyncio.gather(bot.run_due(bot.clock.now()), bot.run_due(bot.clock.now()))
    await bot.run_due(bot.clock.now() + timedelta(minutes=5))
    answers = [str(p["text"]) for p in _delivered(slack, channel="U1")]
    assert len(answers) == 2, answers
    assert "I didn't keep this" in answers[0]  # "find kafka", asked first, answered first
    assert "haven't narrated anything yet" in answers[1]


async def test_a_later_answer_waits_behind_the_kept_ones(slack):
    """An answer to the same conversation while earlier ones wait is kept behind them, even
    once Slack takes posts again, so the person reads them in the order they asked."""
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event("find kafka", "1763800000.000100"), "Ev-wait-1")
    await _handled(slack, 1)
    bot = slack.adapter.bot
    bot.clock.set(bot.clock.now() + timedelta(seconds=HOUR + 60))  # open again, not yet sent
    await slack.event(dm_event("mine", "1763800000.000200"), "Ev-wait-2")
    await _handled(slack, 2)
    assert _delivered(slack, channel="U1") == []  # kept behind the first

    await bot.run_due(bot.clock.now())
    answers = [str(p["text"]) for p in _delivered(slack, channel="U1")]
    assert len(answers) == 2, answers
    assert "I didn't keep this" in answers[0]
    assert "haven't narrated anything yet" in answers[1]


async def test_a_command_answer_comes_through_its_response_url_after_the_block(slack):
    """A command answered privately whose ``response_url`` failed once (Slack's edge) and
    whose ephemeral post the block refuses: kept, then sent through the ``response_url``,
    still valid, rather than the Web API; never to the channel."""
    answered: list[dict[str, Any]] = []

    async def respond(request: web.Request) -> web.Response:
        answered.append(await request.json())
        return web.Response(status=500 if len(answered) == 1 else 200, text="ok")

    app = web.Application()
    app.router.add_post("/respond", respond)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/respond"
    try:
        _on_the_bots_clock(slack)
        # Ten minutes: the response_url (30 minutes) is still Slack's to take after it.
        await close_methods(slack, 600, "chat.postEphemeral", "chat.postMessage")
        status, _, _ = await slack.command("find kafka", channel="C1", response_url=url)
        assert status == 200
        await until(lambda: bool(answered))  # the one the edge failed: the work is under way
        await slack.adapter.drain(timeout=math.inf)
        assert len(answered) == 1
        await _after_the_block(slack, 600)
        assert len(answered) == 2
        assert answered[1]["response_type"] == "ephemeral"
        assert "find kafka" in str(answered[1]) or answered[1]["text"] == answered[0]["text"]
        assert _delivered(slack, channel="C1") == []  # neither widened nor sent twice
    finally:
        await runner.cleanup()


async def test_no_answer_to_someone_who_left_the_private_channel(slack):
    """Someone mentions the bot in a private channel during the block, then leaves it: the
    kept answer goes neither there nor to their DM. Someone still in it gets theirs."""
    slack.fake.channels["G1"] = {
        "id": "G1",
        "name": "secret",
        "is_private": True,
        "is_member": True,
    }
    slack.fake.members["G1"] = ["U1", "U2", "UBOT"]
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage", "chat.postEphemeral")
    for user, ts, event_id in (
        ("U1", "1763800000.000300", "Ev-g1"),
        ("U2", "1763800000.000400", "Ev-g2"),
    ):
        mention = {
            "type": "app_mention",
            "user": user,
            "channel": "G1",
            "channel_type": "group",
            "text": "<@UBOT> who knows about kafka?",
            "ts": ts,
        }
        await slack.event(mention, event_id)
    await _handled(slack, 2)
    slack.fake.members["G1"] = ["U2", "UBOT"]  # U1 left meanwhile

    await _after_the_block(slack)
    delivered = _delivered(slack)
    to_u1 = [
        p
        for p in delivered
        if p.get("channel") == "U1"
        or p.get("user") == "U1"
        or p.get("thread_ts") == "1763800000.000300"
    ]
    assert to_u1 == []  # not in the channel they left, not privately there, not by DM
    # U2, still in it: the answer in their thread, and the note only they see.
    assert [(p.get("thread_ts"), p.get("user")) for p in delivered] == [
        ("1763800000.000400", None),
        (None, "U2"),
    ]
    assert await _pending(slack) == []


async def _said(slack: SlackEnv, text: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, channel="C5", channel_name="general")
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_a_kept_answer_is_exported_and_goes_with_forget_me(slack):
    """A kept answer is the person's: their export lists it (where, when due), and their
    forget-me drops it, so it never arrives after they were forgotten."""
    assert "Noted" in await _said(slack, "shipped the importer")  # they narrate: enrolled
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event("find kafka", "1763800000.000100"), "Ev-kept-1")
    await _handled(slack, 1)

    uploads = len(slack.fake.uploads)
    assert "Here is everything I store about you" in await _said(slack, "export")
    await until(lambda: len(slack.fake.uploads) > uploads)
    exported = json.loads(slack.fake.uploads[-1])
    [kept] = exported["replies_kept_for_later"]
    assert kept["conversation"] == "D1"
    assert exported["reminder_deliveries"] == []  # not a reminder

    await _said(slack, "forget-me")
    assert "Done" in await _said(slack, "forget-me confirm")
    await _after_the_block(slack)
    assert _delivered(slack, channel="U1") == []
    assert await _pending(slack) == []


async def _pending(slack: SlackEnv) -> list[int]:
    async with slack.db.transaction() as session:
        found = await session.exec(select(ScheduleSend.id).where(ScheduleSend.status == "pending"))
        return [i for i in found.all() if i is not None]


async def test_the_hidden_reply_schedule_is_not_listed(slack):
    """Kept replies are sends of a hidden schedule (kind 'reply'): no list of schedules or
    reminders shows it, to people or admins."""
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event("find kafka", "1763800000.000100"), "Ev-h1")
    await _handled(slack, 1)
    for said in ("schedule list", "schedules", "reminders"):
        before = len(slack.fake.responses)
        await slack.command(said, channel="C6", channel_name="random")
        await until(lambda before=before: len(slack.fake.responses) > before)
        assert "reply" not in str(slack.fake.responses[-1]["text"]).lower(), said
