"""After a forget-me, nothing about the person is stored again while Slack goes on listing them
among a private channel's readers (re-read before every command there), until they use the bot
again: then, as for anyone's first command, Slack's lists count for them."""

from __future__ import annotations

import math

from sqlmodel import col, select

from narrate_bot.storage.platform_store import SeenEvent
from narrate_bot.storage.tables import Channel, ChannelMember, Person, TenantSetting
from tests.adapters.slack.conftest import SlackEnv, eventually, until


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _stored_of(slack: SlackEnv, user_id: str) -> list[object]:
    """Every membership and person row stored under ``user_id``."""
    async with slack.db.snapshot() as session:
        members = (
            await session.exec(select(ChannelMember).where(ChannelMember.user_id == user_id))
        ).all()
        people = (await session.exec(select(Person).where(Person.user_id == user_id))).all()
    return [*members, *people]


async def _forgotten_u2(slack: SlackEnv) -> None:
    """U1 narrates in the private #secret (Slack lists U1 and U2 as its readers); U2, who never
    narrated, is forgotten while still in it."""
    slack.fake.channels["G1"] = {"id": "G1", "name": "secret", "is_private": True}
    slack.fake.members["G1"] = ["UBOT", "U1", "U2"]
    assert "Noted" in await _said(slack, "rotated the keys", channel="G1", channel_name="secret")
    assert await _stored_of(slack, "U2")  # a reader, recorded from Slack's list
    await _said(slack, "forget-me", user="U2", channel="C5", channel_name="general")
    told = await _said(slack, "forget-me confirm", user="U2", channel="C5", channel_name="general")
    assert "Done" in told
    assert await _stored_of(slack, "U2") == []


async def test_the_readers_re_read_before_a_command_leave_a_forgotten_person_out(slack):
    await _forgotten_u2(slack)
    # Slack still lists U2 when U1 narrates there again.
    assert "Noted" in await _said(slack, "and the vault", channel="G1", channel_name="secret")
    assert await _stored_of(slack, "U2") == []


async def test_using_the_bot_again_is_a_fresh_start(slack):
    """Coverage: back with a command, they are handled as anyone's first, and Slack's list of
    #secret's readers counts for them again."""
    await _forgotten_u2(slack)
    assert "Noted" in await _said(
        slack, "back at it", user="U2", channel="C5", channel_name="general"
    )
    async with slack.db.snapshot() as session:
        marks = (await session.exec(select(TenantSetting.key))).all()
    assert not [k for k in marks if k.startswith("privacy.forgotten:")]
    assert "Noted" in await _said(slack, "and the vault", channel="G1", channel_name="secret")
    assert any(isinstance(r, ChannelMember) for r in await _stored_of(slack, "U2"))


async def _joined(slack: SlackEnv, user: str, channel: str, event_id: str) -> None:
    """Slack's ``member_joined_channel`` for ``user``, waited for until its effects are
    committed (the event's claim is marked done)."""
    kind = "G" if channel.startswith("G") else "C"
    joined = {"type": "member_joined_channel", "user": user, "channel": channel}
    status, _, _ = await slack.event(joined | {"channel_type": kind}, event_id)
    assert status == 200

    async def done() -> bool:
        async with slack.db.snapshot() as session:
            seen = await session.exec(select(SeenEvent).where(SeenEvent.event_id == event_id))
            return any(row.done for row in seen.all())

    await eventually(done)


async def test_a_join_event_about_a_forgotten_person_stores_nothing(slack):
    """Someone adds U2 back to #secret, or U2 joins a channel: Slack tells the app, and that
    stored their membership at once (before: a ChannelMember row), though nothing of them is
    kept until they use the bot again."""
    await _forgotten_u2(slack)
    slack.fake.channels["G2"] = {"id": "G2", "name": "vault", "is_private": True}
    await _joined(slack, "U2", "G2", "Ev-u2-joined-vault")
    await _joined(slack, "U2", "C5", "Ev-u2-joined-general")
    assert await _stored_of(slack, "U2") == []


async def test_their_command_after_a_join_event_stores_their_channel_again(slack):
    """Coverage, the returning person: the join told about them stored nothing, and their own
    command in that channel is their fresh start (the mark cleared, the channel stored as
    theirs, and #secret, where Slack still lists them, re-learned in the background); a later
    join is stored as anyone's."""
    await _forgotten_u2(slack)
    slack.fake.channels["G2"] = {"id": "G2", "name": "vault", "is_private": True}
    slack.fake.members["G2"] = ["UBOT", "U1", "U2"]
    await _joined(slack, "U2", "G2", "Ev-u2-joined-vault")
    assert await _stored_of(slack, "U2") == []
    assert "Noted" in await _said(
        slack, "moved the vault", user="U2", channel="G2", channel_name="vault"
    )
    await slack.adapter.drain(timeout=math.inf)
    assert await _channels_of(slack, "U2") == {"G1", "G2"}
    slack.fake.channels["G3"] = {"id": "G3", "name": "ledger", "is_private": True}
    await _joined(slack, "U2", "G3", "Ev-u2-joined-ledger")
    assert await _channels_of(slack, "U2") == {"G1", "G2", "G3"}


async def _channels_of(slack: SlackEnv, user_id: str) -> set[str]:
    """The channels stored as ``user_id``'s."""
    async with slack.db.snapshot() as session:
        rows = await session.exec(
            select(Channel.channel_id)
            .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
            .where(ChannelMember.user_id == user_id)
        )
        return set(rows.all())
