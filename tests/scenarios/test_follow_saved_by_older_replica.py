"""A follow saved by a replica still on the code from before migration 0029 (a rolling deploy)
inserts only its ``topic_preference`` row. Since 0029 the digest goes out only to followers
with a ``follow_schedule`` row, so that follower never got one; migration 0035's trigger gives
them their row, whatever version saved the follow (see test_follow_topics for the clock)."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel.sql.sqltypes import UTCDateTime

from tests.scenarios.test_follow_topics import DIGEST, WORLD, _week_of_kafka

# What the older code's ``/narrate follow kafka`` writes: the preference, no schedule row.
OLD_FOLLOW = (
    "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic, created_at)"
    " SELECT id, 'follow', :key, tenant_id, :key, :at FROM person WHERE display_name = 'carol'"
)


async def _old_follow(clock, db, key: str) -> None:
    async with db.engine.begin() as conn:
        # The time as the older code's ORM writes it (the column's own type and format).
        at = bindparam("at", clock.now(), type_=UTCDateTime())
        found = await conn.execute(text(OLD_FOLLOW).bindparams(at), {"key": key})
        assert found.rowcount == 1


async def test_a_follow_saved_by_an_older_replica_gets_next_mondays_digest(chat, clock, db):
    await chat.say(*WORLD, "carol in #general: /narrate hello")
    await _old_follow(clock, db, "kafka")
    await _week_of_kafka(chat)
    # Like a follow this version saves: nothing at once, the whole week's digest a week later.
    assert DIGEST not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert out.count(DIGEST) == 1, out
    assert "@alice: “tuned the kafka consumer lag alerts”" in out
    assert out.count(DIGEST) == 1 and DIGEST not in await chat.say(":advance 1d")


async def test_a_second_topic_saved_by_an_older_replica_keeps_one_digest(chat, clock, db):
    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await _old_follow(clock, db, "ledger migration")
    await _week_of_kafka(chat)
    out = await chat.say(":advance 7d")
    assert out.count(DIGEST) == 1, out
    assert "kafka consumer lag" in out and "ledger migration reviewed" in out
