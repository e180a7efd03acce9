"""A forget-me confirmed on one replica while a command of the same person, on another, records
them as a reader of the place they wrote in (``Turn.channel``): the membership outlived the
erasure. Someone who never joined has no person row for the command to hold, so the two ran
side by side: the erasure's delete can't see a row not yet committed, and nothing stopped the
command from writing one after the erasure's delete. Now the command holds their user id as
the erasure does: the erasure deletes what the command committed, or the command writes no
membership. PostgreSQL only: SQLite's BEGIN IMMEDIATE runs the two writers one after the
other. Found in review."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.storage import privacy
from narrate_bot.storage import repositories as repo
from tests.helpers import Chat
from tests.scenarios.test_intros_pace import _blocked_by

pytestmark = pytest.mark.usefixtures("bot")


async def _bobs_memberships(db) -> list[object]:
    query = text("SELECT channel_pk FROM channel_member WHERE user_id = 'bob'")
    async with db.engine.connect() as conn:
        return list((await conn.execute(query)).scalars())


async def _pid(session) -> int:
    conn = await session.connection()
    return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _until_done_or_blocked(db, task: asyncio.Task[str], writer: int) -> None:
    # Seen in PostgreSQL's locks, not guessed from how long it took.
    while not task.done() and not await _blocked_by(db, writer):
        await asyncio.sleep(0.01)


def _other(db, clock, tmp_path) -> Chat:
    return Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)


async def test_the_erasure_confirmed_while_the_membership_is_written_deletes_it(
    chat, db, clock, tmp_path, monkeypatch
):
    if db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    other = _other(db, clock, tmp_path)
    await chat.say("alice: /narrate kafka consumer lag alerts tuned", "bob: /narrate forget-me")
    real = repo.add_member
    confirming: list[asyncio.Task[str]] = []

    async def membership_racing(session, **kw):  # type: ignore[no-untyped-def]
        await real(session, **kw)
        if not confirming:  # the other replica confirms, this one's membership not committed
            confirming.append(asyncio.create_task(other.say("bob: /narrate forget-me confirm")))
            await _until_done_or_blocked(db, confirming[0], await _pid(session))

    monkeypatch.setattr(repo, "add_member", membership_racing)
    await chat.say("bob in dm: who knows about kafka?")
    assert confirming, "the question wrote no membership"
    said = await confirming[0]
    assert await _bobs_memberships(db) == []
    assert "Done" in said, said  # it waited for the question, and erased what it wrote


async def test_a_membership_written_while_the_erasure_commits_is_not_written(
    chat, db, clock, tmp_path, monkeypatch
):
    if db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    other = _other(db, clock, tmp_path)
    await chat.say(
        ":channel #secret private alice,bob",
        "alice: /narrate kafka consumer lag alerts tuned",
        "bob: /narrate forget-me",
    )
    assert await _bobs_memberships(db) != []
    real = privacy.forget_reader_user
    asking: list[asyncio.Task[str]] = []

    async def question_racing(session, **kw):  # type: ignore[no-untyped-def]
        if not asking:  # the erasure has deleted bob's memberships, not yet committed
            asking.append(asyncio.create_task(other.say("bob in dm: who knows about kafka?")))
            await _until_done_or_blocked(db, asking[0], await _pid(session))
        return await real(session, **kw)

    monkeypatch.setattr(privacy, "forget_reader_user", question_racing)
    assert "Done" in await chat.say("bob: /narrate forget-me confirm")
    assert "@alice" in await asking[0]  # the question is still answered, as for someone new
    assert await _bobs_memberships(db) == []
    # Once he acts again after it, he is someone new, recorded as any asker is.
    await chat.say("bob in dm: who knows about kafka?")
    assert len(await _bobs_memberships(db)) == 1
