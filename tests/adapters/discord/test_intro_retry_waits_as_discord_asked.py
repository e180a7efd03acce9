"""The rest of a Discord group DM that Discord asked the bot to hold back is tried again no sooner
than it said, not after the scheduler's 1-minute back-off (each early try refused again, or
paused by the bot itself, and counted as one of the send's four):

* a 429 discord.py raises as it is (an ``HTTPException``: its own tries spent, or no ``Via``) is
  read by its ``Retry-After``;
* a 429 on a later part of a long DM (``discord.RateLimited``) after its first part went out;
* a 40003 (opening DMs too fast) pauses DMs bot-wide: the retry waits out what is left of it.

Through the real client against the fake, the rounds through the real scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features import schedule_delivery
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.ports import PartlyPosted
from narrate_bot.replies import Post

from .conftest import Recorder
from .fake import ALICE, CAROL, GUILD, FakeDiscord
from .test_intro_unreached_marks_hold import _at, _join

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
TOO_FAST = {"message": "You are opening direct messages too fast.", "code": 40003}
LIMIT = {"message": "You are being rate limited.", "retry_after": 900.0, "global": False}


def _introduced(fake: FakeDiscord, who: dict[str, str]) -> list[int]:
    return [c.status for c in fake.posted(f"/channels/8{who['id']}/messages")
            if "zanzibar" in str(c.body.get("content"))]  # fmt: skip


async def _due_at(bot: Bot) -> list[datetime]:
    async with bot.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT due_at FROM schedule_send WHERE part LIKE 'post-%' ORDER BY id")
        )
        return [d if isinstance(d, datetime) else datetime.fromisoformat(d) for (d,) in rows]


async def test_a_429_discord_py_raised_as_it_is_waits_for_its_retry_after(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await _join(fake, ALICE, CAROL)
    # Without Discord's ``Via`` (a proxy's 429) discord.py raises it at once, as it is.
    headers = {"Via": "", "Retry-After": "900", "X-RateLimit-Scope": "user"}
    fake.fail("POST", r"^/channels/8\d+/messages$", 429, LIMIT, headers=headers, skip=1)

    await tick(bot, clock.now())
    await _at(bot, clock, 0)  # Monday 10:00 UTC: the first member gets it; the second is limited
    [first] = [who for who in (ALICE, CAROL) if _introduced(fake, who) == [200]]
    [second] = [who for who in (ALICE, CAROL) if who is not first]
    assert _introduced(fake, second) == [429]
    for minute in (1, 3, 7, 14):  # the back-off's minutes, and on until Discord's 15 are over
        await _at(bot, clock, minute)
    assert _introduced(fake, second) == [429], "tried again before Discord's 15 minutes"
    await _at(bot, clock, 16)
    assert _introduced(fake, second) == [429, 200]
    assert _introduced(fake, first) == [200]


async def test_a_later_part_s_rate_limit_keeps_its_retry_after(fake, connect):
    """carol's DM is three messages; Discord limits the second for 10 minutes (longer than
    discord.py sits out): the scheduler reads that wait from what the gateway raises."""
    client = await connect(Recorder())
    limit = {"message": "You are being rate limited.", "retry_after": 600.0, "global": False}
    headers = {"Retry-After": "600", "X-RateLimit-Scope": "user"}
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 429, limit, headers=headers, skip=1)
    long = Post(text="zanzibar " * 600, to_users=(ALICE["id"], CAROL["id"]))

    try:
        await client.gateway.post(TENANT, long)
    except PartlyPosted as partly:
        assert partly.have == (ALICE["id"],)
        cause = partly.__cause__
        assert isinstance(cause, Exception)
        assert schedule_delivery._wait(cause, 0).total_seconds() >= 600
    else:
        raise AssertionError("carol's DM was limited part-way: the post is partly out")


async def test_a_dm_pause_is_waited_out_not_tried_into(fake, bot: Bot, clock, connect):
    await connect(bot, now=clock.now)  # the pause runs on the test's clock
    await _join(fake, ALICE, CAROL)
    fake.fail("POST", r"^/users/@me/channels$", 403, TOO_FAST, skip=1)

    await tick(bot, clock.now())
    await _at(bot, clock, 0)  # the first member's DM is opened; the second's is throttled
    [second] = [who for who in (ALICE, CAROL) if not _introduced(fake, who)]
    # No DM is opened for five minutes: the retry is due once they are over, no sooner.
    [due] = await _due_at(bot)
    assert due.replace(tzinfo=UTC) >= datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    await _at(bot, clock, 5)
    assert _introduced(fake, second) == [200]
