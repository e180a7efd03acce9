"""Migration 0019 (schedule numbers per workspace) against data, on both engines, and two
replicas numbering at once.

Existing prompts and digests keep their id as their number, so what was already posted (the
"Write my update" button's ``/narrate reply <id>``, an open form) or noted by people still means
the same schedule, and only in its own workspace; new schedules carry on from the workspace's
own highest number, and a new workspace starts at #1."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import (
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    FormSubmitted,
    Platform,
    TenantRef,
    UserRef,
)
from narrate_bot.storage import repositories as repo
from narrate_bot.storage import schedules as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from narrate_bot.storage.schedule_tables import Schedule
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0018_topic_keys_fold_accents"
ACME = TenantRef(platform=Platform.SLACK, tenant_id="T-acme", name="T-acme")
GLOBEX = TenantRef(platform=Platform.SLACK, tenant_id="T-globex", name="T-globex")
INITECH = TenantRef(platform=Platform.SLACK, tenant_id="T-initech", name="T-initech")
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)
_events = itertools.count()


async def _schedules_at_0018(db: Database) -> dict[str, int]:
    """Two workspaces whose schedules interleave, as the global ids counted them: acme's
    prompts, globex's introductions job, prompt, digest, and a removed #random prompt that was
    posted (its button is still in the channel)."""
    await at_revision(db, BEFORE)
    at = START.astimezone(UTC)
    tenant = (
        "INSERT INTO tenant (platform, external_id, name, created_at) VALUES ('slack', :e, :e, :at)"
    )
    channel = (
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
        " VALUES (:t, :c, :n, 'public', false)"
    )
    schedule = (
        "INSERT INTO schedule (tenant_id, kind, channel_pk, days, local_time, timezone,"
        " next_fire_at, created_at, removed_at) VALUES (:t, :k, :c, 127, '16:30', 'UTC', :at,"
        " :at, :removed)"
    )
    ids = {
        "acme": await _insert(db, tenant, e=ACME.tenant_id, at=at),
        "globex": await _insert(db, tenant, e=GLOBEX.tenant_id, at=at),
    }
    ids["acme general"] = await _insert(db, channel, t=ids["acme"], c="C1", n="general")
    ids["globex general"] = await _insert(db, channel, t=ids["globex"], c="C1", n="general")
    ids["globex random"] = await _insert(db, channel, t=ids["globex"], c="C2", n="random")
    for name, owner, kind, where, removed in (
        ("acme 1", "acme", "prompt", "acme general", None),
        ("globex intros", "globex", "intros", None, None),
        ("globex prompt", "globex", "prompt", "globex general", None),
        ("acme 2", "acme", "prompt", "acme general", None),
        ("globex digest", "globex", "digest", "globex general", None),
        ("globex removed", "globex", "prompt", "globex random", at),
    ):
        ids[name] = await _insert(
            db,
            schedule,
            t=ids[owner],
            k=kind,
            c=ids[where] if where else None,
            at=at,
            removed=removed,
        )
    await _insert(
        db,
        "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
        " attempts, claimed_at, message_id) VALUES (:s, :t, '2026-11-23', 'main', 'sent',"
        " :at, 0, :at, 'm-random')",
        s=ids["globex removed"],
        t=ids["globex"],
        at=at,
    )
    return ids


async def _numbers(db: Database) -> dict[int, int | None]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, number FROM schedule"))
        return {row.id: row.number for row in rows}


def _bot(db: Database) -> Bot:
    return Bot(db=db, clock=ManualClock(START), settings=Settings())


async def _say(bot: Bot, tenant: TenantRef, line: str) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"m19-{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id="U1", display_name="U1", is_admin=True),
            channel=GENERAL,
            occurred_at=START,
            command="narrate",
            text=line,
        )
    )
    return "\n".join(r.text + (" [form]" if r.form else "") for r in replies)


async def _form(bot: Bot, tenant: TenantRef, form: str, line: str) -> str:
    replies = await bot.handle(
        FormSubmitted(
            event_id=f"m19-{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id="U1", display_name="U1"),
            channel=GENERAL,
            occurred_at=START,
            form=form,
            fields={"text": line},
        )
    )
    return "\n".join(r.text for r in replies)


async def test_upgrading_keeps_every_posted_id_meaning_its_own_schedule_in_its_workspace(
    empty_db,
):
    db = empty_db
    ids = await _schedules_at_0018(db)
    await upgrade(db)
    await check(db)
    numbered = ("acme 1", "acme 2", "globex prompt", "globex digest", "globex removed")
    assert await _numbers(db) == {ids[n]: ids[n] for n in numbered} | {ids["globex intros"]: None}

    bot = _bot(db)
    prompt, removed = ids["globex prompt"], ids["globex removed"]
    # The button under globex's prompt, posted before the upgrade, still opens its form...
    assert "[form]" in await _say(bot, GLOBEX, f"reply {prompt}")
    noted = await _form(bot, GLOBEX, f"prompt-reply:{prompt}", "globex ledger importer")
    assert "readable by whoever reads #general" in noted
    # ... and the removed #random prompt's button still answers it, in #random.
    noted = await _form(bot, GLOBEX, f"prompt-reply:{removed}", "random importer notes")
    assert "readable by whoever reads #random" in noted
    # The same number typed in acme is never globex's prompt.
    assert f"There's no prompt #{prompt}" in await _say(bot, ACME, f"reply {prompt}")
    assert f"There's no schedule #{removed}" in await _say(bot, ACME, f"schedule remove {removed}")
    listed = await _say(bot, GLOBEX, "schedule list")
    assert f"#{prompt}  #general  prompt" in listed
    assert f"#{ids['globex digest']}  #general  weekly digest" in listed

    # New schedules carry on from their own workspace's highest number, never another's.
    out = await _say(bot, GLOBEX, "schedule #general daily 09:00 UTC")
    assert f"Scheduled #{removed + 1}:" in out
    out = await _say(bot, ACME, "schedule #general daily 09:00 UTC")
    assert f"Scheduled #{ids['acme 2'] + 1}:" in out
    assert "Scheduled #1:" in await _say(bot, INITECH, "schedule #general daily 09:00 UTC")

    before = await _numbers(db)
    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        kept = await conn.execute(text("SELECT COUNT(*) FROM schedule"))
        assert kept.scalar_one() == len(before)
        sends = await conn.execute(text("SELECT COUNT(*) FROM schedule_send"))
        assert sends.scalar_one() == 1
    await upgrade(db)
    await check(db)
    again = await _numbers(db)
    assert {i: again[i] for i in ids.values() if i in again} == {
        i: before[i] for i in ids.values() if i in before
    }
    assert "[form]" in await _say(_bot(db), GLOBEX, f"reply {prompt}")


async def _add_prompt(db: Database, tenant_id: int, channel_pk: int, at: str) -> int:
    async with db.transaction() as session:
        row = await store.add_schedule(session, _prompt(tenant_id, channel_pk, at))
        assert row.number is not None
        return row.number


def _prompt(tenant_id: int, channel_pk: int, at: str) -> Schedule:
    now = datetime(2026, 11, 23, 8, tzinfo=UTC)
    return Schedule(
        tenant_id=tenant_id,
        kind="prompt",
        channel_pk=channel_pk,
        days=31,
        local_time=at,
        timezone="UTC",
        next_fire_at=now,
        created_at=now,
    )


async def test_two_replicas_adding_a_schedule_at_once_get_two_numbers(db):
    """The second reads the same highest number while the first hasn't committed: on
    PostgreSQL its insert waits on the unique index, is refused once the first commits, and
    takes the next number in a fresh savepoint; SQLite makes it wait for the first at once."""
    other = Database(db.url)
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="slack", external_id="T-race", name="race", now=START
        )
        assert tenant.id is not None
        channel = await repo.ensure_channel(
            session, tenant_id=tenant.id, channel_id="C1", name="general", kind="public"
        )
        assert channel.id is not None
        tenant_id, channel_pk = tenant.id, channel.id
    try:
        async with db.transaction() as session:
            first = await store.add_schedule(session, _prompt(tenant_id, channel_pk, "09:00"))
            first_number = first.number
            racing = asyncio.create_task(_add_prompt(other, tenant_id, channel_pk, "10:00"))
            await asyncio.sleep(0.5)
            assert not racing.done()  # waiting for the first to commit
        second_number = await racing
    finally:
        await other.dispose()
    assert (first_number, second_number) == (1, 2)
