"""Introductions at a chosen pace on Discord: ``/narrate-intros skip`` takes how long
(``length``), ``every`` how often at most (``interval``), ``cadence`` the server's rhythm (admins);
driven through the real client against the fake, the rounds through the real core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef

from .fake import ALICE, BOB, CAROL, FAY, GIL, GUILD, OWNER, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")


async def _say(fake: FakeDiscord, sub: str, *, by: dict[str, Any] = ALICE, **options: Any) -> str:
    answer = await fake.answer(await fake.slash("narrate-intros", sub=sub, who=by, **options))
    return str(answer["data"].get("content"))


async def _join(fake: FakeDiscord, people: list[dict[str, Any]]) -> None:
    for i, who in enumerate(people):
        await fake.answer(await fake.slash("narrate-settings", sub="team", who=who, name=f"t{i}"))
        await fake.answer(await fake.slash("narrate", who=who, text="kafka consumer lag again"))
        await _say(fake, "join", by=who)


async def _rounds(bot: Bot, clock, count: int) -> list[set[str]]:
    """Who each of ``count`` weekly rounds introduced, a week apart."""
    introduced = []
    for _ in range(count):
        posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
        introduced.append({user for post in posts for user in post.to_users})
        clock.advance(timedelta(days=7))
    return introduced


async def test_skip_takes_how_long_and_status_says_until_when(fake, bot: Bot, clock, connect):
    await connect(bot)
    registered = [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")]
    body = str(registered[-1].body)
    assert "'length'" in body and "'interval'" in body and "'rhythm'" in body
    await _join(fake, [ALICE, BOB, CAROL, FAY, GIL])
    out = await _say(fake, "skip", length="3w")
    assert "no introductions for you until 2026-12-14" in out
    assert "/narrate-intros skip length: off undoes it" in out  # named as Discord spells it
    assert "You're skipping introductions until 2026-12-14" in await _say(fake, "mine")
    weeks = await _rounds(bot, clock, 4)
    assert [ALICE["id"] in week for week in weeks] == [False, False, False, True]
    assert all(len(week) >= 2 for week in weeks)


async def test_skip_off_until_and_the_plain_skip(fake, bot: Bot, clock, connect):
    await connect(bot)
    await _join(fake, [ALICE, BOB, CAROL])
    assert "until 2026-12-10" in await _say(fake, "skip", length="until 2026-12-10")
    assert "back in the introductions" in await _say(fake, "skip", length="off")
    assert "no introduction for you in the next round (" in await _say(fake, "skip")
    [first, second] = await _rounds(bot, clock, 2)
    assert ALICE["id"] not in first and ALICE["id"] in second


async def test_every_and_a_biweekly_server(fake, bot: Bot, clock, connect):
    await connect(bot)
    await _join(fake, [ALICE, BOB, CAROL, FAY, GIL])
    out = await _say(fake, "every", interval="2w")
    assert "at most one introduction every 2 weeks" in out
    assert "at most every 2 weeks" in await _say(fake, "mine")
    refused = await _say(fake, "cadence", by=BOB, rhythm="biweekly")
    assert "Only a workspace admin" in refused
    out = await _say(fake, "cadence", by=OWNER, rhythm="biweekly")
    assert "every other week" in out
    assert "/narrate-intros cadence rhythm: weekly" in out
    weeks = await _rounds(bot, clock, 3)
    assert [bool(week) for week in weeks] == [True, False, True]
    assert ALICE["id"] in weeks[0] and ALICE["id"] in weeks[2]


async def test_what_nobody_can_mean_is_answered_with_the_fields_to_use(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await _join(fake, [ALICE, BOB])
    out = await _say(fake, "skip", length="forever")
    assert "/narrate-intros skip length: 3w (1 to 12 weeks)" in out
    assert "/narrate-intros skip length: off" in out
    assert "Skip 1 to 12 weeks" in await _say(fake, "skip", length="20w")
    assert "has already passed" in await _say(fake, "skip", length="until 2026-01-05")
    out = await _say(fake, "every", interval="3w")
    assert "/narrate-intros every interval: 2w" in out
    out = await _say(fake, "cadence", by=OWNER, rhythm="hourly")
    assert "/narrate-intros cadence rhythm: biweekly" in out
    [week] = await _rounds(bot, clock, 1)
    assert week == {ALICE["id"], BOB["id"]}
