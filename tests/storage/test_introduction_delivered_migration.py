"""Migration 0055 (``introduction.delivered_at``) against data, on both engines: an introduction
of a round that reached someone (a post sent), or that queued nothing, is backfilled as
delivered when it was made; one of a round whose every post failed stays undelivered, so it is
never followed up; down and up again keeps that, and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_delivery import deliver_due
from narrate_bot.ports import CannotPostThere
from narrate_bot.replies import Post
from narrate_bot.storage import intro_repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0054_cjk_characters_folded"
AT = START.astimezone(UTC)


async def _round(
    db: Database, tenant: int, week: str, number: int, *statuses: str, queued: bool = False
) -> None:
    """A round of ``week`` with introduction ``number``, and its intros posts (slot: the week's
    Monday) with ``statuses``; ``queued``: a pending one keeps its post, as the sender queued
    it (the channel post of introduction ``number``)."""
    round_id = await _insert(
        db,
        "INSERT INTO intro_round (tenant_id, week, created_at) VALUES (:t, :w, :at)",
        t=tenant,
        w=week,
        at=AT,
    )
    await _insert(
        db,
        "INSERT INTO introduction (tenant_id, number, round_id, created_at, topics,"
        " answers_question) VALUES (:t, :n, :r, :at, 'kafka', false)",
        t=tenant,
        n=number,
        r=round_id,
        at=AT,
    )
    year, _, iso = week.partition("-W")
    slot = date.fromisocalendar(int(year), int(iso), 1).isoformat()
    schedule = await _run(db, "SELECT id FROM schedule WHERE kind = 'intros'")
    for i, status in enumerate(statuses):
        await _insert(
            db,
            "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
            " attempts, claimed_at, payload)"
            " VALUES (:s, :t, :slot, :part, :status, :at, 0, :at, :payload)",
            payload=_queued(number) if queued and status == "pending" else None,
            s=schedule,
            t=tenant,
            slot=slot,
            part=f"post-{i}",
            status=status,
            at=AT,
        )


def _queued(number: int) -> str:
    return Post(
        text=f"Introduction #{number}: <@U1>, meet <@U2>.\nWhy: both narrated kafka.\n"
        "Find 20 minutes this week to compare notes, then tell me how it went.",
        channel_id="C1",
    ).model_dump_json()


async def _delivered(db: Database) -> list[int]:
    async with db.engine.begin() as conn:
        rows = await conn.execute(
            text("SELECT number FROM introduction WHERE delivered_at IS NOT NULL ORDER BY number")
        )
        return [n for (n,) in rows]


async def test_rounds_that_reached_someone_are_delivered_and_the_rest_are_not(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'intros', 1, 2, '10:00', 'UTC', :at, :at)",
        t=tenant,
        at=AT,
    )
    await _round(db, tenant, "2026-W46", 1, "sent", "failed")  # reached someone
    await _round(db, tenant, "2026-W47", 2, "failed", "skipped")  # reached nobody
    await _round(db, tenant, "2026-W48", 3)  # queued nothing: outside the scheduler
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1, 3]
    async with db.transaction() as session:
        asked = await intro_repo.claim_follow_ups(
            session, tenant_id=tenant, since=AT - timedelta(days=1), now=AT + timedelta(days=1)
        )
    assert sorted(i.number for i in asked) == [1, 3], "nobody is asked about #2: nobody got it"

    await _downgrade(db, BEFORE)
    assert await _run(db, "SELECT count(*) FROM introduction") == 3
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1, 3]


class _Slack:
    """The platform: takes every post (``refuse``: refuses every one, the channel archived)."""

    def __init__(self, *, refuse: bool) -> None:
        self.refuse = refuse
        self.posted: list[str] = []

    async def post(self, tenant: TenantRef, post: Post) -> str:
        if self.refuse:
            raise CannotPostThere(CannotPostThere.ARCHIVED)
        self.posted.append(post.text)
        return f"M{len(self.posted)}"


async def _mid_delivery(db: Database) -> int:
    """0055 run while introduction #1's channel post is still queued (an upgrade on the
    Monday of its delivery), and #2 of an earlier round that went out: the tenant's id."""
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'intros', 1, 2, '10:00', 'UTC', :at, :at)",
        t=tenant,
        at=AT,
    )
    await _round(db, tenant, "2026-W46", 2, "sent")
    week = AT.isocalendar()
    await _round(db, tenant, f"{week.year}-W{week.week:02d}", 1, "pending", queued=True)
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [2], "nothing of #1 has gone out yet"
    return tenant


async def _sent_later(db: Database, slack: _Slack) -> datetime:
    later = AT + timedelta(minutes=5)
    bot = Bot(
        db=db, clock=ManualClock(later), settings=Settings(), gateways={Platform.SLACK: slack}
    )
    await deliver_due(bot, later)
    return later


async def _asked(db: Database, tenant: int) -> list[int]:
    async with db.transaction() as session:
        asked = await intro_repo.claim_follow_ups(
            session, tenant_id=tenant, since=AT - timedelta(days=1), now=AT + timedelta(days=1)
        )
    return sorted(i.number for i in asked)


async def test_a_post_queued_before_the_upgrade_then_refused_leaves_it_undelivered(empty_db):
    db = empty_db
    tenant = await _mid_delivery(db)
    slack = _Slack(refuse=True)
    await _sent_later(db, slack)
    assert slack.posted == []
    assert await _run(db, "SELECT count(*) FROM schedule_send WHERE status = 'failed'") == 1
    assert await _delivered(db) == [2]
    assert await _asked(db, tenant) == [2], "nobody is asked about #1: its only post was refused"


async def test_a_post_queued_before_the_upgrade_then_sent_marks_it_delivered(empty_db):
    db = empty_db
    tenant = await _mid_delivery(db)
    slack = _Slack(refuse=False)
    sent_at = await _sent_later(db, slack)
    assert [t.split(":")[0] for t in slack.posted] == ["Introduction #1"]
    assert await _delivered(db) == [1, 2]
    at = await _run(db, "SELECT delivered_at FROM introduction WHERE number = 1")
    assert at is not None and str(at)[:16] == sent_at.strftime("%Y-%m-%d %H:%M")
    assert await _asked(db, tenant) == [1, 2]


async def test_of_a_round_whose_posts_are_on_record_only_those_posted_are_delivered(empty_db):
    """#1's channel post went out (its ``intro_post`` is the record), #2's was refused: every
    sent post of the round is #1's, so #2 reached nobody."""
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'intros', 1, 2, '10:00', 'UTC', :at, :at)",
        t=tenant,
        at=AT,
    )
    await _round(db, tenant, "2026-W46", 1, "sent", "failed")
    first = await _run(db, "SELECT id FROM introduction WHERE number = 1")
    round_id = await _run(db, "SELECT round_id FROM introduction WHERE number = 1")
    await _insert(
        db,
        "INSERT INTO introduction (tenant_id, number, round_id, created_at, topics,"
        " answers_question) VALUES (:t, 2, :r, :at, 'kafka', false)",
        t=tenant,
        r=round_id,
        at=AT,
    )
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE schedule_send SET message_id = 'M1' WHERE status = 'sent'"))
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people, attempts)"
        " VALUES (:i, 'C1', 'M1', 2, 0)",
        i=first,
    )
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1]
    assert await _asked(db, tenant) == [1], "nobody is asked about #2: nobody got it"
