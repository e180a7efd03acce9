"""What happens to a guild's data when the bot is removed from it.

Policy: removal (kick, ban, the guild deleted, or the bot leaving) erases the guild at once:
every narration, person, channel, membership and setting of that tenant, and their full-text
index entries (``storage.privacy.erase_tenant``); then SQLite's write-ahead log is emptied (on
PostgreSQL the planner's samples are refreshed), so the erased text isn't still readable there
(``clear_traces``).
Nothing is kept "in case it comes back": a server that adds the bot again starts empty. A guild
that is only *unavailable* (a Discord outage) is not removed and keeps its data.

A removal while the bot is not connected (a deploy, a crash, a host outage) sends no event at
all: the client compares ``stored_guild_ids`` with the guilds READY lists on every connect and
erases the missing ones the same way (``NarrateClient.erase_departed_guilds``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.privacy import clear_traces, erase_tenant
from narrate_bot.storage.tables import Tenant

log = logging.getLogger(__name__)


async def erase_guild(db: Database, guild_id: int, *, now: datetime) -> int:
    """Erase the guild's tenant; returns how many narrations were removed."""
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform=Platform.DISCORD.value, external_id=str(guild_id), name="", now=now
        )
        assert tenant.id is not None
        removed = await erase_tenant(session, tenant_id=tenant.id, dialect=db.dialect)
    await clear_traces(db, erasure=True)
    log.info("guild %s removed the bot: erased its data (%d narrations)", guild_id, removed)
    return removed


async def stored_guild_ids(db: Database) -> list[int]:
    """Every guild this database holds data for. Tenants are keyed by guild id alone, not by
    Discord application, so this is only "this bot's guilds" with one application per database
    (two applications in one server would already share, and erase, one tenant). Read in a
    snapshot: a connect must not wait for another writer's lock."""
    async with db.snapshot() as session:
        ids = (
            await session.exec(
                select(Tenant.external_id).where(Tenant.platform == Platform.DISCORD.value)
            )
        ).all()
    return sorted(int(i) for i in ids if i.isdigit())
