"""Data access: keyword-only functions over a session, one transaction per caller.

Features call these and never write SQL. Visibility ("who may read this narration?") is decided
here, in one query shape used by every platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.clean_text import clean_text
from ..knowledge.topics import shown_topic
from ..knowledge.words import index_text
from .database import conflict_insert
from .erasure_key import CHECK_KEY, mismatch, session_key
from .erasure_key_tables import THE_ROW, ErasureKeyCheck
from .old_writes import INDEX_RULES
from .tables import (
    Channel,
    ChannelMember,
    Narration,
    NarrationTopic,
    Person,
    Tenant,
    TenantSetting,
)
from .topic_filter import taken_as_written

Row = TypeVar("Row", Tenant, Person, Channel)


class PersonErased(Exception):
    """The person's row went while this transaction waited to hold it: a forget-me on another
    replica got there first. Raised, not returned, so the caller's transaction rolls back whole
    and nothing of what it had written for them is kept."""


async def _insert_unless_raced(
    session: AsyncSession, row: Row, find: Callable[[], Awaitable[Row | None]]
) -> Row:
    """Insert ``row``; if a concurrent transaction inserted the same key first, return theirs.

    Two events from a new workspace can arrive at once (a mention and a slash command); on
    PostgreSQL both see "absent" and the second insert hits the unique constraint. The insert runs
    in a savepoint so losing the race costs only that statement, not the caller's transaction.
    (SQLite's ``BEGIN IMMEDIATE`` already serializes writers, so it never gets here.)
    """
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
        return row
    except IntegrityError:
        found = await find()
        if found is None:
            raise
        return found


# ---------------------------------------------------------------------------------------- tenants


async def find_tenant(session: AsyncSession, *, platform: str, external_id: str) -> Tenant | None:
    return (
        await session.exec(
            select(Tenant).where(Tenant.platform == platform, Tenant.external_id == external_id)
        )
    ).first()


async def current_tenant(
    session: AsyncSession, *, platform: str, external_id: str, name: str
) -> Tenant | None:
    """The workspace's row when ``ensure_tenant`` would write nothing; ``None`` when it would
    (a workspace seen for the first time, or renamed). For commands that only read: they read
    in a snapshot, without SQLite's write lock, unless something must be written first."""
    found = await find_tenant(session, platform=platform, external_id=external_id)
    if found is None or (name and found.name != name):
        return None
    return found


async def ensure_tenant(
    session: AsyncSession, *, platform: str, external_id: str, name: str, now: datetime
) -> Tenant:
    async def find() -> Tenant | None:
        return await find_tenant(session, platform=platform, external_id=external_id)

    found = await find()
    if found is not None:
        if name and found.name != name:
            found.name = name
            session.add(found)
        return found
    tenant = Tenant(platform=platform, external_id=external_id, name=name, created_at=now)
    return await _insert_unless_raced(session, tenant, find)


async def get_setting(session: AsyncSession, *, tenant_id: int, key: str) -> str | None:
    # The column, not the row object: ``set_setting`` writes with plain statements, which a row
    # kept in the session's identity map would not see.
    return (
        await session.exec(
            select(TenantSetting.value).where(
                TenantSetting.tenant_id == tenant_id, TenantSetting.key == key
            )
        )
    ).first()


async def set_setting(
    session: AsyncSession, *, tenant_id: int, key: str, value: str | None, now: datetime
) -> None:
    """Store a workspace-wide choice; ``None`` removes it (back to the default).

    One upsert on the (tenant, key) primary key: two admins choosing at once on two replicas
    both write, the later one wins, and neither gets a duplicate-key error.
    """
    where = (col(TenantSetting.tenant_id) == tenant_id, col(TenantSetting.key) == key)
    if value is None:
        await session.exec(delete(TenantSetting).where(*where))
        return
    insert = conflict_insert(session, TenantSetting).values(
        tenant_id=tenant_id, key=key, value=value, updated_at=now
    )
    await session.exec(
        insert.on_conflict_do_update(
            index_elements=[col(TenantSetting.tenant_id), col(TenantSetting.key)],
            set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
        )
    )


# ----------------------------------------------------------------------------------------- people


async def find_person(session: AsyncSession, *, tenant_id: int, user_id: str) -> Person | None:
    return (
        await session.exec(
            select(Person).where(Person.tenant_id == tenant_id, Person.user_id == user_id)
        )
    ).first()


async def ensure_person(
    session: AsyncSession,
    *,
    tenant_id: int,
    user_id: str,
    display_name: str,
    now: datetime,
    guest: bool | None = None,
    departed: bool | None = None,
) -> Person:
    """The person, created on first sight; the name, ``guest`` and ``departed`` follow what the
    platform says (the flags only when it said something: ``None`` leaves them as stored)."""
    # A name is shown beside evidence in answers: nothing in it may turn that line around.
    display_name = clean_text(display_name)[:200]
    person = await find_person(session, tenant_id=tenant_id, user_id=user_id)
    if person is None:
        created = Person(
            tenant_id=tenant_id,
            user_id=user_id,
            display_name=display_name,
            created_at=now,
            guest=bool(guest),
            departed_at=now if departed else None,
        )
        return await _insert_unless_raced(
            session, created, lambda: find_person(session, tenant_id=tenant_id, user_id=user_id)
        )
    changed = False
    if display_name and person.display_name != display_name:
        person.display_name, changed = display_name, True
    if guest is not None and person.guest != guest:
        person.guest, changed = guest, True
    if departed is not None and (person.departed_at is not None) != departed:
        person.departed_at, changed = (now if departed else None), True
    if changed:
        session.add(person)
    return person


async def hold_person(session: AsyncSession, *, person_id: int) -> bool:
    """Hold the person's row until the transaction ends; ``False`` when it is gone.

    What is written for someone (a narration, the channel membership that comes with it) is
    written after this, and a forget-me takes the same row first (``privacy.erase_person``), so
    on PostgreSQL the two run one after the other: the erasure sees, and deletes, everything the
    narration stored, or the narration finds the row gone. A person's reminders are read, then
    replaced or moved, under the same hold: two replicas doing that at once (a double-submitted
    ``remind``, a zone change) both kept theirs before. The row is reloaded, since its zone may
    have changed while we waited. ``FOR NO KEY UPDATE`` is the lock the short-id counter's update
    takes anyway. SQLite's writers are already serialized (ADR 0003); there it is a plain read.
    """
    held = await session.exec(
        select(Person)
        .where(col(Person.id) == person_id)
        .with_for_update(key_share=True)
        # What another transaction committed while we waited, not what this session read before.
        .execution_options(populate_existing=True)
    )
    return held.first() is not None


async def hold_tenant(session: AsyncSession, *, tenant_id: int) -> None:
    """Hold the workspace's row until the transaction ends, before a read-then-write of its
    settings: two replicas reading "no intros slot yet" (or the workspace's zone) and each
    writing what they read would leave one of them acting on stale data; held first, the
    second waits and reads what the first wrote. SQLite ignores the clause (ADR 0003)."""
    await session.exec(select(col(Tenant.id)).where(col(Tenant.id) == tenant_id).with_for_update())


def suggestable(now: datetime) -> ColumnElement[bool]:
    """Enrolled, not paused, not gone: the people answers may suggest and the weekly
    introductions may pair. One rule, so no feature can suggest someone another would not."""
    return and_(
        col(Person.consent) == "joined",
        or_(col(Person.paused_until).is_(None), col(Person.paused_until) <= now),
        col(Person.departed_at).is_(None),
    )


async def suggestable_ids(
    session: AsyncSession, *, ids: Iterable[int], now: datetime
) -> frozenset[int]:
    """Which of the people ``ids`` answers may suggest at ``now`` (``suggestable``)."""
    wanted = list(set(ids))
    if not wanted:
        return frozenset()
    rows = await session.exec(
        select(col(Person.id)).where(col(Person.id).in_(wanted), suggestable(now))
    )
    return frozenset(i for i in rows.all() if i is not None)


async def people_by_id(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Person]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
    return {p.id: p for p in rows if p.id is not None}


async def narrations_by_id(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Narration]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Narration).where(col(Narration.id).in_(wanted)))
    return {n.id: n for n in rows if n.id is not None}


