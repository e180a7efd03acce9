"""Socket Mode: the real AsyncSocketModeHandler against the fake's websocket."""

from __future__ import annotations

from pydantic import SecretStr

from narrate_bot.config import SlackSettings
from narrate_bot_adapters.slack.app import SlackAdapter
from narrate_bot_adapters.slack.socket import socket_handler
from tests.adapters.slack.conftest import TOKEN, eventually, until


def _command(fake) -> dict:
    return {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "command": "/narrate",
            "text": "shipping the scheduler",
            "user_id": "U1",
            "user_name": "alice",
            "channel_id": "C1",
            "channel_name": "general",
            "team_id": "T1",
            "team_domain": "acme",
            "trigger_id": "1.2.x",
            "response_url": fake.response_url("sm"),
        },
    }


def _event(envelope: str, event_id: str, retry: int = 0) -> dict:
    return {
        "envelope_id": envelope,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": event_id,
            "event_time": 1763800000,
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": "U2",
                "text": "socket dm narration",
                "ts": "1763800000.000900",
                "channel": "D2",
            },
        },
    }


async def test_socket_mode_acks_over_the_websocket_and_dedupes_retried_envelopes(bot, fake, db):
    fake.envelopes += [_command(fake), _event("env-2", "Ev-sock"), _event("env-3", "Ev-sock", 1)]
    settings = SlackSettings(
        bot_token=SecretStr(TOKEN), app_token=SecretStr("xapp-1-test"), api_url=fake.base_url
    )
    adapter = SlackAdapter(bot, settings)
    handler = socket_handler(adapter, "xapp-1-test")
    await handler.connect_async()
    try:
        await until(lambda: len(fake.acks) >= 3 and fake.responses)

        async def both_stored() -> bool:
            async with db.transaction() as s:
                from sqlmodel import select

                from narrate_bot.storage.tables import Narration

                return len((await s.exec(select(Narration))).all()) >= 2

        await eventually(both_stored)
    finally:
        await handler.close_async()
        await adapter.drain()
    assert fake.methods()[0] == "apps.connections.open"
    assert fake.calls[0].token == "xapp-1-test"
    assert {a["envelope_id"] for a in fake.acks} == {"env-1", "env-2", "env-3"}
    assert "Noted as #1" in fake.responses[0]["text"]
    from sqlmodel import select

    from narrate_bot.storage.tables import Narration

    async with db.transaction() as s:
        texts = sorted(n.text for n in (await s.exec(select(Narration))).all())
    assert texts == ["shipping the scheduler", "socket dm narration"]


async def test_narrate_bot_run_connects_in_socket_mode_with_the_configured_api_url(fake, tmp_path):
    """The path `narrate-bot run` takes: migrate, build the adapter, connect, stop cleanly."""
    import asyncio

    from narrate_bot.config import Settings
    from narrate_bot_adapters.slack.runner import serve

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.db'}",
        slack=SlackSettings(
            bot_token=SecretStr(TOKEN), app_token=SecretStr("xapp-1-run"), api_url=fake.base_url
        ),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop))
    await until(lambda: fake.sockets)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert fake.methods()[0] == "apps.connections.open"
    assert (tmp_path / "run.db").exists()


async def test_socket_mode_reconnects_when_slack_asks_and_keeps_delivering(bot, fake, db):
    fake.envelopes_on[0] = [{"type": "disconnect", "reason": "refresh_requested"}]
    fake.envelopes_on[1] = [_command(fake)]
    adapter = SlackAdapter(
        bot,
        SlackSettings(
            bot_token=SecretStr(TOKEN), app_token=SecretStr("xapp-1-test"), api_url=fake.base_url
        ),
    )
    handler = socket_handler(adapter, "xapp-1-test")
    await handler.connect_async()
    try:
        await until(lambda: len(fake.called("apps.connections.open")) >= 2, timeout=15)
        await until(lambda: fake.responses)  # the command sent on the new connection is served
    finally:
        await handler.close_async()
        await adapter.drain()
