"""A newcomer (no person row) sends two narrations on two replicas while someone else confirms
their forget-me. The second waited for the first's hold on her user id, found the workspace's
erasure mark changed (by the other person's forget-me) and was taken for erased: dropped, and
told "Your forget-me went through just as this arrived ... nothing about you is stored" while
the first was kept. Her commands now share the hold, and only a forget-me of her own user id
makes one wait. PostgreSQL only: SQLite's BEGIN IMMEDIATE runs the writers one after the
other. Found in review of e4af75c."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.storage import repositories as repo
from tests.helpers import Chat
from tests.scenarios.test_forget_me_beside_a_membership import _pid
from tests.scenarios.test_intros_pace import _blocked_by

pytestmark = pytest.mark.usefixtures("bot")


def _other(db, clock, tmp_path) -> Chat:
    return Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)


async def _carols_narrations(db) -> int:
    query = text(
        "SELECT COUNT(*) FROM narration JOIN person ON person.id = narration.person_id"
        " WHERE person.user_id = 'carol'"
    )
    async with db.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def test_someone_elses_forget_me_doesnt_drop_a_newcomers_second_narration(
    chat, db, clock, tmp_path, monkeypatch
):
    if db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    second_replica = _other(db, clock, tmp_path / "b")
    third_replica = _other(db, clock, tmp_path / "c")
    await chat.say(":channel #secret private alice,carol,dave", "dave: /narrate forget-me")
    real = repo.add_member
    second: list[asyncio.Task[str]] = []
    confirmed: list[str] = []

    async def racing(session, **kw):  # type: ignore[no-untyped-def]
        await real(session, **kw)
        if not second and kw.get("user_id") == "carol":  # her first, not committed
            second.append(
                asyncio.create_task(second_replica.say("carol in #secret: /narrate tuned acls"))
            )
            writer = await _pid(session)
            # Seen in PostgreSQL's locks, not guessed from how long it took.
            while not second[0].done() and not await _blocked_by(db, writer):
                await asyncio.sleep(0.01)
            confirmed.append(await third_replica.say("dave: /narrate forget-me confirm"))

    monkeypatch.setattr(repo, "add_member", racing)
    first = await chat.say("carol in #secret: /narrate rotated the kafka certificates")
    assert second, "her first narration wrote no membership"
    said = await second[0]
    assert "Done" in confirmed[0], confirmed
    assert "Noted" in first, first
    assert "forget-me" not in said, said
    assert "Noted" in said, said
    assert await _carols_narrations(db) == 2
