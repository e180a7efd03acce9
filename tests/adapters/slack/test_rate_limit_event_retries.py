"""Slack: a workspace event whose work fails for another reason while a rate limit is being
handled is still tried again (``recovery.attempts``); only a refusal by the rate limit itself,
lasting longer than the retry delays, is not. slack_sdk against the mock Web API, signed HTTP
into the real Bolt app, real storage.

Found in review of 22ad6af: ``refused_now`` followed ``__context__`` too, so ANY error raised
while a ``RateLimited`` was handled counted as refused by the rate limit. A channel event during
a ``conversations.info`` block reads what is stored about the channel inside ``except
RateLimited``; a transient database error there ("database is locked", a dropped PostgreSQL
connection) was not retried, and the event, which Slack won't redeliver, was lost. And a call
whose 60 s wait budget was spent could be refused for a close as short as a second, shorter
than the next retry's delay, and was not tried again either.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from narrate_bot.storage.tables import Channel
from narrate_bot_adapters.slack import recovery
from narrate_bot_adapters.slack.gateway import RateLimited
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods, limiter_clock
from tests.adapters.slack.test_rate_limit_keeps_events import _known, _sent


async def test_a_channel_rename_during_a_block_survives_a_database_hiccup(slack: SlackEnv):
    await _known(slack)  # public #general (C1) stored
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    slack.adapter.directory.ttl = 0.0
    slack.adapter.retry_delays = (0.0, 0.0)
    await close_methods(slack, 2400, "conversations.info")

    real = gateway.stored_channel
    failures = [1]

    async def flaky(tenant_key: str, channel_id: str) -> Any:
        if failures[0]:
            failures[0] -= 1
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return await real(tenant_key, channel_id)

    gateway.stored_channel = flaky  # type: ignore[method-assign]
    renamed = {"type": "channel_rename", "channel": {"id": "C1", "name": "general-ops"}}
    assert await _sent(slack, renamed | {"event_ts": "1763800001.000300"}, "Ev-rename")

    async with slack.db.transaction() as session:
        [channel] = (await session.exec(select(Channel).where(Channel.channel_id == "C1"))).all()
    assert channel.name == "general-ops"  # the rename, tried again after the hiccup
    assert failures == [0]


async def test_a_refusal_shorter_than_the_retry_delay_is_tried_again():
    """A close that passes before the next retry's delay is over is no reason to give up."""
    tries: list[int] = []

    async def work() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise RateLimited(0.01, "chat.postMessage")
        return "answered"

    assert await recovery.attempts(work, (0.02,), "command") == "answered"
    assert len(tries) == 2


async def test_a_refusal_longer_than_every_retry_delay_is_not_tried_again():
    """Coverage: a close outlasting every delay would refuse the retry the same way."""
    tries: list[int] = []

    async def work() -> str:
        tries.append(1)
        raise RateLimited(2400, "chat.postMessage")

    with pytest.raises(RateLimited):
        await recovery.attempts(work, (0.0, 0.0), "command")
    assert len(tries) == 1
