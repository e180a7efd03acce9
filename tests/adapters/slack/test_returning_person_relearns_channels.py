"""Back after a forget-me, a person's private channels count for them again at once.

While U2 is forgotten, Slack's ``member_joined_channel`` about them stores nothing (ADR 0004).
Their own command brings them back; the private channels they joined meanwhile used to count
for them only once someone next ran a command in each, so "who knows" missed what they may
read there. Now the adapter asks Slack which private channels the bot shares with them
(``users.conversations``, ``groups:read``: a scope the app has) in the background, and the core
stores each channel it knows as private. A channel they left meanwhile, and channels they never
were in, stay closed to them; nothing of theirs opens to anyone else.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from sqlmodel import col, select

from narrate_bot.storage.platform_store import SeenEvent
from narrate_bot.storage.tables import Channel, ChannelMember
from tests.adapters.slack.conftest import SlackEnv, eventually, until

LEDGER = "reconciled the ledger exports for the auditors"
VAULT = "rotated the vault signing keys"
PAYROLL = "moved payroll runs to the new ledger bank"


async def _said(slack: SlackEnv, text: str, user: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _asks(slack: SlackEnv, user: str, topic: str) -> str:
    """``/narrate who knows about <topic>`` in #general: an answer only the asker sees, so what
    they alone may read counts."""
    return await _said(
        slack, f"who knows about {topic}", user, channel="C5", channel_name="general"
    )


async def _comes_back(slack: SlackEnv) -> None:
    """U2's own command after their forget-me: a fresh start (ADR 0004)."""
    await _narrated(slack, "U2", "back on the reconciliation work", "C5", "general")


async def _event(slack: SlackEnv, event: dict[str, str], event_id: str) -> None:
    """A workspace event, waited for until its effects are committed (its claim done)."""
    status, _, _ = await slack.event(event, event_id)
    assert status == 200

    async def done() -> bool:
        async with slack.db.snapshot() as session:
            seen = await session.exec(select(SeenEvent).where(SeenEvent.event_id == event_id))
            return any(row.done for row in seen.all())

    await eventually(done)


async def _channels_of(slack: SlackEnv, user_id: str) -> set[str]:
    async with slack.db.snapshot() as session:
        rows = await session.exec(
            select(Channel.channel_id)
            .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
            .where(ChannelMember.user_id == user_id)
        )
        return set(rows.all())


def _private(slack: SlackEnv, channel_id: str, name: str, members: list[str]) -> None:
    slack.fake.channels[channel_id] = {"id": channel_id, "name": name, "is_private": True}
    slack.fake.members[channel_id] = ["UBOT", *members]


async def _narrated(slack: SlackEnv, user: str, text: str, channel: str, name: str) -> None:
    assert "Noted" in await _said(slack, text, user, channel=channel, channel_name=name)


async def _away_and_back_in(slack: SlackEnv) -> None:
    """U1 narrates in #vault (U2 reads it), U3 in #ledger (U2 not yet in it), U4 in #payroll
    (U2 in it). U2 is forgotten; meanwhile Slack adds U2 to #ledger and takes U2 out of
    #payroll; both events store nothing of U2."""
    _private(slack, "G1", "vault", ["U1", "U2"])
    _private(slack, "G2", "ledger", ["U3"])
    _private(slack, "G3", "payroll", ["U4", "U2"])
    await _narrated(slack, "U1", VAULT, "G1", "vault")
    await _narrated(slack, "U3", LEDGER, "G2", "ledger")
    await _narrated(slack, "U4", PAYROLL, "G3", "payroll")
    assert await _channels_of(slack, "U2") == {"G1", "G3"}

    await _said(slack, "forget-me", "U2", channel="C5", channel_name="general")
    told = await _said(slack, "forget-me confirm", "U2", channel="C5", channel_name="general")
    assert "Done" in told
    assert await _channels_of(slack, "U2") == set()

    slack.fake.members["G2"].append("U2")
    joined = {"type": "member_joined_channel", "user": "U2", "channel": "G2"}
    await _event(slack, joined | {"channel_type": "G"}, "Ev-u2-joins-ledger")
    slack.fake.members["G3"].remove("U2")
    left = {"type": "member_left_channel", "user": "U2", "channel": "G3"}
    await _event(slack, left | {"channel_type": "G"}, "Ev-u2-leaves-payroll")
    assert await _channels_of(slack, "U2") == set()


