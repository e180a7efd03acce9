"""Forget-me erases what is kept about a person, their private-channel memberships included. If
they still read a private channel, their next use of the bot must find its narrations again, as
it does for anyone else there: not stay blind to it until the bot restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.events import ChannelDescribed, Event, MessageReceived, Platform, TenantRef
from narrate_bot.storage.tables import Channel, ChannelMember, Person, TenantSetting
from tests.conftest import ManualClock

from .conftest import FAST, until
from .fake import (
    ALICE,
    APP,
    BOB,
    CAROL,
    GENERAL,
    GUILD,
    PRIVATE,
    SECRET,
    VIEW,
    FakeDiscord,
    text_channel,
)

VAULT = "rotating vault keys"


@pytest.fixture(autouse=True)
def _sent_by_the_clock(fake: FakeDiscord, clock: ManualClock) -> None:
    """Interactions and messages made when the bot's clock says, as Discord's would be: whether
    an event brings someone back after a forget-me depends on when it was sent."""
    fake.ids_from(clock.now())


async def _whoknows(fake: FakeDiscord, topic: str) -> str:
    answer = await fake.answer(await fake.slash("whoknows", who=CAROL, topic=topic))
    return str(answer["data"]["content"])


async def test_a_private_channel_still_readable_after_forget_me_is_shown_again(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """carol is a keeper, so she reads #secret before and after erasing herself."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    assert VAULT in await _whoknows(fake, "vault")

    erased = await fake.answer(await fake.slash("narrate", who=CAROL, text="forget-me confirm"))
    assert "gone from everything" in erased["data"]["content"]

    assert VAULT in await _whoknows(fake, "vault")


async def _stored_of(bot: Bot, user_id: str) -> tuple[set[str], int, int]:
    """What is stored under ``user_id``: the channels stored as theirs, their person rows, and
    the workspace's forgotten marks (one per person forgotten and not back)."""
    async with bot.db.snapshot() as session:
        channels = await session.exec(
            select(Channel.channel_id)
            .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
            .where(ChannelMember.user_id == user_id)
        )
        people = await session.exec(select(Person).where(Person.user_id == user_id))
        keys = await session.exec(select(TenantSetting.key))
        marks = [k for k in keys.all() if k.startswith("privacy.forgotten:")]
        return set(channels.all()), len(people.all()), len(marks)


async def _forgotten_carol(fake: FakeDiscord, bot: Bot) -> None:
    """alice narrates in #secret; carol, a keeper, reads it (stored by her own command), then
    erases herself while still a keeper."""
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    assert VAULT in await _whoknows(fake, "vault")
    assert (await _stored_of(bot, CAROL["id"]))[0] == {SECRET}
    erased = await fake.answer(await fake.slash("narrate", who=CAROL, text="forget-me confirm"))
    assert "gone from everything" in erased["data"]["content"]
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)


def _handled(bot: Bot) -> list[Event]:
    """The events the core has finished handling, in order (``bot.handle`` wrapped)."""
    real = bot.handle
    done: list[Event] = []

    async def handle(event: Event) -> Any:
        replies = await real(event)
        done.append(event)
        return replies

    bot.handle = handle  # type: ignore[method-assign]
    return done


async def test_chatter_in_a_thread_stores_no_channel_of_someone_forgotten(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """With Message Content, every message in a thread reaches the bot, and its author's access
    was re-checked first: chatting there (not to the bot) stored carol's #secret again after her
    forget-me (before: ``{SECRET}``), though she never used the bot."""
    await connect(bot, Settings(discord=FAST.model_copy(update={"message_content": True})))
    await _forgotten_carol(fake, bot)
    done = _handled(bot)
    thread = fake.thread(GENERAL, "5500", "lunch")
    await fake.dispatch("THREAD_CREATE", thread | {"newly_created": True})

    await fake.say("anyone for noodles?", who=CAROL, channel="5500")

    await until(lambda: any(isinstance(e, MessageReceived) for e in done), timeout=30)
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)


async def test_a_recheck_the_bot_starts_stores_no_channel_of_someone_forgotten(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """The core asks Discord to re-read people's access (before the weekly introductions, an
    open question's nudge): carol's #secret was stored again (before: ``{SECRET}``)."""
    client = await connect(bot)
    await _forgotten_carol(fake, bot)
    acme = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
    await client.gateway.refresh_access(acme, [CAROL["id"]])
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)


