"""Row locks that serialize a workspace's read-then-write settings across replicas.

PostgreSQL runs several replicas on one database at READ COMMITTED: two transactions that
read "no intros schedule yet" (or the workspace's zone) and then write each act on what they
read, and one of them wins with stale data. Taking the tenant row ``FOR UPDATE`` first makes
the second wait and read what the first wrote. SQLite needs nothing: its writers are already
serialized (``BEGIN IMMEDIATE``, ADR 0003), so the lock is a plain read there.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .tables import Tenant


async def lock_tenant(session: AsyncSession, *, tenant_id: int) -> None:
    """Hold the tenant row until the transaction ends (PostgreSQL); SQLite ignores the clause."""
    await session.exec(select(col(Tenant.id)).where(col(Tenant.id) == tenant_id).with_for_update())
