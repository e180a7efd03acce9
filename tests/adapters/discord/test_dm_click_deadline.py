"""A click on a button in a DM is answered in time even when checking the clicker's membership
is slow.

The DM names its server, and only a member may act in it; without the members intent the bot
may have to fetch the member over REST, and that request can wait out a rate limit (discord.py
waits up to a minute). Discord drops an interaction with no response within 3 s ("This
interaction failed"), so the check runs under the same deferral as a slow answer does.
"""

from __future__ import annotations

from narrate_bot.events import CommandInvoked
from narrate_bot.replies import Reply

from .conftest import Recorder, until
from .fake import CAROL, GUILD

EPHEMERAL = 64
CLICK = f"narrate@{GUILD}:/narrate intros met 4"
MEMBER = rf"^/guilds/{GUILD}/members/{CAROL['id']}$"
SLOW_DOWN = {"message": "You are being rate limited.", "retry_after": 0.5, "global": False}


async def test_a_dm_click_is_deferred_while_the_member_check_waits_out_a_rate_limit(fake, connect):
    core = Recorder([Reply(text="Glad you met!")])
    await connect(core, defer_after=0.05)
    # carol isn't in the member cache: the click fetches her, and the members route is limited.
    fake.fail("GET", MEMBER, 429, SLOW_DOWN, headers={"X-RateLimit-Scope": "user"})

    iid = await fake.click(CLICK, in_guild=False, who=CAROL)

    assert await fake.answer(iid) == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…"
    await until(lambda: fake.posted("/webhooks/"))
    limited, fetched = fake.posted(f"/members/{CAROL['id']}", method="GET")
    assert limited.status == 429
    assert fake.acked_at[iid] < fetched.at  # deferred before the member check could finish
    [follow_up] = fake.posted("/webhooks/")
    assert follow_up.body["content"] == "Glad you met!"
    assert follow_up.body["flags"] == EPHEMERAL
    [event] = core.of(CommandInvoked)
    assert event.tenant.tenant_id == GUILD and event.text == "intros met 4"


async def test_a_stranger_who_clicks_after_a_slow_check_is_still_told_why(fake, connect):
    core = Recorder([Reply(text="Glad you met!")])
    await connect(core, defer_after=0.05)
    stranger = {"id": "5555", "username": "eve", "discriminator": "0", "avatar": None}
    fake.fail("GET", rf"^/guilds/{GUILD}/members/5555$", 429, SLOW_DOWN,
              headers={"X-RateLimit-Scope": "user"})  # fmt: skip

    iid = await fake.click(CLICK, in_guild=False, who=stranger)

    assert await fake.answer(iid) == {"type": 5, "data": {"flags": EPHEMERAL}}
    await until(lambda: fake.posted("/webhooks/"))
    [refused] = fake.posted("/webhooks/")
    assert "no longer in" in refused.body["content"] and refused.body["flags"] == EPHEMERAL
    assert core.of(CommandInvoked) == []
