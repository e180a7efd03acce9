"""Coverage: the app uninstalled while Slack's list is held stores nothing
(and brings back no workspace row)."""

from __future__ import annotations

import asyncio
import math

from sqlmodel import select

from narrate_bot.storage.tables import ChannelMember, Tenant
from tests.adapters.slack.conftest import eventually, until
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _away_and_back_in,
    _comes_back,
)


async def test_uninstall_while_the_list_is_held_stores_nothing(slack):
    await _away_and_back_in(slack)
    held = slack.fake.holds["users.conversations"] = asyncio.Event()
    await _comes_back(slack)
    await until(lambda: any(c.method == "users.conversations" for c in slack.fake.calls))
    assert (await slack.event({"type": "app_uninstalled"}, "Ev-uninstall"))[0] == 200

    async def erased() -> bool:
        async with slack.db.snapshot() as s:
            return (await s.exec(select(Tenant))).first() is None

    await eventually(erased)
    held.set()
    await slack.adapter.drain(timeout=math.inf)
    async with slack.db.snapshot() as s:
        assert (await s.exec(select(Tenant))).all() == []
        assert (await s.exec(select(ChannelMember))).all() == []
