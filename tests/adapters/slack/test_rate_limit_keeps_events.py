"""Slack: an event that comes while a rate limit keeps the workspace closed is still applied.
Signed HTTP into the real Bolt app, slack_sdk against the mock Web API, on the limiters' clock
(``SlackGateway.monotonic``), real storage.

Found in review of e9141d6: once ``Directory``'s lookups let ``RateLimited`` through, a DM
narration, an app mention or a plain thread reply failed before the core ran. Slack had its 200
and won't redeliver, and the slow-down notice can't be posted while the block lasts, so the
narration was lost without a word (a thread reply's ``RateLimited`` even escaped to Bolt). Now
an event's lookups the limit refuses give way to what is stored about the person and the channel
(nothing new is written about them) and, on first sight, to the careful reading a failed lookup
has (a guest; private and shared). On the old code the event is never done and nothing is kept.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from sqlmodel import select

from narrate_bot.storage.platform_store import SeenEvent
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_rate_limit_never_reads_a_guest import (
    GUARD,
    _close_the_workspace,
    _command,
    _stored,
)

TEXT = "finished the payroll migration"


async def _sent(slack: SlackEnv, event: dict[str, object], event_id: str) -> bool:
    """Deliver ``event``; whether its work was done (claimed and finished), once it is over."""
    status, _, _ = await asyncio.wait_for(slack.event(event, event_id), GUARD)
    assert status == 200
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    async with slack.db.transaction() as session:
        seen = (await session.exec(select(SeenEvent))).all()
    return any(row.event_id == event_id and row.done for row in seen)


async def _known(slack: SlackEnv) -> None:
    """U1 narrates in public #general (C1): a member and a public channel, stored."""
    assert "Noted as #1" in await _command(slack, "fixed the postgres failover")


@pytest.mark.parametrize("known_before", [True, False])
async def test_a_dm_narration_during_a_block_is_kept(slack: SlackEnv, known_before: bool):
    if known_before:
        await _known(slack)
    before = await _stored(slack)
    await _close_the_workspace(slack, [0.0])
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": TEXT}
    dm |= {"ts": "1763800001.000100", "channel": "D1"}

    assert await _sent(slack, dm, "Ev-dm")

    assert TEXT in [kept.text for kept in await slack.narrations()]
    people, channels = await _stored(slack)
    if known_before:
        assert people == before[0] == [("U1", False)]  # still a member: the stored flag
    else:
        assert people == [("U1", True)]  # first sight: a guest until Slack says otherwise
    assert [c for c in channels if c[0] != "D1"] == before[1]


async def test_a_mention_during_a_block_keeps_the_stored_channel(slack: SlackEnv):
    await _known(slack)
    before = await _stored(slack)
    await _close_the_workspace(slack, [0.0])
    mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> who knows about postgres?"}
    mention |= {"ts": "1763800001.000200", "channel": "C1", "event_ts": "1763800001.000200"}

    assert await _sent(slack, mention, "Ev-mention")

    assert await _stored(slack) == before  # public #general stays public; U1 a member


async def test_a_thread_reply_during_a_block_is_done_not_raised(slack: SlackEnv):
    await _known(slack)
    before = await _stored(slack)
    await _close_the_workspace(slack, [0.0])
    reply = {"type": "message", "channel_type": "channel", "user": "U1", "text": TEXT}
    reply |= {"ts": "1763800001.000100", "thread_ts": "1763800000.000100", "channel": "C1"}

    assert await _sent(slack, reply, "Ev-thread")

    assert await _stored(slack) == before