# --------------------------------------------------------------------------------------- channels


async def find_channel(session: AsyncSession, *, tenant_id: int, channel_id: str) -> Channel | None:
    """The stored channel, or ``None`` on first sight; reads only."""
    return (
        await session.exec(
            select(Channel).where(Channel.tenant_id == tenant_id, Channel.channel_id == channel_id)
        )
    ).first()


async def ensure_channel(
    session: AsyncSession,
    *,
    tenant_id: int,
    channel_id: str,
    name: str,
    kind: str,
    update_kind: bool = True,
    shared: bool | None = None,
) -> Channel:
    """The stored channel, created on first sight; kind, name and ``shared`` follow what the
    platform says (``shared`` only when it said something: ``None`` leaves it as stored)."""

    async def find() -> Channel | None:
        return await find_channel(session, tenant_id=tenant_id, channel_id=channel_id)

    channel = await find()
    if channel is None:
        created = Channel(
            tenant_id=tenant_id, channel_id=channel_id, name=name, kind=kind, shared=bool(shared)
        )
        return await _insert_unless_raced(session, created, find)
    changes = _channel_changes(
        channel, name=name, kind=kind if update_kind else None, shared=shared
    )
    if changes:
        for field, value in changes.items():
            setattr(channel, field, value)
        session.add(channel)
    return channel


