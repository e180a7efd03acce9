"""Keeping channel kinds and memberships current: visibility is checked against them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import Enum

from ..events import (
    ChannelDeleted,
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    MembershipChanged,
    TenantRef,
    UserRef,
)
from ..storage import (
    channel_sharing,
    digest_copies,
    expertise_repo,
    intro_posts,
    narration_copies,
    orphan_posts,
    update_post_resync,
)
from ..storage import privacy as privacy_store
from ..storage import repositories as repo
from ..storage.database import Database, Session
from ..storage.tables import Channel, Tenant


async def _channel(
    session: Session, tenant_ref: TenantRef, ref: ChannelRef, now: datetime
) -> Channel:
    tenant = await repo.ensure_tenant(
        session,
        platform=tenant_ref.platform.value,
        external_id=tenant_ref.tenant_id,
        name=tenant_ref.name,
        now=now,
    )
    assert tenant.id is not None
    return await stored_channel(session, tenant_id=tenant.id, ref=ref)


async def known_tenant_id(session: Session, ref: TenantRef) -> int | None:
    """The id of the workspace's stored row, or ``None`` when there is none: looked up, never
    created, so follow-up work stores nothing for a workspace erased meanwhile (an uninstall)."""
    found = await repo.find_tenant(session, platform=ref.platform.value, external_id=ref.tenant_id)
    return None if found is None else found.id


async def settled_tenant(session: Session, ref: TenantRef) -> Tenant | None:
    """The workspace's row when storing it as the platform names it would write nothing, else
    ``None`` (``repo.current_tenant``): what a read-only turn starts from."""
    return await repo.current_tenant(
        session, platform=ref.platform.value, external_id=ref.tenant_id, name=ref.name
    )


async def settled_channel(session: Session, *, tenant_id: int, ref: ChannelRef) -> Channel | None:
    """``stored_channel`` when it would write nothing, else ``None`` (``repo.current_channel``)."""
    return await repo.current_channel(
        session,
        tenant_id=tenant_id,
        channel_id=ref.channel_id,
        name=ref.name,
        kind=ref.kind.value,
        shared=ref.shared,
    )


async def stored_channel(session: Session, *, tenant_id: int, ref: ChannelRef) -> Channel:
    """The channel's row, kept to what the platform says now (kind, name, shared)."""
    return await repo.ensure_channel(
        session,
        tenant_id=tenant_id,
        channel_id=ref.channel_id,
        name=ref.name,
        kind=ref.kind.value,
        shared=ref.shared,
    )


async def describe_channel(
    db: Database, event: ChannelDescribed, *, readers_kept: bool = False
) -> None:
    """``readers_kept``: the platform kept telling who reads the channel while the bot was out
    (``ports.readers_kept``), so the stored readers stand when it is back."""
    if event.archived is not None or event.bot_in is not None:
        await _note_reachable(db, event, readers_kept=readers_kept)
    if await _as_described(db, event):
        return
    async with db.transaction() as session:
        channel = await _channel(session, event.tenant, event.channel, event.occurred_at)
        if event.members is not None:
            assert channel.id is not None
            await repo.set_members(session, channel_pk=channel.id, user_ids=event.members)


async def channel_deleted(db: Database, event: ChannelDeleted) -> None:
    """A deleted channel can be read by no one: kept as private with no readers, so what was
    narrated there is shown to nobody but its authors (who-knows, topics, profiles), on every
    platform alike. Hidden, not erased: each author's own narrations stay theirs to export or
    forget. The name is left as stored (a deletion names no channel)."""
    gone = ChannelRef(channel_id=event.channel_id, name="", kind=ChannelKind.PRIVATE)
    await describe_channel(
        db,
        ChannelDescribed(
            tenant=event.tenant, channel=gone, members=(), occurred_at=event.occurred_at
        ),
    )


