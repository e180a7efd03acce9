"""A stored place the guild no longer lists is looked up at a process's first look (to find it
deleted while the process was down), and what Discord answered is kept in the database: a
place it said is gone (404, Unknown Channel 10003) is never asked about again, one it refused
(403, Missing Access 50001) not until the bot's access in the guild changes or a day has
passed, unless someone is stored as reading it (found deleted, it must lose them at once), and
a DM kept under the server is never asked about (it is no place of the server).

Before, every restart asked again about every such place, a REST call each, which a large
guild's history of deleted channels turned into a burst against the rate limits. Through the
real discord.py client against the fake gateway, with no privileged intent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot_adapters.discord.client import NarrateClient

from .fake import ALICE, CAROL, GENERAL, GUILD, SECRET, FakeDiscord
from .test_bot_back_after_restart import READERS
from .test_bot_back_by_role import _eventually, _scalar
from .test_bot_lost_while_down import _stored_in

# An archived private thread with a reader: not listed nor cached, so looked up at every first
# look (it may have been deleted meanwhile), after SECRET (places are asked in id order). Its
# look-up says the look at SECRET is done.
LATER = "3999"
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}


def _gets(fake: FakeDiscord, channel_id: str) -> int:
    return len([c for c in fake.posted(f"/channels/{channel_id}", "GET") if c.path.count("/") == 2])


async def _read_by_alice(bot: Bot, channel_id: str, kind: str = "private") -> None:
    async with bot.db.engine.begin() as conn:
        tenant = await conn.scalar(text("SELECT id FROM tenant"))
        pk = await conn.scalar(
            text("SELECT id FROM channel WHERE channel_id = :c"), {"c": channel_id}
        )
        if pk is None:
            await conn.execute(
                text("INSERT INTO channel (tenant_id, channel_id, name, kind, shared, archived, "
                     "bot_left) VALUES (:t, :c, 'plans', :k, false, false, false)"),
                {"t": tenant, "c": channel_id, "k": kind},
            )  # fmt: skip
            pk = await conn.scalar(
                text("SELECT id FROM channel WHERE channel_id = :c"), {"c": channel_id}
            )
        await conn.execute(
            text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:pk, :user)"),
            {"pk": pk, "user": ALICE["id"]},
        )


def _archived_private_thread(fake: FakeDiscord, thread_id: str, name: str) -> dict[str, Any]:
    thread = fake._thread(GENERAL, thread_id, name) | {"type": 12}
    thread["thread_metadata"]["archived"] = True
    return thread


async def _first_look_done(fake: FakeDiscord, looks: int, later: str = LATER) -> None:
    async def later_looked_up() -> bool:
        return _gets(fake, later) >= looks

    await _eventually(later_looked_up)


async def _stored_with_unlisted(
    fake: FakeDiscord, bot: Bot, connect: Any, *, read: bool = True
) -> None:
    """#secret (read by alice, unless not ``read``) and the archived thread LATER are stored;
    then #secret is no longer listed (deleted, or hidden from the bot), as no process sees."""
    first = await connect(bot)
    await _stored_in(bot, GENERAL, SECRET)
    if read:
        await _read_by_alice(bot, SECRET)
    await _read_by_alice(bot, LATER)
    fake.threads[LATER] = _archived_private_thread(fake, LATER, "plans")
    await first.close()
    fake.guild["channels"] = [c for c in fake.guild["channels"] if c["id"] != SECRET]


