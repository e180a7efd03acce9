"""The bot speaking first: prompts with threads and buttons, pacing, 429s, DMs and their refusal."""

from __future__ import annotations

import asyncio

import discord
import pytest

from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.ports import PartlyPosted
from narrate_bot.replies import Button, Post
from narrate_bot_adapters.discord import once
from narrate_bot_adapters.discord.gateway import DM_CLOSED, InvalidRequestBudget, OutboundPaused

from .conftest import FAST, Recorder, until
from .fake import ALICE, GENERAL, FakeDiscord, pinged

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")
PROMPT = Post(
    text="What did you work on this week?\nReply in the thread, or press the button.",
    channel_id=GENERAL,
    buttons=(Button(label="Write my update", command="/narrate"),),
)


def _paced(times: list[float], pace: float) -> None:
    """Arrival times at the fake: the whole run takes the pace (jitter can't shorten the span
    by more than a few ms), and no two requests arrive in a burst."""
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    jitter = 0.03  # how much later one request may arrive than the next, on a busy machine
    assert times[-1] - times[0] >= len(gaps) * pace - jitter
    assert min(gaps) >= pace - jitter


def _sends(fake: FakeDiscord) -> list:
    return [c for c in fake.calls if c.method == "POST" and c.path.startswith("/channels/")]


async def test_a_prompt_is_a_message_with_a_thread_and_a_button(fake, connect):
    client = await connect(Recorder())
    message_id = await client.gateway.post(TENANT, PROMPT)
    message, thread = _sends(fake)
    assert message.path == f"/channels/{GENERAL}/messages"
    assert message.body["content"].startswith("What did you work on")
    button = message.body["components"][0]["components"][0]
    assert (button["label"], button["custom_id"]) == ("Write my update", "narrate:/narrate")
    assert thread.path == f"/channels/{GENERAL}/messages/{message_id}/threads"
    assert thread.body["name"] == "What did you work on this week?"


async def test_a_post_in_a_thread_goes_to_the_thread(fake, connect):
    client = await connect(Recorder())
    await client.gateway.post(TENANT, Post(text="reminder", channel_id=GENERAL, thread_of="7777"))
    (sent,) = _sends(fake)
    assert sent.path == "/channels/7777/messages"


async def test_posting_to_many_channels_keeps_the_configured_pace(fake, connect):
    pace = 0.05
    settings = Settings(discord=FAST.model_copy(update={"post_interval_seconds": pace}))
    client = await connect(Recorder(), settings)
    for n in range(6):
        await client.gateway.post(TENANT, Post(text=f"prompt {n}", channel_id=str(3100 + n)))
    times = [c.at for c in _sends(fake)]
    assert len(times) == 12  # a message and a thread per channel
    _paced(times, pace)


async def test_nothing_is_sent_during_a_global_rate_limit(fake, connect):
    retry_after = 0.4
    fake.fail(
        "POST",
        r"^/channels/3100/messages$",
        429,
        {"message": "You are being rate limited.", "retry_after": retry_after, "global": True},
        headers={"X-RateLimit-Global": "true", "Retry-After": "1", "X-RateLimit-Scope": "global"},
    )
    client = await connect(Recorder())
    first = asyncio.create_task(client.gateway.post(TENANT, Post(text="p", channel_id="3100")))
    await until(lambda: any(c.status == 429 for c in fake.calls))
    # The fake records the 429 before discord.py has read it: send "meanwhile" only once the
    # client holds its global lock, or a loaded machine sends it first and the test blames us.
    await until(lambda: not client.http._global_over.is_set())
    # Another route, another bucket, not through our pacer: discord.py's global lock holds it.
    await client.get_partial_messageable(3200, guild_id=2000).send("meanwhile")
    await first
    limited = next(c for c in fake.calls if c.status == 429)
    after = [c for c in fake.calls if c.at > limited.at]
    assert {c.path for c in after} >= {"/channels/3100/messages", "/channels/3200/messages"}
    assert min(c.at for c in after) - limited.at >= retry_after * 0.95
    sends = [c for c in fake.calls if c.path == "/channels/3100/messages"]
    assert [c.status for c in sends] == [429, 200]  # refused once, then sent once
    assert client.budget.spent == 1


