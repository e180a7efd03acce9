"""Each workspace is a separate tenant, even when user and channel ids collide."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import (
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    Platform,
    TenantRef,
    UserRef,
)

ACME = TenantRef(platform=Platform.SLACK, tenant_id="T1", name="acme")
GLOBEX = TenantRef(platform=Platform.SLACK, tenant_id="T2", name="globex")
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)


def _cmd(tenant, user, text, clock):
    return CommandInvoked(
        event_id=f"{tenant.tenant_id}-{user}-{text}",
        tenant=tenant,
        user=UserRef(user_id=user, display_name=user),
        channel=GENERAL,
        occurred_at=clock.now(),
        command="narrate",
        text=text,
    )


async def test_same_user_and_channel_ids_in_two_workspaces_never_mix(bot, clock):
    await bot.handle(_cmd(ACME, "U1", "kafka consumer groups at acme", clock))
    await bot.handle(_cmd(GLOBEX, "U2", "kafka at globex", clock))
    acme = await bot.handle(_cmd(ACME, "U2", "who kafka", clock))
    assert "<@U1>" in acme[0].text and "globex" not in acme[0].text
    globex = await bot.handle(_cmd(GLOBEX, "U1", "who kafka", clock))
    assert "<@U2>" in globex[0].text and "acme" not in globex[0].text
    mine = await bot.handle(_cmd(GLOBEX, "U1", "mine", clock))
    assert "haven't narrated" in mine[0].text


async def test_removing_the_app_from_one_workspace_erases_it_and_only_it(bot, clock, db):
    from narrate_bot.storage.fulltext import index_has_token
    from narrate_bot.storage.privacy import clear_traces, erase_tenant
    from narrate_bot.storage.tables import Narration, Person, Tenant

    await bot.handle(_cmd(ACME, "U1", "tuned the zanzibarquux cache", clock))
    await bot.handle(_cmd(GLOBEX, "U1", "kafka at globex", clock))
    async with db.transaction() as s:
        acme = (await s.exec(select(Tenant).where(Tenant.external_id == "T1"))).one()
        assert acme.id is not None
        assert await erase_tenant(s, tenant_id=acme.id, dialect=db.dialect) == 1
    await clear_traces(db, erasure=True)  # what the adapters call once the erasure committed
    async with db.transaction() as s:
        assert not await index_has_token(s, db.dialect, "zanzibarquux")
        assert [t.external_id for t in (await s.exec(select(Tenant))).all()] == ["T2"]
        assert len((await s.exec(select(Person))).all()) == 1
        assert len((await s.exec(select(Narration))).all()) == 1
    globex = await bot.handle(_cmd(GLOBEX, "U2", "who kafka", clock))
    assert "<@U1>" in globex[0].text


async def test_links_and_workspace_settings_are_stored(bot, clock):
    from narrate_bot.storage import repositories as repo
    from narrate_bot.storage.tables import Tenant

    event = _cmd(ACME, "U1", "shipped the kafka importer", clock).model_copy(
        update={"link": "https://acme.slack.com/archives/C1/p1"}
    )
    await bot.handle(event)
    async with bot.db.transaction() as s:
        tenant = (await s.exec(select(Tenant).where(Tenant.external_id == "T1"))).one()
        assert tenant.id is not None
        person = await repo.find_person(s, tenant_id=tenant.id, user_id="U1")
        assert person is not None and person.id is not None
        [(narration, _)] = await repo.recent_narrations(s, person_id=person.id, limit=5)
        assert narration.link == "https://acme.slack.com/archives/C1/p1"
        await repo.set_setting(
            s, tenant_id=tenant.id, key="questions_channel", value="C9", now=clock.now()
        )
    async with bot.db.transaction() as s:
        assert await repo.get_setting(s, tenant_id=tenant.id, key="questions_channel") == "C9"
        await repo.set_setting(
            s, tenant_id=tenant.id, key="questions_channel", value=None, now=clock.now()
        )
    async with bot.db.transaction() as s:
        assert await repo.get_setting(s, tenant_id=tenant.id, key="questions_channel") is None


async def test_a_new_workspace_can_send_many_events_at_once(bot, clock):
    """First sight of a workspace, channel and person from concurrent events: nothing fails."""
    import asyncio

    fresh = TenantRef(platform=Platform.SLACK, tenant_id="T-new", name="new")
    people = [f"U{i}" for i in range(6)]
    firsts = [_cmd(fresh, user, f"kafka rollout step {user}", clock) for user in people]
    seconds = [_cmd(fresh, "U0", f"kafka follow-up {i}", clock) for i in range(4)]
    replies = await asyncio.gather(*(bot.handle(e) for e in firsts + seconds))
    assert all(r and r[0].text.startswith("Noted as #") for r in replies)
    mine = await bot.handle(_cmd(fresh, "U0", "mine", clock))
    assert all(f"#{n}" in mine[0].text for n in range(1, 6))