async def test_a_restart_asks_nothing_more_of_a_channel_known_deleted(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _stored_with_unlisted(fake, bot, connect)
    second = await connect(bot)  # #secret was deleted while no process ran: found gone

    async def no_readers() -> bool:
        return await _scalar(bot, READERS, c=SECRET) is None

    await _eventually(no_readers)
    await _first_look_done(fake, 1)
    await second.close()
    await connect(bot)
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == 1  # the deletion was kept: no second look-up
    assert await _scalar(bot, READERS, c=LATER) == ALICE["id"]  # a place found keeps its readers


async def test_a_refused_place_is_asked_again_only_once_the_bots_access_changes(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _stored_with_unlisted(fake, bot, connect, read=False)
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    second = await connect(bot)
    await _first_look_done(fake, 1)
    assert _gets(fake, SECRET) == 1
    await second.close()
    third = await connect(bot)
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == 1  # refused again, surely: not asked
    # Never widened meanwhile: nobody reads it.
    assert await _scalar(bot, READERS, c=SECRET) is None
    assert await _scalar(bot, "SELECT kind FROM channel WHERE channel_id = :c", c=SECRET) == (
        "private"
    )

    # The bot is added to the thread #secret turned out to be (THREAD_CREATE, as Discord tells
    # a bot added to a private thread): whatever it was refused may be readable now.
    fake._failures.clear()
    joined = _archived_private_thread(fake, SECRET, "secret")
    joined["thread_metadata"]["archived"] = False
    await fake.dispatch("THREAD_CREATE", joined | {"newly_created": False})

    async def forgotten() -> bool:
        return not await _scalar(bot, "SELECT count(*) FROM place_lookup")

    await _eventually(forgotten)
    await third.close()
    fake.threads[SECRET] = _archived_private_thread(fake, SECRET, "secret")  # archived since
    await connect(bot)
    await _first_look_done(fake, 3)
    assert _gets(fake, SECRET) == 2  # read again


async def test_a_refused_place_someone_reads_is_asked_at_every_start(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """Deleted while the process was down, it loses its readers at the next start, as a place
    never refused does, not once the refusal is a day old."""
    await _stored_with_unlisted(fake, bot, connect)
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    second = await connect(bot)
    await _first_look_done(fake, 1)
    assert await _scalar(bot, READERS, c=SECRET) == ALICE["id"]  # refused: alice stands
    await second.close()
    fake._failures.clear()  # #secret deleted while no process ran: Discord answers 404
    await connect(bot)
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == 2
    assert await _scalar(bot, READERS, c=SECRET) is None


@pytest.mark.parametrize(
    ("answer", "kind", "outcome"),
    [
        ({"type": 99}, "public", None),  # a type discord.py doesn't know: nothing kept
        ({"type": 0, "guild_id": "2999"}, "private", "refused"),  # another guild's
    ],
)
async def test_only_a_place_that_is_no_channel_of_the_guild_counts_as_refused(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    answer: dict[str, Any],
    kind: str,
    outcome: str | None,
) -> None:
    """discord.py raises InvalidData for a place of another guild, and for a channel type it
    doesn't know (one Discord added since): that one says nothing of who reads the place, so
    it stays as stored (public here, not made private) and is asked again."""
    await _stored_with_unlisted(fake, bot, connect, read=False)
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE channel SET kind = 'public' WHERE channel_id = :c"), {"c": SECRET}
        )
    body = {"id": SECRET, "guild_id": GUILD, "name": "new-kind"} | answer
    fake.fail("GET", rf"^/channels/{SECRET}$", 200, body, times=100)
    second = await connect(bot)
    await _first_look_done(fake, 1)
    assert await _scalar(bot, "SELECT kind FROM channel WHERE channel_id = :c", c=SECRET) == kind
    assert await _scalar(bot, "SELECT outcome FROM place_lookup") == outcome
    await second.close()
    await connect(bot)
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == (2 if outcome is None else 1)


async def test_a_place_discord_refuses_to_describe_is_never_public(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """A place stored as public that the guild no longer lists and Discord won't describe:
    who reads it can't be told, so it is private (its narrations shown to their authors)."""
    await _stored_with_unlisted(fake, bot, connect)
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE channel SET kind = 'public' WHERE channel_id = :c"), {"c": SECRET}
        )
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    await connect(bot)
    await _first_look_done(fake, 1)
    kind = "SELECT kind FROM channel WHERE channel_id = :c"
    assert await _scalar(bot, kind, c=SECRET) == "private"


async def test_a_refusal_is_asked_about_again_after_a_day(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await _stored_with_unlisted(fake, bot, connect, read=False)
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    start = clock.now()
    second = await connect(bot, now=lambda: start)
    await _first_look_done(fake, 1)
    await second.close()
    third = await connect(bot, now=lambda: start + timedelta(hours=23))
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == 1
    await third.close()
    later: datetime = start + timedelta(days=1, minutes=1)
    await connect(bot, now=lambda: later)
    await _first_look_done(fake, 3)
    assert _gets(fake, SECRET) == 2


async def test_a_dm_kept_under_the_server_is_not_looked_up_as_one_of_its_channels(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    first = await connect(bot)
    await _stored_in(bot, GENERAL)
    form = f"narrate-form@{GUILD}:narration"  # the reminder DM's "Write my update", answered
    await fake.answer(await fake.click(f"narrate@{GUILD}:/narrate", in_guild=False, who=CAROL))
    await fake.answer(await fake.submit(form, "shipped the importer", in_guild=False, who=CAROL))
    dm = "8" + CAROL["id"]

    async def dm_stored() -> bool:
        return bool(await _scalar(bot, "SELECT count(*) FROM channel WHERE channel_id = :c", c=dm))

    await _eventually(dm_stored)
    after_dm = "90000"
    await _read_by_alice(bot, after_dm)
    fake.threads[after_dm] = _archived_private_thread(fake, after_dm, "plans")
    await first.close()
    client: NarrateClient = await connect(bot)
    await _first_look_done(fake, 1, after_dm)
    assert _gets(fake, dm) == 0
    assert client.is_ready()


@pytest.mark.parametrize("event", ["CHANNEL_UPDATE", "GUILD_ROLE_UPDATE"])
async def test_a_refusal_is_forgotten_when_the_bots_access_may_have_changed(
    fake: FakeDiscord, bot: Bot, connect: Any, event: str
) -> None:
    """A channel's overwrites (its threads' too) or a role's permissions changed, events the bot
    gets without privileged intents: what it was refused may be readable now."""
    await _stored_with_unlisted(fake, bot, connect)
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    await connect(bot)
    await _first_look_done(fake, 1)
    refused = "SELECT count(*) FROM place_lookup WHERE outcome = 'refused'"
    assert await _scalar(bot, refused) == 1
    if event == "CHANNEL_UPDATE":
        [general] = [c for c in fake.guild["channels"] if c["id"] == GENERAL]
        await fake.dispatch(event, general | {"name": "general-chat"})
    else:
        [everyone] = [r for r in fake.guild["roles"] if r["id"] == GUILD]
        await fake.dispatch(event, {"guild_id": GUILD, "role": everyone})

    async def forgotten() -> bool:
        return await _scalar(bot, refused) == 0

    await _eventually(forgotten)


async def test_a_refusal_another_replica_kept_is_forgotten_when_the_bots_access_changes(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """What was refused is read from the database, not remembered: this process found #secret
    at its first look, another replica was refused it since (the bot taken out of the thread
    it is), and a channel update here may have opened it again."""
    await _stored_with_unlisted(fake, bot, connect, read=False)
    fake.threads[SECRET] = _archived_private_thread(fake, SECRET, "secret")
    await connect(bot)
    await _first_look_done(fake, 1)
    assert _gets(fake, SECRET) == 1  # found: nothing kept
    assert not await _scalar(bot, "SELECT count(*) FROM place_lookup")
    async with bot.db.engine.begin() as conn:  # the other replica's refusal
        await conn.execute(
            text("INSERT INTO place_lookup (channel_pk, outcome, looked_at) "
                 "SELECT id, 'refused', :at FROM channel WHERE channel_id = :c"),
            {"at": datetime(2026, 1, 5, tzinfo=UTC), "c": SECRET},
        )  # fmt: skip
    [general] = [c for c in fake.guild["channels"] if c["id"] == GENERAL]
    await fake.dispatch("CHANNEL_UPDATE", general | {"name": "general-chat"})

    async def forgotten() -> bool:
        return not await _scalar(bot, "SELECT count(*) FROM place_lookup")

    await _eventually(forgotten)
