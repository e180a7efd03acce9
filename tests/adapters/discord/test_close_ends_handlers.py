"""A stop lets the handlers at work finish, and ends the ones that don't in time.

discord.py runs each event's handler in a task of its own, and ``Client.close`` doesn't wait for
them: closed under a handler (a reply on its way, where someone last used the bot being kept),
the HTTP session and the database went away mid-write, and the loop later destroyed the
half-run coroutine ("Exception ignored in: <coroutine object Client._run_event>"). ``close``
now waits for them up to ``HANDLERS_END``, then cancels and awaits the rest.
"""

from __future__ import annotations

import asyncio

import pytest

from narrate_bot_adapters.discord import client as discord_client

from .conftest import Recorder


def _handler_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t.get_name() == "discord.py: on_held"}


async def test_a_handler_at_work_finishes_before_the_client_closes(connect):
    client = await connect(Recorder())
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def on_held() -> None:
        started.set()
        await release.wait()
        await asyncio.sleep(0)  # still at work once released: its last step
        finished.append(client.is_closed())

    client.on_held = on_held  # type: ignore[attr-defined]
    client.dispatch("held")
    await started.wait()
    closing = asyncio.create_task(client.close())
    release.set()
    await closing
    assert finished == [False]  # it ended before the client closed under it


async def test_a_handler_held_up_for_good_is_ended_by_close(
    connect, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(discord_client, "HANDLERS_END", 0.05)
    client = await connect(Recorder())
    started = asyncio.Event()

    async def on_held() -> None:
        started.set()
        await asyncio.Event().wait()

    client.on_held = on_held  # type: ignore[attr-defined]
    client.dispatch("held")
    await started.wait()
    (task,) = _handler_tasks()
    await client.close()
    assert task.done()  # cancelled (discord.py's _run_event swallows the CancelledError)
