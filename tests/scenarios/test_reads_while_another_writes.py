"""Commands that only read answer while another connection writes.

On SQLite every command's transaction began with ``BEGIN IMMEDIATE``, so "who knows about
kafka?", ``/narrate topics``, ``profile``, ``mine``, ``export``, ``stats`` and the App Home
waited behind any slow writer (a forget-me's scrub, a big import, the weekly job, another
replica) and past the busy timeout failed with "database is locked", although WAL lets readers
read a snapshot meanwhile. They now read in ``Database.snapshot()`` whenever they have nothing
to write. What they still write (a private channel's new reader, someone back after leaving,
a participant's question topics for their introductions, a renamed workspace) is written as
before, and checked here on both engines.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.events import (
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    MembershipChanged,
    MessageReceived,
    TenantRef,
    UserRef,
)
from narrate_bot.features import home
from narrate_bot.storage import database
from narrate_bot.storage.database import Database
from narrate_bot_adapters.console.adapter import TENANT
from tests.helpers import Chat

_ids = itertools.count()
GENERAL = ChannelRef(channel_id="general", name="general", kind=ChannelKind.PUBLIC, shared=False)
SECRET = ChannelRef(channel_id="secret", name="secret", kind=ChannelKind.PRIVATE, shared=False)
FAST_MS = 200  # the busy timeout here: a command that waits for the lock fails after this


def _dm(user: str) -> ChannelRef:
    return ChannelRef(channel_id=f"dm-{user}", name=f"dm {user}", kind=ChannelKind.DIRECT)


async def _command(
    bot: Bot, user: str, words: str, channel: ChannelRef = GENERAL, tenant: TenantRef = TENANT
) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"read{next(_ids)}",
            tenant=tenant,
            user=UserRef(user_id=user, display_name=user),
            channel=channel,
            occurred_at=bot.clock.now(),
            command="narrate",
            text=words,
        )
    )
    return "\n".join(reply.text for reply in replies)


async def _mention(bot: Bot, user: str, words: str, channel: ChannelRef = GENERAL) -> str:
    replies = await bot.handle(
        MessageReceived(
            event_id=f"read{next(_ids)}",
            tenant=TENANT,
            user=UserRef(user_id=user, display_name=user),
            channel=channel,
            occurred_at=bot.clock.now(),
            text=words,
            addressed_to_bot=True,
        )
    )
    return "\n".join(reply.text for reply in replies)


async def _count(db: Database, query: str, **values: object) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query), values)).scalar_one())


@contextmanager
def _writer_holding_the_lock(db: Database) -> Iterator[None]:
    """Another connection to the same file in the middle of a write, holding SQLite's write
    lock (``BEGIN IMMEDIATE`` and an uncommitted row) until the block ends."""
    other = sqlite3.connect(make_url(db.url).database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE tenant SET name = name")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def _world(chat: Chat) -> None:
    await chat.say(
        ":channel #secret private bob,carol",
        "alice: /narrate kafka consumer lag fixed in billing",
        "bob in #secret: /narrate kafka migration plan for the ledger",
        "carol in dm: who knows about kafka?",
    )


async def _described_then(bot: Bot, user: str, words: str) -> str:
    """A command in #secret, after what Slack does before one there: describe its readers."""
    await bot.handle(
        ChannelDescribed(
            tenant=TENANT, channel=SECRET, members=("bob", "carol"), occurred_at=bot.clock.now()
        )
    )
    return await _command(bot, user, words, SECRET)


async def _home(db: Database, bot: Bot, user: str) -> str:
    page = await home.summary(db, tenant=TENANT, user_id=user, now=bot.clock.now())
    return " | ".join(n.text for n in page.recent)


async def _everything_read(db: Database, bot: Bot) -> dict[str, str]:
    """Each reading command's answer, or how it failed."""
    asked: dict[str, Callable[[], Awaitable[str]]] = {
        "who": lambda: _command(bot, "zoe", "who kafka"),
        "mention": lambda: _mention(bot, "zoe", "who knows about kafka?"),
        "private": lambda: _described_then(bot, "carol", "who kafka"),
        "dm": lambda: _mention(bot, "carol", "who knows about kafka?", _dm("carol")),
        "topics": lambda: _command(bot, "zoe", "topics"),
        "profile": lambda: _command(bot, "zoe", "profile @alice"),
        "mine": lambda: _command(bot, "alice", "mine"),
        "export": lambda: _command(bot, "alice", "export"),
        "stats": lambda: _command(bot, "zoe", "stats"),
        "intros": lambda: _command(bot, "alice", "intros"),
        "home": lambda: _home(db, bot, "alice"),
    }
    said = {}
    for name, answer in asked.items():
        try:
            said[name] = await answer()
        except Exception as error:
            said[name] = f"failed: {error!r}"[:120]
    return said


