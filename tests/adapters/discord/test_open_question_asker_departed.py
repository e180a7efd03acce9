"""Discord: an asker who left the server no longer leaves their open question waiting.

Discord tells a bot of a departure (GUILD_MEMBER_REMOVE) only with the members intent, which is
privileged and which narrate-bot doesn't ask for: no event comes. The adapter learns of it when
it re-reads someone's roles before a weekly DM (``AccessRefresher``: the followed-topics digest,
the introductions) and Discord answers 404 Unknown Member (``access.recheck``): it tells the
core the person departed, and the core closes their open questions as on Slack (withdrawn, the
post edited to say so, nothing deleted), through discord.py against the fake gateway.

Coverage of behaviour that worked already when written (the core path is Slack-tested); this
is its Discord path, through the libraries.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.features.schedule_jobs import tick

from .conftest import Connect
from .fake import BOB, CAROL, GENERAL, GUILD, SECRET, FakeDiscord
from .test_follow_digest import _follow
from .test_open_question_post_lost import _rows

MONDAY = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)


async def _asks(fake: FakeDiscord, who: dict[str, str], question: str) -> None:
    answer = await fake.answer(
        await fake.slash("narrate", who=who, text=f"ask-channel <#{GENERAL}> {question}")
    )
    assert str(answer["data"].get("content")).startswith("Posted"), answer


async def test_a_departure_found_by_a_roles_reread_closes_the_question(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Connect
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    # carol reads #secret (a stored private membership) and follows kafka: her weekly digest
    # re-reads her roles first.
    await fake.answer(await fake.slash("narrate", who=CAROL, channel=SECRET, text="in secret"))
    await _follow(fake, CAROL, "kafka")
    await _asks(fake, CAROL, "cobol")
    await _asks(fake, BOB, "rexx")
    cobol, rexx = fake.threads
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    await fake.answer(await fake.slash("narrate", who=BOB, text="kafka consumer lag fixed"))

    fake.gone.add(CAROL["id"])  # she leaves the server; no event says so
    clock.set(MONDAY)
    await tick(bot, MONDAY)

    assert fake.posted(f"/guilds/{GUILD}/members/{CAROL['id']}", method="GET")
    for _ in range(200):
        if [r.status for r in await _rows(bot)] == ["withdrawn", "open"]:
            break
        await asyncio.sleep(0.05)
    assert [(r.text, r.status) for r in await _rows(bot)] == [
        ("cobol", "withdrawn"),
        ("rexx", "open"),
    ]
    [edit] = fake.posted(f"/channels/{GENERAL}/messages/{cobol}", "PATCH")
    assert edit.body.get("content") == (
        f"<@{CAROL['id']}> was looking for someone who knows about “cobol”, but is no longer "
        "here, so this question is closed; no need to answer it."
    )
    assert not fake.posted(f"/channels/{GENERAL}/messages/{rexx}", "PATCH")
    assert not fake.posted(f"/channels/{GENERAL}/messages/{cobol}", "DELETE")  # erases nothing
