"""An introduction's group DM that one replica gives up with nobody reached, after another
replica took the send over (the first one's lease ran out mid-post) and delivered it, marks
nobody never reached: the give-up's marks are written only while the send is still its own,
in the transaction that ends it. Through the real client against the fake, the rounds through
the real scheduler, on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.events import Platform
from narrate_bot.features.schedule_delivery import MAX_ATTEMPTS

from .fake import BOB, CAROL, GENERAL, FakeDiscord
from .test_intro_refused_and_held import REFUSED, _rounds_while_unavailable
from .test_intro_unreachable_member_not_counted import _never_reached
from .test_intro_unreached_marks_hold import _join


async def test_a_send_taken_over_and_delivered_elsewhere_marks_nobody(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.guild["system_channel_id"] = GENERAL
    client = await connect(bot)
    await _join(fake, BOB, CAROL)
    for who in (BOB, CAROL):
        fake.fail("POST", rf"^/channels/8{who['id']}/messages$", 403, REFUSED, times=500)
    gateway = bot.gateways[Platform.DISCORD]
    real_post = gateway.post
    taken_over: list[int] = []

    async def slow_post(tenant: Any, post: Any) -> Any:
        send_id = int(str(post.delivery).split(":")[1])
        try:
            return await real_post(tenant, post)
        finally:
            async with bot.db.engine.begin() as conn:
                (attempts,) = (
                    await conn.execute(
                        text("SELECT attempts FROM schedule_send WHERE id = :i"), {"i": send_id}
                    )
                ).one()
                if attempts == MAX_ATTEMPTS - 1:
                    # Meanwhile A's lease ran out; replica B leased the send, its guild
                    # cache had the server, and B delivered it (pointers) and committed SENT.
                    await conn.execute(
                        text(
                            "UPDATE schedule_send SET status = 'sent', lease_owner = 'replica-b',"
                            " message_id = '999', payload = NULL WHERE id = :i"
                        ),
                        {"i": send_id},
                    )
                    await conn.execute(
                        text("UPDATE introduction SET delivered_at = CURRENT_TIMESTAMP")
                    )
                    taken_over.append(send_id)

    monkeypatch.setattr(gateway, "post", slow_post)
    await _rounds_while_unavailable(bot, clock, client, monkeypatch)

    assert taken_over, "the final try ran"
    async with bot.db.engine.connect() as conn:
        status = (
            await conn.execute(
                text("SELECT status FROM schedule_send WHERE id = :i"), {"i": taken_over[0]}
            )
        ).scalar_one()
    assert status == "sent", "replica B's outcome stands"
    assert await _never_reached(bot) == {BOB["id"]: False, CAROL["id"]: False}, (
        "B delivered it: A's give-up, no longer its send, must not mark them never reached"
    )