async def test_reading_commands_answer_while_another_connection_holds_the_write_lock(
    db: Database, bot: Bot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every reading command gives the same answer with a writer in the middle of a write as
    without one, instead of failing with "database is locked" after the busy timeout."""
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL readers never waited for a writer")
    await _world(chat)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", FAST_MS)
    await db.dispose()  # new connections, with the short busy timeout
    quiet = await _everything_read(db, bot)
    with _writer_holding_the_lock(db):
        # No time bound (a loaded machine may take seconds): a reader that waited for the
        # writer would give up after FAST_MS with "database is locked", and answer differently.
        held = await _everything_read(db, bot)
    assert held == quiet
    # And the answers are the real ones: what each reader may read, and nothing else.
    assert held["who"].startswith("Who knows about “kafka”:\n1. <@alice>"), held["who"]
    assert "ledger" not in held["who"] and "ledger" not in held["mention"]
    assert "<@bob>" in held["private"] and "#secret, private" in held["private"]
    assert "<@bob>" in held["dm"]
    assert "kafka" in held["topics"] and "<@alice>" in held["profile"]
    assert "#1" in held["mine"] and "kafka consumer lag" in held["mine"]
    assert held["export"].startswith("Here is everything I store about you (1 narration)")
    assert held["stats"].startswith("No introductions yet")
    assert held["intros"].startswith("You haven't been introduced to anyone yet")
    assert held["home"] == "kafka consumer lag fixed in billing"


async def test_what_a_question_must_still_write_is_written(
    db: Database, bot: Bot, chat: Chat, clock: ManualClock
) -> None:
    """A question whose turn has something to write writes it, on both engines: the asker as a
    reader of a private channel they speak in for the first time (and its evidence in that very
    answer), someone back after being marked gone, a participant's question topics for their
    introductions (each time they ask), a workspace's new name. Leaving a private channel, or
    no longer being among its readers when the platform describes it, takes its evidence out of
    the next answer at once."""
    await _world(chat)
    await chat.say(":channel #ops private dave", "dave in #ops: /narrate kafka broker upgrade")
    # Dan speaks in #ops for the first time: recorded as its reader, he sees its evidence now.
    first = await _command(
        bot,
        "dan",
        "who kafka",
        ChannelRef(channel_id="ops", name="ops", kind=ChannelKind.PRIVATE, shared=False),
    )
    assert "<@dave>" in first and "#ops, private" in first, first
    assert "#ops, private" in await _command(bot, "dan", "who kafka", _dm("dan"))

    # Pat was marked gone; asking brings them back.
    await chat.say("pat: /narrate terraform modules for the edge", ":gone pat")
    assert "<@alice>" in await _command(bot, "pat", "who kafka")
    assert (
        await _count(
            db, "SELECT COUNT(*) FROM person WHERE user_id = 'pat' AND departed_at IS NULL"
        )
        == 1
    )

    # A participant's question topics are kept every time they ask, read without the lock.
    await chat.say("erin: /narrate terraform state locking", "erin: /narrate intros join")
    for _ in range(2):
        assert "<@alice>" in await _command(bot, "erin", "who kafka")
    asked = "SELECT COUNT(*) FROM intro_asked_topic t JOIN person p ON p.id = t.person_id"
    assert await _count(db, f"{asked} WHERE p.user_id = 'erin' AND t.topic = 'kafka'") == 2

    # The workspace renamed on the platform: the next question stores the new name.
    renamed = TenantRef(platform=TENANT.platform, tenant_id=TENANT.tenant_id, name="Acme")
    assert "<@alice>" in await _command(bot, "zoe", "who kafka", tenant=renamed)
    assert await _count(db, "SELECT COUNT(*) FROM tenant WHERE name = 'Acme'") == 1

    # Carol leaves #secret: bob's narration there is out of her very next answer.
    assert "#secret, private" in await _command(bot, "carol", "who kafka", _dm("carol"))
    await bot.handle(
        MembershipChanged(
            tenant=TENANT, channel=SECRET, user_id="carol", joined=False, occurred_at=clock.now()
        )
    )
    after = await _command(bot, "carol", "who kafka", _dm("carol"))
    assert "<@alice>" in after and "#secret" not in after and "ledger" not in after, after

    # The platform describes #secret with her among its readers again, then without her: each
    # description that changes its readers is stored, and her next answer follows it.
    for readers, shown in ((("bob", "carol"), True), (("bob",), False)):
        await bot.handle(
            ChannelDescribed(
                tenant=TENANT, channel=SECRET, members=readers, occurred_at=clock.now()
            )
        )
        answer = await _command(bot, "carol", "who kafka", _dm("carol"))
        assert ("#secret, private" in answer) is shown, (readers, answer)


async def test_a_participants_question_is_answered_while_another_connection_holds_the_lock(
    db: Database,
    bot: Bot,
    chat: Chat,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An introductions participant's question has their question's topics to write: with
    another connection holding SQLite's write lock past the busy timeout it is answered all the
    same (it failed with "database is locked", its answer lost), without a "This helped" button
    it couldn't keep, and the log says so without the question's words."""
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    await _world(chat)
    await chat.say("erin: /narrate terraform state locking", "erin: /narrate intros join")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", FAST_MS)
    await db.dispose()  # new connections, with the short busy timeout
    asked = "SELECT COUNT(*) FROM intro_asked_topic t JOIN person p ON p.id = t.person_id"
    with _writer_holding_the_lock(db):
        replies = await bot.handle(
            CommandInvoked(
                event_id=f"read{next(_ids)}",
                tenant=TENANT,
                user=UserRef(user_id="erin", display_name="erin"),
                channel=GENERAL,
                occurred_at=bot.clock.now(),
                command="narrate",
                text="who kafka",
            )
        )
    assert replies[0].text.startswith("Who knows about “kafka”:\n1. <@alice>"), replies
    assert all(not reply.buttons for reply in replies), replies
    assert await _count(db, f"{asked} WHERE p.user_id = 'erin'") == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("database was busy" in w for w in warnings), warnings
    assert not any("kafka" in w for w in warnings), warnings
    # Once the lock is free, her next question keeps its topics and its answer again.
    assert "<@alice>" in await _command(bot, "erin", "who kafka")
    assert await _count(db, f"{asked} WHERE p.user_id = 'erin' AND t.topic = 'kafka'") == 1