async def _as_described(db: Database, event: ChannelDescribed) -> bool:
    """Whether the stored channel, and its readers when the event lists them, already are what
    the platform describes: then nothing is written. Slack describes a private channel before
    every command there, so reading this first, in a snapshot, spares those commands SQLite's
    write lock (and the wait for it behind another writer) when nothing changed. A difference
    (someone who left, someone new, a rename) is written as before."""
    async with db.snapshot() as session:
        tenant = await settled_tenant(session, event.tenant)
        if tenant is None:
            return False
        assert tenant.id is not None
        channel = await settled_channel(session, tenant_id=tenant.id, ref=event.channel)
        if channel is None:
            return False
        if event.members is None:
            return True
        assert channel.id is not None
        listed = set(event.members)
        stored = await repo.members_of(session, channel_pk=channel.id)
        if not stored <= listed:
            return False
        # Someone forgotten stays listed and is never stored (``set_members``): as described.
        # A stored row of theirs (an older version's, during a rolling deploy) is not.
        forgotten = await repo.forgotten_among(session, channel_pk=channel.id, user_ids=listed)
        return stored == listed - forgotten


async def _note_reachable(db: Database, event: ChannelDescribed, *, readers_kept: bool) -> None:
    """Whether the channel is archived, and whether the bot is in it: said only by the events
    that change them (so written apart from what every description says)."""
    async with db.transaction() as session:
        channel = await _channel(session, event.tenant, event.channel, event.occurred_at)
        if event.archived is not None:
            channel.archived = event.archived
        if event.bot_in is not None:
            if event.bot_in and event.members is None and not readers_kept:
                # Back, and the platform won't list the readers yet: none are kept from
                # while it was out (listed, they replace the stored ones in ``describe_channel``;
                # kept by the platform all along, they stand).
                assert channel.id is not None
                await channel_sharing.back_in(session, channel_pk=channel.id)
            channel.bot_left = not event.bot_in
        session.add(channel)
        if event.bot_in:
            # Deletes and edits the platform refused while the bot was out are tried at once,
            # not weekly (nor after the back-off): the orphaned posts of form updates, the posts
            # behind their narrations, who-knows answers, introductions' posts, digests' lines.
            tenant_id, channel_id = channel.tenant_id, channel.channel_id
            await orphan_posts.reachable_again(session, tenant_id=tenant_id, channel_id=channel_id)
            await update_post_resync.reachable_again(
                session, tenant_id=tenant_id, channel_id=channel_id
            )
            await intro_posts.reachable_again(session, tenant_id=tenant_id, channel_id=channel_id)
            assert channel.id is not None
            await narration_copies.reachable_again(session, channel_pk=channel.id)
            await digest_copies.reachable_again(session, channel_pk=channel.id)


async def change_membership(db: Database, event: MembershipChanged) -> None:
    """A leave is always stored. A join of someone forgotten is stored only when they are the
    one using the bot (``by_actor``): then they are back, their mark cleared first as their
    command's is (``actor_here``), and the access re-checked before their answer counts, or they
    lost their private channels after a forget-me. A join the platform tells about them (someone
    added them, a gateway update) stores nothing of them until they use the bot again, as a
    reader list doesn't (``repo.set_members``)."""
    async with db.transaction() as session:
        if event.joined and event.by_actor:
            await _actor_joined(session, event)
            return
        channel = await _channel(session, event.tenant, event.channel, event.occurred_at)
        assert channel.id is not None
        if not event.joined:
            await repo.remove_member(session, channel_pk=channel.id, user_id=event.user_id)
            return
        # Under the workspace's erasure mark, as a reader list is stored: a forget-me committing
        # on another replica deletes this row after, or this reads its mark.
        await repo.hold_readers(session, channel_pk=channel.id)
        if not await repo.forgotten_among(session, channel_pk=channel.id, user_ids={event.user_id}):
            await repo.add_member(session, channel_pk=channel.id, user_id=event.user_id)


async def _actor_joined(session: Session, event: MembershipChanged) -> None:
    """The join of the person using the bot, in ``Turn.channel``'s order: the actor held (and
    back) before the channel and their membership are written, nothing when a forget-me on
    another replica erased them meanwhile."""
    ref = event.tenant
    tenant = await repo.ensure_tenant(
        session,
        platform=ref.platform.value,
        external_id=ref.tenant_id,
        name=ref.name,
        now=event.occurred_at,
    )
    assert tenant.id is not None
    here = await actor_here(
        session, tenant_id=tenant.id, user_id=event.user_id, since=event.occurred_at
    )
    if not here:
        return
    channel = await stored_channel(session, tenant_id=tenant.id, ref=event.channel)
    assert channel.id is not None
    await repo.add_member(session, channel_pk=channel.id, user_id=event.user_id)


