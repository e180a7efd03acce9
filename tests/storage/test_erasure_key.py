"""The mark a forget-me leaves is keyed with a server secret (``storage/erasure_key.py``): the
database and a member list alone can't tell who asked to be forgotten. Before, the mark was a
plain SHA-256 of the workspace and user id, which anyone could recompute for every member.
A mark written before the key still keeps its person forgotten; replicas sharing the key agree;
a PostgreSQL replica without it, or with another one, is refused at startup naming the setting;
an SQLite install needs no setting (a key file is made beside the database)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import stat
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import col, select
from typer.testing import CliRunner

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.features.privacy import KEY_MISMATCH
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Person, Tenant, TenantSetting
from narrate_bot_adapters.cli import app
from narrate_bot_adapters.serve import StartupError, open_database, prepare_database
from tests.conftest import TEST_ERASURE_KEY
from tests.scenarios.forgotten_reader import command, described, forgotten_u2, members

runner = CliRunner()
MARK = "privacy.forgotten:"
OTHER_KEY = "another-replicas-key-" + "1" * 32


def _plain_digest(tenant_id: int, user_id: str) -> str:
    """The mark as it was written before it was keyed: what anyone with a member list can
    compute for every member."""
    return MARK + hashlib.sha256(f"{tenant_id}:{user_id}".encode()).hexdigest()[:40]


async def _tenant_id(db: Database) -> int:
    async with db.snapshot() as session:
        tenant = (await session.exec(select(Tenant).where(Tenant.external_id == "T1"))).one()
    assert tenant.id is not None
    return tenant.id


async def repo_person(db: Database, user_id: str) -> Person | None:
    async with db.snapshot() as session:
        return (await session.exec(select(Person).where(Person.user_id == user_id))).first()


async def _marks(db: Database) -> list[str]:
    async with db.snapshot() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    return [k for k in keys if k.startswith(MARK)]


async def test_the_mark_is_not_a_digest_anyone_can_recompute(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    tenant_id = await _tenant_id(db)
    marks = await _marks(db)
    assert len(marks) == 1, marks
    # Before: the one mark was exactly this, so U2 could be picked out of the member list.
    assert marks[0] != _plain_digest(tenant_id, "U2")
    assert marks[0] not in {_plain_digest(tenant_id, u) for u in ("U1", "U2", "U3")}
    keyed = hmac.new(TEST_ERASURE_KEY.encode(), f"{tenant_id}:U2".encode(), hashlib.sha256)
    assert marks[0] == MARK + keyed.hexdigest()[:40]  # HMAC-SHA256 with the server's key
    await bot.handle(described("U1", "U2"))
    assert await members(db, "U2") == []  # and still forgotten


async def test_someone_forgotten_before_the_upgrade_stays_forgotten(
    db: Database, clock: ManualClock
) -> None:
    """A mark left by an older version (the plain digest) can't be re-keyed, so it is read as
    it is: the reader list doesn't bring them back; their own command does, and clears it."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    tenant_id = await _tenant_id(db)
    async with db.transaction() as session:
        await session.exec(delete(TenantSetting).where(col(TenantSetting.key).startswith(MARK)))
        session.add(
            TenantSetting(
                tenant_id=tenant_id,
                key=_plain_digest(tenant_id, "U2"),
                value="1",
                updated_at=clock.now(),
            )
        )
    await bot.handle(described("U1", "U2"))
    assert await members(db, "U2") == []  # a naive keyed-only reader stored them again
    told = "\n".join(r.text for r in await bot.handle(command("U2", "back at it")))
    assert "Noted" in told, told
    assert await _marks(db) == []  # the old mark went with their return
    await bot.handle(described("U1", "U2"))
    assert [m.user_id for m in await members(db, "U2")] == ["U2"]


