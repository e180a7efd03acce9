"""What happens to a guild's data when the bot is removed from it.

Policy: removal (kick, ban, the guild deleted, or the bot leaving) erases the guild at once:
every narration, person, channel, membership and setting of that tenant, and their full-text
index entries (``storage.privacy.erase_tenant``); then SQLite's write-ahead log is emptied, so
the erased text isn't still readable there (``truncate_log``; nothing to do on PostgreSQL).
Nothing is kept "in case it comes back": a server that adds the bot again starts empty. A guild
that is only *unavailable* (a Discord outage) is not removed and keeps its data.
"""

from __future__ import annotations

import logging
from datetime import datetime

from narrate_bot.events import Platform
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.privacy import erase_tenant, truncate_log

log = logging.getLogger(__name__)


async def erase_guild(db: Database, guild_id: int, *, now: datetime) -> int:
    """Erase the guild's tenant; returns how many narrations were removed."""
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform=Platform.DISCORD.value, external_id=str(guild_id), name="", now=now
        )
        assert tenant.id is not None
        removed = await erase_tenant(session, tenant_id=tenant.id, dialect=db.dialect)
    await truncate_log(db)
    log.info("guild %s removed the bot: erased its data (%d narrations)", guild_id, removed)
    return removed
