"""Back after a forget-me, a channel made private unheard is stored as private, with its readers.

Slack tells of a public channel made private only by a message the bot hears with the history
scopes, which the manifest doesn't ask for: the channel stays stored as public, and what was
narrated there reaches the whole workspace. When someone comes back after a forget-me, Slack's
``users.conversations`` lists it among their private channels; re-learning skipped it (only
channels stored as private get readers). Now it is stored as the conversion event stores one,
private with the readers ``conversations.members`` lists, so nobody else is shown it.
"""

from __future__ import annotations

import math

from sqlmodel import select

from narrate_bot.storage.tables import Channel
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _asks,
    _channels_of,
    _comes_back,
    _narrated,
    _said,
)

ROADMAP = "drafted the acquisition roadmap for the board"


async def _kind(slack: SlackEnv, channel_id: str) -> str:
    async with slack.db.snapshot() as session:
        row = (await session.exec(select(Channel).where(Channel.channel_id == channel_id))).one()
        return row.kind


async def _made_private_while_away(slack: SlackEnv) -> None:
    """U1 narrates in #roadmap, public then; U2 is forgotten; Slack makes #roadmap private
    (U1 and U2 stay in it, U5 is not) and the bot hears nothing of it."""
    slack.fake.channels["C7"] = {"id": "C7", "name": "roadmap", "is_private": False}
    await _narrated(slack, "U1", ROADMAP, "C7", "roadmap")
    assert await _kind(slack, "C7") == "public"
    assert ROADMAP in await _asks(slack, "U5", "roadmap")  # public: everyone's to read

    await _narrated(slack, "U2", "reviewed the board deck", "C5", "general")
    await _said(slack, "forget-me", "U2", channel="C5", channel_name="general")
    told = await _said(slack, "forget-me confirm", "U2", channel="C5", channel_name="general")
    assert "Done" in told

    slack.fake.channels["C7"]["is_private"] = True
    slack.fake.members["C7"] = ["UBOT", "U1", "U2"]


async def test_a_channel_made_private_unheard_reaches_only_its_members(slack):
    await _made_private_while_away(slack)

    await _comes_back(slack)
    await slack.adapter.drain(timeout=math.inf)

    # Before: skipped as public, so U5, never in #roadmap, was still shown it.
    assert ROADMAP not in await _asks(slack, "U5", "roadmap")
    assert await _kind(slack, "C7") == "private"
    assert await _channels_of(slack, "U5") == set()
    assert ROADMAP in await _asks(slack, "U2", "roadmap")
    assert "C7" in await _channels_of(slack, "U1")
    assert "C7" in await _channels_of(slack, "U2")
    members = [c.params.get("channel") for c in slack.fake.called("conversations.members")]
    assert "C7" in members  # its readers are Slack's list, read as the conversion reads them


async def test_readers_unread_leave_it_private_never_wider(slack):
    """Slack won't list the readers (``conversations.members`` rate limited for an hour): the
    channel is still stored as private, and nobody outside it is shown its narrations."""
    await _made_private_while_away(slack)
    slack.fake.rate_limited["conversations.members"] = 3600

    await _comes_back(slack)
    await slack.adapter.drain(timeout=math.inf)

    assert ROADMAP not in await _asks(slack, "U5", "roadmap")
    assert await _kind(slack, "C7") == "private"
    assert ROADMAP in await _asks(slack, "U2", "roadmap")  # Slack listed it as theirs
