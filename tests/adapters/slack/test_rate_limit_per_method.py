"""Slack: a 429 closes the method it answered, in that workspace, not the whole workspace.
slack_sdk's AsyncWebClient against the mock Web API, signed HTTP into the real Bolt app, on the
limiters' clock (``SlackGateway.monotonic``), real storage.

Found in review of the long ``Retry-After`` refusal: one limiter's ``blocked_until`` closed the
workspace for every method, while Slack rate-limits each method on its own (per method, per
workspace, per app: a tier per method, ``chat.postMessage`` its own special limit). A long 429
on ``conversations.members`` (Tier 4, read when the app is found back in a private channel)
refused every post, the App Home (``views.publish``) and each person's command for as long.
Now only ``conversations.members`` is refused there until its ``Retry-After`` passes (without a
request reaching Slack); everything else goes on. On the old code the post is refused
(``NotPosted``), the App Home never published, the command told Slack asked to slow down.
"""

from __future__ import annotations

import asyncio
import logging
import math

import pytest
from sqlmodel import select

from narrate_bot.replies import Post
from narrate_bot.storage.tables import Channel
from narrate_bot_adapters.slack.gateway import RateLimited
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import (
    GUARD,
    TENANT,
    close_methods,
    limiter_clock,
)

SLOW_DOWN = "Slack has asked me to slow down"


async def test_a_long_429_on_one_method_refuses_that_method_only(slack: SlackEnv):
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    slack.fake.channels["G1"] = {"id": "G1", "name": "ops", "is_private": True, "is_member": True}
    slack.fake.members["G1"] = ["U1", "U2"]
    slack.fake.rate_limit_once["conversations.members"] = 3600  # an hour

    found = await asyncio.wait_for(gateway.channel_now(TENANT, "G1"), GUARD)
    assert found is not None and found.members is None  # Slack wouldn't say who reads it
    assert [c.status for c in slack.fake.calls if c.method == "conversations.members"] == [429]

    # A post in the same workspace: a method of its own, open.
    ts = await asyncio.wait_for(gateway.post(TENANT, Post(text="a prompt", channel_id="C1")), GUARD)
    assert ts
    # The App Home, published when opened (``views.publish``).
    home = {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"}
    status, _, _ = await asyncio.wait_for(slack.event(home, "Ev-home"), GUARD)
    assert status == 200
    await asyncio.wait_for(until(lambda: bool(slack.fake.called("views.publish")), GUARD), GUARD)
    # A person's command: its lookups (users.info, conversations.info) are answered.
    before = len(slack.fake.responses)
    status, _, _ = await asyncio.wait_for(slack.command("help"), GUARD)
    assert status == 200
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    said = "\n".join(str(r.get("text", "")) for r in slack.fake.responses[before:])
    assert said and SLOW_DOWN not in said

    # conversations.members itself stays closed for the hour: refused without asking Slack.
    found = await asyncio.wait_for(gateway.channel_now(TENANT, "G1"), GUARD)
    assert found is not None and found.members is None
    assert [c.status for c in slack.fake.calls if c.method == "conversations.members"] == [429]


async def test_a_command_refused_by_a_rate_limit_is_not_tried_again(
    slack: SlackEnv, caplog: pytest.LogCaptureFixture
):
    """``recovery.attempts`` tries a failed command's work again after ``RETRY_DELAYS``; a call
    a rate limit in force refused (``RateLimited``, lasting longer than any of them) would be
    refused the same way, and only kept the person waiting for the notice. Now the notice comes
    after the one attempt; on the old code the work was tried three times."""
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    await close_methods(slack, 2400, "users.info")
    caplog.set_level(logging.WARNING, logger="narrate_bot_adapters.slack.recovery")
    before, calls = len(slack.fake.responses), len(slack.fake.calls)

    status, _, _ = await asyncio.wait_for(slack.command("help"), GUARD)
    assert status == 200
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)

    # What the person sees: one slow-down notice, and no other answer anywhere.
    [said] = slack.fake.responses[before:]
    assert SLOW_DOWN in str(said.get("text"))
    messages = ("chat.postMessage", "chat.postEphemeral", "users.info")
    assert [c.method for c in slack.fake.calls[calls:] if c.method in messages] == []
    assert [r for r in caplog.records if "trying again" in r.getMessage()] == []


async def test_sharing_asked_during_a_block_is_refused_not_guessed(slack: SlackEnv):
    """The scheduler asks whether a channel is shared right before a digest or intros post
    (``ChannelSharing.shared_now``) because the stored flag may be stale. A ``conversations.info``
    the rate limit refuses is no answer: the refusal is raised, without asking Slack, and the
    core counts the channel as shared for that post (``test_rate_limit_digest_sharing``)."""
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    before = len(slack.fake.responses)
    await asyncio.wait_for(slack.command("fixed the postgres failover"), GUARD)
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    assert "Noted as #1" in str(slack.fake.responses[before:])
    await close_methods(slack, 2400, "conversations.info")
    asked = len(slack.fake.calls)

    with pytest.raises(RateLimited):
        await asyncio.wait_for(gateway.shared_now(TENANT, "C1"), GUARD)

    assert [c.method for c in slack.fake.calls[asked:]] == []  # Slack wasn't asked


async def test_a_channel_event_during_a_block_keeps_the_stored_kind(slack: SlackEnv):
    """A channel event (here a rename) whose ``conversations.info`` the rate limit refuses is
    applied on what is stored: public #general stays public and unshared. It was applied on
    the careful reading of a failed lookup, and stored so (private, shared) until the next
    command there: its narrations hidden from the channel's readers, its digest and intros
    built as for outsiders. On the old code #general is stored private and shared."""
    from tests.adapters.slack.test_rate_limit_keeps_events import _sent
    from tests.adapters.slack.test_rate_limit_never_reads_a_guest import _stored

    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    slack.adapter.directory.ttl = 0.0  # every event asks Slack (and is refused meanwhile)
    before = len(slack.fake.responses)
    await asyncio.wait_for(slack.command("fixed the postgres failover"), GUARD)
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    assert "Noted as #1" in str(slack.fake.responses[before:])
    assert (await _stored(slack))[1] == [("C1", "public", False)]
    await close_methods(slack, 2400, "conversations.info")
    asked = [c.status for c in slack.fake.calls if c.method == "conversations.info"]
    assert asked[-1] == 429

    renamed = {"type": "channel_rename", "channel": {"id": "C1", "name": "general-ops"}}
    renamed |= {"event_ts": "1763800001.000300"}
    assert await _sent(slack, renamed, "Ev-rename")

    assert (await _stored(slack))[1] == [("C1", "public", False)]
    async with slack.db.transaction() as session:
        [channel] = (await session.exec(select(Channel))).all()
    assert channel.name == "general-ops"  # the event itself was applied
    # No lookup reached Slack: the same conversations.info calls as before the event.
    assert [c.status for c in slack.fake.calls if c.method == "conversations.info"] == asked
