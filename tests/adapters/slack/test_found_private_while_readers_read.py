"""A channel found private is stored only as it still is once Slack's list of readers is back.

Back after a forget-me, a channel Slack lists as private but stored as public (made private
unheard) is stored private with the readers ``conversations.members`` lists. That list is read
before the write, and much can be stored while it is on its way. The bot removed from the
channel meanwhile (its readers cleared: out of it, the bot hears of nobody leaving) got the
older list written back, and someone taken out later kept seeing its narrations. The app
uninstalled meanwhile (every row of the workspace erased) got the workspace, the channel and
its readers stored again. Now nothing is written unless the channel is still stored as public
with the bot in it, and nothing is created.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Channel, ChannelMember, Tenant
from tests.adapters.slack.conftest import SlackEnv, event_body, until
from tests.adapters.slack.test_relearn_finds_channel_made_private import (
    ROADMAP,
    _made_private_while_away,
)
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _asks,
    _channels_of,
    _comes_back,
    _event,
)


def _while_readers_read(
    slack: SlackEnv, monkeypatch: pytest.MonkeyPatch, meanwhile: Any
) -> list[bool]:
    """Run ``meanwhile`` once, after Slack answered #roadmap's readers, before they're stored;
    the list returned has two items once it is over."""
    members = slack.adapter.directory.members
    ran: list[bool] = []

    async def racing(client: Any, tenant: str, channel_id: str) -> Any:
        listed = await members(client, tenant, channel_id)
        if channel_id == "C7" and not ran:
            ran.append(True)
            await meanwhile()
            ran.append(True)
        return listed

    monkeypatch.setattr(slack.adapter.directory, "members", racing)
    return ran


async def test_the_bots_removal_meanwhile_is_not_undone(slack, monkeypatch):
    await _made_private_while_away(slack)

    async def removed() -> None:
        # The bot is removed from #roadmap while Slack's list is on its way back here.
        slack.fake.failures["conversations.info"] = "channel_not_found"
        slack.fake.failures["conversations.members"] = "not_in_channel"
        left = {"type": "member_left_channel", "user": "UBOT", "channel": "C7"}
        await _event(slack, left | {"channel_type": "G"}, "Ev-bot-removed")

    ran = _while_readers_read(slack, monkeypatch, removed)
    await _comes_back(slack)
    # The removal's event takes a slot, and a drain holds them all: it waits first.
    await until(lambda: len(ran) == 2, timeout=30)
    await slack.adapter.drain(timeout=math.inf)

    async with slack.db.snapshot() as session:
        row = (await session.exec(select(Channel).where(Channel.channel_id == "C7"))).one()
    assert row.bot_left and row.kind == "private"
    # Before: the older list was written back over the removal, and U2, taken out of #roadmap
    # after (which the bot, out of it, never hears of), kept being shown it.
    assert await _channels_of(slack, "U2") == set()
    assert ROADMAP not in await _asks(slack, "U2", "roadmap")
    assert ROADMAP not in await _asks(slack, "U5", "roadmap")


async def test_an_uninstall_meanwhile_stays_erased(slack, monkeypatch):
    await _made_private_while_away(slack)

    async def uninstalled() -> None:
        body = json.loads(event_body({"type": "app_uninstalled"}, "Ev-uninstalled"))
        await slack.adapter.on_uninstalled(body)

    ran = _while_readers_read(slack, monkeypatch, uninstalled)
    await _comes_back(slack)
    await slack.adapter.drain(timeout=math.inf)
    assert len(ran) == 2

    async with slack.db.snapshot() as session:
        tenants = (await session.exec(select(Tenant.external_id))).all()
        channels = (await session.exec(select(Channel.channel_id))).all()
        readers = (await session.exec(select(ChannelMember.user_id))).all()
    # Before: the workspace, #roadmap and its readers were stored again after the erasure.
    assert (tenants, channels, readers) == ([], [], [])
