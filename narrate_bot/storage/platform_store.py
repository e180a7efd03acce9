"""Platform plumbing kept in our database: app installations (tokens) and events already seen.

Neutral on purpose: a Slack workspace install and a future Discord app install are both "a bot
token for a tenant", and every platform that re-delivers events needs the same dedupe. The
adapter owns what the columns mean for its platform; the core never reads these tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import Database, conflict_insert

INSTALLATION_KEY = ("platform", "enterprise_id", "team_id")
# How often a claim tries its insert when the row it skipped is gone by the read (given back).
CLAIM_ROUNDS = 3


class Installation(SQLModel, table=True):
    """One bot install: a workspace, or an Enterprise Grid org (``team_id`` empty).

    Keyed by (platform, enterprise_id, team_id) with ``""`` for "none", so an org-wide install and
    the installs of its workspaces never collide. Tokens are stored as the platform gave them.
    """

    __tablename__ = "installation"
    __table_args__ = (UniqueConstraint(*INSTALLATION_KEY, name="uq_installation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    platform: str = Field(max_length=16)
    enterprise_id: str = Field(default="", max_length=64)
    team_id: str = Field(default="", max_length=64)
    is_enterprise_install: bool = False
    app_id: str = Field(default="", max_length=64)
    bot_id: str = Field(default="", max_length=64)
    bot_user_id: str = Field(default="", max_length=64)
    bot_scopes: str = Field(default="", max_length=1000)
    bot_token: str = Field(sa_column=Column(Text, nullable=False))
    bot_refresh_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bot_token_expires_at: datetime | None = None
    installer_user_id: str = Field(default="", max_length=64)
    team_name: str = Field(default="", max_length=200)
    enterprise_name: str = Field(default="", max_length=200)
    installed_at: datetime
    updated_at: datetime


class SeenEvent(SQLModel, table=True):
    """An inbound event id claimed for processing; the primary key is the dedupe.

    ``done`` is set once the event's effects are committed. A claim that is not done and older than
    the lease belongs to a worker that died after acking, so the platform's retry may take it over.
    """

    __tablename__ = "seen_event"
    __table_args__ = (Index("ix_seen_event_claimed", "claimed_at"),)

    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    )
    event_id: str = Field(sa_column=Column(String(128), primary_key=True))
    claimed_at: datetime
    done: bool = False


def lost_a_race(error: BaseException) -> bool:
    """A unique key another transaction inserted first (two first-time rows at once).

    The losing transaction rolled back whole, so running the same work again is safe.
    """
    return isinstance(error, IntegrityError)


# ----------------------------------------------------------------------------------- installations


async def find_installation(
    session: AsyncSession,
    *,
    platform: str,
    enterprise_id: str,
    team_id: str,
    for_update: bool = False,
) -> Installation | None:
    """The workspace's own install, else its Grid org's org-wide install."""
    for key_team in (team_id, "") if enterprise_id else (team_id,):
        query = select(Installation).where(
            Installation.platform == platform,
            Installation.enterprise_id == enterprise_id,
            Installation.team_id == key_team,
        )
        if for_update:
            query = query.with_for_update()
        found = (await session.exec(query)).first()
        if found is not None:
            return found
    return None


async def save_installation(session: AsyncSession, *, row: Installation) -> Installation:
    """Insert the install, or replace the one with the same key (a re-install refreshes tokens).

    One ``INSERT … ON CONFLICT DO UPDATE`` on the key: two replicas finishing the same OAuth at
    once both succeed (a read-then-insert let both insert, and one failed on the unique key).
    Every column is written, so the later writer's whole token set wins: the ORM's update of
    only the columns that differed from what it read could keep one replica's token beside the
    other's expiry or scopes. The first ``installed_at`` is kept.
    """
    values = row.model_dump(exclude={"id"})
    statement = conflict_insert(session, Installation).values(**values)
    keep = {*INSTALLATION_KEY, "installed_at"}
    upsert = statement.on_conflict_do_update(
        index_elements=list(INSTALLATION_KEY),
        set_={name: statement.excluded[name] for name in values if name not in keep},
    ).returning(Installation)
    # Refreshes a copy this session already holds, which the statement updated behind its back.
    result = await session.exec(upsert, execution_options={"populate_existing": True})
    saved: Installation = result.scalars().one()
    return saved


async def delete_installations(
    session: AsyncSession, *, platform: str, enterprise_id: str, team_id: str
) -> int:
    result = await session.exec(
        delete(Installation).where(
            col(Installation.platform) == platform,
            col(Installation.enterprise_id) == enterprise_id,
            col(Installation.team_id) == team_id,
        )
    )
    return int(result.rowcount or 0)


# ----------------------------------------------------------------------------------- event dedupe


async def claim_event(
    db: Database, *, tenant_id: int, event_id: str, now: datetime, lease: timedelta
) -> bool:
    """Claim ``event_id`` for processing; ``False`` when it is done or someone live holds it.

    Two deliveries racing on different replicas meet at the primary key (``ON CONFLICT DO
    NOTHING``: PostgreSQL waits for the other insert to commit or roll back); a stale, unfinished
    claim is taken over with a compare-and-swap on its time. One transaction either way: a
    retry used to fail an insert and then read in a second one, each taking SQLite's write lock
    (and leaving a duplicate-key error in PostgreSQL's log).

    On PostgreSQL (read committed) the row the insert skipped can be gone by the read: its owner
    gave the claim back (the work failed). Nobody holds the event then, so the insert is tried
    again, in the same transaction (each statement sees what is committed by its start); taking
    that for "handled" lost the event. SQLite's ``BEGIN IMMEDIATE`` lets nobody in between.
    """
    async with db.transaction() as session:
        row: SeenEvent | None = None
        for _ in range(CLAIM_ROUNDS):
            inserted = await session.exec(
                conflict_insert(session, SeenEvent)
                .values(tenant_id=tenant_id, event_id=event_id, claimed_at=now, done=False)
                .on_conflict_do_nothing(index_elements=["tenant_id", "event_id"])
                .returning(col(SeenEvent.event_id))  # psycopg's rowcount here is -1
            )
            if inserted.first() is not None:
                return True
            row = await session.get(SeenEvent, (tenant_id, event_id))
            if row is not None:
                break
        if row is None or row.done or row.claimed_at > now - lease:
            return False
        result = await session.exec(
            update(SeenEvent)
            .where(
                col(SeenEvent.tenant_id) == tenant_id,
                col(SeenEvent.event_id) == event_id,
                col(SeenEvent.claimed_at) == row.claimed_at,
                col(SeenEvent.done).is_(False),
            )
            .values(claimed_at=now)
        )
        return bool(result.rowcount)


async def renew_event(
    db: Database, *, tenant_id: int, event_id: str, owner: datetime, now: datetime
) -> bool:
    """Extend a claim whose work is still running; ``False`` when it is no longer ``owner``'s.

    ``owner`` is the ``claimed_at`` this worker last wrote: every claim, takeover and renewal
    writes a new time (a takeover one at least a lease later), so it is an owner token without
    a column of its own. A worker that lost its claim (stalled past the lease) must not
    overwrite the time of the one that took it over, or a third could take it from both.
    """
    async with db.transaction() as session:
        result = await session.exec(
            update(SeenEvent)
            .where(
                col(SeenEvent.tenant_id) == tenant_id,
                col(SeenEvent.event_id) == event_id,
                col(SeenEvent.claimed_at) == owner,
                col(SeenEvent.done).is_(False),
            )
            .values(claimed_at=now)
        )
        return bool(result.rowcount)


async def finish_event(db: Database, *, tenant_id: int, event_id: str) -> None:
    """Mark the event done whoever holds its claim now: its effects are committed, so any later
    retry must be ignored, even when another worker took the claim over meanwhile."""
    async with db.transaction() as session:
        await session.exec(
            update(SeenEvent)
            .where(col(SeenEvent.tenant_id) == tenant_id, col(SeenEvent.event_id) == event_id)
            .values(done=True)
        )


async def release_event(db: Database, *, tenant_id: int, event_id: str, owner: datetime) -> None:
    """Give the claim back after a failure so the platform's next retry is processed.

    Only while it is still ``owner``'s (see ``renew_event``): deleting a claim another worker
    took over would let a third delivery run the same event beside it.
    """
    async with db.transaction() as session:
        await session.exec(
            delete(SeenEvent).where(
                col(SeenEvent.tenant_id) == tenant_id,
                col(SeenEvent.event_id) == event_id,
                col(SeenEvent.claimed_at) == owner,
                col(SeenEvent.done).is_(False),
            )
        )


async def purge_seen_events(db: Database, *, before: datetime) -> int:
    async with db.transaction() as session:
        result = await session.exec(delete(SeenEvent).where(col(SeenEvent.claimed_at) < before))
        return int(result.rowcount or 0)
