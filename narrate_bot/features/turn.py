"""The context one event is handled in: who acted, where, when, and the storage to use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Settings
from ..events import ActorEvent, ChannelKind, Platform
from ..knowledge.durations import Calendar
from ..ports import ChatGateway
from ..replies import Attachment, Button, FormRequest, Reply, Visibility
from ..storage import privacy as privacy_store
from ..storage import repositories as repo
from ..storage.database import Database, Session
from ..storage.tables import Channel, Person, Tenant
from .channels import Arrival, actor_arrives, settled_channel, settled_tenant, stored_channel

FORGOTTEN_MEANWHILE = (
    "Your forget-me went through just as this arrived, so I didn't do it: nothing about you is "
    "stored. Send it again if you want to start afresh."
)


async def reader_calendar(
    session: Session, *, tenant_id: int, person: Person | None, now: datetime
) -> Calendar:
    """The calendar dates are shown on to a reader: their own time zone, else the workspace's
    (``/narrate workspace-timezone``), else UTC."""
    from .schedule_settings import TENANT_ZONE_KEY  # that module imports this one

    workspace = await repo.get_setting(session, tenant_id=tenant_id, key=TENANT_ZONE_KEY)
    return Calendar.of(now, person.timezone if person is not None else None, workspace)


@dataclass(frozen=True)
class Settled:
    """What a turn starts from when handling it writes nothing first (``Turn.settled``)."""

    tenant: Tenant
    channel: Channel | None
    person: Person | None


@dataclass
class Turn:
    event: ActorEvent
    db: Database
    settings: Settings
    now: datetime
    # How a feature posts on its own (an open question to a channel): the bot's gateways.
    gateways: Mapping[Platform, ChatGateway] = field(default_factory=dict)
    # A forget-me on another replica erased the actor while this command waited (``still_here``).
    forgotten: bool = field(default=False, init=False)
    # The actor's forgotten mark was cleared by this command: they are back after a forget-me,
    # and ``Bot.handle`` has the platform re-learn their private channels (``ReturnHeard``).
    returned: bool = field(default=False, init=False)
    # Set once the command's change has committed (``committed_as``): the answer that is true
    # whatever a later step does. ``None`` while nothing is committed.
    committed: tuple[Reply, ...] | None = field(default=None, init=False)
    # Told each time ``committed_as`` is, at once, in the task handling the event
    # (``Bot.on_committed``).
    on_committed: Callable[[], None] | None = None

    @property
    def in_dm(self) -> bool:
        return self.event.channel.kind == ChannelKind.DIRECT

    def reply(
        self,
        text: str,
        *,
        buttons: tuple[Button, ...] = (),
        attachment: Attachment | None = None,
        form: FormRequest | None = None,
    ) -> Reply:
        """A reply only the actor sees (a DM reply when they wrote in a DM)."""
        visibility = Visibility.DIRECT if self.in_dm else Visibility.PRIVATE
        return Reply(
            text=text, visibility=visibility, buttons=buttons, attachment=attachment, form=form
        )

    def committed_as(self, *replies: Reply) -> None:
        """Mark the command's change (a narration kept, edited or deleted) as committed, and
        ``replies`` as what tells it truthfully from here on; called again as later steps add
        to the answer. When a step after this raises, ``Bot.handle`` answers with ``replies``
        instead of raising: an adapter's retry (Discord's and Slack's in-process tries, a
        redelivered Slack event whose claim was given back) would run the change again,
        keeping a narration twice, or tell its author it failed when it was kept. A
        cancellation from here on (a shutdown) is as late: ``on_committed`` tells the adapter
        at once, before the steps after this, so it doesn't hand the event back for a retry."""
        self.committed = replies
        if self.on_committed is not None:
            self.on_committed()

    async def tenant(self, session: Session) -> Tenant:
        ref = self.event.tenant
        return await repo.ensure_tenant(
            session,
            platform=ref.platform.value,
            external_id=ref.tenant_id,
            name=ref.name,
            now=self.now,
        )

    async def channel(self, session: Session, tenant: Tenant) -> Channel:
        """The channel the event came from, with the actor recorded as a reader when private,
        unless a forget-me erased them while this command waited (``still_here``).

        The membership is about the actor, stored by user id: written beside an erasure on
        another replica, it outlived it. So it is written under the actor's held row, like a
        narration; for a command from them that the erasure beat, it is left out and the
        command goes on without it (a question is still answered, as for someone new).
        """
        assert tenant.id is not None
        ref = self.event.channel
        here = ref.kind != ChannelKind.PUBLIC and await self.still_here(session, tenant)
        if ref.kind == ChannelKind.DIRECT and not here:
            # Their DM with the bot is about them alone, and the forget-me that went first
            # deleted it: stored again now, an empty row of it would outlive the erasure. The
            # command goes on with it as found, or unstored (``id`` ``None``).
            found = await repo.find_channel(session, tenant_id=tenant.id, channel_id=ref.channel_id)
            return found or Channel(
                tenant_id=tenant.id, channel_id=ref.channel_id, name=ref.name, kind=ref.kind.value
            )
        channel = await stored_channel(session, tenant_id=tenant.id, ref=ref)
        if here:
            assert channel.id is not None
            await repo.add_member(session, channel_pk=channel.id, user_id=self.event.user.user_id)
        return channel

    async def settled(self, session: Session, *, in_channel: bool = False) -> Settled | None:
        """The workspace, the channel (with ``in_channel``) and the actor's row if any, when
        ``tenant``, ``channel`` and ``known_person`` would write nothing: the workspace and the
        channel are stored as the platform describes them, the actor is already recorded as a
        reader of a channel that isn't public, and isn't marked departed. ``None`` when any of
        that must be written: the caller then works in ``db.transaction()``, as every command
        did. A command that only reads otherwise runs in ``db.snapshot()``, which on SQLite waits
        for no writer (a forget-me's scrub, an import, the weekly job, another replica) and so
        never fails with "database is locked" behind one."""
        tenant = await settled_tenant(session, self.event.tenant)
        if tenant is None:
            return None
        assert tenant.id is not None
        user_id = self.event.user.user_id
        channel = None
        if in_channel:
            where = self.event.channel
            channel = await settled_channel(session, tenant_id=tenant.id, ref=where)
            if channel is None:
                return None
            assert channel.id is not None
            if where.kind != ChannelKind.PUBLIC and not await repo.is_member(
                session, channel_pk=channel.id, user_id=user_id
            ):
                return None
        person = await repo.find_person(session, tenant_id=tenant.id, user_id=user_id)
        if person is not None and person.departed_at is not None:
            return None
        return Settled(tenant=tenant, channel=channel, person=person)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Session]:
        """The session of a command that only reads (``tenant``, ``known_person`` and
        ``calendar`` included): a snapshot when ``settled`` finds nothing to write, else a
        transaction, which writes what those write (a new or renamed workspace, someone back
        after being marked departed)."""
        async with self.db.snapshot() as session:
            quiet = await self.settled(session) is not None
            if quiet:
                yield session
        if not quiet:
            async with self.db.transaction() as session:
                yield session

    async def person(self, session: Session, tenant: Tenant) -> Person:
        """The actor's row, created on first sight, not held: commands that write for them
        take it through ``author``."""
        assert tenant.id is not None
        user = self.event.user
        if await repo.is_forgotten(session, tenant_id=tenant.id, user_id=user.user_id):
            # Back after a forget-me, with or without a row (one a platform's profile sync made
            # before profile syncs stopped making them): a fresh start (``still_here``). Under
            # the user id, as their erasure holds it: a mark it is writing is not cleared.
            await privacy_store.share_user_id(session, tenant_id=tenant.id, user_id=user.user_id)
            since = self.event.occurred_at
            if await repo.came_back(
                session, tenant_id=tenant.id, user_id=user.user_id, since=since
            ):
                self.returned = True
            elif await repo.is_forgotten(session, tenant_id=tenant.id, user_id=user.user_id):
                # Sent before their forget-me, delivered after it: they stay forgotten.
                self.forgotten = True
                raise repo.PersonErased
        return await repo.ensure_person(
            session,
            tenant_id=tenant.id,
            user_id=user.user_id,
            display_name=user.display_name,
            now=self.now,
            guest=user.guest,
            departed=False,  # whoever speaks to the bot is here, whatever was said before
        )

    async def still_here(self, session: Session, tenant: Tenant) -> bool:
        """Hold the actor's person row until the transaction ends; ``False`` when a forget-me on
        another replica erased it while we waited. Take it before writing anything about them.

        The erasure takes the same row first (ADR 0003: replicas share one PostgreSQL database),
        so the two run one after the other: what this transaction writes is committed before
        the erasure looks, and erased with the rest, or the erasure went first. Someone with no
        row is still here: never seen, or seen again after a forget-me that had finished, which
        is the fresh start its confirmation offers, so their command is handled as anyone's
        first. Once ``False`` it stays so for this command (``forgotten``): a later look would
        find no row and take them for someone new, bringing back the trace just erased.

        With no row, their user id is held instead, as their forget-me holds it first
        (``privacy.hold_unknown_user``): someone who never joined may still be erased (the
        membership of a private channel they asked in), and a membership written while that
        erasure ran on another replica outlived it.
        """
        assert tenant.id is not None
        if self.forgotten:
            return False
        user_id = self.event.user.user_id
        arrival = await actor_arrives(
            session, tenant_id=tenant.id, user_id=user_id, since=self.event.occurred_at
        )
        self.forgotten = arrival is Arrival.GONE
        self.returned = self.returned or arrival is Arrival.BACK
        return not self.forgotten

    async def author(self, session: Session, tenant: Tenant) -> Person:
        """``person``, held until the transaction ends (``still_here``): take it before writing
        anything for them (a narration, a preference, a setting on their row).

        When a forget-me got there first, ``repo.PersonErased`` is raised, rolling back this
        transaction: the caller, or ``Bot.handle`` for any command, tells the person nothing was
        kept. Carrying on would recreate them from a command sent before they were forgotten.
        """
        if not await self.still_here(session, tenant):
            raise repo.PersonErased
        return await self.person(session, tenant)

    async def known_person(self, session: Session) -> Person | None:
        """The actor's person row if we have one, without creating anything.

        Someone marked departed who uses the bot again (asks, lists their narrations) is back,
        as with ``person``: the platform said they left, but here they are.
        """
        tenant = await self.tenant(session)
        assert tenant.id is not None
        person = await repo.find_person(
            session, tenant_id=tenant.id, user_id=self.event.user.user_id
        )
        if person is not None and person.departed_at is not None:
            person.departed_at = None
            session.add(person)
        return person

    async def calendar(self, session: Session) -> Calendar:
        """The actor's calendar, for every date and "days ago" in a reply to them."""
        tenant = await self.tenant(session)
        assert tenant.id is not None
        person = await repo.find_person(
            session, tenant_id=tenant.id, user_id=self.event.user.user_id
        )
        return await reader_calendar(session, tenant_id=tenant.id, person=person, now=self.now)
