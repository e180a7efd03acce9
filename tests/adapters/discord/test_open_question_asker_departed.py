"""Discord: an asker who left the server no longer leaves their open question waiting.

Discord tells a bot of a departure (GUILD_MEMBER_REMOVE) only with the members intent, which is
privileged and which narrate-bot doesn't ask for: no event comes. The adapter learns of it when
it re-reads someone's roles before a weekly DM (``AccessRefresher``: the followed-topics digest,
the introductions) and Discord answers 404 Unknown Member (``access.recheck``): it tells the
core the person departed, and the core closes their open questions as on Slack (withdrawn, the
post edited to say so, nothing deleted), through discord.py against the fake gateway.

The first test is coverage of behaviour that worked already (the core path is Slack-tested):
its Discord path, through the libraries. The second is a fix: an asker re-read for no weekly
DM (reading no private channel) was never found gone; the asker is now looked up just before
the "still open?" DM.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

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


async def test_an_asker_gone_unseen_is_found_before_the_still_open_dm(
    fake: FakeDiscord, bot: Bot, connect: Connect
) -> None:
    """Found in review: only people re-read for a weekly DM (those reading a private channel)
    were ever found gone. bob reads none: his question stayed open (in digests, its post
    asking for answers) and, 14 days on, he was DMed "is it still open?" about a server he had
    left. The asker is now looked up just before that DM."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    await _asks(fake, BOB, "rexx")
    await _asks(fake, CAROL, "cobol")
    rexx, _ = fake.threads
    fake.gone.add(BOB["id"])  # he leaves the server; no event says so

    await bot.run_due(bot.clock.now() + timedelta(days=14, minutes=1))

    for _ in range(200):
        if [r.status for r in await _rows(bot)] == ["withdrawn", "open"]:
            break
        await asyncio.sleep(0.05)
    assert [(r.text, r.status) for r in await _rows(bot)] == [
        ("rexx", "withdrawn"),
        ("cobol", "open"),
    ]
    assert fake.posted(f"/channels/8{BOB['id']}/messages") == []  # no DM to someone gone
    [edit] = fake.posted(f"/channels/{GENERAL}/messages/{rexx}", "PATCH")
    assert "is no longer here, so this question is closed" in str(edit.body.get("content"))
    # carol is still here: her DM goes out.
    [dm] = fake.posted(f"/channels/8{CAROL['id']}/messages")
    assert "— “cobol” — is it still open?" in str(dm.body.get("content"))