async def test_refused_requests_pause_proactive_posts_before_the_ban_threshold(fake, connect):
    fake.fail(
        "POST",
        r"^/channels/\d+/messages$",
        403,
        {"message": "Missing Access", "code": 50001},
        times=99,
    )
    settings = Settings(discord=FAST.model_copy(update={"invalid_request_budget": 3}))
    client = await connect(Recorder(), settings)
    refused = 0
    for n in range(10):
        try:
            await client.gateway.post(TENANT, Post(text="p", channel_id=str(3100 + n)))
        except OutboundPaused:
            break
        except Exception:
            refused += 1
    assert refused == 3
    assert len(_sends(fake)) == 3  # nothing more was attempted once the budget was spent
    with pytest.raises(OutboundPaused):
        await client.gateway.post(TENANT, Post(text="p", channel_id=GENERAL))


def test_shared_scope_429s_are_not_counted():
    budget = InvalidRequestBudget(10, clock=lambda: 0.0)
    budget.observe(429, "shared")
    budget.observe(200)
    budget.observe(404)
    assert budget.spent == 0
    for status in (401, 403, 429):
        budget.observe(status, "user")
    assert budget.spent == 3


def test_the_budget_forgets_after_ten_minutes():
    now = [0.0]
    budget = InvalidRequestBudget(2, clock=lambda: now[0])
    budget.observe(403)
    budget.observe(403)
    with pytest.raises(OutboundPaused):
        budget.check()
    now[0] = 601.0
    budget.check()


async def test_a_dm_goes_to_the_person_with_buttons_naming_the_guild(fake, connect):
    client = await connect(Recorder())
    post = Post(
        text="Meet <@4001>!",
        to_users=(ALICE["id"],),
        buttons=(Button(label="We met", command="/narrate met"),),
    )
    await client.gateway.post(TENANT, post)
    opened, sent = (
        fake.posted("/users/@me/channels"),
        fake.posted(f"/channels/8{ALICE['id']}/messages"),
    )
    assert str(opened[0].body["recipient_id"]) == ALICE["id"]
    assert (
        sent[0].body["components"][0]["components"][0]["custom_id"] == "narrate@2000:/narrate met"
    )
    assert pinged(sent[0].body) == set()  # <@4001> isn't among the people the post cites


async def test_a_refused_dm_becomes_a_pointer_in_the_channel_and_is_not_retried_meanwhile(
    fake, connect
):
    fake.fail(
        "POST", rf"^/channels/8{ALICE['id']}/messages$", 403,
        {"message": "Cannot send messages to this user", "code": 50007},
    )  # fmt: skip
    client = await connect(Recorder())
    client.gateway.last_channel[(2000, int(ALICE["id"]))] = int(GENERAL)
    introduction = Post(
        text="Introduction #4: you both narrated about the zanzibar acquisition",
        to_users=(ALICE["id"],),
        buttons=(Button(label="We met", command="/narrate intros met 4"),),
        pointer="I have an introduction for you (#4).",
    )
    await client.gateway.post(TENANT, introduction)
    await client.gateway.post(TENANT, Post(text="Your reminder: kafka?", to_users=(ALICE["id"],)))
    assert len(fake.posted("/users/@me/channels")) == 1  # no second attempt at a DM
    first, second = fake.posted(f"/channels/{GENERAL}/messages")
    assert first.body["content"] == f"<@{ALICE['id']}> I have an introduction for you (#4)."
    assert not first.body.get("components")
    assert second.body["content"] == f"<@{ALICE['id']}> {DM_CLOSED}"
    assert "kafka" not in second.body["content"]