def _channel_changes(
    channel: Channel, *, name: str, kind: str | None, shared: bool | None
) -> dict[str, object]:
    """What the platform says about a stored channel that differs from what is stored (an empty
    name, or a ``None`` kind or ``shared``, says nothing)."""
    changes: dict[str, object] = {}
    if name and channel.name != name:
        changes["name"] = name
    if kind is not None and channel.kind != kind:
        changes["kind"] = kind
    if shared is not None and channel.shared != shared:
        changes["shared"] = shared
    return changes


async def current_channel(
    session: AsyncSession,
    *,
    tenant_id: int,
    channel_id: str,
    name: str,
    kind: str,
    shared: bool | None,
) -> Channel | None:
    """The channel's row when ``ensure_channel`` would write nothing; ``None`` when it would
    (first sight, or a new name, kind or sharing), like ``current_tenant``."""
    channel = await find_channel(session, tenant_id=tenant_id, channel_id=channel_id)
    if channel is None or _channel_changes(channel, name=name, kind=kind, shared=shared):
        return None
    return channel


async def private_places_of(
    session: AsyncSession, *, platform: str, external_id: str, user_id: str
) -> set[str]:
    """The platform ids of a tenant's private channels that ``user_id`` is recorded as reading:
    what an adapter compares with what the platform says they may view now."""
    rows = await session.exec(
        select(Channel.channel_id)
        .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .where(
            Tenant.platform == platform,
            Tenant.external_id == external_id,
            col(Channel.kind) == "private",
            ChannelMember.user_id == user_id,
        )
    )
    return set(rows.all())


async def set_members(session: AsyncSession, *, channel_pk: int, user_ids: Sequence[str]) -> None:
    """Make the channel's stored readers the platform's list, touching only the difference.

    Slack describes a private channel before every command there, so two people's commands on
    two replicas describe it at once: each removes only who left and adds who is new, ignoring
    a row the other has just added (deleting everyone and inserting them again made the second
    transaction's inserts collide with the first's, and its command fail).
    """
    wanted = set(user_ids)
    await hold_readers(session, channel_pk=channel_pk)
    stored = await members_of(session, channel_pk=channel_pk)
    # Whoever was forgotten is left out, though the platform lists them (Slack's re-read of a
    # private channel before a command there, a channel found back in, Discord's readers by
    # role): after a forget-me nothing of them is stored until they use the bot again
    # (``came_back``), as a command of theirs writes its own membership. A stored row of theirs
    # goes too: one an older version wrote, reading no keyed mark, during a rolling deploy. The
    # workspace's erasure mark is held (``hold_readers``, above): a row written while their
    # forget-me commits on another replica is committed before the erasure deletes it, or this
    # waited for the erasure and reads its mark.
    wanted -= await forgotten_among(session, channel_pk=channel_pk, user_ids=wanted)
    if gone := stored - wanted:
        await session.exec(
            delete(ChannelMember).where(
                col(ChannelMember.channel_pk) == channel_pk,
                col(ChannelMember.user_id).in_(sorted(gone)),
            )
        )
    await _add_members(session, channel_pk=channel_pk, user_ids=wanted - stored)


