"""Uninstalling erases the workspace, and on SQLite nothing erased stays readable on disk: not in
the database file, not in its write-ahead log, read while the bot still runs (as an admin, or a
backup of the folder, would read them). The same for a revoked token."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Tenant
from tests.adapters.slack.conftest import eventually, until


def _on_disk(db: Database, needle: bytes) -> list[str]:
    """The SQLite files (database and write-ahead log) that hold ``needle``."""
    database = db.engine.url.database
    assert database is not None
    files = [Path(database + suffix) for suffix in ("", "-wal")]
    return [path.name for path in files if path.exists() and needle in path.read_bytes()]


async def test_uninstalling_leaves_no_narration_in_the_write_ahead_log(slack):
    await slack.command("zanzibarquux ledger migration for acme")
    await until(lambda: slack.fake.responses)
    sqlite = slack.db.dialect == "sqlite"
    if sqlite:
        assert _on_disk(slack.db, b"zanzibarquux") == ["narrate.db-wal"]  # the test can see it
    assert (await slack.event({"type": "app_uninstalled"}, "Ev-uninstall"))[0] == 200

    async def erased() -> bool:
        async with slack.db.transaction() as s:
            return (await s.exec(select(Tenant))).first() is None

    await eventually(erased)
    if not sqlite:
        return  # PostgreSQL: dead tuples until (auto)vacuum, as the README says

    async def unreadable() -> bool:
        return _on_disk(slack.db, b"zanzibarquux") == []

    await eventually(unreadable)


async def test_a_revoked_token_is_not_left_in_the_write_ahead_log(slack):
    token = "xoxb-revoked-zq81"
    now = datetime.now(UTC)
    async with slack.db.transaction() as s:
        tenant = await repo.ensure_tenant(s, platform="slack", external_id="T1", name="", now=now)
        await ps.save_installation(
            s,
            row=ps.Installation(
                tenant_id=tenant.id,
                platform="slack",
                enterprise_id="",
                team_id="T1",
                bot_token=token,
                bot_user_id="UBOT",
                bot_id="BBOT",
                installed_at=now,
                updated_at=now,
            ),
        )
    sqlite = slack.db.dialect == "sqlite"
    if sqlite:
        assert _on_disk(slack.db, token.encode()) == ["narrate.db-wal"]
    revoked = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}
    assert (await slack.event(revoked, "Ev-revoked"))[0] == 200

    async def gone() -> bool:
        async with slack.db.transaction() as s:
            return (await s.exec(select(ps.Installation))).first() is None

    await eventually(gone)
    if sqlite:

        async def unreadable() -> bool:
            return _on_disk(slack.db, token.encode()) == []

        await eventually(unreadable)