async def test_dms_are_tried_again_once_the_person_uses_the_bot_again(fake, bot, connect):
    fake.fail(
        "POST", rf"^/channels/8{ALICE['id']}/messages$", 403,
        {"message": "Cannot send messages to this user", "code": 50007},
    )  # fmt: skip
    client = await connect(bot)
    await fake.answer(await fake.slash("narrate", text="wiring the kafka consumer"))
    reminder = Post(text="Your reminder: kafka?", to_users=(ALICE["id"],))
    await client.gateway.post(TENANT, reminder)
    await client.gateway.post(TENANT, reminder)
    tried = f"/channels/8{ALICE['id']}/messages"
    assert len(fake.posted(tried)) == 1  # refused once: no second try
    await fake.answer(await fake.slash("narrate", text="opened my DMs for the bot"))
    await client.gateway.post(TENANT, reminder)
    assert len(fake.posted(tried)) == 2


async def test_dms_are_paced(fake, connect):
    pace = 0.1
    settings = Settings(discord=FAST.model_copy(update={"dm_interval_seconds": pace}))
    client = await connect(Recorder(), settings)
    people = ("4000", "4001", "4002", "4003", "4004")
    await client.gateway.post(TENANT, Post(text="hi", to_users=people))
    opened = [c.at for c in fake.posted("/users/@me/channels")]
    assert len(opened) == 5
    _paced(opened, pace)


async def test_a_post_that_went_out_in_full_is_sent_in_full_again_the_next_time(
    fake, connect, monkeypatch
):
    """Who already has a post is remembered only while it is being retried: the same reminder
    to the same people tomorrow reaches them all again. (A 5xx is sent again with its nonce at
    once, ``once.py``: here it lasts through every one of those tries.)"""
    monkeypatch.setattr(once, "RESEND_AFTER", (0.0, 0.0))
    client = await connect(Recorder())
    fake.fail(
        "POST", r"^/channels/8\d+/messages$", 503, {"message": "oops", "code": 0}, skip=1,
        times=1 + len(once.RESEND_AFTER),
    )  # fmt: skip
    reminder = Post(text="Your reminder: kafka?", to_users=("4000", "4001"))
    with pytest.raises(PartlyPosted) as partly:  # 4000 has it: the core is told who
        await client.gateway.post(TENANT, reminder)
    assert partly.value.have == ("4000",) and partly.value.message_id is not None
    assert isinstance(partly.value.__cause__, discord.DiscordServerError)
    await client.gateway.post(TENANT, reminder)  # the retry: only 4001, who didn't get it
    await client.gateway.post(TENANT, reminder)  # tomorrow's: everyone
    got = {u: len([c for c in fake.posted(f"/channels/8{u}/messages") if c.status == 200])
           for u in ("4000", "4001")}  # fmt: skip
    assert got == {"4000": 2, "4001": 2}


async def test_a_mass_dm_is_refused_before_any_request(fake, connect):
    client = await connect(Recorder())
    everyone = tuple(str(5000 + n) for n in range(30))
    with pytest.raises(ValueError, match="no mass DMs"):
        await client.gateway.post(TENANT, Post(text="hello all", to_users=everyone))
    assert fake.posted("/users/@me/channels") == []


async def test_posting_slows_down_at_half_the_invalid_request_budget(fake, connect):
    pace = 0.02
    settings = Settings(
        discord=FAST.model_copy(update={"post_interval_seconds": pace, "invalid_request_budget": 4})
    )
    client = await connect(Recorder(), settings)
    await client.gateway.post(TENANT, Post(text="p", channel_id="3100"))
    assert client.gateway.posts.interval == pace
    client.budget.observe(403)
    client.budget.observe(403)
    await client.gateway.post(TENANT, Post(text="p", channel_id="3101"))
    assert client.gateway.posts.interval == pace * 4
    times = [c.at for c in _sends(fake)][-2:]  # the second post's message and thread
    assert times[1] - times[0] >= pace * 4 - 0.03  # slower than the normal pace, beyond jitter