async def members_of(session: AsyncSession, *, channel_pk: int) -> set[str]:
    """The channel's stored readers (user ids)."""
    rows = await session.exec(
        select(ChannelMember.user_id).where(ChannelMember.channel_pk == channel_pk)
    )
    return set(rows.all())


async def add_member(session: AsyncSession, *, channel_pk: int, user_id: str) -> None:
    await _add_members(session, channel_pk=channel_pk, user_ids={user_id})


async def _add_members(session: AsyncSession, *, channel_pk: int, user_ids: set[str]) -> None:
    """Insert the memberships not stored yet; one another transaction is adding is skipped.
    In sorted order, so two transactions adding the same people wait on each other in the same
    order instead of deadlocking."""
    if user_ids:
        await session.exec(
            conflict_insert(session, ChannelMember).on_conflict_do_nothing(),
            params=[{"channel_pk": channel_pk, "user_id": u} for u in sorted(user_ids)],
        )


# ----------------------------------------------------------------------------- forgotten people

# A forget-me leaves one mark per user id in its workspace's settings: an HMAC of the id keyed
# with the server's erasure key (``erasure_key``), so the database alone, even beside a member
# list, can't tell who asked; the keys fit the column (64 characters). Marks written before the
# key, a plain digest (``unkeyed_forgotten_key``), are still read, never written.
FORGOTTEN_KEY = "privacy.forgotten:"
# A workspace setting every forget-me changes to a new random value (never who, only that one
# happened): what a command writes under a user id alone, with no person row to hold, is written
# only if it hasn't changed since the command began (``privacy.erasure_mark``,
# ``privacy.hold_user_id``); what changes a channel's readers holds it (``hold_readers``).
ERASURE_MARK_KEY = "privacy.erasure_mark"
NO_ERASURE_YET = ""


def forgotten_key(session: AsyncSession, *, tenant_id: int, user_id: str) -> str:
    """The setting that says ``user_id`` asked to be forgotten in the workspace."""
    return FORGOTTEN_KEY + session_key(session).mac(f"{tenant_id}:{user_id}")[:40]


def unkeyed_forgotten_key(tenant_id: int, user_id: str) -> str:
    """The mark a forget-me left before marks were keyed: a digest anyone can recompute. It
    can't be re-keyed (a digest names nobody), so it is read beside the keyed one until the
    person comes back (``came_back``) or is forgotten again (``mark_forgotten``)."""
    digest = hashlib.sha256(f"{tenant_id}:{user_id}".encode()).hexdigest()[:40]
    return FORGOTTEN_KEY + digest


def _both_keys(session: AsyncSession, *, tenant_id: int, user_id: str) -> tuple[str, str]:
    return (
        forgotten_key(session, tenant_id=tenant_id, user_id=user_id),
        unkeyed_forgotten_key(tenant_id, user_id),
    )


def user_lock_key(tenant_id: int, user_id: str) -> int:
    """The advisory lock's key for a user id of a workspace (``privacy.hold_user_id``)."""
    digest = hashlib.sha256(f"{tenant_id}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def mark_forgotten(
    session: AsyncSession, *, tenant_id: int, user_id: str, now: datetime
) -> None:
    """Remember, by a keyed digest alone, that ``user_id`` was forgotten: the platform may go on
    listing them among a channel's readers (``set_members``), and that is not stored until
    they come back (``came_back``)."""
    # In UTC: ``came_back`` compares it with an event's time, and SQLite keeps a timestamp's
    # wall-clock digits alone.
    now = now.astimezone(UTC)
    await hold_check_value(session)
    key, unkeyed = _both_keys(session, tenant_id=tenant_id, user_id=user_id)
    await set_setting(session, tenant_id=tenant_id, key=key, value="1", now=now)
    await set_setting(session, tenant_id=tenant_id, key=unkeyed, value=None, now=now)


