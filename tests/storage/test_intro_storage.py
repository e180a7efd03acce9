"""Introductions' rows go with their workspace: erase_tenant leaves none behind."""

from __future__ import annotations

from sqlalchemy import text

from narrate_bot.storage.privacy import erase_tenant
from narrate_bot_adapters.console.adapter import TENANT

INTRO_TABLES = (
    "intro_participant",
    "intro_never_pair",
    "intro_round",
    "introduction",
    "intro_member",
    "intro_feedback",
    "intro_asked_topic",
)


async def _counts(db) -> dict[str, int]:
    async with db.engine.connect() as conn:
        return {
            table: (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in INTRO_TABLES
        }


async def test_erasing_a_workspace_removes_every_introductions_row(bot, chat, clock, db):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
        "alice: /narrate never-pair @zoe",
        "alice: /narrate who knows about kafka?",
    )
    await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    await chat.say("alice: /narrate intros met 1")
    assert all(await _counts(db)), await _counts(db)
    async with db.transaction() as session:
        await erase_tenant(session, tenant_id=1, dialect=db.dialect)
    assert not any((await _counts(db)).values())