class Arrival(Enum):
    """What ``actor_arrives`` found of the person using the bot."""

    GONE = "gone"  # a forget-me on another replica erased them while this waited
    HERE = "here"
    BACK = "back"  # their forgotten mark was cleared now: back after a forget-me


async def actor_here(session: Session, *, tenant_id: int, user_id: str, since: datetime) -> bool:
    """``actor_arrives``, as whether they are still here (not ``GONE``)."""
    arrival = await actor_arrives(session, tenant_id=tenant_id, user_id=user_id, since=since)
    return arrival is not Arrival.GONE


async def actor_arrives(
    session: Session, *, tenant_id: int, user_id: str, since: datetime
) -> Arrival:
    """Hold the person using the bot until the transaction ends, and clear their forgotten mark
    (``repo.came_back``): ``GONE`` when a forget-me on another replica erased them while this
    waited, or when their mark is newer than ``since`` (what brings them back was sent before
    their forget-me, and delivered after it: they stay forgotten), ``BACK`` when a mark was
    cleared. Take it before writing anything about them (``Turn.still_here`` says why).

    Their person row when they have one, their user id held shared first, in the erasure's
    order (``privacy.erase_person``); with no row, their user id alone
    (``privacy.hold_unknown_user``): someone who never joined may still be erased (the
    membership of a private channel they asked in)."""
    seen = await repo.find_person(session, tenant_id=tenant_id, user_id=user_id)
    if seen is not None:
        assert seen.id is not None
        await privacy_store.share_user_id(session, tenant_id=tenant_id, user_id=user_id)
        here = await repo.hold_person(session, person_id=seen.id)
    else:
        here = await privacy_store.hold_unknown_user(session, tenant_id=tenant_id, user_id=user_id)
    if not here:
        return Arrival.GONE
    # New, or back after a forget-me (with a row or not): the fresh start, so the platform's
    # lists of a channel's readers count for them again. Their user id is held: their
    # erasure's mark is committed, or not begun.
    if await repo.came_back(session, tenant_id=tenant_id, user_id=user_id, since=since):
        return Arrival.BACK
    if await repo.is_forgotten(session, tenant_id=tenant_id, user_id=user_id):
        return Arrival.GONE  # forgotten after ``since``: sent before the forget-me
    return Arrival.HERE


async def stored_public(
    db: Database, *, tenant: TenantRef, channel_ids: Collection[str]
) -> set[str]:
    """Which of ``channel_ids``, listed by the platform as private now, the workspace still has
    stored as public: a conversion it never heard of (Slack tells it only with the history
    scopes). ``relearned`` skips them; the platform describes each as private first."""
    if not channel_ids:
        return set()
    async with db.snapshot() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return set()
        return await repo.public_channel_ids(session, tenant_id=tenant_id, channel_ids=channel_ids)


async def found_private(
    db: Database, *, tenant: TenantRef, channel_id: str, members: Sequence[str] | None
) -> bool:
    """Store as private, with ``members`` as its readers (``None``: the platform won't say,
    the stored ones stay), a channel the platform lists as private that the workspace still has
    stored as public (``stored_public``). Returns whether it was written.

    The platform's list was read before this, and much may have happened on the way: nothing
    is written unless the channel is still stored as public, and its readers only while the
    bot is in it. The bot's removal (its readers cleared) stored meanwhile would otherwise get
    the older list back, and people who left later kept seeing its narrations; so a channel
    stored as the bot's to leave is made private with no readers written (never wider: stale,
    or told out of order, the removal still left it public, its narrations shown to the whole
    workspace). A channel described since is as described. Nothing is created either: an
    uninstall that erased the workspace meanwhile stays erased (no workspace, channel or
    readers stored again). Under the workspace's erasure mark, as a reader list is stored
    (``repo.set_members``), the channel held as it is read (``repo.held_public_channel``)."""
    async with db.transaction() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return False
        await repo.hold_erasure_mark(session, tenant_id=tenant_id)
        channel = await repo.held_public_channel(
            session, tenant_id=tenant_id, channel_id=channel_id
        )
        if channel is None or channel.id is None:
            return False
        channel.kind = ChannelKind.PRIVATE.value
        session.add(channel)
        if members is not None and not channel.bot_left:
            await repo.set_members(session, channel_pk=channel.id, user_ids=members)
        return True