async def test_replicas_with_the_same_key_agree(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key given to each replica as the setting (``Settings.erasure_key``), not taken from
    the environment: a second replica recognises whom the first forgot."""
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    settings = Settings(erasure_key="the-shared-key-of-every-replica-" + "2" * 16)
    assert settings.erasure_key is not None
    shared = settings.erasure_key.get_secret_value()
    first = Database(db.url, erasure_key=shared)
    second = Database(db.url, erasure_key=shared)
    try:
        await forgotten_u2(Bot(db=first, clock=clock, settings=settings), first)
        await Bot(db=second, clock=clock, settings=settings).handle(described("U1", "U2"))
        assert await members(second, "U2") == []
        third = open_database(db.url, erasure_key=settings.erasure_key)
        try:
            await prepare_database(third)  # the startup check agrees too
        finally:
            await third.dispose()
    finally:
        await first.dispose()
        await second.dispose()


async def test_another_key_is_refused_at_startup_naming_the_setting(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica started with another key would not recognise anyone the others forgot: it is
    refused before it serves anyone, and a forget-me on one already running fails rather than
    leave a mark the others can't read."""
    await forgotten_u2(Bot(db=db, clock=clock, settings=Settings()), db)
    monkeypatch.setenv("NARRATE_ERASURE_KEY", OTHER_KEY)
    other = open_database(db.url)
    try:
        with pytest.raises(StartupError) as refused:
            await prepare_database(other)
        assert "NARRATE_ERASURE_KEY" in str(refused.value)
        assert OTHER_KEY not in str(refused.value)
        other_bot = Bot(db=other, clock=clock, settings=Settings())
        await other_bot.handle(command("U3", "wrote the runbook"))
        await other_bot.handle(command("U3", "forget-me"))
        told = await other_bot.handle(command("U3", "forget-me confirm"))
        assert [r.text for r in told] == [KEY_MISMATCH]  # said so, and nothing was erased
        assert await repo_person(db, "U3")
    finally:
        await other.dispose()


def test_postgresql_without_the_key_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Refused before anything connects: replicas each making up their own key would not
    recognise one another's marks."""
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    result = runner.invoke(app, ["migrate", "--db", "postgresql://narrate@127.0.0.1:1/narrate"])
    assert result.exit_code != 0
    assert "NARRATE_ERASURE_KEY is not set" in result.output, result.output
    assert "every replica" in result.output


def test_the_quick_start_needs_no_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The console (as ``python3 dev.py demo`` and a first ``narrate-bot console``) works with no
    key set: one is made beside the database file, readable by its owner alone, and kept, so a
    person forgotten in one session is still forgotten in the next."""
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    demo = runner.invoke(app, ["demo"], input="you: @narrate who knows about kafka?\n")
    assert demo.exit_code == 0, demo.output
    assert "@bob: narrated about kafka" in demo.output
    db = tmp_path / "bot.db"
    lines = "".join(
        f"bob: /narrate {words}\n"
        for words in ("upgraded the brokers", "forget-me", "forget-me confirm")
    )
    first = runner.invoke(app, ["console", "--db", str(db)], input=lines)
    assert first.exit_code == 0, first.output
    key_file = tmp_path / "bot.db.erasure-key"
    assert key_file.exists(), sorted(p.name for p in tmp_path.iterdir())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert key not in first.output
    second = runner.invoke(app, ["console", "--db", str(db)], input="alice: /narrate still here\n")
    assert second.exit_code == 0, second.output
    assert key_file.read_text() == key
    assert asyncio.run(_forgotten_in_file(db, "bob"))


async def _forgotten_in_file(path: Path, user_id: str) -> bool:
    """What a later process opening the file (with no setting) reads of ``user_id``."""
    database = Database(f"sqlite:///{path}")
    try:
        tenant_id = await _only_tenant(database)
        assert _plain_digest(tenant_id, user_id) not in await _marks(database)
        async with database.snapshot() as session:
            return await repo.is_forgotten(session, tenant_id=tenant_id, user_id=user_id)
    finally:
        await database.dispose()


async def _only_tenant(db: Database) -> int:
    async with db.snapshot() as session:
        tenant = (await session.exec(select(Tenant))).one()
    assert tenant.id is not None
    return tenant.id
