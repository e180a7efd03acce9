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
