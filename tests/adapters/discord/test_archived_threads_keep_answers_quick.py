"""Someone recorded in a few archived private threads still gets the narration form, and quick
answers.

Before answering, the adapter re-checks each private thread the person is recorded in; an
archived thread isn't in discord.py's cache, so that is a REST look-up of the thread and one of
their membership. Done one after another for four threads at a real round trip each, /narrate
alone took past the 1 s after which an interaction is deferred, and a form can't follow a
deferral: the person got a button, whose click ran the same slow path, and never a form. Now
opening a form (which reads nothing; what is written in it is checked when it is sent) skips
the re-check, the look-ups run side by side, and a thread looked up lately isn't looked up
again. Their membership is always asked anew: someone taken out of a thread loses it before
their next answer.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from narrate_bot.app import Bot
from narrate_bot.events import ChannelKind, ChannelRef, MembershipChanged, Platform, TenantRef
from narrate_bot.storage import repositories as repo

from .fake import ALICE, GUILD, SECRET, FakeDiscord, J

THREADS = ["5551", "5552", "5553", "5554"]
LATENCY = 0.15  # one Discord REST round trip on a fair day


def _archived(thread_id: str) -> dict[str, Any]:
    return {
        "id": thread_id, "type": 12, "guild_id": GUILD, "parent_id": SECRET,
        "name": f"ticket {thread_id}", "owner_id": ALICE["id"], "member_count": 2,
        "message_count": 3, "rate_limit_per_user": 0, "flags": 0,
        "thread_metadata": {"archived": True, "auto_archive_duration": 1440,
                            "archive_timestamp": "2026-11-20T09:00:00+00:00", "locked": False,
                            "invitable": False},
    }  # fmt: skip


class ArchivedThreads:
    """The fake answering for four archived private threads alice is in, each REST call to
    them taking ``LATENCY``."""

    def __init__(self, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
        self.left: set[str] = set()  # threads alice was taken out of
        answer, body = fake._answer, fake._body

        def answering(method: str, path: str, data: Any) -> web.Response:
            if (found := re.fullmatch(r"/channels/(555\d)", path)) and method == "GET":
                return J(_archived(found.group(1)))
            if found := re.fullmatch(r"/channels/(555\d)/thread-members/(\d+)", path):
                if found.group(1) in self.left:
                    return J({"message": "Unknown Member", "code": 10007}, 404)
                return J({"id": found.group(1), "user_id": found.group(2), "flags": 0,
                          "join_timestamp": "2026-11-20T09:00:00+00:00"})  # fmt: skip
            return answer(method, path, data)

        async def slowly(req: web.Request) -> Any:
            if "/channels/555" in req.path:
                await asyncio.sleep(LATENCY)
            return await body(req)

        monkeypatch.setattr(fake, "_answer", answering)
        monkeypatch.setattr(fake, "_body", slowly)
        self.fake = fake

    def looked_up(self, since: int) -> list[str]:
        return [c.path for c in self.fake.calls[since:] if re.fullmatch(r"/channels/555\d", c.path)]


async def _in_four_archived_threads(fake: FakeDiscord, bot: Bot, connect: Any) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"))
    tenant = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
    for thread in THREADS:  # alice used the bot in four ticket threads, since archived
        place = ChannelRef(channel_id=thread, name=f"ticket {thread}", kind=ChannelKind.PRIVATE)
        await bot.handle(
            MembershipChanged(
                tenant=tenant,
                channel=place,
                user_id=ALICE["id"],
                joined=True,
                occurred_at=datetime.now(UTC),
            )
        )


async def _places(bot: Bot) -> set[str]:
    async with bot.db.snapshot() as session:
        return await repo.private_places_of(
            session, platform="discord", external_id=GUILD, user_id=ALICE["id"]
        )


async def test_the_form_opens_for_someone_in_archived_private_threads(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _in_four_archived_threads(fake, bot, connect)
    ArchivedThreads(fake, monkeypatch)

    opened = await fake.answer(await fake.slash("narrate", who=ALICE))

    assert opened["type"] == 9, opened  # the form itself, not "thinking…" then a button
    assert opened["data"]["title"] == "Narrate your work"


async def test_answers_stay_quick_and_a_thread_left_is_lost_at_once(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _in_four_archived_threads(fake, bot, connect)
    threads = ArchivedThreads(fake, monkeypatch)

    before = len(fake.calls)
    first = await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka"))
    assert first["type"] == 4, first  # answered at once, not deferred ("thinking…")
    assert sorted(threads.looked_up(before)) == [f"/channels/{t}" for t in THREADS]
    assert await _places(bot) >= set(THREADS)

    threads.left.add("5552")  # taken out of one thread: nothing tells the bot
    before = len(fake.calls)
    again = await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka"))
    assert again["type"] == 4, again
    assert threads.looked_up(before) == []  # the threads themselves were looked up lately
    assert "5552" not in await _places(bot)  # but her membership was asked anew
    assert await _places(bot) >= set(THREADS) - {"5552"}