async def hold_check_value(session: AsyncSession) -> None:
    """Before a mark is written: note the key's check value when the database has none yet
    (``ErasureKeyCheck``), and refuse a key the earlier marks weren't written with: a replica
    started with another key would write marks nobody else recognises."""
    key = session_key(session)
    await session.exec(
        conflict_insert(session, ErasureKeyCheck)
        .values(id=THE_ROW, value=key.check_value)
        .on_conflict_do_nothing()
    )
    noted = await session.exec(
        select(ErasureKeyCheck.value).where(col(ErasureKeyCheck.id) == THE_ROW)
    )
    if noted.first() != key.check_value:
        raise mismatch(key)


async def check_erasure_key(session: AsyncSession) -> None:
    """At startup, in a transaction: note the key's check value when the database has none yet,
    so a replica started later with another key is refused at its own start (even before any
    workspace holds a mark), and refuse a key other than the one the marks were written with
    (the database's value, and each workspace's from before it had one). SQLite's key file is
    made here alone, and only when the database has no check value yet, which this then
    records: one missing while the marks need it is refused as a wrong key, leaving no new file
    to overwrite when the right one is restored. Nothing else makes one (``ErasureKey``)."""
    key = session_key(session)
    if key.unmade:
        noted = await session.exec(
            select(ErasureKeyCheck.value).where(col(ErasureKeyCheck.id) == THE_ROW)
        )
        legacy = await session.exec(
            select(TenantSetting.value).where(col(TenantSetting.key) == CHECK_KEY).limit(1)
        )
        if noted.first() is not None or legacy.first() is not None:
            raise mismatch(key)
        key.make_file()
    await hold_check_value(session)
    found = await session.exec(
        select(TenantSetting.value).where(col(TenantSetting.key) == CHECK_KEY).distinct()
    )
    if any(value != key.check_value for value in found.all()):
        raise mismatch(key)


async def came_back(
    session: AsyncSession, *, tenant_id: int, user_id: str, since: datetime | None = None
) -> bool:
    """Someone forgotten uses the bot again: a fresh start, as for anyone's first command, and
    what the platform says of them is stored again from here on. ``True`` when they were
    marked (back after a forget-me), ``False`` when no mark was cleared.

    ``since``: when the event that brings them back was sent (a Slack message's ``ts``, a
    Discord interaction's snowflake; a slash command's receipt). Only a mark set at or before
    it is cleared: a message sent before their forget-me and delivered after it (Slack's retry
    of an event never acked, a slower replica) leaves them forgotten (``is_forgotten`` still
    says so), or what came before would undo the forget-me they confirmed later."""
    conditions = [
        col(TenantSetting.tenant_id) == tenant_id,
        col(TenantSetting.key).in_(_both_keys(session, tenant_id=tenant_id, user_id=user_id)),
    ]
    if since is not None:
        conditions.append(col(TenantSetting.updated_at) <= since.astimezone(UTC))
    cleared = await session.exec(delete(TenantSetting).where(*conditions))
    return bool(cleared.rowcount)


async def is_forgotten(session: AsyncSession, *, tenant_id: int, user_id: str) -> bool:
    """Whether ``user_id`` is marked forgotten in the workspace (``mark_forgotten``)."""
    keys = _both_keys(session, tenant_id=tenant_id, user_id=user_id)
    found = await session.exec(
        select(TenantSetting.key).where(
            col(TenantSetting.tenant_id) == tenant_id, col(TenantSetting.key).in_(keys)
        )
    )
    return found.first() is not None


