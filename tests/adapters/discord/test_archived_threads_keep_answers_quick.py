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

What makes the answers quick is checked here without a clock deciding: the form's answer
looks nothing up, the fake holds the thread look-ups until all four are asked at once (one
after another, they never would be), and the adapter's thread cache runs on a controlled
clock. Interactions are never deferred (``undeferred``), so a loaded machine can't turn an
answer into "thinking…". The time itself (four archived threads at a real round trip, against
one) is ``benchmarks/discord_archived_threads.py``.
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
from narrate_bot_adapters.discord.access import THREAD_LOOKUP_SECONDS
from narrate_bot_adapters.discord.client import NarrateClient

from .fake import ALICE, GUILD, SECRET, FakeDiscord, J

pytestmark = pytest.mark.undeferred
THREADS = ["5551", "5552", "5553", "5554"]
# Only a broken adapter (look-ups one after another) waits this long, for a fourth look-up
# that never comes while the first is held; the held ones are then let go and the test fails.
STUCK = 10.0
ANSWERED = 60.0  # a guard against a hang, never reached by an answer however loaded


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
    """The fake answering for four archived private threads alice is in. The first look-ups of
    the threads are held until all four are being asked at once; ``most_at_once`` is how many
    were."""

    def __init__(self, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
        self.left: set[str] = set()  # threads alice was taken out of
        self.asking = 0
        self.most_at_once = 0
        self.all_asked = asyncio.Event()  # stays set: later look-ups are answered at once
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

        async def held(req: web.Request) -> Any:
            if re.search(r"/channels/555\d$", req.path) and req.method == "GET":
                self.asking += 1
                self.most_at_once = max(self.most_at_once, self.asking)
                if self.asking == len(THREADS):
                    self.all_asked.set()
                try:
                    await asyncio.wait_for(self.all_asked.wait(), STUCK)
                except TimeoutError:
                    self.all_asked.set()  # asked one at a time: let them through, and fail
                self.asking -= 1
            return await body(req)

        monkeypatch.setattr(fake, "_answer", answering)
        monkeypatch.setattr(fake, "_body", held)
        self.fake = fake

    def looked_up(self, since: int) -> list[str]:
        return [c.path for c in self.fake.calls[since:] if re.fullmatch(r"/channels/555\d", c.path)]


async def _in_four_archived_threads(fake: FakeDiscord, bot: Bot, connect: Any) -> NarrateClient:
    client: NarrateClient = await connect(bot)
    await fake.answer(
        await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"), ANSWERED
    )
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
    return client


async def _places(bot: Bot) -> set[str]:
    async with bot.db.snapshot() as session:
        return await repo.private_places_of(
            session, platform="discord", external_id=GUILD, user_id=ALICE["id"]
        )


async def test_the_form_opens_for_someone_in_archived_private_threads(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _in_four_archived_threads(fake, bot, connect)
    threads = ArchivedThreads(fake, monkeypatch)

    before = len(fake.calls)
    opened = await fake.answer(await fake.slash("narrate", who=ALICE), ANSWERED)

    assert opened["type"] == 9, opened  # the form itself, not "thinking…" then a button
    assert opened["data"]["title"] == "Narrate your work"
    assert threads.looked_up(before) == []  # nothing that could hold it past the deferral


async def test_answers_stay_quick_and_a_thread_left_is_lost_at_once(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await _in_four_archived_threads(fake, bot, connect)
    threads = ArchivedThreads(fake, monkeypatch)
    now = [1000.0]
    client.access.clock = lambda: now[0]

    before = len(fake.calls)
    first = await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka"), ANSWERED)
    assert first["type"] == 4, first
    assert sorted(threads.looked_up(before)) == [f"/channels/{t}" for t in THREADS]
    assert threads.most_at_once == len(THREADS)  # side by side, not one round trip after another
    assert await _places(bot) >= set(THREADS)

    threads.left.add("5552")  # taken out of one thread: nothing tells the bot
    now[0] += THREAD_LOOKUP_SECONDS - 1
    before = len(fake.calls)
    again = await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka"), ANSWERED)
    assert again["type"] == 4, again
    assert threads.looked_up(before) == []  # the threads themselves were looked up lately
    assert "5552" not in await _places(bot)  # but her membership was asked anew
    assert await _places(bot) >= set(THREADS) - {"5552"}

    now[0] += 1  # a thread is kept THREAD_LOOKUP_SECONDS: then it is looked up again
    before = len(fake.calls)
    await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka"), ANSWERED)
    assert sorted(threads.looked_up(before)) == [f"/channels/{t}" for t in THREADS if t != "5552"]
