"""Database errors end up in logs (Bolt's listener errors, the scheduler, Discord's handlers):
they must never carry what people wrote or a token."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from narrate_bot.storage.database import Database

SECRET = "salary negotiation notes for dana"


async def test_a_failed_statement_does_not_repeat_its_parameters(db: Database) -> None:
    with pytest.raises(DBAPIError) as failure:
        async with db.transaction() as session:
            connection = await session.connection()
            await connection.execute(
                text("INSERT INTO narration_missing_table (text) VALUES (:text)"),
                {"text": SECRET},
            )
    assert SECRET not in str(failure.value)
    assert "hidden" in str(failure.value)  # SQLAlchemy says the parameters were withheld


async def test_a_postgresql_host_that_never_answers_fails_in_seconds(monkeypatch) -> None:
    """A host that accepts the connection and then says nothing (a firewall that drops packets
    behaves the same) must not hold `narrate-bot run` for the operating system's TCP timeout."""
    import asyncio

    from narrate_bot.storage import database

    silent: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)  # kept open, never answered

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(database, "CONNECT_TIMEOUT_S", 2)
    quiet = Database(f"postgresql://nobody@127.0.0.1:{port}/narrate")

    async def attempt() -> None:
        async with quiet.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        with pytest.raises(DBAPIError):  # without a connect timeout: waits forever (TimeoutError)
            await asyncio.wait_for(attempt(), timeout=20)
    finally:
        await quiet.dispose()
        server.close()
        for writer in silent:
            writer.close()
