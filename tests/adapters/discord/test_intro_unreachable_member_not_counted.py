"""A member of a Discord group introduction nothing could reach (DMs closed, and no channel
takes the pointer) didn't get it: they aren't counted with whoever has it (``PartlyPosted``
tells them apart), so they are marked never reached, like a member whose DMs kept failing, and
aren't asked on Thursday. Both when the send ends given up for someone else and when it went
out to everyone it could reach. Through the real client against the fake, the rounds through
the real scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, BOB, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import ASKED, UNAVAILABLE, _dm_tries


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _never_reached(bot: Bot) -> dict[str, bool]:
    async with bot.db.engine.connect() as conn:
        return {
            str(user): bool(missed)
            for user, missed in await conn.execute(
                text(
                    "SELECT person.user_id, intro_member.unreached_at IS NOT NULL"
                    " FROM intro_member JOIN person ON person.id = intro_member.person_id"
                )
            )
        }


@pytest.mark.parametrize("carol_fails", [True, False], ids=["given up", "sent"])
async def test_a_member_nothing_reached_is_not_counted_as_reached(
    fake, bot: Bot, clock, connect, carol_fails: bool
):
    await connect(bot)
    for who, team in ((ALICE, "payments"), (BOB, "search"), (CAROL, "infra")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)
    refused = {"message": "Cannot send messages to this user", "code": 50007}
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, refused, times=500)
    no_perms = {"message": "Missing Permissions", "code": 50013}
    fake.fail("POST", r"^/channels/[1-7]\d*/messages$", 403, no_perms, times=500)  # pointers
    if carol_fails:
        fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=500)

    await tick(bot, clock.now())
    for minute in (0, 1, 3, 7, 15):
        when = datetime(2026, 11, 23, 10, minute, tzinfo=UTC)
        clock.set(when)
        await tick(bot, when)
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t], "alice got it"
    assert await _never_reached(bot) == {
        ALICE["id"]: False,
        BOB["id"]: True,  # got neither a DM nor a pointer
        CAROL["id"]: carol_fails,
    }

    fake._failures.clear()
    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    clock.set(thursday)
    await tick(bot, thursday)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t]
    assert not [t for t in _dm_tries(fake, BOB) if ASKED in t], "bob never got it"
