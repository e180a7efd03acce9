"""Ack latency of the real Bolt app behind our HTTP guard, against a bare 200 handler.

Signed ``/narrate`` commands, DM events and button clicks arrive open-loop at 50 req/s while a
concurrent writer (another process, as another replica would be) keeps narrating into the same
database. The baseline is a bare handler that
answers 200 on the same aiohttp server under the same load. Bars: p99 <= 300 ms, and p99 <=
3x the bare handler's p99 + 20 ms.

    python -m benchmarks.slack_ack          # 60 s per side
    python -m benchmarks.slack_ack --ci     # 6 s per side
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from benchmarks.engines import use_benchmark_erasure_key
from narrate_bot.app import Bot
from narrate_bot.clock import SystemClock
from narrate_bot.config import SlackSettings
from narrate_bot.events import ChannelKind, ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot_adapters.slack.app import SlackAdapter
from narrate_bot_adapters.slack.http import SlackHttpServer
from tests.adapters.slack.fake_slack import FakeSlack

SECRET = "bench-secret"
RATE = 50.0


def _signed(body: str, ctype: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": ctype,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        or "",
    }


def _request(i: int, fake: FakeSlack) -> tuple[str, dict[str, str]]:
    form = "application/x-www-form-urlencoded"
    match i % 3:
        case 0:
            body = urlencode(
                {
                    "command": "/narrate",
                    "text": f"bench narration {i} about kafka",
                    "team_id": "T1",
                    "user_id": f"U{i % 25}",
                    "channel_id": "C1",
                    "channel_name": "general",
                    "response_url": fake.response_url(),
                    "trigger_id": f"t{i}",
                }
            )
            return body, _signed(body, form)
        case 1:
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "api_app_id": "A1",
                    "event_id": f"EvB{i}",
                    "event": {
                        "type": "message",
                        "channel_type": "im",
                        "user": f"U{i % 25}",
                        "text": f"dm narration {i}",
                        "ts": f"1763800000.{i:06d}",
                        "channel": f"D{i % 25}",
                    },
                }
            )
            return body, _signed(body, "application/json")
        case _:
            payload = {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": f"U{i % 25}"},
                "api_app_id": "A1",
                "trigger_id": f"t{i}",
                "channel": {"id": "C1"},
                "response_url": fake.response_url(),
                "container": {"type": "message"},
                "actions": [
                    {
                        "action_id": "narrate_cmd_0",
                        "type": "button",
                        "value": "/narrate mine",
                        "action_ts": "1.1",
                    }
                ],
            }
            body = urlencode({"payload": json.dumps(payload)})
            return body, _signed(body, form)


async def _load(
    http: aiohttp.ClientSession,
    url: str,
    seconds: float,
    make: Callable[[int], tuple[str, dict[str, str]]],
) -> list[float]:
    latencies: list[float] = []
    statuses: list[int] = []

    async def one(i: int) -> None:
        body, headers = make(i)
        t0 = time.perf_counter()
        async with http.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            statuses.append(response.status)
        latencies.append(time.perf_counter() - t0)

    tasks = []
    start = time.perf_counter()
    for i in range(int(seconds * RATE)):
        delay = start + i / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    bad = [s for s in statuses if s != 200]
    if bad:
        raise SystemExit(f"{len(bad)} requests failed: {sorted(set(bad))}")
    return latencies


async def _write_until(url: str, stop: Callable[[], bool]) -> int:
    use_benchmark_erasure_key()
    db = Database(url)
    bot = Bot(db=db, clock=SystemClock())
    tenant = TenantRef(platform=Platform.SLACK, tenant_id="T-writer")
    written = 0
    try:
        while not stop():
            await bot.handle(
                CommandInvoked(
                    event_id=f"w{written}",
                    tenant=tenant,
                    user=UserRef(user_id=f"W{written % 10}", display_name="writer"),
                    channel=ChannelRef(channel_id="CW", name="w", kind=ChannelKind.PUBLIC),
                    occurred_at=datetime.now(UTC),
                    command="narrate",
                    text=f"background narration {written} on postgres tuning",
                )
            )
            written += 1
    finally:
        await db.dispose()
    return written


def _writer_process(url: str, stop: Any, count: Any) -> None:
    """Another process narrating into the same database, as another replica would."""
    count.value = asyncio.run(_write_until(url, stop.is_set))


def _p(values: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


async def run(seconds: float, database_url: str | None) -> dict[str, object]:
    fake = await FakeSlack().start()
    use_benchmark_erasure_key()  # the writer process started below inherits it
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade(db)
        bot = Bot(db=db, clock=SystemClock())
        adapter = SlackAdapter(
            bot,
            SlackSettings(
                bot_token=SecretStr("xoxb-bench"),
                signing_secret=SecretStr(SECRET),
                api_url=fake.base_url,
                workspace_rate_per_minute=60_000,
            ),
        )
        server = SlackHttpServer(adapter, SECRET)

        async def bare(_request: web.Request) -> web.Response:
            return web.Response(status=200)

        server.web.router.add_post("/bare", bare)
        runner, port = await server.start("127.0.0.1", 0)
        base = f"http://127.0.0.1:{port}"
        spawn = multiprocessing.get_context("spawn")
        stop, count = spawn.Event(), spawn.Value("i", 0)
        writer = spawn.Process(target=_writer_process, args=(db.url, stop, count))
        writer.start()
        try:
            async with aiohttp.ClientSession() as http:
                ours = await _load(
                    http, f"{base}/slack/events", seconds, lambda i: _request(i, fake)
                )
                bare_lat = await _load(http, f"{base}/bare", seconds, lambda i: _request(i, fake))
        finally:
            stop.set()
            await asyncio.to_thread(writer.join, 60)
            written = int(count.value)
            await runner.cleanup()
            await adapter.drain(timeout=120)
            await db.dispose()
            await fake.stop()
    p99, bare_p99 = _p(ours, 99), _p(bare_lat, 99)
    return {
        "requests_per_side": len(ours),
        "rate_per_s": RATE,
        "engine": db.dialect,
        "p50_ms": round(_p(ours, 50), 1),
        "p99_ms": round(p99, 1),
        "bare_p50_ms": round(_p(bare_lat, 50), 1),
        "bare_p99_ms": round(bare_p99, 1),
        "p99_ratio_to_bare": round(p99 / bare_p99, 2) if bare_p99 else 0.0,
        "max_ms": round(max(ours) * 1000, 1),
        "writer_narrations": written,
        "pass": p99 <= 300 and p99 <= 3 * bare_p99 + 20,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="6 s per side instead of 60 s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds or (6.0 if args.ci else 60.0), args.db))
    print(json.dumps(result))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