async def test_back_after_forget_me_they_find_their_private_channels_at_once(slack):
    await _away_and_back_in(slack)

    await _comes_back(slack)
    await slack.adapter.drain(timeout=math.inf)

    # Before: nothing but the next command in each channel stored them, so #ledger (joined
    # while forgotten) and #vault (never left) were missing from their answers.
    assert LEDGER in await _asks(slack, "U2", "ledger")
    assert VAULT in await _asks(slack, "U2", "vault")
    assert await _channels_of(slack, "U2") == {"G1", "G2"}
    asked = [c.params for c in slack.fake.called("users.conversations")]
    # Asked again once stored: a leave told while the first answer was on its way is kept.
    assert [(p.get("user"), p.get("types")) for p in asked] == [("U2", "private_channel")] * 2
    # #payroll, left while forgotten, stays closed to them.
    assert PAYROLL not in await _asks(slack, "U2", "payroll")
    # Nothing of it opens to anyone else: U5 reads none of these channels.
    for topic, text in (("ledger", LEDGER), ("vault", VAULT), ("payroll", PAYROLL)):
        assert text not in await _asks(slack, "U5", topic)
    assert await _channels_of(slack, "U5") == set()


async def test_their_answer_never_waits_for_slacks_list(slack):
    """Slack slower than anything else: the command that brought them back is answered while
    ``users.conversations`` is still held, and their channels count once it answers."""
    await _away_and_back_in(slack)
    held = slack.fake.holds["users.conversations"] = asyncio.Event()

    await _comes_back(slack)  # answered, with Slack's list still held

    await until(lambda: any(c.method == "users.conversations" for c in slack.fake.calls))
    assert await _channels_of(slack, "U2") == set()
    held.set()
    await slack.adapter.drain(timeout=math.inf)
    assert LEDGER in await _asks(slack, "U2", "ledger")


async def test_a_long_rate_limit_relearns_nothing_and_answers_all_the_same(slack):
    """Coverage, failing closed: Slack closes ``users.conversations`` for an hour, so nothing is
    re-learned (never a guess); their answers are as before the change, and #ledger counts
    for them once a command is run there (Slack's readers re-read then)."""
    await _away_and_back_in(slack)
    slack.fake.rate_limited["users.conversations"] = 3600

    await _comes_back(slack)
    await slack.adapter.drain(timeout=math.inf)

    assert await _channels_of(slack, "U2") == set()
    assert LEDGER not in await _asks(slack, "U2", "ledger")
    await _narrated(slack, "U3", "and the ledger archive", "G2", "ledger")
    assert LEDGER in await _asks(slack, "U2", "ledger")


async def test_someone_forgotten_again_meanwhile_gets_nothing_stored(slack):
    """Back, then forgotten again before Slack's list arrives: the list stores nothing of
    them (the mark is read under the workspace's erasure mark, as reader lists are)."""
    await _away_and_back_in(slack)
    held = slack.fake.holds["users.conversations"] = asyncio.Event()
    await _comes_back(slack)
    await until(lambda: any(c.method == "users.conversations" for c in slack.fake.calls))

    await _said(slack, "forget-me", "U2", channel="C5", channel_name="general")
    told = await _said(slack, "forget-me confirm", "U2", channel="C5", channel_name="general")
    assert "gone from everything" in told or "Done" in told
    held.set()
    await slack.adapter.drain(timeout=math.inf)

    assert await _channels_of(slack, "U2") == set()


@pytest.mark.parametrize(
    ("away", "back"),
    [
        pytest.param(
            {"type": "user_change", "user": {"id": "U2", "name": "u2", "deleted": True}},
            {"type": "user_change", "user": {"id": "U2", "name": "u2", "deleted": False}},
            id="deactivated",
        ),
        pytest.param("pause", "resume", id="paused"),
    ],
)
async def test_paused_or_departed_people_keep_joins_told_meanwhile(slack, away, back):
    """Coverage, item 2 of the gap: someone paused, or whose account Slack deactivated, is not
    forgotten, so a join told about them meanwhile is stored as it comes, and nothing needs
    re-learning when they are back (no ``users.conversations``)."""
    _private(slack, "G2", "ledger", ["U3"])
    await _narrated(slack, "U3", LEDGER, "G2", "ledger")
    await _narrated(slack, "U2", "drafted the quarterly plan", "C5", "general")
    if isinstance(away, str):
        await _said(slack, away, "U2", channel="C5", channel_name="general")
    else:
        await _event(slack, away, "Ev-u2-away")

    slack.fake.members["G2"].append("U2")
    joined = {"type": "member_joined_channel", "user": "U2", "channel": "G2"}
    await _event(slack, joined | {"channel_type": "G"}, "Ev-u2-joins-ledger")
    assert await _channels_of(slack, "U2") == {"G2"}

    if isinstance(back, str):
        await _said(slack, back, "U2", channel="C5", channel_name="general")
    else:
        await _event(slack, back, "Ev-u2-back")
    assert LEDGER in await _asks(slack, "U2", "ledger")
    await slack.adapter.drain(timeout=math.inf)
    assert slack.fake.called("users.conversations") == []
