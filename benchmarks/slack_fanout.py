"""Fan-out of prompts through the real slack_sdk client and our per-workspace limiter.

The mock enforces a workspace rate R (token bucket, small burst) and answers 429 + Retry-After
beyond it, as Slack does. Time is scaled (R per second instead of per minute). The floor is N/R
at the mock's own limit (not at our slightly lower configured pace), so the headroom counts
against us. Bars: completion <= 1.1x the floor N/R, 429s <= 1 % of calls, 0 lost, 0 duplicated.

    python -m benchmarks.slack_fanout          # 10,000 prompts
    python -m benchmarks.slack_fanout --ci     # 2,000 prompts (CI)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from narrate_bot_adapters.slack.gateway import SlackGateway

HEADROOM = 0.97


class RateLimitedSlack:
    """chat.postMessage with a per-workspace token bucket; 429 + Retry-After when empty."""

    def __init__(self, rate: float, burst: int = 20) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()
        self.delivered: Counter[str] = Counter()
        self.limited = 0
        self.calls = 0
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post)
        self.runner = web.AppRunner(app, access_log=None)

    async def start(self) -> str:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}/api/"

    async def post(self, request: web.Request) -> web.Response:
        raw = await request.text()
        params = (
            json.loads(raw)
            if request.content_type == "application/json"
            else {k: v[0] for k, v in parse_qs(raw).items()}
        )
        self.calls += 1
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            self.limited += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self.tokens -= 1
        self.delivered[params["channel"]] += 1
        return web.json_response({"ok": True, "channel": params["channel"], "ts": "1.1"})


async def run(n: int, rate: float) -> dict[str, float]:
    mock = RateLimitedSlack(rate)
    base = await mock.start()
    db = Database("sqlite:///:memory:")  # the single-token gateway never reads it
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        client = AsyncWebClient(token="xoxb-bench", base_url=base, session=session)
        # Configured a little under the workspace's limit, as the README advises: scheduling
        # jitter then fits in Slack's burst allowance instead of costing a Retry-After pause.
        gateway = SlackGateway(
            db, client=client, per_second=rate * HEADROOM, single_token="xoxb-bench"
        )
        tenant = TenantRef(platform=Platform.SLACK, tenant_id="T1")
        users = [f"U{i:06d}" for i in range(n)]
        started = time.monotonic()
        await asyncio.gather(
            *(
                gateway.post(tenant, Post(text="What are you working on today?", to_users=(u,)))
                for u in users
            )
        )
        elapsed = time.monotonic() - started
    await mock.runner.cleanup()
    await db.dispose()
    floor = n / rate
    return {
        "prompts": n,
        "rate_per_s": rate,
        "elapsed_s": round(elapsed, 2),
        "floor_s": round(floor, 2),
        "ratio_to_floor": round(elapsed / floor, 3),
        "calls": mock.calls,
        "429s": mock.limited,
        "429_share": round(mock.limited / max(mock.calls, 1), 4),
        "lost": sum(1 for u in users if mock.delivered[u] == 0),
        "duplicated": sum(1 for u in users if mock.delivered[u] > 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="2,000 prompts instead of 10,000")
    parser.add_argument("--prompts", type=int, default=None)
    parser.add_argument("--rate", type=float, default=200.0, help="workspace limit per second")
    args = parser.parse_args()
    n = args.prompts or (2000 if args.ci else 10_000)
    result = asyncio.run(run(n, args.rate))
    ok = (
        result["ratio_to_floor"] <= 1.1
        and result["429_share"] <= 0.01
        and result["lost"] == 0
        and result["duplicated"] == 0
    )
    print(json.dumps(result | {"pass": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
