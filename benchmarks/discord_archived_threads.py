"""Answer time for someone recorded in several archived private threads, against one thread.

Before answering, the Discord adapter re-checks each private thread the person is recorded in;
an archived thread isn't cached, so that is a REST look-up of the thread and one of their
membership, here at ``LATENCY`` per round trip (a fair day's Discord). Look-ups side by side
cost about what one thread does; one after another, four threads cost four times the round
trips and went past the 1 s after which an answer is deferral ("thinking…"), and the
narration form with it.

The real discord.py client and core on SQLite, against the local fake. ``/whoknows`` from
alice (four archived threads) and carol (one), taken in turn; each round starts with the
adapter's thread cache expired (its clock moved on), so every round does the look-ups.
Targets: alice's median ≤ 1.5x carol's, and no answer of hers deferred.

    python -m benchmarks.discord_archived_threads            # 10 rounds each
    python -m benchmarks.discord_archived_threads --rounds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import yarl
from aiohttp import web

from benchmarks.engines import use_benchmark_erasure_key
from narrate_bot.app import Bot
from narrate_bot.clock import SystemClock
from narrate_bot.config import Settings
from narrate_bot.events import ChannelKind, ChannelRef, MembershipChanged, Platform, TenantRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot_adapters.discord.access import THREAD_LOOKUP_SECONDS
from narrate_bot_adapters.discord.client import NarrateClient
from tests.adapters.discord.conftest import FAST
from tests.adapters.discord.fake import ALICE, CAROL, GUILD, SECRET, FakeDiscord, J

LATENCY = 0.15  # one Discord REST round trip on a fair day
THREADS = {ALICE["id"]: ["5551", "5552", "5553", "5554"], CAROL["id"]: ["5559"]}
CHANNEL_MESSAGE = 4  # answered at once; 5 would be a deferral


def _archived(thread_id: str, owner: str) -> dict[str, Any]:
    return {
        "id": thread_id, "type": 12, "guild_id": GUILD, "parent_id": SECRET,
        "name": f"ticket {thread_id}", "owner_id": owner, "member_count": 2,
        "message_count": 3, "rate_limit_per_user": 0, "flags": 0,
        "thread_metadata": {"archived": True, "auto_archive_duration": 1440,
                            "archive_timestamp": "2026-11-20T09:00:00+00:00", "locked": False,
                            "invitable": False},
    }  # fmt: skip


def _serve_threads(fake: FakeDiscord) -> None:
    """The fake answers for the archived threads, each round trip to them taking LATENCY."""
    owners = {t: who for who, threads in THREADS.items() for t in threads}
    answer, read_body = fake._answer, fake._body

    def answering(method: str, path: str, body: Any) -> web.Response:
        if (found := re.fullmatch(r"/channels/(555\d)", path)) and method == "GET":
            return J(_archived(found.group(1), owners[found.group(1)]))
        if found := re.fullmatch(r"/channels/(555\d)/thread-members/(\d+)", path):
            return J({"id": found.group(1), "user_id": found.group(2), "flags": 0,
                      "join_timestamp": "2026-11-20T09:00:00+00:00"})  # fmt: skip
        return answer(method, path, body)

    async def slowly(req: web.Request) -> Any:
        if "/channels/555" in req.path:
            await asyncio.sleep(LATENCY)
        return await read_body(req)

    fake._answer = answering  # type: ignore[method-assign]
    fake._body = slowly  # type: ignore[method-assign]


async def _answer_time(fake: FakeDiscord, who: dict[str, Any]) -> tuple[float, int]:
    """Seconds from the interaction's dispatch to its initial response, and that response's
    type."""
    iid = await fake.slash("whoknows", who=who, topic="kafka")
    while True:
        for call in fake.posted(f"/interactions/{iid}/"):
            if call.path.endswith("/callback"):
                return call.at - fake.sent_at[iid], int(call.body["type"])
        await asyncio.sleep(0.005)


async def run(rounds: int) -> dict[str, object]:
    fake = await FakeDiscord().start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.ws_url)
    with tempfile.TemporaryDirectory() as tmp:
        use_benchmark_erasure_key()  # no startup check makes a key file here
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade(db)
        bot = Bot(db=db, clock=SystemClock(), settings=Settings())
        client = NarrateClient(bot, Settings(discord=FAST), db=db, guild_ready_timeout=0.05)
        task = asyncio.create_task(client.start("fake-token"))
        await asyncio.wait_for(client.wait_until_ready(), 30)
        tenant = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
        for who in (ALICE, CAROL):
            await _answer_time(fake, who)  # first use: the person and the guild are stored
            for thread in THREADS[who["id"]]:
                place = ChannelRef(channel_id=thread, name=thread, kind=ChannelKind.PRIVATE)
                joined = MembershipChanged(
                    tenant=tenant,
                    channel=place,
                    user_id=who["id"],
                    joined=True,
                    occurred_at=datetime.now(UTC),
                )
                await bot.handle(joined)
        _serve_threads(fake)
        clock = [0.0]
        client.access.clock = lambda: clock[0]
        four: list[float] = []
        one: list[float] = []
        deferred = 0
        for _ in range(rounds):
            for who, times in ((ALICE, four), (CAROL, one)):
                clock[0] += THREAD_LOOKUP_SECONDS  # every thread is looked up again
                took, kind = await _answer_time(fake, who)
                times.append(took)
                deferred += kind != CHANNEL_MESSAGE and who is ALICE
        await client.close()
        await task
        await db.dispose()
    await fake.stop()
    ratio = statistics.median(four) / statistics.median(one)
    return {
        "rounds": rounds,
        "latency_ms": LATENCY * 1000,
        "four_threads_median_ms": round(statistics.median(four) * 1000, 1),
        "four_threads_max_ms": round(max(four) * 1000, 1),
        "one_thread_median_ms": round(statistics.median(one) * 1000, 1),
        "median_ratio_to_one_thread": round(ratio, 2),
        "four_threads_deferred": deferred,
        "pass": ratio <= 1.5 and deferred == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    result = asyncio.run(run(args.rounds))
    print(json.dumps(result))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
