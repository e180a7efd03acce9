"""An update that couldn't be saved is handed back to whoever wrote it.

When the core fails (here: another connection holds the lock a new narration needs, and the
database gives up waiting: SQLite's "database is locked" after its busy timeout, PostgreSQL's
lock timeout), the person is told to try again. A form
and a command's box are empty once sent, so the answer quotes what they wrote: the "Write my
update" form in a DM, the /narrate form in the server, and /narrate text:. Nothing is stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.discord.interactions import TRIED_AGAIN
from tests.held_lock import FAST_MS, narrations_locked

from .fake import ALICE, GUILD, FakeDiscord

UPDATE = "Shipped the ledger importer; stuck on the flaky kafka consumer test, ideas welcome"
SECOND = "Paired with bob on the billing retries and wrote down why they back off"


async def _stored(bot: Bot) -> list[str]:
    async with bot.db.snapshot() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def _while_written(
    fake: FakeDiscord, bot: Bot, monkeypatch: pytest.MonkeyPatch, ask: Any
) -> str:
    async with narrations_locked(bot.db, monkeypatch):
        answer = await ask()
        await asyncio.sleep(0.2)  # any follow-up after a deferral
    content = str(answer["data"].get("content", ""))
    followed = [c.body for c in fake.calls if c.path.startswith("/webhooks/")]
    if answer["type"] == 5 and followed:  # deferred: the answer is the follow-up
        content = str(followed[-1].get("content", ""))
    return content


@pytest.mark.parametrize(
    "where",
    ["server form", "DM form", "command"],
)
async def test_an_update_that_could_not_be_saved_is_handed_back(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"))

    async def ask() -> dict[str, Any]:
        if where == "server form":
            return await fake.answer(await fake.submit("narrate-form:narration", UPDATE))
        if where == "DM form":
            form = f"narrate-form@{GUILD}:narration"
            return await fake.answer(await fake.submit(form, UPDATE, in_guild=False))
        return await fake.answer(await fake.slash("narrate", who=ALICE, text=UPDATE))

    said = await _while_written(fake, bot, monkeypatch, ask)

    assert said.startswith(TRIED_AGAIN), said
    assert "Nothing was saved" in said and f"> {UPDATE}" in said, said
    assert UPDATE not in await _stored(bot)
    # Afterwards the same words are kept, once.
    await fake.answer(await fake.slash("narrate", who=ALICE, text=SECOND))
    assert (await _stored(bot)).count(SECOND) == 1


async def test_an_update_is_kept_when_the_lock_goes_before_the_second_try(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first try gives up waiting (after ``FAST_MS``); the lock is gone by the second."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"))

    async with narrations_locked(bot.db, monkeypatch):
        sent = await fake.submit("narrate-form:narration", UPDATE)
        await asyncio.sleep(FAST_MS / 1000 + 0.15)  # the first try has failed by now
    answer = await fake.answer(sent)
    await asyncio.sleep(0.2)
    followed = [c.body for c in fake.calls if c.path.startswith("/webhooks/")]
    said = str((followed[-1] if answer["type"] == 5 else answer["data"]).get("content", ""))

    assert said.startswith("Noted as #2."), said
    assert (await _stored(bot)).count(UPDATE) == 1