async def test_back_after_a_join_event_her_own_command_reads_her_channel(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """Coverage, the returning person (filtering every join lost her #secret): after a re-check
    that stored nothing of her, her own command re-checks her access as hers, so her mark is
    cleared, #secret is stored as hers, and the answer reads it."""
    client = await connect(bot)
    await _forgotten_carol(fake, bot)
    acme = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
    await client.gateway.refresh_access(acme, [CAROL["id"]])

    assert VAULT in await _whoknows(fake, "vault")
    channels, _, marks = await _stored_of(bot, CAROL["id"])
    assert (channels, marks) == ({SECRET}, 0)


async def test_asking_what_is_kept_after_forget_me_finds_nothing(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """ "What do you keep about me?" right after forget-me: the access re-check before the
    command stored carol's #secret again as hers and cleared her mark, and the export then
    listed it (before: ``{SECRET}``, no mark, "Here is everything I store about you")."""
    await connect(bot)
    await _forgotten_carol(fake, bot)

    got = await fake.answer(await fake.slash("narrate", who=CAROL, text="export"))

    assert "I have nothing stored about you" in got["data"]["content"]
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)


async def test_asking_to_be_forgotten_again_unconfirmed_keeps_them_forgotten(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """An unconfirmed forget-me after the one that went through: it stored carol's #secret again
    and cleared her mark (before: ``{SECRET}``, no mark), with nothing to erase left."""
    await connect(bot)
    await _forgotten_carol(fake, bot)

    got = await fake.answer(await fake.slash("narrate", who=CAROL, text="forget-me"))

    assert "nothing stored about you" in got["data"]["content"]
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)


async def test_a_returning_persons_mention_brings_back_their_channels(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """Coverage, the returning person: her mention of the bot is her use of it, so her mark is
    cleared and #secret is stored as hers again."""
    await connect(bot)
    await _forgotten_carol(fake, bot)
    done = _handled(bot)

    await fake.say(f"<@{APP}> who knows about vault?", who=CAROL, channel=GENERAL)

    await until(lambda: any(isinstance(e, MessageReceived) for e in done), timeout=30)
    channels, _, marks = await _stored_of(bot, CAROL["id"])
    assert (channels, marks) == ({SECRET}, 0)


async def test_access_given_while_forgotten_counts_in_the_answer_that_brings_them_back(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """Coverage, the returning person on Discord (the Slack adapter re-learns in the background,
    ``users.conversations``): bob is let into #secret while forgotten, which stores nothing of
    him; the access re-check before his own command stores it as his, so the very answer that
    brings him back reads #secret, and no re-learning is needed."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    await fake.answer(await fake.slash("narrate", who=BOB, text="drafted the launch plan"))
    await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me"))
    erased = await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me confirm"))
    assert "erased everything" in erased["data"]["content"]
    done = _handled(bot)

    let_in = {"id": BOB["id"], "type": 1, "allow": str(VIEW), "deny": "0"}
    await fake.dispatch("CHANNEL_UPDATE", text_channel(SECRET, "secret", [*PRIVATE, let_in]))

    await until(lambda: any(isinstance(e, ChannelDescribed) for e in done), timeout=30)
    assert await _stored_of(bot, BOB["id"]) == (set(), 0, 1)
    answer = await fake.answer(await fake.slash("whoknows", who=BOB, topic="vault"))
    assert VAULT in answer["data"]["content"]
    channels, _, marks = await _stored_of(bot, BOB["id"])
    assert (channels, marks) == ({SECRET}, 0)


async def test_an_interaction_sent_before_the_forget_me_leaves_them_forgotten(
    fake: FakeDiscord, bot: Bot, connect, clock: ManualClock
) -> None:
    """An interaction created (its snowflake) before carol's forget-me and handled after it (a
    replica slower than the one that ran the confirmation) doesn't bring her back: it is
    answered as sent before the forget-me, her mark stays and nothing of her is stored."""
    await connect(bot)
    await _forgotten_carol(fake, bot)

    fake.ids_from(clock.now() - timedelta(seconds=2))
    early = await fake.slash("narrate", who=CAROL, text="drafted the launch plan")
    assert "nothing about you is stored" in (await fake.answer(early))["data"]["content"]
    assert VAULT not in await _whoknows(fake, "vault")
    assert await _stored_of(bot, CAROL["id"]) == (set(), 0, 1)

    fake.ids_from(clock.now() + timedelta(seconds=1))  # sent after it: back
    assert VAULT in await _whoknows(fake, "vault")
    channels, _, marks = await _stored_of(bot, CAROL["id"])
    assert (channels, marks) == ({SECRET}, 0)
