"""Slack: while a rate limit keeps the workspace closed, a lookup it refuses is no answer about
the person or the channel. Signed HTTP into the real Bolt app, slack_sdk against the mock Web
API, on the limiters' clock (``SlackGateway.monotonic``), real storage.

Found in review: since a long ``Retry-After`` is refused at once (``RateLimited``, a
``SlackApiError``), ``Directory`` read that refusal as a failed lookup and fell back to its
careful guesses, and the command ran on them and stored them: a member was answered as a guest
("who postgres" refused) and stored as one, and a narration in public #general was answered
"Only members of #general can see it" with the channel stored private and shared (its follow
digest skipped, its people left out of intros). Now the lookups let the rate limit through:
the command fails before the core runs, the person is told Slack asked to slow down and when to
send it again, and nothing about them or the channel changes. Once the block has passed, the
same command is answered as for any member. On the old code the member gets the guest refusal.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from sqlmodel import select

from narrate_bot.ports import NotPosted
from narrate_bot.replies import Post
from narrate_bot.storage.tables import Channel, Person
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_long_retry_after_not_slept_on import (
    TENANT,
    close_methods,
    limiter_clock,
)

GUARD = 60.0  # far past any correct run (nothing sleeps on the 429): only against a hang
BLOCK = 2400  # Slack's Retry-After: the workspace stays closed 40 minutes
SLOW_DOWN = "Slack has asked me to slow down"


async def _command(slack: SlackEnv, text: str) -> str:
    """``/narrate <text>`` by member U1 in public #general (C1), and what reached their
    ``response_url`` once its work is over (waited for, not timed)."""
    before = len(slack.fake.responses)
    status, _, _ = await asyncio.wait_for(slack.command(text), GUARD)
    assert status == 200
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    return "\n".join(str(said.get("text", "")) for said in slack.fake.responses[before:])


async def _stored(slack: SlackEnv) -> tuple[list[tuple[str, bool]], list[tuple[str, str, bool]]]:
    """Each person's guest flag and each channel's kind and sharing, as stored."""
    async with slack.db.transaction() as session:
        people = [(p.user_id, p.guest) for p in (await session.exec(select(Person))).all()]
        channels = [
            (c.channel_id, c.kind, c.shared) for c in (await session.exec(select(Channel))).all()
        ]
    return sorted(people), sorted(channels)


# What a command or an event looks up about its person and channel.
LOOKUPS = ("users.info", "conversations.info", "conversations.members")


async def _close_the_workspace(slack: SlackEnv, ahead: list[float]) -> None:
    """Slack answers one post and one of each lookup with a 429 of ``BLOCK`` seconds; the
    lookups' cache is let go, so every command after asks Slack again (and is refused while the
    block lasts)."""
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: ahead[0])
    slack.adapter.directory.ttl = 0.0
    slack.adapter.retry_delays = (0.0, 0.0)
    slack.fake.rate_limit_once["chat.postMessage"] = BLOCK
    with pytest.raises(NotPosted):
        await asyncio.wait_for(gateway.post(TENANT, Post(text="a prompt", channel_id="C2")), GUARD)
    await close_methods(slack, BLOCK, *LOOKUPS)


@pytest.mark.parametrize("known_before", [True, False])
async def test_a_member_asking_during_a_block_is_not_read_as_a_guest(
    slack: SlackEnv, known_before: bool
):
    """A member (known already, or asking for the first time) asks who knows about postgres."""
    ahead = [0.0]
    if known_before:
        assert "Noted as #1" in await _command(slack, "fixed the postgres failover")
    before = await _stored(slack)
    await _close_the_workspace(slack, ahead)

    said = await _command(slack, "who postgres")

    assert SLOW_DOWN in said
    assert "in about 40 minutes" in said
    assert "guest" not in said
    assert await _stored(slack) == before  # nobody stored as a guest, no channel as private
    ahead[0] += BLOCK + 1  # the block has passed

    again = await _command(slack, "who postgres")

    assert SLOW_DOWN not in again
    assert "guest" not in again
    people, channels = await _stored(slack)
    assert all(not guest for _, guest in people)
    assert all(kind == "public" and not shared for _, kind, shared in channels)
    if known_before:
        assert (people, channels) == ([("U1", False)], [("C1", "public", False)])


async def test_a_narration_in_a_public_channel_during_a_block_is_not_made_private(
    slack: SlackEnv,
):
    """A narration in public #general: refused with the slow-down notice, nothing kept; once
    the block has passed it is noted there as public, for the channel to read."""
    ahead = [0.0]
    await _close_the_workspace(slack, ahead)

    said = await _command(slack, "fixed the postgres failover")

    assert SLOW_DOWN in said
    assert "nothing was kept" in said
    assert "Only members of" not in said
    assert await slack.narrations() == []
    assert await _stored(slack) == ([], [])  # neither the person nor the channel guessed at
    ahead[0] += BLOCK + 1

    again = await _command(slack, "fixed the postgres failover")

    assert "Noted as #1" in again
    assert "Only members of" not in again
    people, channels = await _stored(slack)
    assert people == [("U1", False)]
    assert channels == [("C1", "public", False)]
    [kept] = await slack.narrations()
    assert kept.text == "fixed the postgres failover"