async def relearned(
    db: Database, *, tenant: TenantRef, user_id: str, channel_ids: Collection[str]
) -> set[str]:
    """Someone back after a forget-me reads ``channel_ids`` now, as the platform listed them
    when asked (``ports.ReturnHeard``): each of them the workspace has stored as private gets
    them as a reader again, which the joins dropped while they were forgotten had not given.
    Returns the ids of the channels they were added to (not stored as a reader before).

    Only adds: a channel they were taken out of is a leave, always stored as it comes; one
    stored while the platform's list was on its way is undone by it, so the platform is asked
    again once this is stored (``unlearned``). Public channels need no reader, one never
    stored holds no narration (the first command there reads its readers, them included), and
    one the bot was removed from is read by nobody but its authors. Nothing is stored when
    they were forgotten again meanwhile: under the workspace's erasure mark, as a reader list
    is (``repo.set_members``), so a forget-me committing on another replica deletes these rows
    after, or this reads its mark. The channels are read shared (``repo.private_channels``):
    the bot's removal committing meanwhile clears what this stored, or this doesn't read it."""
    if not channel_ids:
        return set()
    async with db.transaction() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return set()
        await repo.hold_erasure_mark(session, tenant_id=tenant_id)
        if await repo.is_forgotten(session, tenant_id=tenant_id, user_id=user_id):
            return set()
        added: set[str] = set()
        for channel in await repo.private_channels(
            session, tenant_id=tenant_id, channel_ids=channel_ids
        ):
            assert channel.id is not None
            if not await repo.is_member(session, channel_pk=channel.id, user_id=user_id):
                await repo.add_member(session, channel_pk=channel.id, user_id=user_id)
                added.add(channel.channel_id)
        return added


async def unlearned(
    db: Database, *, tenant: TenantRef, user_id: str, channel_ids: Collection[str]
) -> None:
    """Take back what ``relearned`` added in ``channel_ids``: the platform, asked again once it
    was stored, no longer lists them there (a leave told while its first list was on its way,
    which that list's write undid), or could not be asked (never wider: the next command in
    each channel reads its readers)."""
    if not channel_ids:
        return
    async with db.transaction() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return
        for channel_id in sorted(channel_ids):
            channel = await repo.find_channel(session, tenant_id=tenant_id, channel_id=channel_id)
            if channel is not None and channel.id is not None:
                await repo.remove_member(session, channel_pk=channel.id, user_id=user_id)


async def named_to(session: Session, channel: Channel, user: UserRef) -> bool:
    """Whether a command may name ``channel`` to ``user``: its readers and admins only. Anyone
    else gets the answer an unknown channel gets, so nobody learns that a private channel exists
    or what it is called (schedule commands, the open-questions channel)."""
    return user.is_admin or await repo.reads_channel(session, channel=channel, user_id=user.user_id)


async def named_channel(
    session: Session, *, tenant_id: int, user: UserRef, channel_id: str | None, name: str | None
) -> Channel | None:
    """The channel a setting names: one of this tenant's the bot has seen, and that ``user`` may
    be told about; ``None`` otherwise, so a private channel they aren't in answers exactly as an
    unknown one (an id typed by hand may also be another Discord server's)."""
    target = await expertise_repo.find_channel(
        session, tenant_id=tenant_id, channel_id=channel_id, name=name
    )
    if target is None or not await named_to(session, target, user):
        return None
    return target


def not_seen(shown: str) -> str:
    """The answer for a channel ``named_channel`` didn't give (nothing is changed)."""
    return (
        f"I haven't seen #{shown} yet: add me to it (or post there) and try again. "
        "Nothing was changed."
    )
