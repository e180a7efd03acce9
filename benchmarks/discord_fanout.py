"""Discord fan-out: one prompt to many channels, and introductions by DM, through the real
discord.py client against the local fake with Discord's 50 requests/s global limit.

Reports elapsed time as a ratio to the ideal at the configured pace (target ≤ 1.15×), the share
of refused (429) requests (target ≤ 0.5 %), and the smallest gap between two new DMs (must be ≥
the configured DM pace).

    python -m benchmarks.discord_fanout          # CI size: 40 channels, 6 DMs (a few seconds)
    python -m benchmarks.discord_fanout --full   # 200 channels, 20 DMs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import discord
import yarl

from narrate_bot.config import DiscordSettings, Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Button, Post, Reply
from narrate_bot.storage.database import Database
from narrate_bot_adapters.discord.client import NarrateClient
from tests.adapters.discord.conftest import Recorder
from tests.adapters.discord.fake import FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")
RATE = 45.0  # requests/s we aim for: under Discord's 50/s global limit with headroom
DM_PACE = 0.1


class FanoutCore(Recorder):
    """The tests' stand-in core, completed to the adapter's ``Core`` protocol: the adapter reports
    where an answer to a message landed, and nobody sends the bot a message here."""

    async def reply_posted(
        self,
        tenant: TenantRef,
        reply: Reply,
        post: Post,
        message_id: str,  # noqa: ARG002
    ) -> None:
        """Never called: the benchmark only posts prompts and introductions."""


async def run(channels: int, dms: int) -> dict[str, float]:
    fake = await FakeDiscord(global_limit=50).start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.ws_url)
    settings = Settings(
        discord=DiscordSettings(
            token="fake", post_interval_seconds=1 / RATE, dm_interval_seconds=DM_PACE
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'unused.db'}")
        client = NarrateClient(FanoutCore(), settings, db=db, guild_ready_timeout=0.05)
        task = asyncio.create_task(client.start("fake"))
        await asyncio.wait_for(client.wait_until_ready(), 10)
        before = len(fake.calls)
        button = (Button(label="Write my update", command="/narrate"),)
        started = time.perf_counter()
        for n in range(channels):
            prompt = Post(text="What did you work on?", channel_id=str(10_000 + n), buttons=button)
            await client.gateway.post(TENANT, prompt)
        for n in range(0, dms, 2):  # introductions: one post per pair
            pair = (str(20_000 + n), str(20_001 + n))
            await client.gateway.post(TENANT, Post(text="Meet each other!", to_users=pair))
        elapsed = time.perf_counter() - started
        calls = fake.calls[before:]
        await client.close()
        await task
        await db.dispose()
    await fake.stop()
    requests = channels * 2 + dms * 2  # message + thread; open DM + send
    opened = [c.at for c in calls if c.path == "/users/@me/channels"]
    gaps = [b - a for a, b in zip(opened, opened[1:], strict=False)]
    refused = sum(1 for c in calls if c.status == 429)
    ideal = channels * 2 / RATE + dms * max(DM_PACE, 2 / RATE)
    return {
        "channels": channels,
        "dms": dms,
        "requests": requests,
        "elapsed_s": round(elapsed, 3),
        "ideal_s": round(ideal, 3),
        "ratio_to_ideal": round(elapsed / ideal, 3),
        "refused_share": round(refused / max(1, len(calls)), 4),
        "min_dm_gap_s": round(min(gaps), 3) if gaps else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(200, 20) if args.full else run(40, 6))
    print(json.dumps(result))
    ok = (
        result["ratio_to_ideal"] <= 1.15
        and result["refused_share"] <= 0.005
        and (result["dms"] < 2 or result["min_dm_gap_s"] >= DM_PACE * 0.95)
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
