"""A button whose command is too long for Discord's 100-character custom_id ("Keep as a
narration" with the person's whole text) works after a restart, a deploy or on another replica:
its command is kept in the database, not in the process. Only the person it was shown to may use
it; an expired or unknown key is answered kindly, and nothing kept is lost by that click."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.replies import Button, Reply
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.discord import client as client_module
from narrate_bot_adapters.discord import interactions, render
from tests.held_lock import another_writer

from .conftest import Recorder, until
from .fake import ALICE, BOB, FakeDiscord

# What each first response says is checked, not how soon it came: on a loaded machine the 1 s
# deferral would be reached ("thinking…" first). A test about the deferral sets ``defer_after``.
pytestmark = pytest.mark.undeferred

UPDATE_MESSAGE = 7
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
EPHEMERAL = 64
# "find" is no command: the words are offered to be kept, with the button carrying them all.
WORDS = "find https://wiki.example.com/payments/quokkaledger/rollback-notes-from-the-cutover"


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a restart does to the adapter's memory: a version that kept these commands in a
    module-level map (``KEPT``) starts with an empty one."""
    for module in (interactions, render, client_module):
        kept = getattr(module, "KEPT", None)
        if kept is not None:
            monkeypatch.setattr(module, "KEPT", type(kept)())


async def _offer(fake: FakeDiscord, who: dict[str, Any] = ALICE) -> str:
    data = (await fake.answer(await fake.slash("narrate", who=who, text=WORDS)))["data"]
    [button] = [c for row in data["components"] for c in row["components"]]
    assert button["label"] == "Keep as a narration"
    assert button["custom_id"].startswith("narrate-kept:") and len(button["custom_id"]) <= 100
    return str(button["custom_id"])


async def _narrations(bot: Bot) -> list[str]:
    async with bot.db.snapshot() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def _pending(db: Database) -> list[str]:
    from narrate_bot.storage.pending_action_tables import PendingAction

    async with db.snapshot() as session:
        rows = (await session.exec(select(PendingAction))).all()
        return [p.command for p in rows if p.command]  # a used one's words are wiped


async def _until_none_pending(bot: Bot) -> None:
    """The used key's words are forgotten once the click is taken: wait for that, not a time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0  # only a failure waits this long, even on a loaded machine
    while loop.time() < deadline:
        if not await _pending(bot.db):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still kept: {await _pending(bot.db)}")


@pytest.mark.parametrize("how", ["restart", "another replica"])
async def test_keep_as_a_narration_keeps_the_words_after_a_restart(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    first = await connect(bot)
    button = await _offer(fake)
    if how == "restart":
        await first.close()
        _new_process(monkeypatch)
    # A new bot on the same database; the fake sends every event to the newest connection.
    await connect(Bot(db=bot.db, clock=clock, settings=Settings()))

    clicked = await fake.answer(await fake.click(button, who=ALICE))

    assert clicked["type"] == UPDATE_MESSAGE, clicked
    assert clicked["data"]["content"].startswith("Noted as #1."), clicked
    assert clicked["data"]["components"] == []
    assert await _narrations(bot) == [WORDS]
    await _until_none_pending(bot)  # used: the words live on in the narration alone
    # The answer stays as it is: it used to be edited to "Done." right after taking its place.
    edits = [c.body for c in fake.calls if c.method == "PATCH" and c.path.startswith("/webhooks/")]
    assert edits == []


async def test_someone_else_clicking_is_refused_and_the_button_keeps_working(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    await connect(bot)
    button = await _offer(fake, who=ALICE)

    refused = await fake.answer(await fake.click(button, who=BOB))

    assert refused["type"] == CHANNEL_MESSAGE and refused["data"]["flags"] == EPHEMERAL
    assert "for the person I showed it to" in refused["data"]["content"]
    assert WORDS not in refused["data"]["content"]  # nothing of alice's words reaches bob
    assert await _narrations(bot) == []
    assert await _pending(bot.db) == [f"/narrate note {WORDS}"]

    clicked = await fake.answer(await fake.click(button, who=ALICE))
    assert clicked["data"]["content"].startswith("Noted as #1.")
    assert await _narrations(bot) == [WORDS]


async def test_an_expired_button_says_so_kindly_and_loses_nothing(
    fake: FakeDiscord, bot: Bot, clock, connect
) -> None:
    await connect(bot, now=clock.now)
    old = await _offer(fake)
    clock.advance(timedelta(days=7, minutes=1))
    fresh = await _offer(fake)  # a week later, the same words offered again

    expired = await fake.answer(await fake.click(old, who=ALICE))
    unknown = await fake.answer(await fake.click("narrate-kept:AAAAAAAAAAAAAAAA", who=ALICE))

    for answer in (expired, unknown):
        assert answer["type"] == CHANNEL_MESSAGE and answer["data"]["flags"] == EPHEMERAL
        assert answer["data"]["content"].startswith("That button has expired — send it again")
    assert await _narrations(bot) == []
    assert len(await _pending(bot.db)) == 2  # the click deleted nothing; the sweep will
    clicked = await fake.answer(await fake.click(fresh, who=ALICE))
    assert clicked["data"]["content"].startswith("Noted as #1.")
    await bot.run_due()  # sweeps the week-old one
    await _until_none_pending(bot)  # and the fresh one went once used


@contextmanager
def _keeping_held_up(db: Database) -> Iterator[None]:
    """Another connection in the middle of a write that keeping a button's command waits for:
    SQLite's write lock; on PostgreSQL the ``pending_action`` table."""
    if db.dialect == "sqlite":
        with another_writer(db):
            yield
        return
    libpq = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as pg:
        pg.execute("LOCK TABLE pending_action IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            pg.rollback()


async def test_a_slow_write_defers_the_answer_instead_of_making_it_late(
    fake: FakeDiscord, db: Database, connect
) -> None:
    """Keeping the command is part of the work the deferral timer watches: a write waiting for
    another writer's lock defers the interaction, and the button follows once it is kept."""
    command = f"/narrate note {WORDS}"
    core = Recorder([Reply(text="Keep it?", buttons=(Button(label="Keep", command=command),))])
    client = await connect(core, defer_after=0.05)
    client.gateway.kept.db = db  # the stand-in core keeps nothing; the adapter keeps buttons

    # Waits for events, with room for a loaded machine: each returns as soon as it happens.
    with _keeping_held_up(db):
        asked = await fake.slash("narrate", who=ALICE, text=WORDS)
        first = await fake.answer(asked, timeout=30)
        assert first["type"] == DEFERRED_CHANNEL_MESSAGE, first  # not waiting on the lock

    await until(lambda: fake.posted("/webhooks/"), timeout=30)
    [follow_up] = fake.posted("/webhooks/")
    [button] = [c for row in follow_up.body["components"] for c in row["components"]]
    assert button["custom_id"].startswith("narrate-kept:")
    assert await _pending(db) == [command]
