"""Button commands a platform can't carry in the button itself, kept under a short key.

A Discord button carries its command in a ``custom_id`` of at most 100 characters. "Keep as a
narration" carries the person's whole text, "Ask in #questions" their whole question: those are
kept here, and the button carries the key. Kept in the database, not in the process, so a click
after a restart, a deploy, or on another replica still finds the person's words.

Each row names who may click it (the person the button was shown to; ``""``: anyone who can see
a post in a channel), and lasts ``KEEP_FOR``: the scheduler sweeps older ones (``sweep``), and
one older than that is never acted on, swept yet or not. A row is a narration-to-be, so export
and forget-me cover it by user id (``privacy``); it goes with its workspace.

Neutral on purpose: any platform with a short button payload can use it; the core never reads it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import repositories as repo
from .database import Database
from .pending_action_tables import PendingAction
from .tables import Tenant

# Long enough for a button seen on Friday to be clicked on Monday after a week's leave; short
# enough that words someone chose not to keep don't linger.
KEEP_FOR = timedelta(days=7)
ANYONE = ""  # ``user_id`` of a button posted in a channel, for everyone who sees it
USED = ""  # ``command`` of a one-shot button already clicked (``claim``): its words are gone


@dataclass(frozen=True)
class Kept:
    """A kept command and who may use it (``ANYONE``: whoever sees it). ``command`` is ``USED``
    once a one-shot button was clicked (``claim``)."""

    command: str
    user_id: str

    @property
    def used(self) -> bool:
        return self.command == USED

    def usable_by(self, user_id: str) -> bool:
        return self.user_id in (ANYONE, user_id)


def new_key() -> str:
    """16 characters, random: a key can't be guessed from the words, nor the words from it."""
    return secrets.token_urlsafe(12)


async def keep(
    db: Database, *, platform: str, external_id: str, user_id: str, command: str, now: datetime
) -> str:
    """Keep ``command`` for ``user_id`` in the workspace; the key to it."""
    key = new_key()
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform=platform, external_id=external_id, name="", now=now
        )
        assert tenant.id is not None
        session.add(
            PendingAction(
                tenant_id=tenant.id, key=key, user_id=user_id, command=command, created_at=now
            )
        )
    return key


async def find(
    db: Database, *, platform: str, external_id: str, key: str, now: datetime
) -> Kept | None:
    """The command kept under ``key`` in the workspace, unless it is older than ``KEEP_FOR``.
    Read in a snapshot: a click takes no write lock."""
    async with db.snapshot() as session:
        row = (
            await session.exec(
                select(PendingAction.command, PendingAction.user_id)
                .join(Tenant, col(Tenant.id) == col(PendingAction.tenant_id))
                .where(
                    col(Tenant.platform) == platform,
                    col(Tenant.external_id) == external_id,
                    col(PendingAction.key) == key,
                    col(PendingAction.created_at) >= now - KEEP_FOR,
                )
            )
        ).first()
    return None if row is None else Kept(command=row[0], user_id=row[1])


async def claim(db: Database, *, platform: str, external_id: str, key: str, user_id: str) -> bool:
    """Take ``user_id``'s command under ``key`` for one click, before it runs: its words are
    wiped at once (the row stays, ``USED``, until the sweep, so a later click is told the button
    was used rather than that it expired); ``False`` when another click (a double click, or one
    on another replica) took it first. Reading it and forgetting it once its message was
    replaced let two clicks in flight both run it, and the words were kept twice. For a button
    of one person's: ``ANYONE``'s stay for everyone."""
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform=platform, external_id=external_id)
        if tenant is None:
            return False
        result = await session.exec(
            update(PendingAction)
            .where(
                col(PendingAction.tenant_id) == tenant.id,
                col(PendingAction.key) == key,
                col(PendingAction.user_id) == user_id,
                col(PendingAction.command) != USED,
            )
            .values(command=USED)
        )
    return bool(result.rowcount)


async def put_back(
    db: Database, *, platform: str, external_id: str, key: str, user_id: str, command: str
) -> None:
    """A claimed command whose click failed before it changed anything, kept again as it was
    (its age too): the offer, still on screen, works on the next click. Only onto its claimed
    row: one a forget-me or the sweep removed since stays removed."""
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform=platform, external_id=external_id)
        if tenant is None:
            return
        await session.exec(
            update(PendingAction)
            .where(
                col(PendingAction.tenant_id) == tenant.id,
                col(PendingAction.key) == key,
                col(PendingAction.user_id) == user_id,
                col(PendingAction.command) == USED,
            )
            .values(command=command)
        )


async def used(db: Database, *, platform: str, external_id: str, key: str) -> None:
    """Forget a command once its button did its one job and is gone (the message replaced):
    the words live on in what it made, and aren't kept twice."""
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform=platform, external_id=external_id)
        if tenant is not None:
            await session.exec(
                delete(PendingAction).where(
                    col(PendingAction.tenant_id) == tenant.id, col(PendingAction.key) == key
                )
            )


async def sweep(db: Database, *, now: datetime) -> int:
    """Forget every command older than ``KEEP_FOR`` (the scheduler's wake-up); how many went.
    Asked in a snapshot first, through the index: an idle wake-up takes no write lock on SQLite."""
    before = now - KEEP_FOR
    async with db.snapshot() as session:
        old = await session.exec(
            select(PendingAction.key).where(col(PendingAction.created_at) < before).limit(1)
        )
        if old.first() is None:
            return 0
    async with db.transaction() as session:
        result = await session.exec(
            delete(PendingAction).where(col(PendingAction.created_at) < before)
        )
    return int(result.rowcount or 0)


async def of_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> list[PendingAction]:
    """The commands kept for someone's buttons (their export), oldest first; not those of
    buttons already used, whose words were wiped (``claim``)."""
    rows = await session.exec(
        select(PendingAction)
        .where(
            col(PendingAction.tenant_id) == tenant_id,
            col(PendingAction.user_id) == user_id,
            col(PendingAction.command) != USED,
        )
        .order_by(col(PendingAction.created_at), col(PendingAction.key))
    )
    return list(rows.all())


async def forget_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Their forget-me: the words their buttons would have kept go too."""
    await session.exec(
        delete(PendingAction).where(
            col(PendingAction.tenant_id) == tenant_id, col(PendingAction.user_id) == user_id
        )
    )
