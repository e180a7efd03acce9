"""``narrate-bot run``'s composition: one bot, the platform connected, and the scheduler awake.

The scheduled prompt below is due when the process starts; nothing but the ``Ticker`` started by
``adapters/serve.py`` can deliver it, so this fails if ``run`` forgets the scheduler or builds the
platform on a different bot than the one the scheduler uses.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from narrate_bot.config import Settings, SlackSettings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot_adapters.serve import serve
from tests.adapters.slack.conftest import TOKEN, until
from tests.scheduling.support import add_channel_prompts


async def test_run_serves_slack_and_delivers_a_due_prompt_through_it(fake, tmp_path):
    url = f"sqlite:///{tmp_path / 'run.db'}"
    db = Database(url)
    await upgrade(db)
    real_now = datetime.now(UTC)
    due = real_now - timedelta(minutes=10)
    await add_channel_prompts(
        db,
        count=1,
        days="daily",
        at=f"{due:%H:%M}",
        zone="UTC",
        now=due - timedelta(minutes=1),
        tenant=TenantRef(platform=Platform.SLACK, tenant_id="T1", name="Acme"),
    )
    await db.dispose()
    settings = Settings(
        database_url=url,
        schedule_tick_seconds=1,
        slack=SlackSettings(
            bot_token=SecretStr(TOKEN), app_token=SecretStr("xapp-1-run"), api_url=fake.base_url
        ),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop))
    try:
        await until(lambda: fake.sockets)
        await until(lambda: fake.called("chat.postMessage"), timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    [call] = fake.called("chat.postMessage")
    assert call.params["channel"] == "c0" and call.token == TOKEN
    assert "Write my update" in str(call.params)