async def forgotten_among(
    session: AsyncSession, *, channel_pk: int, user_ids: Iterable[str]
) -> set[str]:
    """Which of ``user_ids`` were forgotten in the channel's workspace (``mark_forgotten``)."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    tenant_id = (
        await session.exec(select(Channel.tenant_id).where(col(Channel.id) == channel_pk))
    ).first()
    if tenant_id is None:
        return set()
    # The workspace's marks read once (as many as people ever forgotten there, none in most) and
    # matched here: a channel of thousands of readers is listed before each command in it.
    marks = set(
        (
            await session.exec(
                select(TenantSetting.key).where(
                    TenantSetting.tenant_id == tenant_id,
                    col(TenantSetting.key).startswith(FORGOTTEN_KEY, autoescape=True),
                )
            )
        ).all()
    )
    if not marks:
        return set()
    return {
        u
        for u in wanted
        if any(k in marks for k in _both_keys(session, tenant_id=tenant_id, user_id=u))
    }


async def hold_readers(session: AsyncSession, *, channel_pk: int) -> None:
    """Hold the channel's workspace erasure mark (``ERASURE_MARK_KEY``), shared, until the
    transaction ends, before anything changes its readers: a forget-me in the workspace changes
    that row (``privacy._erase_by_user_id``) right before it marks the person forgotten and
    deletes their memberships, so it waits for this transaction (and deletes what it stored),
    or this waits for it and then reads its mark (``forgotten_among``). One row lock however
    many readers the platform lists (an advisory lock per user id ran PostgreSQL out of shared
    memory on a channel of thousands), taken before the first membership row is touched (an
    erasure holding the mark waits for those rows). The row is made when missing, with the
    value a workspace without any forget-me reads (``same_mark``). SQLite's writers are
    serialized: there it is a plain read."""
    tenant_id = (
        await session.exec(select(Channel.tenant_id).where(col(Channel.id) == channel_pk))
    ).first()
    if tenant_id is not None:
        await hold_erasure_mark(session, tenant_id=tenant_id)


async def hold_erasure_mark(session: AsyncSession, *, tenant_id: int) -> None:
    """``hold_readers`` by the workspace's id: before reading which of its channels to store
    someone in (``channels.relearned``)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.exec(
            conflict_insert(session, TenantSetting)
            .values(
                tenant_id=tenant_id,
                key=ERASURE_MARK_KEY,
                value=NO_ERASURE_YET,
                updated_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )
        await session.exec(
            select(TenantSetting.key)
            .where(TenantSetting.tenant_id == tenant_id, TenantSetting.key == ERASURE_MARK_KEY)
            .with_for_update(read=True)
        )


def same_mark(read: str | None, now: str | None) -> bool:
    """Whether no forget-me changed the workspace's erasure mark between two reads: a missing
    row and the one ``hold_readers`` makes are the same (no forget-me yet)."""
    return (read or NO_ERASURE_YET) == (now or NO_ERASURE_YET)


async def is_member(session: AsyncSession, *, channel_pk: int, user_id: str) -> bool:
    return await session.get(ChannelMember, (channel_pk, user_id)) is not None


async def reads_channel(session: AsyncSession, *, channel: Channel, user_id: str) -> bool:
    """Whether ``user_id`` reads ``channel``: everyone in the tenant reads a public one; any
    other only its recorded members (ADR 0004)."""
    if channel.kind == "public":
        return True
    assert channel.id is not None
    return await is_member(session, channel_pk=channel.id, user_id=user_id)


async def public_channel_ids(
    session: AsyncSession, *, tenant_id: int, channel_ids: Iterable[str]
) -> set[str]:
    """Which of ``channel_ids`` the workspace has stored as public."""
    wanted = sorted(set(channel_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):  # a statement's cap on parameters
        rows = await session.exec(
            select(Channel.channel_id).where(
                Channel.tenant_id == tenant_id,
                col(Channel.kind) == "public",
                col(Channel.channel_id).in_(wanted[start : start + 1000]),
            )
        )
        found.update(rows.all())
    return found


async def private_channels(
    session: AsyncSession, *, tenant_id: int, channel_ids: Iterable[str]
) -> list[Channel]:
    """The workspace's channels stored as private among ``channel_ids``, in id order (public
    ones, DMs, channels never seen and channels the bot was removed from are left out)."""
    wanted = sorted(set(channel_ids))
    found: list[Channel] = []
    for start in range(0, len(wanted), 1000):  # a statement's cap on parameters
        rows = await session.exec(
            select(Channel)
            .where(
                Channel.tenant_id == tenant_id,
                col(Channel.kind) == "private",
                col(Channel.bot_left).is_(False),
                col(Channel.channel_id).in_(wanted[start : start + 1000]),
            )
            .order_by(col(Channel.id))
            # Shared, until the transaction ends: the bot's removal (``bot_left``, then its
            # readers cleared) waits for what this stores and clears it too, or went first and
            # the channel is not read here. SQLite's writers are serialized: a plain read.
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        found += rows.all()
    return found


async def held_public_channel(
    session: AsyncSession, *, tenant_id: int, channel_id: str
) -> Channel | None:
    """The workspace's channel ``channel_id`` while it is stored as public, held until the
    transaction ends (``None`` otherwise: never seen, private already, or erased meanwhile),
    as it is then: whether the bot is in it (``bot_left``) is read here too. Held as the write
    that follows needs it: the bot's removal (``bot_left``, then its readers cleared) waits for
    what this stores and clears it too, or went first and the row is read as it left it
    (PostgreSQL reads the row's newest version). SQLite's writers are serialized: a plain
    read."""
    return (
        await session.exec(
            select(Channel)
            .where(
                Channel.tenant_id == tenant_id,
                Channel.channel_id == channel_id,
                col(Channel.kind) == "public",
            )
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    ).first()


async def remove_member(session: AsyncSession, *, channel_pk: int, user_id: str) -> None:
    await session.exec(
        delete(ChannelMember).where(
            col(ChannelMember.channel_pk) == channel_pk, col(ChannelMember.user_id) == user_id
        )
    )


async def channels_by_pk(session: AsyncSession, *, pks: Iterable[int]) -> dict[int, Channel]:
    wanted = list(set(pks))
    if not wanted:
        return {}
    rows = await session.exec(select(Channel).where(col(Channel.id).in_(wanted)))
    return {c.id: c for c in rows if c.id is not None}


# ------------------------------------------------------------------------------------- narrations


async def add_narration(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int,
    channel_pk: int,
    text: str,
    source: str,
    audience: str,
    topics: Sequence[str],
    now: datetime,
    link: str | None = None,
) -> Narration:
    narration = Narration(
        tenant_id=tenant_id,
        person_id=person_id,
        channel_pk=channel_pk,
        ordinal=await _next_ordinal(session, person_id=person_id),
        source=source,
        audience=audience,
        text=text,
        search_text=index_text(text),
        index_rules=INDEX_RULES,
        created_at=now,
        link=link,
    )
    session.add(narration)
    await session.flush()
    assert narration.id is not None
    await _set_topics(session, narration_id=narration.id, topics=topics)
    return narration


async def _next_ordinal(session: AsyncSession, *, person_id: int) -> int:
    """The author's next short id: one more than any they were ever given, never one freed by a
    delete (an old "/narrate share 2" button or an id from an old ``/narrate mine`` must not act
    on a newer narration).

    The counter moves in the statement that reads it: the row update locks the person on
    PostgreSQL and SQLite serializes writers, so two narrations sent at once never share an id.
    Rows loaded in bulk without the counter (benchmarks, test worlds) are stepped over too.
    """
    highest = func.coalesce(
        select(func.max(Narration.ordinal))
        .where(Narration.person_id == person_id)
        .scalar_subquery(),
        0,
    )
    last = col(Person.last_ordinal)
    result = await session.exec(
        update(Person)
        .where(col(Person.id) == person_id)
        .values(last_ordinal=case((last >= highest, last), else_=highest) + 1)
        .returning(last)
        .execution_options(synchronize_session="fetch")
    )
    ordinal = result.scalar_one_or_none()
    if ordinal is None:  # a forget-me deleted the person on another replica meanwhile
        raise PersonErased
    return int(ordinal)


async def _set_topics(session: AsyncSession, *, narration_id: int, topics: Sequence[str]) -> None:
    await session.exec(
        delete(NarrationTopic).where(col(NarrationTopic.narration_id) == narration_id)
    )
    for topic in dict.fromkeys(topics):
        session.add(NarrationTopic(narration_id=narration_id, topic=topic))


async def recent_narrations(
    session: AsyncSession, *, person_id: int, limit: int
) -> list[tuple[Narration, Channel]]:
    rows = await session.exec(
        select(Narration, Channel)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(Narration.person_id == person_id)
        .order_by(col(Narration.created_at).desc(), col(Narration.id).desc())
        .limit(limit)
    )
    return list(rows.all())


async def narration_by_ordinal(
    session: AsyncSession, *, person_id: int, ordinal: int
) -> Narration | None:
    return (
        await session.exec(
            select(Narration).where(Narration.person_id == person_id, Narration.ordinal == ordinal)
        )
    ).first()


async def edit_narration(
    session: AsyncSession,
    *,
    narration: Narration,
    text: str,
    topics: Sequence[str],
    now: datetime,
    dialect: str,
) -> None:
    """Replace the text; the old text's tokens leave the search index like a deleted one's,
    from its blocks too once ``privacy.clear_traces`` has run after the commit."""
    del dialect  # the index is scrubbed after the commit, in short steps (``index_scrub``)
    indexed = index_text(text)
    narration.text = text
    narration.search_text = indexed
    narration.index_rules = INDEX_RULES
    narration.edited_at = now
    session.add(narration)
    await session.flush()
    assert narration.id is not None
    if indexed is not None:
        # An edit only the NFKC fold tells apart ("，" for ",", "ＡＰＩ" for "API") keeps its
        # search_text, so the ORM writes the text alone: 0052's trigger takes that for an older
        # replica's edit and clears search_text (``fulltext.SEARCH_TEXT_STALE``), and the CJK
        # words would go unfound until the next start. Written again, once the trigger has run
        # (on SQLite the update trigger then re-indexes the row; on PostgreSQL the column
        # follows).
        await session.exec(
            update(Narration)
            .where(col(Narration.id) == narration.id, col(Narration.search_text).is_(None))
            .values(search_text=indexed)
            .execution_options(synchronize_session=False)
        )
    # 0061's trigger took the edit for an older version's (it can't tell them apart) and set
    # ``index_rules`` to 0: these rules wrote it, so the next start needn't read it again.
    await session.exec(
        update(Narration)
        .where(col(Narration.id) == narration.id)
        .values(index_rules=INDEX_RULES)
        .execution_options(synchronize_session=False)
    )
    await _set_topics(session, narration_id=narration.id, topics=topics)


async def delete_narration(session: AsyncSession, *, narration: Narration, dialect: str) -> None:
    """The row and its search index entry go; the index's blocks forget the text once
    ``privacy.clear_traces`` has run after the commit."""
    del dialect  # the index is scrubbed after the commit, in short steps (``index_scrub``)
    await session.delete(narration)
    await session.flush()


async def topics_of(session: AsyncSession, *, narration_ids: Iterable[int]) -> dict[int, list[str]]:
    wanted = list(set(narration_ids))
    result: dict[int, list[str]] = {i: [] for i in wanted}
    if not wanted:
        return result
    rows = await session.exec(
        select(NarrationTopic)
        .join(Narration, col(Narration.id) == col(NarrationTopic.narration_id))
        .where(col(NarrationTopic.narration_id).in_(wanted), taken_as_written())
    )
    for row in rows:
        # Stored before its word was known to be no topic, or folded as "passe" from "passes":
        # as ``shown_topic`` reads it, once ("pass" and "passe" may both have been stored).
        # "caveat" only as a hashtag (``taken_as_written``).
        topic = shown_topic(row.topic)
        if topic is not None and topic not in result[row.narration_id]:
            result[row.narration_id].append(topic)
    return result


# ------------------------------------------------------------------------------------- visibility


def visible_to(*, tenant_id: int, viewer_user_id: str, answer_channel_pk: int | None) -> object:
    """SQL condition: the narration may be shown to this viewer (and, for an answer posted in a
    channel, to everyone who reads that channel).

    Public channels of the same tenant; a private channel only if the viewer is a member; DMs
    never; an explicit "whole workspace" audience anywhere in the tenant. When the answer goes to
    a channel, evidence must also be readable there: public, workspace-wide, or from that channel.
    """
    is_member = exists().where(
        col(ChannelMember.channel_pk) == col(Channel.id),
        col(ChannelMember.user_id) == viewer_user_id,
    )
    readable = or_(
        col(Narration.audience) == "tenant",
        and_(
            col(Narration.audience) == "channel",
            or_(
                col(Channel.kind) == "public",
                and_(col(Channel.kind) == "private", is_member),
            ),
        ),
    )
    conditions = [col(Narration.tenant_id) == tenant_id, readable]
    if answer_channel_pk is not None:
        conditions.append(
            or_(
                col(Narration.audience) == "tenant",
                col(Channel.kind) == "public",
                col(Channel.id) == answer_channel_pk,
            )
        )
    return and_(*conditions)
