"""PostgreSQL keeps samples of column values for its planner (``pg_stats``). After a forget-me,
a delete or an edit the old text, user id and name must not stay readable there until the next
autovacuum analyze. (SQLite keeps no such samples: the app never runs ANALYZE there.)"""

from __future__ import annotations

import pytest
from sqlalchemy import text

SAMPLES = """
    SELECT coalesce(most_common_vals::text, '') || ' ' || coalesce(histogram_bounds::text, '')
           || ' ' || coalesce(most_common_elems::text, '')
    FROM pg_stats WHERE schemaname = current_schema()
"""


async def _statistics(db) -> str:
    async with db.engine.connect() as connection:
        return " ".join((await connection.execute(text(SAMPLES))).scalars().all())


async def _analyzed(db) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


@pytest.fixture
def postgres_only(db):
    if db.dialect != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")


async def test_forget_me_leaves_nothing_in_the_planners_samples(chat, db, postgres_only):
    await chat.say(
        "alice: /narrate zanzibarquux ledger migration",
        "alice in dm: /narrate my private salary note hrmanagerx",
        "carol: /narrate kafka streams for the launch",
        "bob: /narrate terraform modules",
    )
    await _analyzed(db)
    before = await _statistics(db)
    assert "hrmanagerx" in before and "alice" in before  # what the test would miss otherwise
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    after = await _statistics(db)
    assert "hrmanagerx" not in after and "zanzibarquux" not in after and "alice" not in after
    assert "carol" in after  # others' rows are still sampled


async def test_a_deleted_or_edited_narrations_words_leave_the_samples(chat, db, postgres_only):
    await chat.say(
        "alice in dm: /narrate my private salary note hrmanagerx",
        "alice in dm: /narrate planning the quokkaplan offsite",
        "carol: /narrate kafka streams for the launch",
    )
    await _analyzed(db)
    assert "hrmanagerx" in await _statistics(db)
    assert "Deleted #1" in await chat.say("alice in dm: /narrate delete 1")
    assert "hrmanagerx" not in await _statistics(db)
    await _analyzed(db)
    assert "quokkaplan" in await _statistics(db)
    assert "Updated #2" in await chat.say("alice in dm: /narrate edit 2 planning the offsite")
    assert "quokkaplan" not in await _statistics(db)
