"""Replicas and the erasure key (``storage/erasure_key.py``) beyond the first start: a replica
started with another key is refused at its start even before anyone was forgotten (the
database notes the first key's check value when it starts); a forget-me on a replica whose key
is wrong says what happened instead of "try again"; a reader list takes out a stored row of
someone forgotten (one an older version wrote during a rolling deploy, reading no keyed mark)."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.features.privacy import KEY_MISMATCH
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Channel, ChannelMember, Person
from narrate_bot_adapters.serve import StartupError, prepare_database
from tests.scenarios.forgotten_reader import command, described, forgotten_u2, members

OTHER_KEY = "another-replicas-key-" + "1" * 32


async def test_a_replica_with_another_key_is_refused_though_nobody_was_forgotten_yet(
    db: Database, clock: ManualClock
) -> None:
    """Before: with no mark written yet there was nothing to compare at startup, so both
    replicas served; B then stored again whom A forgot, and failed each forget-me of its own."""
    await prepare_database(db)  # replica A, the first to start
    other = Database(db.url, erasure_key=OTHER_KEY)  # replica B, another key
    try:
        with pytest.raises(StartupError) as refused:
            await prepare_database(other)
        assert "NARRATE_ERASURE_KEY" in str(refused.value)
        assert OTHER_KEY not in str(refused.value)
    finally:
        await other.dispose()
    await forgotten_u2(Bot(db=db, clock=clock, settings=Settings()), db)  # A serves as before


async def test_a_forget_me_under_another_key_says_so_and_erases_nothing(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A replica that runs with a key the marks weren't written with (started before the
    check, or its key file lost): the person is told to ask the operator, not "send it again
    in a minute", and the operator finds it at ERROR, naming the setting, not the key."""
    await forgotten_u2(Bot(db=db, clock=clock, settings=Settings()), db)
    other = Database(db.url, erasure_key=OTHER_KEY)
    try:
        bot = Bot(db=other, clock=clock, settings=Settings())
        await bot.handle(command("U3", "wrote the runbook"))
        await bot.handle(command("U3", "forget-me"))
        with caplog.at_level(logging.ERROR):
            told = await bot.handle(command("U3", "forget-me confirm"))
    finally:
        await other.dispose()
    assert [r.text for r in told] == [KEY_MISMATCH]
    assert "Nothing was erased" in KEY_MISMATCH
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("NARRATE_ERASURE_KEY" in e for e in errors), errors
    assert not any(OTHER_KEY in e or "runbook" in e for e in caplog.messages)
    async with db.snapshot() as session:
        assert (await session.exec(select(Person).where(Person.user_id == "U3"))).first()


async def test_a_reader_list_takes_out_a_stored_row_of_someone_forgotten(
    db: Database, clock: ManualClock
) -> None:
    """An older version, reading only unkeyed marks, stored U2 again from a reader list: the
    next list (the same, still naming U2) takes the row out instead of keeping it."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    async with db.transaction() as session:
        secret = (await session.exec(select(Channel).where(Channel.channel_id == "G1"))).one()
        assert secret.id is not None
        session.add(ChannelMember(channel_pk=secret.id, user_id="U2"))  # the older version
    await bot.handle(described("U1", "U2"))
    assert await members(db, "U2") == []
    assert [m.user_id for m in await members(db, "U1")] == ["U1"]
