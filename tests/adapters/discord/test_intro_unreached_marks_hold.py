"""Who a Discord group introduction never reached is kept exactly (``intro_member.unreached_at``),
so Thursday's follow-up asks whoever was introduced and nobody else:

* the rest of a partly sent group DM, once nothing can reach them either (DMs closed, no channel
  takes the pointer), ends at once: a retry would reach nobody, and each one spent another
  refused request on them;
* the mark is written in the transaction that records the send's outcome: when writing it
  fails, the outcome isn't recorded without it (the send is tried again once its lease is out);
* the introduction posted in the introductions channel after its group DM missed someone named
  them there: they were introduced after all, and are asked like the others.

Through the real client against the fake, the rounds through the real scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.events import Platform
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage import intro_repo
from narrate_bot_adapters.discord.gateway import Delivered

from .fake import ALICE, BOB, CAROL, GENERAL, FakeDiscord
from .test_intro_dms_partly_sent import ASKED, UNAVAILABLE, _dm_tries
from .test_intro_unreachable_member_not_counted import _never_reached

THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # the follow-up: Monday + 3 days
REFUSED = {"message": "Cannot send messages to this user", "code": 50007}
NO_PERMS = {"message": "Missing Permissions", "code": 50013}


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _join(fake: FakeDiscord, *people: dict[str, str]) -> None:
    for who, team in zip(people, ("payments", "search", "infra"), strict=False):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)


async def _at(bot: Bot, clock, minute: int) -> None:
    when = datetime(2026, 11, 23, 10, minute, tzinfo=UTC)
    clock.set(when)
    await tick(bot, when)


async def _sends(bot: Bot) -> list[str]:
    """The status of each post the round queued."""
    async with bot.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT status FROM schedule_send WHERE part LIKE 'post-%' ORDER BY id")
        )
        return [str(status) for (status,) in rows]


async def test_the_rest_nothing_can_reach_ends_at_once(fake, bot: Bot, clock, connect):
    client = await connect(bot)
    await _join(fake, ALICE, CAROL)
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=50)
    await tick(bot, clock.now())  # Monday 10:00 UTC: the round, queued and tried
    for minute in (0, 1):  # alice gets hers; carol's fail: the send is narrowed to her
        await _at(bot, clock, minute)
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t]
    # Now carol closes her DMs, and no channel takes a pointer to her.
    fake._failures.clear()
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 403, REFUSED, times=500)
    fake.fail("POST", r"^/channels/[1-7]\d*/messages$", 403, NO_PERMS, times=500)
    tried = len(_dm_tries(fake, CAROL))

    for minute in (3, 7, 15):  # each try by a fresh process: nothing in memory about her
        client.gateway.delivered = Delivered()
        client.gateway.dm_closed.clear()
        client.gateway.refused_channels.clear()
        await _at(bot, clock, minute)

    assert len(_dm_tries(fake, CAROL)) == tried + 1, (
        "nothing could reach carol: her send ends then, not after three more refusals"
    )
    assert await _sends(bot) == ["failed"]
    assert await _never_reached(bot) == {ALICE["id"]: False, CAROL["id"]: True}


async def test_the_mark_is_kept_with_the_outcome_or_neither_is(
    fake, bot: Bot, clock, connect, monkeypatch: pytest.MonkeyPatch
):
    await connect(bot)
    await _join(fake, ALICE, BOB, CAROL)
    gone = {"message": "Unknown User", "code": 10013}
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 404, gone, times=500)
    marked = intro_repo.mark_unreached
    hiccups = [RuntimeError("database hiccup")]

    async def hiccup_once(*args: object, **kwargs: object) -> None:
        if hiccups:
            raise hiccups.pop()
        await marked(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intro_repo, "mark_unreached", hiccup_once)

    await tick(bot, clock.now())  # bob's account is gone: given up for him at once
    for minute in (0, 1, 3, 7, 15):  # past the send's lease (2 minutes)
        await _at(bot, clock, minute)
    assert not hiccups, "the mark's write failed once"
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t], "alice got it"
    assert [t for t in _dm_tries(fake, CAROL) if "zanzibar" in t], "carol got it"
    assert await _never_reached(bot) == {
        ALICE["id"]: False,
        BOB["id"]: True,  # never reached: not given up without saying so
        CAROL["id"]: False,
    }

    clock.set(THURSDAY)
    await tick(bot, THURSDAY)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t]
    assert [t for t in _dm_tries(fake, CAROL) if ASKED in t]
    assert not [t for t in _dm_tries(fake, BOB) if ASKED in t]


async def test_a_channel_post_after_the_dms_clears_whom_they_missed(fake, bot: Bot, clock, connect):
    fake.guild["roles"][1]["permissions"] = "8"  # alice's role (keepers) administers the server
    client = await connect(bot)
    bot.gateways[Platform.DISCORD] = client.gateway
    await _join(fake, ALICE, CAROL)
    option = {"name": "channel", "type": 3, "value": f"<#{GENERAL}>"}
    data = {
        "id": "6000",
        "name": "narrate-intros",
        "type": 1,
        "options": [{"name": "channel", "type": 1, "options": [option]}],
    }
    await fake.answer(await fake.interaction(2, data, channel=GENERAL, admin=True))
    # Delivered both ways (the default): in #general, and by group DM. Discord fails both for
    # a while: the channel post altogether, carol's DM.
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 503, UNAVAILABLE, times=50)
    channel_down = fake._failures[-1]
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=500)

    await tick(bot, clock.now())
    for minute in (0, 1):  # alice gets her DM; carol's fails: she is marked never reached
        await _at(bot, clock, minute)
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t]
    assert await _never_reached(bot) == {ALICE["id"]: False, CAROL["id"]: True}

    channel_down.times = 0  # #general takes posts again; carol's DMs still fail
    for minute in (3, 7, 15):
        await _at(bot, clock, minute)
    [posted] = [
        c for c in fake.posted(f"/channels/{GENERAL}/messages") if "zanzibar" in str(c.body)
    ][-1:]
    assert posted.status == 200 and f"<@{CAROL['id']}>" in str(posted.body.get("content"))
    assert await _never_reached(bot) == {ALICE["id"]: False, CAROL["id"]: False}, (
        "the channel post introduced carol to everyone there, her included"
    )

    fake._failures.clear()
    clock.set(THURSDAY)
    await tick(bot, THURSDAY)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t]
    assert [t for t in _dm_tries(fake, CAROL) if ASKED in t], "carol was introduced: asked too"
