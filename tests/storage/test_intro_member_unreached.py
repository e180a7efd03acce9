"""Migration 0058 (``intro_member.unreached_at``) and what it keeps, on both engines: existing
members count as reached; a member a delivered group introduction never reached is marked (not
where its channel post named everyone), isn't rested by it (``last_introduced``), and down and
up again is clean (``alembic check``)."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import intro_repo
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0057_intro_sent_marks_delivered"
AT = START.astimezone(UTC)


async def test_a_member_a_delivered_introduction_never_reached_is_not_rested_by_it(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant, zoe = ids["tenant"], ids["person"]
    yan = await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, 'U2', 'yan', 'joined', false, :at)",
        t=tenant,
        at=AT,
    )
    round_id = await _insert(
        db,
        "INSERT INTO intro_round (tenant_id, week, created_at) VALUES (:t, '2026-W48', :at)",
        t=tenant,
        at=AT,
    )
    introductions = {}
    for number in (1, 2):
        introductions[number] = await _insert(
            db,
            "INSERT INTO introduction (tenant_id, number, round_id, created_at, topics,"
            " answers_question, delivered_at) VALUES (:t, :n, :r, :at, 'kafka', false, :at)",
            t=tenant,
            n=number,
            r=round_id,
            at=AT,
        )
        for person in (zoe, yan):
            await _run(
                db,
                "INSERT INTO intro_member (introduction_id, person_id, team) VALUES (:i, :p, 't')",
                i=introductions[number],
                p=person,
            )
    # #2 was posted in the introductions channel too: that named yan to everyone.
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people, attempts)"
        " VALUES (:i, 'C1', 'M0', 2, 0)",
        i=introductions[2],
    )
    await upgrade(db)
    await check(db)
    assert await _run(db, "SELECT count(*) FROM intro_member WHERE unreached_at IS NULL") == 4

    async with db.transaction() as session:
        for number in (1, 2):
            await intro_repo.mark_unreached(
                session, tenant_id=tenant, number=number, user_ids=["U2"], now=AT
            )
    async with db.transaction() as session:
        assert await intro_repo.unreached(
            session, introduction_ids=[introductions[1], introductions[2]]
        ) == {(introductions[1], yan)}
    await _run(db, "DELETE FROM intro_post")  # #1 alone: only a group DM, which missed yan
    await _run(db, "DELETE FROM introduction WHERE number = 2")
    async with db.transaction() as session:
        weeks = await intro_repo.last_introduced(
            session, person_ids=[zoe, yan], since=AT - timedelta(days=1)
        )
    assert weeks == {zoe: ["2026-W48"]}, "yan wasn't introduced: nothing rests him"

    await _downgrade(db, BEFORE)
    await upgrade(db)
    await check(db)
