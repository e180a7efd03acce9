"""Where someone last used the bot is kept in the database (``last_place``), so a pointer to what
waits for them while their DMs are closed still goes there after a restart, not only to the
server's system channel (none here: it was the only other place to point in).

The rules of the in-memory pointer hold: only a channel the bot may post in is kept, and only
the pointer and a mention go there. A private channel they used the bot in is pointed in only
while they may still view it (they may have lost its role since it was kept). A forget-me
erases it (no pointer goes there after, in this process or the next), and the export shows it.
Through the real discord.py client against the fake, on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post
from narrate_bot.storage import privacy
from narrate_bot.storage.tables import Person
from narrate_bot_adapters.discord.gateway import NobodyReached

from .fake import APP, BOB, CAROL, GENERAL, GUILD, SECRET, VIEW, FakeDiscord, pinged

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
DMS_CLOSED = {"message": "Cannot send messages to this user", "code": 50007}
SEND = 1 << 11
INTRODUCTION = Post(
    text="Introduction #4: you both narrated about the zanzibar acquisition",
    to_users=(BOB["id"],),
    pointer="I have an introduction for you (#4).",
)


async def _used_the_bot(fake: FakeDiscord, who: dict[str, str], channel: str) -> None:
    await fake.answer(await fake.slash("narrate", who=who, channel=channel, text="vault keys"))


def _pointers(fake: FakeDiscord, channel: str) -> list[str]:
    return [
        str(c.body.get("content"))
        for c in fake.posted(f"/channels/{channel}/messages")
        if c.status == 200 and "introduction for you" in str(c.body.get("content"))
    ]


async def test_the_pointer_goes_where_they_last_used_the_bot_after_a_restart(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    fake.guild["system_channel_id"] = None
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, DMS_CLOSED, times=99)
    first = await connect(bot)
    await _used_the_bot(fake, BOB, GENERAL)
    await first.close()

    second = await connect(bot)  # a restart: nothing in memory about bob
    await second.gateway.post(TENANT, INTRODUCTION)

    [pointer] = fake.posted(f"/channels/{GENERAL}/messages")
    assert pointer.body["content"] == f"<@{BOB['id']}> I have an introduction for you (#4)."
    assert pinged(pointer.body) == {BOB["id"]}


@pytest.mark.parametrize("still_reads", [True, False], ids=["still reads it", "lost its role"])
async def test_a_private_last_channel_is_pointed_in_only_while_they_may_view_it(
    fake: FakeDiscord, bot: Bot, connect: Any, still_reads: bool
) -> None:
    """#secret is read by keepers (carol is one when she uses the bot there), and the bot is
    let in by an overwrite of its own. After the restart, Discord says whether she still is."""
    [secret] = [c for c in fake.guild["channels"] if c["id"] == SECRET]
    secret["permission_overwrites"] = [  # a new list: the fake's PRIVATE is shared
        *secret["permission_overwrites"],
        {"id": APP, "type": 1, "allow": str(VIEW | SEND), "deny": "0"},
    ]
    fake.guild["system_channel_id"] = None
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 403, DMS_CLOSED, times=99)
    first = await connect(bot)
    await _used_the_bot(fake, CAROL, SECRET)
    await first.close()
    if not still_reads:
        fake.roles[CAROL["id"]] = []  # taken out of keepers: no event tells the bot

    second = await connect(bot)
    post = INTRODUCTION.model_copy(update={"to_users": (CAROL["id"],)})
    if still_reads:
        await second.gateway.post(TENANT, post)
        [pointer] = _pointers(fake, SECRET)
        assert pointer.startswith(f"<@{CAROL['id']}>")
    else:
        with pytest.raises(NobodyReached):
            await second.gateway.post(TENANT, post)
        assert _pointers(fake, SECRET) == [], "she can't read #secret any more"


async def test_forget_me_erases_where_they_last_used_the_bot(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    fake.guild["system_channel_id"] = None
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, DMS_CLOSED, times=99)
    client = await connect(bot)
    await _used_the_bot(fake, BOB, GENERAL)
    async with bot.db.snapshot() as session:
        person = (await session.exec(select(Person).where(Person.user_id == BOB["id"]))).one()
        kept = await privacy.export_person(session, person=person)
    assert [p["channel"] for p in kept["last_used_the_bot_in"]] == [GENERAL]

    await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me"))
    await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me confirm"))

    with pytest.raises(NobodyReached):  # in this process too: nothing points to #general
        await client.gateway.post(TENANT, INTRODUCTION)
    assert _pointers(fake, GENERAL) == []
